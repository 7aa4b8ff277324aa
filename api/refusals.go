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
)

// auditedRefusal lists the answers that refuse an act rather than misread it: no right,
// wrong state, invalid content (an Update's validator included).
var auditedRefusal = map[int]bool{http.StatusForbidden: true, http.StatusConflict: true, http.StatusUnprocessableEntity: true}

// refusalWriteTimeout bounds the audit write of a refusal, which runs on after the client
// may have gone.
const refusalWriteTimeout = 5 * time.Second

// auditRefusals writes each refused act on a dossier to the dossier's audit trail: who
// tried (subject and roles), what (the request), and why (the error's code and message).
// dossierOf names the dossier the route acts on, "" when there is none. The answer never
// depends on the write: a failure to record it is logged.
func (s *Server) auditRefusals(dossierOf func(context.Context, echo.Context) (string, error)) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if err == nil {
				return nil
			}
			status, body := describe(err)
			if !auditedRefusal[status] {
				return err
			}
			// The refusal is recorded even when the client has given up waiting.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), refusalWriteTimeout)
			defer cancel()
			if auditErr := s.auditRefusal(ctx, c, dossierOf, status, body.Error); auditErr != nil {
				s.Logger.Warn("refused act not audited", "method", c.Request().Method, "path", c.Request().URL.Path, "err", auditErr)
			}
			return err
		}
	}
}

func (s *Server) auditRefusal(ctx context.Context, c echo.Context, dossierOf func(context.Context, echo.Context) (string, error),
	status int, why errorDetail) error {
	dossierID, err := dossierOf(ctx, c)
	if err != nil || dossierID == "" {
		return err
	}
	p := principal(c)
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = string(r)
	}
	detail := fmt.Sprintf("%s %s by %s [%s] refused with %d %s: %s", c.Request().Method, c.Request().URL.Path, p.Subject,
		strings.Join(roles, ","), status, why.Code, why.Message)
	return s.Store.Audit(ctx, "refused/"+uuid.NewString(),
		models.AuditEvent{DossierID: dossierID, Actor: p.Subject, Action: models.AuditRefusedAttempt, Detail: detail})
}

// dossierParam is the dossier of a /dossiers/{id} route, when it exists.
func (s *Server) dossierParam(ctx context.Context, c echo.Context) (string, error) {
	id := c.Param("id")
	if _, err := uuid.Parse(id); err != nil {
		return "", nil
	}
	d, err := s.Store.Dossier(ctx, id)
	if models.ErrorCode(err) == models.ENotFound {
		return "", nil
	}
	return d.ID, err
}

// taskDossier is the dossier of a /tasks/{id} route's task, when the task exists.
func (s *Server) taskDossier(ctx context.Context, c echo.Context) (string, error) {
	t, err := s.Store.Task(ctx, c.Param("id"))
	if models.ErrorCode(err) == models.ENotFound {
		return "", nil
	}
	return t.DossierID, err
}
