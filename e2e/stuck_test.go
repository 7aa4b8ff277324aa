package e2e

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // the test's own connection, for its trigger
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/relance/relance/config"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// stuckList follows every page of GET /admin/stuck (with query, e.g. "trouble=no_workflow").
func (s *stack) stuckList(t *testing.T, token, query string) []models.StuckDossier {
	t.Helper()
	var all []models.StuckDossier
	cursor := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 100, "the list ends")
		path := "/api/v1/admin/stuck?limit=2&" + query
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		r := s.call(t, http.MethodGet, path, token, nil)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var page struct {
			Items      []models.StuckDossier `json:"items"`
			NextCursor string                `json:"next_cursor"`
		}
		r.decode(t, &page)
		require.LessOrEqual(t, len(page.Items), 4, "a page is bounded by its limit (a dossier may have two troubles)")
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cursor = page.NextCursor
	}
}

// cursorOf encodes a cursor as the API does, to forge one.
func cursorOf(raw string) string { return base64.RawURLEncoding.EncodeToString([]byte(raw)) }

// troubleOf returns the row of the dossier with that trouble, if listed.
func troubleOf(rows []models.StuckDossier, dossierID string, trouble models.Trouble) (models.StuckDossier, bool) {
	for _, r := range rows {
		if r.DossierID == dossierID && r.Trouble == trouble {
			return r, true
		}
	}
	return models.StuckDossier{}, false
}

// fileGuichet files a guichet application and waits for its workflow to reach want.
func fileGuichet(t *testing.T, s *stack, siren string, app models.GuichetApplication, want models.Status) dossierView {
	t.Helper()
	token := s.token(t, applicantOf(siren))
	r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", token, app)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var d models.Dossier
	r.decode(t, &d)
	return s.waitStatus(t, token, d.ID, want)
}

