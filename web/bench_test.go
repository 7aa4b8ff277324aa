package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/api"
	"github.com/relance/relance/filing"
	"github.com/relance/relance/internal/testdb"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// BenchmarkInboxRender renders a national instructor's inbox on the server, from the
// request to the last byte of HTML, over 100 open tasks among 1,000 dossiers (the demo has
// a handful), on PostgreSQL when TEST_DATABASE_URL is set, SQLite otherwise. The issue's
// bar is 50 ms.
func BenchmarkInboxRender(b *testing.B) {
	ctx := context.Background()
	url := filepath.Join(b.TempDir(), "bench.db")
	if os.Getenv("TEST_DATABASE_URL") != "" {
		url = testdb.PostgresURL(b)
	}
	st, err := store.Open(url)
	require.NoError(b, err)
	b.Cleanup(func() { _ = st.Close() })
	require.NoError(b, st.Migrate(ctx))
	deps := []string{"13", "33", "35", "59", "69", "75"}
	for i := range 1000 {
		id := uuid.NewString()
		status := models.StatusPaid
		if i%10 == 0 {
			status = models.StatusPreselection
		}
		_, _, err := st.CreateDossier(ctx, models.Dossier{ID: id, Kind: models.KindAAP, Status: status, ApplicantSiren: "217500016",
			ApplicantName: fmt.Sprintf("Collectivité %d", i), Departement: deps[i%len(deps)], EnvelopeCode: models.EnvelopeGuichet,
			Payload: []byte(`{}`), CreatedBy: "agent"}, store.IdempotencyKey{}, nil)
		require.NoError(b, err)
		if status == models.StatusPreselection {
			due := time.Now().Add(time.Duration(i) * time.Hour)
			require.NoError(b, st.CreateTask(ctx, models.Task{ID: models.TaskID(id, models.TaskPreselection, 1), DossierID: id,
				Type: models.TaskPreselection, Role: models.RoleInstructor, Scope: models.DepartementScope(deps[i%len(deps)]),
				Status: models.TaskOpen, DueAt: &due, CreatedAt: time.Now()}))
		}
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := &api.Server{Store: st, Auth: api.NewAuthenticator("bench", "", "", ""), Logger: logger, Filing: &filing.Service{Store: st, Logger: logger}}
	sessions := NewSessions("bench", time.Hour, false)
	pages, err := New(a, sessions, logger)
	require.NoError(b, err)
	a.Pages = pages.Register
	h := a.Handler()
	national := models.Principal{Subject: "instr", Name: "Instructeur", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}}
	cookie, err := sessions.Cookie(national)
	require.NoError(b, err)

	var worst time.Duration
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/taches", nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		worst = max(worst, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("inbox: %d", rec.Code)
		}
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}
