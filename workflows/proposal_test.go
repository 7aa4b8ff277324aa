package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

var (
	anctInstructor = models.Principal{Subject: "instr.anct", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}}
	partnerAssoc   = models.Principal{Subject: "asso", Roles: []models.Role{models.RolePartner}, Siren: "775672272"}
	agentOfParis   = models.Principal{Subject: "agent", Roles: []models.Role{models.RoleApplicant}, Siren: "217500016"}
)

const proposalID = "p1"

func newProposalSuite(t *testing.T) *workflowSuite {
	s := newWorkflowSuite(t)
	s.env.OnActivity(acts.RecordEvent, mock.Anything, mock.Anything).Return(nil).Maybe()
	return s
}

func (s *workflowSuite) runProposal(partner bool) {
	siren := "217500016"
	if partner {
		siren = partnerAssoc.Siren
	}
	s.env.ExecuteWorkflow(ProposalWorkflowName, ProposalInput{DossierID: proposalID, CampaignID: "c1", Siren: siren, SubmittedBy: "agent", Partner: partner})
}

func (s *workflowSuite) serviceOutcome(after time.Duration, status models.Status, reason string) {
	s.env.RegisterDelayedCallback(func() {
		s.env.SignalWorkflow(SignalServiceOutcome, models.ServiceOutcome{Status: status, Reason: reason})
	}, after)
}

func review(attempt int) string { return models.TaskID(proposalID, models.TaskProposalReview, attempt) }

func TestProposalAcceptedSelectedDelivered(t *testing.T) {
	s := newProposalSuite(t)
	accepted := s.complete(time.Hour, review(0), anctInstructor, models.OutcomeAccept, "", nil)
	s.serviceOutcome(2*time.Hour, models.StatusDelivered, "too early: not selected yet")
	s.serviceOutcome(3*time.Hour, models.StatusSelected, "selected with 400 000 €")
	s.serviceOutcome(4*time.Hour, models.StatusSelected, "a repeated signal")
	s.serviceOutcome(5*time.Hour, models.StatusDelivered, "published in the Territoires Store")
	s.runProposal(false)

	require.Equal(t, Result{Status: models.StatusDelivered, Reason: "published in the Territoires Store"}, s.result(t))
	require.Equal(t, []models.Status{models.StatusReview, models.StatusAccepted, models.StatusSelected, models.StatusDelivered}, s.statuses)
	require.NoError(t, accepted.err)
	require.Equal(t, models.StatusAccepted, accepted.result.(CompleteTaskResult).Status, "the instructor sees where the act led")
}

func TestProposalMergedThenNotSelected(t *testing.T) {
	s := newProposalSuite(t)
	badMerge := s.complete(time.Hour, review(0), anctInstructor, models.OutcomeMerge, "", map[string]string{"into_dossier_id": "nope"})
	merged := s.complete(2*time.Hour, review(0), anctInstructor, models.OutcomeMerge, "même besoin",
		map[string]string{"into_dossier_id": "0190f3b4-0000-7000-8000-000000000001"})
	s.serviceOutcome(3*time.Hour, models.StatusNotSelected, "the committee ranked it below the budget")
	s.runProposal(false)

	require.Equal(t, Result{Status: models.StatusNotSelected, Reason: "the committee ranked it below the budget"}, s.result(t))
	require.Equal(t, []models.Status{models.StatusReview, models.StatusMerged, models.StatusNotSelected}, s.statuses)
	require.Contains(t, rejectedFields(t, badMerge.rejected), "data.into_dossier_id")
	require.NoError(t, merged.err)
}

func TestProposalOutOfScope(t *testing.T) {
	s := newProposalSuite(t)
	partnerTry := s.complete(time.Hour, review(0), partnerAssoc, models.OutcomeAccept, "", nil)
	s.complete(2*time.Hour, review(0), anctInstructor, models.OutcomeOutOfScope, "relève de l'axe 2 (guichet national)", nil)
	s.runProposal(true)

	require.Equal(t, Result{Status: models.StatusOutOfScope, Reason: "relève de l'axe 2 (guichet national)"}, s.result(t))
	require.Equal(t, models.EForbidden, errorType(partnerTry.rejected), "a proposer does not review its own proposal")
}

func TestProposalMoreInformationThenAccepted(t *testing.T) {
	s := newProposalSuite(t)
	s.complete(time.Hour, review(0), anctInstructor, models.OutcomeRequestInfo, "Combien d'usagers le service a-t-il ?", nil)
	info := models.TaskID(proposalID, models.TaskInformation, 0)
	collectivite := s.complete(2*time.Hour, info, agentOfParis, OutcomeAnswered, "12 000 usagers", nil)
	answered := s.complete(3*time.Hour, info, partnerAssoc, OutcomeAnswered, "12 000 usagers par an", nil)
	s.complete(4*time.Hour, review(1), anctInstructor, models.OutcomeAccept, "", nil)
	s.serviceOutcome(5*time.Hour, models.StatusNotSelected, "not selected")
	s.runProposal(true)

	require.Equal(t, models.StatusNotSelected, s.result(t).Status)
	require.Equal(t, []models.Status{models.StatusReview, models.StatusInfoRequested, models.StatusReview, models.StatusAccepted,
		models.StatusNotSelected}, s.statuses)
	require.Equal(t, models.EForbidden, errorType(collectivite.rejected), "a partner's task is the partner's")
	require.NoError(t, answered.err)
	require.Equal(t, models.StatusReview, answered.result.(CompleteTaskResult).Status, "the proposer sees the proposal back in review")
}

func TestProposalClosedWithoutAnAnswer(t *testing.T) {
	s := newProposalSuite(t)
	s.complete(time.Hour, review(0), anctInstructor, models.OutcomeRequestInfo, "Quelle licence pour ce service ?", nil)
	s.runProposal(false)

	r := s.result(t)
	require.Equal(t, models.StatusClosedWithoutAction, r.Status)
	require.Equal(t, []models.Status{models.StatusReview, models.StatusInfoRequested, models.StatusClosedWithoutAction}, s.statuses)
}

func TestProposalCatchesAMissedOutcome(t *testing.T) {
	s := newProposalSuite(t)
	checks := 0
	s.env.OnActivity(acts.ProposalServiceOutcome, mock.Anything, proposalID).Return(func(context.Context, string) (models.ServiceOutcome, error) {
		checks++
		if checks < 3 {
			return models.ServiceOutcome{}, nil // undecided for two days
		}
		return models.ServiceOutcome{Status: models.StatusDelivered, Reason: "published in the Territoires Store"}, nil
	})
	s.complete(time.Hour, review(0), anctInstructor, models.OutcomeAccept, "", nil)
	s.runProposal(false)

	require.Equal(t, Result{Status: models.StatusDelivered, Reason: "published in the Territoires Store"}, s.result(t))
	require.Equal(t, []models.Status{models.StatusReview, models.StatusAccepted, models.StatusSelected, models.StatusDelivered}, s.statuses,
		"no signal came: the daily check found the service delivered, and both steps are recorded")
	require.Equal(t, 3, checks)
}
