package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// UpdateCompleteTask is the Workflow Update through which a person completes a human task.
const UpdateCompleteTask = "complete_task"

// CompleteTaskRequest is a person's completion of a task, as the API vouches for it.
type CompleteTaskRequest struct {
	TaskID  string
	Actor   models.Principal
	Outcome string
	Comment string
	Data    json.RawMessage
}

// CompleteTaskResult is what the person sees once the workflow has acted on the completion.
type CompleteTaskResult struct {
	DossierID string
	Status    models.Status
}

// openTask is a task the workflow waits on.
type openTask struct {
	task models.Task
	// validate checks a completion's payload against the dossier (its field rules are checked first).
	validate   func(ctx workflow.Context, payload any) error
	completion *CompleteTaskRequest
	result     *CompleteTaskResult
	// stopTimers ends the reminder and escalation timers once the task is closed.
	stopTimers workflow.CancelFunc
	escalated  bool
	// claimedBy is the person working on the task, who alone may complete it meanwhile.
	claimedBy string
	// cancelled says why the task was cancelled, to answer a completion it overtook.
	cancelled string
	// parent and remindBefore restart the timers when an administrator moves the due date;
	// extensions counts those moves.
	parent       workflow.Context
	remindBefore time.Duration
	extensions   int
}

// taskBoard holds a workflow's open human tasks and answers the complete_task Update.
// Its validator refuses, before anything enters history, an unknown or finished task, an
// actor without the role or scope, and a malformed payload.
type taskBoard struct {
	process *dossierProcess
	open    map[string]*openTask
	// unanswered are completed tasks whose person waits for the workflow to act on them.
	unanswered map[string]*openTask
	// overdue counts open tasks past their due date, for the OverdueTask search attribute.
	overdue int
}

func newTaskBoard(ctx workflow.Context, p *dossierProcess) (*taskBoard, error) {
	b := &taskBoard{process: p, open: map[string]*openTask{}, unanswered: map[string]*openTask{}}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCompleteTask, b.complete,
		workflow.UpdateHandlerOptions{Validator: b.validate}); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateClaimTask, b.claim, workflow.UpdateHandlerOptions{Validator: b.validateClaim}); err != nil {
		return nil, err
	}
	// The administrator's Updates need no workflow.GetVersion: registering a handler adds
	// no command, and their code (timers included) runs only inside those Updates, which
	// no history recorded before them holds.
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReassignTask, b.reassign,
		workflow.UpdateHandlerOptions{Validator: b.validateReassign}); err != nil {
		return nil, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateExtendTask, b.extend, workflow.UpdateHandlerOptions{Validator: b.validateExtend}); err != nil {
		return nil, err
	}
	// A query handler is no command either.
	return b, workflow.SetQueryHandler(ctx, QueryOpenTasks, b.openTasks)
}

// QueryOpenTasks is the query that answers what a dossier waits for (the Temporal UI's
// Queries tab, or client.QueryWorkflow).
const QueryOpenTasks = "open_tasks"

// OpenTaskView is an open task as the open_tasks query describes it.
type OpenTaskView struct {
	ID    string          `json:"id"`
	Type  models.TaskType `json:"type"`
	Role  models.Role     `json:"role"`
	Scope string          `json:"scope"`
	// Assignee is the one person the task is for (a jury member's vote); ClaimedBy who works on it.
	Assignee  string     `json:"assignee,omitempty"`
	ClaimedBy string     `json:"claimed_by,omitempty"`
	DueAt     *time.Time `json:"due_at,omitempty"`
	Overdue   bool       `json:"overdue"`
}

// openTasks lists the tasks still waiting for a person, in ID order.
func (b *taskBoard) openTasks() ([]OpenTaskView, error) {
	views := []OpenTaskView{}
	for _, id := range slices.Sorted(maps.Keys(b.open)) {
		t := b.open[id]
		if !b.isOpen(t) {
			continue // completed, being closed
		}
		views = append(views, OpenTaskView{ID: t.task.ID, Type: t.task.Type, Role: t.task.Role, Scope: t.task.Scope.String(),
			Assignee: t.task.Assignee, ClaimedBy: t.claimedBy, DueAt: t.task.DueAt, Overdue: t.escalated})
	}
	return views, nil
}

