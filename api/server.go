// Package api is relance's HTTP API: thin Echo handlers that bind and validate a request,
// call one act of the application layer (package filing) or one read of the store, and map
// errors to statuses in one table (errors.go). The API never writes a dossier's status
// itself, nor drives a workflow: the acts start workflows and send them Updates.
package api

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// Server holds what the handlers need.
type Server struct {
	Store    *store.Store
	Temporal client.Client
	Auth     *Authenticator
	Logger   *slog.Logger
	// TemporalTimeout bounds the API's own calls into Temporal (the list of stuck dossiers);
	// the acts are bounded by Filing.Timeout.
	TemporalTimeout time.Duration
	// Filing is the application layer: every act a handler calls.
	Filing *filing.Service
	// Metrics is the registry served on /metrics, where the API counts its requests; nil: a
	// registry of the API's own.
	Metrics *prometheus.Registry
	// Stuck lists the dossiers an administrator should look at.
	Stuck *filing.StuckFinder
	// Pages, when set, adds the workspace's pages beside the API (package web).
	Pages func(*echo.Echo)
}

// Handler builds the Echo router with every route.
func (s *Server) Handler() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(s.Logger)
	e.Validator = fieldValidator{}
	if s.Metrics == nil {
		s.Metrics = prometheus.NewRegistry()
	}
	routes := map[string]bool{}
	e.Use(middleware.Recover(), limitBody(maxBodyBytes), middleware.RequestID(), s.observe(newHTTPMetrics(s.Metrics), routes), rejectBadText)

	e.GET("/healthz", s.healthz)
	e.GET("/metrics", s.serveMetrics)
	e.GET("/readyz", s.readyz)
	e.GET("/api/v1/openapi.yaml", serveOpenAPI)

	// Authentication is per route, not group middleware: a group's middleware would make
	// Echo answer an unknown method on a known path with 404 instead of 405.
	v1 := e.Group("/api/v1")
	auth := s.authenticate
	v1.GET("/collectivites", s.listCollectivites, auth)
	v1.GET("/collectivites/:siren", s.getCollectivite, auth)
	v1.PUT("/collectivites/:siren", s.putStructure, auth, requireRole(models.RoleAdmin))
	v1.GET("/envelopes", s.listEnvelopes, auth)
	v1.PATCH("/envelopes/:code", s.patchEnvelope, auth, requireRole(models.RoleAdmin))
	v1.GET("/ledger", s.listLedger, auth)
	// Axe 3's envelopes and reference data.
	v1.GET("/axe3/regional-split", s.regionalSplit, auth)
	v1.PUT("/axe3/regional-split", s.putRegionalSplit, auth, requireRole(models.RoleAdmin))
	v1.GET("/axe3/regions/:region", s.getRegion, auth)
	v1.PUT("/axe3/regions/:region/delegations/:departement", s.putDelegation, auth, requireRole(models.RoleAdmin, models.RolePrefet))
	v1.PUT("/axe3/regions/:region/rules", s.putRegionRules, auth, requireRole(models.RoleAdmin, models.RolePrefet))
	v1.PUT("/axe3/departements/:departement/rules", s.putDepartementRules, auth, requireRole(models.RoleAdmin, models.RolePrefet))
	v1.GET("/axe3/rules", s.listAxe3Rules, auth)
	v1.GET("/axe3/labs", s.listLabs, auth)
	v1.PUT("/axe3/labs/:id", s.putLab, auth, requireRole(models.RoleAdmin))
	v1.GET("/axe3/crtes", s.listCRTEs, auth)
	v1.PUT("/axe3/crtes/:id", s.putCRTE, auth, requireRole(models.RoleAdmin))
	v1.POST("/axe3/applications", s.createPrefectoral, auth, requireRole(models.RoleApplicant))
	v1.POST("/axe3/sessions", s.openSession, auth, requireRole(models.RolePrefet))
	v1.GET("/axe3/sessions/:id", s.getSession, auth)
	v1.POST("/axe3/sessions/:id/decisions", s.decideInSession, auth, requireRole(models.RolePrefet))
	v1.POST("/axe3/sessions/:id/close", s.closeSession, auth, requireRole(models.RolePrefet))
	v1.GET("/guichet/checklists", s.listChecklists, auth)
	v1.POST("/guichet/applications", s.createGuichetApplication, auth, requireRole(models.RoleApplicant))
	v1.GET("/dossiers", s.listDossiers, auth)
	v1.GET("/dossiers/:id", s.getDossier, auth)
	// Acts on a dossier write their refusals to its audit trail, a missing role included.
	onDossier, onTask := s.auditRefusals(false), s.auditRefusals(true)
	v1.POST("/dossiers/:id/checklist", s.amendChecklist, auth, onDossier, requireRole(models.RoleApplicant))
	v1.POST("/dossiers/:id/information", s.provideInformation, auth, onDossier, requireRole(models.RoleApplicant))
	v1.PUT("/dossiers/:id/application", s.updateDraft, auth, onDossier, requireRole(models.RoleApplicant))
	v1.POST("/dossiers/:id/submit", s.submitDraft, auth, onDossier, requireRole(models.RoleApplicant))
	v1.POST("/dossiers/:id/withdraw", s.withdrawDossier, auth, onDossier, requireRole(models.RoleAdmin))
	v1.PUT("/axe3/applications/:id", s.updatePrefectoralDraft, auth, onDossier, requireRole(models.RoleApplicant))
	v1.POST("/axe3/applications/:id/submit", s.submitPrefectoral, auth, onDossier, requireRole(models.RoleApplicant))
	v1.GET("/axe3/applications/:id/eligibility", s.prefectoralEligibility, auth)
	v1.GET("/calls", s.listCalls, auth)
	v1.POST("/calls", s.createCall, auth, requireRole(models.RoleAdmin))
	v1.GET("/calls/:id", s.getCall, auth)
	v1.POST("/calls/:id/applications", s.createApplication, auth, requireRole(models.RoleApplicant))
	v1.POST("/calls/:id/jury", s.openJury, auth, requireRole(models.RoleAdmin))
	v1.GET("/calls/:id/jury", s.juryView, auth)
	v1.GET("/campaigns", s.listCampaigns, auth)
	v1.POST("/campaigns", s.createCampaign, auth, requireRole(models.RoleAdmin))
	v1.GET("/campaigns/:id", s.getCampaign, auth)
	v1.PUT("/campaigns/:id/schedule", s.moveSchedule, auth, requireRole(models.RoleAdmin))
	v1.POST("/campaigns/:id/proposals", s.createProposal, auth, requireRole(models.RoleApplicant, models.RolePartner))
	v1.GET("/campaigns/:id/services", s.listServices, auth)
	v1.POST("/campaigns/:id/services", s.createService, auth, requireRole(models.RoleAdmin, models.RoleInstructor))
	v1.POST("/campaigns/:id/services/:sid/proposals", s.moveProposal, auth, requireRole(models.RoleAdmin, models.RoleInstructor))
	v1.POST("/campaigns/:id/services/:sid/merge", s.mergeService, auth, requireRole(models.RoleAdmin, models.RoleInstructor))
	v1.PUT("/campaigns/:id/services/:sid/cost", s.setServiceCost, auth, requireRole(models.RoleAdmin, models.RoleInstructor))
	v1.PUT("/campaigns/:id/ballot", s.castBallot, auth, requireRole(models.RoleApplicant))
	v1.GET("/campaigns/:id/ballot", s.getBallot, auth, requireRole(models.RoleApplicant))
	v1.GET("/campaigns/:id/results", s.results, auth)
	v1.GET("/campaigns/:id/ballots", s.listBallots, auth)
	v1.POST("/campaigns/:id/decision", s.recordDecision, auth)
	v1.GET("/campaigns/:id/committee", s.committeeView, auth)
	v1.PUT("/campaigns/:id/committee/opinions", s.giveOpinions, auth)
	v1.GET("/campaigns/:id/services/:sid/build", s.serviceBuild, auth)
	v1.POST("/campaigns/:id/services/:sid/interest", s.expressInterest, auth, requireRole(models.RoleApplicant))
	v1.GET("/campaigns/:id/services/:sid/interests", s.listInterests, auth)
	v1.POST("/campaigns/:id/services/:sid/referents", s.confirmReferent, auth, requireRole(models.RoleAdmin, models.RoleInstructor))
	v1.GET("/store", s.territoiresStore)
	v1.GET("/public/campaigns/:id", s.publicCampaign)
	v1.POST("/priority-policies", s.importPriorityPolicies, auth, requireRole(models.RoleAdmin))
	v1.GET("/tasks", s.listTasks, auth)
	v1.GET("/tasks/:id", s.getTask, auth)
	v1.POST("/tasks/:id/claim", s.claimTask, auth, onTask)
	v1.POST("/tasks/:id/unclaim", s.unclaimTask, auth, onTask)
	v1.POST("/tasks/:id/complete", s.completeTask, auth, onTask)
	v1.POST("/tasks/:id/reassign", s.reassignTask, auth, onTask, requireRole(models.RoleAdmin))
	v1.POST("/tasks/:id/extend", s.extendTask, auth, onTask, requireRole(models.RoleAdmin))
	v1.GET("/notifications", s.listNotifications, auth, requireRole(models.RoleAdmin))
	v1.GET("/admin/stuck", s.listStuck, auth, requireRole(models.RoleAdmin))
	v1.GET("/people", s.listPeople, auth, requireRole(models.RoleAdmin))
	v1.GET("/people/:subject", s.getPerson, auth, requireRole(models.RoleAdmin))
	v1.PUT("/people/:subject", s.putPerson, auth, requireRole(models.RoleAdmin))
	v1.DELETE("/people/:subject", s.deletePerson, auth, requireRole(models.RoleAdmin))
	v1.GET("/people/:subject/trail", s.personTrail, auth, requireRole(models.RoleAdmin))
	if s.Pages != nil {
		s.Pages(e)
	}
	// Every route, the workspace's included, is a label of the request metrics.
	for _, r := range e.Routes() {
		routes[r.Method+" "+r.Path] = true
	}
	return e
}

