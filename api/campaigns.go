package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// createCampaignRequest is an administrator's new Axe 1 consultation campaign. The sizes
// of ballots and référent lists take their defaults when left out.
type createCampaignRequest struct {
	Title               string                   `json:"title"`
	Schedule            models.Schedule          `json:"schedule"`
	EnvelopeCode        string                   `json:"envelope_code"`
	BudgetCents         models.Cents             `json:"budget_cents"`
	Committee           []models.CommitteeMember `json:"committee"`
	Chair               string                   `json:"chair"`
	Quorum              int                      `json:"quorum"`
	Categories          []string                 `json:"categories"`
	BallotSize          *int                     `json:"ballot_size"`
	ReferentsPerService *int                     `json:"referents_per_service"`
}

func sizeOrDefault(n *int, def int) int {
	if n == nil {
		return def
	}
	return *n
}

func (s *Server) createCampaign(c echo.Context) error {
	var req createCampaignRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	campaign := models.Campaign{ID: id.String(), Title: strings.TrimSpace(req.Title), Schedule: req.Schedule, EnvelopeCode: req.EnvelopeCode,
		BudgetCents: req.BudgetCents, Committee: req.Committee, Chair: req.Chair, Quorum: req.Quorum,
		BallotSize:          sizeOrDefault(req.BallotSize, models.DefaultBallotSize),
		ReferentsPerService: sizeOrDefault(req.ReferentsPerService, models.DefaultReferentsPerService), Categories: req.Categories,
		CreatedBy: principal(c).Subject}
	if campaign.Categories == nil {
		campaign.Categories = models.DefaultCategories
	}
	if err := campaign.Validate(); err != nil {
		return err
	}
	if !campaign.Schedule.Collection.OpensAt.After(time.Now()) {
		return models.FieldErrors(map[string]string{"schedule.collection.opens_at": "must be in the future"})
	}
	if campaign, err = s.Filing.CreateCampaign(c.Request().Context(), campaign); err != nil {
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
	id := c.Param("id")
	if _, err := uuid.Parse(id); err != nil {
		return models.Campaign{}, models.Errorf(models.ENotFound, "no campaign %q", id)
	}
	return s.Store.Campaign(c.Request().Context(), id)
}

// moveSchedule gives a campaign new dates for its phases that have not closed; its
// workflow checks the move against its own clock and moves its timers.
func (s *Server) moveSchedule(c echo.Context) error {
	campaign, err := s.campaignParam(c)
	if err != nil {
		return err
	}
	var sch models.Schedule
	if err := bindValid(c, &sch); err != nil {
		return err
	}
	if end := campaign.Schedule.Build.ClosesAt; !time.Now().Before(end) {
		return models.Errorf(models.EConflict, "campaign %s closed on %s: its dates can no longer move", campaign.ID, end.UTC().Format(time.RFC3339))
	}
	ctx, cancel := s.temporalCtx(c)
	defer cancel()
	if err := s.update(ctx, models.CampaignWorkflowID(campaign.ID), workflows.UpdateMoveSchedule, nil,
		workflows.MoveScheduleRequest{Actor: principal(c), Schedule: sch}); err != nil {
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
	if err := campaign.CollectionOpen(time.Now()); err != nil {
		return err
	}
	p := principal(c)
	if err := prop.Validate(campaign.Categories, !p.HasRole(models.RoleApplicant)); err != nil {
		return err
	}
	filed, err := s.Filing.FileProposal(c.Request().Context(), p, key, campaign, prop)
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
