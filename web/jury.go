package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

type juryListView struct {
	Calls []models.Call
	// Past are the jury member's votes already cast, the latest first.
	Past []taskRow
}

// juryList lists the calls whose session the person may open: a jury member's own, every
// call for the national roles; and a member's past votes.
func (s *Server) juryList(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	all, err := s.Store.Calls(ctx)
	if err != nil {
		return s.renderError(c, err)
	}
	v := juryListView{Calls: slices.DeleteFunc(all, func(call models.Call) bool { return !p.CanSeeJurySession(call) })}
	if p.HasRole(models.RoleJury) {
		done, err := s.Store.ClosedBy(ctx, p.Subject, nil, 100)
		if err != nil {
			return s.renderError(c, err)
		}
		done = slices.DeleteFunc(done, func(t models.Task) bool { return t.Type != models.TaskJuryDecision })
		if v.Past, err = s.taskRows(ctx, p, done); err != nil {
			return s.renderError(c, err)
		}
	}
	return s.render(c, http.StatusOK, "jury_list", "Jurys", v)
}

type juryView struct {
	filing.JurySession
	// MyVotes are the person's open votes, by dossier.
	MyVotes map[string]string
}

// jurySession is a call's session: each dossier, its votes, what it still needs for its
// decision, and the person's own vote to cast.
func (s *Server) jurySession(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	session, err := s.App.JurySession(ctx, p, c.Param("id"))
	if err != nil {
		return s.renderError(c, err)
	}
	v := juryView{JurySession: session, MyVotes: map[string]string{}}
	if p.HasRole(models.RoleJury) {
		open, err := s.Store.Inbox(ctx, p, store.TaskFilter{Type: string(models.TaskJuryDecision), Assigned: "me", Limit: 500})
		if err != nil {
			return s.renderError(c, err)
		}
		for _, t := range open {
			v.MyVotes[t.DossierID] = t.ID
		}
	}
	return s.render(c, http.StatusOK, "jury", "Jury — "+session.Call.Title, v)
}

// openJury opens a call's jury session, an administrator's act, as the API does it.
func (s *Server) openJury(c echo.Context) error {
	if err := principal(c).NeedRole(models.RoleAdmin); err != nil {
		return s.renderError(c, err)
	}
	if _, err := s.App.OpenJury(c.Request().Context(), principal(c), c.Param("id")); err != nil {
		return s.renderError(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/jury/"+url.PathEscape(c.Param("id"))+"?info=session-ouverte")
}
