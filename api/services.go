package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
)

// CreateServiceRequest is ANCT's grouping of proposals into a candidate service; taking
// proposals from another service splits it.
type CreateServiceRequest struct {
	Title              string       `json:"title" validate:"notblank,min=3,max=200"`
	Description        string       `json:"description" validate:"notblank,min=20,max=10000"`
	ProposalIDs        []string     `json:"proposal_ids" validate:"min=1,max=500,unique,dive,uuid"`
	EstimatedCostCents models.Cents `json:"estimated_cost_cents" validate:"cents"`
	CostNote           string       `json:"cost_note" validate:"max=5000"`
}

type moveProposalRequest struct {
	DossierID string `json:"dossier_id" validate:"required,uuid"`
}

type mergeServiceRequest struct {
	IntoServiceID string `json:"into_service_id" validate:"required,uuid"`
}

// ServiceCostRequest is a candidate service's estimated cost, with its note.
type ServiceCostRequest struct {
	EstimatedCostCents models.Cents `json:"estimated_cost_cents" validate:"cents"`
	CostNote           string       `json:"cost_note" validate:"notblank,max=5000"`
}

// groupingOpen refuses a grouping act by anyone not acting for ANCT, or once the
// campaign's candidate services may no longer change.
func groupingOpen(p models.Principal, campaign models.Campaign) error {
	if !p.ActsForANCT() {
		return models.Errorf(models.EForbidden, "only ANCT (an administrator or a national instructor) groups proposals into candidate services")
	}
	return campaign.GroupingOpen(time.Now())
}

// groupingCampaign loads the campaign of a grouping act, by someone acting for ANCT, while
// its candidate services may still change.
func (s *Server) groupingCampaign(c echo.Context) (models.Campaign, error) {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return campaign, err
	}
	return campaign, groupingOpen(principal(c), campaign)
}

func (s *Server) createService(c echo.Context) error {
	campaign, err := s.groupingCampaign(c)
	if err != nil {
		return err
	}
	var req CreateServiceRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	svc, err := s.CreateService(c.Request().Context(), principal(c), campaign, req)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/campaigns/"+campaign.ID+"/services/"+svc.ID)
	return c.JSON(http.StatusCreated, svc)
}

