// Package activities holds every side effect of the workflows: each is a method on
// Activities, which carries the dependencies. Each is idempotent, keyed by dossier and
// step, so Temporal may retry it freely. Invalid input and missing records fail with
// non-retryable application errors whose type is the domain error code.
package activities

import (
	"context"
	"encoding/json"
	"errors"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// Activities are the workflows' hands on the database.
type Activities struct {
	Store *store.Store
	// Temporal signals the workflows a campaign's transitions reach (its candidate services').
	Temporal client.Client
}

// Audit is the trail entry an activity writes along with its change. Key makes it idempotent.
type Audit struct {
	Key    string
	Actor  string
	Action string
	Detail string
}

func (a *Activities) audit(ctx context.Context, dossierID string, e Audit) error {
	if e.Action == "" {
		return nil
	}
	return a.Store.Audit(ctx, stepKey(dossierID, e), e.event(dossierID))
}

// stepKey is the idempotency key of a dossier's step: its audit event and its message.
func stepKey(dossierID string, e Audit) string { return dossierID + "/" + e.Key }

func (e Audit) event(dossierID string) models.AuditEvent {
	return models.AuditEvent{DossierID: dossierID, Actor: e.Actor, Action: e.Action, Detail: e.Detail}
}

// RegistryCheck says whether a SIREN is a known collectivité.
type RegistryCheck struct {
	Found        bool
	Collectivite models.Collectivite
}

// CheckRegistry looks a SIREN up in the registry.
func (a *Activities) CheckRegistry(ctx context.Context, siren string) (RegistryCheck, error) {
	c, err := a.Store.CollectiviteBySiren(ctx, siren)
	if models.ErrorCode(err) == models.ENotFound {
		return RegistryCheck{}, nil
	}
	if err != nil {
		return RegistryCheck{}, err
	}
	return RegistryCheck{Found: true, Collectivite: c}, nil
}

// StatusInput is a step of a dossier's process to record in the read model and the audit trail.
type StatusInput struct {
	DossierID    string
	Status       models.Status
	Reason       string
	MissingItems []models.ChecklistItem
	GrantedCents *models.Cents
	Audit        Audit
}

// RecordStatus writes a dossier's new status, its audit event and, at a decision, the
// message telling the applicant, all at once: a retried step sends one message.
func (a *Activities) RecordStatus(ctx context.Context, in StatusInput) error {
	facts, err := a.noticeFacts(ctx, in)
	if err != nil {
		return classify(err)
	}
	return classify(a.Store.SetDossierStatus(ctx, in.DossierID, store.StatusChange{
		Status: in.Status, Reason: in.Reason, MissingItems: in.MissingItems, GrantedCents: in.GrantedCents,
		StepKey: stepKey(in.DossierID, in.Audit), Audit: in.Audit.event(in.DossierID),
		Notice: func(dec models.Decision) (models.Notification, bool) {
			dec.CRTE, dec.PaidCents = facts.CRTE, facts.PaidCents
			return models.DecisionNotice(dec)
		}}))
}

// noticeFacts reads what a prefectoral grant's message tells beyond its dossier: the CRTE
// whose annex carries the grant (when the préfet, not the applicant, signs) and what has
// been paid. Only the statuses whose message needs them read anything.
func (a *Activities) noticeFacts(ctx context.Context, in StatusInput) (models.Decision, error) {
	var facts models.Decision
	switch in.Status {
	case models.StatusAwaitingSignature:
		sign, err := a.Store.Task(ctx, models.TaskID(in.DossierID, models.TaskConventionSignature, 0))
		if models.ErrorCode(err) == models.ENotFound || (err == nil && sign.Role != models.RolePrefet) {
			return facts, nil
		}
		if err != nil {
			return facts, err
		}
		d, err := a.Store.Dossier(ctx, in.DossierID)
		if err != nil {
			return facts, err
		}
		crte, err := a.applicationCRTE(ctx, d)
		if err != nil || crte == nil {
			return facts, err
		}
		facts.CRTE = crte.Name
	case models.StatusInProgress, models.StatusRecovery, models.StatusLapsed:
		entries, err := a.Store.Ledger(ctx, in.DossierID, "", 0, 100)
		if err != nil {
			return facts, err
		}
		for _, e := range entries {
			if e.Kind == models.LedgerPay {
				facts.PaidCents += e.AmountCents
			}
		}
	}
	return facts, nil
}

// OpenTaskInput is a human task to create.
type OpenTaskInput struct {
	Task  models.Task
	Audit Audit
}

// OpenTask inserts a human task row (once) and audits it.
func (a *Activities) OpenTask(ctx context.Context, in OpenTaskInput) error {
	if err := a.Store.CreateTask(ctx, in.Task); err != nil {
		return classify(err)
	}
	return a.audit(ctx, in.Task.DossierID, in.Audit)
}

// CloseTaskInput is a completed human task.
type CloseTaskInput struct {
	DossierID string
	TaskID    string
	Actor     string
	Outcome   string
	Comment   string
	Data      json.RawMessage
	Audit     Audit
}

// CloseTask marks a task done (once) and audits who completed it.
func (a *Activities) CloseTask(ctx context.Context, in CloseTaskInput) error {
	if err := a.Store.CloseTask(ctx, in.TaskID, in.Actor, in.Outcome, in.Comment, in.Data); err != nil {
		return classify(err)
	}
	return a.audit(ctx, in.DossierID, in.Audit)
}

// PayInput is a disbursement to record.
type PayInput struct {
	DossierID string
	Reference string
	Audit     Audit
}

// PayGrant moves a dossier's reservation to paid on its envelope (once).
func (a *Activities) PayGrant(ctx context.Context, in PayInput) (models.LedgerEntry, error) {
	entry, err := a.Store.Pay(ctx, in.DossierID, in.Reference)
	if err != nil {
		return models.LedgerEntry{}, classify(err)
	}
	return entry, a.audit(ctx, in.DossierID, in.Audit)
}

// classify makes domain errors that a retry cannot mend non-retryable, keeping the
// domain code as the error type so the workflow can tell them apart.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var e *models.Error
	if errors.As(err, &e) && e.Code != models.EInternal && e.Code != models.EUnavailable {
		return temporal.NewNonRetryableApplicationError(e.Message, e.Code, err)
	}
	return err
}
