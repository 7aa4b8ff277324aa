package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

var (
	instructor35 = models.Principal{Subject: "instr.pref35", Name: "Instructrice, préfecture d'Ille-et-Vilaine", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}}
	prefet35     = models.Principal{Subject: "prefet.35", Name: "Préfet d'Ille-et-Vilaine", Roles: []models.Role{models.RolePrefet}, Departements: []string{"35"}}
	prefet53     = models.Principal{Subject: "prefet.53", Name: "Préfet de la région Bretagne", Roles: []models.Role{models.RolePrefet}, Regions: []string{"53"}}
)

// prefectoralApplication is Rennes's project: 50,000 € of eligible expenses, 30,000 € asked.
func prefectoralApplication() map[string]any {
	return map[string]any{
		"title":                      "Portail famille",
		"description":                "Inscriptions à la cantine et au centre de loisirs en ligne, et formation des agents d'accueil.",
		"project_type":               "online_service",
		"expenses":                   []map[string]any{{"category": "support", "label": "Design de service", "amount_cents": 4_000_000}, {"category": "training", "label": "Formation", "amount_cents": 1_000_000}},
		"other_public_funding_cents": 500_000,
		"requested_cents":            3_000_000,
		"backing":                    map[string]any{"deliberation": "Délibération 2021-14 du conseil municipal", "deliberation_date": "2021-03-02"},
		"team":                       []map[string]any{{"name": "Claire Martin", "role": "cheffe de projet"}},
		"target_users":               12_000,
		"economic_model":             "Code ouvert, réutilisable par les communes de la métropole",
		"impact":                     "Moins de déplacements en mairie",
		"indicators":                 []string{"part des inscriptions en ligne"},
	}
}

