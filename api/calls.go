package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
)

func (s *Server) createCall(c echo.Context) error {
	var req models.CallRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	call, err := s.Filing.CreateCall(c.Request().Context(), principal(c), req)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/calls/"+call.ID)
	return c.JSON(http.StatusCreated, call)
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
	return s.Filing.VisibleCall(c.Request().Context(), c.Param("id"))
}

// openJury opens a call's jury session: every preselected dossier of the call enters its
// jury phase at once. Dossiers preselected later find the session open themselves.
func (s *Server) openJury(c echo.Context) error {
	opened, err := s.Filing.OpenJury(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"call": opened.Call, "dossiers_entering_jury": opened.Entering,
		"not_signalled": opened.NotSignalled})
}

func (s *Server) juryView(c echo.Context) error {
	v, err := s.Filing.JurySession(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
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
	filed, err := s.Filing.FileApplication(c.Request().Context(), principal(c), key, call, req.AAPApplication, req.Draft)
	if err != nil {
		return err
	}
	return answerFiled(c, filed)
}

// updateDraft replaces a draft's application.
func (s *Server) updateDraft(c echo.Context) error {
	var app models.AAPApplication
	if err := bindJSON(c, &app); err != nil {
		return err
	}
	d, err := s.Filing.UpdateApplication(c.Request().Context(), principal(c), c.Param("id"), app)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// submitDraft submits a draft while its call is open, starting its workflow.
func (s *Server) submitDraft(c echo.Context) error {
	d, err := s.Filing.SubmitApplication(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// provideInformation answers the instructor's request for information: it completes the
// applicant's information task, and the dossier goes back to preselection (admissibility
// for an Axe 3 dossier).
func (s *Server) provideInformation(c echo.Context) error {
	var req models.InformationAnswer
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := s.Filing.ProvideInformation(c.Request().Context(), principal(c), c.Param("id"), req); err != nil {
		return err
	}
	return s.getDossier(c)
}

// withdrawDossier stops a dossier's process wherever it waits: its open tasks are
// cancelled, the money it reserved goes back to its envelope (and to waiting laureates).
func (s *Server) withdrawDossier(c echo.Context) error {
	var req models.Withdrawal
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := s.Filing.Withdraw(c.Request().Context(), principal(c), c.Param("id"), req); err != nil {
		return err
	}
	return s.getDossier(c)
}