// TestStuckDossiersFoundAndUnstuck makes a dossier of each kind of trouble the real stack
// can make: two overdue disbursements (due in 2 s), a dossier whose workflow an operator
// terminated while its row says it awaits payment, and a dossier whose row was written
// behind its workflow's back. /admin/stuck finds each, with a link to its workflow; the
// administrator's actions unstick them: reassign and extend, reset, withdraw.
func TestStuckDossiersFoundAndUnstuck(t *testing.T) {
	files := newStackFiles(t)
	files.tune = func(c *config.Config) {
		c.DueDisbursement, c.ReminderLead = 2*time.Second, time.Second
		c.TemporalUIURL, c.StuckGrace = "https://temporal.example.fr", 0
		c.ReconcilePeriod, c.ReconcileGrace = time.Second, 8*time.Second
	}
	s := startStack(t, files)
	ctx := context.Background()
	admin, finance := s.token(t, administrator), s.token(t, financeOfficer)
	financeBis := models.Principal{Subject: "finance.bis", Name: "Finance bis", Roles: []models.Role{models.RoleFinance}}

	funded := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 200_000, Checklist: completeChecklist(models.GuichetFranceConnect)}
	overdue := fileGuichet(t, s, sirenParis, funded, models.StatusAwaitingPayment)
	terminated := fileGuichet(t, s, sirenRennes, funded, models.StatusAwaitingPayment)
	tampered := fileGuichet(t, s, sirenLyon, models.GuichetApplication{Kind: models.GuichetAPI, APIName: "api_entreprise", ProjectCostCents: 300_000,
		Checklist: completeChecklist(models.GuichetAPI, "cadre_juridique")}, models.StatusIncomplete)

	// An operator terminates a workflow; someone writes a row by hand.
	require.NoError(t, s.Temporal.TerminateWorkflow(ctx, terminated.WorkflowID(), "", "operator error"))
	require.NoError(t, s.Store.SetDossierStatus(ctx, tampered.ID, store.StatusChange{Status: models.StatusPreselection}))
	// A filing whose API died between the insert and the start: the reconciler's work.
	var filed models.GuichetApplication
	require.NoError(t, json.Unmarshal(overdue.Payload, &filed))
	payload, err := json.Marshal(filed)
	require.NoError(t, err)
	unstarted, _, err := s.Store.CreateDossier(ctx, models.Dossier{ID: uuid.NewString(), Kind: models.KindGuichet, Status: models.StatusSubmitted,
		ApplicantSiren: sirenMarseille, Departement: "13", Region: "93", EnvelopeCode: models.EnvelopeGuichet, Payload: payload,
		CreatedBy: applicantOf(sirenMarseille).Subject}, store.IdempotencyKey{}, nil)
	require.NoError(t, err)

	// Each is found, with its details and a link to its workflow.
	var rows []models.StuckDossier
	require.Eventually(t, func() bool {
		rows = s.stuckList(t, admin, "")
		_, a := troubleOf(rows, overdue.ID, models.TroubleOverdueTask)
		_, b := troubleOf(rows, terminated.ID, models.TroubleNoWorkflow)
		_, c := troubleOf(rows, tampered.ID, models.TroubleStatusMismatch)
		_, e := troubleOf(rows, unstarted.ID, models.TroubleNoWorkflow)
		return a && b && c && e
	}, 20*time.Second, 200*time.Millisecond, "every stuck dossier is listed")
	late, _ := troubleOf(rows, overdue.ID, models.TroubleOverdueTask)
	require.Equal(t, overdue.Tasks[0].ID, late.TaskID)
	require.Equal(t, []string{"POST /api/v1/tasks/" + late.TaskID + "/reassign", "POST /api/v1/tasks/" + late.TaskID + "/extend"}, late.Actions,
		"a dossier awaiting payment is no longer withdrawn")
	require.Contains(t, late.Details, "disbursement task for the finance role was due")
	require.Equal(t, "https://temporal.example.fr/namespaces/default/workflows?query="+url.QueryEscape(fmt.Sprintf("WorkflowId=%q", overdue.WorkflowID())),
		late.WorkflowURL)
	gone, _ := troubleOf(rows, terminated.ID, models.TroubleNoWorkflow)
	require.Equal(t, "terminated", gone.WorkflowState)
	require.Equal(t, models.StatusAwaitingPayment, gone.WorkflowStatus)
	require.Contains(t, gone.WorkflowURL, "https://temporal.example.fr/namespaces/default/workflows/"+terminated.WorkflowID()+"/")
	never, _ := troubleOf(rows, unstarted.ID, models.TroubleNoWorkflow)
	require.Contains(t, never.Details, "its process was never started, which the reconciler does")
	mismatch, _ := troubleOf(rows, tampered.ID, models.TroubleStatusMismatch)
	require.Equal(t, models.StatusPreselection, mismatch.Status)
	require.Equal(t, models.StatusIncomplete, mismatch.WorkflowStatus)
	require.Equal(t, "running", mismatch.WorkflowState)
	require.Equal(t, []string{"POST /api/v1/dossiers/" + tampered.ID + "/withdraw"}, mismatch.Actions)
	require.Empty(t, gone.Actions, "a terminated workflow is reset in Temporal")
	_, listed := troubleOf(rows, overdue.ID, models.TroubleStatusMismatch)
	require.False(t, listed, "a dossier whose row and workflow agree is no mismatch")
	for _, trouble := range models.Troubles {
		for _, r := range s.stuckList(t, admin, "trouble="+string(trouble)) {
			require.Equal(t, trouble, r.Trouble, "the filter keeps its trouble only")
		}
	}

	t.Run("overdue: reassigned, then extended", func(t *testing.T) {
		task := overdue.Tasks[0].ID
		r := s.call(t, http.MethodPost, "/api/v1/tasks/"+task+"/reassign", finance, map[string]string{"assignee": financeBis.Subject, "reason": "on leave"})
		require.Equal(t, http.StatusForbidden, r.Status, "an administrator's act")
		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+task+"/reassign", admin, map[string]string{"assignee": financeBis.Subject})
		require.Equal(t, http.StatusUnprocessableEntity, r.Status)
		_, fields := r.errorCode(t)
		require.Contains(t, fields, "reason")
		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+task+"/reassign", admin, map[string]string{"assignee": financeBis.Subject, "reason": "finance.anct is on leave"})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var reassigned models.Task
		r.decode(t, &reassigned)
		require.Equal(t, models.TaskClaimed, reassigned.Status)
		require.Equal(t, financeBis.Subject, reassigned.Assignee)
		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+task+"/complete", finance,
			map[string]any{"outcome": "paid", "data": map[string]string{"paid_on": today(), "reference": "VIR-NOT-MINE"}})
		require.Equal(t, http.StatusConflict, r.Status, "the task is finance.bis's now")

		for body, field := range map[string]string{
			`{"due_at": "2020-01-01T00:00:00Z", "reason": "on leave"}`:                                    "due_at",
			`{"due_at": "` + time.Now().Add(time.Hour).Format(time.RFC3339) + `", "reason": ""}`:          "reason",
			`{"reason": "no date at all"}`:                                                                "due_at",
			`{"due_at": "` + time.Now().Add(time.Hour).Format(time.RFC3339) + `", "reason": "x", "y": 1}`: "",
		} {
			r = s.call(t, http.MethodPost, "/api/v1/tasks/"+task+"/extend", admin, []byte(body))
			if field == "" {
				require.Equal(t, http.StatusBadRequest, r.Status, "an unknown field: %s", r.Body)
				continue
			}
			require.Equal(t, http.StatusUnprocessableEntity, r.Status, string(r.Body))
			_, fields := r.errorCode(t)
			require.Contains(t, fields, field, body)
		}
		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+task+"/extend", admin, []byte(`{"due_at": "tomorrow", "reason": "on leave"}`))
		require.Equal(t, http.StatusBadRequest, r.Status, string(r.Body))

		newDue := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+task+"/extend", admin, map[string]any{"due_at": newDue, "reason": "the payment run is next week"})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var extended models.Task
		r.decode(t, &extended)
		require.True(t, newDue.Equal(*extended.DueAt))
		require.Nil(t, extended.EscalatedAt, "overdue no more")
		_, listed := troubleOf(s.stuckList(t, admin, "trouble=overdue_task"), overdue.ID, models.TroubleOverdueTask)
		require.False(t, listed)
		require.Eventually(t, func() bool {
			resp, err := s.Temporal.ListWorkflow(ctx, visibilityQuery(fmt.Sprintf(`WorkflowId = %q AND OverdueTask IS NULL`, overdue.WorkflowID())))
			return err == nil && len(resp.Executions) == 1
		}, 10*time.Second, 100*time.Millisecond, "the workflow's OverdueTask search attribute is cleared")

		complete(t, s, s.token(t, financeBis), task, "paid", "", map[string]string{"paid_on": today(), "reference": "VIR-BIS"}, models.StatusPaid)
		view := s.waitStatus(t, admin, overdue.ID, models.StatusPaid)
		recordHistory(t, s, overdue.ID, "guichet_reassigned_extended_paid.json")
		details := map[string]string{}
		for _, a := range view.Audit {
			details[a.Action] += a.Detail + "|"
		}
		require.Contains(t, details[models.AuditTaskReassigned], "reassigned from nobody to finance.bis by admin: finance.anct is on leave")
		require.Contains(t, details[models.AuditTaskExtended], "moved by admin: the payment run is next week")
		require.Contains(t, details[models.AuditRefusedAttempt], "/reassign by finance.anct", "the refused attempt is audited")
		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+task+"/extend", admin, map[string]any{"due_at": newDue.Add(time.Hour), "reason": "too late"})
		require.Equal(t, http.StatusConflict, r.Status, "a done task keeps its due date")
	})

	t.Run("no workflow: reset in Temporal", func(t *testing.T) {
		// The runbook's action: reset the workflow to its last completed workflow task.
		var last int64
		it := s.Temporal.GetWorkflowHistory(ctx, terminated.WorkflowID(), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			e, err := it.Next()
			require.NoError(t, err)
			if e.EventType == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
				last = e.EventId
			}
		}
		_, err := s.Temporal.ResetWorkflowExecution(ctx, &workflowservice.ResetWorkflowExecutionRequest{Namespace: "default",
			WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: terminated.WorkflowID()}, Reason: "terminated by mistake",
			WorkflowTaskFinishEventId: last, RequestId: uuid.NewString()})
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			_, listed := troubleOf(s.stuckList(t, admin, "trouble=no_workflow"), terminated.ID, models.TroubleNoWorkflow)
			return !listed
		}, 10*time.Second, 200*time.Millisecond, "running again")
		complete(t, s, finance, terminated.Tasks[0].ID, "paid", "", map[string]string{"paid_on": today(), "reference": "VIR-RESET"}, models.StatusPaid)
		recordHistory(t, s, terminated.ID, "guichet_reset_paid.json")
	})

	t.Run("never started: started by the reconciler", func(t *testing.T) {
		require.Eventually(t, func() bool {
			_, listed := troubleOf(s.stuckList(t, admin, "trouble=no_workflow"), unstarted.ID, models.TroubleNoWorkflow)
			return !listed
		}, 30*time.Second, 500*time.Millisecond, "the reconciler starts its process after RECONCILE_GRACE")
		s.waitStatus(t, admin, unstarted.ID, models.StatusAwaitingPayment)
	})

	t.Run("status mismatch: withdrawn", func(t *testing.T) {
		r := s.call(t, http.MethodPost, "/api/v1/dossiers/"+tampered.ID+"/withdraw", admin, map[string]string{"reason": "its row was edited by hand"})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		s.waitStatus(t, admin, tampered.ID, models.StatusWithdrawn)
		require.Eventually(t, func() bool {
			for _, r := range s.stuckList(t, admin, "") {
				if r.DossierID == tampered.ID {
					return false
				}
			}
			return true
		}, 10*time.Second, 200*time.Millisecond, "a withdrawn dossier is stuck no more")
	})
}

