package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// PrefectoralWorkflowName is the registered name of the prefectoral grant's workflow (Axe 3).
const PrefectoralWorkflowName = "PrefectoralGrant"

// SignalSessionOpened invites a scored dossier into a programming session, with the
// session's ID: the préfet then decides on it.
const SignalSessionOpened = "session_opened"

// PrefectoralSettings are the configurable rules of Axe 3's payments and lab reserve. Zero
// fields take the defaults.
type PrefectoralSettings struct {
	// LabOnly: a dossier involving a lab draws on the lab reserve only, never falling back
	// on its territorial envelope (default false: it falls back).
	LabOnly bool
	// AdvanceSharePercent is the most an advance may be, as a share of the grant (30 %).
	AdvanceSharePercent int
	// Completion is how long after the agreement the applicant has to file its final
	// statement of expenses (24 months, as 730 days).
	Completion time.Duration
	// StatementReminder is how long before that deadline the applicant is reminded (30 days).
	StatementReminder time.Duration
}

func (s PrefectoralSettings) advanceShare() int {
	if s.AdvanceSharePercent == 0 {
		return models.DefaultAdvanceSharePercent
	}
	return s.AdvanceSharePercent
}
func (s PrefectoralSettings) completion() time.Duration { return orDefault(s.Completion, 730*day) }
func (s PrefectoralSettings) statementReminder() time.Duration {
	return orDefault(s.StatementReminder, 30*day)
}

// PrefectoralInput starts a prefectoral dossier's process.
type PrefectoralInput struct {
	DossierID      string
	Siren          string
	Departement    string
	Region         string
	SubmittedBy    string
	RequestedCents models.Cents
	Deadlines      Deadlines
	Settings       PrefectoralSettings
}

// prefectoral is the state of one dossier's process.
type prefectoral struct {
	*dossierProcess
	in    PrefectoralInput
	tasks *taskBoard
	facts activities.PrefectoralFacts
	// score and proposed are the instructor's, once scored.
	score    int
	proposed models.Cents
	// granted is the amount the préfet granted, on envelope.
	granted  models.Cents
	envelope string
	// advancePaid is the advance finance paid.
	advancePaid models.Cents
}

// PrefectoralWorkflow runs an Axe 3 application: eligibility, admissibility by an
// instructor of the prefecture (with requests for information), scoring, the préfet's
// decision in a programming session, the agreement (a CRTE annex signed by the préfet, or
// an ad hoc agreement signed by the applicant then the State before its deadline), and the
// payments: an optional advance, then the balance on the final statement, pro rata of the
// actual expenses, the unspent remainder released; no statement in time, the grant lapses
// and a paid advance is recovered.
func PrefectoralWorkflow(ctx workflow.Context, in PrefectoralInput) (Result, error) {
	ctx = withActivityOptions(ctx)
	p := &prefectoral{dossierProcess: newProcess(in.DossierID), in: in}
	var err error
	if p.tasks, err = newTaskBoard(ctx, p.dossierProcess); err != nil {
		return Result{}, err
	}
	return runProcess(ctx, p.dossierProcess, p.tasks, p.run)
}

func (p *prefectoral) run(ctx workflow.Context) (Result, error) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchKind.ValueSet(string(models.KindPrefectoral)), SearchSiren.ValueSet(p.in.Siren),
		SearchDepartement.ValueSet(p.in.Departement), SearchRegion.ValueSet(p.in.Region)); err != nil {
		return Result{}, err
	}
	if err := p.record(ctx, activities.StatusInput{Status: models.StatusChecking,
		Audit: activities.Audit{Key: "submitted", Actor: p.in.SubmittedBy, Action: models.AuditSubmitted,
			Detail: fmt.Sprintf("prefectoral application, %s requested", models.FormatEuros(p.in.RequestedCents))}},
		"Checking eligibility"); err != nil {
		return Result{}, err
	}
	if err := local(ctx, "Check the eligibility of the application", acts.CheckPrefectoral, p.id).Get(ctx, &p.facts); err != nil {
		return Result{}, err
	}
	if !p.facts.Eligibility.Eligible {
		return p.refuse(ctx, "not eligible: "+strings.Join(p.facts.Eligibility.Reasons, "; "))
	}
	if err := p.event(ctx, "eligible", "system", models.AuditEligible, strings.Join(p.facts.Eligibility.Reasons, "; ")); err != nil {
		return Result{}, err
	}
	if result, done, err := p.admissibility(ctx); done || err != nil {
		return result, err
	}
	if err := p.scoring(ctx); err != nil {
		return Result{}, err
	}
	if result, done, err := p.programming(ctx); done || err != nil {
		return result, err
	}
	if signed, err := p.contract(ctx); err != nil || !signed {
		return Result{Status: p.status, Reason: "the agreement was not signed in time"}, err
	}
	return p.payments(ctx)
}

