package workflows

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

const (
	pfDossier  = "01a21400-0000-7000-8000-0000000bf001"
	pfGranted  = models.Cents(2_000_000) // 20,000 €
	pfPlanned  = models.Cents(4_000_000) // 40,000 € of eligible expenses planned
	pfEnvelope = "axe3.territorial.11.75"
)

var (
	instructor75 = models.Principal{Subject: "instr.75", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"75"}}
	instructor35 = models.Principal{Subject: "instr.35", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}}
	prefet75     = models.Principal{Subject: "prefet.75", Roles: []models.Role{models.RolePrefet}, Departements: []string{"75"}}
	prefet35     = models.Principal{Subject: "prefet.35", Roles: []models.Role{models.RolePrefet}, Departements: []string{"35"}}
)

type pfSuite struct {
	*workflowSuite
	facts activities.PrefectoralFacts
	// moved, when set, is the territory ResolveTerritory answers at scoring (else the facts').
	moved   *activities.Territory
	moves   []string
	scores  []models.Score
	reserve []string // what each ReserveFirst answers, in order ("" for an envelope that cannot cover it)
	// session is the open session the database holds the dossier in, for its daily check;
	// checks counts those checks.
	session string
	checks  int
}

// newPrefectoralEnv mocks an eligible Paris dossier (20,000 € at most) of the 75 envelope.
func newPrefectoralEnv(t *testing.T, crte bool) *pfSuite {
	s := &pfSuite{workflowSuite: newWorkflowSuite(t), reserve: []string{pfEnvelope}}
	s.facts = activities.PrefectoralFacts{Eligibility: models.PrefectoralEligibility{Eligible: true, MaxGrantCents: pfGranted, Reasons: []string{"ok"}},
		Weights: [5]int{2, 1, 1, 1, 1}, PlannedEligible: pfPlanned, TerritorialScope: models.DepartementScope("75"), TerritorialEnvelope: pfEnvelope}
	if crte {
		s.facts.CRTE = &models.CRTE{ID: "crte-paris", Name: "CRTE de Paris"}
	}
	s.env.OnActivity(acts.CheckPrefectoral, mock.Anything, pfDossier).Return(func(context.Context, string) (activities.PrefectoralFacts, error) {
		return s.facts, nil
	})
	s.env.OnActivity(acts.RecordEvent, mock.Anything, mock.Anything).Return(nil).Maybe()
	s.env.OnActivity(acts.ResolveTerritory, mock.Anything, pfDossier).Return(func(context.Context, string) (activities.Territory, error) {
		if s.moved != nil {
			return *s.moved, nil
		}
		return activities.Territory{Envelope: s.facts.TerritorialEnvelope, Scope: s.facts.TerritorialScope}, nil
	}).Maybe()
	s.env.OnActivity(acts.PrefectoralSession, mock.Anything, pfDossier).Return(func(context.Context, string) (string, error) {
		s.checks++
		return s.session, nil
	}).Maybe()
	s.env.OnActivity(acts.RecordScore, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ScoreInput) error {
		s.scores = append(s.scores, in.Score)
		return nil
	}).Maybe()
	s.env.OnActivity(acts.ReserveFirst, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ReserveFirstInput) (string, error) {
		env := s.reserve[0]
		s.reserve = s.reserve[1:]
		s.moves = append(s.moves, fmt.Sprintf("reserve %d on %v: %q", in.AmountCents, in.Envelopes, env))
		return env, nil
	}).Maybe()
	s.env.OnActivity(acts.CommitGrant, mock.Anything, pfDossier).Return(func(context.Context, string) error {
		s.moves = append(s.moves, "commit")
		return nil
	}).Maybe()
	s.env.OnActivity(acts.ReleaseGrant, mock.Anything, pfDossier).Return(func(context.Context, string) ([]string, error) {
		s.moves = append(s.moves, "release all")
		return nil, nil
	}).Maybe()
	s.env.OnActivity(acts.MoveMoney, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.MoveInput) error {
		s.moves = append(s.moves, fmt.Sprintf("%s %s %d", in.Move, in.Part, in.AmountCents))
		return nil
	}).Maybe()
	return s
}

