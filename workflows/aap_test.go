package workflows

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

const (
	aapDossier   = "01a21400-0000-7000-8000-00000000aa01"
	aapCall      = "01a21400-0000-7000-8000-0000000ca111"
	aapRequested = models.Cents(20_000_000) // 200,000 €
)

var (
	instructorDINUM = models.Principal{Subject: "instr.dinum", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}}
	chair           = models.Principal{Subject: "chair", Roles: []models.Role{models.RoleJury}}
	member2         = models.Principal{Subject: "member2", Roles: []models.Role{models.RoleJury}}
	member3         = models.Principal{Subject: "member3", Roles: []models.Role{models.RoleJury}}
	opened          = time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
)

type aapSuite struct {
	*workflowSuite
	votes []models.Vote
}

// newAAPEnv mocks an eligible dossier on a call whose jury (chair, member2, member3;
// quorum 2) is already in session.
func newAAPEnv(t *testing.T, quorum int, members ...models.Principal) *aapSuite {
	s := newAAPBase(t)
	call := models.Call{ID: aapCall, Chair: chair.Subject, Quorum: quorum, JuryOpenedAt: &opened}
	for _, m := range members {
		call.Jury = append(call.Jury, models.JuryMember{Subject: m.Subject})
	}
	s.env.OnActivity(acts.CheckAAPEligibility, mock.Anything, aapDossier).Return(models.Eligibility{Eligible: true, Reasons: []string{"whole département 75"}}, nil).Maybe()
	s.env.OnActivity(acts.CallJury, mock.Anything, aapCall).Return(call, nil).Maybe()
	return s
}

// newAAPBase mocks the bookkeeping but neither eligibility nor the call.
func newAAPBase(t *testing.T) *aapSuite {
	s := &aapSuite{workflowSuite: newWorkflowSuite(t)}
	s.env.OnActivity(acts.RecordEvent, mock.Anything, mock.Anything).Return(nil).Maybe()
	s.env.OnActivity(acts.RecordVote, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.VoteInput) error {
		s.votes = append(s.votes, in.Vote)
		return nil
	}).Maybe()
	return s
}

func (s *aapSuite) start() {
	s.env.ExecuteWorkflow(AAPWorkflowName, AAPInput{DossierID: aapDossier, CallID: aapCall, Siren: testSiren, Departement: "75",
		Region: "11", SubmittedBy: applicant.Subject, EnvelopeCode: "axe2.donnees", RequestedCents: aapRequested})
}

func taskOf(t models.TaskType, n int) string { return models.TaskID(aapDossier, t, n) }

func grant(amount models.Cents) map[string]any { return map[string]any{"amount_cents": amount} }

func signedToday() map[string]string {
	return map[string]string{"signed_on": opened.Format(time.DateOnly)}
}

// expectFundedAndPaid mocks the money of a laureate that is reserved, signed and paid.
func (s *aapSuite) expectFundedAndPaid(amount models.Cents) {
	s.env.OnActivity(acts.ReserveGrant, mock.Anything, mock.MatchedBy(func(in activities.ReserveInput) bool {
		return in.AmountCents == amount && in.Envelope == "axe2.donnees"
	})).Return(true, nil).Once()
	s.env.OnActivity(acts.CommitGrant, mock.Anything, aapDossier).Return(nil).Once()
	s.env.OnActivity(acts.PayGrant, mock.Anything, mock.Anything).Return(models.LedgerEntry{}, nil).Once()
}

