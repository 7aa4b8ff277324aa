package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// informationRequest is an instructor's request for information on a dossier: whose task
// the answer is (role, and the SIREN the answerer acts for), and its place among the
// dossier's requests (attempt), which keys its task and audit events.
type informationRequest struct {
	attempt int
	role    models.Role
	siren   string
	// who names the answerer in the dossier's details: "applicant", "proposer".
	who       string
	deadlines Deadlines
}

// askForInformation is the information loop every dossier kind shares. It opens the
// answerer's information task (due date, reminders), records the dossier as waiting for it,
// answers the instructor whose completion asked (answer), then waits for the answer.
// Answered, it records the answer and returns the callback that answers the person who
// replied once the dossier's next status is recorded. Unanswered by the due date, it closes
// the dossier without action: closed is true and result is the dossier's end.
func (p *dossierProcess) askForInformation(ctx workflow.Context, tasks *taskBoard, ir informationRequest, req CompleteTaskRequest,
	answer func()) (answerReply func(), result Result, closed bool, err error) {
	info, err := tasks.openTask(ctx, taskSpec{task: models.Task{ID: models.TaskID(p.id, models.TaskInformation, ir.attempt),
		DossierID: p.id, Type: models.TaskInformation, Role: ir.role, Scope: models.CollectiviteScope(ir.siren)},
		due: ir.deadlines.infoAnswer(), remindBefore: ir.deadlines.reminder()})
	if err == nil {
		err = p.record(ctx, activities.StatusInput{Status: models.StatusInfoRequested, Reason: req.Comment,
			Audit: activities.Audit{Key: fmt.Sprintf("info-requested/%d", ir.attempt), Actor: req.Actor.Subject,
				Action: models.AuditInfoRequested, Detail: req.Comment}},
			"Waiting for the "+ir.who+"'s answer: "+req.Comment)
	}
	answer()
	if err != nil {
		return nil, Result{}, true, err
	}
	answered, reply, answerReply, err := tasks.next(ctx, ir.deadlines.infoAnswer(), info)
	if err != nil {
		return nil, Result{}, true, err
	}
	if answered == nil {
		if err := tasks.cancel(ctx, "no answer in time", info); err != nil {
			return nil, Result{}, true, err
		}
		result, err := p.close(ctx, models.StatusClosedWithoutAction,
			fmt.Sprintf("no answer to the request for information within %s", ir.deadlines.infoAnswer()), models.AuditLapsed)
		return nil, result, true, err
	}
	err = local(ctx, "Record: information provided", acts.RecordEvent, activities.RecordEventInput{DossierID: p.id,
		Audit: activities.Audit{Key: fmt.Sprintf("info-provided/%d", ir.attempt), Actor: reply.Actor.Subject,
			Action: models.AuditInfoProvided, Detail: reply.Comment}}).Get(ctx, nil)
	if err != nil {
		return nil, Result{}, true, err
	}
	return answerReply, Result{}, false, nil
}
