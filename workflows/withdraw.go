package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// UpdateWithdraw is the Workflow Update through which an administrator withdraws a dossier.
const UpdateWithdraw = "withdraw"

// WithdrawRequest is an administrator's withdrawal of a dossier, with the reason.
type WithdrawRequest struct {
	Actor  models.Principal
	Reason string
}

// runProcess runs a dossier's process, then lets every Update handler answer before the
// workflow closes. An administrator's withdrawal, or a cancellation requested in Temporal,
// stops the process wherever it waits: the dossier then gives back what it held and closes
// as withdrawn, so that no money or task is left behind.
func runProcess(ctx workflow.Context, p *dossierProcess, tasks *taskBoard, run func(workflow.Context) (Result, error)) (Result, error) {
	runCtx, stop := workflow.WithCancel(ctx)
	var withdrawal *WithdrawRequest
	finished := false
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateWithdraw,
		func(ctx workflow.Context, req WithdrawRequest) (models.Status, error) {
			if withdrawal != nil || finished || !models.Withdrawable(p.status) {
				return "", temporal.NewApplicationError(fmt.Sprintf("dossier is %s: it can no longer be withdrawn", p.status), models.EConflict)
			}
			withdrawal = &req
			stop()
			if err := workflow.Await(ctx, func() bool { return finished }); err != nil {
				return "", err
			}
			if p.status != models.StatusWithdrawn {
				return "", temporal.NewApplicationError(fmt.Sprintf("dossier closed as %s before the withdrawal took effect", p.status), models.EConflict)
			}
			return p.status, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, req WithdrawRequest) error {
			switch {
			case !req.Actor.HasRole(models.RoleAdmin):
				return temporal.NewApplicationError("only an administrator can withdraw a dossier", models.EForbidden)
			case withdrawal != nil || finished || !models.Withdrawable(p.status):
				return temporal.NewApplicationError(fmt.Sprintf("dossier is %s: it can no longer be withdrawn", p.status), models.EConflict)
			}
			return asApplicationError(models.Validate(models.Withdrawal{Reason: req.Reason}))
		}})
	if err != nil {
		return Result{}, err
	}
	result, err := run(runCtx)
	if err != nil && errors.Is(runCtx.Err(), workflow.ErrCanceled) {
		// Stopped by a withdrawal or a cancellation: compensate on a context of its own,
		// since the workflow's may be cancelled itself.
		ctx, _ = workflow.NewDisconnectedContext(ctx)
		actor, reason := "system", "cancelled in Temporal"
		if withdrawal != nil {
			actor, reason = withdrawal.Actor.Subject, withdrawal.Reason
		}
		tasks.abandon(reason)
		result, err = p.withdraw(ctx, actor, reason)
		tasks.answerAll()
	}
	finished = true
	if err != nil {
		return Result{}, err
	}
	err = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	return result, err
}

// withdraw gives back what the dossier held and closes it as withdrawn.
func (p *dossierProcess) withdraw(ctx workflow.Context, actor, reason string) (Result, error) {
	var promoted []string
	err := local(ctx, "Withdraw the dossier", acts.WithdrawDossier, activities.WithdrawInput{DossierID: p.id, Actor: actor, Reason: reason}).Get(ctx, &promoted)
	if err != nil {
		return Result{}, err
	}
	p.status = models.StatusWithdrawn
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchStatus.ValueSet(string(models.StatusWithdrawn)), SearchAwaitingSince.ValueUnset(),
		SearchPendingTask.ValueUnset(), SearchOverdueTask.ValueUnset()); err != nil {
		return Result{}, err
	}
	workflow.SetCurrentDetails(ctx, "Withdrawn: "+reason)
	wakeLaureates(ctx, p.id, promoted)
	return Result{Status: models.StatusWithdrawn, Reason: reason}, nil
}

// wakeLaureates tells laureates funded from the waiting list that their money is reserved.
func wakeLaureates(ctx workflow.Context, self string, promoted []string) {
	for _, id := range promoted {
		if id == self {
			continue
		}
		// A dossier that closed meanwhile has nothing to wake; its own recheck covers the rest.
		_ = workflow.SignalExternalWorkflow(ctx, models.DossierWorkflowID(id), "", SignalGrantReserved, nil).Get(ctx, nil)
	}
}