// TestPrefectoralEndToEnd: the regional split and a delegation, a CRTE, a draft submitted,
// admissibility, scoring, a programming session, the préfet's grant, the CRTE annex signed,
// an advance, a final statement below the plan and the balance, with the envelope's sums
// checked to the cent.
func TestPrefectoralEndToEnd(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	admin, rennes, finance := s.token(t, administrator), s.token(t, applicantOf(sirenRennes)), s.token(t, financeOfficer)
	instr, p35, p53 := s.token(t, instructor35), s.token(t, prefet35), s.token(t, prefet53)

	var split struct{ Default map[string]models.Cents }
	r := s.call(t, http.MethodGet, "/api/v1/axe3/regional-split", admin, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r.decode(t, &split)
	require.Len(t, split.Default, 18)
	r = s.call(t, http.MethodPut, "/api/v1/axe3/regional-split", admin, map[string]any{"allocations": split.Default})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = s.call(t, http.MethodPut, "/api/v1/axe3/regions/53/delegations/35", p53, map[string]any{"amount_cents": 100_000_000})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = s.call(t, http.MethodPut, "/api/v1/axe3/crtes/crte-rennes", admin, map[string]any{"name": "CRTE Rennes Métropole", "epcis": []string{"243500139"}, "signed_on": "2021-07-01"})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	const envCode = "axe3.territorial.53.35"
	before := envelope(t, s, admin, envCode)
	require.Equal(t, models.Cents(100_000_000), before.AllocatedCents)

	// A draft, then the whole application, then the submission.
	r = s.call(t, http.MethodPost, "/api/v1/axe3/applications", rennes, map[string]any{"draft": true, "title": "Portail famille"})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var d models.Dossier
	r.decode(t, &d)
	require.Equal(t, envCode, d.EnvelopeCode)
	require.Equal(t, http.StatusUnprocessableEntity, s.call(t, http.MethodPost, "/api/v1/axe3/applications/"+d.ID+"/submit", rennes, nil).Status)
	r = s.call(t, http.MethodPut, "/api/v1/axe3/applications/"+d.ID, rennes, prefectoralApplication())
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var elig models.PrefectoralEligibility
	s.call(t, http.MethodGet, "/api/v1/axe3/applications/"+d.ID+"/eligibility", rennes, nil).decode(t, &elig)
	require.True(t, elig.Eligible, elig.Reasons)
	require.Equal(t, models.Cents(3_000_000), elig.MaxGrantCents, "80 % of 50,000 € less 5,000 € covers the 30,000 € asked")
	r = s.call(t, http.MethodPost, "/api/v1/axe3/applications/"+d.ID+"/submit", rennes, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))

	// Admissibility and scoring by the prefecture's instructor.
	s.waitStatus(t, rennes, d.ID, models.StatusAdmissibility)
	complete(t, s, instr, openTask(t, s, instr, d.ID, models.TaskAdmissibility), "admissible", "", nil, models.StatusScoring)
	criteria := []map[string]any{{"score": 5, "comment": "délibération"}, {"score": 4, "comment": "équipe"}, {"score": 3, "comment": "usagers"},
		{"score": 4, "comment": "modèle"}, {"score": 4, "comment": "impact"}}
	complete(t, s, instr, openTask(t, s, instr, d.ID, models.TaskScoring), "scored", "", map[string]any{"criteria": criteria, "proposed_cents": 2_500_000}, models.StatusScored)

	// Vitré's project is scored lower.
	vitre := s.token(t, applicantOf("213503600"))
	r = s.call(t, http.MethodPost, "/api/v1/axe3/applications", vitre, prefectoralApplication())
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var second models.Dossier
	r.decode(t, &second)
	s.waitStatus(t, vitre, second.ID, models.StatusAdmissibility)
	complete(t, s, instr, openTask(t, s, instr, second.ID, models.TaskAdmissibility), "admissible", "", nil, models.StatusScoring)
	low := []map[string]any{{"score": 2, "comment": "délibération"}, {"score": 2, "comment": "équipe"}, {"score": 2, "comment": "usagers"},
		{"score": 2, "comment": "modèle"}, {"score": 2, "comment": "impact"}}
	complete(t, s, instr, openTask(t, s, instr, second.ID, models.TaskScoring), "scored", "", map[string]any{"criteria": low, "proposed_cents": 1_000_000}, models.StatusScored)

	// The préfet opens a session, grants Rennes 25,000 €; the money is reserved at once.
	r = s.call(t, http.MethodPost, "/api/v1/axe3/sessions", p35, map[string]any{"envelope_code": envCode})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var session models.ProgrammingSession
	r.decode(t, &session)
	require.Len(t, session.Entries, 2)
	require.Equal(t, d.ID, session.Entries[0].DossierID, "best score first")
	require.Equal(t, 80, session.Entries[0].Score, "20 points of 25, equal weights")
	require.Equal(t, models.Cents(3_500_000), session.Entries[1].RunningCents, "the running total fills from the top")
	s.waitStatus(t, p35, d.ID, models.StatusInSession)
	r = s.call(t, http.MethodPost, "/api/v1/axe3/sessions/"+session.ID+"/decisions", p35, map[string]any{"dossier_id": d.ID, "outcome": "grant", "amount_cents": 2_500_000})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	view := s.waitStatus(t, p35, d.ID, models.StatusAwaitingSignature)
	require.Equal(t, models.Cents(2_500_000), view.GrantedCents)
	require.Equal(t, before.ReservedCents+2_500_000, envelope(t, s, admin, envCode).ReservedCents)
	// Closing the session postpones Vitré, undecided, to the next one.
	s.waitStatus(t, p35, second.ID, models.StatusInSession)
	r = s.call(t, http.MethodPost, "/api/v1/axe3/sessions/"+session.ID+"/close", p35, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	postponed := s.waitStatus(t, p35, second.ID, models.StatusScored)
	require.Contains(t, postponed.Audit[len(postponed.Audit)-1].Detail, "waiting for a programming session")

	// Rennes is in the CRTE of its métropole: the préfet signs the annex alone.
	complete(t, s, p35, openTask(t, s, p35, d.ID, models.TaskConventionSignature), "signed", "", map[string]string{"signed_on": today()}, models.StatusInProgress)
	require.Equal(t, before.CommittedCents+2_500_000, envelope(t, s, admin, envCode).CommittedCents)

	// A 30 % advance (7,500 €), then the final statement: 40,000 € of the 50,000 € planned,
	// so the grant becomes 20,000 € and the balance 12,500 €; 5,000 € go back to the envelope.
	complete(t, s, rennes, openTask(t, s, rennes, d.ID, models.TaskAdvanceRequest), "requested", "", map[string]any{"amount_cents": 750_000}, models.StatusInProgress)
	complete(t, s, finance, openTask(t, s, finance, d.ID, models.TaskDisbursement), "paid", "", map[string]string{"paid_on": today(), "reference": "VIR-AX3-1"}, models.StatusInProgress)
	complete(t, s, rennes, openTask(t, s, rennes, d.ID, models.TaskFinalStatement), "filed", "", map[string]any{"eligible_expenses_cents": 4_000_000}, models.StatusInProgress)
	complete(t, s, finance, openTask(t, s, finance, d.ID, models.TaskDisbursement), "paid", "", map[string]string{"paid_on": today(), "reference": "VIR-AX3-2"}, models.StatusPaid)

	view = s.waitStatus(t, admin, d.ID, models.StatusPaid)
	require.Equal(t, models.Cents(2_000_000), view.GrantedCents)
	after := envelope(t, s, admin, envCode)
	require.Equal(t, before.PaidCents+2_000_000, after.PaidCents, "paid to the cent")
	require.Equal(t, before.CommittedCents, after.CommittedCents)
	require.Equal(t, before.ReservedCents, after.ReservedCents)
	require.Equal(t, before.AvailableCents-2_000_000, after.AvailableCents, "the unspent 5,000 € went back")
	actions := map[string]bool{}
	for _, a := range view.Audit {
		actions[a.Action] = true
	}
	for _, want := range []string{"submitted", "eligible", "admissible", "scored", "joined_session", "granted", "laureate", "agreement_signed",
		"advance_paid", "statement_filed", "balance_paid", "remainder_released", "paid"} {
		require.True(t, actions[want], "audit trail lacks %s", want)
	}
	recordHistory(t, s, d.ID, "prefectoral_paid_v2.json")

	// Vitré, postponed by the closing session, is postponed again by the préfet in the next
	// one, with a motivation its applicant reads; the one after grants it, Vitré and the
	// State sign the ad hoc agreement (Vitré is in no CRTE), and the balance is paid whole.
	decide := func(outcome, comment string, amount models.Cents) models.ProgrammingSession {
		t.Helper()
		r := s.call(t, http.MethodPost, "/api/v1/axe3/sessions", p35, map[string]any{"envelope_code": envCode})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var session models.ProgrammingSession
		r.decode(t, &session)
		require.Len(t, session.Entries, 1)
		s.waitStatus(t, p35, second.ID, models.StatusInSession)
		r = s.call(t, http.MethodPost, "/api/v1/axe3/sessions/"+session.ID+"/decisions", p35,
			map[string]any{"dossier_id": second.ID, "outcome": outcome, "comment": comment, "amount_cents": amount})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		return session
	}
	session = decide("postpone", "Attendre le vote du budget supplémentaire.", 0)
	s.waitStatus(t, p35, second.ID, models.StatusScored)
	r = s.call(t, http.MethodPost, "/api/v1/axe3/sessions/"+session.ID+"/close", p35, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var outbox struct{ Items []models.Notification }
	s.call(t, http.MethodGet, "/api/v1/notifications?dossier="+second.ID, admin, nil).decode(t, &outbox)
	var postponements []string
	for _, n := range outbox.Items {
		if strings.HasSuffix(n.Subject, "dossier ajourné") {
			postponements = append(postponements, n.Body)
		}
	}
	require.Len(t, postponements, 2, "the closing session's postponement, then the préfet's")
	require.True(t, slices.ContainsFunc(postponements, func(b string) bool { return strings.Contains(b, "Motif : Attendre le vote du budget supplémentaire.") }),
		"the applicant reads the préfet's motivation: %q", postponements)
	decide("grant", "", 1_000_000)
	s.waitStatus(t, vitre, second.ID, models.StatusAwaitingSignature)
	signed := map[string]string{"signed_on": today()}
	complete(t, s, vitre, openTask(t, s, vitre, second.ID, models.TaskConventionSignature), "signed", "", signed, models.StatusAwaitingSignature)
	complete(t, s, finance, openTask(t, s, finance, second.ID, models.TaskConventionSignature), "signed", "", signed, models.StatusInProgress)
	complete(t, s, vitre, openTask(t, s, vitre, second.ID, models.TaskFinalStatement), "filed", "", map[string]any{"eligible_expenses_cents": 5_000_000}, models.StatusInProgress)
	complete(t, s, finance, openTask(t, s, finance, second.ID, models.TaskDisbursement), "paid", "", map[string]string{"paid_on": today(), "reference": "VIR-AX3-3"}, models.StatusPaid)
	require.Equal(t, models.Cents(1_000_000), s.waitStatus(t, admin, second.ID, models.StatusPaid).GrantedCents, "planned expenses spent: the grant whole")
	recordHistory(t, s, second.ID, "prefectoral_postponed_granted_v2.json")

	// Saint-Malo is asked for its council's deliberation, answers, and is found inadmissible;
	// a préfet of another département and an applicant of another SIREN are refused on the way.
	saintMalo := s.token(t, applicantOf("213502883"))
	r = s.call(t, http.MethodPost, "/api/v1/axe3/applications", saintMalo, prefectoralApplication())
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var other models.Dossier
	r.decode(t, &other)
	require.Equal(t, http.StatusForbidden, s.call(t, http.MethodGet, "/api/v1/axe3/applications/"+other.ID+"/eligibility", rennes, nil).Status)
	s.waitStatus(t, saintMalo, other.ID, models.StatusAdmissibility)
	task := openTask(t, s, instr, other.ID, models.TaskAdmissibility)
	p29 := s.token(t, models.Principal{Subject: "prefet.29", Roles: []models.Role{models.RolePrefet}, Departements: []string{"29"}})
	require.Equal(t, http.StatusForbidden, s.call(t, http.MethodPost, "/api/v1/tasks/"+task+"/complete", p29, map[string]any{"outcome": "admissible"}).Status)
	complete(t, s, instr, task, "request_info", "Joignez la délibération du conseil municipal.", nil, models.StatusInfoRequested)
	r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+other.ID+"/information", saintMalo, map[string]string{"answer": "Délibération du 12 avril jointe."})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	complete(t, s, instr, openTask(t, s, instr, other.ID, models.TaskAdmissibility), "inadmissible", "Le projet relève de l'axe 2 (guichet national).", nil, models.StatusRefused)
	recordHistory(t, s, other.ID, "prefectoral_info_then_inadmissible.json")
}
