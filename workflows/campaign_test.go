package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

var campaignAdmin = models.Principal{Subject: "admin.anct", Roles: []models.Role{models.RoleAdmin}}

// phaseAt is a phase the campaign recorded, at the day of workflow time it did.
type phaseAt struct {
	phase models.Phase
	day   float64
}

// campaignSuite runs a campaign whose phases are given in days from the test's start.
type campaignSuite struct {
	*workflowSuite
	start  time.Time
	phases []phaseAt
	saved  []models.Schedule
	// signalled are the phases told to the services; the rest is the committee's.
	signalled []phaseAt
	facts     activities.Committee
	opened    []models.Task
	closed    []string
	cancelled []string
	opinions  []activities.OpinionsInput
	decisions []activities.DecisionInput
	// refuseDecision makes the next decision's reservation fail with a conflict.
	refuseDecision bool
	told           [][]activities.ServiceSignal
}

func newCampaignSuite(t *testing.T) *campaignSuite {
	s := &campaignSuite{workflowSuite: &workflowSuite{}}
	s.env = s.NewTestWorkflowEnvironment()
	s.env.RegisterWorkflowWithOptions(CampaignWorkflow, workflow.RegisterOptions{Name: CampaignWorkflowName})
	s.env.RegisterActivity(&activities.Activities{})
	t.Cleanup(func() { s.env.AssertExpectations(t) })
	s.start = s.env.Now().UTC()
	s.env.OnActivity(acts.RecordCampaignPhase, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.CampaignPhaseInput) error {
		s.phases = append(s.phases, phaseAt{in.Phase, s.env.Now().Sub(s.start).Hours() / 24})
		return nil
	})
	s.env.OnActivity(acts.SaveCampaignSchedule, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.CampaignScheduleInput) error {
		s.saved = append(s.saved, in.Schedule)
		return nil
	}).Maybe()
	s.env.OnActivity(acts.SignalCampaignServices, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.CampaignPhaseSignal) (int, error) {
		s.signalled = append(s.signalled, phaseAt{in.Phase, s.env.Now().Sub(s.start).Hours() / 24})
		return 0, nil
	}).Maybe()
	s.env.OnActivity(acts.CampaignCommittee, mock.Anything, mock.Anything).Return(func(context.Context, string) (activities.Committee, error) {
		return s.facts, nil
	}).Maybe()
	s.env.OnActivity(acts.OpenTask, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.OpenTaskInput) error {
		s.opened = append(s.opened, in.Task)
		return nil
	}).Maybe()
	s.env.OnActivity(acts.CloseTask, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.CloseTaskInput) error {
		s.closed = append(s.closed, in.TaskID)
		return nil
	}).Maybe()
	s.env.OnActivity(acts.CancelTask, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.CancelTaskInput) error {
		s.cancelled = append(s.cancelled, in.TaskID)
		return nil
	}).Maybe()
	s.env.OnActivity(acts.AlertTask, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.TaskAlert) error {
		s.alerts = append(s.alerts, alert{in.Kind, in.Task.ID, s.env.Now().Sub(s.start).Round(time.Hour)})
		return nil
	}).Maybe()
	s.env.OnActivity(acts.ExtendTask, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ExtendInput) (models.Task, error) {
		return models.Task{ID: in.TaskID, DueAt: &in.DueAt}, nil
	}).Maybe()
	s.env.OnActivity(acts.RecordCommitteeOpinions, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.OpinionsInput) error {
		s.opinions = append(s.opinions, in)
		return nil
	}).Maybe()
	s.env.OnActivity(acts.RecordCommitteeDecision, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.DecisionInput) error {
		if s.refuseDecision {
			s.refuseDecision = false
			return temporal.NewNonRetryableApplicationError("the selected services' budgets exceed what envelope axe1.c1 has left: nothing was reserved", models.EConflict, nil)
		}
		s.decisions = append(s.decisions, in)
		return nil
	}).Maybe()
	s.env.OnActivity(acts.SignalServices, mock.Anything, mock.Anything, mock.Anything).Return(func(_ context.Context, signal string, signals []activities.ServiceSignal) (int, error) {
		if signal == SignalServiceDecision {
			s.told = append(s.told, signals)
		}
		return len(signals), nil
	}).Maybe()
	return s
}

func (s *campaignSuite) day(n float64) time.Time {
	return s.start.Add(time.Duration(n * float64(24*time.Hour)))
}

// schedule is collection from day 1 to 30, vote 30–45, interest 50–60, build 60–100.
func (s *campaignSuite) schedule() models.Schedule {
	w := func(from, to float64) models.Window { return models.Window{OpensAt: s.day(from), ClosesAt: s.day(to)} }
	return models.Schedule{Collection: w(1, 30), Vote: w(30, 45), Interest: w(50, 60), Build: w(60, 100)}
}

func (s *campaignSuite) run(in CampaignInput) {
	if in.CampaignID == "" {
		in.CampaignID = "c1"
	}
	s.env.ExecuteWorkflow(CampaignWorkflowName, in)
}

