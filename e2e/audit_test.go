package e2e

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// refusals returns the refused attempts of a dossier's trail as its reader sees it.
func refusals(t *testing.T, s *stack, token, id string) []models.AuditEvent {
	t.Helper()
	r := s.call(t, http.MethodGet, "/api/v1/dossiers/"+id, token, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var d dossierView
	r.decode(t, &d)
	var out []models.AuditEvent
	for _, e := range d.Audit {
		if e.Action == models.AuditRefusedAttempt {
			out = append(out, e)
		}
	}
	return out
}

// TestRefusedActsAreAuditedForAdministrators: a refused act on a dossier (a wrong role, a
// wrong state, invalid content, a workflow's Update validator saying no, a draft
// submitted twice) is in the dossier's audit trail with who, what and why, for
// administrators and instructors; the applicant does not see it. The applicant hears of
// the decision by e-mail through the outbox.
func TestRefusedActsAreAuditedForAdministrators(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	paris := s.token(t, applicantOf(sirenParis))
	finance, admin, instr := s.token(t, financeOfficer), s.token(t, administrator), s.token(t, instructor)

	t.Run("guichet", func(t *testing.T) {
		app := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 900_000, Checklist: completeChecklist(models.GuichetFranceConnect)}
		r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", paris, app)
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var created models.Dossier
		r.decode(t, &created)
		d := s.waitStatus(t, paris, created.ID, models.StatusAwaitingPayment)
		require.Len(t, d.Tasks, 1)
		task := d.Tasks[0].ID
		require.Empty(t, refusals(t, s, admin, created.ID))

		attempts := []struct {
			method, path, token, who string
			body                     any
			status                   int
			code                     string
		}{
			{http.MethodPost, "/api/v1/tasks/" + task + "/complete", paris, applicantOf(sirenParis).Subject + " [applicant]",
				map[string]any{"outcome": "paid"}, http.StatusForbidden, models.EForbidden},
			// Refused by the workflow's Update validator: the dossier is not incomplete.
			{http.MethodPost, "/api/v1/dossiers/" + created.ID + "/checklist", paris, applicantOf(sirenParis).Subject + " [applicant]",
				map[string]any{"checklist": app.Checklist}, http.StatusConflict, models.EConflict},
			{http.MethodPost, "/api/v1/tasks/" + task + "/complete", finance, financeOfficer.Subject + " [finance]",
				map[string]any{"outcome": "paid", "data": map[string]string{"paid_on": "2021-13-45", "reference": "VIR-1"}},
				http.StatusUnprocessableEntity, models.EInvalid},
			// Refused for the missing role, before the handler.
			{http.MethodPost, "/api/v1/dossiers/" + created.ID + "/withdraw", paris, applicantOf(sirenParis).Subject + " [applicant]",
				map[string]any{"reason": "plus besoin"}, http.StatusForbidden, models.EForbidden},
		}
		for _, a := range attempts {
			r := s.call(t, a.method, a.path, a.token, a.body)
			require.Equal(t, a.status, r.Status, "%s %s: %s", a.method, a.path, r.Body)
		}
		// Acts on what does not exist are no dossier's; reads are no acts.
		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+created.ID+".disbursement.9/complete", finance, map[string]any{"outcome": "paid"})
		require.Equal(t, http.StatusNotFound, r.Status)
		r = s.call(t, http.MethodGet, "/api/v1/tasks/"+task, s.token(t, applicantOf(sirenMarseille)), nil)
		require.Equal(t, http.StatusForbidden, r.Status)

		seen := refusals(t, s, admin, created.ID)
		require.Len(t, seen, len(attempts), "each refused act once")
		for i, a := range attempts {
			e := seen[i]
			require.Contains(t, e.Detail, a.method+" "+a.path, "what")
			require.Contains(t, e.Detail, a.who, "who, with the roles")
			require.Contains(t, e.Detail, "refused, "+a.code+": ", "why")
		}
		require.Len(t, refusals(t, s, instr, created.ID), len(attempts), "instructors see them")
		require.Empty(t, refusals(t, s, paris, created.ID), "the applicant does not")

		// The applicant was told of the funding, once, at the applicant mailbox (its subject is no address).
		r = s.call(t, http.MethodGet, "/api/v1/notifications?dossier="+created.ID, admin, nil)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var outbox struct{ Items []models.Notification }
		r.decode(t, &outbox)
		require.Len(t, outbox.Items, 1)
		require.Equal(t, "role:applicant:"+sirenParis, outbox.Items[0].Recipient)
		require.Contains(t, outbox.Items[0].Subject, "subvention accordée")
		require.Contains(t, outbox.Items[0].Body, "5 000,00 €")
	})

	t.Run("draft submitted twice", func(t *testing.T) {
		call := createCall(t, s, admin, 1)
		r := s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/applications", paris, map[string]any{"title": "Brouillon", "draft": true})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var draft models.Dossier
		r.decode(t, &draft)
		r = s.call(t, http.MethodPut, "/api/v1/dossiers/"+draft.ID+"/application", paris, aapApplication(1_000_000))
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+draft.ID+"/submit", paris, nil)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		s.waitStatus(t, paris, draft.ID, models.StatusPreselection)
		r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+draft.ID+"/submit", paris, nil)
		require.Equal(t, http.StatusConflict, r.Status, string(r.Body))

		seen := refusals(t, s, admin, draft.ID)
		require.Len(t, seen, 1)
		require.Equal(t, applicantOf(sirenParis).Subject, seen[0].Actor)
		require.Contains(t, seen[0].Detail, "POST /api/v1/dossiers/"+draft.ID+"/submit")
		require.Contains(t, seen[0].Detail, "refused, conflict: ")
		require.Empty(t, refusals(t, s, paris, draft.ID))
	})
}

// TestCallChairedByTheState: a call whose chair is not a State representative is refused.
func TestCallChairedByTheState(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	admin := s.token(t, administrator)
	body := map[string]any{"strand": "cooperation", "round": 1, "title": "Coopération — vague 1",
		"opens_at": "2030-01-01T00:00:00Z", "closes_at": "2030-03-01T00:00:00Z",
		"jury":  []map[string]any{{"subject": "prefete", "state": true}, {"subject": "elu.amf"}},
		"chair": "elu.amf", "quorum": 1}
	r := s.call(t, http.MethodPost, "/api/v1/calls", admin, body)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, string(r.Body))
	code, fields := r.errorCode(t)
	require.Equal(t, models.EInvalid, code)
	require.Contains(t, fields["chair"], "State representative")

	body["chair"] = "prefete"
	r = s.call(t, http.MethodPost, "/api/v1/calls", admin, body)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var call models.Call
	r.decode(t, &call)
	r = s.call(t, http.MethodGet, "/api/v1/calls/"+call.ID, admin, nil)
	require.Equal(t, http.StatusOK, r.Status)
	r.decode(t, &call)
	require.Equal(t, []models.JuryMember{{Subject: "prefete", State: true}, {Subject: "elu.amf"}}, call.Jury, "who represents the State is kept")
}
