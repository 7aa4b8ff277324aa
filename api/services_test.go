package api

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// TestServiceBuildAPI checks who reads a service's build and deploy, and that its tasks'
// completions are refused with the fields at fault before they reach its workflow.
func TestServiceBuildAPI(t *testing.T) {
	h, st, mint := storeServer(t)
	ctx := context.Background()
	start := time.Now().UTC().Add(-100 * 24 * time.Hour)
	w := func(from, to int) models.Window {
		return models.Window{OpensAt: start.Add(time.Duration(from) * 24 * time.Hour), ClosesAt: start.Add(time.Duration(to) * 24 * time.Hour)}
	}
	for _, id := range []string{"0190f3b4-0000-7000-8000-0000000000c1", "0190f3b4-0000-7000-8000-0000000000c2"} {
		envelope := "axe1.2021"
		if id[len(id)-1] == '2' {
			envelope = "axe1.2022"
		}
		_, err := st.CreateCampaign(ctx, models.Campaign{ID: id, Title: "Campagne", EnvelopeCode: envelope, BudgetCents: models.Euros(1_000_000),
			Schedule:  models.Schedule{Collection: w(0, 30), Vote: w(30, 45), Interest: w(45, 60), Build: w(60, 400)},
			Committee: []models.CommitteeMember{{Subject: "chair", ANCT: true}}, Chair: "chair", Quorum: 1, BallotSize: 5,
			ReferentsPerService: 10, Categories: []string{"a"}, CreatedBy: "admin"})
		require.NoError(t, err)
	}
	campaign := "0190f3b4-0000-7000-8000-0000000000c1"
	proposal, serviceID := "0190f3b4-0000-7000-8000-0000000000a1", "0190f3b4-0000-7000-8000-0000000000b1"
	_, _, err := st.CreateDossier(ctx, models.Dossier{ID: proposal, Kind: models.KindCoConstruction, Status: models.StatusSubmitted,
		ApplicantSiren: "217500016", EnvelopeCode: "axe1.2021", Payload: []byte(`{}`), CallID: campaign, CreatedBy: "test"}, store.IdempotencyKey{}, nil)
	require.NoError(t, err)
	require.NoError(t, st.SetDossierStatus(ctx, proposal, store.StatusChange{Status: models.StatusAccepted, StepKey: "accepted"}))
	_, err = st.CreateService(ctx, models.CandidateService{ID: serviceID, CampaignID: campaign, Title: "Prise de rendez-vous",
		Description: "Un service de prise de rendez-vous en ligne.", ProposalIDs: []string{proposal}, CreatedBy: "instr"})
	require.NoError(t, err)
	routeTask := models.TaskID(serviceID, models.TaskServiceRoute, 0)
	payTask := models.TaskID(serviceID, models.TaskServicePayment, 0)
	for id, task := range map[string]models.Task{
		routeTask: {ID: routeTask, DossierID: serviceID, Type: models.TaskServiceRoute, Role: models.RoleInstructor, Scope: models.ScopeNational},
		payTask:   {ID: payTask, DossierID: serviceID, Type: models.TaskServicePayment, Role: models.RoleFinance, Scope: models.ScopeNational},
	} {
		require.NoError(t, st.CreateTask(ctx, task), id)
	}

	instr := mint(models.Principal{Subject: "instr", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}})
	instr35 := mint(models.Principal{Subject: "i35", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}})
	financer := mint(models.Principal{Subject: "fin", Roles: []models.Role{models.RoleFinance}})
	applicant := mint(models.Principal{Subject: "maire", Roles: []models.Role{models.RoleApplicant}, Siren: "217500016"})
	build := "/api/v1/campaigns/" + campaign + "/services/" + serviceID + "/build"
	complete := func(id string) string { return "/api/v1/tasks/" + id + "/complete" }
	runAPICases(t, h, []apiCase{
		{name: "build without a token", method: http.MethodGet, path: build, status: http.StatusUnauthorized},
		{name: "build as an applicant", token: applicant, method: http.MethodGet, path: build, status: http.StatusForbidden},
		{name: "build as a departemental instructor", token: instr35, method: http.MethodGet, path: build, status: http.StatusForbidden},
		{name: "build as finance", token: financer, method: http.MethodGet, path: build, status: http.StatusOK},
		{name: "build as ANCT", token: instr, method: http.MethodGet, path: build, status: http.StatusOK},
		{name: "build of an unknown service", token: instr, method: http.MethodGet, path: "/api/v1/campaigns/" + campaign + "/services/0190f3b4-0000-7000-8000-0000000000ff/build", status: http.StatusNotFound},
		{name: "build of a malformed service", token: instr, method: http.MethodGet, path: "/api/v1/campaigns/" + campaign + "/services/x/build", status: http.StatusNotFound},
		{name: "build in another campaign", token: instr, method: http.MethodGet, path: "/api/v1/campaigns/0190f3b4-0000-7000-8000-0000000000c2/services/" + serviceID + "/build", status: http.StatusNotFound},
		{name: "route without a token", method: http.MethodPost, path: complete(routeTask), body: `{"outcome":"routed"}`, status: http.StatusUnauthorized},
		{name: "route by finance", token: financer, method: http.MethodPost, path: complete(routeTask), body: `{"outcome":"routed","data":{}}`, status: http.StatusForbidden},
		{name: "route by a departemental instructor", token: instr35, method: http.MethodPost, path: complete(routeTask), body: `{"outcome":"routed"}`, status: http.StatusForbidden},
		{name: "route with a wrong outcome", token: instr, method: http.MethodPost, path: complete(routeTask), body: `{"outcome":"paid"}`, status: http.StatusUnprocessableEntity, fields: []string{"outcome"}},
		{name: "route without data", token: instr, method: http.MethodPost, path: complete(routeTask), body: `{"outcome":"routed"}`, status: http.StatusUnprocessableEntity, fields: []string{"data"}},
		{name: "route unknown, dates malformed", token: instr, method: http.MethodPost, path: complete(routeTask),
			body:   `{"outcome":"routed","data":{"route":"somewhere","note":"court","investigation_due":"2030-13-01","beta_due":"","deployment_due":"2031-01-01"}}`,
			status: http.StatusUnprocessableEntity, fields: []string{"data.route", "data.note", "data.investigation_due", "data.beta_due"}},
		{name: "payment by an instructor", token: instr, method: http.MethodPost, path: complete(payTask), body: `{"outcome":"paid"}`, status: http.StatusForbidden},
		{name: "payment without amount nor reference", token: financer, method: http.MethodPost, path: complete(payTask),
			body: `{"outcome":"paid","comment":"virement","data":{"amount_cents":0,"paid_on":"2026-01-01","reference":""}}`, status: http.StatusUnprocessableEntity,
			fields: []string{"data.amount_cents", "data.reference"}},
		{name: "payment with a negative amount", token: financer, method: http.MethodPost, path: complete(payTask),
			body: `{"outcome":"paid","comment":"virement","data":{"amount_cents":-5,"paid_on":"2026-01-01","reference":"VIR-1"}}`, status: http.StatusUnprocessableEntity,
			fields: []string{"data.amount_cents"}},
	})
	status, body := call(t, h, instr, http.MethodGet, build, "")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "candidate", body["service"].(map[string]any)["status"])
	require.Len(t, body["open_tasks"], 2)
	require.EqualValues(t, 0, body["remaining_cents"])
}

