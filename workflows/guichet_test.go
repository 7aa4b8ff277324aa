package workflows

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

const (
	testDossier = "01a213f8-0000-7000-8000-000000000001"
	testSiren   = "217500016"
)

var (
	finance   = models.Principal{Subject: "finance.anct", Roles: []models.Role{models.RoleFinance}}
	applicant = models.Principal{Subject: "agent.paris", Roles: []models.Role{models.RoleApplicant}, Siren: testSiren}
	paris     = models.Collectivite{Type: models.TypeCommune, Code: "75056", Siren: testSiren, Name: "Paris", Departement: "75", Region: "11"}
)

type guichetSuite struct{ *workflowSuite }

func newGuichetEnv(t *testing.T) *guichetSuite {
	s := &guichetSuite{newWorkflowSuite(t)}
	s.env.OnActivity(acts.CheckRegistry, mock.Anything, testSiren).Return(activities.RegistryCheck{Found: true, Collectivite: paris}, nil).Maybe()
	return s
}

// capFree lets the cap check pass every time it runs.
func (s *guichetSuite) capFree() {
	s.env.OnActivity(acts.GuichetCapHolder, mock.Anything, mock.Anything).Return("", nil)
}

func (s *guichetSuite) start(amendWindow time.Duration) {
	s.env.ExecuteWorkflow(GuichetWorkflowName, GuichetInput{DossierID: testDossier, Siren: testSiren,
		Kind: models.GuichetFranceConnect, SubmittedBy: applicant.Subject, AmendWindow: amendWindow})
}

func payment(date, ref string) json.RawMessage {
	b, _ := json.Marshal(models.Payment{PaidOn: date, Reference: ref})
	return b
}

func TestGuichetFundedThenPaid(t *testing.T) {
	s := newGuichetEnv(t)
	s.capFree()
	s.env.OnActivity(acts.CheckGuichetCompliance, mock.Anything, testDossier).Return(activities.Compliance{Version: "franceconnect-2021.1"}, nil).Once()
	s.env.OnActivity(acts.FundGuichet, mock.Anything, testDossier).Return(activities.Funding{Funded: true, GrantedCents: 500_000}, nil).Once()
	s.env.OnActivity(acts.PayGrant, mock.Anything, mock.MatchedBy(func(in activities.PayInput) bool {
		return in.DossierID == testDossier && in.Reference == "VIR-2021-0042"
	})).Return(models.LedgerEntry{Kind: models.LedgerPay, AmountCents: 500_000}, nil).Once()

	taskID := models.TaskID(testDossier, models.TaskDisbursement, 0)
	now := time.Now().UTC().Format(time.DateOnly)
	wrongRole := s.update(time.Hour, UpdateCompleteTask, CompleteTaskRequest{TaskID: taskID, Actor: applicant, Outcome: "paid", Data: payment(now, "VIR-1")})
	unknownTask := s.update(2*time.Hour, UpdateCompleteTask, CompleteTaskRequest{TaskID: "nope", Actor: finance, Outcome: "paid", Data: payment(now, "VIR-1")})
	badPayload := s.update(3*time.Hour, UpdateCompleteTask, CompleteTaskRequest{TaskID: taskID, Actor: finance, Outcome: "paid", Data: json.RawMessage(`{"paid_on":"yesterday"}`)})
	badOutcome := s.update(4*time.Hour, UpdateCompleteTask, CompleteTaskRequest{TaskID: taskID, Actor: finance, Outcome: "refused", Data: payment(now, "VIR-1")})
	paid := s.update(5*time.Hour, UpdateCompleteTask, CompleteTaskRequest{TaskID: taskID, Actor: finance, Outcome: "paid", Data: payment(now, "VIR-2021-0042")})
	s.start(0)

	require.Equal(t, models.StatusPaid, s.result(t).Status)
	require.Equal(t, []models.Status{models.StatusChecking, models.StatusAwaitingPayment, models.StatusPaid}, s.statuses)
	require.Equal(t, models.EForbidden, errorType(wrongRole.rejected))
	require.Equal(t, models.EConflict, errorType(unknownTask.rejected))
	require.Equal(t, models.EInvalid, errorType(badPayload.rejected))
	require.Equal(t, models.EInvalid, errorType(badOutcome.rejected))
	require.True(t, paid.done)
	require.NoError(t, paid.rejected)
	require.NoError(t, paid.err)
	require.Equal(t, CompleteTaskResult{DossierID: testDossier, Status: models.StatusPaid}, paid.result)
}

func TestGuichetUnknownSirenRefused(t *testing.T) {
	s := newGuichetEnv(t)
	s.env.OnActivity(acts.CheckRegistry, mock.Anything, "200000172").Return(activities.RegistryCheck{}, nil).Once()
	s.env.ExecuteWorkflow(GuichetWorkflowName, GuichetInput{DossierID: testDossier, Siren: "200000172", Kind: models.GuichetAPI})
	r := s.result(t)
	require.Equal(t, models.StatusRefused, r.Status)
	require.Contains(t, r.Reason, "not a collectivité")
}