func (s *pfSuite) start(settings PrefectoralSettings) {
	s.env.ExecuteWorkflow(PrefectoralWorkflowName, PrefectoralInput{DossierID: pfDossier, Siren: testSiren, Departement: "75", Region: "11",
		SubmittedBy: applicant.Subject, RequestedCents: pfGranted, Settings: settings})
}

func pfTask(t models.TaskType, n int) string { return models.TaskID(pfDossier, t, n) }

// scores is a scoring completion's data: each criterion's score, and the amount proposed.
func scores(proposed models.Cents, s ...int) map[string]any {
	var criteria []map[string]any
	for _, v := range s {
		criteria = append(criteria, map[string]any{"score": v, "comment": "vu le dossier"})
	}
	return map[string]any{"criteria": criteria, "proposed_cents": proposed}
}

// openSession invites the dossier into a programming session after a delay.
func (s *pfSuite) openSession(after time.Duration, id string) {
	s.env.RegisterDelayedCallback(func() { s.env.SignalWorkflow(SignalSessionOpened, id) }, after)
}

// scoredInSession has the dossier admitted, scored (4,3,5,2,1 with weights 2,1,1,1,1: 63/100)
// and in session 1 by the ninth hour.
func (s *pfSuite) scoredInSession() {
	s.complete(time.Hour, pfTask(models.TaskAdmissibility, 0), instructor75, models.OutcomeAdmissible, "", nil)
	s.complete(2*time.Hour, pfTask(models.TaskScoring, 0), instructor75, models.OutcomeScored, "", scores(pfGranted, 4, 3, 5, 2, 1))
	s.openSession(8*time.Hour, "session-1")
}

func amount(c models.Cents) map[string]any { return map[string]any{"amount_cents": c} }

func paid(ref string) models.Payment { return models.Payment{PaidOn: "2021-06-01", Reference: ref} }

func TestPrefectoralInadmissible(t *testing.T) {
	s := newPrefectoralEnv(t, false)
	otherDep := s.complete(time.Hour, pfTask(models.TaskAdmissibility, 0), instructor35, models.OutcomeInadmissible, "hors du champ de l'axe 3", nil)
	prefet := s.complete(2*time.Hour, pfTask(models.TaskAdmissibility, 0), prefet75, models.OutcomeInadmissible, "hors du champ de l'axe 3", nil)
	unmotivated := s.complete(3*time.Hour, pfTask(models.TaskAdmissibility, 0), instructor75, models.OutcomeInadmissible, "non", nil)
	s.complete(4*time.Hour, pfTask(models.TaskAdmissibility, 0), instructor75, models.OutcomeInadmissible, "hors du champ de l'axe 3", nil)
	s.start(PrefectoralSettings{})

	r := s.result(t)
	require.Equal(t, models.StatusRefused, r.Status)
	require.Contains(t, r.Reason, "inadmissible: hors du champ")
	require.Equal(t, models.EForbidden, errorType(otherDep.rejected), "an instructor of another département")
	require.Equal(t, models.EForbidden, errorType(prefet.rejected), "admissibility is the instructor's")
	require.Equal(t, models.EInvalid, errorType(unmotivated.rejected), "inadmissible needs a motivation")
	require.Equal(t, []models.Status{models.StatusChecking, models.StatusAdmissibility, models.StatusRefused}, s.statuses)
}

func TestPrefectoralNotEligible(t *testing.T) {
	s := newPrefectoralEnv(t, false)
	s.facts.Eligibility = models.PrefectoralEligibility{Reasons: []string{"the applicant has 30,000 inhabitants, more than the 20,000"}}
	s.start(PrefectoralSettings{})
	r := s.result(t)
	require.Equal(t, models.StatusRefused, r.Status)
	require.Contains(t, r.Reason, "more than the 20,000")
}

