package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// AAPWorkflowName is the registered name of the call-for-projects application workflow.
const AAPWorkflowName = "CallApplication"

const (
	// SignalJuryOpened tells a preselected dossier its call's jury session has opened.
	SignalJuryOpened = "jury_opened"
	// SignalGrantReserved tells a waiting laureate that released money now covers its grant.
	SignalGrantReserved = "grant_reserved"
)

// Outcomes of the tasks of a call-for-projects application (models names every task's outcomes).
const (
	OutcomePreselect   = models.OutcomePreselect
	OutcomeReject      = models.OutcomeReject
	OutcomeRequestInfo = models.OutcomeRequestInfo
	OutcomeSigned      = models.OutcomeSigned
	OutcomeAnswered    = models.OutcomeAnswered
)

// AAPInput starts a call-for-projects application's process.
type AAPInput struct {
	DossierID      string
	CallID         string
	Siren          string
	Departement    string
	Region         string
	SubmittedBy    string
	EnvelopeCode   string
	RequestedCents models.Cents
	Deadlines      Deadlines
}

// aap is the state of one application's process.
type aap struct {
	*dossierProcess
	in       AAPInput
	tasks    *taskBoard
	reserved bool
}

// AAPWorkflow runs an application to a call for projects: eligibility from the registry,
// the instructor's preselection (with requests for information to the applicant), the
// jury's votes once its session opens, the reservation of the granted amount (or the
// waiting list), both signatures of the financing agreement before its deadline, and the
// single payment.
func AAPWorkflow(ctx workflow.Context, in AAPInput) (Result, error) {
	ctx = withActivityOptions(ctx)
	a := &aap{dossierProcess: newProcess(in.DossierID), in: in}
	var err error
	if a.tasks, err = newTaskBoard(ctx, a.dossierProcess); err != nil {
		return Result{}, err
	}
	return runProcess(ctx, a.dossierProcess, a.tasks, a.run)
}

func (a *aap) run(ctx workflow.Context) (Result, error) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchKind.ValueSet(string(models.KindAAP)), SearchSiren.ValueSet(a.in.Siren),
		SearchDepartement.ValueSet(a.in.Departement), SearchRegion.ValueSet(a.in.Region)); err != nil {
		return Result{}, err
	}
	if err := a.record(ctx, activities.StatusInput{Status: models.StatusChecking,
		Audit: activities.Audit{Key: "submitted", Actor: a.in.SubmittedBy, Action: models.AuditSubmitted,
			Detail: fmt.Sprintf("application to call %s, %s requested", a.in.CallID, models.FormatEuros(a.in.RequestedCents))}},
		"Checking eligibility"); err != nil {
		return Result{}, err
	}
	var elig models.Eligibility
	if err := local(ctx, "Check eligibility to call "+a.in.CallID, acts.CheckAAPEligibility, a.id).Get(ctx, &elig); err != nil {
		return Result{}, err
	}
	if !elig.Eligible {
		return a.refuse(ctx, "not eligible: "+strings.Join(elig.Reasons, "; "))
	}
	if err := local(ctx, "Record: eligible", acts.RecordEvent, activities.RecordEventInput{DossierID: a.id,
		Audit: activities.Audit{Key: "eligible", Actor: "system", Action: models.AuditEligible, Detail: strings.Join(elig.Reasons, "; ")}}).Get(ctx, nil); err != nil {
		return Result{}, err
	}

	if result, done, err := a.preselect(ctx); done || err != nil {
		return result, err
	}
	outcome, err := a.jury(ctx)
	if err != nil {
		return Result{}, err
	}
	if !outcome.Granted {
		return a.refuse(ctx, "the jury refused: "+outcome.Reason)
	}
	if err := a.reserve(ctx, outcome); err != nil {
		return Result{}, err
	}
	if signed, err := a.sign(ctx, outcome.AmountCents); err != nil || !signed {
		if err != nil {
			return Result{}, err
		}
		return Result{Status: a.status, Reason: "the financing agreement was not signed in time"}, nil
	}
	return a.tasks.disburse(ctx, outcome.AmountCents, a.in.Deadlines.disbursement(), a.in.Deadlines.reminder(),
		fmt.Sprintf("Agreement signed: waiting for the payment of %s", models.FormatEuros(outcome.AmountCents)),
		activities.Audit{Key: "committed", Actor: "system", Action: models.AuditAgreementSigned,
			Detail: fmt.Sprintf("%s committed on %s", models.FormatEuros(outcome.AmountCents), a.in.EnvelopeCode)})
}

