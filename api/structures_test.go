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

// structuresServer serves the API over a SQLite store holding département 90 (three
// communes) and Rennes, and returns it with an administrator's token.
func structuresServer(t *testing.T) (http.Handler, *Authenticator) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "api.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	require.NoError(t, st.ImportRegistry(ctx, []models.Collectivite{
		{Type: models.TypeDepartement, Code: "90", Name: "Territoire de Belfort", Departement: "90", Region: "27", Population: 3_500},
		{Type: models.TypeCommune, Code: "90001", Siren: "219000011", Name: "Aaa", Departement: "90", Region: "27", Population: 1_000},
		{Type: models.TypeCommune, Code: "90002", Siren: "219000029", Name: "Bbb", Departement: "90", Region: "27", Population: 2_000},
		{Type: models.TypeCommune, Code: "90003", Siren: "219000037", Name: "Ccc", Departement: "90", Region: "27", Population: 500},
		{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Name: "Rennes", Departement: "35", Region: "53", Population: 220_000},
	}, nil))
	auth := NewAuthenticator(openAPITestSecret, "", "", "")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := &Server{Store: st, Auth: auth, Logger: logger, TemporalTimeout: time.Second, Filing: &filing.Service{Store: st, Logger: logger}}
	return srv.Handler(), auth
}

func TestPutStructure(t *testing.T) {
	h, auth := structuresServer(t)
	mint := func(p models.Principal) string {
		tok, err := auth.Mint(p, time.Hour)
		require.NoError(t, err)
		return tok
	}
	admin := mint(models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}})
	put := func(token, siren, body string) (int, map[string]any) {
		req := httptest.NewRequest(http.MethodPut, "/api/v1/collectivites/"+siren, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
		return rec.Code, out
	}
	fieldsOf := func(body map[string]any) map[string]any {
		e, _ := body["error"].(map[string]any)
		f, _ := e["fields"].(map[string]any)
		return f
	}

	status, body := put(admin, "229000013", `{"name":"Département du Territoire de Belfort","legal_form":"7220","departements":["90"]}`)
	require.Equal(t, http.StatusOK, status, body)
	col := body["collectivite"].(map[string]any)
	require.Equal(t, "departement", col["type"])
	require.Equal(t, "90", col["code"])
	require.Equal(t, "229000013", col["siren"])
	require.EqualValues(t, 3_500, col["population"])
	cov := body["coverage"].(map[string]any)
	require.Equal(t, []any{"90"}, cov["whole_departements"])
	require.EqualValues(t, 3, cov["communes"])

	status, body = put(admin, "200079994", `{"siren":"200079994","name":"SM","legal_form":"7354","communes":["90001","35238"]}`)
	require.Equal(t, http.StatusOK, status, body)
	col = body["collectivite"].(map[string]any)
	require.Equal(t, "structure", col["type"])
	require.EqualValues(t, 221_000, col["population"])
	require.Equal(t, "35", col["departement"])
	require.Equal(t, map[string]any{"communes": []any{"90001", "35238"}}, col["territory"])

	for _, tt := range []struct {
		name, token, siren, body string
		status                   int
		fields                   []string
	}{
		{"no token", "", "200079994", `{}`, http.StatusUnauthorized, nil},
		{"an applicant", mint(models.Principal{Subject: "a", Roles: []models.Role{models.RoleApplicant}, Siren: "213502388"}), "200079994",
			`{"name":"SM","legal_form":"7354","communes":["90001"]}`, http.StatusForbidden, nil},
		{"an instructor", mint(models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"*"}}), "200079994",
			`{"name":"SM","legal_form":"7354","communes":["90001"]}`, http.StatusForbidden, nil},
		{"a bad SIREN in the path", admin, "200079995", `{"name":"SM","legal_form":"7354","communes":["90001"]}`, http.StatusUnprocessableEntity, []string{"siren"}},
		{"another SIREN in the body", admin, "200079994", `{"siren":"130029994","name":"SM","legal_form":"7354","communes":["90001"]}`,
			http.StatusUnprocessableEntity, []string{"siren"}},
		{"malformed JSON", admin, "200079994", `{"name":`, http.StatusBadRequest, nil},
		{"an unknown field", admin, "200079994", `{"name":"SM","legal_form":"7354","population":5}`, http.StatusBadRequest, nil},
		{"a list of the wrong type", admin, "200079994", `{"name":"SM","legal_form":"7354","communes":"90001"}`, http.StatusBadRequest, []string{"communes"}},
		{"field rules", admin, "200079994", `{"name":"","legal_form":"7210","communes":["9000"]}`, http.StatusUnprocessableEntity,
			[]string{"name", "legal_form", "communes"}},
		{"codes the registry lacks", admin, "200079994", `{"name":"SM","legal_form":"7354","communes":["90001","13055"],"epcis":["200072452"],"departements":["13"]}`,
			http.StatusUnprocessableEntity, []string{"communes", "epcis", "departements"}},
		{"a commune's SIREN", admin, "213502388", `{"name":"SM","legal_form":"7354","communes":["90001"]}`, http.StatusConflict, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := put(tt.token, tt.siren, tt.body)
			require.Equal(t, tt.status, status, body)
			e, _ := body["error"].(map[string]any)
			require.NotEmpty(t, e["message"], "the answer names the problem")
			fields := fieldsOf(body)
			for _, f := range tt.fields {
				require.Contains(t, fields, f)
			}
			require.Len(t, fields, len(tt.fields), fields)
		})
	}
	_, body = put(admin, "200079994", `{"name":"SM","legal_form":"7354","communes":["90001","13055"],"epcis":["200072452"]}`)
	require.Equal(t, map[string]any{"communes": "unknown to the registry: 13055", "epcis": "unknown to the registry: 200072452"}, fieldsOf(body))
}