func TestPrefectoralInformation(t *testing.T) {
	t.Run("answered", func(t *testing.T) {
		s := newPrefectoralEnv(t, false)
		s.complete(time.Hour, pfTask(models.TaskAdmissibility, 0), instructor75, models.OutcomeRequestInfo, "Joignez la délibération du conseil.", nil)
		answered := s.complete(5*24*time.Hour, pfTask(models.TaskInformation, 0), applicant, models.OutcomeAnswered, "délibération jointe", nil)
		s.complete(6*24*time.Hour, pfTask(models.TaskAdmissibility, 1), instructor75, models.OutcomeInadmissible, "le projet relève de l'axe 2", nil)
		s.start(PrefectoralSettings{})
		require.Equal(t, models.StatusRefused, s.result(t).Status)
		require.Equal(t, CompleteTaskResult{DossierID: pfDossier, Status: models.StatusAdmissibility}, answered.result)
		require.Equal(t, []models.Status{models.StatusChecking, models.StatusAdmissibility, models.StatusInfoRequested, models.StatusAdmissibility,
			models.StatusRefused}, s.statuses)
	})
	t.Run("unanswered", func(t *testing.T) {
		s := newPrefectoralEnv(t, false)
		s.complete(time.Hour, pfTask(models.TaskAdmissibility, 0), instructor75, models.OutcomeRequestInfo, "Joignez la délibération du conseil.", nil)
		s.start(PrefectoralSettings{})
		r := s.result(t)
		require.Equal(t, models.StatusClosedWithoutAction, r.Status)
		require.Equal(t, []alert{{activities.AlertReminder, pfTask(models.TaskInformation, 0), 27*24*time.Hour + time.Hour}}, s.alerts)
	})
}

// TestPrefectoralGrantedUnderCRTE: scored within the caps, granted by the préfet of the
// département, one signature of the CRTE annex by the préfet, then the full balance on a
// statement matching the plan.
func TestPrefectoralGrantedUnderCRTE(t *testing.T) {
	s := newPrefectoralEnv(t, true)
	s.complete(time.Hour, pfTask(models.TaskAdmissibility, 0), instructor75, models.OutcomeAdmissible, "", nil)
	tooMuch := s.complete(90*time.Minute, pfTask(models.TaskScoring, 0), instructor75, models.OutcomeScored, "", scores(pfGranted+1, 4, 3, 5, 2, 1))
	fourScores := s.complete(100*time.Minute, pfTask(models.TaskScoring, 0), instructor75, models.OutcomeScored, "", scores(pfGranted, 4, 3, 5, 2))
	overFive := s.complete(110*time.Minute, pfTask(models.TaskScoring, 0), instructor75, models.OutcomeScored, "", scores(pfGranted, 6, 3, 5, 2, 1))
	s.complete(2*time.Hour, pfTask(models.TaskScoring, 0), instructor75, models.OutcomeScored, "", scores(pfGranted, 4, 3, 5, 2, 1))
	s.openSession(3*time.Hour, "session-1")
	otherPrefet := s.complete(4*time.Hour, pfTask(models.TaskProgramming, 0), prefet35, models.OutcomeGrant, "", amount(pfGranted))
	instructor := s.complete(5*time.Hour, pfTask(models.TaskProgramming, 0), instructor75, models.OutcomeGrant, "", amount(pfGranted))
	overCap := s.complete(6*time.Hour, pfTask(models.TaskProgramming, 0), prefet75, models.OutcomeGrant, "", amount(pfGranted+1))
	granted := s.complete(7*time.Hour, pfTask(models.TaskProgramming, 0), prefet75, models.OutcomeGrant, "", amount(pfGranted))
	applicantSigns := s.complete(24*time.Hour, pfTask(models.TaskConventionSignature, 0), applicant, models.OutcomeSigned, "", signedToday())
	s.complete(25*time.Hour, pfTask(models.TaskConventionSignature, 0), prefet75, models.OutcomeSigned, "", signedToday())
	s.complete(300*24*time.Hour, pfTask(models.TaskFinalStatement, 0), applicant, models.OutcomeFiled, "", map[string]any{"eligible_expenses_cents": pfPlanned + 1})
	s.complete(301*24*time.Hour, pfTask(models.TaskDisbursement, 1), finance, models.OutcomePaid, "", paid("VIR-SOLDE"))
	s.start(PrefectoralSettings{})

	require.Equal(t, models.StatusPaid, s.result(t).Status)
	require.Equal(t, models.EInvalid, errorType(tooMuch.rejected), "no more than the cap")
	require.Contains(t, rejectedFields(t, tooMuch.rejected), "data.proposed_cents")
	require.Equal(t, models.EInvalid, errorType(fourScores.rejected), "five criteria")
	require.Equal(t, models.EInvalid, errorType(overFive.rejected), "0 to 5")
	require.Equal(t, models.EForbidden, errorType(otherPrefet.rejected), "a préfet of another département")
	require.Equal(t, models.EForbidden, errorType(instructor.rejected), "the préfet decides")
	require.Equal(t, models.EInvalid, errorType(overCap.rejected))
	require.Equal(t, CompleteTaskResult{DossierID: pfDossier, Status: models.StatusAwaitingSignature}, granted.result)
	require.Equal(t, models.EForbidden, errorType(applicantSigns.rejected), "a CRTE annex is the préfet's signature alone")
	// (4×2 + 3 + 5 + 2 + 1) / (5 × 6) = 19/30 = 63.3 %.
	require.Equal(t, []models.Score{{DossierID: pfDossier, EnvelopeCode: pfEnvelope, Score: 63, ProposedCents: pfGranted, MaxGrantCents: pfGranted}}, s.scores)
	require.Equal(t, []string{fmt.Sprintf("reserve %d on [%s]: %q", pfGranted, pfEnvelope, pfEnvelope), "commit", "pay balance 2000000"}, s.moves,
		"more expenses than planned never raise the grant")
	require.Equal(t, []models.Status{models.StatusChecking, models.StatusAdmissibility, models.StatusScoring, models.StatusScored, models.StatusInSession,
		models.StatusAwaitingSignature, models.StatusInProgress, models.StatusPaid}, s.statuses)
}

