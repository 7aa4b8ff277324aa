package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
)

func (s *Server) createCampaign(c echo.Context) error {
	var req models.CampaignRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	campaign, err := s.Filing.CreateCampaign(c.Request().Context(), principal(c), req)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/campaigns/"+campaign.ID)
	return c.JSON(http.StatusCreated, campaign)
}

func (s *Server) listCampaigns(c echo.Context) error {
	campaigns, err := s.Store.Campaigns(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": nonNil(campaigns)})
}

func (s *Server) getCampaign(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, campaign)
}

func (s *Server) campaignParam(c echo.Context) (models.Campaign, error) {
	return s.Filing.Campaign(c.Request().Context(), c.Param("id"))
}

// moveSchedule gives a campaign new dates for its phases that have not closed.
func (s *Server) moveSchedule(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var sch models.Schedule
	if err := bindValid(c, &sch); err != nil {
		return err
	}
	if err := s.Filing.MoveSchedule(c.Request().Context(), principal(c), campaign, sch); err != nil {
		return err
	}
	return s.getCampaign(c)
}

// createProposal files a proposal to a campaign during its collection window, for the
// caller's collectivité (role applicant) or its own organisation (role partner).
func (s *Server) createProposal(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	var prop models.Proposal
	if err := bindJSON(c, &prop); err != nil {
		return err
	}
	filed, err := s.Filing.FileProposal(c.Request().Context(), principal(c), key, campaign, prop)
	if err != nil {
		return err
	}
	return answerFiled(c, filed)
}
