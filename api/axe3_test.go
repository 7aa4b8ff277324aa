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

// axe3Server serves the API over a SQLite store holding the fund's envelopes, Bretagne
// (Ille-et-Vilaine, Finistère) and Île-de-France (Paris), Rennes and its métropole.
func axe3Server(t *testing.T) (http.Handler, func(models.Principal) string) {
	t.Helper()
	h, st, mint := storeServer(t)
	require.NoError(t, st.ImportRegistry(context.Background(), []models.Collectivite{
		{Type: models.TypeRegion, Code: "53", Name: "Bretagne", Region: "53", Population: 1},
		{Type: models.TypeRegion, Code: "11", Name: "Île-de-France", Region: "11", Population: 3},
		{Type: models.TypeDepartement, Code: "35", Name: "Ille-et-Vilaine", Departement: "35", Region: "53", Population: 1},
		{Type: models.TypeDepartement, Code: "29", Name: "Finistère", Departement: "29", Region: "53", Population: 1},
		{Type: models.TypeDepartement, Code: "75", Name: "Paris", Departement: "75", Region: "11", Population: 1},
		{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Name: "Rennes", Departement: "35", Region: "53", Population: 220_000},
		{Type: models.TypeEPCI, Code: "243500139", Siren: "243500139", Name: "Rennes Métropole", Departement: "35", Region: "53",
			Population: 450_000, Members: []string{"213502388"}},
	}, nil))
	return h, mint
}

// storeServer serves the API, without Temporal, over a SQLite store holding the fund's
// envelopes, and mints tokens for it.
func storeServer(t *testing.T) (http.Handler, *store.Store, func(models.Principal) string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "api.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	auth := NewAuthenticator(openAPITestSecret, "", "", "")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := &Server{Store: st, Auth: auth, Logger: logger, TemporalTimeout: time.Second,
		Filing: &filing.Service{Store: st, Logger: logger, Timeout: time.Second}}
	return srv.Handler(), st, func(p models.Principal) string {
		tok, err := auth.Mint(p, time.Hour)
		require.NoError(t, err)
		return tok
	}
}

// apiCase is one request of a bad-input, role or scope table, and what it must answer.
type apiCase struct {
	name, token, method, path, body string
	status                          int
	fields                          []string
}

func call(t *testing.T, h http.Handler, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	return rec.Code, out
}

func runAPICases(t *testing.T, h http.Handler, cases []apiCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			status, body := call(t, h, tt.token, tt.method, tt.path, tt.body)
			require.Equal(t, tt.status, status, body)
			if status < 400 {
				return
			}
			e, _ := body["error"].(map[string]any)
			require.NotEmpty(t, e["message"], "the answer names the problem")
			fields, _ := e["fields"].(map[string]any)
			for _, f := range tt.fields {
				require.Contains(t, fields, f)
			}
			require.Len(t, fields, len(tt.fields), fields)
		})
	}
}