func (b *taskBoard) validate(ctx workflow.Context, req CompleteTaskRequest) error {
	t, ok := b.open[req.TaskID]
	switch {
	case !ok:
		return temporal.NewApplicationError(fmt.Sprintf("task %s is not open on this dossier", req.TaskID), models.EConflict)
	case t.completion != nil:
		return temporal.NewApplicationError(fmt.Sprintf("task %s is already completed", req.TaskID), models.EConflict)
	case !req.Actor.CanAct(t.task):
		return asApplicationError(models.NotYourTask(t.task))
	case t.claimedBy != "" && t.claimedBy != req.Actor.Subject:
		return temporal.NewApplicationError(fmt.Sprintf("task %s is claimed by %s", req.TaskID, t.claimedBy), models.EConflict)
	}
	// The same field rules as the API's, by outcome; then the rules that need the dossier.
	payload, err := models.Completion{Outcome: req.Outcome, Comment: req.Comment, Data: req.Data}.Payload(t.task.Type)
	if err != nil || t.validate == nil {
		return asApplicationError(err)
	}
	return asApplicationError(t.validate(ctx, payload))
}

// complete hands the completion to the waiting workflow and returns the dossier's status
// once the workflow has acted on it.
func (b *taskBoard) complete(ctx workflow.Context, req CompleteTaskRequest) (CompleteTaskResult, error) {
	// The validator has checked the request (and is skipped on replay, so that changing its
	// rules never breaks a running dossier); only the task's state may have moved since.
	t, ok := b.open[req.TaskID]
	if !ok || t.completion != nil {
		return CompleteTaskResult{}, temporal.NewApplicationError(fmt.Sprintf("task %s is no longer open", req.TaskID), models.EConflict)
	}
	t.completion = &req // the waiting workflow takes it from here
	if err := workflow.Await(ctx, func() bool { return t.result != nil || t.cancelled != "" }); err != nil {
		return CompleteTaskResult{}, err
	}
	if t.result == nil {
		return CompleteTaskResult{}, temporal.NewApplicationError(fmt.Sprintf("task %s was cancelled: %s", req.TaskID, t.cancelled), models.EConflict)
	}
	return *t.result, nil
}

// UpdateClaimTask is the Workflow Update through which a person claims or releases a task.
const UpdateClaimTask = "claim_task"

// ClaimTaskRequest claims a task for its actor, or releases it (an administrator may release anyone's).
type ClaimTaskRequest struct {
	TaskID  string
	Actor   models.Principal
	Release bool
}

func (b *taskBoard) validateClaim(_ workflow.Context, req ClaimTaskRequest) error {
	t, ok := b.open[req.TaskID]
	admin := req.Actor.CanReleaseAnyClaim()
	switch {
	case !ok || t.completion != nil:
		return temporal.NewApplicationError(fmt.Sprintf("task %s is not open on this dossier", req.TaskID), models.EConflict)
	case t.task.Assignee != "":
		return temporal.NewApplicationError("a jury member's vote is personal: there is nothing to claim", models.EConflict)
	case !req.Actor.CanAct(t.task) && !(req.Release && admin):
		return asApplicationError(models.NotYourTask(t.task))
	case !req.Release && t.claimedBy != "" && t.claimedBy != req.Actor.Subject:
		return temporal.NewApplicationError(fmt.Sprintf("task %s is already claimed by %s", req.TaskID, t.claimedBy), models.EConflict)
	case req.Release && t.claimedBy == "":
		return temporal.NewApplicationError(fmt.Sprintf("task %s is not claimed", req.TaskID), models.EConflict)
	case req.Release && t.claimedBy != req.Actor.Subject && !admin:
		return temporal.NewApplicationError(fmt.Sprintf("task %s is claimed by %s, not by you", req.TaskID, t.claimedBy), models.EConflict)
	}
	return nil
}