// TestStuckBadInputAndRoles: the list and the actions are an administrator's, and name
// what is wrong with their input.
func TestStuckBadInputAndRoles(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	admin, finance := s.token(t, administrator), s.token(t, financeOfficer)
	instr := s.token(t, models.Principal{Subject: "instr", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}})
	r := s.call(t, http.MethodGet, "/api/v1/admin/stuck", admin, nil)
	require.Equal(t, http.StatusOK, r.Status)
	var first map[string]json.RawMessage
	r.decode(t, &first)
	require.JSONEq(t, "[]", string(first["items"]), "nothing is stuck on a fresh stack")

	d := fileGuichet(t, s, sirenParis, models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 200_000,
		Checklist: completeChecklist(models.GuichetFranceConnect)}, models.StatusAwaitingPayment)
	task := "/api/v1/tasks/" + d.Tasks[0].ID
	inAWeek := time.Now().Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339) // before the 30-day due date
	inTwoMonths := time.Now().Add(60 * 24 * time.Hour).UTC().Format(time.RFC3339)
	s.expectAll(t, []badRequest{
		{"stuck without admin (finance)", "GET", "/api/v1/admin/stuck", finance, nil, 403, models.EForbidden, ""},
		{"stuck without admin (applicant)", "GET", "/api/v1/admin/stuck", s.token(t, applicantOf(sirenParis)), nil, 403, models.EForbidden, ""},
		{"stuck without admin (instructor)", "GET", "/api/v1/admin/stuck", instr, nil, 403, models.EForbidden, ""},
		{"stuck without token", "GET", "/api/v1/admin/stuck", "", nil, 401, models.EUnauthorized, ""},
		{"stuck, unknown trouble", "GET", "/api/v1/admin/stuck?trouble=stalled", admin, nil, 422, models.EInvalid, "trouble"},
		{"stuck, limit 0", "GET", "/api/v1/admin/stuck?limit=0", admin, nil, 422, models.EInvalid, "limit"},
		{"stuck, limit 101", "GET", "/api/v1/admin/stuck?limit=101", admin, nil, 422, models.EInvalid, "limit"},
		{"stuck, cursor not base64", "GET", "/api/v1/admin/stuck?cursor=%25%25", admin, nil, 422, models.EInvalid, "cursor"},
		{"stuck, forged phase", "GET", "/api/v1/admin/stuck?cursor=" + cursorOf("elsewhere|x"), admin, nil, 422, models.EInvalid, "cursor"},
		{"stuck, forged due date", "GET", "/api/v1/admin/stuck?cursor=" + cursorOf("tasks|not-a-time|x"), admin, nil, 422, models.EInvalid, "cursor"},
		{"reassign without admin", "POST", task + "/reassign", finance, map[string]string{"assignee": "x", "reason": "on leave"}, 403, models.EForbidden, ""},
		{"reassign an unknown task", "POST", "/api/v1/tasks/nope/reassign", admin, map[string]string{"assignee": "x", "reason": "on leave"}, 404, models.ENotFound, ""},
		{"reassign, malformed", "POST", task + "/reassign", admin, []byte(`{"assignee":`), 400, models.EMalformed, ""},
		{"reassign, unknown field", "POST", task + "/reassign", admin, []byte(`{"assignee":"x","reason":"on leave","when":"now"}`), 400, models.EMalformed, ""},
		{"reassign, no assignee", "POST", task + "/reassign", admin, map[string]string{"reason": "on leave"}, 422, models.EInvalid, "assignee"},
		{"reassign, blank assignee", "POST", task + "/reassign", admin, map[string]string{"assignee": "  ", "reason": "on leave"}, 422, models.EInvalid, "assignee"},
		{"reassign, short reason", "POST", task + "/reassign", admin, map[string]string{"assignee": "x", "reason": "no"}, 422, models.EInvalid, "reason"},
		{"extend without admin", "POST", task + "/extend", instr, map[string]string{"due_at": inTwoMonths, "reason": "on leave"}, 403, models.EForbidden, ""},
		{"extend an unknown task", "POST", "/api/v1/tasks/nope/extend", admin, map[string]string{"due_at": inTwoMonths, "reason": "on leave"}, 404, models.ENotFound, ""},
		{"extend, bad date", "POST", task + "/extend", admin, map[string]string{"due_at": "next month", "reason": "on leave"}, 400, models.EMalformed, ""},
		{"extend, no date", "POST", task + "/extend", admin, map[string]string{"reason": "on leave"}, 422, models.EInvalid, "due_at"},
		{"extend into the past", "POST", task + "/extend", admin, map[string]string{"due_at": "2020-01-01T00:00:00Z", "reason": "on leave"}, 422, models.EInvalid, "due_at"},
		{"extend to before the due date", "POST", task + "/extend", admin, map[string]string{"due_at": inAWeek, "reason": "on leave"}, 422, models.EInvalid, "due_at"},
		{"extend, no reason", "POST", task + "/extend", admin, map[string]string{"due_at": inTwoMonths}, 422, models.EInvalid, "reason"},
		{"extend: an administrator may", "POST", task + "/extend", admin, map[string]string{"due_at": inTwoMonths, "reason": "the payment run moved"}, 200, "", ""},
		{"reassign: an administrator may", "POST", task + "/reassign", admin, map[string]string{"assignee": "finance.bis", "reason": "on leave"}, 200, "", ""},
		{"reassign to the same person", "POST", task + "/reassign", admin, map[string]string{"assignee": "finance.bis", "reason": "on leave"}, 409, models.EConflict, ""},
	})
	r = s.call(t, http.MethodPost, task+"/unclaim", admin, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var released models.Task
	r.decode(t, &released)
	require.Equal(t, models.TaskOpen, released.Status)
	require.Empty(t, released.Assignee, "an administrator frees a reassigned task: the answer names nobody")

	var trail dossierView
	s.call(t, http.MethodGet, "/api/v1/dossiers/"+d.ID, admin, nil).decode(t, &trail)
	refused := 0
	for _, e := range trail.Audit {
		if e.Action == models.AuditRefusedAttempt {
			refused++
		}
	}
	require.Equal(t, 10, refused, "every refused act on the task (two 403, seven 422, one 409) is in its dossier's trail: %v", trail.Audit)
}