func TestPrefectoralAdHocAgreementLapses(t *testing.T) {
	s := newPrefectoralEnv(t, false)
	s.scoredInSession()
	s.complete(10*time.Hour, pfTask(models.TaskProgramming, 0), prefet75, models.OutcomeGrant, "", amount(pfGranted))
	financeFirst := s.complete(11*time.Hour, pfTask(models.TaskConventionSignature, 1), finance, models.OutcomeSigned, "", signedToday())
	s.start(PrefectoralSettings{})

	r := s.result(t)
	require.Equal(t, models.StatusLapsed, r.Status)
	require.Equal(t, models.EConflict, errorType(financeFirst.rejected), "the State signs after the applicant")
	require.Equal(t, []string{fmt.Sprintf("reserve %d on [%s]: %q", pfGranted, pfEnvelope, pfEnvelope), "release all"}, s.moves)
	require.Equal(t, models.StatusLapsed, s.statuses[len(s.statuses)-1])
}

// TestPrefectoralAdvanceThenBalanceProRata: a lab dossier; an ad hoc agreement; a 30 %
// advance; a final statement of 30,000 € of the 40,000 € planned: the grant becomes
// 15,000 €, the balance 9,000 €, and 5,000 € go back to the envelope.
func TestPrefectoralAdvanceThenBalanceProRata(t *testing.T) {
	s := newPrefectoralEnv(t, false)
	s.facts.InvolvesLab = true
	s.scoredInSession()
	s.complete(10*time.Hour, pfTask(models.TaskProgramming, 0), prefet75, models.OutcomeGrant, "", amount(pfGranted))
	applicantSigns := s.complete(11*time.Hour, pfTask(models.TaskConventionSignature, 0), applicant, models.OutcomeSigned, "", signedToday())
	s.complete(12*time.Hour, pfTask(models.TaskConventionSignature, 1), finance, models.OutcomeSigned, "", signedToday())
	tooBig := s.complete(24*time.Hour, pfTask(models.TaskAdvanceRequest, 0), applicant, models.OutcomeRequested, "", amount(600_001))
	s.complete(25*time.Hour, pfTask(models.TaskAdvanceRequest, 0), applicant, models.OutcomeRequested, "", amount(600_000))
	s.complete(26*time.Hour, pfTask(models.TaskDisbursement, 0), finance, models.OutcomePaid, "", paid("VIR-AVANCE"))
	s.complete(400*24*time.Hour, pfTask(models.TaskFinalStatement, 0), applicant, models.OutcomeFiled, "", map[string]any{"eligible_expenses_cents": 3_000_000})
	s.complete(401*24*time.Hour, pfTask(models.TaskDisbursement, 1), finance, models.OutcomePaid, "", paid("VIR-SOLDE"))
	s.start(PrefectoralSettings{})

	require.Equal(t, models.StatusPaid, s.result(t).Status)
	require.Equal(t, map[string]string{"data.amount_cents": "must be at most 6 000,00 € (30% of the grant)"}, rejectedFields(t, tooBig.rejected))
	require.Equal(t, CompleteTaskResult{DossierID: pfDossier, Status: models.StatusAwaitingSignature}, applicantSigns.result,
		"the applicant sees the agreement wait for the State's signature")
	require.Equal(t, []string{
		fmt.Sprintf("reserve %d on [%s %s]: %q", pfGranted, models.EnvelopeAxe3Lab, pfEnvelope, pfEnvelope),
		"commit", "pay advance 600000", "pay balance 900000", "release remainder 500000",
	}, s.moves)
	require.Equal(t, []models.Status{models.StatusChecking, models.StatusAdmissibility, models.StatusScoring, models.StatusScored, models.StatusInSession,
		models.StatusAwaitingSignature, models.StatusInProgress, models.StatusInProgress, models.StatusPaid}, s.statuses)
}