// claim records who works on a task, in the workflow (which refuses anyone else's
// completion meanwhile) and in the task row and audit trail.
func (b *taskBoard) claim(ctx workflow.Context, req ClaimTaskRequest) (models.Task, error) {
	t, ok := b.open[req.TaskID]
	if !ok || t.completion != nil {
		return models.Task{}, temporal.NewApplicationError(fmt.Sprintf("task %s is no longer open", req.TaskID), models.EConflict)
	}
	previous := t.claimedBy
	if req.Release {
		t.claimedBy = ""
	} else {
		t.claimedBy = req.Actor.Subject
	}
	var row models.Task
	err := local(withActivityOptions(ctx), claimSummary(req, t.task.Type), acts.ClaimTask, activities.ClaimInput{TaskID: t.task.ID,
		DossierID: t.task.DossierID, Subject: t.claimedBy, Actor: req.Actor.Subject}).Get(ctx, &row)
	if err != nil {
		t.claimedBy = previous
	}
	return row, err
}

// UpdateReassignTask is the Workflow Update through which an administrator hands a task
// to someone else: it becomes theirs, as if they had claimed it.
const UpdateReassignTask = "reassign_task"

// ReassignTaskRequest hands a task to Assignee, for Reason.
type ReassignTaskRequest struct {
	TaskID   string
	Actor    models.Principal
	Assignee string
	Reason   string
}

// adminTask checks that an administrator acts on an open task.
func (b *taskBoard) adminTask(id string, actor models.Principal) (*openTask, error) {
	t, ok := b.open[id]
	switch {
	case !actor.HasRole(models.RoleAdmin):
		return nil, temporal.NewApplicationError("only an administrator can do this", models.EForbidden)
	case !ok || t.completion != nil:
		return nil, temporal.NewApplicationError(fmt.Sprintf("task %s is not open on this dossier", id), models.EConflict)
	}
	return t, nil
}

func (b *taskBoard) validateReassign(_ workflow.Context, req ReassignTaskRequest) error {
	t, err := b.adminTask(req.TaskID, req.Actor)
	switch {
	case err != nil:
		return err
	case t.task.Assignee != "":
		return temporal.NewApplicationError("a jury member's vote is personal: it cannot be reassigned", models.EConflict)
	case t.claimedBy == req.Assignee:
		return temporal.NewApplicationError(fmt.Sprintf("task %s is already %s's", req.TaskID, req.Assignee), models.EConflict)
	}
	return asApplicationError(models.Validate(models.Reassignment{Assignee: req.Assignee, Reason: req.Reason}))
}

// reassign records the new assignee as the task's claim: they alone may complete it (with
// the task's role and scope), and they or an administrator may release it.
func (b *taskBoard) reassign(ctx workflow.Context, req ReassignTaskRequest) (models.Task, error) {
	t, ok := b.open[req.TaskID]
	if !ok || t.completion != nil {
		return models.Task{}, temporal.NewApplicationError(fmt.Sprintf("task %s is no longer open", req.TaskID), models.EConflict)
	}
	previous := t.claimedBy
	t.claimedBy = req.Assignee
	var row models.Task
	err := local(withActivityOptions(ctx), fmt.Sprintf("Reassign the %s task to %s", t.task.Type, req.Assignee), acts.ClaimTask, activities.ClaimInput{TaskID: t.task.ID,
		DossierID: t.task.DossierID, Subject: req.Assignee, Actor: req.Actor.Subject, Reason: req.Reason, Previous: previous}).Get(ctx, &row)
	if err != nil {
		t.claimedBy = previous
	}
	return row, err
}

// UpdateExtendTask is the Workflow Update through which an administrator moves a task's
// due date later: its reminder and escalation follow the new date.
const UpdateExtendTask = "extend_task"

// ExtendTaskRequest moves a task's due date to DueAt, for Reason.
type ExtendTaskRequest struct {
	TaskID string
	Actor  models.Principal
	DueAt  time.Time
	Reason string
}