func TestAxe3EnvelopesAPI(t *testing.T) {
	h, mint := axe3Server(t)
	admin := mint(models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}})
	prefet53 := mint(models.Principal{Subject: "prefet53", Roles: []models.Role{models.RolePrefet}, Regions: []string{"53"}})
	prefet11 := mint(models.Principal{Subject: "prefet11", Roles: []models.Role{models.RolePrefet}, Regions: []string{"11"}})
	prefet35 := mint(models.Principal{Subject: "prefet35", Roles: []models.Role{models.RolePrefet}, Departements: []string{"35"}})
	prefet75 := mint(models.Principal{Subject: "prefet75", Roles: []models.Role{models.RolePrefet}, Departements: []string{"75"}})
	instructor := mint(models.Principal{Subject: "i35", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}})
	applicant := mint(models.Principal{Subject: "maire", Roles: []models.Role{models.RoleApplicant}, Siren: "213502388"})

	status, body := call(t, h, admin, http.MethodGet, "/api/v1/axe3/regional-split", "")
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, map[string]any{"53": float64(750_000_000), "11": float64(2_250_000_000)}, body["default"])
	require.Empty(t, body["current"])

	const split = `{"allocations":{"53":750000000,"11":2250000000}}`
	runAPICases(t, h, []apiCase{
		{"split: no token", "", http.MethodPut, "/api/v1/axe3/regional-split", split, http.StatusUnauthorized, nil},
		{"split: a préfet de région", prefet53, http.MethodPut, "/api/v1/axe3/regional-split", split, http.StatusForbidden, nil},
		{"split: malformed", admin, http.MethodPut, "/api/v1/axe3/regional-split", `{"allocations":`, http.StatusBadRequest, nil},
		{"split: empty", admin, http.MethodPut, "/api/v1/axe3/regional-split", `{"allocations":{}}`, http.StatusUnprocessableEntity, []string{"allocations"}},
		{"split: bad région and amount", admin, http.MethodPut, "/api/v1/axe3/regional-split", `{"allocations":{"Bretagne":1,"11":-5}}`,
			http.StatusUnprocessableEntity, []string{"allocations.Bretagne", "allocations[11]"}},
		{"split: does not sum", admin, http.MethodPut, "/api/v1/axe3/regional-split", `{"allocations":{"53":1}}`, http.StatusConflict, nil},
		{"split", admin, http.MethodPut, "/api/v1/axe3/regional-split", split, http.StatusOK, nil},

		{"delegate: an instructor", instructor, http.MethodPut, "/api/v1/axe3/regions/53/delegations/35", `{"amount_cents":1}`, http.StatusForbidden, nil},
		{"delegate: an applicant", applicant, http.MethodPut, "/api/v1/axe3/regions/53/delegations/35", `{"amount_cents":1}`, http.StatusForbidden, nil},
		{"delegate: a préfet of another région", prefet11, http.MethodPut, "/api/v1/axe3/regions/53/delegations/35", `{"amount_cents":1}`, http.StatusForbidden, nil},
		{"delegate: a préfet de département", prefet35, http.MethodPut, "/api/v1/axe3/regions/53/delegations/35", `{"amount_cents":1}`, http.StatusForbidden, nil},
		{"delegate: bad région", prefet53, http.MethodPut, "/api/v1/axe3/regions/bzh/delegations/35", `{"amount_cents":1}`, http.StatusUnprocessableEntity, []string{"region"}},
		{"delegate: bad département", prefet53, http.MethodPut, "/api/v1/axe3/regions/53/delegations/20", `{"amount_cents":1}`, http.StatusUnprocessableEntity, []string{"departement"}},
		{"delegate: département of another région", prefet53, http.MethodPut, "/api/v1/axe3/regions/53/delegations/75", `{"amount_cents":1}`, http.StatusUnprocessableEntity, []string{"departement"}},
		{"delegate: département unknown to the registry", prefet53, http.MethodPut, "/api/v1/axe3/regions/53/delegations/56", `{"amount_cents":1}`, http.StatusNotFound, nil},
		{"delegate: no amount", prefet53, http.MethodPut, "/api/v1/axe3/regions/53/delegations/35", `{}`, http.StatusUnprocessableEntity, []string{"amount_cents"}},
		{"delegate: negative", prefet53, http.MethodPut, "/api/v1/axe3/regions/53/delegations/35", `{"amount_cents":-1}`, http.StatusUnprocessableEntity, []string{"amount_cents"}},
		{"delegate: unknown field", prefet53, http.MethodPut, "/api/v1/axe3/regions/53/delegations/35", `{"amount":1}`, http.StatusBadRequest, nil},
		{"delegate: more than the région", prefet53, http.MethodPut, "/api/v1/axe3/regions/53/delegations/35", `{"amount_cents":750000001}`, http.StatusConflict, nil},
		{"delegate", prefet53, http.MethodPut, "/api/v1/axe3/regions/53/delegations/35", `{"amount_cents":300000000}`, http.StatusOK, nil},
		{"delegate: an administrator", admin, http.MethodPut, "/api/v1/axe3/regions/53/delegations/29", `{"amount_cents":200000000}`, http.StatusOK, nil},

		{"region: an applicant", applicant, http.MethodGet, "/api/v1/axe3/regions/53", "", http.StatusForbidden, nil},
		{"region: not split", prefet53, http.MethodGet, "/api/v1/axe3/regions/84", "", http.StatusNotFound, nil},

		{"rules: préfet of another département", prefet75, http.MethodPut, "/api/v1/axe3/departements/35/rules",
			`{"population_cap":20000,"max_public_rate_percent":80,"weights":[1,1,1,1,1]}`, http.StatusForbidden, nil},
		{"rules: préfet of another région", prefet11, http.MethodPut, "/api/v1/axe3/regions/53/rules",
			`{"population_cap":20000,"max_public_rate_percent":80,"weights":[1,1,1,1,1]}`, http.StatusForbidden, nil},
		{"rules: a préfet de département on its région", prefet35, http.MethodPut, "/api/v1/axe3/regions/53/rules",
			`{"population_cap":20000,"max_public_rate_percent":80,"weights":[1,1,1,1,1]}`, http.StatusForbidden, nil},
		{"rules: an instructor", instructor, http.MethodPut, "/api/v1/axe3/departements/35/rules",
			`{"population_cap":20000,"max_public_rate_percent":80,"weights":[1,1,1,1,1]}`, http.StatusForbidden, nil},
		{"rules: field rules", prefet35, http.MethodPut, "/api/v1/axe3/departements/35/rules",
			`{"population_cap":-1,"max_public_rate_percent":101,"weights":[1,1,1,1,101]}`, http.StatusUnprocessableEntity,
			[]string{"population_cap", "max_public_rate_percent", "weights[4]"}},
		{"rules: missing", prefet35, http.MethodPut, "/api/v1/axe3/departements/35/rules", `{}`, http.StatusUnprocessableEntity,
			[]string{"population_cap", "max_public_rate_percent", "weights"}},
		{"rules: six weights", prefet35, http.MethodPut, "/api/v1/axe3/departements/35/rules",
			`{"population_cap":0,"max_public_rate_percent":80,"weights":[1,1,1,1,1,1]}`, http.StatusUnprocessableEntity, []string{"weights"}},
		{"rules: all weights zero", prefet35, http.MethodPut, "/api/v1/axe3/departements/35/rules",
			`{"population_cap":0,"max_public_rate_percent":80,"weights":[0,0,0,0,0]}`, http.StatusUnprocessableEntity, []string{"weights"}},
		{"rules: unknown département", prefet35, http.MethodPut, "/api/v1/axe3/departements/56/rules",
			`{"population_cap":0,"max_public_rate_percent":80,"weights":[1,1,1,1,1]}`, http.StatusNotFound, nil},
		{"rules: préfet de département", prefet35, http.MethodPut, "/api/v1/axe3/departements/35/rules",
			`{"population_cap":20000,"max_public_rate_percent":70,"weights":[2,1,1,1,1]}`, http.StatusOK, nil},
		{"rules: préfet de région on a département", prefet53, http.MethodPut, "/api/v1/axe3/departements/29/rules",
			`{"population_cap":10000,"max_public_rate_percent":80,"weights":[1,1,1,1,1]}`, http.StatusOK, nil},
		{"rules: préfet de région", prefet53, http.MethodPut, "/api/v1/axe3/regions/53/rules",
			`{"population_cap":0,"max_public_rate_percent":80,"weights":[1,1,1,1,1]}`, http.StatusOK, nil},

		{"lab: a préfet", prefet53, http.MethodPut, "/api/v1/axe3/labs/fabrique", `{"name":"La Fabrique","region":"53"}`, http.StatusForbidden, nil},
		{"lab: bad id", admin, http.MethodPut, "/api/v1/axe3/labs/La%20Fabrique", `{"name":"La Fabrique","region":"53"}`, http.StatusUnprocessableEntity, []string{"id"}},
		{"lab: field rules", admin, http.MethodPut, "/api/v1/axe3/labs/fabrique", `{"name":" ","region":"bzh"}`, http.StatusUnprocessableEntity, []string{"name", "region"}},
		{"lab: région unknown to the registry", admin, http.MethodPut, "/api/v1/axe3/labs/fabrique", `{"name":"La Fabrique","region":"84"}`, http.StatusUnprocessableEntity, []string{"region"}},
		{"lab", admin, http.MethodPut, "/api/v1/axe3/labs/fabrique", `{"name":"La Fabrique","region":"53"}`, http.StatusOK, nil},

		{"crte: a préfet", prefet35, http.MethodPut, "/api/v1/axe3/crtes/rennes", `{"name":"CRTE","epcis":["243500139"],"signed_on":"2021-07-01"}`, http.StatusForbidden, nil},
		{"crte: field rules", admin, http.MethodPut, "/api/v1/axe3/crtes/rennes", `{"name":"","epcis":["243500130"],"signed_on":"1/7/2021"}`,
			http.StatusUnprocessableEntity, []string{"name", "epcis[0]", "signed_on"}},
		{"crte: covers nothing", admin, http.MethodPut, "/api/v1/axe3/crtes/rennes", `{"name":"CRTE","signed_on":"2021-07-01"}`, http.StatusUnprocessableEntity, []string{"epcis"}},
		{"crte: a commune given as EPCI", admin, http.MethodPut, "/api/v1/axe3/crtes/rennes", `{"name":"CRTE","epcis":["213502388"],"signed_on":"2021-07-01"}`,
			http.StatusUnprocessableEntity, []string{"epcis"}},
		{"crte", admin, http.MethodPut, "/api/v1/axe3/crtes/rennes", `{"name":"CRTE Rennes Métropole","epcis":["243500139"],"signed_on":"2021-07-01"}`, http.StatusOK, nil},
	})

	status, body = call(t, h, prefet11, http.MethodGet, "/api/v1/axe3/regions/53", "")
	require.Equal(t, http.StatusOK, status, body)
	require.EqualValues(t, 750_000_000, body["envelope"].(map[string]any)["allocated_cents"])
	require.EqualValues(t, 250_000_000, body["kept"].(map[string]any)["allocated_cents"], "7,5 M€ less 3 M€ and 2 M€ delegated")
	require.Len(t, body["departements"], 2)
	require.Len(t, body["acts"], 3, "the split and two delegations")

	status, body = call(t, h, applicant, http.MethodGet, "/api/v1/axe3/rules", "")
	require.Equal(t, http.StatusOK, status, body)
	require.Len(t, body["items"], 3)
	status, body = call(t, h, applicant, http.MethodGet, "/api/v1/axe3/crtes", "")
	require.Equal(t, http.StatusOK, status, body)
	require.Len(t, body["items"], 1)
	status, body = call(t, h, applicant, http.MethodGet, "/api/v1/axe3/labs", "")
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, []any{map[string]any{"id": "fabrique", "name": "La Fabrique", "region": "53"}}, body["items"])
}

