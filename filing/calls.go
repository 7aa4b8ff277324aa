package filing

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// CreateCall records an administrator's call for projects on a leaf envelope (the
// strand's by default).
func (s *Service) CreateCall(ctx context.Context, p models.Principal, req models.CallRequest) (models.Call, error) {
	if err := p.NeedRole(models.RoleAdmin); err != nil {
		return models.Call{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return models.Call{}, err
	}
	call := req.Call(id.String(), p.Subject)
	if err := call.Validate(); err != nil {
		return call, err
	}
	envs, err := s.Store.Envelopes(ctx)
	if err != nil {
		return call, err
	}
	if err := models.CheckLeafEnvelope(envs, call.EnvelopeCode); err != nil {
		return call, err
	}
	return s.Store.CreateCall(ctx, call)
}

// VisibleCall loads call id (calls are public): not found for an ID that is none.
func (s *Service) VisibleCall(ctx context.Context, id string) (models.Call, error) {
	if err := mustBeID("call", id); err != nil {
		return models.Call{}, err
	}
	return s.Store.Call(ctx, id)
}

// OpenedJury is a jury session just opened: how many dossiers entered it, and those not
// told yet (they check the call themselves within a day).
type OpenedJury struct {
	Call         models.Call
	Entering     int
	NotSignalled []string
}

// OpenJury opens call id's jury session, an administrator's act: every preselected
// dossier of the call enters its jury phase at once. Dossiers preselected later find the
// session open themselves.
func (s *Service) OpenJury(ctx context.Context, p models.Principal, id string) (OpenedJury, error) {
	if err := p.NeedRole(models.RoleAdmin); err != nil {
		return OpenedJury{}, err
	}
	call, err := s.VisibleCall(ctx, id)
	if err != nil {
		return OpenedJury{}, err
	}
	if call, err = s.Store.OpenJury(ctx, call.ID); err != nil {
		return OpenedJury{}, err
	}
	preselected, err := s.Store.CallDossiers(ctx, call.ID, models.StatusPreselected)
	if err != nil {
		return OpenedJury{}, err
	}
	notSignalled := []string{}
	for _, d := range preselected {
		if err := s.signal(ctx, d.WorkflowID(), workflows.SignalJuryOpened, nil); err != nil {
			notSignalled = append(notSignalled, d.ID)
			s.Logger.Warn("jury session: could not signal a dossier", "dossier", d.ID, "err", err)
		}
	}
	return OpenedJury{Call: call, Entering: len(preselected) - len(notSignalled), NotSignalled: notSignalled}, nil
}

// JuryDossier is one dossier as the jury session shows it.
type JuryDossier struct {
	Dossier   models.Dossier     `json:"dossier"`
	Votes     []models.Vote      `json:"votes"`
	Recused   []string           `json:"recused"`
	NotVoted  []string           `json:"not_voted"`
	Standing  models.JuryOutcome `json:"standing"`
	Requested models.Cents       `json:"requested_cents"`
}

// JurySession is a call's jury session: each dossier before it, its votes so far and
// what its decision still waits for.
type JurySession struct {
	Call        models.Call   `json:"call"`
	SessionOpen bool          `json:"session_open"`
	Dossiers    []JuryDossier `json:"dossiers"`
}

// JurySession loads call id's jury session, for its jury and the national roles.
func (s *Service) JurySession(ctx context.Context, p models.Principal, id string) (JurySession, error) {
	call, err := s.VisibleCall(ctx, id)
	if err != nil {
		return JurySession{}, err
	}
	if !p.CanSeeJurySession(call) {
		return JurySession{}, models.Errorf(models.EForbidden, "only the call's jury and the national roles (administrators, finance, national instructors) see its session")
	}
	dossiers, err := s.Store.CallDossiers(ctx, call.ID, models.JuryStatuses...)
	if err != nil {
		return JurySession{}, err
	}
	ids := make([]string, len(dossiers))
	for i, d := range dossiers {
		ids[i] = d.ID
	}
	votes, err := s.Store.Votes(ctx, ids)
	if err != nil {
		return JurySession{}, err
	}
	out := []JuryDossier{}
	for _, d := range dossiers {
		mine := []models.Vote{}
		for _, v := range votes {
			if v.DossierID == d.ID {
				mine = append(mine, v)
			}
		}
		if d.Status == models.StatusRefused && len(mine) == 0 {
			continue // refused before the jury
		}
		jd := JuryDossier{Dossier: d, Votes: mine, Recused: []string{}, NotVoted: []string{}, Requested: d.RequestedCents,
			Standing: models.DecideJury(call.Jury, call.Chair, call.Quorum, mine)}
		acted := map[string]bool{}
		for _, v := range mine {
			acted[v.Member] = true
			if v.Choice == models.VoteRecuse {
				jd.Recused = append(jd.Recused, v.Member)
			}
		}
		for _, m := range call.Jury {
			if !acted[m.Subject] {
				jd.NotVoted = append(jd.NotVoted, m.Subject)
			}
		}
		out = append(out, jd)
	}
	return JurySession{Call: call, SessionOpen: call.JuryOpenedAt != nil, Dossiers: out}, nil
}

// FileApplication files p's application to call, or saves it as a draft, under the
// call's dates and the application's rules (a draft may be incomplete).
func (s *Service) FileApplication(ctx context.Context, p models.Principal, idemKey string, call models.Call, app models.AAPApplication, draft bool) (Filed, error) {
	if err := p.NeedRole(models.RoleApplicant); err != nil {
		return Filed{}, err
	}
	now := s.now()
	if !now.Before(call.ClosesAt) {
		return Filed{}, models.Errorf(models.EConflict, "call %s closed on %s", call.ID, call.ClosesAt.Format(time.RFC3339))
	}
	if !draft && !call.AcceptsApplications(now) {
		return Filed{}, models.Errorf(models.EConflict, "call %s opens on %s: save a draft until then", call.ID, call.OpensAt.Format(time.RFC3339))
	}
	if err := app.Validate(call.Strand, p.Siren, !draft); err != nil {
		return Filed{}, err
	}
	return s.fileApplication(ctx, p, idemKey, app, draft, models.Dossier{Kind: models.KindAAP, EnvelopeCode: call.EnvelopeCode,
		RequestedCents: app.RequestedCents, CallID: call.ID})
}

// OwnApplication loads an application of p's collectivité, with its call.
func (s *Service) OwnApplication(ctx context.Context, p models.Principal, id string) (models.Dossier, models.Call, error) {
	d, err := s.VisibleDossier(ctx, p, id)
	if err != nil {
		return d, models.Call{}, err
	}
	if d.Kind != models.KindAAP {
		return d, models.Call{}, models.Errorf(models.EConflict, "dossier %s is not an application to a call", d.ID)
	}
	if err := ownApplication(p, d); err != nil {
		return d, models.Call{}, err
	}
	call, err := s.Store.Call(ctx, d.CallID)
	return d, call, err
}

// UpdateApplication replaces the application of p's draft id.
func (s *Service) UpdateApplication(ctx context.Context, p models.Principal, id string, app models.AAPApplication) (models.Dossier, error) {
	d, call, err := s.OwnApplication(ctx, p, id)
	if err != nil {
		return d, err
	}
	if err := app.Validate(call.Strand, d.ApplicantSiren, false); err != nil {
		return d, err
	}
	return s.saveDraft(ctx, d, app, app.RequestedCents)
}

// SubmitApplication submits p's draft application id while its call is open, starting
// its workflow.
func (s *Service) SubmitApplication(ctx context.Context, p models.Principal, id string) (models.Dossier, error) {
	d, call, err := s.OwnApplication(ctx, p, id)
	if err != nil {
		return d, err
	}
	if err := submittable(d); err != nil {
		return d, err
	}
	var app models.AAPApplication
	if err := json.Unmarshal(d.Payload, &app); err != nil {
		return d, err
	}
	if err := app.Validate(call.Strand, d.ApplicantSiren, true); err != nil {
		return d, err
	}
	if !call.AcceptsApplications(s.now()) {
		return d, models.Errorf(models.EConflict, "call %s is not open: it runs from %s to %s", call.ID,
			call.OpensAt.Format(time.RFC3339), call.ClosesAt.Format(time.RFC3339))
	}
	return s.SubmitDraft(ctx, d)
}
