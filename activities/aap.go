package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// CheckAAPEligibility decides from the registry whether the applicant and its partners
// cover a whole département or 500,000 inhabitants, explaining a refusal.
func (a *Activities) CheckAAPEligibility(ctx context.Context, dossierID string) (models.Eligibility, error) {
	d, err := a.Store.Dossier(ctx, dossierID)
	if err != nil {
		return models.Eligibility{}, classify(err)
	}
	var app models.AAPApplication
	if err := json.Unmarshal(d.Payload, &app); err != nil {
		return models.Eligibility{}, classify(models.Errorf(models.EInvalid, "dossier %s has an unreadable application: %v", d.ID, err))
	}
	sirens := append([]string{d.ApplicantSiren}, app.PartnerSirens...)
	covered, unknown, err := a.Store.CoveredCommunes(ctx, sirens)
	if err != nil {
		return models.Eligibility{}, err
	}
	counts, err := a.Store.CommunesPerDepartement(ctx)
	if err != nil {
		return models.Eligibility{}, err
	}
	e := models.CheckEligibility(covered, counts)
	for _, s := range unknown {
		e.Eligible = false
		e.Reasons = append(e.Reasons, fmt.Sprintf("SIREN %s is not a collectivité or structure of the registry", s))
	}
	return e, nil
}

// RecordEventInput is an audit event of a workflow step that changes nothing else.
type RecordEventInput struct {
	DossierID string
	Audit     Audit
}

// RecordEvent writes an audit event (once).
func (a *Activities) RecordEvent(ctx context.Context, in RecordEventInput) error {
	return a.audit(ctx, in.DossierID, in.Audit)
}

// VoteInput is a jury member's vote to record.
type VoteInput struct {
	Vote  models.Vote
	Audit Audit
}

// RecordVote writes a vote or recusal in the jury's read model and the audit trail (once).
func (a *Activities) RecordVote(ctx context.Context, in VoteInput) error {
	if err := a.Store.RecordVote(ctx, in.Vote); err != nil {
		return classify(err)
	}
	return a.audit(ctx, in.Vote.DossierID, in.Audit)
}

// CallJury returns a call, to know its jury and whether its session is open.
func (a *Activities) CallJury(ctx context.Context, callID string) (models.Call, error) {
	c, err := a.Store.Call(ctx, callID)
	return c, classify(err)
}

// ReserveInput is a laureate's grant to reserve.
type ReserveInput struct {
	DossierID   string
	Envelope    string
	AmountCents models.Cents
	Score       int
	DecidedAt   time.Time
}

// ReserveGrant reserves a laureate's grant, or puts it on the waiting list (false).
func (a *Activities) ReserveGrant(ctx context.Context, in ReserveInput) (bool, error) {
	ok, err := a.Store.ReserveOrWait(ctx, in.DossierID, in.Envelope, in.AmountCents, in.Score, in.DecidedAt)
	return ok, classify(err)
}

// WaitingCheck is what a waiting laureate learns when it checks again.
type WaitingCheck struct {
	Reserved bool
	// Promoted are the laureates (this one, perhaps) the check funded from the list.
	Promoted []string
}

// RecheckWaitingList funds what the envelope can cover from its waiting list, in ranking
// order, and tells a waiting laureate whether its grant is now reserved.
func (a *Activities) RecheckWaitingList(ctx context.Context, in ReserveInput) (WaitingCheck, error) {
	promoted, err := a.Store.PromoteWaiting(ctx, in.Envelope)
	if err != nil {
		return WaitingCheck{}, classify(err)
	}
	reserved, err := a.Store.HasReservation(ctx, in.DossierID)
	return WaitingCheck{Reserved: reserved, Promoted: promoted}, err
}

// ReleaseGrant gives a dossier's reservation back and funds waiting laureates with it, in
// the jury's ranking order. It returns the dossiers it funded, for the workflow to wake.
func (a *Activities) ReleaseGrant(ctx context.Context, dossierID string) ([]string, error) {
	envelope, err := a.Store.Release(ctx, dossierID)
	if err != nil || envelope == "" {
		return nil, classify(err)
	}
	promoted, err := a.Store.PromoteWaiting(ctx, envelope)
	return promoted, classify(err)
}

// CommitGrant makes a signed agreement's money firm.
func (a *Activities) CommitGrant(ctx context.Context, dossierID string) error {
	return classify(a.Store.Commit(ctx, dossierID))
}

// WithdrawInput is an administrator's withdrawal of a dossier, or a cancellation in Temporal.
type WithdrawInput struct {
	DossierID string
	Actor     string
	Reason    string
}

// WithdrawDossier cancels a dossier's open tasks, gives back the money it reserved (funding
// waiting laureates with it) and records it withdrawn. It returns the laureates funded.
// Money committed by a signed agreement is kept: it is owed.
func (a *Activities) WithdrawDossier(ctx context.Context, in WithdrawInput) ([]string, error) {
	if err := a.Store.CancelOpenTasks(ctx, in.DossierID); err != nil {
		return nil, err
	}
	detail := in.Reason
	envelope, err := a.Store.Release(ctx, in.DossierID)
	switch {
	case models.ErrorCode(err) == models.EConflict:
		detail += " (committed money kept: " + err.Error() + ")"
	case err != nil:
		return nil, classify(err)
	}
	var promoted []string
	if envelope != "" {
		if promoted, err = a.Store.PromoteWaiting(ctx, envelope); err != nil {
			return nil, classify(err)
		}
	}
	audit := Audit{Key: "withdrawn", Actor: in.Actor, Action: models.AuditWithdrawn, Detail: detail}
	err = a.Store.SetDossierStatus(ctx, in.DossierID, store.StatusChange{Status: models.StatusWithdrawn, Reason: in.Reason,
		StepKey: stepKey(in.DossierID, audit), Audit: audit.event(in.DossierID), Notice: models.DecisionNotice})
	return promoted, classify(err)
}
