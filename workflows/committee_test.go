package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

const (
	svcA = "0190a1b2-0000-7000-8000-00000000000a"
	svcB = "0190a1b2-0000-7000-8000-00000000000b"
)

var (
	anctChair = models.Principal{Subject: "anct.chair", Roles: []models.Role{models.RoleAdmin}}
	dinum     = models.Principal{Subject: "dinum", Roles: []models.Role{models.RoleJury}}
	maire     = models.Principal{Subject: "maire"} // no role at all: sitting on the committee is enough
	member    = map[string]string{"anct.chair": "c1.committee_opinions.0", "dinum": "c1.committee_opinions.1", "maire": "c1.committee_opinions.2"}
)

// committeeSuite is a campaign whose vote closes on day 45, with two candidate services
// (B leads the results), a committee of three, a quorum of two, and 1,000,000 € left.
func newCommitteeSuite(t *testing.T) *campaignSuite {
	s := newCampaignSuite(t)
	s.facts = activities.Committee{Campaign: models.Campaign{ID: "c1", Committee: []models.CommitteeMember{
		{Subject: "anct.chair", ANCT: true}, {Subject: "dinum"}, {Subject: "maire"}}, Chair: "anct.chair", Quorum: 2},
		Services: []models.CandidateService{{ID: svcB, Title: "B", Status: models.ServiceCandidate},
			{ID: svcA, Title: "A", Status: models.ServiceCandidate}},
		AvailableCents: models.Euros(1_000_000)}
	return s
}

func opinions() models.OpinionsRequest {
	return models.OpinionsRequest{Opinions: []models.ServiceOpinion{{ServiceID: svcB, Select: true, Comment: "attendu"},
		{ServiceID: svcA, Select: false, Comment: "trop cher"}}}
}

func decision(budget models.Cents) models.CommitteeDecision {
	return models.CommitteeDecision{Services: []models.ServiceDecision{
		{ServiceID: svcB, Selected: true, BudgetCents: budget, Reason: "attendu par les votants"},
		{ServiceID: svcA, Reason: "au-delà du budget de la campagne"}}}
}

func (s *campaignSuite) at(d float64) time.Duration { return s.day(d).Sub(s.start) }

func TestCommitteeSitsOnceTheVoteCloses(t *testing.T) {
	s := newCommitteeSuite(t)
	early := s.complete(s.at(40), member["dinum"], dinum, models.OutcomeOpinions, "", opinions())
	partial := s.complete(s.at(46), member["dinum"], dinum, models.OutcomeOpinions, "",
		models.OpinionsRequest{Opinions: opinions().Opinions[:1]})
	stranger := s.complete(s.at(46)+time.Minute, member["maire"], dinum, models.OutcomeOpinions, "", opinions())
	dinumDone := s.complete(s.at(46)+time.Hour, member["dinum"], dinum, models.OutcomeOpinions, "", opinions())
	tooSoon := s.complete(s.at(46)+2*time.Hour, "c1.committee_decision.0", anctChair, models.OutcomeDecided, "", decision(models.Euros(300_000)))
	chairDone := s.complete(s.at(47), member["anct.chair"], anctChair, models.OutcomeOpinions, "", opinions())
	notChair := s.complete(s.at(47)+time.Hour, "c1.committee_decision.0", dinum, models.OutcomeDecided, "", decision(models.Euros(300_000)))
	overdrawn := s.complete(s.at(47)+2*time.Hour, "c1.committee_decision.0", anctChair, models.OutcomeDecided, "", decision(models.Euros(1_000_000)+1))
	decided := s.complete(s.at(48), "c1.committee_decision.0", anctChair, models.OutcomeDecided, "", decision(models.Euros(300_000)))
	late := s.complete(s.at(49), member["maire"], maire, models.OutcomeOpinions, "", opinions())
	s.run(CampaignInput{Schedule: s.schedule()})
	require.NoError(t, s.env.GetWorkflowError())

	// Each member's task opened when the vote closed, due 15 days later.
	require.Len(t, s.opened, 4)
	for i, m := range []string{"anct.chair", "dinum", "maire"} {
		task := s.opened[i]
		require.Equal(t, member[m], task.ID)
		require.Equal(t, models.TaskCommitteeOpinions, task.Type)
		require.Equal(t, models.RoleCommittee, task.Role)
		require.Equal(t, m, task.Assignee)
		require.Equal(t, "c1", task.DossierID)
		require.Equal(t, s.day(60), *task.DueAt)
	}
	require.Equal(t, models.EConflict, errorType(early.rejected), "no task before the vote closes")
	require.Contains(t, rejectedFields(t, partial.rejected), "data.opinions", "an opinion on every service")
	require.Equal(t, models.EForbidden, errorType(stranger.rejected), "a member's task is theirs")
	require.NoError(t, dinumDone.err)
	require.Equal(t, CompleteTaskResult{DossierID: "c1", Status: models.Status(models.PhaseBetween)}, dinumDone.result, "a campaign answers with its phase")
	require.Equal(t, models.EConflict, errorType(tooSoon.rejected), "the chair's task waits for the quorum")
	require.NoError(t, chairDone.err)

	// The quorum answered: the chair's task opened, which only the chair completes, within the envelope.
	chairTask := s.opened[3]
	require.Equal(t, "c1.committee_decision.0", chairTask.ID)
	require.Equal(t, "anct.chair", chairTask.Assignee)
	require.Equal(t, s.day(47+15), *chairTask.DueAt)
	require.Equal(t, models.EForbidden, errorType(notChair.rejected))
	require.Equal(t, models.EConflict, errorType(overdrawn.rejected), "beyond the envelope")
	require.NoError(t, decided.err)
	require.Equal(t, []activities.OpinionsInput{{CampaignID: "c1", Member: "dinum", Opinions: opinions().Opinions},
		{CampaignID: "c1", Member: "anct.chair", Opinions: opinions().Opinions}}, s.opinions)
	require.Equal(t, []activities.DecisionInput{{CampaignID: "c1", Decision: decision(models.Euros(300_000)), Actor: "anct.chair"}}, s.decisions)

	// The member who had not answered is told no more; each service hears the decision.
	require.Equal(t, []string{member["maire"]}, s.cancelled)
	require.Equal(t, models.EConflict, errorType(late.rejected), "too late: the chair has decided")
	require.Equal(t, [][]activities.ServiceSignal{{
		{ServiceID: svcB, Arg: models.ServiceOutcome{Status: models.StatusSelected, Reason: "attendu par les votants"}},
		{ServiceID: svcA, Arg: models.ServiceOutcome{Status: models.StatusNotSelected, Reason: "au-delà du budget de la campagne"}}}}, fromJSON(t, s.told))
	require.Empty(t, s.alerts, "all done before the reminders")
	require.Equal(t, s.phases, s.signalled, "each transition reaches the services")
}

