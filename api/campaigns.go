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

// CreateCampaignRequest is an administrator's new Axe 1 consultation campaign. The sizes
// of ballots and référent lists take their defaults when left out.
type CreateCampaignRequest struct {
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
	var req CreateCampaignRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	campaign, err := s.CreateCampaign(c.Request().Context(), principal(c), req)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/campaigns/"+campaign.ID)
	return c.JSON(http.StatusCreated, campaign)
}

// CreateCampaign records an administrator's campaign, with its envelope, and starts its process.
func (s *Server) CreateCampaign(ctx context.Context, p models.Principal, req CreateCampaignRequest) (models.Campaign, error) {
	if err := needRole(p, models.RoleAdmin); err != nil {
		return models.Campaign{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return models.Campaign{}, err
	}
	campaign := models.Campaign{ID: id.String(), Title: strings.TrimSpace(req.Title), Schedule: req.Schedule, EnvelopeCode: req.EnvelopeCode,
		BudgetCents: req.BudgetCents, Committee: req.Committee, Chair: req.Chair, Quorum: req.Quorum,
		BallotSize:          sizeOrDefault(req.BallotSize, models.DefaultBallotSize),
		ReferentsPerService: sizeOrDefault(req.ReferentsPerService, models.DefaultReferentsPerService), Categories: req.Categories,
		CreatedBy: p.Subject}
	if campaign.Categories == nil {
		campaign.Categories = models.DefaultCategories
	}
	if err := campaign.ValidateNew(time.Now()); err != nil {
		return campaign, err
	}
	return s.Filing.CreateCampaign(ctx, campaign)
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
	return s.Campaign(c.Request().Context(), c.Param("id"))
}

// Campaign reads a campaign by its ID; anything but a UUID names none.
func (s *Server) Campaign(ctx context.Context, id string) (models.Campaign, error) {
	if _, err := uuid.Parse(id); err != nil {
		return models.Campaign{}, models.Errorf(models.ENotFound, "no campaign %q", id)
	}
	return s.Store.Campaign(ctx, id)
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
	if err := s.MoveSchedule(c.Request().Context(), principal(c), campaign, sch); err != nil {
		return err
	}
	return s.getCampaign(c)
}

// MoveSchedule gives a campaign new dates (their field rules checked by the caller); its
// workflow checks the move against its own clock and moves its timers.
func (s *Server) MoveSchedule(ctx context.Context, p models.Principal, campaign models.Campaign, sch models.Schedule) error {
	if err := needRole(p, models.RoleAdmin); err != nil {
		return err
	}
	if err := campaign.ScheduleMovable(time.Now()); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.TemporalTimeout)
	defer cancel()
	return s.update(ctx, models.CampaignWorkflowID(campaign.ID), workflows.UpdateMoveSchedule, nil,
		workflows.MoveScheduleRequest{Actor: p, Schedule: sch})
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
