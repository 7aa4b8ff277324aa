package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
)

// The préfets' programming sessions: open one on an envelope, read its ranking, decide
// each dossier, close it.

// openSession opens a programming session on an envelope and invites its scored dossiers.
func (s *Server) openSession(c echo.Context) error {
	var req models.OpenSessionRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	session, err := s.Filing.OpenSession(c.Request().Context(), principal(c), req)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/axe3/sessions/"+session.ID)
	return c.JSON(http.StatusCreated, session)
}

func (s *Server) getSession(c echo.Context) error {
	session, err := s.Filing.Session(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, session)
}

// decideInSession records the préfet's decision on a dossier of the session.
func (s *Server) decideInSession(c echo.Context) error {
	var req models.SessionDecision
	if _, err := s.Filing.Session(c.Request().Context(), principal(c), c.Param("id")); err != nil {
		return err
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	session, err := s.Filing.DecideInSession(c.Request().Context(), principal(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, session)
}

// closeSession closes a session; the dossiers it left undecided are postponed to the next.
func (s *Server) closeSession(c echo.Context) error {
	session, err := s.Filing.CloseSession(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, session)
}