func TestAAPPreselectionRefused(t *testing.T) {
	s := newAAPEnv(t, 2, chair, member2, member3)
	short := s.complete(time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomeReject, "no", nil)
	wrongScope := s.complete(2*time.Hour, taskOf(models.TaskPreselection, 0),
		models.Principal{Subject: "i13", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"13"}}, OutcomePreselect, "", nil)
	// "national" spelled as a département is no national scope, even if a token so made reached the workflow.
	spelledNational := s.complete(150*time.Minute, taskOf(models.TaskPreselection, 0),
		models.Principal{Subject: "ix", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"national"}}, OutcomePreselect, "", nil)
	s.complete(3*time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomeReject, "the project does not fit the strand", nil)
	s.start()

	r := s.result(t)
	require.Equal(t, models.StatusRefused, r.Status)
	require.Contains(t, r.Reason, "does not fit the strand")
	require.Equal(t, models.EInvalid, errorType(short.rejected), "a rejection needs a motivation")
	require.Equal(t, models.EForbidden, errorType(wrongScope.rejected), "a départemental instructor cannot act on a national call")
	require.Equal(t, models.EForbidden, errorType(spelledNational.rejected), `a département list saying "national" cannot act on a national call`)
	require.Equal(t, []models.Status{models.StatusChecking, models.StatusPreselection, models.StatusRefused}, s.statuses)
}

func TestAAPNotEligibleRefusedWithReasons(t *testing.T) {
	s := newAAPBase(t)
	s.env.OnActivity(acts.CheckAAPEligibility, mock.Anything, aapDossier).Return(models.Eligibility{
		Reasons: []string{"they cover 12,000 inhabitants, fewer than 500,000", "they cover no whole département"}}, nil).Once()
	s.start()
	r := s.result(t)
	require.Equal(t, models.StatusRefused, r.Status)
	require.Contains(t, r.Reason, "fewer than 500,000")
	require.Contains(t, r.Reason, "no whole département")
}

func TestAAPInformationAskedAndAnswered(t *testing.T) {
	s := newAAPEnv(t, 1, chair)
	s.complete(time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomeRequestInfo, "Please detail the hosting of the platform.", nil)
	info := taskOf(models.TaskInformation, 0)
	stranger := s.complete(2*time.Hour, info, models.Principal{Subject: "x", Roles: []models.Role{models.RoleApplicant}, Siren: "213502388"}, OutcomeAnswered, "hosted", nil)
	empty := s.complete(3*time.Hour, info, applicant, OutcomeAnswered, "", nil)
	// The API's rule for an answer: at most 10,000 characters, counted as characters.
	tooLong := s.complete(4*time.Hour, info, applicant, OutcomeAnswered, strings.Repeat("é", 10_001), nil)
	answered := s.complete(10*24*time.Hour, info, applicant, OutcomeAnswered, strings.Repeat("é", 10_000), nil)
	again := s.complete(11*24*time.Hour, info, applicant, OutcomeAnswered, "more", nil)
	s.complete(12*24*time.Hour, taskOf(models.TaskPreselection, 1), instructorDINUM, OutcomePreselect, "", nil)
	s.complete(13*24*time.Hour, taskOf(models.TaskJuryDecision, 0), chair, string(models.VoteRefuse), "avis motivé", nil)
	s.start()

	require.Equal(t, models.StatusRefused, s.result(t).Status)
	require.Equal(t, models.EForbidden, errorType(stranger.rejected))
	require.Equal(t, models.EInvalid, errorType(empty.rejected))
	require.Equal(t, map[string]string{"comment": "must be at most 10000 characters"}, rejectedFields(t, tooLong.rejected))
	require.NoError(t, answered.rejected)
	require.Equal(t, CompleteTaskResult{DossierID: aapDossier, Status: models.StatusPreselection}, answered.result,
		"the answer hands the dossier back to preselection")
	require.Equal(t, models.EConflict, errorType(again.rejected), "no request is waiting any more")
	require.Equal(t, []models.Status{models.StatusChecking, models.StatusPreselection, models.StatusInfoRequested,
		models.StatusPreselection, models.StatusPreselected, models.StatusJury, models.StatusRefused}, s.statuses)
}

func TestAAPInformationAskedAndUnanswered(t *testing.T) {
	s := newAAPEnv(t, 1, chair)
	s.complete(time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomeRequestInfo, "Please detail the budget lines.", nil)
	s.start()
	r := s.result(t)
	require.Equal(t, models.StatusClosedWithoutAction, r.Status)
	require.Contains(t, r.Reason, "no answer")
	info := taskOf(models.TaskInformation, 0)
	require.Equal(t, []alert{{activities.AlertReminder, info, 27*24*time.Hour + time.Hour}}, s.alerts,
		"the applicant is reminded before the deadline; the lapse closes the task at it")
}

