package api

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// TestRefusalsAreAuditedWithoutChangingTheAnswer: a refusal before any workflow is asked
// (here the missing role) lands in the dossier's trail; one on a dossier that does not exist
// lands nowhere; and when the trail cannot be written, the caller gets the same answer.
func TestRefusalsAreAuditedWithoutChangingTheAnswer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	st, err := store.Open(path)
	require.NoError(t, err)
	require.NoError(t, st.Migrate(ctx))
	id := uuid.NewString()
	_, _, err = st.CreateDossier(ctx, models.Dossier{ID: id, Kind: models.KindGuichet, Status: models.StatusChecking,
		ApplicantSiren: "217500016", EnvelopeCode: models.EnvelopeGuichet, Payload: []byte(`{}`), CreatedBy: "agent"}, store.IdempotencyKey{}, nil)
	require.NoError(t, err)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	s := &Server{Store: st, Auth: NewAuthenticator(openAPITestSecret, "", "", ""), Logger: logger, Filing: &filing.Service{Store: st, Logger: logger}}
	h := s.Handler()
	token, err := s.Auth.Mint(models.Principal{Subject: "agent", Roles: []models.Role{models.RoleApplicant}, Siren: "217500016"}, time.Hour)
	require.NoError(t, err)
	withdraw := func(dossier string) (int, string) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/dossiers/"+dossier+"/withdraw", strings.NewReader(`{"reason":"plus besoin"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var body errorBody
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		return rec.Code, body.Error.Code
	}

	status, code := withdraw(id)
	require.Equal(t, http.StatusForbidden, status)
	require.Equal(t, models.EForbidden, code)
	trail, err := st.AuditTrail(ctx, id)
	require.NoError(t, err)
	require.Len(t, trail, 1)
	require.Equal(t, models.AuditRefusedAttempt, trail[0].Action)
	require.Equal(t, "agent", trail[0].Actor)
	require.Contains(t, trail[0].Detail, "POST /api/v1/dossiers/"+id+"/withdraw by agent [applicant] refused, forbidden: ")

	other := uuid.NewString()
	status, _ = withdraw(other)
	require.Equal(t, http.StatusForbidden, status)
	trail, err = st.AuditTrail(ctx, other)
	require.NoError(t, err)
	require.Empty(t, trail, "no trail for a dossier that does not exist")

	// The audit write fails (its table is gone) while the rest of the store answers.
	db, err := gorm.Open(sqlite.Open(path), &gorm.Config{})
	require.NoError(t, err)
	require.NoError(t, db.Exec("DROP TABLE audit_events").Error)
	status, code = withdraw(id)
	require.Equal(t, http.StatusForbidden, status, "the answer does not depend on the audit write")
	require.Equal(t, models.EForbidden, code)
	require.Contains(t, logs.String(), "refused act not audited")
}