func (p *prefectoral) event(ctx workflow.Context, key, actor, action, detail string) error {
	return local(ctx, "Record "+action, acts.RecordEvent, activities.RecordEventInput{DossierID: p.id,
		Audit: activities.Audit{Key: key, Actor: actor, Action: action, Detail: detail}}).Get(ctx, nil)
}

// instructorScope is the prefecture that instructs the dossier: its département's, or its
// région's for an applicant of no one département (a région, a regional structure).
func (p *prefectoral) instructorScope() models.Scope {
	if p.in.Departement == "" {
		return models.RegionScope(p.in.Region)
	}
	return models.DepartementScope(p.in.Departement)
}

// admissibility runs the instructor's admissibility check, with as many requests for
// information as they make. done is true when the dossier closed there.
func (p *prefectoral) admissibility(ctx workflow.Context) (result Result, done bool, err error) {
	for attempt := 0; ; attempt++ {
		task, err := p.tasks.openTask(ctx, taskSpec{task: models.Task{ID: models.TaskID(p.id, models.TaskAdmissibility, attempt),
			DossierID: p.id, Type: models.TaskAdmissibility, Role: models.RoleInstructor, Scope: p.instructorScope()},
			due: p.in.Deadlines.preselection(), remindBefore: p.in.Deadlines.reminder()})
		if err != nil {
			return Result{}, true, err
		}
		if err := p.record(ctx, activities.StatusInput{Status: models.StatusAdmissibility,
			Audit: activities.Audit{Key: fmt.Sprintf("admissibility/%d", attempt), Actor: "system", Action: string(models.StatusAdmissibility),
				Detail: "waiting for the prefecture's admissibility check"}}, "Waiting for the prefecture's admissibility check"); err != nil {
			return Result{}, true, err
		}
		req, answer, err := p.tasks.wait(ctx, task)
		if err != nil {
			return Result{}, true, err
		}
		switch req.Outcome {
		case models.OutcomeInadmissible:
			result, err := p.refuse(ctx, models.ReasonInadmissible+req.Comment)
			answer()
			return result, true, err
		case models.OutcomeAdmissible:
			err := p.event(ctx, "admissible", req.Actor.Subject, models.AuditAdmissible, req.Comment)
			p.pending = append(p.pending, answer) // the instructor sees the dossier move on to scoring
			return Result{}, false, err
		}
		answerApplicant, result, closed, err := p.askForInformation(ctx, p.tasks, informationRequest{attempt: attempt,
			role: models.RoleApplicant, siren: p.in.Siren, who: "applicant", deadlines: p.in.Deadlines}, req, answer)
		if closed || err != nil {
			return result, true, err
		}
		p.pending = append(p.pending, answerApplicant) // the applicant sees the dossier back in admissibility
	}
}

