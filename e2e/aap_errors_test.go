package e2e

import (
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestCallEndpointsBadInput checks the call, application, jury and task endpoints' answers
// to a missing token, a wrong role, a wrong scope (another département, another jury,
// another applicant), malformed JSON, each invalid field and a wrong state.
func TestCallEndpointsBadInput(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	admin := s.token(t, administrator)
	paris, marseille := s.token(t, applicantOf(sirenParis)), s.token(t, applicantOf(sirenMarseille))
	instr := s.token(t, instructor)
	instr13 := s.token(t, models.Principal{Subject: "instr.13", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"13"}})
	chair, j3 := s.token(t, juryChair), s.token(t, juror3)
	outsider := s.token(t, models.Principal{Subject: "juror.other", Roles: []models.Role{models.RoleJury}})
	finance := s.token(t, financeOfficer)
	// "*" is the national scope; a département list saying "national" is a malformed token.
	spelledNational := s.token(t, models.Principal{Subject: "instr.x", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"national"}})
	// The mayor of Paris sits on the jury of another call.
	parisJuror := s.token(t, models.Principal{Subject: "maire.paris", Roles: []models.Role{models.RoleApplicant, models.RoleJury}, Siren: sirenParis})

	call := createCall(t, s, admin, 2)
	closed := s.call(t, http.MethodPost, "/api/v1/calls", admin, map[string]any{"strand": "cooperation", "round": 1, "title": "Closed call",
		"opens_at": time.Now().Add(-48 * time.Hour), "closes_at": time.Now().Add(-24 * time.Hour),
		"jury": []models.JuryMember{{Subject: juryChair.Subject, State: true}, {Subject: "maire.paris"}}, "chair": juryChair.Subject, "quorum": 1})
	require.Equal(t, http.StatusCreated, closed.Status, string(closed.Body))
	var closedCall models.Call
	closed.decode(t, &closedCall)

	// A Paris application waiting for preselection, and a Marseille draft.
	r := s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/applications", paris, aapApplication(10_000_000))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var app models.Dossier
	r.decode(t, &app)
	s.waitStatus(t, paris, app.ID, models.StatusPreselection)
	task := openTask(t, s, paris, app.ID, models.TaskPreselection)
	r = s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/applications", marseille, map[string]any{"title": "Brouillon", "draft": true})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var draft models.Dossier
	r.decode(t, &draft)

	validCall := func(mut func(m map[string]any)) map[string]any {
		m := map[string]any{"strand": "dematerialisation", "round": 3, "title": "Démat 3", "opens_at": time.Now(),
			"closes_at": time.Now().Add(time.Hour), "jury": []models.JuryMember{{Subject: "a", State: true}, {Subject: "b"}}, "chair": "a", "quorum": 2}
		mut(m)
		return m
	}
	validApp := func(mut func(m map[string]any)) map[string]any {
		m := aapApplication(1_000_000)
		mut(m)
		return m
	}
	s.expectAll(t, []badRequest{
		{"calls without token", "GET", "/api/v1/calls", "", nil, 401, models.EUnauthorized, ""},
		{`a département list saying "national"`, "GET", "/api/v1/dossiers", spelledNational, nil, 401, models.EUnauthorized, ""},
		{`"national" completes no national task`, "POST", "/api/v1/tasks/" + task + "/complete", spelledNational, map[string]any{"outcome": "preselect"}, 401, models.EUnauthorized, ""},
		{"create a call without admin", "POST", "/api/v1/calls", instr, validCall(func(map[string]any) {}), 403, models.EForbidden, ""},
		{"create a call, malformed", "POST", "/api/v1/calls", admin, []byte(`{"round":`), 400, models.EMalformed, ""},
		{"create a call, bad date", "POST", "/api/v1/calls", admin, []byte(`{"opens_at":"tomorrow"}`), 400, models.EMalformed, ""},
		{"create a call, unknown strand", "POST", "/api/v1/calls", admin, validCall(func(m map[string]any) { m["strand"] = "culture" }), 422, models.EInvalid, "strand"},
		{"create a call, round 4", "POST", "/api/v1/calls", admin, validCall(func(m map[string]any) { m["round"] = 4 }), 422, models.EInvalid, "round"},
		{"create a call, closing before opening", "POST", "/api/v1/calls", admin,
			validCall(func(m map[string]any) { m["closes_at"] = time.Now().Add(-time.Hour) }), 422, models.EInvalid, "closes_at"},
		{"create a call, chair not on the jury", "POST", "/api/v1/calls", admin, validCall(func(m map[string]any) { m["chair"] = "z" }), 422, models.EInvalid, "chair"},
		{"create a call, chair not of the State", "POST", "/api/v1/calls", admin, validCall(func(m map[string]any) { m["chair"] = "b" }), 422, models.EInvalid, "chair"},
		{"create a call, quorum too high", "POST", "/api/v1/calls", admin, validCall(func(m map[string]any) { m["quorum"] = 3 }), 422, models.EInvalid, "quorum"},
		{"create a call, parent envelope", "POST", "/api/v1/calls", admin, validCall(func(m map[string]any) { m["envelope_code"] = "axe2" }), 422, models.EInvalid, "envelope_code"},
		{"unknown call", "GET", "/api/v1/calls/01a21400-0000-7000-8000-000000000000", paris, nil, 404, models.ENotFound, ""},
		{"apply without the applicant role", "POST", "/api/v1/calls/" + call.ID + "/applications", instr, validApp(func(map[string]any) {}), 403, models.EForbidden, ""},
		{"apply, malformed", "POST", "/api/v1/calls/" + call.ID + "/applications", paris, []byte(`{"title":1}`), 400, models.EMalformed, "title"},
		{"apply, asking more than half", "POST", "/api/v1/calls/" + call.ID + "/applications", paris,
			validApp(func(m map[string]any) { m["requested_cents"] = 1_000_001 }), 422, models.EInvalid, "requested_cents"},
		{"a draft asking int64's max", "POST", "/api/v1/calls/" + call.ID + "/applications", paris,
			map[string]any{"draft": true, "requested_cents": int64(math.MaxInt64)}, 422, models.EInvalid, "requested_cents"},
		{"apply, missing strand field", "POST", "/api/v1/calls/" + call.ID + "/applications", paris,
			validApp(func(m map[string]any) { m["strand_fields"] = map[string]string{"datasets": "x"} }), 422, models.EInvalid, "strand_fields.data_governance"},
		{"apply, another strand's field", "POST", "/api/v1/calls/" + call.ID + "/applications", paris,
			validApp(func(m map[string]any) {
				m["strand_fields"] = map[string]string{"datasets": "x", "data_governance": "y", "procedures": "z"}
			}), 422, models.EInvalid, "strand_fields.procedures"},
		{"apply, bad partner", "POST", "/api/v1/calls/" + call.ID + "/applications", paris,
			validApp(func(m map[string]any) { m["partner_sirens"] = []string{"123"} }), 422, models.EInvalid, "partner_sirens[0]"},
		{"apply, itself as partner", "POST", "/api/v1/calls/" + call.ID + "/applications", paris,
			validApp(func(m map[string]any) { m["partner_sirens"] = []string{sirenParis} }), 422, models.EInvalid, "partner_sirens[0]"},
		{"apply to a closed call", "POST", "/api/v1/calls/" + closedCall.ID + "/applications", paris, validApp(func(map[string]any) {}), 409, models.EConflict, ""},
		{"edit another's draft", "PUT", "/api/v1/dossiers/" + draft.ID + "/application", paris, validApp(func(map[string]any) {}), 403, models.EForbidden, ""},
		{"edit a submitted application", "PUT", "/api/v1/dossiers/" + app.ID + "/application", paris, validApp(func(map[string]any) {}), 409, models.EConflict, ""},
		{"submit another's draft", "POST", "/api/v1/dossiers/" + draft.ID + "/submit", paris, nil, 403, models.EForbidden, ""},
		{"submit an incomplete draft", "POST", "/api/v1/dossiers/" + draft.ID + "/submit", marseille, nil, 422, models.EInvalid, "summary"},
		{"submit twice", "POST", "/api/v1/dossiers/" + app.ID + "/submit", paris, nil, 409, models.EConflict, ""},
		{"amend the checklist of an application to a call", "POST", "/api/v1/dossiers/" + app.ID + "/checklist", paris,
			map[string]any{"checklist": map[string]bool{}}, 409, models.EConflict, ""},
		{"answer with nothing asked", "POST", "/api/v1/dossiers/" + app.ID + "/information", paris, map[string]string{"answer": "here"}, 409, models.EConflict, ""},
		{"answer empty", "POST", "/api/v1/dossiers/" + app.ID + "/information", paris, map[string]string{"answer": " "}, 422, models.EInvalid, "answer"},
		{"answer for another", "POST", "/api/v1/dossiers/" + app.ID + "/information", marseille, map[string]string{"answer": "here"}, 403, models.EForbidden, ""},
		{"preselect from another département", "POST", "/api/v1/tasks/" + task + "/complete", instr13, map[string]any{"outcome": "preselect"}, 403, models.EForbidden, ""},
		{"claim from another département", "POST", "/api/v1/tasks/" + task + "/claim", instr13, nil, 403, models.EForbidden, ""},
		{"unclaim an unclaimed task", "POST", "/api/v1/tasks/" + task + "/unclaim", instr, nil, 409, models.EConflict, ""},
		{"preselect with an unknown outcome", "POST", "/api/v1/tasks/" + task + "/complete", instr, map[string]any{"outcome": "maybe"}, 422, models.EInvalid, "outcome"},
		{"reject without motivation", "POST", "/api/v1/tasks/" + task + "/complete", instr, map[string]any{"outcome": "reject"}, 422, models.EInvalid, "comment"},
		{"open a jury without admin", "POST", "/api/v1/calls/" + call.ID + "/jury", chair, nil, 403, models.EForbidden, ""},
		{"another jury's session", "GET", "/api/v1/calls/" + call.ID + "/jury", outsider, nil, 403, models.EForbidden, ""},
		{"an applicant at the jury", "GET", "/api/v1/calls/" + call.ID + "/jury", paris, nil, 403, models.EForbidden, ""},
		{"another jury's dossier", "GET", "/api/v1/dossiers/" + app.ID, outsider, nil, 403, models.EForbidden, ""},
		{"the jury does not see a dossier before its session", "GET", "/api/v1/dossiers/" + app.ID, j3, nil, 403, models.EForbidden, ""},
		{"the jury does not see drafts", "GET", "/api/v1/dossiers/" + draft.ID, j3, nil, 403, models.EForbidden, ""},
		{"bad task type filter", "GET", "/api/v1/tasks?type=lunch", instr, nil, 422, models.EInvalid, "type"},
		{"bad assigned filter", "GET", "/api/v1/tasks?assigned=you", instr, nil, 422, models.EInvalid, "assigned"},
		{"bad sort", "GET", "/api/v1/tasks?sort=random", instr, nil, 422, models.EInvalid, "sort"},
		{"bad due_before", "GET", "/api/v1/tasks?due_before=soon", instr, nil, 422, models.EInvalid, "due_before"},
		{"bad overdue", "GET", "/api/v1/tasks?overdue=perhaps", instr, nil, 422, models.EInvalid, "overdue"},
		{"notifications without admin", "GET", "/api/v1/notifications", finance, nil, 403, models.EForbidden, ""},
	})

	t.Run("a jury member votes only on its own task, and not twice", func(t *testing.T) {
		complete(t, s, instr, task, "preselect", "", nil, models.StatusPreselected)
		require.Equal(t, http.StatusOK, s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/jury", admin, nil).Status)
		s.waitStatus(t, paris, app.ID, models.StatusJury)
		mine := juryTask(t, s, chair, app.ID)
		require.Equal(t, http.StatusOK, s.call(t, http.MethodGet, "/api/v1/dossiers/"+app.ID, j3, nil).Status, "the jury sees the dossiers it judges")
		listed := func(token string) []string {
			var list struct{ Items []models.Dossier }
			r := s.call(t, http.MethodGet, "/api/v1/dossiers?call="+call.ID, token, nil)
			require.Equal(t, http.StatusOK, r.Status, string(r.Body))
			r.decode(t, &list)
			ids := []string{}
			for _, d := range list.Items {
				ids = append(ids, d.ID)
			}
			return ids
		}
		require.Equal(t, []string{app.ID}, listed(j3), "a juror finds in the list the dossiers it reads, not the call's drafts")
		require.Empty(t, listed(outsider), "nor another jury's")
		require.Equal(t, http.StatusForbidden, s.call(t, http.MethodGet, "/api/v1/tasks/"+mine, paris, nil).Status, "a vote is the jury's")
		r := s.call(t, http.MethodPost, "/api/v1/tasks/"+mine+"/complete", j3, map[string]any{"outcome": "refuse"})
		require.Equal(t, http.StatusForbidden, r.Status, "another member's vote")
		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+mine+"/claim", chair, nil)
		require.Equal(t, http.StatusConflict, r.Status, "a vote is personal")
		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+mine+"/complete", chair, map[string]any{"outcome": "grant", "comment": "trop", "data": map[string]any{"amount_cents": 10_000_001}})
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "more than requested")
		complete(t, s, chair, mine, "grant", "Projet solide", map[string]any{"amount_cents": 10_000_000}, models.StatusJury)
		var seen dossierView
		s.call(t, http.MethodGet, "/api/v1/dossiers/"+app.ID, paris, nil).decode(t, &seen)
		for _, task := range seen.Tasks {
			require.NotEqual(t, models.TaskJuryDecision, task.Type, "the applicant does not see the jury's votes")
		}
		for _, e := range seen.Audit {
			require.NotEqual(t, "voted", e.Action)
		}
		// Nor does it when the same person also sits on another call's jury.
		r = s.call(t, http.MethodGet, "/api/v1/dossiers/"+app.ID, parisJuror, nil)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var both dossierView
		r.decode(t, &both)
		require.NotEmpty(t, both.Tasks)
		for _, task := range both.Tasks {
			require.NotEqual(t, models.TaskJuryDecision, task.Type, "an applicant who is a juror elsewhere does not see the jury's votes")
		}
		for _, e := range both.Audit {
			require.NotEqual(t, "voted", e.Action)
			require.NotContains(t, e.Detail, string(models.TaskJuryDecision))
		}
		require.Equal(t, http.StatusForbidden, s.call(t, http.MethodGet, "/api/v1/tasks/"+mine, parisJuror, nil).Status, "a vote is the jury's")
		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+mine+"/complete", chair, map[string]any{"outcome": "grant", "comment": "encore", "data": map[string]any{"amount_cents": 1}})
		require.Equal(t, http.StatusConflict, r.Status, "a vote is cast once")
	})
}