func TestCampaignOpensAndClosesEachPhase(t *testing.T) {
	s := newCampaignSuite(t)
	s.run(CampaignInput{Schedule: s.schedule()})
	require.True(t, s.env.IsWorkflowCompleted())
	require.NoError(t, s.env.GetWorkflowError())
	require.Equal(t, []phaseAt{{models.PhaseScheduled, 0}, {models.PhaseCollection, 1}, {models.PhaseVote, 30},
		{models.PhaseBetween, 45}, {models.PhaseInterest, 50}, {models.PhaseBuild, 60}, {models.PhaseClosed, 100}}, s.phases)
	require.Equal(t, s.phases, s.signalled, "each transition reaches the services")
	require.Empty(t, s.opened, "no candidate service: no committee")
}

func TestCampaignDatesMovedWhileOpen(t *testing.T) {
	s := newCampaignSuite(t)
	longer := s.schedule()
	longer.Collection.ClosesAt, longer.Vote.OpensAt = s.day(35), s.day(35)
	extended := s.update(10*day, UpdateMoveSchedule, MoveScheduleRequest{Actor: campaignAdmin, Schedule: longer})
	reopened := s.schedule()
	reopened.Collection.OpensAt = s.day(2)
	refused := s.update(11*day, UpdateMoveSchedule, MoveScheduleRequest{Actor: campaignAdmin, Schedule: reopened})
	outOfOrder := longer
	outOfOrder.Vote.ClosesAt = s.day(20)
	disordered := s.update(12*day, UpdateMoveSchedule, MoveScheduleRequest{Actor: campaignAdmin, Schedule: outOfOrder})
	stranger := s.update(13*day, UpdateMoveSchedule, MoveScheduleRequest{Actor: models.Principal{Subject: "x",
		Roles: []models.Role{models.RoleInstructor}}, Schedule: longer})
	s.run(CampaignInput{Schedule: s.schedule()})

	require.NoError(t, s.env.GetWorkflowError())
	require.True(t, extended.done)
	require.NoError(t, extended.err)
	require.Equal(t, MoveScheduleResult{Schedule: longer, Phase: models.PhaseCollection}, extended.result)
	require.Equal(t, []models.Schedule{longer}, s.saved, "only the accepted move is recorded")
	require.Contains(t, rejectedFields(t, refused.rejected), "collection.opens_at", "an open phase keeps its opening date")
	require.Contains(t, rejectedFields(t, disordered.rejected), "vote.closes_at")
	require.Equal(t, models.EForbidden, errorType(stranger.rejected))
	// The timer followed the move: the vote opened on day 35, not 30.
	require.Equal(t, []phaseAt{{models.PhaseScheduled, 0}, {models.PhaseCollection, 1}, {models.PhaseVote, 35},
		{models.PhaseBetween, 45}, {models.PhaseInterest, 50}, {models.PhaseBuild, 60}, {models.PhaseClosed, 100}}, s.phases)
}

func TestCampaignMoveRefusedOnceClosed(t *testing.T) {
	s := newCampaignSuite(t)
	late := s.schedule()
	late.Collection.ClosesAt = s.day(31)
	closed := s.update(30*day+time.Hour, UpdateMoveSchedule, MoveScheduleRequest{Actor: campaignAdmin, Schedule: late})
	// The vote, still open, may end earlier; the interest phase, to come, may open earlier.
	shorter := s.schedule()
	shorter.Vote.ClosesAt, shorter.Interest.OpensAt = s.day(40), s.day(40)
	moved := s.update(31*day, UpdateMoveSchedule, MoveScheduleRequest{Actor: campaignAdmin, Schedule: shorter})
	s.run(CampaignInput{Schedule: s.schedule()})

	require.NoError(t, s.env.GetWorkflowError())
	require.Contains(t, rejectedFields(t, closed.rejected), "collection", "a closed phase keeps its dates")
	require.NoError(t, moved.err)
	require.Nil(t, moved.rejected)
	require.Equal(t, []phaseAt{{models.PhaseScheduled, 0}, {models.PhaseCollection, 1}, {models.PhaseVote, 30},
		{models.PhaseInterest, 40}, {models.PhaseBuild, 60}, {models.PhaseClosed, 100}}, s.phases)
}

func TestCampaignContinuesAsNewWhenHistoryGrows(t *testing.T) {
	s := newCampaignSuite(t)
	sch := s.schedule()
	var last models.Schedule
	for i := 1; i <= 5; i++ {
		last = s.schedule()
		last.Build.ClosesAt = s.day(100 + float64(i))
		s.update(time.Duration(i)*time.Hour, UpdateMoveSchedule, MoveScheduleRequest{Actor: campaignAdmin, Schedule: last})
	}
	// The history grows past the limit; the next wake-up (the fifth move) continues as new.
	s.env.RegisterDelayedCallback(func() { s.env.SetCurrentHistoryLength(campaignMaxEvents) }, 4*time.Hour+time.Minute)
	s.run(CampaignInput{Schedule: sch})

	err := s.env.GetWorkflowError()
	var next *workflow.ContinueAsNewError
	require.ErrorAs(t, err, &next)
	require.Equal(t, CampaignWorkflowName, next.WorkflowType.Name)
	var in CampaignInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(next.Input, &in))
	require.Equal(t, "c1", in.CampaignID)
	require.Equal(t, models.PhaseScheduled, in.Phase, "the next run does not record the phase again")
	require.Equal(t, 5, in.Moves, "nor reuses the moves' audit keys")
	require.Equal(t, last, in.Schedule, "it carries the schedule in force")
	require.Len(t, s.saved, 5, "the move that woke it was recorded first")
}
