package filing

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// GroupingOpen refuses a grouping act by anyone not acting for ANCT, or once the
// campaign's candidate services may no longer change. Each grouping act checks it; the
// API checks it first too, so that a refused caller learns so before its request is read.
func (s *Service) GroupingOpen(p models.Principal, campaign models.Campaign) error {
	if !p.ActsForANCT() {
		return models.Errorf(models.EForbidden, "only ANCT (an administrator or a national instructor) groups proposals into candidate services")
	}
	return campaign.GroupingOpen(s.now())
}

// CreateService groups proposals into a new candidate service, once the request's field
// rules are kept: it records the service (with its reference row among the dossiers) and
// starts its process. Should Temporal not answer, the service stays recorded and the
// Reconciler starts its process from the reference row.
func (s *Service) CreateService(ctx context.Context, p models.Principal, campaign models.Campaign, req models.ServiceRequest) (models.CandidateService, error) {
	if err := s.GroupingOpen(p, campaign); err != nil {
		return models.CandidateService{}, err
	}
	if err := models.Validate(req); err != nil {
		return models.CandidateService{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return models.CandidateService{}, err
	}
	ctx, cancel := s.detach(ctx)
	defer cancel()
	svc, err := s.Store.CreateService(ctx, models.CandidateService{ID: id.String(), CampaignID: campaign.ID,
		Title: strings.TrimSpace(req.Title), Description: req.Description, EstimatedCostCents: req.EstimatedCostCents, CostNote: req.CostNote,
		ProposalIDs: req.ProposalIDs, CreatedBy: p.Subject})
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

// MoveProposal moves a proposal into a candidate service, from the one it was in.
func (s *Service) MoveProposal(ctx context.Context, p models.Principal, campaign models.Campaign, serviceID string, req models.MoveProposalRequest) (models.CandidateService, error) {
	if err := s.GroupingOpen(p, campaign); err != nil {
		return models.CandidateService{}, err
	}
	if err := models.Validate(req); err != nil {
		return models.CandidateService{}, err
	}
	return s.Store.MoveProposal(ctx, campaign.ID, serviceID, req.DossierID, p.Subject)
}

// MergeServices merges a candidate service into another, its proposals moving there, then
// tells the merged one's process, which closes as merged (or finds it in its daily recheck).
func (s *Service) MergeServices(ctx context.Context, p models.Principal, campaign models.Campaign, fromID string, req models.MergeServiceRequest) (models.CandidateService, error) {
	if err := s.GroupingOpen(p, campaign); err != nil {
		return models.CandidateService{}, err
	}
	if err := models.Validate(req); err != nil {
		return models.CandidateService{}, err
	}
	into, err := s.Store.MergeServices(ctx, campaign.ID, fromID, req.IntoServiceID, p.Subject)
	if err != nil {
		return into, err
	}
	s.SignalServices(ctx, []string{fromID})
	return into, nil
}

// SetServiceCost gives a candidate service its estimated cost, with its note.
func (s *Service) SetServiceCost(ctx context.Context, p models.Principal, campaign models.Campaign, id string, req models.ServiceCostRequest) (models.CandidateService, error) {
	if err := s.GroupingOpen(p, campaign); err != nil {
		return models.CandidateService{}, err
	}
	if err := models.Validate(req); err != nil {
		return models.CandidateService{}, err
	}
	return s.Store.SetServiceCost(ctx, campaign.ID, id, req.EstimatedCostCents, req.CostNote, p.Subject)
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
			err = s.signal(ctx, models.ServiceWorkflowID(id), workflows.SignalServiceDecision, outcome)
		}
		if err != nil {
			missed = append(missed, id)
			s.Logger.Warn("could not signal a candidate service's process", "service", id, "err", err)
		}
	}
	return missed
}

// ServiceBuild is where a service's build and deploy stands, to ANCT and finance.
func (s *Service) ServiceBuild(ctx context.Context, p models.Principal, id string) (models.ServiceBuild, error) {
	if !p.ActsForANCT() && !p.HasRole(models.RoleFinance) {
		return models.ServiceBuild{}, models.Errorf(models.EForbidden, "only ANCT and finance follow a service's build and deploy")
	}
	return s.Store.ServiceBuild(ctx, id)
}

// StoreService is a delivered service as the Territoires Store shows it: its route and how
// to join it (in the service), its territoires référents, and the proposals it came from.
type StoreService struct {
	models.CandidateService
	Referents []StoreReferent `json:"referents"`
	Proposals []StoreProposal `json:"proposals"`
}

// StoreReferent is a territoire référent of a delivered service.
type StoreReferent struct {
	Siren string `json:"siren"`
	Name  string `json:"name"`
}

// StoreProposal is a proposal a delivered service came from.
type StoreProposal struct {
	DossierID string `json:"dossier_id"`
	Title     string `json:"title"`
	Proposer  string `json:"proposer"`
}

// TerritoiresStore lists the delivered services with the proposals they came from: public.
func (s *Service) TerritoiresStore(ctx context.Context) ([]StoreService, error) {
	delivered, err := s.Store.DeliveredServices(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]StoreService, len(delivered))
	for i, svc := range delivered {
		out[i] = StoreService{CandidateService: svc, Referents: []StoreReferent{}, Proposals: []StoreProposal{}}
		interests, err := s.Store.Interests(ctx, svc.ID)
		if err != nil {
			return nil, err
		}
		for _, in := range interests {
			if in.Referent {
				out[i].Referents = append(out[i].Referents, StoreReferent{Siren: in.Siren, Name: in.Name})
			}
		}
		for _, id := range svc.ProposalIDs {
			d, err := s.Store.Dossier(ctx, id)
			if err != nil {
				return nil, err
			}
			var prop models.Proposal
			if err := json.Unmarshal(d.Payload, &prop); err != nil {
				return nil, err
			}
			out[i].Proposals = append(out[i].Proposals, StoreProposal{DossierID: d.ID, Title: prop.Title, Proposer: d.ApplicantName})
		}
	}
	return out, nil
}