// maxBodyBytes bounds a request body: the largest application is well under it.
const maxBodyBytes = 1 << 20

// limitBody answers 413 to a body over limit bytes, whether it announces its length or
// comes in chunks (read through http.MaxBytesReader, whose error describe maps to 413).
func limitBody(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.ContentLength > limit {
				return &http.MaxBytesError{Limit: limit}
			}
			req.Body = http.MaxBytesReader(c.Response().Writer, req.Body, limit)
			return next(c)
		}
	}
}

// fieldValidator is Echo's Validator: the field rules declared as tags on request types.
type fieldValidator struct{}

func (fieldValidator) Validate(i any) error { return models.Validate(i) }

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz tells a load balancer whether this instance can serve: database and Temporal reachable.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "temporal": "ok"}
	ready := true
	if err := s.Store.Ping(ctx); err != nil {
		s.Logger.Warn("database not ready", "err", err)
		checks["database"], ready = models.ErrorMessage(err), false // the cause could name hosts and users
	}
	if _, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		checks["temporal"], ready = err.Error(), false
	}
	if !ready {
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "checks": checks})
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ready", "checks": checks})
}

// temporalCtx bounds a call into Temporal, so a slow or absent server is a 503, never a hang.
func (s *Server) temporalCtx(c echo.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request().Context(), s.TemporalTimeout)
}