// scoring waits for the instructor's scores of the five criteria and proposed amount.
func (p *prefectoral) scoring(ctx workflow.Context) error {
	task, err := p.tasks.openTask(ctx, taskSpec{task: models.Task{ID: models.TaskID(p.id, models.TaskScoring, 0),
		DossierID: p.id, Type: models.TaskScoring, Role: models.RoleInstructor, Scope: p.instructorScope()},
		due: p.in.Deadlines.preselection(), remindBefore: p.in.Deadlines.reminder(), validate: p.validateAmount})
	if err != nil {
		return err
	}
	if err := p.record(ctx, activities.StatusInput{Status: models.StatusScoring,
		Audit: activities.Audit{Key: "scoring", Actor: "system", Action: string(models.StatusScoring), Detail: "admissible: waiting for the scores"}},
		"Admissible: waiting for the instructor's scores"); err != nil {
		return err
	}
	req, answer, err := p.tasks.wait(ctx, task)
	if err != nil {
		return err
	}
	// A dossier filed on its région's kept envelope is scored on its département's when the
	// préfet de région has delegated one since: that préfet decides on it.
	if workflow.GetVersion(ctx, "prefectoral-score-territory", workflow.DefaultVersion, 1) >= 1 {
		var t activities.Territory
		if err := local(ctx, "Resolve the envelope the dossier draws on", acts.ResolveTerritory, p.id).Get(ctx, &t); err != nil {
			return err
		}
		p.facts.TerritorialEnvelope, p.facts.TerritorialScope = t.Envelope, t.Scope
	}
	var scoring models.ScoringData
	decodeData(req.Data, &scoring)
	p.score, p.proposed = models.WeightedScore(scoring.Scores(), p.facts.Weights), scoring.ProposedCents
	err = local(ctx, "Record the score and the proposed amount", acts.RecordScore, activities.ScoreInput{Score: models.Score{DossierID: p.id,
		EnvelopeCode: p.facts.TerritorialEnvelope, Score: p.score, ProposedCents: p.proposed, MaxGrantCents: p.facts.Eligibility.MaxGrantCents},
		Audit: activities.Audit{Key: "scored", Actor: req.Actor.Subject, Action: models.AuditScored,
			Detail: fmt.Sprintf("%d/100 (criteria %v), %s proposed", p.score, scoring.Scores(), models.FormatEuros(p.proposed))}}).Get(ctx, nil)
	p.pending = append(p.pending, answer)
	return err
}

// validateAmount checks an amount proposed or granted is within the dossier's cap.
func (p *prefectoral) validateAmount(_ workflow.Context, payload any) error {
	switch c := payload.(type) {
	case *models.ScoringCompletion:
		return models.CheckAmount("data.proposed_cents", c.Data.ProposedCents, p.facts.Eligibility.MaxGrantCents)
	case *models.AmountCompletion:
		return models.CheckAmount("data.amount_cents", c.Data.AmountCents, p.facts.Eligibility.MaxGrantCents)
	}
	return nil
}