// TestPrefectoralLapseWithRecovery: an advance paid, no final statement by the completion
// deadline: the unpaid part is released and finance recovers the advance.
func TestPrefectoralLapseWithRecovery(t *testing.T) {
	s := newPrefectoralEnv(t, true)
	s.scoredInSession()
	s.complete(10*time.Hour, pfTask(models.TaskProgramming, 0), prefet75, models.OutcomeGrant, "", amount(1_000_000))
	s.complete(11*time.Hour, pfTask(models.TaskConventionSignature, 0), prefet75, models.OutcomeSigned, "", signedToday())
	s.complete(24*time.Hour, pfTask(models.TaskAdvanceRequest, 0), applicant, models.OutcomeRequested, "", amount(300_000))
	s.complete(25*time.Hour, pfTask(models.TaskDisbursement, 0), finance, models.OutcomePaid, "", paid("VIR-AVANCE"))
	late := s.complete(100*24*time.Hour, pfTask(models.TaskFinalStatement, 0), applicant, models.OutcomeFiled, "", map[string]any{"eligible_expenses_cents": 1})
	s.complete(101*24*time.Hour, pfTask(models.TaskRecovery, 0), finance, models.OutcomeRecovered, "", map[string]any{"recovered_on": "2021-09-20", "reference": "TP-2021-7"})
	s.start(PrefectoralSettings{Completion: 90 * day})

	r := s.result(t)
	require.Equal(t, models.StatusLapsed, r.Status)
	require.Equal(t, models.EConflict, errorType(late.rejected), "the statement came after the deadline")
	require.Equal(t, []string{fmt.Sprintf("reserve %d on [%s]: %q", 1_000_000, pfEnvelope, pfEnvelope), "commit", "pay advance 300000",
		"release lapse 700000", "recover recovery 300000"}, s.moves)
	require.Equal(t, []models.Status{models.StatusChecking, models.StatusAdmissibility, models.StatusScoring, models.StatusScored, models.StatusInSession,
		models.StatusAwaitingSignature, models.StatusInProgress, models.StatusInProgress, models.StatusRecovery, models.StatusLapsed}, s.statuses)
	require.Contains(t, s.alerts, alert{activities.AlertReminder, pfTask(models.TaskFinalStatement, 0), 60*24*time.Hour + 11*time.Hour},
		"the applicant is reminded 30 days before the completion deadline")
}

