package activities

import (
	"context"

	"github.com/relance/relance/models"
)

// CampaignPhaseInput is the phase a campaign enters.
type CampaignPhaseInput struct {
	CampaignID string
	Phase      models.Phase
	Audit      Audit
}

// RecordCampaignPhase records the phase a campaign entered, with its audit event (the
// campaign's ID stands for the dossier's in the trail).
func (a *Activities) RecordCampaignPhase(ctx context.Context, in CampaignPhaseInput) error {
	return classify(a.Store.SetCampaignPhase(ctx, in.CampaignID, in.Phase, stepKey(in.CampaignID, in.Audit), in.Audit.event(in.CampaignID)))
}

// CampaignScheduleInput is a campaign's moved schedule.
type CampaignScheduleInput struct {
	CampaignID string
	Schedule   models.Schedule
	Audit      Audit
}

// SaveCampaignSchedule records a campaign's moved schedule, with its audit event.
func (a *Activities) SaveCampaignSchedule(ctx context.Context, in CampaignScheduleInput) error {
	return classify(a.Store.SetCampaignSchedule(ctx, in.CampaignID, in.Schedule, stepKey(in.CampaignID, in.Audit), in.Audit.event(in.CampaignID)))
}

// ProposalServiceOutcome reads what became of a proposal's candidate service, for a
// proposal that may have missed the signal telling it: an empty status while the service
// is undecided (or the proposal not grouped yet).
func (a *Activities) ProposalServiceOutcome(ctx context.Context, dossierID string) (models.ServiceOutcome, error) {
	svc, found, err := a.Store.ProposalService(ctx, dossierID)
	if err != nil || !found {
		return models.ServiceOutcome{}, err
	}
	return models.OutcomeOf(svc), nil
}
