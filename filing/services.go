package filing

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// CreateService records a candidate service grouping proposals (with its reference row
// among the dossiers) and starts its process. Should Temporal not answer, the service
// stays recorded and the Reconciler starts its process from the reference row.
func (s *Service) CreateService(ctx context.Context, svc models.CandidateService) (models.CandidateService, error) {
	ctx, cancel := s.detach(ctx)
	defer cancel()
	svc, err := s.Store.CreateService(ctx, svc)
	if err != nil {
		return svc, err
	}
	if err := s.StartService(ctx, svc); err != nil {
		s.Logger.Warn("could not start a candidate service's process: the reconciler will see to it", "service", svc.ID, "err", err)
		return svc, nil // recorded: the grouping stands, its process follows
	}
	if err := s.Store.MarkProcessStarted(ctx, svc.ID); err != nil {
		s.Logger.Warn("could not record that a candidate service's process started", "service", svc.ID, "err", err)
	}
	return svc, nil
}

// StartService starts a candidate service's workflow, for the API and the Reconciler
// alike. Its workflow id is the service's: starting it again is harmless.
func (s *Service) StartService(ctx context.Context, svc models.CandidateService) error {
	return s.startOnce(ctx, client.StartWorkflowOptions{
		ID:            models.ServiceWorkflowID(svc.ID),
		StaticSummary: "Axe 1 candidate service — " + svc.Title,
		StaticDetails: fmt.Sprintf("Candidate service %s of campaign %s\n\nEstimated at %s: %s",
			svc.ID, svc.CampaignID, models.FormatEuros(svc.EstimatedCostCents), svc.CostNote),
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.SearchKind.ValueSet(string(models.KindService)),
			workflows.SearchStatus.ValueSet(string(models.StatusAccepted))),
	}, workflows.ServiceWorkflowName, workflows.ServiceInput{ServiceID: svc.ID, CampaignID: svc.CampaignID, Deadlines: s.Deadlines})
}

// MergeServices merges a candidate service into another, then tells the merged one's
// process, which closes as merged (or finds it in its daily recheck).
func (s *Service) MergeServices(ctx context.Context, campaignID, fromID, intoID, actor string) (models.CandidateService, error) {
	into, err := s.Store.MergeServices(ctx, campaignID, fromID, intoID, actor)
	if err != nil {
		return into, err
	}
	s.SignalServices(ctx, []string{fromID})
	return into, nil
}

// SignalServices tells the processes of services ids what the database now holds of them
// (their outcome: the committee's decision, a merge), and lists those it could not tell:
// they find it in their daily recheck.
func (s *Service) SignalServices(ctx context.Context, ids []string) []string {
	missed := []string{}
	for _, id := range ids {
		svc, err := s.Store.Service(ctx, id)
		if err == nil {
			outcome := models.OutcomeOf(svc)
			if svc.Status == models.ServiceMerged {
				outcome = models.ServiceOutcome{Status: models.StatusServiceMerged, Reason: "merged into service " + svc.MergedInto}
			}
			tctx, cancel := context.WithTimeout(ctx, s.Timeout)
			err = s.Temporal.SignalWorkflow(tctx, models.ServiceWorkflowID(id), "", workflows.SignalServiceDecision, outcome)
			cancel()
		}
		if err != nil {
			missed = append(missed, id)
			s.Logger.Warn("could not signal a candidate service's process", "service", id, "err", err)
		}
	}
	return missed
}
