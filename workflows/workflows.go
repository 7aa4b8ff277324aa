// Package workflows holds one durable Temporal workflow per dossier kind and the human-task
// mechanism they share. Everything here is deterministic: no I/O, no wall clock, no map
// iteration for decisions; side effects go through the activities package.
package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// TaskQueue is where the dossier workflows and their activities run.
const TaskQueue = "relance-dossiers"

// Search attributes that let an administrator find dossiers in the Temporal UI, e.g.
// DossierStatus = "awaiting_payment". SQL visibility allows 10 Keyword and 3 Datetime
// attributes per namespace: these use 7 and 1.
var (
	SearchKind        = temporal.NewSearchAttributeKeyKeyword("DossierKind")
	SearchStatus      = temporal.NewSearchAttributeKeyKeyword("DossierStatus")
	SearchPendingTask = temporal.NewSearchAttributeKeyKeyword("PendingTask")
	SearchDepartement = temporal.NewSearchAttributeKeyKeyword("Departement")
	SearchRegion      = temporal.NewSearchAttributeKeyKeyword("Region")
	SearchSiren       = temporal.NewSearchAttributeKeyKeyword("ApplicantSiren")
	// SearchOverdueTask names the type of a task past its due date (escalated).
	SearchOverdueTask = temporal.NewSearchAttributeKeyKeyword("OverdueTask")
	// SearchAwaitingSince is when the dossier started waiting on a person.
	SearchAwaitingSince = temporal.NewSearchAttributeKeyTime("AwaitingSince")
)

// SearchAttributes lists every custom search attribute, for registration on the server.
var SearchAttributes = []temporal.SearchAttributeKey{
	SearchKind, SearchStatus, SearchPendingTask, SearchDepartement, SearchRegion, SearchSiren, SearchOverdueTask, SearchAwaitingSince,
}

// acts is only for naming activity methods; Temporal calls the worker's registered instance.
var acts *activities.Activities

// withActivityOptions sets how the workflows run their activities. Every activity is a
// short database call, so it runs as a local activity: in the worker, recorded in history
// as a marker, without a round trip through the Temporal server for each step. That cuts
// a dossier's decision latency several times over.
func withActivityOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		// A database outage must not fail a dossier: retry until it comes back. Unset, the
		// retries of a local activity stop at its StartToCloseTimeout, so an outage of over
		// about 6 s failed every dossier in flight. A day of retries once a minute keeps the
		// history well under Temporal's limits; a longer outage needs an operator anyway.
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
}

// local runs a local activity whose marker reads as summary in the Temporal UI's event
// history ("Check the cap for SIREN 217500016"). A summary is metadata: it adds no command,
// so histories recorded without one replay unchanged.
func local(ctx workflow.Context, summary string, activity any, args ...any) workflow.Future {
	opts := workflow.GetLocalActivityOptions(ctx)
	opts.Summary = summary
	return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, opts), activity, args...)
}

// awaitUntil is workflow.AwaitWithTimeout whose timer reads as summary in the event history.
func awaitUntil(ctx workflow.Context, timeout time.Duration, summary string, condition func() bool) (bool, error) {
	return workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{Timeout: timeout, TimerOptions: workflow.TimerOptions{Summary: summary}}, condition)
}

// dossierProcess is the state every dossier workflow keeps: where it stands, and the
// calls that record it in the read model and the search attributes.
type dossierProcess struct {
	id     string
	status models.Status
	// record writes a status; a workflow may wrap recordAndAnswer to track what a status settles.
	record func(ctx workflow.Context, in activities.StatusInput, details string) error
	// pending answers people whose completion moved the dossier on, once its next status
	// is recorded, so they see where their act led.
	pending []func()
}

// Result is how a dossier's process ended.
type Result struct {
	Status models.Status
	Reason string
}

func newProcess(id string) *dossierProcess {
	p := &dossierProcess{id: id, status: models.StatusSubmitted}
	p.record = p.recordAndAnswer
	return p
}