func TestPrefectoralDraftsAPI(t *testing.T) {
	h, mint := axe3Server(t)
	admin := mint(models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}})
	rennes := mint(models.Principal{Subject: "maire", Roles: []models.Role{models.RoleApplicant}, Siren: "213502388"})
	metropole := mint(models.Principal{Subject: "pdt", Roles: []models.Role{models.RoleApplicant}, Siren: "243500139"})
	unknown := mint(models.Principal{Subject: "x", Roles: []models.Role{models.RoleApplicant}, Siren: "217500016"})
	i35 := mint(models.Principal{Subject: "i35", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}})
	i75 := mint(models.Principal{Subject: "i75", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"75"}})
	p35 := mint(models.Principal{Subject: "p35", Roles: []models.Role{models.RolePrefet}, Departements: []string{"35"}})
	p75 := mint(models.Principal{Subject: "p75", Roles: []models.Role{models.RolePrefet}, Departements: []string{"75"}})
	p53 := mint(models.Principal{Subject: "p53", Roles: []models.Role{models.RolePrefet}, Regions: []string{"53"}})

	const draft = `{"draft":true,"title":"Portail famille","requested_cents":2000000,
		"expenses":[{"category":"support","label":"Design de service","amount_cents":3000000},{"category":"equipment","label":"Bornes","amount_cents":1000000}]}`
	status, body := call(t, h, rennes, http.MethodPost, "/api/v1/axe3/applications", draft)
	require.Equal(t, http.StatusConflict, status, "before the regional split: %v", body)

	status, body = call(t, h, admin, http.MethodPut, "/api/v1/axe3/regional-split", `{"allocations":{"53":750000000,"11":2250000000}}`)
	require.Equal(t, http.StatusOK, status, body)
	status, body = call(t, h, admin, http.MethodPut, "/api/v1/axe3/labs/fabrique", `{"name":"La Fabrique","region":"53"}`)
	require.Equal(t, http.StatusOK, status, body)
	status, body = call(t, h, admin, http.MethodPut, "/api/v1/axe3/labs/paris-lab", `{"name":"Lab Paris","region":"11"}`)
	require.Equal(t, http.StatusOK, status, body)

	status, body = call(t, h, rennes, http.MethodPost, "/api/v1/axe3/applications", draft)
	require.Equal(t, http.StatusCreated, status, body)
	require.Equal(t, "prefectoral", body["kind"])
	require.Equal(t, "draft", body["status"])
	require.Equal(t, models.KeptEnvelope("53"), body["envelope_code"], "Bretagne has delegated nothing to Ille-et-Vilaine")
	id := body["id"].(string)
	path := "/api/v1/axe3/applications/" + id

	runAPICases(t, h, []apiCase{
		{"create: not an applicant", i35, http.MethodPost, "/api/v1/axe3/applications", draft, http.StatusForbidden, nil},
		{"create: unknown to the registry", unknown, http.MethodPost, "/api/v1/axe3/applications", draft, http.StatusConflict, nil},
		{"create: malformed", rennes, http.MethodPost, "/api/v1/axe3/applications", `{"draft":true,`, http.StatusBadRequest, nil},
		{"create: unknown field", rennes, http.MethodPost, "/api/v1/axe3/applications", `{"draft":true,"amount":1}`, http.StatusBadRequest, nil},
		{"create: incomplete submission", rennes, http.MethodPost, "/api/v1/axe3/applications", `{"title":"Portail famille"}`, http.StatusUnprocessableEntity,
			[]string{"description", "project_type", "expenses", "requested_cents", "backing.deliberation", "backing.deliberation_date", "team",
				"target_users", "economic_model", "impact", "indicators"}},
		{"create: field rules", rennes, http.MethodPost, "/api/v1/axe3/applications",
			`{"draft":true,"project_type":"website","expenses":[{"category":"travel","label":"","amount_cents":0}],"requested_cents":-1}`,
			http.StatusUnprocessableEntity, []string{"project_type", "expenses[0].category", "expenses[0].label", "expenses[0].amount_cents", "requested_cents"}},
		{"create: unknown lab", rennes, http.MethodPost, "/api/v1/axe3/applications", `{"draft":true,"lab_id":"nowhere"}`, http.StatusUnprocessableEntity, []string{"lab_id"}},
		{"create: a lab of another région", rennes, http.MethodPost, "/api/v1/axe3/applications", `{"draft":true,"lab_id":"paris-lab"}`, http.StatusUnprocessableEntity, []string{"lab_id"}},
		{"create: unknown CRTE", rennes, http.MethodPost, "/api/v1/axe3/applications", `{"draft":true,"crte_id":"nowhere"}`, http.StatusUnprocessableEntity, []string{"crte_id"}},

		{"update: another SIREN", metropole, http.MethodPut, path, `{"title":"Autre"}`, http.StatusForbidden, nil},
		{"update: not an applicant", p35, http.MethodPut, path, `{"title":"Autre"}`, http.StatusForbidden, nil},
		{"update: not a dossier", rennes, http.MethodPut, "/api/v1/axe3/applications/nope", `{"title":"Autre"}`, http.StatusNotFound, nil},
		{"update: field rules", rennes, http.MethodPut, path, `{"title":"x","requested_cents":5000000,"expenses":[{"category":"studies","label":"Étude","amount_cents":1000000}]}`,
			http.StatusUnprocessableEntity, []string{"title", "requested_cents"}},
		{"update: the lab", rennes, http.MethodPut, path, `{"title":"Portail famille","lab_id":"fabrique","requested_cents":2000000,
			"expenses":[{"category":"support","label":"Design de service","amount_cents":3000000},{"category":"equipment","label":"Bornes","amount_cents":1000000}]}`,
			http.StatusOK, nil},

		{"submit: another SIREN", metropole, http.MethodPost, path + "/submit", "", http.StatusForbidden, nil},
		{"submit: incomplete", rennes, http.MethodPost, path + "/submit", "", http.StatusUnprocessableEntity,
			[]string{"description", "project_type", "backing.deliberation", "backing.deliberation_date", "team", "target_users", "economic_model", "impact", "indicators"}},
		{"eligibility: instructor of another département", i75, http.MethodGet, path + "/eligibility", "", http.StatusForbidden, nil},
		{"eligibility: préfet of another département", p75, http.MethodGet, path + "/eligibility", "", http.StatusForbidden, nil},
		{"eligibility: applicant of another SIREN", metropole, http.MethodGet, path + "/eligibility", "", http.StatusForbidden, nil},
		{"eligibility: instructor 35", i35, http.MethodGet, path + "/eligibility", "", http.StatusOK, nil},
		{"eligibility: préfet 35", p35, http.MethodGet, path + "/eligibility", "", http.StatusOK, nil},
		{"eligibility: préfet of Bretagne", p53, http.MethodGet, path + "/eligibility", "", http.StatusOK, nil},
	})

	status, body = call(t, h, rennes, http.MethodGet, path+"/eligibility", "")
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, false, body["eligible"])
	require.EqualValues(t, 220_000, body["population"])
	require.EqualValues(t, 3_000_000, body["eligible_cost_cents"], "the equipment line is not eligible")
	require.EqualValues(t, 2_000_000, body["max_grant_cents"], "80 % of 30 000 € covers the 20 000 € asked")
	require.Len(t, body["reasons"], 1)
	require.Contains(t, body["reasons"].([]any)[0], "line 2 (equipment, 10 000,00 €)")
}

