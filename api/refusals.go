package api

import (
	"github.com/labstack/echo/v4"

	"github.com/relance/relance/filing"
)

// auditRefusals writes each refused act of a route acting on a dossier (onTask false: the
// path's id is the dossier's) or on a task (onTask true) to the dossier's audit trail,
// through filing.RecordRefusal, the one place the API and the pages record refusals.
func (s *Server) auditRefusals(onTask bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if err == nil {
				return nil
			}
			r := filing.Refusal{Actor: principal(c), Act: c.Request().Method + " " + c.Request().URL.Path, Err: filing.FromTemporal(err)}
			if onTask {
				r.TaskID = c.Param("id")
			} else {
				r.DossierID = c.Param("id")
			}
			filing.RecordRefusal(c.Request().Context(), s.Store, s.Logger, r)
			return err
		}
	}
}
