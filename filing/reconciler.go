package filing

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/relance/relance/models"
)

// Reconciler finds submitted dossiers and campaigns whose process is not recorded as
// started (the API died between the insert and the start, or Temporal did not answer) and
// starts them.
type Reconciler struct {
	Service *Service
	// Period is the time between passes; Grace how long a dossier is left to the API that
	// files it before the reconciler steps in; Batch bounds a pass.
	Period, Grace time.Duration
	Batch         int
}

// ReconcilerActor is who the audit trail names for a process the reconciler started.
const ReconcilerActor = "relance:reconciler"

// Run makes a pass every Period until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	t := time.NewTicker(r.Period)
	defer t.Stop()
	for {
		if _, err := r.Pass(ctx); err != nil && ctx.Err() == nil {
			r.Service.Logger.Error("reconciler: pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Pass handles up to Batch dossiers, then up to Batch campaigns, older than the grace
// period and tells how many now have their process recorded as running. A dossier it cannot start is tried again next pass.
func (r *Reconciler) Pass(ctx context.Context) (int, error) {
	s := r.Service
	todo, err := s.Store.UnstartedDossiers(ctx, s.now().Add(-r.Grace), r.Batch)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, d := range todo {
		if ctx.Err() != nil {
			break
		}
		if err := r.reconcile(ctx, d); err != nil {
			s.Logger.Warn("reconciler: could not start a dossier's process", "dossier", d.ID, "err", err)
			continue
		}
		done++
	}
	if len(todo) > 0 {
		s.Logger.Info("reconciler: pass", "found", len(todo), "recorded_running", done)
	}
	campaigns, err := s.Store.UnstartedCampaigns(ctx, s.now().Add(-r.Grace), r.Batch)
	if err != nil {
		return done, err
	}
	for _, c := range campaigns {
		if ctx.Err() != nil {
			break
		}
		if err := r.reconcileCampaign(ctx, c); err != nil {
			s.Logger.Warn("reconciler: could not start a campaign's process", "campaign", c.ID, "err", err)
			continue
		}
		done++
	}
	return done, nil
}

// reconcileCampaign starts c's workflow (or finds it started) and records it.
func (r *Reconciler) reconcileCampaign(ctx context.Context, c models.Campaign) error {
	s := r.Service
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	if err := s.StartCampaign(ctx, c); err != nil {
		return err
	}
	s.Logger.Info("reconciler: started a campaign's process", "campaign", c.ID)
	return s.Store.MarkCampaignStarted(ctx, c.ID)
}

// reconcile finds d's workflow, or starts it and says so in the audit trail, then records it.
func (r *Reconciler) reconcile(ctx context.Context, d models.Dossier) error {
	s := r.Service
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	_, err := s.Temporal.DescribeWorkflow(ctx, d.WorkflowID(), "")
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		// It started: only its record was missing.
	case errors.As(err, &notFound):
		if err := s.Start(ctx, d); err != nil {
			return err
		}
		if err := s.Store.Audit(ctx, d.ID+"/process-started-by-reconciler", models.AuditEvent{DossierID: d.ID,
			Actor: ReconcilerActor, Action: "process_started", Detail: "process started by the reconciler"}); err != nil {
			return err
		}
		s.Logger.Info("reconciler: started a dossier's process", "dossier", d.ID, "kind", d.Kind)
	default:
		return err
	}
	return s.Store.MarkProcessStarted(ctx, d.ID)
}
