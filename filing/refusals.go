package filing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// Refusal is an act on a dossier the system refused: who tried, what, on which dossier (or
// on which task of it), and the error that refused it.
type Refusal struct {
	Actor models.Principal
	// Act names what was tried, as the caller knows it: "POST /api/v1/dossiers/…/withdraw",
	// "POST /taches/…/prendre".
	Act string
	// DossierID is the dossier acted on; TaskID, when DossierID is empty, is the task
	// acted on, whose dossier's trail the refusal goes to.
	DossierID, TaskID string
	Err               error
}

// refusalCodes are the errors that refuse an act rather than misread it or fail: no right
// (403), wrong state (409), invalid content, an Update's validator included (422).
var refusalCodes = map[string]bool{models.EForbidden: true, models.EConflict: true, models.EInvalid: true,
	models.EIdempotencyKeyReused: true}

// refusalWriteTimeout bounds the audit write of a refusal, which runs on after the caller
// may have gone.
const refusalWriteTimeout = 5 * time.Second

// RecordRefusal writes a refused act to its dossier's audit trail: who tried (subject and
// roles), what (r.Act), and why (the error's code and message). It is the one place both
// the API and the workspace's pages record refusals. Errors that are not refusals, and
// acts on a dossier or task that does not exist, write nothing. The write outlives ctx's
// cancellation (the refusal is recorded even when the client has given up) and its
// failure is logged, never returned: the answer never depends on it.
func RecordRefusal(ctx context.Context, st *store.Store, logger *slog.Logger, r Refusal) {
	var e *models.Error
	if !errors.As(r.Err, &e) || !refusalCodes[e.Code] {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refusalWriteTimeout)
	defer cancel()
	if err := recordRefusal(ctx, st, r, e); err != nil {
		logger.Warn("refused act not audited", "act", r.Act, "actor", r.Actor.Subject, "err", err)
	}
}

func recordRefusal(ctx context.Context, st *store.Store, r Refusal, why *models.Error) error {
	dossierID, err := refusedDossier(ctx, st, r)
	if err != nil || dossierID == "" {
		return err
	}
	roles := make([]string, len(r.Actor.Roles))
	for i, role := range r.Actor.Roles {
		roles[i] = string(role)
	}
	detail := fmt.Sprintf("%s by %s [%s] refused, %s: %s", r.Act, r.Actor.Subject, strings.Join(roles, ","), why.Code, why.Message)
	return st.Audit(ctx, "refused/"+uuid.NewString(),
		models.AuditEvent{DossierID: dossierID, Actor: r.Actor.Subject, Action: models.AuditRefusedAttempt, Detail: detail})
}

// refusedDossier is the dossier a refused act aimed at, "" when it does not exist.
func refusedDossier(ctx context.Context, st *store.Store, r Refusal) (string, error) {
	if r.DossierID == "" {
		if r.TaskID == "" {
			return "", nil
		}
		t, err := st.Task(ctx, r.TaskID)
		if models.ErrorCode(err) == models.ENotFound {
			return "", nil
		}
		return t.DossierID, err
	}
	if _, err := uuid.Parse(r.DossierID); err != nil {
		return "", nil
	}
	d, err := st.Dossier(ctx, r.DossierID)
	if models.ErrorCode(err) == models.ENotFound {
		return "", nil
	}
	return d.ID, err
}