// fromJSON reads the signals' arguments as the service's workflow will (the mock received them decoded as maps).
func fromJSON(t *testing.T, told [][]activities.ServiceSignal) [][]activities.ServiceSignal {
	t.Helper()
	out := make([][]activities.ServiceSignal, len(told))
	for i, signals := range told {
		for _, sig := range signals {
			p, err := converter.GetDefaultDataConverter().ToPayload(sig.Arg)
			require.NoError(t, err)
			var o models.ServiceOutcome
			require.NoError(t, converter.GetDefaultDataConverter().FromPayload(p, &o))
			out[i] = append(out[i], activities.ServiceSignal{ServiceID: sig.ServiceID, Arg: o})
		}
	}
	return out
}

func TestCommitteeRemindsEscalatesAndAdjourns(t *testing.T) {
	s := newCommitteeSuite(t)
	// An administrator gives the mayor until day 70.
	extended := s.update(s.at(50), UpdateExtendTask, ExtendTaskRequest{TaskID: member["maire"], Actor: campaignAdmin, DueAt: s.day(70), Reason: "conseil municipal"})
	s.run(CampaignInput{Schedule: s.schedule()})
	require.NoError(t, s.env.GetWorkflowError())
	require.Len(t, s.opened, 3)
	require.NoError(t, extended.err)
	// Three days before the due date (day 60) a reminder, then the escalation; the campaign
	// closes on day 100 with nobody having answered, and its tasks close with it.
	var want []alert
	for _, kind := range []string{activities.AlertReminder, activities.AlertEscalation} {
		at := 57 * day
		if kind == activities.AlertEscalation {
			at = 60 * day
		}
		for _, m := range []string{"anct.chair", "dinum"} {
			want = append(want, alert{kind, member[m], at})
		}
		want = append(want, alert{kind, member["maire"], at + 10*day})
	}
	require.ElementsMatch(t, want, s.alerts)
	require.Equal(t, []string{member["anct.chair"], member["dinum"], member["maire"]}, s.cancelled)
	require.Empty(t, s.decisions)
}