// TestPrefectoralPostponed: postponed in a first session (a second invitation to the same
// session changes nothing), then in the next one the envelope cannot cover the grant, and
// in the third it is granted.
func TestPrefectoralPostponed(t *testing.T) {
	s := newPrefectoralEnv(t, true)
	s.reserve = []string{"", pfEnvelope}
	s.scoredInSession()
	unmotivated := s.complete(9*time.Hour, pfTask(models.TaskProgramming, 0), prefet75, models.OutcomePostpone, "", nil)
	postponed := s.complete(10*time.Hour, pfTask(models.TaskProgramming, 0), prefet75, models.OutcomePostpone, "attendre le budget rectificatif", nil)
	s.openSession(11*time.Hour, "session-1")
	s.openSession(30*24*time.Hour, "session-2")
	exhausted := s.complete(31*24*time.Hour, pfTask(models.TaskProgramming, 1), prefet75, models.OutcomeGrant, "", amount(pfGranted))
	s.openSession(60*24*time.Hour, "session-3")
	s.complete(61*24*time.Hour, pfTask(models.TaskProgramming, 2), prefet75, models.OutcomeRefuse, "projet déjà financé par ailleurs", nil)
	s.start(PrefectoralSettings{})

	r := s.result(t)
	require.Equal(t, models.StatusRefused, r.Status)
	require.Equal(t, models.EInvalid, errorType(unmotivated.rejected), "a postponement needs a motivation")
	require.Equal(t, CompleteTaskResult{DossierID: pfDossier, Status: models.StatusScored}, postponed.result)
	require.Equal(t, CompleteTaskResult{DossierID: pfDossier, Status: models.StatusScored}, exhausted.result, "no money: back to waiting")
	require.Equal(t, []models.Status{models.StatusChecking, models.StatusAdmissibility, models.StatusScoring, models.StatusScored, models.StatusInSession,
		models.StatusScored, models.StatusInSession, models.StatusScored, models.StatusInSession, models.StatusRefused}, s.statuses)
	require.Len(t, s.moves, 1, "one reservation tried, none held")
	require.Equal(t, []string{"", models.ReasonPostponedByPrefet + "attendre le budget rectificatif", models.ReasonEnvelopeShort},
		[]string{s.reasons[3], s.reasons[5], s.reasons[7]}, "back to waiting, each time with why")
	require.Equal(t, "", s.reasons[4], "in the next session, the reason is gone")
}

// TestPrefectoralSessionRecheck: the signal inviting the dossier to its session is lost;
// its daily check finds the session in the database, and it joins it.
func TestPrefectoralSessionRecheck(t *testing.T) {
	s := newPrefectoralEnv(t, false)
	s.complete(time.Hour, pfTask(models.TaskAdmissibility, 0), instructor75, models.OutcomeAdmissible, "", nil)
	s.complete(2*time.Hour, pfTask(models.TaskScoring, 0), instructor75, models.OutcomeScored, "", scores(pfGranted, 4, 3, 5, 2, 1))
	s.env.RegisterDelayedCallback(func() { s.session = "session-1" }, 3*24*time.Hour+3*time.Hour) // opened, its signal lost
	refused := s.complete(5*24*time.Hour, pfTask(models.TaskProgramming, 0), prefet75, models.OutcomeRefuse, "projet déjà financé par ailleurs", nil)
	s.start(PrefectoralSettings{})

	r := s.result(t)
	require.Equal(t, models.StatusRefused, r.Status)
	require.NoError(t, refused.err)
	require.Equal(t, 4, s.checks, "one check a day until the fourth finds the session")
	require.Equal(t, []models.Status{models.StatusChecking, models.StatusAdmissibility, models.StatusScoring, models.StatusScored, models.StatusInSession,
		models.StatusRefused}, s.statuses)
}

func TestPrefectoralWithdrawn(t *testing.T) {
	s := newPrefectoralEnv(t, false)
	s.complete(time.Hour, pfTask(models.TaskAdmissibility, 0), instructor75, models.OutcomeAdmissible, "", nil)
	s.complete(2*time.Hour, pfTask(models.TaskScoring, 0), instructor75, models.OutcomeScored, "", scores(pfGranted, 4, 3, 5, 2, 1))
	s.env.OnActivity(acts.WithdrawDossier, mock.Anything, mock.Anything).Return([]string{}, nil).Once()
	withdrawn := s.update(24*time.Hour, UpdateWithdraw, WithdrawRequest{Actor: models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}},
		Reason: "la commune a renoncé au projet"})
	s.start(PrefectoralSettings{})

	r := s.result(t)
	require.Equal(t, models.StatusWithdrawn, r.Status)
	require.NoError(t, withdrawn.err)
	require.Equal(t, models.StatusScored, s.statuses[len(s.statuses)-1], "the withdrawal's activity records the status")
}