// CreateService groups proposals into a new candidate service (the request's field rules
// checked by the caller).
func (s *Server) CreateService(ctx context.Context, p models.Principal, campaign models.Campaign, req CreateServiceRequest) (models.CandidateService, error) {
	if err := groupingOpen(p, campaign); err != nil {
		return models.CandidateService{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return models.CandidateService{}, err
	}
	return s.Filing.CreateService(ctx, models.CandidateService{ID: id.String(), CampaignID: campaign.ID,
		Title: strings.TrimSpace(req.Title), Description: req.Description, EstimatedCostCents: req.EstimatedCostCents, CostNote: req.CostNote,
		ProposalIDs: req.ProposalIDs, CreatedBy: p.Subject})
}

func (s *Server) listServices(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	services, err := s.Store.Services(c.Request().Context(), campaign.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": nonNil(services)})
}

func (s *Server) serviceParam(c echo.Context) string {
	id := c.Param("sid")
	if _, err := uuid.Parse(id); err != nil {
		return "" // matches no service: answered 404
	}
	return id
}

func (s *Server) moveProposal(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var req moveProposalRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	svc, err := s.MoveProposal(c.Request().Context(), principal(c), campaign, s.serviceParam(c), req.DossierID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, svc)
}

// MoveProposal moves a proposal into a candidate service, from the one it was in.
func (s *Server) MoveProposal(ctx context.Context, p models.Principal, campaign models.Campaign, serviceID, dossierID string) (models.CandidateService, error) {
	if err := groupingOpen(p, campaign); err != nil {
		return models.CandidateService{}, err
	}
	return s.Store.MoveProposal(ctx, campaign.ID, serviceID, dossierID, p.Subject)
}

func (s *Server) mergeService(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var req mergeServiceRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	svc, err := s.MergeServices(c.Request().Context(), principal(c), campaign, s.serviceParam(c), req.IntoServiceID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, svc)
}

// MergeServices merges a candidate service into another, its proposals moving there.
func (s *Server) MergeServices(ctx context.Context, p models.Principal, campaign models.Campaign, fromID, intoID string) (models.CandidateService, error) {
	if err := groupingOpen(p, campaign); err != nil {
		return models.CandidateService{}, err
	}
	return s.Filing.MergeServices(ctx, campaign.ID, fromID, intoID, p.Subject)
}

func (s *Server) setServiceCost(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var req ServiceCostRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	svc, err := s.SetServiceCost(c.Request().Context(), principal(c), campaign, s.serviceParam(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, svc)
}

// SetServiceCost gives a candidate service its estimated cost, with its note.
func (s *Server) SetServiceCost(ctx context.Context, p models.Principal, campaign models.Campaign, id string, req ServiceCostRequest) (models.CandidateService, error) {
	if err := groupingOpen(p, campaign); err != nil {
		return models.CandidateService{}, err
	}
	return s.Store.SetServiceCost(ctx, campaign.ID, id, req.EstimatedCostCents, req.CostNote, p.Subject)
}

// castBallot records the ballot of the collectivité the caller acts for, replacing its
// earlier one, while the vote is open.
func (s *Server) castBallot(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var req models.BallotRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	b, replaced, err := s.CastBallot(c.Request().Context(), principal(c), campaign, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"ballot": b, "replaced": replaced})
}

// CastBallot records the ballot of the collectivité p acts for, replacing its earlier one,
// while the vote is open; replaced says whether one was.
func (s *Server) CastBallot(ctx context.Context, p models.Principal, campaign models.Campaign, req models.BallotRequest) (models.Ballot, bool, error) {
	if err := p.NeedRole(models.RoleApplicant); err != nil {
		return models.Ballot{}, false, err
	}
	if err := campaign.VoteOpen(time.Now()); err != nil {
		return models.Ballot{}, false, err
	}
	if _, err := s.Store.CollectiviteBySiren(ctx, p.Siren); models.ErrorCode(err) == models.ENotFound {
		return models.Ballot{}, false, models.Errorf(models.EForbidden, "SIREN %s is not a collectivité of the registry: only collectivités vote", p.Siren)
	} else if err != nil {
		return models.Ballot{}, false, err
	}
	services, err := s.Store.Services(ctx, campaign.ID)
	if err != nil {
		return models.Ballot{}, false, err
	}
	if err := campaign.CheckBallot(req, services); err != nil {
		return models.Ballot{}, false, err
	}
	replaced, err := s.Store.CastBallot(ctx, models.Ballot{CampaignID: campaign.ID, Siren: p.Siren, ServiceIDs: req.ServiceIDs, CastBy: p.Subject})
	if err != nil {
		return models.Ballot{}, false, err
	}
	b, err := s.Store.Ballot(ctx, campaign.ID, p.Siren)
	return b, replaced, err
}

// getBallot shows the ballot of the collectivité the caller acts for.
func (s *Server) getBallot(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	b, err := s.Store.Ballot(c.Request().Context(), campaign.ID, principal(c).Siren)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

// results shows the vote's count per candidate service: to ANCT during the vote, to
// everyone once it has closed.
func (s *Server) results(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	results, final, err := s.Results(c.Request().Context(), principal(c), campaign)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"campaign_id": campaign.ID, "final": final, "items": nonNil(results)})
}

// Results is the vote's count per candidate service, to those p may see it (ANCT during
// the vote, everyone once it has closed: a zero p is anyone); final once the vote has closed.
func (s *Server) Results(ctx context.Context, p models.Principal, campaign models.Campaign) ([]models.ServiceResult, bool, error) {
	now := time.Now()
	if !p.CanSeeResults(campaign, now) {
		return nil, false, models.Errorf(models.EForbidden, "the results are ANCT's until the vote closes on %s",
			campaign.Schedule.Vote.ClosesAt.UTC().Format(time.RFC3339))
	}
	results, err := s.Store.Results(ctx, campaign.ID)
	return results, !now.Before(campaign.Schedule.Vote.ClosesAt), err
}

// recordDecision is the chair's completion of the committee's decision task, once the vote
// has closed and the quorum has answered: the campaign's workflow reserves the selected
// services' budgets on the campaign's envelope at once (or none), then tells each service.
func (s *Server) recordDecision(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var d models.CommitteeDecision
	if err := bindJSON(c, &d); err != nil {
		return err
	}
	p := principal(c)
	if err := campaign.DecisionOpen(p, time.Now()); err != nil {
		return err
	}
	ctx := c.Request().Context()
	// The workflow checks it again; checked here, a decision at fault is answered with its
	// fields whether or not the chair's task is open yet.
	services, err := s.Store.Services(ctx, campaign.ID)
	if err != nil {
		return err
	}
	if err := campaign.CheckDecision(d, services); err != nil {
		return err
	}
	t, err := s.openCommitteeTask(ctx, campaign, models.TaskCommitteeDecision, p.Subject)
	if models.ErrorCode(err) == models.ENotFound {
		opinions, oerr := s.Store.Opinions(ctx, campaign.ID)
		if oerr != nil {
			return oerr
		}
		if missing := campaign.QuorumMissing(answeredMembers(opinions)); missing > 0 {
			return models.Errorf(models.EConflict, "the decision waits for %d more member(s)' opinions (quorum %d)", missing, campaign.Quorum)
		}
		return models.Errorf(models.EConflict, "%s", err)
	}
	if err != nil {
		return err
	}
	if err := s.completeCommitteeTask(ctx, p, t, models.OutcomeDecided, d); err != nil {
		return err
	}
	if services, err = s.Store.Services(ctx, campaign.ID); err != nil {
		return err
	}
	// not_signalled stays for earlier clients: the workflow, not the API, tells the services.
	return c.JSON(http.StatusOK, map[string]any{"services": services, "task_id": t.ID, "not_signalled": []string{}})
}

// openCommitteeTask finds the open task of type typ that campaign's workflow opened for
// member: the API's committee endpoints are routes into the task completion.
func (s *Server) openCommitteeTask(ctx context.Context, campaign models.Campaign, typ models.TaskType, member string) (models.Task, error) {
	tasks, err := s.Store.DossierTasks(ctx, campaign.ID)
	if err != nil {
		return models.Task{}, err
	}
	var done *models.Task
	for i := len(tasks) - 1; i >= 0; i-- {
		t := tasks[i]
		switch {
		case t.Type != typ || t.Assignee != member:
		case t.Status.Open():
			return t, nil
		case done == nil:
			done = &t
		}
	}
	if done != nil {
		return *done, models.Errorf(models.EConflict, "your %s task %s is already %s", typ, done.ID, done.Status)
	}
	return models.Task{}, models.Errorf(models.ENotFound, "no %s task of yours is open in campaign %s", typ, campaign.ID)
}

// completeCommitteeTask completes a committee task with data as its payload.
func (s *Server) completeCommitteeTask(ctx context.Context, p models.Principal, t models.Task, outcome string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, _, err = s.Filing.CompleteTask(ctx, p, t.ID, models.Completion{Outcome: outcome, Data: raw})
	return err
}

// serviceBuild shows where a service's build and deploy stands (route, milestones,
// payments, budget spent and left, legal vehicle) to ANCT and finance.
func (s *Server) serviceBuild(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	b, err := s.ServiceBuild(c.Request().Context(), principal(c), s.serviceParam(c))
	if err == nil && b.Service.CampaignID != campaign.ID {
		err = models.Errorf(models.ENotFound, "no candidate service %s in campaign %s", b.Service.ID, campaign.ID)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

// ServiceBuild is where a service's build and deploy stands, to ANCT and finance.
func (s *Server) ServiceBuild(ctx context.Context, p models.Principal, id string) (models.ServiceBuild, error) {
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

// territoiresStore lists the delivered services, without a token.
func (s *Server) territoiresStore(c echo.Context) error {
	out, err := s.TerritoiresStore(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

// TerritoiresStore lists the delivered services with the proposals they came from: public.
func (s *Server) TerritoiresStore(ctx context.Context) ([]StoreService, error) {
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

// publicCampaign is what anyone may follow of a campaign without a token: its phase and
// dates, its candidate services with the committee's decisions and their reasons, and the
// vote's results once the vote has closed.
func (s *Server) publicCampaign(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	services, err := s.Store.Services(ctx, campaign.ID)
	if err != nil {
		return err
	}
	out := map[string]any{"id": campaign.ID, "title": campaign.Title, "phase": campaign.Phase, "schedule": campaign.Schedule,
		"budget_cents": campaign.BudgetCents, "services": nonNil(services), "results": nil}
	// Anyone's results: once the vote has closed.
	switch results, _, err := s.Results(ctx, models.Principal{}, campaign); {
	case err == nil:
		out["results"] = nonNil(results)
	case models.ErrorCode(err) != models.EForbidden:
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// importPriorityPolicies imports the membership of priority policies from a CSV body
// (header code,policy): each policy it names has exactly the members it lists afterwards.
func (s *Server) importPriorityPolicies(c echo.Context) error {
	counts, err := s.ImportPriorityPolicies(c.Request().Context(), principal(c), c.Request().Body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"members": counts})
}

// ImportPriorityPolicies imports an administrator's CSV of priority policies' members, and
// says how many members each policy it names now has.
func (s *Server) ImportPriorityPolicies(ctx context.Context, p models.Principal, csv io.Reader) (map[models.PriorityPolicy]int, error) {
	if err := p.NeedRole(models.RoleAdmin); err != nil {
		return nil, err
	}
	ms, err := models.ParsePriorityCSV(csv)
	if err != nil {
		return nil, err
	}
	return s.Store.ReplacePriorityMemberships(ctx, ms)
}

// expressInterest records that the caller's collectivité wants to pilot a selected
// service, during the campaign's interest window.
func (s *Server) expressInterest(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var req models.InterestRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	id := s.serviceParam(c)
	if err := s.ExpressInterest(c.Request().Context(), principal(c), campaign, id, req); err != nil {
		return err
	}
	return s.listInterestsOf(c, id)
}

// ExpressInterest records that p's collectivité wants to pilot a selected service, during
// the campaign's interest window (the request's field rules checked by the caller).
func (s *Server) ExpressInterest(ctx context.Context, p models.Principal, campaign models.Campaign, serviceID string, req models.InterestRequest) error {
	if err := p.NeedRole(models.RoleApplicant); err != nil {
		return err
	}
	if err := campaign.InterestOpen(time.Now()); err != nil {
		return err
	}
	if _, err := s.Store.CollectiviteBySiren(ctx, p.Siren); models.ErrorCode(err) == models.ENotFound {
		return models.Errorf(models.EForbidden, "SIREN %s is not a collectivité of the registry: only collectivités pilot services", p.Siren)
	} else if err != nil {
		return err
	}
	return s.Store.ExpressInterest(ctx, campaign.ID, models.Interest{ServiceID: serviceID, Siren: p.Siren, Contact: req.Contact,
		UseCase: req.UseCase, CastBy: p.Subject})
}

// listInterests shows a service's expressions of interest to ANCT: the référents, then the list.
func (s *Server) listInterests(c echo.Context) error {
	if !principal(c).ActsForANCT() {
		return models.Errorf(models.EForbidden, "only ANCT (an administrator or a national instructor) reads the expressions of interest")
	}
	if _, err := s.campaignParam(c); err != nil {
		return err
	}
	return s.listInterestsOf(c, s.serviceParam(c))
}

func (s *Server) listInterestsOf(c echo.Context, serviceID string) error {
	interests, eligibility, err := s.Interests(c.Request().Context(), principal(c), serviceID)
	if err != nil {
		return err
	}
	if eligibility == nil {
		return c.JSON(http.StatusOK, map[string]any{"items": nonNil(interests)})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": nonNil(interests), "call_eligibility": *eligibility})
}

// Interests lists a service's expressions of interest as p may see them: all of them to
// ANCT, the référents first then the list in order, with whether the référents together
// could apply to an Axe 2 call for projects (the call's own rule, a whole département or
// 500,000 inhabitants, with its explanation); only its own collectivité's to anyone else,
// without the eligibility.
func (s *Server) Interests(ctx context.Context, p models.Principal, serviceID string) ([]models.Interest, *models.Eligibility, error) {
	interests, err := s.Store.Interests(ctx, serviceID)
	if err != nil {
		return nil, nil, err
	}
	if !p.ActsForANCT() {
		return slices.DeleteFunc(interests, func(in models.Interest) bool { return in.Siren != p.Siren }), nil, nil
	}
	var referents []string
	for _, in := range interests {
		if in.Referent {
			referents = append(referents, in.Siren)
		}
	}
	covered, _, err := s.Store.CoveredCommunes(ctx, referents)
	if err != nil {
		return nil, nil, err
	}
	counts, err := s.Store.CommunesPerDepartement(ctx)
	if err != nil {
		return nil, nil, err
	}
	e := models.CheckEligibility(covered, counts)
	return interests, &e, nil
}

type referentRequest struct {
	Siren string `json:"siren" validate:"siren"`
}

// confirmReferent makes a collectivité that expressed interest a territoire référent, up
// to the campaign's number per service.
func (s *Server) confirmReferent(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var req referentRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	id := s.serviceParam(c)
	if err := s.ConfirmReferent(c.Request().Context(), principal(c), campaign, id, req.Siren); err != nil {
		return err
	}
	return s.listInterestsOf(c, id)
}

// ConfirmReferent makes a collectivité that expressed interest in a service a territoire
// référent, up to the campaign's number per service.
func (s *Server) ConfirmReferent(ctx context.Context, p models.Principal, campaign models.Campaign, serviceID, siren string) error {
	if !p.ActsForANCT() {
		return models.Errorf(models.EForbidden, "only ANCT (an administrator or a national instructor) confirms territoires référents")
	}
	return s.Store.ConfirmReferent(ctx, campaign.ID, serviceID, siren, p.Subject, campaign.ReferentsPerService)
}

// answeredMembers lists the members who have given their opinions.
func answeredMembers(opinions []models.MemberOpinion) []string {
	var out []string
	for _, o := range opinions {
		if !slices.Contains(out, o.Member) {
			out = append(out, o.Member)
		}
	}
	return out
}

// giveOpinions is a committee member's completion of its opinions task, once the vote has
// closed: an opinion on each candidate service, in the order of the results, with a comment.
func (s *Server) giveOpinions(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var req models.OpinionsRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	p := principal(c)
	if err := campaign.OpinionsOpen(p, time.Now()); err != nil {
		return err
	}
	ctx := c.Request().Context()
	services, err := s.Store.Services(ctx, campaign.ID)
	if err != nil {
		return err
	}
	if err := campaign.CheckOpinions(req, services); err != nil {
		return err
	}
	t, err := s.openCommitteeTask(ctx, campaign, models.TaskCommitteeOpinions, p.Subject)
	if models.ErrorCode(err) == models.ENotFound {
		return models.Errorf(models.EConflict, "the committee's tasks open once the campaign's workflow has seen the vote close, or it has decided: %s", err)
	}
	if err != nil {
		return err
	}
	if err := s.completeCommitteeTask(ctx, p, t, models.OutcomeOpinions, req); err != nil {
		return err
	}
	return s.committeeView(c)
}

// committeeView shows the committee's session to its members and ANCT: the results in
// order, each member's opinions, and what the chair's decision waits for.
func (s *Server) committeeView(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	v, err := s.CommitteeSession(c.Request().Context(), principal(c), campaign)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// CommitteeSessionView is a committee's session: the results in order, who answered with
// which opinions, and how many answers the quorum still misses.
type CommitteeSessionView struct {
	Committee        []models.CommitteeMember `json:"committee"`
	Chair            string                   `json:"chair"`
	Quorum           int                      `json:"quorum"`
	Answered         []string                 `json:"answered"`
	MissingForQuorum int                      `json:"missing_for_quorum"`
	Results          []models.ServiceResult   `json:"results"`
	Opinions         []models.MemberOpinion   `json:"opinions"`
}

// CommitteeSession is a campaign's committee session, to its members and ANCT.
func (s *Server) CommitteeSession(ctx context.Context, p models.Principal, campaign models.Campaign) (CommitteeSessionView, error) {
	if !campaign.IsCommitteeMember(p.Subject) && !p.ActsForANCT() {
		return CommitteeSessionView{}, models.Errorf(models.EForbidden, "only the committee's members and ANCT see its session")
	}
	results, err := s.Store.Results(ctx, campaign.ID)
	if err != nil {
		return CommitteeSessionView{}, err
	}
	opinions, err := s.Store.Opinions(ctx, campaign.ID)
	if err != nil {
		return CommitteeSessionView{}, err
	}
	answered := answeredMembers(opinions)
	return CommitteeSessionView{Committee: campaign.Committee, Chair: campaign.Chair, Quorum: campaign.Quorum,
		Answered: nonNil(answered), MissingForQuorum: campaign.QuorumMissing(answered), Results: nonNil(results), Opinions: nonNil(opinions)}, nil
}
