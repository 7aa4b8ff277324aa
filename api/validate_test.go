package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// testAPI serves the router over an empty store and without Temporal: enough for what
// answers before either is reached (authentication, which reads the table of people,
// body limits, field rules).
func testAPI(t *testing.T) (*httptest.Server, *Authenticator) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "api.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	auth := NewAuthenticator(openAPITestSecret, "", "", "")
	logger := slog.New(slog.DiscardHandler)
	srv := httptest.NewServer((&Server{Store: st, Auth: auth, Logger: logger, Filing: &filing.Service{Store: st, Logger: logger}}).Handler())
	t.Cleanup(srv.Close)
	return srv, auth
}

func post(t *testing.T, srv *httptest.Server, token, path string, body io.Reader) (int, errorBody) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, body)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out errorBody
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

// TestBodyOverLimitIs413 sends a body over the limit with its length, and in chunks
// without one: both answer 413, before anything reads it as JSON.
func TestBodyOverLimitIs413(t *testing.T) {
	srv, auth := testAPI(t)
	token, err := auth.Mint(models.Principal{Subject: "paris", Roles: []models.Role{models.RoleApplicant}, Siren: "217500016"}, time.Hour)
	require.NoError(t, err)
	big := `{"kind":"` + strings.Repeat("a", maxBodyBytes) + `"}`

	status, body := post(t, srv, token, "/api/v1/guichet/applications", strings.NewReader(big))
	require.Equal(t, http.StatusRequestEntityTooLarge, status, "sized")
	require.Equal(t, models.EMalformed, body.Error.Code)

	// An io.Reader of unknown length: the client sends it chunked.
	status, body = post(t, srv, token, "/api/v1/guichet/applications", io.MultiReader(strings.NewReader(big)))
	require.Equal(t, http.StatusRequestEntityTooLarge, status, "chunked")
	require.Equal(t, models.EMalformed, body.Error.Code)
	require.Equal(t, "the request body is larger than 1048576 bytes", body.Error.Message)

	// Under the limit, chunked, the body reaches the field rules.
	status, body = post(t, srv, token, "/api/v1/guichet/applications", io.MultiReader(strings.NewReader(`{"kind":"sms","project_cost_cents":1,"checklist":{}}`)))
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Equal(t, map[string]string{"kind": `must be "franceconnect" or "api"`}, body.Error.Fields)
}

// TestFieldRulesAnswer422ByJSONPath checks the error body of invalid requests through the
// router: each field at fault by its JSON path, one message each.
func TestFieldRulesAnswer422ByJSONPath(t *testing.T) {
	srv, auth := testAPI(t)
	admin, err := auth.Mint(models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}}, time.Hour)
	require.NoError(t, err)
	status, body := post(t, srv, admin, "/api/v1/calls", strings.NewReader(`{"strand":"culture","round":1,"title":"Démat",
		"opens_at":"2021-03-01T00:00:00Z","closes_at":"2021-04-01T00:00:00Z","jury":[{"subject":"a","state":true},{"subject":" "}],"chair":"a","quorum":3}`))
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Equal(t, models.EInvalid, body.Error.Code)
	require.Equal(t, map[string]string{
		"strand":          `must be "dematerialisation", "donnees" or "cooperation"`,
		"jury[1].subject": "must not be blank",
		"quorum":          "must be between 1 and the number of members (2)",
	}, body.Error.Fields)
}