func TestGuichetCapReachedRefused(t *testing.T) {
	s := newGuichetEnv(t)
	s.env.OnActivity(acts.GuichetCapHolder, mock.Anything, mock.Anything).Return("another-dossier", nil).Once()
	s.start(0)
	r := s.result(t)
	require.Equal(t, models.StatusRefused, r.Status)
	require.Contains(t, r.Reason, "already holds its franceconnect funding")
}

func TestGuichetEnvelopeExhaustedRefused(t *testing.T) {
	s := newGuichetEnv(t)
	s.capFree()
	s.env.OnActivity(acts.CheckGuichetCompliance, mock.Anything, testDossier).Return(activities.Compliance{}, nil).Once()
	s.env.OnActivity(acts.FundGuichet, mock.Anything, testDossier).Return(activities.Funding{Refusal: "the guichet envelope cannot cover 5 000,00 €"}, nil).Once()
	s.start(0)
	r := s.result(t)
	require.Equal(t, models.StatusRefused, r.Status)
	require.Contains(t, r.Reason, "envelope")
}

func TestGuichetIncompleteAmendedThenFunded(t *testing.T) {
	s := newGuichetEnv(t)
	s.capFree()
	missing := []models.ChecklistItem{{Key: "deconnexion", Label: "La déconnexion"}}
	s.env.OnActivity(acts.CheckGuichetCompliance, mock.Anything, testDossier).Return(activities.Compliance{Missing: missing}, nil).Once()
	s.env.OnActivity(acts.CheckGuichetCompliance, mock.Anything, testDossier).Return(activities.Compliance{}, nil).Once()
	s.env.OnActivity(acts.SaveGuichetChecklist, mock.Anything, mock.Anything).Return(nil).Once()
	s.env.OnActivity(acts.FundGuichet, mock.Anything, testDossier).Return(activities.Funding{Funded: true, GrantedCents: 120_000}, nil).Once()
	s.env.OnActivity(acts.PayGrant, mock.Anything, mock.Anything).Return(models.LedgerEntry{}, nil).Once()

	stranger := models.Principal{Subject: "agent.rennes", Roles: []models.Role{models.RoleApplicant}, Siren: "213502388"}
	byStranger := s.update(24*time.Hour, UpdateAmendChecklist, AmendRequest{Actor: stranger, Checklist: map[string]bool{"deconnexion": true}})
	unknownItem := s.update(25*time.Hour, UpdateAmendChecklist, AmendRequest{Actor: applicant, Checklist: map[string]bool{"bogus": true}})
	noChecklist := s.update(26*time.Hour, UpdateAmendChecklist, AmendRequest{Actor: applicant})
	amended := s.update(10*24*time.Hour, UpdateAmendChecklist, AmendRequest{Actor: applicant, Checklist: map[string]bool{"deconnexion": true}})
	tooLate := s.update(11*24*time.Hour, UpdateAmendChecklist, AmendRequest{Actor: applicant, Checklist: map[string]bool{"deconnexion": true}})
	s.update(12*24*time.Hour, UpdateCompleteTask, CompleteTaskRequest{TaskID: models.TaskID(testDossier, models.TaskDisbursement, 0),
		Actor: finance, Outcome: "paid", Data: payment(time.Now().UTC().Format(time.DateOnly), "VIR-0001")})
	s.start(0)

	require.Equal(t, models.StatusPaid, s.result(t).Status)
	require.Equal(t, models.EForbidden, errorType(byStranger.rejected))
	require.Equal(t, models.EInvalid, errorType(unknownItem.rejected))
	require.Equal(t, map[string]string{"checklist": "is required"}, rejectedFields(t, noChecklist.rejected))
	require.NoError(t, amended.rejected)
	require.Equal(t, models.StatusAwaitingPayment, amended.result, "the amend Update answers with the re-check's outcome")
	require.Equal(t, models.EConflict, errorType(tooLate.rejected), "a funded dossier cannot be amended")
	require.Equal(t, []models.Status{models.StatusChecking, models.StatusIncomplete, models.StatusAwaitingPayment, models.StatusPaid}, s.statuses)
}

