package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestWaitingListFundedWhenMoneyArrives: two laureates on an envelope that covers one; the
// second waits, and is funded the moment an administrator adds money to the envelope.
func TestWaitingListFundedWhenMoneyArrives(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	admin, instr, chair := s.token(t, administrator), s.token(t, instructor), s.token(t, juryChair)
	r := s.call(t, http.MethodPatch, "/api/v1/envelopes/axe2.cooperation", admin, map[string]any{"allocated_cents": 15_000_000})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = s.call(t, http.MethodPost, "/api/v1/calls", admin, map[string]any{"strand": "cooperation", "round": 1, "title": "Coopération",
		"opens_at": time.Now().Add(-time.Hour), "closes_at": time.Now().Add(time.Hour),
		"jury": []models.JuryMember{{Subject: juryChair.Subject, State: true}}, "chair": juryChair.Subject, "quorum": 1})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var call models.Call
	r.decode(t, &call)
	require.Equal(t, http.StatusOK, s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/jury", admin, nil).Status)

	laureate := func(siren string) string {
		token := s.token(t, applicantOf(siren))
		r := s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/applications", token, map[string]any{
			"title": "Budget participatif et tiers-lieux", "summary": "Associer les habitants et les associations aux choix d'investissement.",
			"strand_fields":       map[string]string{"ecosystem_partners": "associations, universités", "citizen_role": "vote et co-conception"},
			"eligible_cost_cents": 20_000_000, "requested_cents": 10_000_000})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var d models.Dossier
		r.decode(t, &d)
		complete(t, s, instr, openTask(t, s, token, d.ID, models.TaskPreselection), "preselect", "", nil, models.StatusPreselected)
		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+juryTask(t, s, chair, d.ID)+"/complete", chair,
			map[string]any{"outcome": "grant", "comment": "favorable", "data": map[string]any{"amount_cents": 10_000_000}})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		return d.ID
	}
	first := laureate(sirenParis)
	s.waitStatus(t, s.token(t, applicantOf(sirenParis)), first, models.StatusAwaitingSignature)
	second := laureate(sirenMarseille)
	marseille := s.token(t, applicantOf(sirenMarseille))
	d := s.waitStatus(t, marseille, second, models.StatusWaitingList)
	require.Equal(t, models.Cents(10_000_000), d.GrantedCents)
	require.Empty(t, d.Ledger, "a waiting laureate holds no money yet")

	r = s.call(t, http.MethodPatch, "/api/v1/envelopes/axe2.cooperation", admin, map[string]any{"allocated_cents": 25_000_000})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var patched struct {
		Envelope models.Envelope `json:"envelope"`
		Funded   []string        `json:"funded_from_waiting_list"`
	}
	r.decode(t, &patched)
	require.Equal(t, []string{second}, patched.Funded)
	require.Equal(t, models.Cents(20_000_000), patched.Envelope.ReservedCents)
	d = s.waitStatus(t, marseille, second, models.StatusAwaitingSignature)
	require.Len(t, d.Ledger, 1)
	require.Equal(t, models.LedgerReserve, d.Ledger[0].Kind)

	// A third laureate waits; withdrawing the first gives its money to the third.
	third := laureate(sirenLyon)
	lyon := s.token(t, applicantOf(sirenLyon))
	s.waitStatus(t, lyon, third, models.StatusWaitingList)
	r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+first+"/withdraw", instr, map[string]string{"reason": "project given up"})
	require.Equal(t, http.StatusForbidden, r.Status, "administrators only")
	r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+first+"/withdraw", admin, map[string]string{"reason": "no"})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+first+"/withdraw", admin, map[string]string{"reason": "the collectivité gave the project up"})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var withdrawn dossierView
	r.decode(t, &withdrawn)
	require.Equal(t, models.StatusWithdrawn, withdrawn.Status)
	for _, task := range withdrawn.Tasks {
		require.NotEqual(t, models.TaskOpen, task.Status, "no task is left open")
	}
	require.Equal(t, models.LedgerRelease, withdrawn.Ledger[0].Kind)
	s.waitStatus(t, lyon, third, models.StatusAwaitingSignature)
	r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+first+"/withdraw", admin, map[string]string{"reason": "again, again"})
	require.Equal(t, http.StatusConflict, r.Status, "a withdrawn dossier is closed")
	env := envelope(t, s, admin, "axe2.cooperation")
	require.Equal(t, models.Cents(20_000_000), env.ReservedCents, "the second and the third hold the money, to the cent")
}