// preselect runs the preselection by the call's instructors (DINUM and DITP for Axe 2: a
// national scope), with as many requests for information as they make. done is true when
// the dossier closed there.
func (a *aap) preselect(ctx workflow.Context) (result Result, done bool, err error) {
	for attempt := 0; ; attempt++ {
		task, err := a.tasks.openTask(ctx, taskSpec{task: models.Task{ID: models.TaskID(a.id, models.TaskPreselection, attempt),
			DossierID: a.id, Type: models.TaskPreselection, Role: models.RoleInstructor, Scope: models.ScopeNational},
			due: a.in.Deadlines.preselection(), remindBefore: a.in.Deadlines.reminder()})
		if err != nil {
			return Result{}, true, err
		}
		if err := a.record(ctx, activities.StatusInput{Status: models.StatusPreselection,
			Audit: activities.Audit{Key: fmt.Sprintf("preselection/%d", attempt), Actor: "system", Action: models.AuditPreselection,
				Detail: "waiting for the instructor's preselection"}}, "Waiting for the instructor's preselection"); err != nil {
			return Result{}, true, err
		}
		req, answer, err := a.tasks.wait(ctx, task)
		if err != nil {
			return Result{}, true, err
		}
		switch req.Outcome {
		case OutcomeReject:
			result, err := a.refuse(ctx, "not preselected: "+req.Comment)
			answer()
			return result, true, err
		case OutcomePreselect:
			err := a.record(ctx, activities.StatusInput{Status: models.StatusPreselected,
				Audit: activities.Audit{Key: "preselected", Actor: req.Actor.Subject, Action: models.AuditPreselected, Detail: req.Comment}},
				"Preselected: waiting for the jury session")
			answer()
			return Result{}, false, err
		}
		// A request for information: an applicant's task, with a due date and reminders; the
		// dossier goes back to preselection on the answer, or closes without one.
		answerApplicant, result, closed, err := a.askForInformation(ctx, a.tasks, informationRequest{attempt: attempt,
			role: models.RoleApplicant, siren: a.in.Siren, who: "applicant", deadlines: a.in.Deadlines}, req, answer)
		if closed || err != nil {
			return result, true, err
		}
		a.pending = append(a.pending, answerApplicant) // the applicant sees the dossier back in preselection
	}
}