func (b *taskBoard) validateExtend(ctx workflow.Context, req ExtendTaskRequest) error {
	t, err := b.adminTask(req.TaskID, req.Actor)
	switch {
	case err != nil:
		return err
	case !models.DueDateExtendable(t.task.Type):
		return temporal.NewApplicationError(fmt.Sprintf("the due date of a %s task is the process's deadline: it cannot be moved", t.task.Type), models.EConflict)
	case t.task.DueAt == nil || t.stopTimers == nil:
		return temporal.NewApplicationError(fmt.Sprintf("task %s has no due date", req.TaskID), models.EConflict)
	}
	if err := models.Validate(models.Extension{DueAt: req.DueAt, Reason: req.Reason}); err != nil {
		return asApplicationError(err)
	}
	return asApplicationError(models.CheckExtension(*t.task.DueAt, req.DueAt, workflow.Now(ctx)))
}

// extend records the new due date, then restarts the task's reminder and escalation
// timers for it; a task already escalated is overdue no more.
func (b *taskBoard) extend(ctx workflow.Context, req ExtendTaskRequest) (models.Task, error) {
	t, ok := b.open[req.TaskID]
	if !ok || t.completion != nil {
		return models.Task{}, temporal.NewApplicationError(fmt.Sprintf("task %s is no longer open", req.TaskID), models.EConflict)
	}
	due, previous := req.DueAt.UTC(), *t.task.DueAt
	// Stopped first, so that the old due date escalates nothing while the new one is written.
	t.stopTimers()
	var row models.Task
	err := local(withActivityOptions(ctx), fmt.Sprintf("Move the due date of the %s to %s", t.task.Type, due.Format(time.DateOnly)), acts.ExtendTask, activities.ExtendInput{TaskID: t.task.ID,
		DossierID: t.task.DossierID, DueAt: due, Previous: previous, Actor: req.Actor.Subject, Reason: req.Reason,
		Extension: t.extensions + 1}).Get(ctx, &row)
	if !b.isOpen(t) {
		return row, err // completed or cancelled meanwhile: nothing left to time
	}
	if err != nil {
		if !t.escalated { // back to the old due date (its alerts' keys make them go out once)
			b.startTimers(t, max(previous.Sub(workflow.Now(ctx)), time.Millisecond))
		}
		return row, err
	}
	t.extensions++
	t.task.DueAt = &due
	if t.escalated {
		t.escalated = false
		if b.overdue--; b.overdue == 0 {
			if err := workflow.UpsertTypedSearchAttributes(ctx, SearchOverdueTask.ValueUnset()); err != nil {
				return row, err
			}
		}
	}
	b.startTimers(t, due.Sub(workflow.Now(ctx)))
	return row, nil
}

// taskSpec is a task to open: the row, how long it may take, and how to check a completion.
type taskSpec struct {
	task models.Task
	// due, when set, starts a reminder (remindBefore the due date) and an escalation at it.
	due          time.Duration
	remindBefore time.Duration
	// validate, when set, checks a completion's decoded payload against the dossier.
	validate func(ctx workflow.Context, payload any) error
}

// openTask creates a task (row, audit, search attribute), starts its timers, and starts
// accepting its completion.
func (b *taskBoard) openTask(ctx workflow.Context, spec taskSpec) (*openTask, error) {
	task := spec.task
	if spec.due > 0 {
		due := workflow.Now(ctx).Add(spec.due).UTC()
		task.DueAt = &due
	}
	err := local(ctx, "Open the "+string(task.Type)+" task", acts.OpenTask, activities.OpenTaskInput{Task: task,
		Audit: activities.Audit{Key: "task-opened/" + task.ID, Actor: "system", Action: models.AuditTaskOpened,
			Detail: taskDetail(task)}}).Get(ctx, nil)
	if err != nil {
		return nil, err
	}
	t := &openTask{task: task, validate: spec.validate, parent: ctx, remindBefore: spec.remindBefore}
	b.open[task.ID] = t
	if spec.due > 0 {
		b.startTimers(t, spec.due)
	}
	return t, workflow.UpsertTypedSearchAttributes(ctx, SearchPendingTask.ValueSet(string(task.Type)))
}

// startTimers starts the reminder and escalation of t, due in due.
func (b *taskBoard) startTimers(t *openTask, due time.Duration) {
	timerCtx, stop := workflow.WithCancel(t.parent)
	t.stopTimers = stop
	workflow.Go(timerCtx, func(ctx workflow.Context) { b.watch(ctx, t, due, t.remindBefore) })
}

