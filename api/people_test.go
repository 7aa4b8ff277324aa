package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestPeopleAPI(t *testing.T) {
	h, auth := structuresServer(t)
	mint := func(p models.Principal) string {
		tok, err := auth.Mint(p, time.Hour)
		require.NoError(t, err)
		return tok
	}
	admin := mint(models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}})
	instructor := mint(models.Principal{Subject: "instr", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}})
	const anne = `{"name":"Anne Agent","roles":["instructor"],"departements":["90"],"active":true}`

	runAPICases(t, h, []apiCase{
		{name: "no token", method: "GET", path: "/api/v1/people", status: 401},
		{name: "not an admin lists", token: instructor, method: "GET", path: "/api/v1/people", status: 403},
		{name: "not an admin saves", token: instructor, method: "PUT", path: "/api/v1/people/agent-1", body: anne, status: 403},
		{name: "not an admin deletes", token: instructor, method: "DELETE", path: "/api/v1/people/agent-1", status: 403},
		{name: "unknown entry", token: admin, method: "GET", path: "/api/v1/people/nobody", status: 404},
		{name: "delete unknown", token: admin, method: "DELETE", path: "/api/v1/people/nobody", status: 404},
		{name: "malformed", token: admin, method: "PUT", path: "/api/v1/people/agent-1", body: `{"name":`, status: 400},
		{name: "unknown field", token: admin, method: "PUT", path: "/api/v1/people/agent-1", body: `{"nom":"x"}`, status: 400},
		{name: "bad limit", token: admin, method: "GET", path: "/api/v1/people?limit=0", status: 422, fields: []string{"limit"}},
		{name: "everything wrong", token: admin, method: "PUT", path: "/api/v1/people/agent-1",
			body: `{"name":" ","roles":["boss"],"siren":"1","departements":["national"],"regions":["5"]}`, status: 422,
			fields: []string{"name", "roles[0]", "siren", "departements[0]", "regions[0]", "active"}},
		{name: "other subject", token: admin, method: "PUT", path: "/api/v1/people/agent-1",
			body: `{"subject":"agent-2","name":"A","roles":["finance"],"active":true}`, status: 422, fields: []string{"subject"}},
		{name: "applicant without siren", token: admin, method: "PUT", path: "/api/v1/people/agent-1",
			body: `{"name":"A","roles":["applicant"],"active":true}`, status: 422, fields: []string{"siren"}},
		{name: "saved", token: admin, method: "PUT", path: "/api/v1/people/agent-1", body: anne, status: 200},
		{name: "read", token: admin, method: "GET", path: "/api/v1/people/agent-1", status: 200},
	})

	// The table wins over the claims: a token claiming admin in every département acts as
	// the entry's instructor of département 90.
	claimsAdmin := mint(models.Principal{Subject: "agent-1", Roles: []models.Role{models.RoleAdmin}, Departements: []string{"*"}})
	status, body := call(t, h, claimsAdmin, "GET", "/api/v1/people", "")
	require.Equal(t, http.StatusForbidden, status, body)
	// A provider that gives no role at all: the entry gives them.
	noRoles := mint(models.Principal{Subject: "agent-1"})
	status, body = call(t, h, noRoles, "GET", "/api/v1/collectivites?departement=90", "")
	require.Equal(t, http.StatusOK, status, body)
	// Without an entry, claims without roles are refused.
	status, body = call(t, h, mint(models.Principal{Subject: "agent-9"}), "GET", "/api/v1/collectivites", "")
	require.Equal(t, http.StatusUnauthorized, status, body)

	// An inactive entry refuses the person, whatever the token claims.
	status, body = call(t, h, admin, "PUT", "/api/v1/people/agent-1", `{"name":"Anne Agent","roles":["instructor"],"active":false}`)
	require.Equal(t, http.StatusOK, status, body)
	status, body = call(t, h, claimsAdmin, "GET", "/api/v1/collectivites", "")
	require.Equal(t, http.StatusForbidden, status, body)
	require.Contains(t, body["error"].(map[string]any)["message"], "withdrawn by an administrator")

	status, body = call(t, h, admin, "PUT", "/api/v1/people/agent-0", `{"name":"Zoé","roles":["finance"],"active":true}`)
	require.Equal(t, http.StatusOK, status, body)
	status, body = call(t, h, admin, "GET", "/api/v1/people?limit=1", "")
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, "agent-0", body["items"].([]any)[0].(map[string]any)["subject"])
	status, body = call(t, h, admin, "GET", "/api/v1/people?limit=1&cursor="+body["next_cursor"].(string), "")
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, "agent-1", body["items"].([]any)[0].(map[string]any)["subject"])
	require.Nil(t, body["next_cursor"])

	// Removed, the entry no longer refuses: the claims count again.
	req := httptest.NewRequest(http.MethodDelete, "/api/v1/people/agent-1", nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	status, body = call(t, h, claimsAdmin, "GET", "/api/v1/people", "")
	require.Equal(t, http.StatusOK, status, body)

	// Every change is in the entry's trail, removal included: who, and before and after.
	trail := func(token string) (int, []models.AuditEvent) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/people/agent-1/trail", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var events []models.AuditEvent
		if rec.Code == http.StatusOK {
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &events))
		}
		return rec.Code, events
	}
	code, _ := trail(instructor)
	require.Equal(t, http.StatusForbidden, code)
	code, events := trail(admin)
	require.Equal(t, http.StatusOK, code)
	require.Len(t, events, 3)
	for i, action := range []string{models.AuditPersonAdded, models.AuditPersonChanged, models.AuditPersonRemoved} {
		require.Equal(t, action, events[i].Action)
		require.Equal(t, "admin", events[i].Actor)
	}
	require.Contains(t, events[1].Detail, `"active":true`)
	require.Contains(t, events[1].Detail, `"after":{"subject":"agent-1","name":"Anne Agent","roles":["instructor"],"active":false}`)
	require.Contains(t, events[2].Detail, `"after":null`)
}