// TestAAPQuorumSignedAndPaid is the whole path: preselected, a jury of three whose quorum
// of two votes to grant, both signatures, payment.
func TestAAPQuorumSignedAndPaid(t *testing.T) {
	s := newAAPEnv(t, 2, chair, member2, member3)
	s.expectFundedAndPaid(aapRequested)
	s.complete(time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomePreselect, "", nil)
	tooMuch := s.complete(2*time.Hour, taskOf(models.TaskJuryDecision, 1), member2, string(models.VoteGrant), "avis motivé", grant(aapRequested+1))
	notMine := s.complete(3*time.Hour, taskOf(models.TaskJuryDecision, 1), member3, string(models.VoteGrant), "avis motivé", grant(aapRequested))
	first := s.complete(4*time.Hour, taskOf(models.TaskJuryDecision, 1), member2, string(models.VoteGrant), "avis motivé", grant(aapRequested))
	deciding := s.complete(5*time.Hour, taskOf(models.TaskJuryDecision, 2), member3, string(models.VoteGrant), "avis motivé", grant(aapRequested))
	late := s.complete(6*time.Hour, taskOf(models.TaskJuryDecision, 0), chair, string(models.VoteRefuse), "avis motivé", nil)
	s.complete(24*time.Hour, taskOf(models.TaskConventionSignature, 1), finance, OutcomeSigned, "", signedToday())
	wrongSigner := s.complete(25*time.Hour, taskOf(models.TaskConventionSignature, 0), member2, OutcomeSigned, "", signedToday())
	lastSignature := s.complete(48*time.Hour, taskOf(models.TaskConventionSignature, 0), applicant, OutcomeSigned, "", signedToday())
	s.complete(72*time.Hour, taskOf(models.TaskDisbursement, 0), finance, "paid", "", models.Payment{PaidOn: "2021-06-04", Reference: "VIR-AAP-1"})
	s.env.SetStartTime(opened)
	s.start()

	require.Equal(t, models.StatusPaid, s.result(t).Status)
	require.Equal(t, models.EInvalid, errorType(tooMuch.rejected), "no more than requested")
	require.Equal(t, models.EForbidden, errorType(notMine.rejected), "a member votes only on its own task")
	require.Equal(t, CompleteTaskResult{DossierID: aapDossier, Status: models.StatusJury}, first.result)
	require.Equal(t, CompleteTaskResult{DossierID: aapDossier, Status: models.StatusAwaitingSignature}, deciding.result,
		"the deciding vote sees the dossier become a laureate")
	require.Equal(t, models.EConflict, errorType(late.rejected), "votes after the decision are refused")
	require.Equal(t, models.EForbidden, errorType(wrongSigner.rejected))
	require.Equal(t, CompleteTaskResult{DossierID: aapDossier, Status: models.StatusAwaitingPayment}, lastSignature.result)
	require.Equal(t, []models.Status{models.StatusChecking, models.StatusPreselection, models.StatusPreselected, models.StatusJury,
		models.StatusAwaitingSignature, models.StatusAwaitingPayment, models.StatusPaid}, s.statuses)
	require.Len(t, s.votes, 2)
}

