package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// createServiceRequest is ANCT's grouping of proposals into a candidate service; taking
// proposals from another service splits it.
type createServiceRequest struct {
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

type serviceCostRequest struct {
	EstimatedCostCents models.Cents `json:"estimated_cost_cents" validate:"cents"`
	CostNote           string       `json:"cost_note" validate:"notblank,max=5000"`
}

// groupingCampaign loads the campaign of a grouping act, by someone acting for ANCT, while
// its candidate services may still change.
func (s *Server) groupingCampaign(c echo.Context) (models.Campaign, error) {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return campaign, err
	}
	if !principal(c).ActsForANCT() {
		return campaign, models.Errorf(models.EForbidden, "only ANCT (an administrator or a national instructor) groups proposals into candidate services")
	}
	return campaign, campaign.GroupingOpen(time.Now())
}

func (s *Server) createService(c echo.Context) error {
	campaign, err := s.groupingCampaign(c)
	if err != nil {
		return err
	}
	var req createServiceRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	svc, err := s.Store.CreateService(c.Request().Context(), models.CandidateService{ID: id.String(), CampaignID: campaign.ID,
		Title: strings.TrimSpace(req.Title), Description: req.Description, EstimatedCostCents: req.EstimatedCostCents, CostNote: req.CostNote,
		ProposalIDs: req.ProposalIDs, CreatedBy: principal(c).Subject})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/campaigns/"+campaign.ID+"/services/"+svc.ID)
	return c.JSON(http.StatusCreated, svc)
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
	campaign, err := s.groupingCampaign(c)
	if err != nil {
		return err
	}
	var req moveProposalRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	svc, err := s.Store.MoveProposal(c.Request().Context(), campaign.ID, s.serviceParam(c), req.DossierID, principal(c).Subject)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, svc)
}

func (s *Server) mergeService(c echo.Context) error {
	campaign, err := s.groupingCampaign(c)
	if err != nil {
		return err
	}
	var req mergeServiceRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	svc, err := s.Store.MergeServices(c.Request().Context(), campaign.ID, s.serviceParam(c), req.IntoServiceID, principal(c).Subject)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, svc)
}

func (s *Server) setServiceCost(c echo.Context) error {
	campaign, err := s.groupingCampaign(c)
	if err != nil {
		return err
	}
	var req serviceCostRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	svc, err := s.Store.SetServiceCost(c.Request().Context(), campaign.ID, s.serviceParam(c), req.EstimatedCostCents, req.CostNote, principal(c).Subject)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, svc)
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
	if err := campaign.VoteOpen(time.Now()); err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := principal(c)
	if _, err := s.Store.CollectiviteBySiren(ctx, p.Siren); models.ErrorCode(err) == models.ENotFound {
		return models.Errorf(models.EForbidden, "SIREN %s is not a collectivité of the registry: only collectivités vote", p.Siren)
	} else if err != nil {
		return err
	}
	services, err := s.Store.Services(ctx, campaign.ID)
	if err != nil {
		return err
	}
	if err := campaign.CheckBallot(req, services); err != nil {
		return err
	}
	replaced, err := s.Store.CastBallot(ctx, models.Ballot{CampaignID: campaign.ID, Siren: p.Siren, ServiceIDs: req.ServiceIDs, CastBy: p.Subject})
	if err != nil {
		return err
	}
	b, err := s.Store.Ballot(ctx, campaign.ID, p.Siren)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"ballot": b, "replaced": replaced})
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
	now := time.Now()
	if !principal(c).CanSeeResults(campaign, now) {
		return models.Errorf(models.EForbidden, "the results are ANCT's until the vote closes on %s",
			campaign.Schedule.Vote.ClosesAt.UTC().Format(time.RFC3339))
	}
	results, err := s.Store.Results(c.Request().Context(), campaign.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"campaign_id": campaign.ID, "final": !now.Before(campaign.Schedule.Vote.ClosesAt),
		"items": nonNil(results)})
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
	_, _, err = s.CompleteTask(ctx, p, t.ID, models.Completion{Outcome: outcome, Data: raw})
	return err
}

// tellProposals tells the proposals of a service what became of it, and lists those that
// could not be told: they read it from the database themselves within a day.
func (s *Server) tellProposals(c echo.Context, serviceID string, outcome models.ServiceOutcome) []string {
	svc, err := s.Store.Service(c.Request().Context(), serviceID)
	if err != nil {
		s.Logger.Warn("service outcome: could not read the service", "service", serviceID, "err", err)
		return []string{serviceID}
	}
	var missed []string
	for _, id := range svc.ProposalIDs {
		tctx, cancel := s.temporalCtx(c)
		err := s.Temporal.SignalWorkflow(tctx, models.DossierWorkflowID(id), "", workflows.SignalServiceOutcome, outcome)
		cancel()
		if err != nil {
			missed = append(missed, id)
			s.Logger.Warn("service outcome: could not signal a proposal", "proposal", id, "service", serviceID, "err", err)
		}
	}
	return missed
}

// deliverService records that a selected service is delivered: it enters the Territoires
// Store, and its proposals close as delivered.
func (s *Server) deliverService(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	svc, err := s.Store.DeliverService(c.Request().Context(), campaign.ID, s.serviceParam(c), principal(c).Subject)
	if err != nil {
		return err
	}
	missed := s.tellProposals(c, svc.ID, models.OutcomeOf(svc))
	return c.JSON(http.StatusOK, map[string]any{"service": svc, "not_signalled": nonNil(missed)})
}

