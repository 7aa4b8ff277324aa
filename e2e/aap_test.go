package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

var (
	juryChair  = models.Principal{Subject: "chair.etat", Name: "Présidente (DINUM)", Roles: []models.Role{models.RoleJury}}
	juror2     = models.Principal{Subject: "juror.2", Name: "Juré AMF", Roles: []models.Role{models.RoleJury}}
	juror3     = models.Principal{Subject: "juror.3", Name: "Juré ADF", Roles: []models.Role{models.RoleJury}}
	instructor = models.Principal{Subject: "instr.dinum", Name: "Instructeur", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}}
)

func aapApplication(requested models.Cents, partners ...string) map[string]any {
	return map[string]any{
		"title":               "Plateforme de données ouvertes mutualisée",
		"summary":             "Publier les jeux de données des services et les ouvrir par API aux partenaires du territoire.",
		"strand_fields":       map[string]string{"datasets": "budget, équipements, mobilités", "data_governance": "comité de la donnée"},
		"eligible_cost_cents": requested * 2,
		"requested_cents":     requested,
		"partner_sirens":      partners,
	}
}

// createCall opens a call of the data strand, with a jury of three and a quorum of two.
func createCall(t *testing.T, s *stack, admin string, round int) models.Call {
	t.Helper()
	r := s.call(t, http.MethodPost, "/api/v1/calls", admin, map[string]any{
		"strand": "donnees", "round": round, "title": "Cycle de vie de la donnée — vague " + string(rune('0'+round)),
		"opens_at": time.Now().Add(-time.Hour), "closes_at": time.Now().Add(time.Hour),
		"jury":  []models.JuryMember{{Subject: juryChair.Subject, Name: juryChair.Name, State: true}, {Subject: juror2.Subject}, {Subject: juror3.Subject}},
		"chair": juryChair.Subject, "quorum": 2,
	})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var call models.Call
	r.decode(t, &call)
	return call
}