// programming waits for a programming session and the préfet's decision in it: a grant
// reserves the money (an envelope that cannot cover it sends the dossier to the next
// session), a refusal closes the dossier, a postponement waits for the next session.
func (p *prefectoral) programming(ctx workflow.Context) (result Result, done bool, err error) {
	sessions := workflow.GetSignalChannel(ctx, SignalSessionOpened)
	// Opening a session signals each of its dossiers; a dossier the signal missed finds its
	// session in the database, checked once a day.
	recheck := workflow.GetVersion(ctx, "prefectoral-session-recheck", workflow.DefaultVersion, 1) >= 1
	last, postponed := "", ""
	for attempt := 0; ; attempt++ {
		if err := p.record(ctx, activities.StatusInput{Status: models.StatusScored, Reason: postponed,
			Audit: activities.Audit{Key: fmt.Sprintf("scored/%d", attempt), Actor: "system", Action: string(models.StatusScored),
				Detail: fmt.Sprintf("%d/100, %s proposed: waiting for a programming session on %s", p.score, models.FormatEuros(p.proposed), p.facts.TerritorialEnvelope)}},
			fmt.Sprintf("Scored %d/100: waiting for a programming session on %s", p.score, p.facts.TerritorialEnvelope)); err != nil {
			return Result{}, true, err
		}
		var session string
		// A postponed dossier waits for the next session, not the one that postponed it.
		for session == "" || session == last {
			if !recheck {
				// Await, unlike Receive, ends when the dossier is withdrawn meanwhile.
				if err := workflow.Await(ctx, func() bool { return sessions.Len() > 0 }); err != nil {
					return Result{}, true, err
				}
				sessions.ReceiveAsync(&session)
				continue
			}
			if ok, err := awaitUntil(ctx, p.in.Deadlines.waitingRecheck(), "Next check for a programming session", func() bool { return sessions.Len() > 0 }); err != nil {
				return Result{}, true, err
			} else if ok {
				sessions.ReceiveAsync(&session)
				continue
			}
			if err := local(ctx, "Check for an open programming session on "+p.facts.TerritorialEnvelope, acts.PrefectoralSession, p.id).Get(ctx, &session); err != nil {
				return Result{}, true, err
			}
		}
		last = session
		task, err := p.tasks.openTask(ctx, taskSpec{task: models.Task{ID: models.TaskID(p.id, models.TaskProgramming, attempt),
			DossierID: p.id, Type: models.TaskProgramming, Role: models.RolePrefet, Scope: p.facts.TerritorialScope},
			validate: p.validateAmount})
		if err != nil {
			return Result{}, true, err
		}
		if err := p.record(ctx, activities.StatusInput{Status: models.StatusInSession,
			Audit: activities.Audit{Key: fmt.Sprintf("session/%d", attempt), Actor: "system", Action: models.AuditJoinedSession, Detail: "session " + session}},
			fmt.Sprintf("In programming session %s: waiting for the préfet's decision", session)); err != nil {
			return Result{}, true, err
		}
		req, answer, err := p.tasks.wait(ctx, task)
		if err != nil {
			return Result{}, true, err
		}
		switch req.Outcome {
		case models.OutcomeRefuse:
			result, err := p.refuse(ctx, models.ReasonRefusedByPrefet+req.Comment)
			answer()
			return result, true, err
		case models.OutcomePostpone:
			err := p.event(ctx, fmt.Sprintf("postponed/%d", attempt), req.Actor.Subject, models.AuditPostponed, req.Comment)
			p.pending = append(p.pending, answer)
			if err != nil {
				return Result{}, true, err
			}
			postponed = p.postponedReason(ctx, models.ReasonPostponedByPrefet+req.Comment)
			continue
		}
		var grant models.AmountData
		decodeData(req.Data, &grant)
		envelopes := models.FundingEnvelopes(p.facts.TerritorialEnvelope, p.facts.InvolvesLab, !p.in.Settings.LabOnly)
		var env string
		err = local(ctx, "Reserve "+models.FormatEuros(grant.AmountCents)+" on the first envelope that covers it", acts.ReserveFirst, activities.ReserveFirstInput{DossierID: p.id, Envelopes: envelopes,
			AmountCents: grant.AmountCents, Audit: activities.Audit{Key: "granted", Actor: req.Actor.Subject, Action: models.AuditGranted}}).Get(ctx, &env)
		if err != nil {
			return Result{}, true, err
		}
		p.pending = append(p.pending, answer)
		if env == "" {
			err := p.event(ctx, fmt.Sprintf("postponed/%d", attempt), "system", models.AuditPostponed,
				fmt.Sprintf("%s cannot cover %s: postponed to the next session", strings.Join(envelopes, " nor "), models.FormatEuros(grant.AmountCents)))
			if err != nil {
				return Result{}, true, err
			}
			postponed = p.postponedReason(ctx, models.ReasonEnvelopeShort)
			continue
		}
		p.granted, p.envelope = grant.AmountCents, env
		return Result{}, false, nil
	}
}

// postponedReason is the reason a postponed dossier's status carries back to waiting for a
// session, which the applicant's message gives; none in the histories from before it did.
func (p *prefectoral) postponedReason(ctx workflow.Context, reason string) string {
	if workflow.GetVersion(ctx, "prefectoral-postpone-motive", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return ""
	}
	return reason
}