func TestAAPTieBrokenByChair(t *testing.T) {
	for _, c := range []struct {
		chairVote models.VoteChoice
		want      models.Status
	}{{models.VoteRefuse, models.StatusRefused}, {models.VoteGrant, models.StatusPaid}} {
		t.Run(string(c.chairVote), func(t *testing.T) {
			// Four members, quorum 4: two grant, two refuse; the chair's side wins.
			member4 := models.Principal{Subject: "member4", Roles: []models.Role{models.RoleJury}}
			s := newAAPEnv(t, 4, chair, member2, member3, member4)
			s.complete(time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomePreselect, "", nil)
			var chairData any
			if c.chairVote == models.VoteGrant {
				chairData = grant(15_000_000)
				s.expectFundedAndPaid(15_000_000)
				s.complete(24*time.Hour, taskOf(models.TaskConventionSignature, 0), applicant, OutcomeSigned, "", signedToday())
				s.complete(25*time.Hour, taskOf(models.TaskConventionSignature, 1), finance, OutcomeSigned, "", signedToday())
				s.complete(26*time.Hour, taskOf(models.TaskDisbursement, 0), finance, "paid", "", models.Payment{PaidOn: "2021-06-02", Reference: "VIR-TIE"})
			}
			s.complete(2*time.Hour, taskOf(models.TaskJuryDecision, 0), chair, string(c.chairVote), "avis motivé", chairData)
			s.complete(3*time.Hour, taskOf(models.TaskJuryDecision, 1), member2, string(models.VoteGrant), "avis motivé", grant(aapRequested))
			opposite := models.VoteRefuse
			s.complete(4*time.Hour, taskOf(models.TaskJuryDecision, 2), member3, string(opposite), "avis motivé", nil)
			side := models.VoteGrant
			var sideData any = grant(aapRequested)
			if c.chairVote == models.VoteGrant {
				side, sideData = models.VoteRefuse, nil
			}
			s.complete(5*time.Hour, taskOf(models.TaskJuryDecision, 3), member4, string(side), "avis motivé", sideData)
			s.env.SetStartTime(opened)
			s.start()
			require.Equal(t, c.want, s.result(t).Status)
		})
	}
}

// TestAAPRecusalAndPartialAward: a member declares a conflict and can no longer vote; the
// quorum is counted among the others; the chair grants less than requested.
func TestAAPRecusalAndPartialAward(t *testing.T) {
	s := newAAPEnv(t, 3, chair, member2, member3)
	s.expectFundedAndPaid(12_500_000)
	s.complete(time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomePreselect, "", nil)
	noReason := s.complete(2*time.Hour, taskOf(models.TaskJuryDecision, 2), member3, string(models.VoteRecuse), "", nil)
	recused := s.complete(3*time.Hour, taskOf(models.TaskJuryDecision, 2), member3, string(models.VoteRecuse), "elected in the applicant's council", nil)
	afterRecusal := s.complete(4*time.Hour, taskOf(models.TaskJuryDecision, 2), member3, string(models.VoteGrant), "avis motivé", grant(aapRequested))
	s.complete(5*time.Hour, taskOf(models.TaskJuryDecision, 1), member2, string(models.VoteGrant), "avis motivé", grant(aapRequested))
	s.complete(6*time.Hour, taskOf(models.TaskJuryDecision, 0), chair, string(models.VoteGrant), "phase 1 only", grant(12_500_000))
	s.complete(24*time.Hour, taskOf(models.TaskConventionSignature, 0), applicant, OutcomeSigned, "", signedToday())
	s.complete(25*time.Hour, taskOf(models.TaskConventionSignature, 1), finance, OutcomeSigned, "", signedToday())
	s.complete(26*time.Hour, taskOf(models.TaskDisbursement, 0), finance, "paid", "", models.Payment{PaidOn: "2021-06-02", Reference: "VIR-PART"})
	s.env.SetStartTime(opened)
	s.start()

	require.Equal(t, models.StatusPaid, s.result(t).Status)
	require.Equal(t, models.EInvalid, errorType(noReason.rejected), "a recusal states the conflict")
	require.NoError(t, recused.rejected)
	require.Equal(t, models.EConflict, errorType(afterRecusal.rejected), "a recused member can no longer vote")
	require.Equal(t, models.VoteRecuse, s.votes[0].Choice)
	require.Equal(t, "elected in the applicant's council", s.votes[0].Comment)
}