// TestBallotsAPI lists a campaign's ballots one by one, by pages and as CSV, to whoever
// reads its results: ANCT during the vote.
func TestBallotsAPI(t *testing.T) {
	h, st, mint := storeServer(t)
	ctx := context.Background()
	require.NoError(t, st.ImportRegistry(ctx, []models.Collectivite{
		{Type: models.TypeCommune, Code: "75056", Siren: "217500016", Name: "Paris", Departement: "75", Region: "11"},
		{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Name: "Rennes", Departement: "35", Region: "53"},
		{Type: models.TypeCommune, Code: "31555", Siren: "213105554", Name: "Toulouse", Departement: "31", Region: "76"},
	}, nil))
	start := time.Now().UTC().Add(-31 * 24 * time.Hour) // the vote (days 30 to 45) is open
	w := func(from, to int) models.Window {
		return models.Window{OpensAt: start.Add(time.Duration(from) * 24 * time.Hour), ClosesAt: start.Add(time.Duration(to) * 24 * time.Hour)}
	}
	campaign := "0190f3b4-0000-7000-8000-0000000000c1"
	_, err := st.CreateCampaign(ctx, models.Campaign{ID: campaign, Title: "Campagne", EnvelopeCode: "axe1.2021", BudgetCents: models.Euros(1_000_000),
		Schedule:  models.Schedule{Collection: w(0, 30), Vote: w(30, 45), Interest: w(45, 60), Build: w(60, 400)},
		Committee: []models.CommitteeMember{{Subject: "chair", ANCT: true}}, Chair: "chair", Quorum: 1, BallotSize: 5,
		ReferentsPerService: 10, Categories: []string{"a"}, CreatedBy: "admin"})
	require.NoError(t, err)
	var services []string
	for i, title := range []string{"Prise de rendez-vous", "Budget participatif"} {
		proposal, service := fmt.Sprintf("0190f3b4-0000-7000-8000-0000000000a%d", i), fmt.Sprintf("0190f3b4-0000-7000-8000-0000000000b%d", i)
		_, _, err := st.CreateDossier(ctx, models.Dossier{ID: proposal, Kind: models.KindCoConstruction, Status: models.StatusSubmitted,
			ApplicantSiren: "217500016", EnvelopeCode: "axe1.2021", Payload: []byte(`{}`), CallID: campaign, CreatedBy: "test"}, store.IdempotencyKey{}, nil)
		require.NoError(t, err)
		require.NoError(t, st.SetDossierStatus(ctx, proposal, store.StatusChange{Status: models.StatusAccepted, StepKey: proposal}))
		_, err = st.CreateService(ctx, models.CandidateService{ID: service, CampaignID: campaign, Title: title,
			Description: "Un service candidat issu des propositions.", ProposalIDs: []string{proposal}, CreatedBy: "instr"})
		require.NoError(t, err)
		services = append(services, service)
	}
	for _, siren := range []string{"217500016", "213502388", "213105554"} {
		_, err := st.CastBallot(ctx, models.Ballot{CampaignID: campaign, Siren: siren, ServiceIDs: []string{services[1], services[0]}, CastBy: "agent." + siren})
		require.NoError(t, err)
	}

	anct := mint(models.Principal{Subject: "instr", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}})
	instr35 := mint(models.Principal{Subject: "i35", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}})
	applicant := mint(models.Principal{Subject: "maire", Roles: []models.Role{models.RoleApplicant}, Siren: "217500016"})
	ballots := "/api/v1/campaigns/" + campaign + "/ballots"
	runAPICases(t, h, []apiCase{
		{name: "without a token", method: http.MethodGet, path: ballots, status: http.StatusUnauthorized},
		{name: "as an applicant during the vote", token: applicant, method: http.MethodGet, path: ballots, status: http.StatusForbidden},
		{name: "as a departemental instructor during the vote", token: instr35, method: http.MethodGet, path: ballots, status: http.StatusForbidden},
		{name: "as ANCT", token: anct, method: http.MethodGet, path: ballots, status: http.StatusOK},
		{name: "of an unknown campaign", token: anct, method: http.MethodGet, path: "/api/v1/campaigns/0190f3b4-0000-7000-8000-0000000000ff/ballots", status: http.StatusNotFound},
		{name: "a limit out of range", token: anct, method: http.MethodGet, path: ballots + "?limit=0", status: http.StatusUnprocessableEntity, fields: []string{"limit"}},
		{name: "a cursor not returned", token: anct, method: http.MethodGet, path: ballots + "?cursor=***", status: http.StatusUnprocessableEntity, fields: []string{"cursor"}},
	})

	// Two pages by SIREN, the second from the first's cursor.
	status, page := call(t, h, anct, http.MethodGet, ballots+"?limit=2", "")
	require.Equal(t, http.StatusOK, status)
	items := page["items"].([]any)
	require.Len(t, items, 2)
	first := items[0].(map[string]any)
	require.Equal(t, "213105554", first["siren"])
	require.Equal(t, "Toulouse", first["name"])
	require.Equal(t, "agent.213105554", first["cast_by"], "ANCT reads who cast it")
	require.Equal(t, []any{map[string]any{"id": services[1], "title": "Budget participatif"}, map[string]any{"id": services[0], "title": "Prise de rendez-vous"}},
		first["services"], "in the order cast")
	require.NotEmpty(t, page["next_cursor"])
	status, page = call(t, h, anct, http.MethodGet, ballots+"?limit=2&cursor="+page["next_cursor"].(string), "")
	require.Equal(t, http.StatusOK, status)
	require.Len(t, page["items"], 1)
	require.Equal(t, "217500016", page["items"].([]any)[0].(map[string]any)["siren"])
	require.NotContains(t, page, "next_cursor")

	// CSV: every ballot in the workspace's columns; a refusal answered before any row.
	csvOf := func(token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, ballots, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "text/csv")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	rec := csvOf(anct)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Contains(t, rec.Header().Get("Content-Type"), "text/csv")
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 4)
	require.Equal(t, headersOf(BallotColumns), rows[0])
	require.Equal(t, []string{"213502388", "Rennes", "commune", "35", "Budget participatif ; Prise de rendez-vous", "", rows[2][6], "agent.213502388", "0"}, rows[2])
	rec = csvOf(applicant)
	require.Equal(t, http.StatusForbidden, rec.Code)
	require.Contains(t, rec.Header().Get("Content-Type"), "application/json")
}

func headersOf[T any](cols []Column[T]) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Header
	}
	return out
}