// page is a list answer with the cursor of the next page.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// pagination reads limit (1 to 100, default 50) and cursor (opaque) from the query.
func pagination(c echo.Context) (limit int, after string, err error) {
	limit = 50
	if v := c.QueryParam("limit"); v != "" {
		n, convErr := strconv.Atoi(v)
		if convErr != nil || n < 1 || n > 100 {
			return 0, "", models.FieldErrors(map[string]string{"limit": "must be a whole number from 1 to 100"})
		}
		limit = n
	}
	if v := c.QueryParam("cursor"); v != "" {
		b, decErr := base64.RawURLEncoding.DecodeString(v)
		if decErr != nil || len(b) == 0 {
			return 0, "", models.FieldErrors(map[string]string{"cursor": "is not a cursor this API returned"})
		}
		after = string(b)
	}
	return limit, after, nil
}

// idPagination is pagination over lists ordered by a numeric id, newest first: the
// cursor is the id of the last item of the previous page.
func idPagination(c echo.Context) (limit int, before int64, err error) {
	limit, after, err := pagination(c)
	if err != nil || after == "" {
		return limit, 0, err
	}
	if before, err = strconv.ParseInt(after, 10, 64); err != nil || before <= 0 {
		return 0, 0, models.FieldErrors(map[string]string{"cursor": "is not a cursor this API returned"})
	}
	return limit, before, nil
}

// pageOf cuts items to limit and encodes the cursor after the last one when more may follow.
func pageOf[T any](items []T, limit int, key func(T) string) page[T] {
	p := page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(items) == limit && limit > 0 {
		p.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(key(items[len(items)-1])))
	}
	return p
}
