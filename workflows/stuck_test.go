package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

var admin = models.Principal{Subject: "admin.anct", Roles: []models.Role{models.RoleAdmin}}

// expectExtensions records the due dates an administrator set.
func (s *aapSuite) expectExtensions() *[]activities.ExtendInput {
	var got []activities.ExtendInput
	s.env.OnActivity(acts.ExtendTask, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ExtendInput) (models.Task, error) {
		got = append(got, in)
		return models.Task{ID: in.TaskID, DueAt: &in.DueAt}, nil
	})
	return &got
}

// TestExtendedTaskIsRemindedAndEscalatedAgain: a preselection escalated at its 30-day due
// date is moved to day 45 on day 31: it is reminded again on day 42 and escalated again on
// day 45, and the workflow goes on waiting.
func TestExtendedTaskIsRemindedAndEscalatedAgain(t *testing.T) {
	s := newAAPEnv(t, 1, chair)
	got := s.expectExtensions()
	base := s.env.Now()
	task := taskOf(models.TaskPreselection, 0)
	extended := s.update(31*day, UpdateExtendTask, ExtendTaskRequest{TaskID: task, Actor: admin, DueAt: base.Add(45 * day),
		Reason: "the instructor was on leave"})
	s.complete(50*day, task, instructorDINUM, OutcomeReject, "out of the strand's scope", nil)
	s.start()

	require.Equal(t, models.StatusRefused, s.result(t).Status)
	require.NoError(t, extended.rejected)
	require.NoError(t, extended.err)
	require.Equal(t, []alert{{activities.AlertReminder, task, 27 * day}, {activities.AlertEscalation, task, 30 * day},
		{activities.AlertReminder, task, 42 * day}, {activities.AlertEscalation, task, 45 * day}}, s.alerts)
	require.Len(t, *got, 1)
	require.Equal(t, 1, (*got)[0].Extension)
	require.True(t, base.Add(30*day).Equal((*got)[0].Previous), "the audit names the due date it replaces")
	require.Equal(t, admin.Subject, (*got)[0].Actor)
}

// TestExtensionBeforeTheReminderMovesBoth: moved on day 10 to day 40, the preselection is
// reminded on day 37 and escalated on day 40, never on days 27 and 30.
func TestExtensionBeforeTheReminderMovesBoth(t *testing.T) {
	s := newAAPEnv(t, 1, chair)
	s.expectExtensions()
	base := s.env.Now()
	task := taskOf(models.TaskPreselection, 0)
	s.update(10*day, UpdateExtendTask, ExtendTaskRequest{TaskID: task, Actor: admin, DueAt: base.Add(40 * day), Reason: "a complex dossier"})
	s.complete(41*day, task, instructorDINUM, OutcomeReject, "out of the strand's scope", nil)
	s.start()

	require.Equal(t, models.StatusRefused, s.result(t).Status)
	require.Equal(t, []alert{{activities.AlertReminder, task, 37 * day}, {activities.AlertEscalation, task, 40 * day}}, s.alerts)
}

// TestExtensionRefusals: the validator refuses, before anything enters history, anyone
// but an administrator, a date not after the current one or in the past, a blank reason,
// and a task whose due date is the process's deadline.
func TestExtensionRefusals(t *testing.T) {
	s := newAAPEnv(t, 1, chair)
	base := s.env.Now()
	task := taskOf(models.TaskPreselection, 0)
	later := base.Add(45 * day)
	cases := map[string]struct {
		req   ExtendTaskRequest
		code  string
		field string
	}{
		"not an administrator": {ExtendTaskRequest{TaskID: task, Actor: instructorDINUM, DueAt: later, Reason: "on leave"}, models.EForbidden, ""},
		"unknown task":         {ExtendTaskRequest{TaskID: "nope", Actor: admin, DueAt: later, Reason: "on leave"}, models.EConflict, ""},
		"earlier than due":     {ExtendTaskRequest{TaskID: task, Actor: admin, DueAt: base.Add(20 * day), Reason: "on leave"}, models.EInvalid, "due_at"},
		"in the past":          {ExtendTaskRequest{TaskID: task, Actor: admin, DueAt: base.Add(-day), Reason: "on leave"}, models.EInvalid, "due_at"},
		"no reason":            {ExtendTaskRequest{TaskID: task, Actor: admin, DueAt: later, Reason: "  "}, models.EInvalid, "reason"},
		"no date":              {ExtendTaskRequest{TaskID: task, Actor: admin, Reason: "on leave"}, models.EInvalid, "due_at"},
	}
	outcomes := map[string]*updateOutcome{}
	at := time.Hour
	for name, c := range cases {
		at += time.Minute // the suite names an Update after its delay
		outcomes[name] = s.update(at, UpdateExtendTask, c.req)
	}
	s.complete(2*time.Hour, task, instructorDINUM, OutcomeReject, "out of the strand's scope", nil)
	s.start()

	require.Equal(t, models.StatusRefused, s.result(t).Status)
	for name, c := range cases {
		out := outcomes[name]
		require.True(t, out.done, name)
		require.Equal(t, c.code, errorType(out.rejected), name)
		if c.field != "" {
			require.Contains(t, rejectedFields(t, out.rejected), c.field, name)
		}
	}
}