// TestRetryingLocalActivityIsFound makes the database refuse to close one task (a trigger
// raises on its row), then has the finance officer pay it: the workflow's CloseTask local
// activity retries. Its attempts stay in the worker at first (the workflow task is kept
// open by heartbeats); once its backoff outgrows the workflow task timeout, the SDK records
// the failed attempt in a marker and waits on a timer, where /admin/stuck reads the attempt
// and the failure. Once the trigger goes, the dossier is paid and stuck no more.
func TestRetryingLocalActivityIsFound(t *testing.T) {
	files := newStackFiles(t)
	if !strings.HasPrefix(files.databaseURL, "postgres") {
		t.Skip("the trigger that fails the activity is PostgreSQL's: set TEST_DATABASE_URL")
	}
	files.tune = func(c *config.Config) { c.StuckGrace = 0 }
	s := startStack(t, files)
	admin, finance := s.token(t, administrator), s.token(t, financeOfficer)
	d := fileGuichet(t, s, sirenMarseille, models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 200_000,
		Checklist: completeChecklist(models.GuichetFranceConnect)}, models.StatusAwaitingPayment)
	task := d.Tasks[0].ID

	db, err := sql.Open("pgx", files.databaseURL)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`CREATE FUNCTION refuse_close() RETURNS trigger AS $$
		BEGIN RAISE EXCEPTION 'task % is locked by the test', OLD.id; END $$ LANGUAGE plpgsql`)
	require.NoError(t, err)
	_, err = db.Exec(fmt.Sprintf(`CREATE TRIGGER refuse_close BEFORE UPDATE ON tasks FOR EACH ROW WHEN (OLD.id = '%s')
		EXECUTE FUNCTION refuse_close()`, task))
	require.NoError(t, err)

	// The Update waits for a workflow that cannot go on: the API answers 503 at its timeout.
	paid := make(chan answer, 1)
	go func() {
		paid <- s.try(http.MethodPost, "/api/v1/tasks/"+task+"/complete", finance, map[string]any{"outcome": "paid",
			"data": map[string]string{"paid_on": today(), "reference": "VIR-RETRY"}})
	}()
	var row models.StuckDossier
	var held []string
	require.Eventually(t, func() bool {
		for _, r := range s.stuckList(t, admin, "trouble=retrying") {
			switch {
			case r.DossierID != d.ID:
			case r.Attempt > 1:
				row = r
				return true
			default:
				held = append(held, r.Details)
			}
		}
		return false
	}, 45*time.Second, 500*time.Millisecond, "the retrying local activity is found")
	require.NotEmpty(t, held, "first seen as a workflow task the worker holds (from 5 s until its heartbeat at 8 s)")
	require.Contains(t, held[0], "the worker has held the workflow task for")
	require.Contains(t, row.LastFailure, "is locked by the test")
	require.Contains(t, row.Details, "local activity CloseTask failed on attempt")
	require.Equal(t, models.StatusAwaitingPayment, row.Status)
	require.Contains(t, row.WorkflowURL, "/workflows/"+d.WorkflowID()+"/")
	require.Equal(t, http.StatusServiceUnavailable, (<-paid).status)

	_, err = db.Exec(`DROP TRIGGER refuse_close ON tasks`)
	require.NoError(t, err)
	deadline := time.Now().Add(90 * time.Second) // the next attempt comes after a backoff of up to a minute
	for {
		var v dossierView
		s.call(t, http.MethodGet, "/api/v1/dossiers/"+d.ID, admin, nil).decode(t, &v)
		if v.Status == models.StatusPaid {
			break
		}
		require.True(t, time.Now().Before(deadline), "paid once the database accepts the write")
		time.Sleep(time.Second)
	}
	for _, r := range s.stuckList(t, admin, "trouble=retrying") {
		require.NotEqual(t, d.ID, r.DossierID, "stuck no more")
	}
}
