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

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// createCallRequest is an administrator's new call for projects.
// CreateCallRequest is a new call for projects, as an administrator describes it.
type CreateCallRequest struct {
	Strand       models.Strand       `json:"strand"`
	Round        int                 `json:"round"`
	Title        string              `json:"title"`
	OpensAt      time.Time           `json:"opens_at"`
	ClosesAt     time.Time           `json:"closes_at"`
	EnvelopeCode string              `json:"envelope_code"`
	Jury         []models.JuryMember `json:"jury"`
	Chair        string              `json:"chair"`
	Quorum       int                 `json:"quorum"`
}

func (s *Server) createCall(c echo.Context) error {
	var req CreateCallRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	call, err := s.CreateCall(c.Request().Context(), principal(c), req)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/calls/"+call.ID)
	return c.JSON(http.StatusCreated, call)
}

// CreateCall records a call for projects on a leaf envelope (the strand's by default).
func (s *Server) CreateCall(ctx context.Context, p models.Principal, req CreateCallRequest) (models.Call, error) {
	if !p.HasRole(models.RoleAdmin) {
		return models.Call{}, models.Errorf(models.EForbidden, "this action needs the admin role")
	}
	id, err := uuid.NewV7()
	if err != nil {
		return models.Call{}, err
	}
	call := models.Call{ID: id.String(), Strand: req.Strand, Round: req.Round, Title: strings.TrimSpace(req.Title), OpensAt: req.OpensAt,
		ClosesAt: req.ClosesAt, EnvelopeCode: req.EnvelopeCode, Jury: req.Jury, Chair: req.Chair, Quorum: req.Quorum,
		CreatedBy: p.Subject}
	if call.EnvelopeCode == "" && req.Strand != "" {
		call.EnvelopeCode = "axe2." + string(req.Strand) // each strand has its envelope by default
	}
	if err := call.Validate(); err != nil {
		return call, err
	}
	envs, err := s.Store.Envelopes(ctx)
	if err != nil {
		return call, err
	}
	if err := checkLeafEnvelope(envs, call.EnvelopeCode); err != nil {
		return call, err
	}
	return s.Store.CreateCall(ctx, call)
}

// checkLeafEnvelope refuses an envelope that does not exist or has sub-envelopes: money
// moves on leaves only.
func checkLeafEnvelope(envs []models.Envelope, code string) error {
	found := false
	for _, e := range envs {
		if e.ParentCode == code {
			return models.FieldErrors(map[string]string{"envelope_code": "has sub-envelopes: choose one of them"})
		}
		found = found || e.Code == code
	}
	if !found {
		return models.FieldErrors(map[string]string{"envelope_code": "is not an envelope"})
	}
	return nil
}

func (s *Server) listCalls(c echo.Context) error {
	calls, err := s.Store.Calls(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": nonNil(calls)})
}

func (s *Server) getCall(c echo.Context) error {
	call, err := s.callParam(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, call)
}

func (s *Server) callParam(c echo.Context) (models.Call, error) {
	return s.VisibleCall(c.Request().Context(), c.Param("id"))
}

// VisibleCall loads call id (calls are public): not found for an ID that is none.
func (s *Server) VisibleCall(ctx context.Context, id string) (models.Call, error) {
	if _, err := uuid.Parse(id); err != nil {
		return models.Call{}, models.Errorf(models.ENotFound, "no call %q", id)
	}
	return s.Store.Call(ctx, id)
}

// openJury opens a call's jury session: every preselected dossier of the call enters its
// jury phase at once. Dossiers preselected later find the session open themselves.
func (s *Server) openJury(c echo.Context) error {
	opened, err := s.OpenJury(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"call": opened.Call, "dossiers_entering_jury": opened.Entering,
		"not_signalled": opened.NotSignalled})
}

// OpenedJury is a jury session just opened: how many dossiers entered it, and those not
// told yet (they check the call themselves within a day).
type OpenedJury struct {
	Call         models.Call
	Entering     int
	NotSignalled []string
}

// OpenJury opens call id's jury session (the caller's role is checked by the route).
func (s *Server) OpenJury(ctx context.Context, id string) (OpenedJury, error) {
	call, err := s.VisibleCall(ctx, id)
	if err != nil {
		return OpenedJury{}, err
	}
	if call, err = s.Store.OpenJury(ctx, call.ID); err != nil {
		return OpenedJury{}, err
	}
	preselected, err := s.Store.CallDossiers(ctx, call.ID, models.StatusPreselected)
	if err != nil {
		return OpenedJury{}, err
	}
	notSignalled := []string{}
	for _, d := range preselected {
		tctx, cancel := context.WithTimeout(ctx, s.TemporalTimeout)
		err := s.Temporal.SignalWorkflow(tctx, d.WorkflowID(), "", workflows.SignalJuryOpened, nil)
		cancel()
		if err != nil {
			notSignalled = append(notSignalled, d.ID)
			s.Logger.Warn("jury session: could not signal a dossier", "dossier", d.ID, "err", err)
		}
	}
	return OpenedJury{Call: call, Entering: len(preselected) - len(notSignalled), NotSignalled: notSignalled}, nil
}

