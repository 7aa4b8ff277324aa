package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// ProposalWorkflowName is the registered name of an Axe 1 proposal's workflow.
const ProposalWorkflowName = "CoConstructionProposal"

// SignalServiceOutcome tells a proposal in the vote what became of its candidate service
// (a models.ServiceOutcome): selected, not selected, delivered.
const SignalServiceOutcome = "service_outcome"

// ProposalInput starts an Axe 1 proposal's process.
type ProposalInput struct {
	DossierID   string
	CampaignID  string
	Siren       string
	SubmittedBy string
	// Partner says the proposer is a partner (not a collectivité): its own tasks go to the partner role.
	Partner   bool
	Deadlines Deadlines
}

// proposal is the state of one proposal's process.
type proposal struct {
	*dossierProcess
	in    ProposalInput
	tasks *taskBoard
}

// ProposalWorkflow runs a proposal to a consultation campaign: an ANCT instructor's review
// (accepted into the vote as a candidate service, merged into another proposal's, out of
// scope with the reason, or more information asked of the proposer, as often as needed),
// then, in the vote, what becomes of its candidate service until it closes: not selected,
// or selected and then delivered. Each step's status tells the proposer (the outbox).
func ProposalWorkflow(ctx workflow.Context, in ProposalInput) (Result, error) {
	ctx = withActivityOptions(ctx)
	p := &proposal{dossierProcess: newProcess(in.DossierID), in: in}
	var err error
	if p.tasks, err = newTaskBoard(ctx, p.dossierProcess); err != nil {
		return Result{}, err
	}
	return runProcess(ctx, p.dossierProcess, p.tasks, p.run)
}

func (p *proposal) run(ctx workflow.Context) (Result, error) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchKind.ValueSet(string(models.KindCoConstruction)),
		SearchSiren.ValueSet(p.in.Siren)); err != nil {
		return Result{}, err
	}
	result, done, err := p.review(ctx)
	if done || err != nil {
		return result, err
	}
	return p.follow(ctx)
}

// review runs the instructor's review, with as many requests for information as it makes.
// done is true when the proposal closed there.
func (p *proposal) review(ctx workflow.Context) (result Result, done bool, err error) {
	var answerProposer func()
	for attempt := 0; ; attempt++ {
		task, err := p.tasks.openTask(ctx, taskSpec{task: models.Task{ID: models.TaskID(p.id, models.TaskProposalReview, attempt),
			DossierID: p.id, Type: models.TaskProposalReview, Role: models.RoleInstructor, Scope: models.ScopeNational},
			due: p.in.Deadlines.preselection(), remindBefore: p.in.Deadlines.reminder()})
		if err != nil {
			return Result{}, true, err
		}
		audit := activities.Audit{Key: fmt.Sprintf("review/%d", attempt), Actor: "system", Action: models.AuditPreselection,
			Detail: "waiting for an ANCT instructor's review"}
		if attempt == 0 {
			audit = activities.Audit{Key: "submitted", Actor: p.in.SubmittedBy, Action: models.AuditSubmitted,
				Detail: "proposal to campaign " + p.in.CampaignID}
		}
		if err := p.record(ctx, activities.StatusInput{Status: models.StatusReview, Audit: audit}, "Waiting for an ANCT instructor's review"); err != nil {
			return Result{}, true, err
		}
		if answerProposer != nil {
			answerProposer() // the proposer who answered sees the proposal back in review
		}
		req, answer, err := p.tasks.wait(ctx, task)
		if err != nil {
			return Result{}, true, err
		}
		switch req.Outcome {
		case models.OutcomeOutOfScope:
			result, err := p.close(ctx, models.StatusOutOfScope, req.Comment, "")
			answer()
			return result, true, err
		case models.OutcomeAccept:
			err := p.record(ctx, activities.StatusInput{Status: models.StatusAccepted,
				Audit: activities.Audit{Key: "accepted", Actor: req.Actor.Subject, Action: string(models.StatusAccepted), Detail: req.Comment}},
				"In the vote: its own candidate service")
			answer()
			return Result{}, false, err
		case models.OutcomeMerge:
			var data models.MergeData
			decodeData(req.Data, &data)
			reason := "merged into the candidate service of proposal " + data.IntoDossierID
			err := p.record(ctx, activities.StatusInput{Status: models.StatusMerged, Reason: reason,
				Audit: activities.Audit{Key: "merged", Actor: req.Actor.Subject, Action: string(models.StatusMerged), Detail: reason}},
				"In the vote: "+reason)
			answer()
			return Result{}, false, err
		}
		// More information: the proposer's task, with a due date and reminders; the proposal
		// goes back to review on the answer, or closes without one.
		role := models.RoleApplicant
		if p.in.Partner {
			role = models.RolePartner
		}
		answerReply, result, closed, err := p.askForInformation(ctx, p.tasks, informationRequest{attempt: attempt,
			role: role, siren: p.in.Siren, who: "proposer", deadlines: p.in.Deadlines}, req, answer)
		if closed || err != nil {
			return result, true, err
		}
		answerProposer = answerReply
	}
}

