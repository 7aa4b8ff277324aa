package api

import (
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
)

// listStuck is the administrator's list of stuck dossiers: overdue tasks first, then a
// scan of the dossiers in process against their workflows. A page of the scan may be
// short, or empty, with a cursor: the list ends when no cursor comes back.
func (s *Server) listStuck(c echo.Context) error {
	limit, after, err := pagination(c)
	if err != nil {
		return err
	}
	q := filing.StuckQuery{Trouble: models.Trouble(c.QueryParam("trouble")), Limit: limit}
	fields := models.StuckFilterErrors(q.Trouble)
	if after != "" {
		var ok bool
		if q.Cursor, ok = filing.ParseStuckCursor(after); !ok {
			fields["cursor"] = "is not a cursor this API returned"
		}
	}
	if len(fields) > 0 {
		return models.FieldErrors(fields)
	}
	ctx, cancel := s.temporalCtx(c)
	defer cancel()
	p, err := s.Stuck.Page(ctx, q)
	if err != nil {
		return filing.FromTemporal(err)
	}
	out := page[models.StuckDossier]{Items: p.Items}
	if p.Next != nil {
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(p.Next.String()))
	}
	return c.JSON(http.StatusOK, out)
}

// reassignTask hands a task to someone else (an administrator's act, audited with its
// reason): the workflow records them as the task's claimant.
func (s *Server) reassignTask(c echo.Context) error {
	var req models.Reassignment
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, err := s.Filing.ReassignTask(c.Request().Context(), principal(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// extendTask moves a task's due date later (an administrator's act, audited with its
// reason): the workflow restarts its reminder and escalation for the new date.
func (s *Server) extendTask(c echo.Context) error {
	var req models.Extension
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	t, err := s.Filing.ExtendTask(c.Request().Context(), principal(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}