func taskDetail(t models.Task) string {
	who := fmt.Sprintf("the %s role", t.Role)
	if t.Assignee != "" {
		who = t.Assignee
	}
	if t.DueAt != nil {
		return fmt.Sprintf("%s task for %s, due %s", t.Type, who, t.DueAt.Format(time.DateOnly))
	}
	return fmt.Sprintf("%s task for %s", t.Type, who)
}

// watch reminds the task's people before its due date and escalates when it passes. It
// runs beside the workflow and never blocks it; closing the task cancels it.
func (b *taskBoard) watch(ctx workflow.Context, t *openTask, due, remindBefore time.Duration) {
	if remindBefore > 0 && remindBefore < due {
		if sleep(ctx, due-remindBefore, "Reminder of the "+string(t.task.Type)) != nil || !b.isOpen(t) {
			return
		}
		b.alert(ctx, t, activities.AlertReminder)
		due = remindBefore
	}
	if sleep(ctx, due, "Due date of the "+string(t.task.Type)) != nil || !b.isOpen(t) {
		return
	}
	t.escalated = true
	b.overdue++
	_ = workflow.UpsertTypedSearchAttributes(ctx, SearchOverdueTask.ValueSet(string(t.task.Type)))
	b.alert(ctx, t, activities.AlertEscalation)
}

// sleep is workflow.Sleep whose timer reads as summary in the event history.
func sleep(ctx workflow.Context, d time.Duration, summary string) error {
	return workflow.NewTimerWithOptions(ctx, d, workflow.TimerOptions{Summary: summary}).Get(ctx, nil)
}

func claimSummary(req ClaimTaskRequest, typ models.TaskType) string {
	if req.Release {
		return fmt.Sprintf("Release the %s task", typ)
	}
	return fmt.Sprintf("Claim the %s task for %s", typ, req.Actor.Subject)
}

// taskTypes names the types of tasks, once each, for a summary ("signature task").
func taskTypes(tasks []*openTask) string {
	var names []string
	for _, t := range tasks {
		if !slices.Contains(names, string(t.task.Type)) {
			names = append(names, string(t.task.Type))
		}
	}
	return strings.Join(names, ", ") + " task"
}

// isOpen reports whether t still waits for a person (its timer may fire in the same
// workflow task that closes it).
func (b *taskBoard) isOpen(t *openTask) bool {
	_, open := b.open[t.task.ID]
	return open && t.completion == nil
}

func (b *taskBoard) alert(ctx workflow.Context, t *openTask, kind string) {
	// A failed notification is in the outbox and the audit trail; the process goes on.
	_ = local(ctx, "Send the "+kind+" of the "+string(t.task.Type), acts.AlertTask, activities.TaskAlert{Kind: kind, Task: t.task, Extension: t.extensions}).Get(ctx, nil)
}

// next waits until a person completes one of tasks, or timeout passes (0: no timeout),
// then closes that task. It returns the task, the completion and a function the workflow
// calls once it has acted, to answer that person; a nil task means the timeout passed.
func (b *taskBoard) next(ctx workflow.Context, timeout time.Duration, tasks ...*openTask) (*openTask, CompleteTaskRequest, func(), error) {
	var done *openTask
	ready := func() bool {
		for _, t := range tasks {
			if t.completion != nil && t.result == nil && t.cancelled == "" {
				done = t
				return true
			}
		}
		return false
	}
	if timeout > 0 {
		ok, err := awaitUntil(ctx, timeout, "Time limit of the "+taskTypes(tasks), ready)
		if err != nil || !ok {
			return nil, CompleteTaskRequest{}, nil, err
		}
	} else if err := workflow.Await(ctx, ready); err != nil {
		return nil, CompleteTaskRequest{}, nil, err
	}
	req := *done.completion
	err := local(ctx, fmt.Sprintf("Close the %s task: %s", done.task.Type, req.Outcome), acts.CloseTask, activities.CloseTaskInput{DossierID: done.task.DossierID, TaskID: done.task.ID,
		Actor: req.Actor.Subject, Outcome: req.Outcome, Comment: req.Comment, Data: req.Data,
		Audit: activities.Audit{Key: "task-done/" + done.task.ID, Actor: req.Actor.Subject, Action: models.AuditTaskCompleted,
			Detail: fmt.Sprintf("%s: %s %s", done.task.Type, req.Outcome, req.Comment)}}).Get(ctx, nil)
	if err != nil {
		return nil, CompleteTaskRequest{}, nil, err
	}
	if err := b.forget(ctx, done); err != nil {
		return nil, CompleteTaskRequest{}, nil, err
	}
	b.unanswered[done.task.ID] = done
	answer := func() { b.answer(done) }
	return done, req, answer, nil
}

