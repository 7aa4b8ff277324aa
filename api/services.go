package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
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

// bindValid decodes and validates a request body.
func bindValid(c echo.Context, req any) error {
	if err := bindJSON(c, req); err != nil {
		return err
	}
	return c.Validate(req)
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
