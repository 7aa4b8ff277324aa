package filing

import (
	"context"
	"encoding/json"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/google/uuid"
	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// CreateCampaign records an administrator's campaign, with its envelope, and starts its
// process. Should Temporal not answer, the campaign stays recorded and the Reconciler
// starts it.
func (s *Service) CreateCampaign(ctx context.Context, p models.Principal, req models.CampaignRequest) (models.Campaign, error) {
	if err := p.NeedRole(models.RoleAdmin); err != nil {
		return models.Campaign{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return models.Campaign{}, err
	}
	c := req.Campaign(id.String(), p.Subject)
	if err := c.ValidateNew(s.now()); err != nil {
		return c, err
	}
	ctx, cancel := s.detach(ctx)
	defer cancel()
	c, err = s.Store.CreateCampaign(ctx, c)
	if err != nil {
		return c, err
	}
	if err := s.Store.Audit(ctx, c.ID+"/created", models.AuditEvent{DossierID: c.ID, Actor: c.CreatedBy, Action: models.AuditCampaignCreated,
		Detail: fmt.Sprintf("%s, budget %s on %s", c.Title, models.FormatEuros(c.BudgetCents), c.EnvelopeCode)}); err != nil {
		return c, err
	}
	if err := s.StartCampaign(ctx, c); err != nil {
		s.Logger.Warn("could not start a campaign's process: the reconciler will see to it", "campaign", c.ID, "err", err)
		return c, models.Errorf(models.EUnavailable,
			"campaign %s is recorded, but the workflow service did not answer in time: its process will start shortly", c.ID)
	}
	if err := s.Store.MarkCampaignStarted(ctx, c.ID); err != nil {
		s.Logger.Warn("could not record that a campaign's process started", "campaign", c.ID, "err", err)
	}
	return c, nil
}

// StartCampaign starts a campaign's workflow from its row, for the API and the Reconciler
// alike. Its workflow id is the campaign's: starting it again is harmless.
func (s *Service) StartCampaign(ctx context.Context, c models.Campaign) error {
	sch := c.Schedule
	return s.startOnce(ctx, client.StartWorkflowOptions{
		ID:            models.CampaignWorkflowID(c.ID),
		StaticSummary: "Axe 1 campaign — " + c.Title,
		StaticDetails: fmt.Sprintf("Campaign %s\n\nBudget %s on %s; ballots of %d choices; %d référents per service\n\n"+
			"Collection from %s, vote from %s, interest from %s, build from %s to %s (as created; the dates may move)",
			c.ID, models.FormatEuros(c.BudgetCents), c.EnvelopeCode, c.BallotSize, c.ReferentsPerService,
			sch.Collection.OpensAt.Format("2006-01-02"), sch.Vote.OpensAt.Format("2006-01-02"), sch.Interest.OpensAt.Format("2006-01-02"),
			sch.Build.OpensAt.Format("2006-01-02"), sch.Build.ClosesAt.Format("2006-01-02")),
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.SearchKind.ValueSet(workflows.KindCampaign)),
	}, workflows.CampaignWorkflowName, workflows.CampaignInput{CampaignID: c.ID, Schedule: c.Schedule})
}

// FileProposal files a proposal to a campaign during its collection, for the collectivité
// or partner p acts for. A collectivité or grouping must be in the registry, which names
// it; a partner must not be (a collectivité proposes as one), and names itself. A
// proposal outside the collection window is refused with its dates, before its fields.
func (s *Service) FileProposal(ctx context.Context, p models.Principal, idemKey string, c models.Campaign, prop models.Proposal) (Filed, error) {
	if err := p.NeedRole(models.RoleApplicant, models.RolePartner); err != nil {
		return Filed{}, err
	}
	if err := c.CollectionOpen(s.now()); err != nil {
		return Filed{}, err
	}
	partner := !p.HasRole(models.RoleApplicant)
	if err := prop.Validate(c.Categories, partner); err != nil {
		return Filed{}, err
	}
	_, err := s.Store.CollectiviteBySiren(ctx, p.Siren)
	switch {
	case err == nil && partner:
		return Filed{}, models.Errorf(models.EForbidden, "SIREN %s is a collectivité of the registry: its agents propose as the collectivité (role applicant)", p.Siren)
	case models.ErrorCode(err) == models.ENotFound && !partner:
		return Filed{}, models.Errorf(models.EForbidden, "SIREN %s is not in the registry of collectivités: a partner proposes with the partner role", p.Siren)
	case err != nil && models.ErrorCode(err) != models.ENotFound:
		return Filed{}, err
	}
	prop.ProposerKind = models.ProposerCollectivite
	if partner {
		prop.ProposerKind = models.ProposerPartner
	} else {
		prop.ProposerName = "" // the registry names a collectivité
	}
	hash, err := requestHash(prop)
	if err != nil {
		return Filed{}, err
	}
	payload, err := json.Marshal(prop)
	if err != nil {
		return Filed{}, err
	}
	stillOpen := func() error { return c.CollectionOpen(s.now()) }
	return s.file(ctx, p, idemKey, hash, models.Dossier{Kind: models.KindCoConstruction, Status: models.StatusSubmitted,
		ApplicantSiren: p.Siren, ApplicantName: prop.ProposerName, EnvelopeCode: c.EnvelopeCode, Payload: payload, CallID: c.ID}, stillOpen)
}

// Campaign reads a campaign by its ID; anything but a UUID names none.
func (s *Service) Campaign(ctx context.Context, id string) (models.Campaign, error) {
	if err := mustBeID("campaign", id); err != nil {
		return models.Campaign{}, err
	}
	return s.Store.Campaign(ctx, id)
}

// MoveSchedule gives a campaign new dates, once their field rules are kept; its workflow
// checks the move against its own clock and moves its timers.
func (s *Service) MoveSchedule(ctx context.Context, p models.Principal, campaign models.Campaign, sch models.Schedule) error {
	if err := p.NeedRole(models.RoleAdmin); err != nil {
		return err
	}
	if err := campaign.ScheduleMovable(s.now()); err != nil {
		return err
	}
	if err := models.Validate(sch); err != nil {
		return err
	}
	return s.update(ctx, models.CampaignWorkflowID(campaign.ID), workflows.UpdateMoveSchedule, nil,
		workflows.MoveScheduleRequest{Actor: p, Schedule: sch})
}