// jury waits for the call's jury session, then for the members' votes until the
// decision stands.
func (a *aap) jury(ctx workflow.Context) (models.JuryOutcome, error) {
	var call models.Call
	if err := local(ctx, "Read the jury of call "+a.in.CallID, acts.CallJury, a.in.CallID).Get(ctx, &call); err != nil {
		return models.JuryOutcome{}, err
	}
	signals := workflow.GetSignalChannel(ctx, SignalJuryOpened)
	for call.JuryOpenedAt == nil {
		// Opening the session signals every preselected dossier; the periodic check covers
		// a dossier the signal missed.
		if ok, err := awaitUntil(ctx, a.in.Deadlines.waitingRecheck(), "Next check for the jury session", func() bool { return signals.Len() > 0 }); err != nil {
			return models.JuryOutcome{}, err
		} else if ok {
			signals.Receive(ctx, nil)
		}
		if err := local(ctx, "Check whether the jury of call "+a.in.CallID+" sits", acts.CallJury, a.in.CallID).Get(ctx, &call); err != nil {
			return models.JuryOutcome{}, err
		}
	}
	tasks := make([]*openTask, len(call.Jury))
	for i, m := range call.Jury {
		t, err := a.tasks.openTask(ctx, taskSpec{task: models.Task{ID: models.TaskID(a.id, models.TaskJuryDecision, i), DossierID: a.id,
			Type: models.TaskJuryDecision, Role: models.RoleJury, Scope: call.JuryScope(), Assignee: m.Subject},
			due: a.in.Deadlines.juryVote(), remindBefore: a.in.Deadlines.reminder(), validate: a.validateVote})
		if err != nil {
			return models.JuryOutcome{}, err
		}
		tasks[i] = t
	}
	if err := a.record(ctx, activities.StatusInput{Status: models.StatusJury,
		Audit: activities.Audit{Key: "jury", Actor: "system", Action: models.AuditJury, Detail: fmt.Sprintf("%d member(s), quorum %d", len(call.Jury), call.Quorum)}},
		fmt.Sprintf("Before the jury: %d member(s), quorum %d", len(call.Jury), call.Quorum)); err != nil {
		return models.JuryOutcome{}, err
	}
	var votes []models.Vote
	for {
		task, req, answer, err := a.tasks.next(ctx, 0, tasks...)
		if err != nil {
			return models.JuryOutcome{}, err
		}
		vote := models.Vote{DossierID: a.id, Member: req.Actor.Subject, Choice: models.VoteChoice(req.Outcome), Comment: req.Comment}
		if vote.Choice == models.VoteGrant {
			var data models.VoteData
			decodeData(req.Data, &data)
			vote.AmountCents = data.AmountCents
		}
		action := models.AuditVoted
		if vote.Choice == models.VoteRecuse {
			action = models.AuditRecused
		}
		err = local(ctx, "Record the vote of "+vote.Member, acts.RecordVote, activities.VoteInput{Vote: vote,
			Audit: activities.Audit{Key: "vote/" + task.task.ID, Actor: vote.Member, Action: action,
				Detail: fmt.Sprintf("%s %s", vote.Choice, req.Comment)}}).Get(ctx, nil)
		if err != nil {
			return models.JuryOutcome{}, err
		}
		votes = append(votes, vote)
		outcome := models.DecideJury(call.Jury, call.Chair, call.Quorum, votes)
		if !outcome.Decided {
			workflow.SetCurrentDetails(ctx, "Before the jury: waiting for "+outcome.Missing)
			answer()
			continue
		}
		if err := a.tasks.cancel(ctx, "the jury has decided", tasks...); err != nil {
			return models.JuryOutcome{}, err
		}
		err = local(ctx, "Record the jury's decision", acts.RecordEvent, activities.RecordEventInput{DossierID: a.id,
			Audit: activities.Audit{Key: "jury-decision", Actor: "jury", Action: models.AuditJuryDecided, Detail: decisionDetail(outcome)}}).Get(ctx, nil)
		if err != nil {
			return models.JuryOutcome{}, err
		}
		a.pending = append(a.pending, answer) // the member whose vote decided sees what followed
		return outcome, nil
	}
}

func decisionDetail(o models.JuryOutcome) string {
	if o.Granted {
		return fmt.Sprintf("granted %s (%s)", models.FormatEuros(o.AmountCents), o.Reason)
	}
	return "refused (" + o.Reason + ")"
}

// validateVote checks a vote to grant against the amount the dossier requests.
func (a *aap) validateVote(_ workflow.Context, payload any) error {
	if grant, ok := payload.(*models.GrantCompletion); ok {
		return grant.Data.Check(a.in.RequestedCents)
	}
	return nil
}

// reserve sets the granted amount aside, waiting on the list until released money covers
// it when the envelope cannot.
func (a *aap) reserve(ctx workflow.Context, outcome models.JuryOutcome) error {
	granted := outcome.AmountCents
	err := local(ctx, fmt.Sprintf("Reserve %s on %s", models.FormatEuros(granted), a.in.EnvelopeCode), acts.ReserveGrant, activities.ReserveInput{DossierID: a.id, Envelope: a.in.EnvelopeCode,
		AmountCents: granted, Score: outcome.Score, DecidedAt: workflow.Now(ctx)}).Get(ctx, &a.reserved)
	if err != nil || a.reserved {
		return err
	}
	if err := a.record(ctx, activities.StatusInput{Status: models.StatusWaitingList, GrantedCents: &granted,
		Audit: activities.Audit{Key: "waiting-list", Actor: "system", Action: models.AuditWaitingList,
			Detail: fmt.Sprintf("the envelope cannot cover %s yet", models.FormatEuros(granted))}},
		fmt.Sprintf("Laureate on the waiting list for %s", models.FormatEuros(granted))); err != nil {
		return err
	}
	signals := workflow.GetSignalChannel(ctx, SignalGrantReserved)
	for !a.reserved {
		// The signal comes from whoever released the money; the periodic check covers a
		// sender that failed between releasing and signalling.
		if ok, err := awaitUntil(ctx, a.in.Deadlines.waitingRecheck(), "Next check of the waiting list", func() bool { return signals.Len() > 0 }); err != nil {
			return err
		} else if ok {
			signals.Receive(ctx, nil)
		}
		var check activities.WaitingCheck
		if err := local(ctx, "Check the waiting list of "+a.in.EnvelopeCode, acts.RecheckWaitingList, activities.ReserveInput{DossierID: a.id,
			Envelope: a.in.EnvelopeCode}).Get(ctx, &check); err != nil {
			return err
		}
		a.reserved = check.Reserved
		wakeLaureates(ctx, a.id, check.Promoted)
	}
	return nil
}

