package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// disburse opens the finance officer's disbursement task, records the dossier as awaiting
// payment (with the audit event that led there), waits for the payment to be recorded,
// pays the grant in the ledger and closes the dossier as paid.
func (b *taskBoard) disburse(ctx workflow.Context, granted models.Cents, due, remindBefore time.Duration, details string, why activities.Audit) (Result, error) {
	p := b.process
	task, err := b.openTask(ctx, taskSpec{task: models.Task{ID: models.TaskID(p.id, models.TaskDisbursement, 0), DossierID: p.id,
		Type: models.TaskDisbursement, Role: models.RoleFinance, Scope: models.ScopeNational},
		due: due, remindBefore: remindBefore, validate: validatePayment})
	if err != nil {
		return Result{}, err
	}
	if err := p.record(ctx, activities.StatusInput{Status: models.StatusAwaitingPayment, GrantedCents: &granted, Audit: why}, details); err != nil {
		return Result{}, err
	}
	completion, answer, err := b.wait(ctx, task)
	if err != nil {
		return Result{}, err
	}
	var payment models.Payment
	decodeData(completion.Data, &payment)
	err = local(ctx, "Record the payment "+payment.Reference, acts.PayGrant, activities.PayInput{DossierID: p.id, Reference: payment.Reference,
		Audit: activities.Audit{Key: "payment", Actor: completion.Actor.Subject, Action: models.AuditPaymentRecorded,
			Detail: fmt.Sprintf("%s paid on %s, reference %s", models.FormatEuros(granted), payment.PaidOn, payment.Reference)}}).Get(ctx, nil)
	if err != nil {
		return Result{}, err
	}
	result, err := p.close(ctx, models.StatusPaid, "", "")
	answer()
	return result, err
}

// validatePayment refuses a payment dated in the future.
func validatePayment(ctx workflow.Context, payload any) error {
	if paid, ok := payload.(*models.PaymentCompletion); ok {
		return paid.Data.Check(workflow.Now(ctx))
	}
	return nil
}