// recordAndAnswer records a status, then answers the people waiting for it.
func (p *dossierProcess) recordAndAnswer(ctx workflow.Context, in activities.StatusInput, details string) error {
	if err := p.setStatus(ctx, in, details); err != nil {
		return err
	}
	p.answerPending()
	return nil
}

// answerPending answers the people whose completion moved the dossier to where it now waits.
func (p *dossierProcess) answerPending() {
	for _, answer := range p.pending {
		answer()
	}
	p.pending = nil
}

func (p *dossierProcess) refuse(ctx workflow.Context, reason string) (Result, error) {
	return p.close(ctx, models.StatusRefused, reason, models.AuditRefused)
}

// close records a final status. action names the audit event ("" for the status itself).
func (p *dossierProcess) close(ctx workflow.Context, status models.Status, reason, action string) (Result, error) {
	if action == "" {
		action = string(status)
	}
	err := p.record(ctx, activities.StatusInput{Status: status, Reason: reason,
		Audit: activities.Audit{Key: "closed/" + string(status), Actor: "system", Action: action, Detail: reason}},
		fmt.Sprintf("Closed: %s %s", status, reason))
	return Result{Status: status, Reason: reason}, err
}

// setStatus records a new status in the read model and the audit trail, then in the
// search attributes and the UI's current details.
func (p *dossierProcess) setStatus(ctx workflow.Context, in activities.StatusInput, details string) error {
	in.DossierID = p.id
	// The SDK's workflow logger is silent on replay: each change is logged once.
	workflow.GetLogger(ctx).Info("dossier status", "dossier", p.id, "from", p.status, "to", in.Status, "reason", in.Reason)
	// The new status holds in the workflow before the read model shows it, so an Update
	// sent by someone who just read it is never refused as too early.
	p.status = in.Status
	if err := local(ctx, "Record the status "+string(in.Status), acts.RecordStatus, in).Get(ctx, nil); err != nil {
		return err
	}
	updates := []temporal.SearchAttributeUpdate{SearchStatus.ValueSet(string(in.Status))}
	if models.AwaitsSomeone(in.Status) {
		updates = append(updates, SearchAwaitingSince.ValueSet(workflow.Now(ctx)))
	} else {
		updates = append(updates, SearchAwaitingSince.ValueUnset())
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		return err
	}
	workflow.SetCurrentDetails(ctx, details)
	return nil
}

// Deadlines are the due dates of human tasks, counted from when each task opens, and how
// long before a due date its people are reminded. Zero fields take the defaults.
type Deadlines struct {
	Preselection   time.Duration // an instructor's preselection (default 30 days)
	InfoAnswer     time.Duration // an applicant's answer to a request for information (30 days)
	JuryVote       time.Duration // a jury member's vote once the session opens (15 days)
	Signature      time.Duration // both signatures of the financing agreement; unsigned, the grant lapses (60 days)
	Disbursement   time.Duration // the finance officer's payment (30 days)
	ReminderLead   time.Duration // reminder before each due date (3 days)
	WaitingRecheck time.Duration // how often a dossier waiting for money or a jury session checks again (1 day)
	// A campaign's committee: each member's opinions once the vote closes, and the chair's
	// decision once the quorum has answered (15 days each).
	CommitteeOpinions time.Duration
	CommitteeDecision time.Duration
}

const day = 24 * time.Hour

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func (d Deadlines) preselection() time.Duration   { return orDefault(d.Preselection, 30*day) }
func (d Deadlines) infoAnswer() time.Duration     { return orDefault(d.InfoAnswer, 30*day) }
func (d Deadlines) juryVote() time.Duration       { return orDefault(d.JuryVote, 15*day) }
func (d Deadlines) signature() time.Duration      { return orDefault(d.Signature, 60*day) }
func (d Deadlines) disbursement() time.Duration   { return orDefault(d.Disbursement, 30*day) }
func (d Deadlines) reminder() time.Duration       { return orDefault(d.ReminderLead, 3*day) }
func (d Deadlines) waitingRecheck() time.Duration { return orDefault(d.WaitingRecheck, day) }