func TestAAPWaitingListThenFunded(t *testing.T) {
	s := newAAPEnv(t, 1, chair)
	s.complete(time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomePreselect, "", nil)
	s.complete(2*time.Hour, taskOf(models.TaskJuryDecision, 0), chair, string(models.VoteGrant), "avis motivé", grant(aapRequested))
	s.env.OnActivity(acts.ReserveGrant, mock.Anything, mock.Anything).Return(false, nil).Once()
	s.env.OnActivity(acts.RecheckWaitingList, mock.Anything, mock.Anything).Return(activities.WaitingCheck{}, nil).Once()
	s.env.OnActivity(acts.RecheckWaitingList, mock.Anything, mock.Anything).Return(
		activities.WaitingCheck{Reserved: true, Promoted: []string{aapDossier, "another-laureate"}}, nil).Once()
	s.env.OnSignalExternalWorkflow(mock.Anything, models.DossierWorkflowID("another-laureate"), "", SignalGrantReserved, nil).Return(nil).Once()
	s.env.RegisterDelayedCallback(func() { s.env.SignalWorkflow(SignalGrantReserved, nil) }, 36*time.Hour)
	s.env.OnActivity(acts.CommitGrant, mock.Anything, aapDossier).Return(nil).Once()
	s.env.OnActivity(acts.PayGrant, mock.Anything, mock.Anything).Return(models.LedgerEntry{}, nil).Once()
	s.complete(40*time.Hour, taskOf(models.TaskConventionSignature, 0), applicant, OutcomeSigned, "", signedToday())
	s.complete(41*time.Hour, taskOf(models.TaskConventionSignature, 1), finance, OutcomeSigned, "", signedToday())
	s.complete(42*time.Hour, taskOf(models.TaskDisbursement, 0), finance, "paid", "", models.Payment{PaidOn: "2021-06-02", Reference: "VIR-WL"})
	s.env.SetStartTime(opened)
	s.start()

	require.Equal(t, models.StatusPaid, s.result(t).Status)
	require.Equal(t, []models.Status{models.StatusChecking, models.StatusPreselection, models.StatusPreselected, models.StatusJury,
		models.StatusWaitingList, models.StatusAwaitingSignature, models.StatusAwaitingPayment, models.StatusPaid}, s.statuses)
}

// TestAAPConventionLapsed: only the State signs; at the deadline the grant lapses, its money
// is released and the waiting laureate it funds is woken.
func TestAAPConventionLapsed(t *testing.T) {
	s := newAAPEnv(t, 1, chair)
	s.complete(time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomePreselect, "", nil)
	s.complete(2*time.Hour, taskOf(models.TaskJuryDecision, 0), chair, string(models.VoteGrant), "avis motivé", grant(aapRequested))
	s.complete(3*24*time.Hour, taskOf(models.TaskConventionSignature, 1), finance, OutcomeSigned, "", signedToday())
	s.env.OnActivity(acts.ReserveGrant, mock.Anything, mock.Anything).Return(true, nil).Once()
	s.env.OnActivity(acts.ReleaseGrant, mock.Anything, aapDossier).Return([]string{"next-laureate"}, nil).Once()
	s.env.OnSignalExternalWorkflow(mock.Anything, models.DossierWorkflowID("next-laureate"), "", SignalGrantReserved, nil).Return(nil).Once()
	s.start()

	r := s.result(t)
	require.Equal(t, models.StatusLapsed, r.Status)
	require.Equal(t, models.StatusLapsed, s.statuses[len(s.statuses)-1])
	// Only the unsigned party was reminded, 3 days before the deadline.
	var reminders []string
	for _, a := range s.alerts {
		if a.kind == activities.AlertReminder && a.at == 57*24*time.Hour+2*time.Hour {
			reminders = append(reminders, a.taskID)
		}
	}
	require.ElementsMatch(t, []string{taskOf(models.TaskConventionSignature, 0)}, reminders, "the signed task needs no reminder")
}