// sign waits for both signatures of the financing agreement before its deadline. Unsigned
// in time, the grant lapses: its money goes back to the envelope and to waiting laureates.
func (a *aap) sign(ctx workflow.Context, granted models.Cents) (bool, error) {
	parties := []models.Task{
		{ID: models.TaskID(a.id, models.TaskConventionSignature, 0), DossierID: a.id, Type: models.TaskConventionSignature,
			Role: models.RoleApplicant, Scope: models.CollectiviteScope(a.in.Siren)},
		{ID: models.TaskID(a.id, models.TaskConventionSignature, 1), DossierID: a.id, Type: models.TaskConventionSignature,
			Role: models.RoleFinance, Scope: models.ScopeNational},
	}
	window := a.in.Deadlines.signature()
	deadline := workflow.Now(ctx).Add(window)
	var open []*openTask
	for _, p := range parties {
		t, err := a.tasks.openTask(ctx, taskSpec{task: p, due: window, remindBefore: a.in.Deadlines.reminder(), validate: validateSignature})
		if err != nil {
			return false, err
		}
		open = append(open, t)
	}
	if err := a.record(ctx, activities.StatusInput{Status: models.StatusAwaitingSignature, GrantedCents: &granted,
		Audit: activities.Audit{Key: "laureate", Actor: "system", Action: models.AuditLaureate,
			Detail: fmt.Sprintf("%s reserved on %s; agreement to sign by %s", models.FormatEuros(granted), a.in.EnvelopeCode, deadline.Format(time.DateOnly))}},
		fmt.Sprintf("Laureate for %s: waiting for both signatures by %s", models.FormatEuros(granted), deadline.Format(time.DateOnly))); err != nil {
		return false, err
	}
	for signed := 0; signed < len(open); signed++ {
		left := deadline.Sub(workflow.Now(ctx))
		task, _, answer, err := a.tasks.next(ctx, max(left, time.Millisecond), open...)
		if err != nil {
			return false, err
		}
		if task == nil {
			return false, a.lapse(ctx, open)
		}
		if signed+1 < len(open) {
			answer()
			continue
		}
		if err := local(ctx, "Commit the grant (agreement signed)", acts.CommitGrant, a.id).Get(ctx, nil); err != nil {
			return false, err
		}
		a.pending = append(a.pending, answer) // the last signatory sees the dossier move on to payment
	}
	return true, nil
}

// lapse cancels the unsigned agreement, releases its money (waking the laureates it
// funds) and closes the dossier.
func (a *aap) lapse(ctx workflow.Context, open []*openTask) error {
	if err := a.tasks.cancel(ctx, "the agreement was not signed in time", open...); err != nil {
		return err
	}
	var promoted []string
	if err := local(ctx, "Release the grant (agreement lapsed)", acts.ReleaseGrant, a.id).Get(ctx, &promoted); err != nil {
		return err
	}
	wakeLaureates(ctx, a.id, promoted)
	_, err := a.close(ctx, models.StatusLapsed, "the financing agreement was not signed before its deadline; the grant went back to the envelope", models.AuditLapsed)
	return err
}

// validateSignature refuses a signature dated in the future.
func validateSignature(ctx workflow.Context, payload any) error {
	if signed, ok := payload.(*models.SignatureCompletion); ok {
		return signed.Data.Check(workflow.Now(ctx))
	}
	return nil
}