func TestGuichetIncompleteLapsesAfterThirtyDays(t *testing.T) {
	s := newGuichetEnv(t)
	s.capFree()
	missing := []models.ChecklistItem{{Key: "bouton_charte", Label: "Le bouton"}}
	s.env.OnActivity(acts.CheckGuichetCompliance, mock.Anything, testDossier).Return(activities.Compliance{Missing: missing}, nil).Once()
	var lapsedAt time.Time
	s.env.SetOnTimerFiredListener(func(string) { lapsedAt = s.env.Now() })
	start := s.env.Now()
	s.start(0)

	r := s.result(t)
	require.Equal(t, models.StatusClosedWithoutAction, r.Status)
	require.Equal(t, DefaultAmendWindow, lapsedAt.Sub(start).Round(time.Hour))
	require.Equal(t, []models.Status{models.StatusChecking, models.StatusIncomplete, models.StatusClosedWithoutAction}, s.statuses)
	// FundGuichet was never mocked: had the workflow reserved money, the test would fail.
}

func TestGuichetStillIncompleteAfterAmendmentWaitsAgain(t *testing.T) {
	s := newGuichetEnv(t)
	s.capFree()
	missing := []models.ChecklistItem{{Key: "bouton_charte", Label: "Le bouton"}}
	s.env.OnActivity(acts.CheckGuichetCompliance, mock.Anything, testDossier).Return(activities.Compliance{Missing: missing}, nil).Twice()
	s.env.OnActivity(acts.SaveGuichetChecklist, mock.Anything, mock.Anything).Return(nil).Once()
	amended := s.update(20*24*time.Hour, UpdateAmendChecklist, AmendRequest{Actor: applicant, Checklist: map[string]bool{"deconnexion": true}})
	start := s.env.Now()
	var closedAt time.Time
	s.env.SetOnTimerFiredListener(func(string) { closedAt = s.env.Now() })
	s.start(0)

	require.Equal(t, models.StatusClosedWithoutAction, s.result(t).Status)
	require.Equal(t, models.StatusIncomplete, amended.result)
	require.Equal(t, 50*24*time.Hour, closedAt.Sub(start).Round(time.Hour), "the window restarts on each amendment")
}

// TestGuichetDisbursementRemindedThenEscalated: a funded dossier whose payment is not
// recorded: the finance officers are reminded 3 days before the 30-day due date and the
// task is escalated when it passes; the payment still closes the dossier.
func TestGuichetDisbursementRemindedThenEscalated(t *testing.T) {
	s := newGuichetEnv(t)
	s.capFree()
	s.env.OnActivity(acts.CheckGuichetCompliance, mock.Anything, testDossier).Return(activities.Compliance{}, nil).Once()
	s.env.OnActivity(acts.FundGuichet, mock.Anything, testDossier).Return(activities.Funding{Funded: true, GrantedCents: 500_000}, nil).Once()
	s.env.OnActivity(acts.PayGrant, mock.Anything, mock.Anything).Return(models.LedgerEntry{}, nil).Once()
	s.update(40*24*time.Hour, UpdateCompleteTask, CompleteTaskRequest{TaskID: models.TaskID(testDossier, models.TaskDisbursement, 0),
		Actor: finance, Outcome: "paid", Data: payment(time.Now().UTC().Format(time.DateOnly), "VIR-LATE")})
	s.start(0)

	require.Equal(t, models.StatusPaid, s.result(t).Status)
	task := models.TaskID(testDossier, models.TaskDisbursement, 0)
	require.Equal(t, []alert{{activities.AlertReminder, task, 27 * 24 * time.Hour}, {activities.AlertEscalation, task, 30 * 24 * time.Hour}}, s.alerts)
}

// TestGuichetAmendmentAtTheDeadlineCounts: an amendment arriving as the 30-day window
// closes is re-checked, not lost, and the process ends.
func TestGuichetAmendmentAtTheDeadlineCounts(t *testing.T) {
	s := newGuichetEnv(t)
	s.capFree()
	missing := []models.ChecklistItem{{Key: "deconnexion", Label: "La déconnexion"}}
	s.env.OnActivity(acts.CheckGuichetCompliance, mock.Anything, testDossier).Return(activities.Compliance{Missing: missing}, nil).Once()
	s.env.OnActivity(acts.CheckGuichetCompliance, mock.Anything, testDossier).Return(activities.Compliance{}, nil).Once()
	s.env.OnActivity(acts.SaveGuichetChecklist, mock.Anything, mock.Anything).After(10 * time.Millisecond).Return(nil).Once() // still saving when the window closes
	s.env.OnActivity(acts.FundGuichet, mock.Anything, testDossier).Return(activities.Funding{Refusal: "the guichet envelope cannot cover 5 000,00 €"}, nil).Once()
	amended := s.update(DefaultAmendWindow-time.Millisecond, UpdateAmendChecklist, AmendRequest{Actor: applicant, Checklist: map[string]bool{"deconnexion": true}})
	s.start(0)

	require.Equal(t, models.StatusRefused, s.result(t).Status)
	require.True(t, amended.done)
	require.NoError(t, amended.rejected)
	require.Equal(t, models.StatusRefused, amended.result)
}