// wait is next for a single task with no timeout.
func (b *taskBoard) wait(ctx workflow.Context, t *openTask) (CompleteTaskRequest, func(), error) {
	_, req, answer, err := b.next(ctx, 0, t)
	return req, answer, err
}

// cancel closes tasks nobody needs any more (a decided jury, a lapsed agreement).
func (b *taskBoard) cancel(ctx workflow.Context, reason string, tasks ...*openTask) error {
	for _, t := range tasks {
		if _, open := b.open[t.task.ID]; !open {
			continue
		}
		// Closed at once, so no completion is accepted while the cancellation is written,
		// and one accepted just before is answered with the reason.
		t.cancelled = reason
		delete(b.open, t.task.ID)
		err := local(ctx, "Cancel the "+string(t.task.Type)+" task", acts.CancelTask, activities.CancelTaskInput{DossierID: t.task.DossierID, TaskID: t.task.ID,
			Audit: activities.Audit{Key: "task-cancelled/" + t.task.ID, Actor: "system", Action: models.AuditTaskCancelled,
				Detail: fmt.Sprintf("%s: %s", t.task.Type, reason)}}).Get(ctx, nil)
		if err != nil {
			return err
		}
		if err := b.forget(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// answer tells the person who completed t where the dossier now stands.
func (b *taskBoard) answer(t *openTask) {
	t.result = &CompleteTaskResult{DossierID: b.process.id, Status: b.process.status}
	delete(b.unanswered, t.task.ID)
}

// answerAll answers everyone still waiting, once the process has stopped.
func (b *taskBoard) answerAll() {
	for _, id := range slices.Sorted(maps.Keys(b.unanswered)) {
		b.answer(b.unanswered[id])
	}
}

// abandon closes every open task at once, answering a completion in flight with the
// reason: the process stopped (the rows are cancelled by the withdrawal's activity).
func (b *taskBoard) abandon(reason string) {
	// In ID order: stopping timers issues commands, which must come in the same order on replay.
	for _, id := range slices.Sorted(maps.Keys(b.open)) {
		t := b.open[id]
		t.cancelled = reason
		if t.stopTimers != nil {
			t.stopTimers()
		}
		delete(b.open, id)
	}
}

// forget stops a closed task's timers and clears the search attributes it set.
func (b *taskBoard) forget(ctx workflow.Context, t *openTask) error {
	delete(b.open, t.task.ID) // cancel has done it already
	if t.stopTimers != nil {
		t.stopTimers()
	}
	var updates []temporal.SearchAttributeUpdate
	if t.escalated {
		t.escalated = false
		if b.overdue--; b.overdue == 0 {
			updates = append(updates, SearchOverdueTask.ValueUnset())
		}
	}
	if len(b.open) == 0 {
		updates = append(updates, SearchPendingTask.ValueUnset())
	}
	if len(updates) == 0 {
		return nil
	}
	return workflow.UpsertTypedSearchAttributes(ctx, updates...)
}

// asApplicationError carries a domain error across Temporal with its code as the error
// type and its field messages as details, so the API can answer with the right status.
func asApplicationError(err error) error {
	if err == nil {
		return nil
	}
	var e *models.Error
	if errors.As(err, &e) {
		return temporal.NewApplicationError(e.Message, e.Code, e.Fields)
	}
	return err
}

// decodeData reads the payload of a completion, which the Update validator has checked
// with the outcome's rules (models.Completion.Payload).
func decodeData(data json.RawMessage, v any) {
	_ = json.Unmarshal(data, v)
}
