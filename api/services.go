package api

import (
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
)

// groupingCampaign loads the campaign of a grouping act, by someone acting for ANCT, while
// its candidate services may still change.
func (s *Server) groupingCampaign(c echo.Context) (models.Campaign, error) {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return campaign, err
	}
	return campaign, s.Filing.GroupingOpen(principal(c), campaign)
}

func (s *Server) createService(c echo.Context) error {
	campaign, err := s.groupingCampaign(c)
	if err != nil {
		return err
	}
	var req models.ServiceRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	svc, err := s.Filing.CreateService(c.Request().Context(), principal(c), campaign, req)
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
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var req models.MoveProposalRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	svc, err := s.Filing.MoveProposal(c.Request().Context(), principal(c), campaign, s.serviceParam(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, svc)
}

func (s *Server) mergeService(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var req models.MergeServiceRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	svc, err := s.Filing.MergeServices(c.Request().Context(), principal(c), campaign, s.serviceParam(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, svc)
}

func (s *Server) setServiceCost(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var req models.ServiceCostRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	svc, err := s.Filing.SetServiceCost(c.Request().Context(), principal(c), campaign, s.serviceParam(c), req)
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
	b, replaced, err := s.Filing.CastBallot(c.Request().Context(), principal(c), campaign, req)
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
	results, final, err := s.Filing.Results(c.Request().Context(), principal(c), campaign)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"campaign_id": campaign.ID, "final": final, "items": nonNil(results)})
}

// listBallots lists a campaign's ballots one by one, to whoever may read its results: a
// page by SIREN, or every ballot as CSV (Accept: text/csv).
func (s *Server) listBallots(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	if wantsCSV(c) {
		return s.BallotsCSV(c.Request().Context(), c.Response(), principal(c), campaign)
	}
	limit, after, err := pagination(c)
	if err != nil {
		return err
	}
	ballots, err := s.Filing.Ballots(c.Request().Context(), principal(c), campaign, after, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(ballots, limit, func(b models.BallotEntry) string { return b.Siren }))
}

// recordDecision is the chair's completion of the committee's decision task, once the vote
// has closed and the quorum has answered (see filing.Service.RecordDecision).
func (s *Server) recordDecision(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var d models.CommitteeDecision
	if err := bindJSON(c, &d); err != nil {
		return err
	}
	t, services, err := s.Filing.RecordDecision(c.Request().Context(), principal(c), campaign, d)
	if err != nil {
		return err
	}
	// not_signalled stays for earlier clients: the workflow, not the API, tells the services.
	return c.JSON(http.StatusOK, map[string]any{"services": services, "task_id": t.ID, "not_signalled": []string{}})
}

// serviceBuild shows where a service's build and deploy stands (route, milestones,
// payments, budget spent and left, legal vehicle) to ANCT and finance.
func (s *Server) serviceBuild(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	b, err := s.Filing.ServiceBuild(c.Request().Context(), principal(c), s.serviceParam(c))
	if err == nil && b.Service.CampaignID != campaign.ID {
		err = models.Errorf(models.ENotFound, "no candidate service %s in campaign %s", b.Service.ID, campaign.ID)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

// territoiresStore lists the delivered services, without a token.
func (s *Server) territoiresStore(c echo.Context) error {
	out, err := s.Filing.TerritoiresStore(c.Request().Context())
	if err != nil {
		return err
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
	// Anyone's results: once the vote has closed.
	switch results, _, err := s.Filing.Results(ctx, models.Principal{}, campaign); {
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
	counts, err := s.Filing.ImportPriorityPolicies(c.Request().Context(), principal(c), c.Request().Body)
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
	id := s.serviceParam(c)
	if err := s.Filing.ExpressInterest(c.Request().Context(), principal(c), campaign, id, req); err != nil {
		return err
	}
	return s.listInterestsOf(c, id)
}

// listInterests shows a service's expressions of interest as the caller may read them: to
// ANCT the référents, then the list; to a collectivité its own.
func (s *Server) listInterests(c echo.Context) error {
	if _, err := s.campaignParam(c); err != nil {
		return err
	}
	return s.listInterestsOf(c, s.serviceParam(c))
}

func (s *Server) listInterestsOf(c echo.Context, serviceID string) error {
	interests, eligibility, err := s.Filing.Interests(c.Request().Context(), principal(c), serviceID)
	if err != nil {
		return err
	}
	if eligibility == nil {
		return c.JSON(http.StatusOK, map[string]any{"items": nonNil(interests)})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": nonNil(interests), "call_eligibility": *eligibility})
}

// confirmReferent makes a collectivité that expressed interest a territoire référent, up
// to the campaign's number per service.
func (s *Server) confirmReferent(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var req models.ReferentRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	id := s.serviceParam(c)
	if err := s.Filing.ConfirmReferent(c.Request().Context(), principal(c), campaign, id, req); err != nil {
		return err
	}
	return s.listInterestsOf(c, id)
}

// giveOpinions is a committee member's completion of its opinions task, once the vote has
// closed (see filing.Service.GiveOpinions); it answers the committee's session.
func (s *Server) giveOpinions(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var req models.OpinionsRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := s.Filing.GiveOpinions(c.Request().Context(), principal(c), campaign, req); err != nil {
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
	v, err := s.Filing.CommitteeSession(c.Request().Context(), principal(c), campaign)
	if err != nil {
		return err
	}
	v.Answered, v.Results, v.Opinions = nonNil(v.Answered), nonNil(v.Results), nonNil(v.Opinions)
	return c.JSON(http.StatusOK, v)
}