func TestCommitteeFollowsAMovedVote(t *testing.T) {
	s := newCommitteeSuite(t)
	shorter := s.schedule()
	shorter.Vote.ClosesAt, shorter.Interest.OpensAt = s.day(40), s.day(41)
	s.update(s.at(35), UpdateMoveSchedule, MoveScheduleRequest{Actor: campaignAdmin, Schedule: shorter})
	later := shorter
	later.Interest.ClosesAt = s.day(70)
	movedWhileSitting := s.update(s.at(42), UpdateMoveSchedule, MoveScheduleRequest{Actor: campaignAdmin, Schedule: later})
	s.complete(s.at(43), member["dinum"], dinum, models.OutcomeOpinions, "", opinions())
	s.complete(s.at(43)+time.Hour, member["maire"], maire, models.OutcomeOpinions, "", opinions())
	decided := s.complete(s.at(44), "c1.committee_decision.0", anctChair, models.OutcomeDecided, "", decision(models.Euros(300_000)))
	s.run(CampaignInput{Schedule: s.schedule()})
	require.NoError(t, s.env.GetWorkflowError())
	require.Equal(t, s.day(55), *s.opened[0].DueAt, "the tasks opened when the moved vote closed, on day 40")
	require.NoError(t, movedWhileSitting.err)
	require.NoError(t, decided.err)
	require.Len(t, s.decisions, 1)
	require.Equal(t, []string{member["anct.chair"]}, s.cancelled)
}

func TestCommitteeDecisionRefusedByTheEnvelope(t *testing.T) {
	s := newCommitteeSuite(t)
	s.refuseDecision = true
	s.complete(s.at(46), member["dinum"], dinum, models.OutcomeOpinions, "", opinions())
	s.complete(s.at(46)+time.Hour, member["maire"], maire, models.OutcomeOpinions, "", opinions())
	refused := s.complete(s.at(47), "c1.committee_decision.0", anctChair, models.OutcomeDecided, "", decision(models.Euros(300_000)))
	again := s.complete(s.at(48), "c1.committee_decision.1", anctChair, models.OutcomeDecided, "", decision(models.Euros(200_000)))
	s.run(CampaignInput{Schedule: s.schedule()})
	require.NoError(t, s.env.GetWorkflowError())
	require.Equal(t, models.EConflict, errorType(refused.err), "the reservation refused it: %v", refused.err)
	require.Contains(t, refused.err.Error(), "was cancelled: the selected services' budgets exceed")
	require.NoError(t, again.err, "a new task for the chair")
	require.Equal(t, decision(models.Euros(200_000)), s.decisions[0].Decision)
}

func TestCommitteeContinuesAsNewWithItsTasks(t *testing.T) {
	s := newCommitteeSuite(t)
	s.complete(s.at(46), member["dinum"], dinum, models.OutcomeOpinions, "", opinions())
	claimed := s.update(s.at(46)+time.Hour, UpdateClaimTask, ClaimTaskRequest{TaskID: member["maire"], Actor: maire})
	// The tasks grow the history past the limit: the campaign continues as new, though no phase changes.
	s.env.RegisterDelayedCallback(func() { s.env.SetCurrentHistoryLength(campaignMaxEvents) }, s.at(47))
	s.run(CampaignInput{Schedule: s.schedule()})

	var next *workflow.ContinueAsNewError
	require.ErrorAs(t, s.env.GetWorkflowError(), &next)
	require.Equal(t, models.EConflict, errorType(claimed.rejected), "a member's task is personal")
	var in CampaignInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(next.Input, &in))
	require.NotNil(t, in.Committee)
	require.Equal(t, []string{"dinum"}, in.Committee.Answered)
	require.Len(t, in.Committee.Open, 2)
	require.Equal(t, member["anct.chair"], in.Committee.Open[0].Task.ID)
	require.Equal(t, s.day(60), *in.Committee.Open[1].Task.DueAt)

	// The next run takes the tasks over: no task opens again, the due date stays, and the
	// chair's opinions make the quorum.
	r := newCommitteeSuite(t)
	r.start = s.start
	r.env.SetStartTime(s.env.Now())
	r.complete(time.Hour, member["anct.chair"], anctChair, models.OutcomeOpinions, "", opinions())
	decided := r.complete(2*time.Hour, "c1.committee_decision.0", anctChair, models.OutcomeDecided, "", decision(models.Euros(300_000)))
	r.run(in)
	require.NoError(t, r.env.GetWorkflowError())
	require.NoError(t, decided.err)
	require.Equal(t, []string{"c1.committee_decision.0"}, taskIDs(r.opened), "only the chair's task opens")
	require.Equal(t, []string{member["maire"]}, r.cancelled)
	require.Len(t, r.decisions, 1)
	require.Len(t, r.told, 1)
}

func taskIDs(ts []models.Task) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

// TestCommitteeOfACampaignInFlightSitsAtItsNextTransition: a campaign whose vote closed
// before the committee sat as tasks (its history has no marker there) sits it at the next
// transition, the interest phase on day 50.
func TestCommitteeOfACampaignInFlightSitsAtItsNextTransition(t *testing.T) {
	s := newCommitteeSuite(t)
	s.env.OnGetVersion(changeCommittee+"/"+string(models.PhaseBetween), workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	s.run(CampaignInput{Schedule: s.schedule()})
	require.NoError(t, s.env.GetWorkflowError())
	require.Len(t, s.opened, 3)
	require.Equal(t, s.day(65), *s.opened[0].DueAt, "opened on day 50")
}