// TestCallForProjectsEndToEnd: a call, three applications, preselection (one asked for
// more information), a jury with a recusal and a partial award, signatures and payment,
// with the envelope's sums checked to the cent.
func TestCallForProjectsEndToEnd(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	admin := s.token(t, administrator)
	paris, marseille, rennes := s.token(t, applicantOf(sirenParis)), s.token(t, applicantOf(sirenMarseille)), s.token(t, applicantOf(sirenRennes))
	instr, finance := s.token(t, instructor), s.token(t, financeOfficer)
	chair, j2, j3 := s.token(t, juryChair), s.token(t, juror2), s.token(t, juror3)
	before := envelope(t, s, admin, "axe2.donnees")

	call := createCall(t, s, admin, 1)
	require.Equal(t, "axe2.donnees", call.EnvelopeCode)
	r := s.call(t, http.MethodPost, "/api/v1/calls", admin, map[string]any{"strand": "donnees", "round": 1, "title": "again",
		"opens_at": time.Now(), "closes_at": time.Now().Add(time.Hour), "jury": []models.JuryMember{{Subject: "x", State: true}}, "chair": "x", "quorum": 1})
	require.Equal(t, http.StatusConflict, r.Status, "one call per strand and round")

	// Rennes saves a draft, edits it, then submits: alone it covers neither a whole
	// département nor 500,000 inhabitants, and the refusal says so.
	r = s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/applications", rennes, map[string]any{"title": "Brouillon", "draft": true})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var draft models.Dossier
	r.decode(t, &draft)
	require.Equal(t, models.StatusDraft, draft.Status)
	r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+draft.ID+"/submit", rennes, nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "an incomplete draft cannot be submitted")
	r = s.call(t, http.MethodPut, "/api/v1/dossiers/"+draft.ID+"/application", rennes, aapApplication(3_000_000_00))
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+draft.ID+"/submit", rennes, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	d := s.waitStatus(t, rennes, draft.ID, models.StatusRefused)
	require.Contains(t, d.Reason, "fewer than 500,000")
	require.Contains(t, d.Reason, "no whole département")
	r = s.call(t, http.MethodPut, "/api/v1/dossiers/"+draft.ID+"/application", rennes, aapApplication(1_000_000_00))
	require.Equal(t, http.StatusConflict, r.Status, "a submitted application is not edited")

	// Paris and Marseille apply (each above 500,000 inhabitants).
	apply := func(token string, requested models.Cents) string {
		r := s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/applications", token, aapApplication(requested))
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var d models.Dossier
		r.decode(t, &d)
		s.waitStatus(t, token, d.ID, models.StatusPreselection)
		return d.ID
	}
	parisID := apply(paris, 40_000_000) // 400,000 € requested
	marseilleID := apply(marseille, 25_000_000)

	// Preselection: two instructors cannot work on one task; Marseille is asked for more.
	parisTask := openTask(t, s, paris, parisID, models.TaskPreselection)
	other := s.token(t, models.Principal{Subject: "instr.ditp", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}})
	require.Equal(t, http.StatusOK, s.call(t, http.MethodPost, "/api/v1/tasks/"+parisTask+"/claim", instr, nil).Status)
	require.Equal(t, http.StatusConflict, s.call(t, http.MethodPost, "/api/v1/tasks/"+parisTask+"/claim", other, nil).Status)
	r = s.call(t, http.MethodPost, "/api/v1/tasks/"+parisTask+"/complete", other, map[string]any{"outcome": "preselect"})
	require.Equal(t, http.StatusConflict, r.Status, "claimed by someone else")
	r = s.call(t, http.MethodGet, "/api/v1/tasks?assigned=me&type=preselection", instr, nil)
	var inbox struct{ Items []models.Task }
	r.decode(t, &inbox)
	require.Equal(t, []string{parisTask}, taskIDs(inbox.Items))
	complete(t, s, instr, parisTask, "preselect", "", nil, models.StatusPreselected)

	marseilleTask := openTask(t, s, marseille, marseilleID, models.TaskPreselection)
	complete(t, s, instr, marseilleTask, "request_info", "Merci de préciser l'hébergement des données.", nil, models.StatusInfoRequested)
	r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+marseilleID+"/information", marseille, map[string]string{"answer": "Hébergement SecNumCloud."})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r.decode(t, &d)
	require.Equal(t, models.StatusPreselection, d.Status)
	complete(t, s, instr, openTask(t, s, marseille, marseilleID, models.TaskPreselection), "preselect", "", nil, models.StatusPreselected)

	// The jury session opens: both dossiers enter their jury phase at once.
	r = s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/jury", admin, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, http.StatusConflict, s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/jury", admin, nil).Status)
	s.waitStatus(t, paris, parisID, models.StatusJury)
	s.waitStatus(t, marseille, marseilleID, models.StatusJury)

	// Paris: juror 3 declares a conflict, the chair grants 300,000 € of the 400,000 €, juror 2 agrees.
	complete(t, s, j3, juryTask(t, s, j3, parisID), "recuse", "Élu au conseil de Paris", nil, models.StatusJury)
	view := juryOf(t, s, chair, call.ID, parisID)
	require.Equal(t, []string{juror3.Subject}, view.Recused)
	require.Contains(t, view.Standing.Missing, "2 more vote(s)")
	complete(t, s, chair, juryTask(t, s, chair, parisID), "grant", "Phase 1 seulement", map[string]any{"amount_cents": 30_000_000}, models.StatusJury)
	complete(t, s, j2, juryTask(t, s, j2, parisID), "grant", "Favorable", map[string]any{"amount_cents": 40_000_000}, models.StatusAwaitingSignature)
	// Marseille: refused by two votes.
	complete(t, s, chair, juryTask(t, s, chair, marseilleID), "refuse", "Budget irréaliste", nil, models.StatusJury)
	complete(t, s, j3, juryTask(t, s, j3, marseilleID), "refuse", "Idem", nil, models.StatusRefused)

	d = s.waitStatus(t, paris, parisID, models.StatusAwaitingSignature)
	require.Equal(t, models.Cents(30_000_000), d.GrantedCents, "the jury granted less than requested")
	mid := envelope(t, s, admin, "axe2.donnees")
	require.Equal(t, before.ReservedCents+30_000_000, mid.ReservedCents)

	// Both sign; the finance officer pays.
	var signatures struct{ Items []models.Task }
	s.call(t, http.MethodGet, "/api/v1/tasks?type=convention_signature", paris, nil).decode(t, &signatures)
	require.Len(t, signatures.Items, 1, "the applicant sees its own signature task only")
	complete(t, s, paris, signatures.Items[0].ID, "signed", "", map[string]string{"signed_on": today()}, models.StatusAwaitingSignature)
	s.call(t, http.MethodGet, "/api/v1/tasks?type=convention_signature&kind=aap", finance, nil).decode(t, &signatures)
	require.Len(t, signatures.Items, 1)
	complete(t, s, finance, signatures.Items[0].ID, "signed", "", map[string]string{"signed_on": today()}, models.StatusAwaitingPayment)
	committed := envelope(t, s, admin, "axe2.donnees")
	require.Equal(t, before.CommittedCents+30_000_000, committed.CommittedCents)
	require.Equal(t, before.ReservedCents, committed.ReservedCents)

	complete(t, s, finance, openTask(t, s, finance, parisID, models.TaskDisbursement), "paid", "",
		map[string]string{"paid_on": today(), "reference": "VIR-AAP-0001"}, models.StatusPaid)
	after := envelope(t, s, admin, "axe2.donnees")
	require.Equal(t, before.PaidCents+30_000_000, after.PaidCents, "paid to the cent")
	require.Equal(t, before.CommittedCents, after.CommittedCents)
	require.Equal(t, before.ReservedCents, after.ReservedCents)
	require.Equal(t, before.AvailableCents-30_000_000, after.AvailableCents)

	d = s.waitStatus(t, admin, parisID, models.StatusPaid) // the whole trail: an applicant does not see the votes
	actions := map[string]bool{}
	for _, a := range d.Audit {
		actions[a.Action] = true
	}
	for _, want := range []string{"submitted", "eligible", "task_claimed", "preselected", "recused", "voted", "jury_decided", "laureate",
		"agreement_signed", "payment_recorded", "paid"} {
		require.True(t, actions[want], "audit trail lacks %s", want)
	}
	recordHistory(t, s, parisID, "aap_paid.json")
	recordHistory(t, s, marseilleID, "aap_info_then_refused.json")
	recordHistory(t, s, draft.ID, "aap_not_eligible.json")
}