// contract has the agreement signed: a financial annex to the CRTE covering the applicant,
// signed by the préfet; else an ad hoc agreement signed by the applicant, then by the State
// (finance), before its deadline. Unsigned in time, the grant lapses and its money goes back.
func (p *prefectoral) contract(ctx workflow.Context) (bool, error) {
	window := p.in.Deadlines.signature()
	deadline := workflow.Now(ctx).Add(window)
	parties := []models.Task{
		{Role: models.RoleApplicant, Scope: models.CollectiviteScope(p.in.Siren)},
		{Role: models.RoleFinance, Scope: models.ScopeNational},
	}
	what := "ad hoc agreement: the applicant signs, then the State"
	if p.facts.CRTE != nil {
		parties = []models.Task{{Role: models.RolePrefet, Scope: p.facts.TerritorialScope}}
		what = "financial annex to " + p.facts.CRTE.Name + ": the préfet signs"
	}
	granted := p.granted
	for i, party := range parties {
		party.ID, party.DossierID, party.Type = models.TaskID(p.id, models.TaskConventionSignature, i), p.id, models.TaskConventionSignature
		left := deadline.Sub(workflow.Now(ctx))
		task, err := p.tasks.openTask(ctx, taskSpec{task: party, due: max(left, time.Millisecond), remindBefore: p.in.Deadlines.reminder(), validate: validateSignature})
		if err != nil {
			return false, err
		}
		if i == 0 {
			if err := p.record(ctx, activities.StatusInput{Status: models.StatusAwaitingSignature, GrantedCents: &granted,
				Audit: activities.Audit{Key: "laureate", Actor: "system", Action: models.AuditLaureate,
					Detail: fmt.Sprintf("%s reserved on %s; %s by %s", models.FormatEuros(granted), p.envelope, what, deadline.Format(time.DateOnly))}},
				fmt.Sprintf("Granted %s: %s by %s", models.FormatEuros(granted), what, deadline.Format(time.DateOnly))); err != nil {
				return false, err
			}
		} else if workflow.GetVersion(ctx, "prefectoral-answer-signatory", workflow.DefaultVersion, 1) >= 1 {
			// The applicant who signed sees the agreement wait for the State's signature,
			// rather than waiting for it themselves.
			p.answerPending()
		}
		done, _, answer, err := p.tasks.next(ctx, max(deadline.Sub(workflow.Now(ctx)), time.Millisecond), task)
		if err != nil {
			return false, err
		}
		if done == nil {
			return false, p.lapseUnsigned(ctx, task)
		}
		p.pending = append(p.pending, answer)
	}
	if err := local(ctx, "Commit the grant: the agreement is signed", acts.CommitGrant, p.id).Get(ctx, nil); err != nil {
		return false, err
	}
	return true, p.event(ctx, "committed", "system", models.AuditAgreementSigned, fmt.Sprintf("%s committed on %s", models.FormatEuros(granted), p.envelope))
}

// lapseUnsigned cancels the unsigned agreement, releases its money and closes the dossier.
func (p *prefectoral) lapseUnsigned(ctx workflow.Context, open *openTask) error {
	if err := p.tasks.cancel(ctx, "the agreement was not signed in time", open); err != nil {
		return err
	}
	if err := local(ctx, "Release the grant's money", acts.ReleaseGrant, p.id).Get(ctx, nil); err != nil {
		return err
	}
	_, err := p.close(ctx, models.StatusLapsed, "the agreement was not signed before its deadline; the grant went back to the envelope", models.AuditLapsed)
	return err
}

