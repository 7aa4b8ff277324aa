package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
	"github.com/relance/relance/workflows"
)

const maxIdempotencyKey = 128

// createGuichetApplication files a FranceConnect/API window application and starts its
// workflow. A retried POST with the same Idempotency-Key returns the same dossier.
func (s *Server) createGuichetApplication(c echo.Context) error {
	p := principal(c)
	var app models.GuichetApplication
	if err := bindJSON(c, &app); err != nil {
		return err
	}
	if err := app.Validate(); err != nil {
		return err
	}
	spec, _ := models.ChecklistFor(app.Kind)
	app.ChecklistVersion = spec.Version
	payload, err := json.Marshal(app)
	if err != nil {
		return err
	}
	d := models.Dossier{Kind: models.KindGuichet, Status: models.StatusSubmitted, ApplicantSiren: p.Siren,
		EnvelopeCode: models.EnvelopeGuichet, RequestedCents: app.GrantCents(), Payload: payload, CreatedBy: p.Subject}
	return s.fileDossier(c, d, func(d models.Dossier) error { return s.startGuichet(c, d, app) })
}

// fileDossier records a new dossier, or finds the one its author filed under the same
// Idempotency-Key, starts its workflow unless it is a draft, and answers 201 (200 for a
// retried request). A workflow that did not start leaves nothing behind.
func (s *Server) fileDossier(c echo.Context, d models.Dossier, start func(models.Dossier) error) error {
	key := c.Request().Header.Get("Idempotency-Key")
	if len(key) > maxIdempotencyKey {
		return models.FieldErrors(map[string]string{"Idempotency-Key": fmt.Sprintf("must be at most %d characters", maxIdempotencyKey)})
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	d.ID = id.String()
	ctx := c.Request().Context()
	// The registry names the applicant and places it for scoping; the workflow decides what an unknown SIREN means.
	if col, err := s.Store.CollectiviteBySiren(ctx, d.ApplicantSiren); err == nil {
		d.ApplicantName, d.Departement, d.Region = col.Name, col.Departement, col.Region
	} else if models.ErrorCode(err) != models.ENotFound {
		return err
	}
	// A key is its author's, for one kind of request: the same key on another call files anew.
	d, created, err := s.Store.CreateDossier(ctx, d, strings.Join([]string{d.CreatedBy, string(d.Kind), d.CallID}, " "), key)
	if err != nil {
		return err
	}
	if d.Status != models.StatusDraft {
		if err := start(d); err != nil && !s.startedAnyway(c, d) {
			if created {
				if delErr := s.Store.DeleteDossier(ctx, d.ID); delErr != nil {
					s.Logger.Error("could not remove a dossier whose workflow did not start", "dossier", d.ID, "err", delErr)
				}
			}
			return err
		}
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/dossiers/"+d.ID)
	if !created {
		return c.JSON(http.StatusOK, d)
	}
	return c.JSON(http.StatusCreated, d)
}

// startGuichet starts a guichet dossier's workflow.
func (s *Server) startGuichet(c echo.Context, d models.Dossier, app models.GuichetApplication) error {
	what := string(app.Kind)
	if app.Kind == models.GuichetAPI {
		what = models.GuichetAPIs[app.APIName]
	}
	return s.startWorkflow(c, d, workflows.GuichetWorkflowName, "Guichet "+what,
		"Project cost: "+models.FormatEuros(app.ProjectCostCents),
		workflows.GuichetInput{DossierID: d.ID, Siren: d.ApplicantSiren, Kind: app.Kind, SubmittedBy: d.CreatedBy, ChecklistVersion: app.ChecklistVersion, AmendWindow: s.GuichetAmendWindow,
			Deadlines: s.Deadlines})
}

// startWorkflow starts a dossier's workflow, summarised for the Temporal UI. Starting it
// again is harmless, so a retried request mends a start that failed halfway.
func (s *Server) startWorkflow(c echo.Context, d models.Dossier, workflowName, what, details string, input any) error {
	ctx, cancel := s.temporalCtx(c)
	defer cancel()
	applicant := d.ApplicantName
	if applicant == "" {
		applicant = "SIREN " + d.ApplicantSiren
	}
	_, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       d.WorkflowID(),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            fmt.Sprintf("%s — %s", what, applicant),
		StaticDetails: fmt.Sprintf("Dossier %s\n\nApplicant: %s (SIREN %s), département %s\n\n%s, grant requested: %s",
			d.ID, applicant, d.ApplicantSiren, d.Departement, details, models.FormatEuros(d.RequestedCents)),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.SearchKind.ValueSet(string(d.Kind)), workflows.SearchStatus.ValueSet(string(models.StatusSubmitted)),
			workflows.SearchSiren.ValueSet(d.ApplicantSiren), workflows.SearchDepartement.ValueSet(d.Departement),
			workflows.SearchRegion.ValueSet(d.Region)),
	}, workflowName, input)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil // it ran already and has closed
	}
	return fromTemporal(err)
}

// startedAnyway tells whether a workflow whose start failed, by a timeout say, did start
// on the server. When Temporal cannot even say, it is taken as not started: a workflow
// that did start then fails at its first step on the missing dossier, moving no money.
func (s *Server) startedAnyway(c echo.Context, d models.Dossier) bool {
	ctx, cancel := s.temporalCtx(c)
	defer cancel()
	_, err := s.Temporal.DescribeWorkflow(ctx, d.WorkflowID(), "")
	return err == nil
}