// storeService is a delivered service as the Territoires Store shows it, with the proposals it came from.
type storeService struct {
	models.CandidateService
	Proposals []storeProposal `json:"proposals"`
}

type storeProposal struct {
	DossierID string `json:"dossier_id"`
	Title     string `json:"title"`
	Proposer  string `json:"proposer"`
}

// territoiresStore lists the delivered services, without a token.
func (s *Server) territoiresStore(c echo.Context) error {
	ctx := c.Request().Context()
	delivered, err := s.Store.DeliveredServices(ctx)
	if err != nil {
		return err
	}
	out := make([]storeService, len(delivered))
	for i, svc := range delivered {
		out[i] = storeService{CandidateService: svc, Proposals: []storeProposal{}}
		for _, id := range svc.ProposalIDs {
			d, err := s.Store.Dossier(ctx, id)
			if err != nil {
				return err
			}
			var prop models.Proposal
			if err := json.Unmarshal(d.Payload, &prop); err != nil {
				return err
			}
			out[i].Proposals = append(out[i].Proposals, storeProposal{DossierID: d.ID, Title: prop.Title, Proposer: d.ApplicantName})
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
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
	if !time.Now().Before(campaign.Schedule.Vote.ClosesAt) {
		results, err := s.Store.Results(ctx, campaign.ID)
		if err != nil {
			return err
		}
		out["results"] = nonNil(results)
	}
	return c.JSON(http.StatusOK, out)
}

// importPriorityPolicies imports the membership of priority policies from a CSV body
// (header code,policy): each policy it names has exactly the members it lists afterwards.
func (s *Server) importPriorityPolicies(c echo.Context) error {
	ms, err := models.ParsePriorityCSV(c.Request().Body)
	if err != nil {
		return err
	}
	counts, err := s.Store.ReplacePriorityMemberships(c.Request().Context(), ms)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"members": counts})
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
	if err := campaign.InterestOpen(time.Now()); err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := principal(c)
	if _, err := s.Store.CollectiviteBySiren(ctx, p.Siren); models.ErrorCode(err) == models.ENotFound {
		return models.Errorf(models.EForbidden, "SIREN %s is not a collectivité of the registry: only collectivités pilot services", p.Siren)
	} else if err != nil {
		return err
	}
	id := s.serviceParam(c)
	if err := s.Store.ExpressInterest(ctx, campaign.ID, models.Interest{ServiceID: id, Siren: p.Siren, Contact: req.Contact,
		UseCase: req.UseCase, CastBy: p.Subject}); err != nil {
		return err
	}
	return s.listInterestsOf(c, id)
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
	ctx := c.Request().Context()
	interests, err := s.Store.Interests(ctx, serviceID)
	if err != nil {
		return err
	}
	if !principal(c).ActsForANCT() {
		mine := principal(c).Siren
		interests = slices.DeleteFunc(interests, func(in models.Interest) bool { return in.Siren != mine })
		return c.JSON(http.StatusOK, map[string]any{"items": nonNil(interests)})
	}
	// Whether the référents together could apply to an Axe 2 call for projects: the
	// call's own rule (a whole département, or 500,000 inhabitants), with its explanation.
	var referents []string
	for _, in := range interests {
		if in.Referent {
			referents = append(referents, in.Siren)
		}
	}
	covered, _, err := s.Store.CoveredCommunes(ctx, referents)
	if err != nil {
		return err
	}
	counts, err := s.Store.CommunesPerDepartement(ctx)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": nonNil(interests), "call_eligibility": models.CheckEligibility(covered, counts)})
}

type referentRequest struct {
	Siren string `json:"siren" validate:"siren"`
}

// confirmReferent makes a collectivité that expressed interest a territoire référent, up
// to the campaign's number per service.
func (s *Server) confirmReferent(c echo.Context) error {
	if !principal(c).ActsForANCT() {
		return models.Errorf(models.EForbidden, "only ANCT (an administrator or a national instructor) confirms territoires référents")
	}
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var req referentRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	id := s.serviceParam(c)
	if err := s.Store.ConfirmReferent(c.Request().Context(), campaign.ID, id, req.Siren, principal(c).Subject, campaign.ReferentsPerService); err != nil {
		return err
	}
	return s.listInterestsOf(c, id)
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
	p := principal(c)
	if !campaign.IsCommitteeMember(p.Subject) && !p.ActsForANCT() {
		return models.Errorf(models.EForbidden, "only the committee's members and ANCT see its session")
	}
	ctx := c.Request().Context()
	results, err := s.Store.Results(ctx, campaign.ID)
	if err != nil {
		return err
	}
	opinions, err := s.Store.Opinions(ctx, campaign.ID)
	if err != nil {
		return err
	}
	answered := answeredMembers(opinions)
	return c.JSON(http.StatusOK, map[string]any{"committee": campaign.Committee, "chair": campaign.Chair, "quorum": campaign.Quorum,
		"answered": nonNil(answered), "missing_for_quorum": campaign.QuorumMissing(answered), "results": nonNil(results), "opinions": nonNil(opinions)})
}
