package api

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// TestListDoneTasks: GET /api/v1/tasks?state=done lists the tasks the caller completed,
// the latest first, a page at a time; nobody else's, whatever the roles and scopes (an
// instructor of the same département, an administrator, the dossier's applicant see none
// of them); the inbox's filters and bad cursors are 422s naming them; CSV through Accept.
func TestListDoneTasks(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "done.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(ctx))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := &Server{Store: st, Auth: NewAuthenticator(openAPITestSecret, "", "", ""), Logger: logger, TemporalTimeout: time.Second,
		Filing: &filing.Service{Store: st, Logger: logger}}
	h := s.Handler()
	mint := func(p models.Principal) string {
		tok, err := s.Auth.Mint(p, time.Hour)
		require.NoError(t, err)
		return tok
	}
	paris := models.Principal{Subject: "instr.paris", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"75"}}
	other := models.Principal{Subject: "instr.paris.2", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"75"}}
	admin := models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}}
	applicant := models.Principal{Subject: "agent.paris", Roles: []models.Role{models.RoleApplicant}, Siren: "217500016"}

	// Three tasks completed by the instructor, one by the other, one still open.
	var mine []string
	for i := range 5 {
		id := uuid.NewString()
		_, _, err := st.CreateDossier(ctx, models.Dossier{ID: id, Kind: models.KindAAP, Status: models.StatusPreselection,
			ApplicantSiren: "217500016", Departement: "75", EnvelopeCode: models.EnvelopeGuichet, Payload: []byte(`{}`), CreatedBy: "agent.paris"},
			store.IdempotencyKey{}, nil)
		require.NoError(t, err)
		task := models.Task{ID: models.TaskID(id, models.TaskPreselection, 1), DossierID: id, Type: models.TaskPreselection,
			Role: models.RoleInstructor, Scope: models.DepartementScope("75"), Status: models.TaskOpen, CreatedAt: time.Now()}
		require.NoError(t, st.CreateTask(ctx, task))
		switch {
		case i < 3:
			require.NoError(t, st.CloseTask(ctx, task.ID, paris.Subject, models.OutcomePreselect, fmt.Sprintf("motivation %d", i), nil))
			mine = append([]string{task.ID}, mine...) // the latest first
			time.Sleep(5 * time.Millisecond)          // distinct completion times
		case i == 3:
			require.NoError(t, st.CloseTask(ctx, task.ID, other.Subject, models.OutcomeReject, "hors du champ", nil))
		}
	}

	type taskPage struct {
		Items      []models.Task `json:"items"`
		NextCursor string        `json:"next_cursor"`
	}
	list := func(token, query string) (int, taskPage, string) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/tasks"+query, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var p taskPage
		if rec.Code == http.StatusOK {
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
		}
		return rec.Code, p, rec.Body.String()
	}
	ids := func(p taskPage) []string {
		out := []string{}
		for _, task := range p.Items {
			out = append(out, task.ID)
		}
		return out
	}

	status, page, body := list(mint(paris), "?state=done")
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, mine, ids(page), "the caller's, the latest first")
	require.Equal(t, models.TaskDone, page.Items[0].Status)
	require.Equal(t, "motivation 2", page.Items[0].Comment)

	// A page at a time: 2, then 1, no cursor after the last.
	status, page, body = list(mint(paris), "?state=done&limit=2")
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, mine[:2], ids(page))
	require.NotEmpty(t, page.NextCursor)
	status, page, body = list(mint(paris), "?state=done&limit=2&cursor="+page.NextCursor)
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, mine[2:], ids(page))
	require.Empty(t, page.NextCursor)

	// Nobody else's: the other instructor of the same département has one; an
	// administrator, who sees every dossier, and the dossiers' applicant have none.
	_, page, _ = list(mint(other), "?state=done")
	require.Len(t, page.Items, 1)
	_, page, _ = list(mint(admin), "?state=done")
	require.Empty(t, page.Items)
	_, page, _ = list(mint(applicant), "?state=done")
	require.Empty(t, page.Items)
	// The inbox (state=open, the default) still lists the open task only.
	_, page, _ = list(mint(paris), "?state=open")
	require.Len(t, page.Items, 1)
	require.Equal(t, models.TaskOpen, page.Items[0].Status)

	// Bad input: each a 422 naming its field; no token, a 401.
	badCursor := base64.RawURLEncoding.EncodeToString([]byte("yesterday|x"))
	for query, field := range map[string]string{
		"?state=closed":                   "state",
		"?state=done&type=preselection":   "type",
		"?state=done&sort=due":            "sort",
		"?state=done&assigned=me":         "assigned",
		"?state=done&cursor=" + badCursor: "cursor",
		"?state=done&cursor=!!!":          "cursor",
		"?state=done&limit=0":             "limit",
	} {
		status, _, body = list(mint(paris), query)
		require.Equal(t, http.StatusUnprocessableEntity, status, query)
		require.Contains(t, body, `"`+field+`"`, query)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v1/tasks?state=done", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusUnauthorized, rec.Code)

	// CSV: every completed task of the caller, in the workspace's columns.
	req = httptest.NewRequest(http.MethodGet, "/api/v1/tasks?state=done", nil)
	req.Header.Set("Authorization", "Bearer "+mint(paris))
	req.Header.Set("Accept", "text/csv")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 1+len(mine))
	require.Len(t, rows[0], len(DoneTaskColumns))
	dossier, _, _ := strings.Cut(mine[0], ".")
	require.Contains(t, rows[1], dossier, "the latest first")
}