// payments runs the project until its final statement: the applicant may ask for an
// advance, which finance pays; the final statement recomputes the grant pro rata of the
// actual eligible expenses, finance pays the balance (or recovers what the advance paid
// too much) and the remainder goes back to the envelope. No statement by the deadline:
// the grant lapses, its unpaid part is released and a paid advance is recovered.
func (p *prefectoral) payments(ctx workflow.Context) (Result, error) {
	deadline := workflow.Now(ctx).Add(p.in.Settings.completion())
	statement, err := p.tasks.openTask(ctx, taskSpec{task: models.Task{ID: models.TaskID(p.id, models.TaskFinalStatement, 0), DossierID: p.id,
		Type: models.TaskFinalStatement, Role: models.RoleApplicant, Scope: models.CollectiviteScope(p.in.Siren)},
		due: p.in.Settings.completion(), remindBefore: p.in.Settings.statementReminder()})
	if err != nil {
		return Result{}, err
	}
	maxAdvance := models.MaxAdvance(p.granted, p.in.Settings.advanceShare())
	waiting := []*openTask{statement}
	if maxAdvance > 0 {
		advance, err := p.tasks.openTask(ctx, taskSpec{task: models.Task{ID: models.TaskID(p.id, models.TaskAdvanceRequest, 0), DossierID: p.id,
			Type: models.TaskAdvanceRequest, Role: models.RoleApplicant, Scope: models.CollectiviteScope(p.in.Siren)},
			validate: func(_ workflow.Context, payload any) error {
				if r, ok := payload.(*models.AmountCompletion); ok && r.Data.AmountCents > maxAdvance {
					return models.FieldErrors(map[string]string{"data.amount_cents": fmt.Sprintf("must be at most %s (%d%% of the grant)",
						models.FormatEuros(maxAdvance), p.in.Settings.advanceShare())})
				}
				return nil
			}})
		if err != nil {
			return Result{}, err
		}
		waiting = append(waiting, advance)
	}
	if err := p.record(ctx, activities.StatusInput{Status: models.StatusInProgress,
		Audit: activities.Audit{Key: "in-progress", Actor: "system", Action: string(models.StatusInProgress),
			Detail: fmt.Sprintf("final statement due by %s; advance up to %s", deadline.Format(time.DateOnly), models.FormatEuros(maxAdvance))}},
		fmt.Sprintf("Project under way: final statement due by %s", deadline.Format(time.DateOnly))); err != nil {
		return Result{}, err
	}
	for {
		done, req, answer, err := p.tasks.next(ctx, max(deadline.Sub(workflow.Now(ctx)), time.Millisecond), waiting...)
		if err != nil {
			return Result{}, err
		}
		switch {
		case done == nil:
			return p.lapseUnfinished(ctx, waiting)
		case done.task.Type == models.TaskAdvanceRequest:
			waiting = waiting[:1]
			var asked models.AmountData
			decodeData(req.Data, &asked)
			p.pending = append(p.pending, answer)
			if err := p.pay(ctx, 0, "advance", asked.AmountCents, models.AuditAdvancePaid); err != nil {
				return Result{}, err
			}
			p.advancePaid = asked.AmountCents
			if err := p.record(ctx, activities.StatusInput{Status: models.StatusInProgress,
				Audit: activities.Audit{Key: "in-progress/advance", Actor: "system", Action: string(models.StatusInProgress),
					Detail: fmt.Sprintf("advance of %s paid; final statement due by %s", models.FormatEuros(p.advancePaid), deadline.Format(time.DateOnly))}},
				fmt.Sprintf("Advance of %s paid: final statement due by %s", models.FormatEuros(p.advancePaid), deadline.Format(time.DateOnly))); err != nil {
				return Result{}, err
			}
		default:
			if err := p.tasks.cancel(ctx, "the final statement was filed", waiting[1:]...); err != nil {
				return Result{}, err
			}
			var filed models.FinalStatementData
			decodeData(req.Data, &filed)
			p.pending = append(p.pending, answer)
			return p.settle(ctx, filed.EligibleExpensesCents)
		}
	}
}

// pay opens finance's disbursement task for amount, waits for the payment and records it
// as the grant's part.
func (p *prefectoral) pay(ctx workflow.Context, attempt int, part string, amount models.Cents, action string) error {
	task, err := p.tasks.openTask(ctx, taskSpec{task: models.Task{ID: models.TaskID(p.id, models.TaskDisbursement, attempt), DossierID: p.id,
		Type: models.TaskDisbursement, Role: models.RoleFinance, Scope: models.ScopeNational},
		due: p.in.Deadlines.disbursement(), remindBefore: p.in.Deadlines.reminder(), validate: validatePayment})
	if err != nil {
		return err
	}
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("Waiting for finance to pay the %s of %s", part, models.FormatEuros(amount)))
	p.answerPending() // the applicant whose request or statement led here sees it wait for finance
	req, answer, err := p.tasks.wait(ctx, task)
	if err != nil {
		return err
	}
	var payment models.Payment
	decodeData(req.Data, &payment)
	err = local(ctx, "Pay the "+part+" of "+models.FormatEuros(amount), acts.MoveMoney, activities.MoveInput{DossierID: p.id, Move: activities.MovePay, Part: part,
		Reference: payment.Reference, AmountCents: amount, Audit: activities.Audit{Key: "paid/" + part, Actor: req.Actor.Subject, Action: action,
			Detail: fmt.Sprintf("%s of %s paid on %s, reference %s", part, models.FormatEuros(amount), payment.PaidOn, payment.Reference)}}).Get(ctx, nil)
	p.pending = append(p.pending, answer)
	return err
}