// follow waits, once in the vote, for what becomes of the proposal's candidate service.
// Its history stays short: a handful of signals, and one check a day of the service in
// the database, which catches an outcome whose signal was missed.
func (p *proposal) follow(ctx workflow.Context) (Result, error) {
	outcomes := workflow.GetSignalChannel(ctx, SignalServiceOutcome)
	recheck := workflow.GetVersion(ctx, "proposal-follow-recheck", workflow.DefaultVersion, 1) >= 1
	for {
		var o models.ServiceOutcome
		if recheck {
			signalled, err := workflow.AwaitWithTimeout(ctx, p.in.Deadlines.waitingRecheck(), func() bool { return outcomes.Len() > 0 })
			if err != nil {
				return Result{}, err
			}
			if signalled {
				outcomes.ReceiveAsync(&o)
			} else if err := workflow.ExecuteLocalActivity(ctx, acts.ProposalServiceOutcome, p.id).Get(ctx, &o); err != nil {
				return Result{}, err
			}
			if o.Status == "" {
				continue // undecided yet
			}
			// Delivered, found in the database by a proposal that missed its selection: both steps, in order.
			if o.Status == models.StatusDelivered && p.status != models.StatusSelected && !signalled {
				if err := p.selected(ctx, models.ServiceOutcome{Status: models.StatusSelected, Reason: "selected"}); err != nil {
					return Result{}, err
				}
			}
		} else {
			if err := workflow.Await(ctx, func() bool { return outcomes.Len() > 0 }); err != nil {
				return Result{}, err
			}
			outcomes.ReceiveAsync(&o)
		}
		switch {
		case o.Status == models.StatusSelected && p.status != models.StatusSelected:
			if err := p.selected(ctx, o); err != nil {
				return Result{}, err
			}
		case o.Status == models.StatusNotSelected && p.status != models.StatusSelected:
			return p.close(ctx, models.StatusNotSelected, o.Reason, "")
		case o.Status == models.StatusDelivered && p.status == models.StatusSelected:
			return p.close(ctx, models.StatusDelivered, o.Reason, "")
		default:
			// An outcome out of order (a repeated signal, delivered before selected) changes nothing.
			workflow.GetLogger(ctx).Warn("proposal: service outcome ignored", "outcome", o.Status, "status", p.status)
		}
	}
}

// selected records that the proposal's candidate service was selected.
func (p *proposal) selected(ctx workflow.Context, o models.ServiceOutcome) error {
	return p.record(ctx, activities.StatusInput{Status: models.StatusSelected, Reason: o.Reason,
		Audit: activities.Audit{Key: "selected", Actor: "system", Action: string(models.StatusSelected), Detail: o.Reason}},
		"Selected: its service is being built and deployed")
}