// openTask finds the open task of a type on a dossier, as token sees the dossier.
func openTask(t testing.TB, s *stack, token, dossierID string, typ models.TaskType) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var d dossierView
		s.call(t, http.MethodGet, "/api/v1/dossiers/"+dossierID, token, nil).decode(t, &d)
		for _, task := range d.Tasks {
			if task.Type == typ && (task.Status == models.TaskOpen || task.Status == models.TaskClaimed) {
				return task.ID
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no open %s task on dossier %s", typ, dossierID)
	return ""
}

// juryTask finds a jury member's own open vote on a dossier through its inbox.
func juryTask(t *testing.T, s *stack, token, dossierID string) string {
	t.Helper()
	var inbox struct{ Items []models.Task }
	s.call(t, http.MethodGet, "/api/v1/tasks?type=jury_decision", token, nil).decode(t, &inbox)
	for _, task := range inbox.Items {
		if task.DossierID == dossierID {
			return task.ID
		}
	}
	t.Fatalf("no jury task on dossier %s in the inbox", dossierID)
	return ""
}

// complete completes a task and checks the dossier's status the person sees in the answer.
func complete(t testing.TB, s *stack, token, taskID, outcome, comment string, data any, want models.Status) {
	t.Helper()
	done, err := s.client(token).CompleteTask(context.Background(), taskID, outcome, comment, data)
	require.NoError(t, err)
	require.Equal(t, want, done.DossierStatus)
}

type juryDossierView struct {
	Votes    []models.Vote      `json:"votes"`
	Recused  []string           `json:"recused"`
	NotVoted []string           `json:"not_voted"`
	Standing models.JuryOutcome `json:"standing"`
	Dossier  models.Dossier     `json:"dossier"`
}

func juryOf(t *testing.T, s *stack, token, callID, dossierID string) juryDossierView {
	t.Helper()
	r := s.call(t, http.MethodGet, "/api/v1/calls/"+callID+"/jury", token, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var view struct{ Dossiers []juryDossierView }
	r.decode(t, &view)
	for _, d := range view.Dossiers {
		if d.Dossier.ID == dossierID {
			return d
		}
	}
	t.Fatalf("dossier %s not in the jury session", dossierID)
	return juryDossierView{}
}