// settle recomputes the grant from the final statement and settles its money.
func (p *prefectoral) settle(ctx workflow.Context, actual models.Cents) (Result, error) {
	final := models.FinalGrant(p.granted, p.facts.PlannedEligible, actual)
	if err := p.event(ctx, "statement", "system", models.AuditStatementFiled, fmt.Sprintf("actual eligible expenses %s of %s planned: grant %s of %s",
		models.FormatEuros(actual), models.FormatEuros(p.facts.PlannedEligible), models.FormatEuros(final), models.FormatEuros(p.granted))); err != nil {
		return Result{}, err
	}
	if balance := final - p.advancePaid; balance > 0 {
		if err := p.pay(ctx, 1, "balance", balance, models.AuditBalancePaid); err != nil {
			return Result{}, err
		}
	}
	// What was neither paid nor owed goes back to the envelope.
	if err := p.release(ctx, "remainder", p.granted-max(final, p.advancePaid)); err != nil {
		return Result{}, err
	}
	if p.advancePaid > final {
		if err := p.recover(ctx, p.advancePaid-final); err != nil {
			return Result{}, err
		}
	}
	err := p.record(ctx, activities.StatusInput{Status: models.StatusPaid, GrantedCents: &final,
		Audit: activities.Audit{Key: "closed/paid", Actor: "system", Action: string(models.StatusPaid), Detail: "grant of " + models.FormatEuros(final) + " paid"}},
		"Paid: "+models.FormatEuros(final))
	return Result{Status: models.StatusPaid}, err
}

func (p *prefectoral) release(ctx workflow.Context, part string, amount models.Cents) error {
	if amount <= 0 {
		return nil
	}
	return local(ctx, "Release the unspent "+models.FormatEuros(amount), acts.MoveMoney, activities.MoveInput{DossierID: p.id, Move: activities.MoveRelease, Part: part,
		AmountCents: amount, Audit: activities.Audit{Key: "released/" + part, Actor: "system", Action: models.AuditRemainderFreed,
			Detail: fmt.Sprintf("%s released to %s", models.FormatEuros(amount), p.envelope)}}).Get(ctx, nil)
}

// recover has finance recover amount paid too much (ordre de reversement), then gives it
// back to the envelope.
func (p *prefectoral) recover(ctx workflow.Context, amount models.Cents) error {
	task, err := p.tasks.openTask(ctx, taskSpec{task: models.Task{ID: models.TaskID(p.id, models.TaskRecovery, 0), DossierID: p.id,
		Type: models.TaskRecovery, Role: models.RoleFinance, Scope: models.ScopeNational},
		due: p.in.Deadlines.disbursement(), remindBefore: p.in.Deadlines.reminder(), validate: validateRecovery})
	if err != nil {
		return err
	}
	if err := p.record(ctx, activities.StatusInput{Status: models.StatusRecovery,
		Audit: activities.Audit{Key: "recovery", Actor: "system", Action: models.AuditRecoveryOrdered, Detail: models.FormatEuros(amount) + " to recover"}},
		fmt.Sprintf("Waiting for finance to recover %s", models.FormatEuros(amount))); err != nil {
		return err
	}
	req, answer, err := p.tasks.wait(ctx, task)
	if err != nil {
		return err
	}
	var recovered models.RecoveryData
	decodeData(req.Data, &recovered)
	p.pending = append(p.pending, answer)
	return local(ctx, "Recover the advance of "+models.FormatEuros(amount), acts.MoveMoney, activities.MoveInput{DossierID: p.id, Move: activities.MoveRecover, Part: "recovery",
		Reference: recovered.Reference, AmountCents: amount, Audit: activities.Audit{Key: "recovered", Actor: req.Actor.Subject, Action: models.AuditRecovered,
			Detail: fmt.Sprintf("%s recovered on %s, reference %s", models.FormatEuros(amount), recovered.RecoveredOn, recovered.Reference)}}).Get(ctx, nil)
}

func validateRecovery(ctx workflow.Context, payload any) error {
	if r, ok := payload.(*models.RecoveryCompletion); ok {
		return r.Data.Check(workflow.Now(ctx))
	}
	return nil
}

// lapseUnfinished closes a dossier without its final statement in time: the unpaid part
// is released and a paid advance recovered.
func (p *prefectoral) lapseUnfinished(ctx workflow.Context, open []*openTask) (Result, error) {
	if err := p.tasks.cancel(ctx, "no final statement before the deadline", open...); err != nil {
		return Result{}, err
	}
	if err := p.release(ctx, "lapse", p.granted-p.advancePaid); err != nil {
		return Result{}, err
	}
	if p.advancePaid > 0 {
		if err := p.recover(ctx, p.advancePaid); err != nil {
			return Result{}, err
		}
	}
	return p.close(ctx, models.StatusLapsed, "no final statement of expenses before the completion deadline; the grant went back to the envelope", models.AuditLapsed)
}