func TestProgrammingSessionsAPI(t *testing.T) {
	h, mint := axe3Server(t)
	admin := mint(models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}})
	p35 := mint(models.Principal{Subject: "p35", Roles: []models.Role{models.RolePrefet}, Departements: []string{"35"}})
	p29 := mint(models.Principal{Subject: "p29", Roles: []models.Role{models.RolePrefet}, Departements: []string{"29"}})
	p53 := mint(models.Principal{Subject: "p53", Roles: []models.Role{models.RolePrefet}, Regions: []string{"53"}})
	p11 := mint(models.Principal{Subject: "p11", Roles: []models.Role{models.RolePrefet}, Regions: []string{"11"}})
	i35 := mint(models.Principal{Subject: "i35", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}})
	rennes := mint(models.Principal{Subject: "maire", Roles: []models.Role{models.RoleApplicant}, Siren: "213502388"})
	status, body := call(t, h, admin, http.MethodPut, "/api/v1/axe3/regional-split", `{"allocations":{"53":750000000,"11":2250000000}}`)
	require.Equal(t, http.StatusOK, status, body)
	status, body = call(t, h, p53, http.MethodPut, "/api/v1/axe3/regions/53/delegations/35", `{"amount_cents":100000000}`)
	require.Equal(t, http.StatusOK, status, body)

	status, body = call(t, h, p35, http.MethodPost, "/api/v1/axe3/sessions", `{"envelope_code":"axe3.territorial.53.35"}`)
	require.Equal(t, http.StatusCreated, status, body)
	require.Empty(t, body["entries"])
	require.EqualValues(t, 100_000_000, body["available_cents"])
	session := "/api/v1/axe3/sessions/" + body["id"].(string)
	const decision = `{"dossier_id":"0190c2a4-0000-7000-8000-00000000000c","outcome":"refuse","comment":"hors du champ de l'axe"}`

	runAPICases(t, h, []apiCase{
		{"open: an administrator", admin, http.MethodPost, "/api/v1/axe3/sessions", `{"envelope_code":"axe3.territorial.53.29"}`, http.StatusForbidden, nil},
		{"open: an instructor", i35, http.MethodPost, "/api/v1/axe3/sessions", `{"envelope_code":"axe3.territorial.53.29"}`, http.StatusForbidden, nil},
		{"open: a préfet of another département", p29, http.MethodPost, "/api/v1/axe3/sessions", `{"envelope_code":"axe3.territorial.53.35"}`, http.StatusForbidden, nil},
		{"open: a préfet of another région", p11, http.MethodPost, "/api/v1/axe3/sessions", `{"envelope_code":"axe3.territorial.53.region"}`, http.StatusForbidden, nil},
		{"open: a préfet de département on the regional part", p35, http.MethodPost, "/api/v1/axe3/sessions", `{"envelope_code":"axe3.territorial.53.region"}`, http.StatusForbidden, nil},
		{"open: not a territorial envelope", p53, http.MethodPost, "/api/v1/axe3/sessions", `{"envelope_code":"axe3.lab"}`, http.StatusUnprocessableEntity, []string{"envelope_code"}},
		{"open: no envelope", p53, http.MethodPost, "/api/v1/axe3/sessions", `{}`, http.StatusUnprocessableEntity, []string{"envelope_code"}},
		{"open: not delegated yet", p53, http.MethodPost, "/api/v1/axe3/sessions", `{"envelope_code":"axe3.territorial.53.29"}`, http.StatusNotFound, nil},
		{"open: one at a time", p53, http.MethodPost, "/api/v1/axe3/sessions", `{"envelope_code":"axe3.territorial.53.35"}`, http.StatusConflict, nil},
		{"open: the région's kept part", p53, http.MethodPost, "/api/v1/axe3/sessions", `{"envelope_code":"axe3.territorial.53.region"}`, http.StatusCreated, nil},

		{"view: an applicant", rennes, http.MethodGet, session, "", http.StatusForbidden, nil},
		{"view: not a session", i35, http.MethodGet, "/api/v1/axe3/sessions/nope", "", http.StatusNotFound, nil},
		{"view: an instructor", i35, http.MethodGet, session, "", http.StatusOK, nil},

		{"decide: a préfet of another département", p29, http.MethodPost, session + "/decisions", decision, http.StatusForbidden, nil},
		{"decide: field rules", p35, http.MethodPost, session + "/decisions", `{"dossier_id":"x","outcome":"maybe"}`, http.StatusUnprocessableEntity,
			[]string{"dossier_id", "outcome", "comment"}},
		{"decide: a grant without amount", p35, http.MethodPost, session + "/decisions", `{"dossier_id":"0190c2a4-0000-7000-8000-00000000000c","outcome":"grant"}`,
			http.StatusUnprocessableEntity, []string{"amount_cents"}},
		{"decide: not in the session", p35, http.MethodPost, session + "/decisions", decision, http.StatusUnprocessableEntity, []string{"dossier_id"}},

		{"close: a préfet of another département", p29, http.MethodPost, session + "/close", "", http.StatusForbidden, nil},
		{"close", p35, http.MethodPost, session + "/close", "", http.StatusOK, nil},
		{"close: again", p35, http.MethodPost, session + "/close", "", http.StatusConflict, nil},
		{"decide: closed", p35, http.MethodPost, session + "/decisions", decision, http.StatusConflict, nil},
		{"open: the next session", p35, http.MethodPost, "/api/v1/axe3/sessions", `{"envelope_code":"axe3.territorial.53.35"}`, http.StatusCreated, nil},
	})
}