// TestPrefectoralRegionalApplicant: a région applies; the région's instructors and préfet
// handle its dossier, on the région's kept envelope.
func TestPrefectoralRegionalApplicant(t *testing.T) {
	s := newPrefectoralEnv(t, false)
	s.facts.TerritorialScope, s.facts.TerritorialEnvelope = models.RegionScope("11"), models.KeptEnvelope("11")
	s.reserve = []string{models.KeptEnvelope("11")}
	regionInstructor := models.Principal{Subject: "instr.idf", Roles: []models.Role{models.RoleInstructor}, Regions: []string{"11"}}
	prefetIDF := models.Principal{Subject: "prefet.idf", Roles: []models.Role{models.RolePrefet}, Regions: []string{"11"}}
	departemental := s.complete(time.Hour, pfTask(models.TaskAdmissibility, 0), instructor75, models.OutcomeAdmissible, "", nil)
	s.complete(2*time.Hour, pfTask(models.TaskAdmissibility, 0), regionInstructor, models.OutcomeAdmissible, "", nil)
	s.complete(3*time.Hour, pfTask(models.TaskScoring, 0), regionInstructor, models.OutcomeScored, "", scores(pfGranted, 4, 3, 5, 2, 1))
	s.openSession(4*time.Hour, "session-idf")
	prefetDep := s.complete(5*time.Hour, pfTask(models.TaskProgramming, 0), prefet75, models.OutcomeRefuse, "hors des priorités régionales", nil)
	s.complete(6*time.Hour, pfTask(models.TaskProgramming, 0), prefetIDF, models.OutcomeRefuse, "hors des priorités régionales", nil)
	s.env.ExecuteWorkflow(PrefectoralWorkflowName, PrefectoralInput{DossierID: pfDossier, Siren: "237500079", Region: "11",
		SubmittedBy: "agent.idf", RequestedCents: pfGranted})

	require.Equal(t, models.StatusRefused, s.result(t).Status)
	require.Equal(t, models.EForbidden, errorType(departemental.rejected), "a région's dossier is instructed at the région")
	require.Equal(t, models.EForbidden, errorType(prefetDep.rejected), "a kept regional envelope is the préfet de région's")
}

// TestPrefectoralScoredOnALaterDelegation: a dossier filed on the région's kept envelope,
// whose département was delegated an envelope meanwhile, is scored on the département's
// envelope and decided by its préfet, not the préfet de région.
func TestPrefectoralScoredOnALaterDelegation(t *testing.T) {
	s := newPrefectoralEnv(t, false)
	s.facts.TerritorialScope, s.facts.TerritorialEnvelope = models.RegionScope("11"), models.KeptEnvelope("11")
	s.moved = &activities.Territory{Envelope: pfEnvelope, Scope: models.DepartementScope("75")}
	prefetIDF := models.Principal{Subject: "prefet.idf", Roles: []models.Role{models.RolePrefet}, Regions: []string{"11"}}
	s.scoredInSession()
	regional := s.complete(9*time.Hour, pfTask(models.TaskProgramming, 0), prefetIDF, models.OutcomeRefuse, "hors des priorités régionales", nil)
	s.complete(10*time.Hour, pfTask(models.TaskProgramming, 0), prefet75, models.OutcomeRefuse, "hors des priorités départementales", nil)
	s.start(PrefectoralSettings{})

	require.Equal(t, models.StatusRefused, s.result(t).Status)
	require.Len(t, s.scores, 1)
	require.Equal(t, pfEnvelope, s.scores[0].EnvelopeCode, "scored on the département's envelope")
	require.Equal(t, models.EForbidden, errorType(regional.rejected), "the département's préfet decides now")
}