// dossierView is a dossier with its tasks, audit trail and money movements.
type dossierView struct {
	models.Dossier
	Tasks  []models.Task        `json:"tasks"`
	Audit  []models.AuditEvent  `json:"audit"`
	Ledger []models.LedgerEntry `json:"ledger"`
}

func (s *Server) getDossier(c echo.Context) error {
	d, err := s.visibleDossier(c, c.Param("id"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v := dossierView{Dossier: d}
	if v.Tasks, err = s.Store.DossierTasks(ctx, d.ID); err != nil {
		return err
	}
	if v.Audit, err = s.Store.AuditTrail(ctx, d.ID); err != nil {
		return err
	}
	if v.Ledger, err = s.Store.Ledger(ctx, d.ID, "", 0, 100); err != nil {
		return err
	}
	if principal(c).OnlyApplicant() {
		v.Tasks, v.Audit = withoutDeliberations(v.Tasks, v.Audit)
	}
	v.Tasks, v.Audit, v.Ledger = nonNil(v.Tasks), nonNil(v.Audit), nonNil(v.Ledger)
	return c.JSON(http.StatusOK, v)
}

// withoutDeliberations hides the jury's individual votes, comments and recusals from an
// applicant, who sees the jury's decision only.
func withoutDeliberations(tasks []models.Task, audit []models.AuditEvent) ([]models.Task, []models.AuditEvent) {
	tasks = slices.DeleteFunc(tasks, func(t models.Task) bool { return t.Type == models.TaskJuryDecision })
	audit = slices.DeleteFunc(audit, func(e models.AuditEvent) bool {
		return e.Action == "voted" || e.Action == "recused" || strings.Contains(e.Detail, string(models.TaskJuryDecision))
	})
	return tasks, audit
}

// dossierFilterErrors checks the dossier filters that the dossier list and the task inbox share.
func dossierFilterErrors(kind, status, departement string) map[string]string {
	fields := map[string]string{}
	if kind != "" && !slices.Contains(models.Kinds, models.DossierKind(kind)) {
		fields["kind"] = "must be guichet or aap"
	}
	if status != "" && !slices.Contains(models.Statuses, models.Status(status)) {
		fields["status"] = "is not a dossier status"
	}
	if departement != "" && !models.ValidDepartementCode(departement) {
		fields["departement"] = "must be a département code such as 01, 2A or 974"
	}
	return fields
}

// visibleDossier loads a dossier the caller may see: 404 when it does not exist, 403 when
// it belongs to another applicant or département.
func (s *Server) visibleDossier(c echo.Context, id string) (models.Dossier, error) {
	if _, err := uuid.Parse(id); err != nil {
		return models.Dossier{}, models.Errorf(models.ENotFound, "no dossier %q", id)
	}
	d, err := s.Store.Dossier(c.Request().Context(), id)
	if err != nil {
		return d, err
	}
	p := principal(c)
	if p.CanSeeDossier(d) {
		return d, nil
	}
	if p.HasRole(models.RoleJury) && d.CallID != "" && models.ReachedJury(d.Status) {
		// A jury member sees the dossiers its call's session judges.
		if call, err := s.Store.Call(c.Request().Context(), d.CallID); err == nil && call.IsMember(p.Subject) {
			return d, nil
		}
	}
	return d, models.Errorf(models.EForbidden, "dossier %s is outside your scope", id)
}

func (s *Server) listDossiers(c echo.Context) error {
	limit, after, err := pagination(c)
	if err != nil {
		return err
	}
	f := store.DossierFilter{Kind: c.QueryParam("kind"), Status: c.QueryParam("status"), Applicant: c.QueryParam("applicant"),
		Departement: c.QueryParam("departement"), Region: c.QueryParam("region"), Call: c.QueryParam("call"), After: after, Limit: limit}
	fields := dossierFilterErrors(f.Kind, f.Status, f.Departement)
	if f.Applicant != "" && !models.ValidSiren(f.Applicant) {
		fields["applicant"] = "must be a SIREN"
	}
	if len(fields) > 0 {
		return models.FieldErrors(fields)
	}
	items, err := s.Store.ListDossiers(c.Request().Context(), store.VisibilityOf(principal(c)), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(items, limit, func(d models.Dossier) string { return d.ID }))
}

type amendRequest struct {
	Checklist map[string]bool `json:"checklist"`
}

// amendChecklist sends an incomplete dossier's new checklist to its workflow, which
// re-checks it; the answer carries the dossier as the re-check left it.
func (s *Server) amendChecklist(c echo.Context) error {
	d, err := s.visibleDossier(c, c.Param("id"))
	if err != nil {
		return err
	}
	if d.Kind != models.KindGuichet {
		return models.Errorf(models.EConflict, "dossier %s is not a guichet application: it has no checklist", d.ID)
	}
	var req amendRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Checklist == nil {
		return models.FieldErrors(map[string]string{"checklist": "is required"})
	}
	ctx, cancel := s.temporalCtx(c)
	defer cancel()
	if err := s.update(ctx, d.WorkflowID(), workflows.UpdateAmendChecklist, nil,
		workflows.AmendRequest{Actor: principal(c), Checklist: req.Checklist}); err != nil {
		return err
	}
	return s.getDossier(c)
}