// TestAAPWaitsForJurySession: a dossier preselected before the session opens waits for it.
func TestAAPWaitsForJurySession(t *testing.T) {
	s := newAAPBase(t)
	s.env.OnActivity(acts.CheckAAPEligibility, mock.Anything, aapDossier).Return(models.Eligibility{Eligible: true}, nil).Once()
	closedCall := models.Call{ID: aapCall, Chair: chair.Subject, Quorum: 1, Jury: []models.JuryMember{{Subject: chair.Subject}}}
	s.env.OnActivity(acts.CallJury, mock.Anything, aapCall).Return(closedCall, nil).Once()
	openCall := closedCall
	openCall.JuryOpenedAt = &opened
	s.env.OnActivity(acts.CallJury, mock.Anything, aapCall).Return(openCall, nil).Once()
	s.complete(time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomePreselect, "", nil)
	early := s.complete(2*time.Hour, taskOf(models.TaskJuryDecision, 0), chair, string(models.VoteRefuse), "avis motivé", nil)
	s.env.RegisterDelayedCallback(func() { s.env.SignalWorkflow(SignalJuryOpened, nil) }, 5*24*time.Hour)
	s.complete(6*24*time.Hour, taskOf(models.TaskJuryDecision, 0), chair, string(models.VoteRefuse), "avis motivé", nil)
	s.start()

	require.Equal(t, models.StatusRefused, s.result(t).Status)
	require.Equal(t, models.EConflict, errorType(early.rejected), "no vote before the session opens")
}

// TestAAPPreselectionRemindedAndEscalated: an instructor who does nothing is reminded 3
// days before the 30-day due date and escalated when it passes; the dossier still waits.
func TestAAPPreselectionRemindedAndEscalated(t *testing.T) {
	s := newAAPEnv(t, 1, chair)
	s.complete(40*24*time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomeReject, "out of the strand's scope", nil)
	s.start()

	require.Equal(t, models.StatusRefused, s.result(t).Status)
	task := taskOf(models.TaskPreselection, 0)
	require.Equal(t, []alert{{activities.AlertReminder, task, 27 * 24 * time.Hour}, {activities.AlertEscalation, task, 30 * 24 * time.Hour}}, s.alerts)
}

// TestAAPVoteOvertakenByDecision: two votes arrive together on a jury of quorum one; the
// first decides, the second is answered that the jury has decided, and the process ends.
func TestAAPVoteOvertakenByDecision(t *testing.T) {
	s := newAAPEnv(t, 1, chair, member2)
	s.complete(time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomePreselect, "", nil)
	// Both Updates reach the workflow in the same batch.
	first, second := &updateOutcome{}, &updateOutcome{}
	callback := func(out *updateOutcome) *testsuite.TestUpdateCallback {
		return &testsuite.TestUpdateCallback{OnAccept: func() {}, OnReject: func(err error) { out.rejected, out.done = err, true },
			OnComplete: func(r any, err error) { out.result, out.err, out.done = r, err, true }}
	}
	s.env.RegisterDelayedCallback(func() {
		for i, m := range []models.Principal{chair, member2} {
			out := first
			if i == 1 {
				out = second
			}
			data, _ := json.Marshal(nil)
			s.env.UpdateWorkflow(UpdateCompleteTask, m.Subject, callback(out), CompleteTaskRequest{TaskID: taskOf(models.TaskJuryDecision, i),
				Actor: m, Outcome: string(models.VoteRefuse), Comment: "hors sujet", Data: data})
		}
	}, 2*time.Hour)
	s.start()

	require.Equal(t, models.StatusRefused, s.result(t).Status, "the workflow completes: no Update is left hanging")
	require.True(t, first.done && second.done)
	outcomes := []string{errorType(first.err) + errorType(first.rejected), errorType(second.err) + errorType(second.rejected)}
	require.ElementsMatch(t, []string{"", models.EConflict}, outcomes, "one vote decides, the other is told the jury has decided")
}

