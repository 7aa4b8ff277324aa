package api

import (
	"context"
	"fmt"
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

// checkMerge refuses a review merging a proposal into anything but another proposal of the
// same campaign that is in the vote with its own candidate service.
func (s *Server) checkMerge(ctx context.Context, t models.Task, merge *models.MergeCompletion) error {
	bad := func(msg string) error { return models.FieldErrors(map[string]string{"data.into_dossier_id": msg}) }
	if merge.Data.IntoDossierID == t.DossierID {
		return bad("is this proposal itself")
	}
	self, err := s.Store.Dossier(ctx, t.DossierID)
	if err != nil {
		return err
	}
	into, err := s.Store.Dossier(ctx, merge.Data.IntoDossierID)
	switch {
	case models.ErrorCode(err) == models.ENotFound:
		return bad("is not a dossier")
	case err != nil:
		return err
	case into.Kind != models.KindCoConstruction || into.CallID != self.CallID:
		return bad("is not a proposal of the same campaign")
	case into.Status != models.StatusAccepted:
		return bad(fmt.Sprintf("is %s: only an accepted proposal has a candidate service of its own", into.Status))
	}
	return nil
}