// JuryDossier is one dossier as the jury session shows it.
type JuryDossier struct {
	Dossier   models.Dossier     `json:"dossier"`
	Votes     []models.Vote      `json:"votes"`
	Recused   []string           `json:"recused"`
	NotVoted  []string           `json:"not_voted"`
	Standing  models.JuryOutcome `json:"standing"`
	Requested models.Cents       `json:"requested_cents"`
}

// JurySession is a call's jury session: each dossier before it, its votes so far and
// what its decision still waits for.
type JurySession struct {
	Call        models.Call   `json:"call"`
	SessionOpen bool          `json:"session_open"`
	Dossiers    []JuryDossier `json:"dossiers"`
}

func (s *Server) juryView(c echo.Context) error {
	v, err := s.JurySession(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// JurySession loads call id's jury session, for its jury and the national roles.
func (s *Server) JurySession(ctx context.Context, p models.Principal, id string) (JurySession, error) {
	call, err := s.VisibleCall(ctx, id)
	if err != nil {
		return JurySession{}, err
	}
	if !p.CanSeeJurySession(call) {
		return JurySession{}, models.Errorf(models.EForbidden, "only the call's jury and the national roles (administrators, finance, national instructors) see its session")
	}
	dossiers, err := s.Store.CallDossiers(ctx, call.ID, models.JuryStatuses...)
	if err != nil {
		return JurySession{}, err
	}
	ids := make([]string, len(dossiers))
	for i, d := range dossiers {
		ids[i] = d.ID
	}
	votes, err := s.Store.Votes(ctx, ids)
	if err != nil {
		return JurySession{}, err
	}
	out := []JuryDossier{}
	for _, d := range dossiers {
		var mine []models.Vote
		for _, v := range votes {
			if v.DossierID == d.ID {
				mine = append(mine, v)
			}
		}
		if d.Status == models.StatusRefused && len(mine) == 0 {
			continue // refused before the jury
		}
		jd := JuryDossier{Dossier: d, Votes: nonNil(mine), Recused: []string{}, NotVoted: []string{}, Requested: d.RequestedCents,
			Standing: models.DecideJury(call.Jury, call.Chair, call.Quorum, mine)}
		acted := map[string]bool{}
		for _, v := range mine {
			acted[v.Member] = true
			if v.Choice == models.VoteRecuse {
				jd.Recused = append(jd.Recused, v.Member)
			}
		}
		for _, m := range call.Jury {
			if !acted[m.Subject] {
				jd.NotVoted = append(jd.NotVoted, m.Subject)
			}
		}
		out = append(out, jd)
	}
	return JurySession{Call: call, SessionOpen: call.JuryOpenedAt != nil, Dossiers: out}, nil
}

// applicationRequest is an application to a call; Draft saves it without submitting.
type applicationRequest struct {
	models.AAPApplication
	Draft bool `json:"draft"`
}

// createApplication files an application to an open call, or saves a draft of it.
func (s *Server) createApplication(c echo.Context) error {
	call, err := s.callParam(c)
	if err != nil {
		return err
	}
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	var req applicationRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	filed, err := s.FileApplication(c.Request().Context(), principal(c), key, call, req.AAPApplication, req.Draft)
	if err != nil {
		return err
	}
	return answerFiled(c, filed)
}

// FileApplication files p's application to call, or saves it as a draft, under the
// call's dates and the application's rules (a draft may be incomplete).
func (s *Server) FileApplication(ctx context.Context, p models.Principal, key string, call models.Call, app models.AAPApplication, draft bool) (filing.Filed, error) {
	if !p.HasRole(models.RoleApplicant) {
		return filing.Filed{}, models.Errorf(models.EForbidden, "this action needs the applicant role")
	}
	now := time.Now()
	if !now.Before(call.ClosesAt) {
		return filing.Filed{}, models.Errorf(models.EConflict, "call %s closed on %s", call.ID, call.ClosesAt.Format(time.RFC3339))
	}
	if !draft && !call.AcceptsApplications(now) {
		return filing.Filed{}, models.Errorf(models.EConflict, "call %s opens on %s: save a draft until then", call.ID, call.OpensAt.Format(time.RFC3339))
	}
	if err := app.Validate(call.Strand, p.Siren, !draft); err != nil {
		return filing.Filed{}, err
	}
	return s.Filing.FileApplication(ctx, p, key, call, app, draft)
}

// OwnApplication loads an application of p's collectivité, with its call.
func (s *Server) OwnApplication(ctx context.Context, p models.Principal, id string) (models.Dossier, models.Call, error) {
	d, err := s.Filing.VisibleDossier(ctx, p, id)
	if err != nil {
		return d, models.Call{}, err
	}
	if d.Kind != models.KindAAP {
		return d, models.Call{}, models.Errorf(models.EConflict, "dossier %s is not an application to a call", d.ID)
	}
	if !p.ActsFor(d.ApplicantSiren) {
		return d, models.Call{}, models.Errorf(models.EForbidden, "only the applicant collectivité can change its application")
	}
	call, err := s.Store.Call(ctx, d.CallID)
	return d, call, err
}

// updateDraft replaces a draft's application.
func (s *Server) updateDraft(c echo.Context) error {
	var app models.AAPApplication
	if err := bindJSON(c, &app); err != nil {
		return err
	}
	d, err := s.UpdateDraft(c.Request().Context(), principal(c), c.Param("id"), app)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// UpdateDraft replaces the application of p's draft id.
func (s *Server) UpdateDraft(ctx context.Context, p models.Principal, id string, app models.AAPApplication) (models.Dossier, error) {
	d, call, err := s.OwnApplication(ctx, p, id)
	if err != nil {
		return d, err
	}
	if err := app.Validate(call.Strand, d.ApplicantSiren, false); err != nil {
		return d, err
	}
	payload, err := json.Marshal(app)
	if err != nil {
		return d, err
	}
	return s.Store.UpdateDraft(ctx, d.ID, payload, app.RequestedCents)
}

// submitDraft submits a draft while its call is open, starting its workflow.
func (s *Server) submitDraft(c echo.Context) error {
	d, err := s.SubmitDraft(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// SubmitDraft submits p's draft id while its call is open, starting its workflow.
func (s *Server) SubmitDraft(ctx context.Context, p models.Principal, id string) (models.Dossier, error) {
	d, call, err := s.OwnApplication(ctx, p, id)
	if err != nil {
		return d, err
	}
	if d.Status != models.StatusDraft && d.Status != models.StatusSubmitted {
		return d, models.Errorf(models.EConflict, "dossier %s is already %s", d.ID, d.Status)
	}
	var app models.AAPApplication
	if err := json.Unmarshal(d.Payload, &app); err != nil {
		return d, err
	}
	if err := app.Validate(call.Strand, d.ApplicantSiren, true); err != nil {
		return d, err
	}
	if !call.AcceptsApplications(time.Now()) {
		return d, models.Errorf(models.EConflict, "call %s is not open: it runs from %s to %s", call.ID,
			call.OpensAt.Format(time.RFC3339), call.ClosesAt.Format(time.RFC3339))
	}
	return s.Filing.SubmitDraft(ctx, d)
}

// informationRequest answers a request for information, under the rule ("answer") of an
// "answered" completion of the information task.
type informationRequest struct {
	Answer string `json:"answer" validate:"answer"`
}

// provideInformation answers the instructor's request for information: it completes the
// applicant's information task, and the dossier goes back to preselection (admissibility
// for an Axe 3 dossier).
func (s *Server) provideInformation(c echo.Context) error {
	d, err := s.visibleDossier(c, c.Param("id"))
	if err != nil {
		return err
	}
	if d.Kind != models.KindAAP && d.Kind != models.KindPrefectoral {
		return models.Errorf(models.EConflict, "dossier %s is a guichet dossier: nobody asks it for information", d.ID)
	}
	var req informationRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	tasks, err := s.Store.DossierTasks(c.Request().Context(), d.ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(tasks, func(t models.Task) bool {
		return t.Type == models.TaskInformation && t.Status.Open()
	})
	if i < 0 {
		return models.Errorf(models.EConflict, "dossier %s is %s: no request for information awaits an answer", d.ID, d.Status)
	}
	p := principal(c)
	if !p.CanAct(tasks[i]) {
		return models.Errorf(models.EForbidden, "only the applicant collectivité can answer")
	}
	ctx, cancel := s.temporalCtx(c)
	defer cancel()
	if err := s.update(ctx, d.WorkflowID(), workflows.UpdateCompleteTask, nil, workflows.CompleteTaskRequest{
		TaskID: tasks[i].ID, Actor: p, Outcome: workflows.OutcomeAnswered, Comment: req.Answer}); err != nil {
		return err
	}
	return s.getDossier(c)
}

// withdrawDossier stops a dossier's process wherever it waits: its open tasks are
// cancelled, the money it reserved goes back to its envelope (and to waiting laureates).
func (s *Server) withdrawDossier(c echo.Context) error {
	d, err := s.visibleDossier(c, c.Param("id"))
	if err != nil {
		return err
	}
	var req models.Withdrawal
	if err := bindValid(c, &req); err != nil {
		return err
	}
	if !models.Withdrawable(d.Status) {
		return models.Errorf(models.EConflict, "dossier %s is %s: it can no longer be withdrawn", d.ID, d.Status)
	}
	ctx, cancel := s.temporalCtx(c)
	defer cancel()
	if err := s.update(ctx, d.WorkflowID(), workflows.UpdateWithdraw, nil, workflows.WithdrawRequest{Actor: principal(c), Reason: req.Reason}); err != nil {
		return err
	}
	return s.getDossier(c)
}