// TestDeadlineTasksCannotBeExtended: an applicant's answer to a request for information
// is due at the process's own deadline, which an administrator does not move.
func TestDeadlineTasksCannotBeExtended(t *testing.T) {
	s := newAAPEnv(t, 1, chair)
	base := s.env.Now()
	s.complete(time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomeRequestInfo, "the budget lines, please", nil)
	refused := s.update(2*time.Hour, UpdateExtendTask, ExtendTaskRequest{TaskID: taskOf(models.TaskInformation, 0), Actor: admin,
		DueAt: base.Add(90 * day), Reason: "the mayor asked for more time"})
	s.start()

	require.Equal(t, models.EConflict, errorType(refused.rejected))
}

// TestReassignedTaskIsTheNewAssignees: an administrator hands an unclaimed preselection to
// another instructor: only they may complete it now, and the audit names who had it
// and why; a jury vote is not reassigned.
func TestReassignedTaskIsTheNewAssignees(t *testing.T) {
	s := newAAPEnv(t, 1, chair)
	other := models.Principal{Subject: "instr.ditp", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}}
	task := taskOf(models.TaskPreselection, 0)
	var claims []activities.ClaimInput
	s.env.OnActivity(acts.ClaimTask, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ClaimInput) (models.Task, error) {
		claims = append(claims, in)
		return models.Task{ID: in.TaskID, Status: models.TaskClaimed, Assignee: in.Subject}, nil
	})
	claimed := s.update(time.Hour, UpdateClaimTask, ClaimTaskRequest{TaskID: task, Actor: instructorDINUM})
	byInstructor := s.update(2*time.Hour, UpdateReassignTask, ReassignTaskRequest{TaskID: task, Actor: instructorDINUM,
		Assignee: other.Subject, Reason: "I am leaving"})
	noReason := s.update(3*time.Hour, UpdateReassignTask, ReassignTaskRequest{TaskID: task, Actor: admin, Assignee: other.Subject})
	reassigned := s.update(4*time.Hour, UpdateReassignTask, ReassignTaskRequest{TaskID: task, Actor: admin, Assignee: other.Subject,
		Reason: "instr.dinum is on leave"})
	again := s.update(5*time.Hour, UpdateReassignTask, ReassignTaskRequest{TaskID: task, Actor: admin, Assignee: other.Subject,
		Reason: "instr.dinum is on leave"})
	byFormerClaimant := s.complete(6*time.Hour, task, instructorDINUM, OutcomePreselect, "", nil)
	s.complete(7*time.Hour, task, other, OutcomeReject, "outside the call's scope", nil)
	s.start()

	require.Equal(t, models.StatusRefused, s.result(t).Status)
	require.NoError(t, claimed.rejected)
	require.Equal(t, models.EForbidden, errorType(byInstructor.rejected))
	require.Contains(t, rejectedFields(t, noReason.rejected), "reason")
	require.NoError(t, reassigned.rejected)
	require.NoError(t, reassigned.err)
	require.Equal(t, models.TaskClaimed, reassigned.result.(models.Task).Status)
	require.Equal(t, models.EConflict, errorType(again.rejected), "already theirs")
	require.Equal(t, models.EConflict, errorType(byFormerClaimant.rejected), "the task is the new assignee's")
	require.Len(t, claims, 2)
	require.Equal(t, activities.ClaimInput{TaskID: task, DossierID: aapDossier, Subject: other.Subject, Actor: admin.Subject,
		Reason: "instr.dinum is on leave", Previous: instructorDINUM.Subject}, claims[1])
}

// TestJuryVoteIsNotReassigned: a jury member's vote is theirs alone.
func TestJuryVoteIsNotReassigned(t *testing.T) {
	s := newAAPEnv(t, 1, chair)
	s.complete(time.Hour, taskOf(models.TaskPreselection, 0), instructorDINUM, OutcomePreselect, "", nil)
	refused := s.update(2*time.Hour, UpdateReassignTask, ReassignTaskRequest{TaskID: taskOf(models.TaskJuryDecision, 0), Actor: admin,
		Assignee: member2.Subject, Reason: "the chair is away"})
	s.complete(3*time.Hour, taskOf(models.TaskJuryDecision, 0), chair, string(models.VoteRefuse), "avis motivé", nil)
	s.start()

	require.Equal(t, models.StatusRefused, s.result(t).Status)
	require.Equal(t, models.EConflict, errorType(refused.rejected))
}

// TestFailedExtensionKeepsTheDueDate: when the new due date cannot be written (the row
// says the task is closed), the task keeps its reminder and escalation at the old date.
func TestFailedExtensionKeepsTheDueDate(t *testing.T) {
	s := newAAPEnv(t, 1, chair)
	base := s.env.Now()
	task := taskOf(models.TaskPreselection, 0)
	s.env.OnActivity(acts.ExtendTask, mock.Anything, mock.Anything).Return(models.Task{},
		temporal.NewNonRetryableApplicationError("task is done", models.EConflict, nil))
	failed := s.update(10*day, UpdateExtendTask, ExtendTaskRequest{TaskID: task, Actor: admin, DueAt: base.Add(40 * day), Reason: "a complex dossier"})
	s.complete(35*day, task, instructorDINUM, OutcomeReject, "out of the strand's scope", nil)
	s.start()

	require.Equal(t, models.StatusRefused, s.result(t).Status)
	require.Equal(t, models.EConflict, errorType(failed.err))
	require.Equal(t, []alert{{activities.AlertReminder, task, 27 * day}, {activities.AlertEscalation, task, 30 * day}}, s.alerts)
}