// TestTaskClaimGuardsCompletion: a claimed task is completed by its claimant only, and
// released by it (or an administrator) only.
func TestTaskClaimGuardsCompletion(t *testing.T) {
	s := newAAPEnv(t, 1, chair)
	other := models.Principal{Subject: "instr.ditp", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}}
	task := taskOf(models.TaskPreselection, 0)
	s.env.OnActivity(acts.ClaimTask, mock.Anything, mock.Anything).Return(models.Task{ID: task}, nil).Times(2)
	claimed := s.update(time.Hour, UpdateClaimTask, ClaimTaskRequest{TaskID: task, Actor: instructorDINUM})
	stolen := s.update(2*time.Hour, UpdateClaimTask, ClaimTaskRequest{TaskID: task, Actor: other})
	completedByOther := s.complete(3*time.Hour, task, other, OutcomePreselect, "", nil)
	releasedByOther := s.update(4*time.Hour, UpdateClaimTask, ClaimTaskRequest{TaskID: task, Actor: other, Release: true})
	released := s.update(5*time.Hour, UpdateClaimTask, ClaimTaskRequest{TaskID: task, Actor: instructorDINUM, Release: true})
	s.complete(6*time.Hour, task, other, OutcomeReject, "outside the call's scope", nil)
	s.start()

	require.Equal(t, models.StatusRefused, s.result(t).Status)
	require.NoError(t, claimed.rejected)
	require.Equal(t, models.EConflict, errorType(stolen.rejected))
	require.Equal(t, models.EConflict, errorType(completedByOther.rejected), "claimed by someone else")
	require.Equal(t, models.EConflict, errorType(releasedByOther.rejected))
	require.NoError(t, released.rejected)
}

// TestAAPWithdrawnGivesBackItsMoney: an administrator withdraws a laureate waiting for its
// signatures: the process stops there, the money goes back (funding a waiting laureate),
// and a signature arriving with the withdrawal is answered.
func TestAAPWithdrawnGivesBackItsMoney(t *testing.T) {
	s := newAAPEnv(t, 1, chair)
	admin := models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}}
	s.complete(time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomePreselect, "", nil)
	s.complete(2*time.Hour, taskOf(models.TaskJuryDecision, 0), chair, string(models.VoteGrant), "favorable", grant(aapRequested))
	s.env.OnActivity(acts.ReserveGrant, mock.Anything, mock.Anything).Return(true, nil).Once()
	s.env.OnActivity(acts.WithdrawDossier, mock.Anything, mock.MatchedBy(func(in activities.WithdrawInput) bool {
		return in.Actor == "admin" && in.Reason == "the collectivité gave the project up"
	})).Return([]string{"next-laureate"}, nil).Once()
	s.env.OnSignalExternalWorkflow(mock.Anything, models.DossierWorkflowID("next-laureate"), "", SignalGrantReserved, nil).Return(nil).Once()
	notAdmin := s.update(24*time.Hour, UpdateWithdraw, WithdrawRequest{Actor: instructorDINUM, Reason: "the collectivité gave the project up"})
	noReason := s.update(25*time.Hour, UpdateWithdraw, WithdrawRequest{Actor: admin, Reason: ""})
	shortReason := s.update(26*time.Hour, UpdateWithdraw, WithdrawRequest{Actor: admin, Reason: "abcd"})
	withdrawn := s.update(48*time.Hour, UpdateWithdraw, WithdrawRequest{Actor: admin, Reason: "the collectivité gave the project up"})
	s.start()

	r := s.result(t)
	require.Equal(t, models.StatusWithdrawn, r.Status)
	require.Equal(t, models.EForbidden, errorType(notAdmin.rejected))
	require.Equal(t, models.EInvalid, errorType(noReason.rejected))
	require.Equal(t, map[string]string{"reason": "must be at least 5 characters"}, rejectedFields(t, shortReason.rejected))
	require.NoError(t, withdrawn.rejected)
	require.NoError(t, withdrawn.err)
	require.Equal(t, models.StatusWithdrawn, withdrawn.result)
}

// TestAAPCancelledInTemporalCompensates: an administrator cancelling the workflow in the
// Temporal UI gets the same clean-up as a withdrawal.
func TestAAPCancelledInTemporalCompensates(t *testing.T) {
	s := newAAPEnv(t, 2, chair, member2, member3)
	s.complete(time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomePreselect, "", nil)
	s.env.OnActivity(acts.WithdrawDossier, mock.Anything, mock.MatchedBy(func(in activities.WithdrawInput) bool {
		return in.Reason == "cancelled in Temporal"
	})).Return([]string(nil), nil).Once()
	s.env.RegisterDelayedCallback(s.env.CancelWorkflow, 5*time.Hour)
	s.start()

	require.Equal(t, models.StatusWithdrawn, s.result(t).Status)
}
