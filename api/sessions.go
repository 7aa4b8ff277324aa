package api

import (
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// The préfets' programming sessions: open one on an envelope, read its ranking, decide
// each dossier, close it.

// governsEnvelope refuses anyone but the préfet who decides on an Axe 3 envelope: the
// département's préfet (or its région's) for a département's envelope, the préfet de
// région for the région's kept part.
func governsEnvelope(p models.Principal, code string) error {
	region, dep, ok := models.EnvelopeTerritory(code)
	if !ok {
		return models.FieldErrors(map[string]string{"envelope_code": "is not the envelope of a département or the kept part of a région's (axe3.territorial.<région>.<département|region>)"})
	}
	allowed := p.HasRole(models.RolePrefet) && (dep == "" && p.GovernsRegion(region) || dep != "" && p.GovernsDepartement(dep, region))
	if !allowed {
		return models.Errorf(models.EForbidden, "only the préfet deciding on %s holds its programming sessions", code)
	}
	return nil
}

type openSessionRequest struct {
	EnvelopeCode string `json:"envelope_code" validate:"required,max=100"`
}

// openSession opens a programming session on an envelope and invites its scored dossiers.
func (s *Server) openSession(c echo.Context) error {
	var req openSessionRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	if err := governsEnvelope(principal(c), req.EnvelopeCode); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.Store.Envelope(ctx, req.EnvelopeCode); err != nil {
		return err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	session, err := s.Store.OpenSession(ctx, id.String(), req.EnvelopeCode, principal(c).Subject)
	if err != nil {
		return err
	}
	tctx, cancel := s.temporalCtx(c)
	defer cancel()
	for _, e := range session.Entries {
		if err := s.Temporal.SignalWorkflow(tctx, models.DossierWorkflowID(e.DossierID), "", workflows.SignalSessionOpened, session.ID); err != nil {
			s.Logger.Warn("a scored dossier was not invited to its session", "dossier", e.DossierID, "session", session.ID, "err", err)
		}
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/axe3/sessions/"+session.ID)
	return c.JSON(http.StatusCreated, session)
}

func (s *Server) sessionParam(c echo.Context) (models.ProgrammingSession, error) {
	id := c.Param("id")
	if _, err := uuid.Parse(id); err != nil {
		return models.ProgrammingSession{}, models.Errorf(models.ENotFound, "no programming session %q", id)
	}
	return s.Store.Session(c.Request().Context(), id)
}

func (s *Server) getSession(c echo.Context) error {
	session, err := s.sessionParam(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, session)
}

// decideInSession records the préfet's decision on a dossier of the session and hands it
// to the dossier's workflow, which reserves a grant's money at once.
func (s *Server) decideInSession(c echo.Context) error {
	session, err := s.sessionParam(c)
	if err != nil {
		return err
	}
	var req models.SessionDecision
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := req.Check(session.Entries); err != nil {
		return err
	}
	p := principal(c)
	if err := governsEnvelope(p, session.EnvelopeCode); err != nil {
		return err
	}
	ctx := c.Request().Context()
	task, err := s.openProgrammingTask(c, session, req.DossierID)
	if err != nil {
		return err
	}
	if err := s.Store.RecordSessionDecision(ctx, session.ID, p.Subject, req); err != nil {
		return err
	}
	if err := s.completeProgramming(c, task, p, req); err != nil {
		// The workflow refused it (an amount over the cap, say): the préfet decides again.
		if undo := s.Store.UndoSessionDecision(ctx, session.ID, req.DossierID); undo != nil {
			s.Logger.Error("a refused decision stays recorded in its session", "session", session.ID, "dossier", req.DossierID, "err", undo)
		}
		return err
	}
	if session, err = s.Store.Session(ctx, session.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, session)
}

// openProgrammingTask finds the préfet's open decision task of a dossier of the session.
func (s *Server) openProgrammingTask(c echo.Context, session models.ProgrammingSession, dossierID string) (models.Task, error) {
	if session.ClosedAt != nil {
		return models.Task{}, models.Errorf(models.EConflict, "programming session %s is closed", session.ID)
	}
	in := false
	for _, e := range session.Entries {
		in = in || e.DossierID == dossierID
	}
	if !in {
		return models.Task{}, models.FieldErrors(map[string]string{"dossier_id": "is not a dossier of this session"})
	}
	tasks, err := s.Store.DossierTasks(c.Request().Context(), dossierID)
	if err != nil {
		return models.Task{}, err
	}
	for _, t := range tasks {
		if t.Type == models.TaskProgramming && (t.Status == models.TaskOpen || t.Status == models.TaskClaimed) {
			return t, nil
		}
	}
	return models.Task{}, models.Errorf(models.EConflict, "dossier %s has no decision awaiting in this session yet: try again in a moment", dossierID)
}

func (s *Server) completeProgramming(c echo.Context, t models.Task, p models.Principal, d models.SessionDecision) error {
	var data []byte
	if d.Outcome == models.OutcomeGrant {
		data = fmt.Appendf(nil, `{"amount_cents":%d}`, d.AmountCents)
	}
	tctx, cancel := s.temporalCtx(c)
	defer cancel()
	return s.update(tctx, models.DossierWorkflowID(t.DossierID), workflows.UpdateCompleteTask, nil,
		workflows.CompleteTaskRequest{TaskID: t.ID, Actor: p, Outcome: d.Outcome, Comment: d.Comment, Data: data})
}

// closeSession closes a session; the dossiers it left undecided are postponed to the next.
func (s *Server) closeSession(c echo.Context) error {
	session, err := s.sessionParam(c)
	if err != nil {
		return err
	}
	p := principal(c)
	if err := governsEnvelope(p, session.EnvelopeCode); err != nil {
		return err
	}
	ctx := c.Request().Context()
	undecided, err := s.Store.CloseSession(ctx, session.ID)
	if err != nil {
		return err
	}
	for _, id := range undecided {
		d := models.SessionDecision{DossierID: id, Outcome: models.OutcomePostpone, Comment: "séance de programmation close sans décision sur ce dossier"}
		task, err := s.openProgrammingTask(c, session, id)
		if err == nil {
			err = s.completeProgramming(c, task, p, d)
		}
		if err != nil {
			s.Logger.Warn("an undecided dossier of a closed session was not postponed", "session", session.ID, "dossier", id, "err", err)
		}
	}
	if session, err = s.Store.Session(ctx, session.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, session)
}
