package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// ServiceWorkflowName is the registered name of an Axe 1 candidate service's workflow.
const ServiceWorkflowName = "CandidateService"

// ServiceInput starts a candidate service's process.
type ServiceInput struct {
	ServiceID  string
	CampaignID string
	Deadlines  Deadlines
}

// service is the state of one candidate service's process.
type service struct {
	*dossierProcess
	in    ServiceInput
	tasks *taskBoard
	svc   models.CandidateService
	phase models.Phase
	// paid is what its payments have spent of its budget; promised the legal vehicle's
	// funding, decided and not paid yet.
	paid, promised models.Cents
}

// CandidateServiceWorkflow runs a candidate service from its grouping to its publication.
// In the vote it waits for the committee's decision: told by its campaign's signal, or
// found in the database by a daily recheck. A service merged into another, or not
// selected, closes. A selected one is built and deployed through human tasks: ANCT's
// route and milestones (investigation, beta with the référents, deployment), finance's
// payments against its budget, an optional legal study and the funding of its legal
// vehicle, then its delivery, which publishes it and gives the unspent budget back to the
// envelope. Its proposals are told each outcome. The history stays short: a few events a
// day while it waits, a handful per task.
func CandidateServiceWorkflow(ctx workflow.Context, in ServiceInput) (Result, error) {
	ctx = withActivityOptions(ctx)
	s := &service{dossierProcess: newProcess(in.ServiceID), in: in}
	s.status = models.StatusAccepted
	var err error
	if s.tasks, err = newTaskBoard(ctx, s.dossierProcess); err != nil {
		return Result{}, err
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchKind.ValueSet(string(models.KindService))); err != nil {
		return Result{}, err
	}
	// The campaign's phase only changes what the Temporal UI says of the service.
	workflow.Go(ctx, func(ctx workflow.Context) {
		phases := workflow.GetSignalChannel(ctx, SignalCampaignPhase)
		for {
			phases.Receive(ctx, &s.phase)
			s.describe(ctx)
		}
	})
	if err := s.awaitDecision(ctx); err != nil {
		return Result{}, err
	}
	switch s.svc.Status {
	case models.ServiceMerged:
		return s.end(ctx, models.StatusServiceMerged, "merged into service "+s.svc.MergedInto)
	case models.ServiceNotSelected:
		s.tellProposals(ctx)
		return s.end(ctx, models.StatusNotSelected, s.svc.DecisionReason)
	case models.ServiceDelivered: // delivered before it had a process
		s.tellProposals(ctx)
		return s.end(ctx, models.StatusDelivered, "published in the Territoires Store")
	}
	if err := s.stage(ctx, models.StatusSelected); err != nil {
		return Result{}, err
	}
	s.tellProposals(ctx)
	return s.build(ctx)
}

// awaitDecision reads the service in the database until the committee has decided on it
// (or it was merged): at once, on each decision signal, and once a day in case a signal
// was missed. The database, where the decision reserved the budget, is the truth; a
// signal only wakes the workflow early.
func (s *service) awaitDecision(ctx workflow.Context) error {
	decisions := workflow.GetSignalChannel(ctx, SignalServiceDecision)
	wait := s.in.Deadlines.waitingRecheck()
	for {
		if err := local(ctx, "Read the committee's decision", acts.ServiceState, s.in.ServiceID).Get(ctx, &s.svc); err != nil {
			return err
		}
		if s.svc.Status != models.ServiceCandidate {
			return nil
		}
		s.describe(ctx)
		signalled, err := awaitUntil(ctx, wait, "Recheck the committee's decision", func() bool { return decisions.Len() > 0 })
		if err != nil {
			return err
		}
		wait = s.in.Deadlines.waitingRecheck()
		if signalled {
			var o models.ServiceOutcome
			for decisions.ReceiveAsync(&o) {
			}
			// Told before the database shows it: read it again shortly.
			wait = time.Minute
		}
	}
}

// describe says in the Temporal UI where the service stands.
func (s *service) describe(ctx workflow.Context) {
	phase := ""
	if s.phase != "" {
		phase = fmt.Sprintf(" (campaign in %s)", s.phase)
	}
	workflow.SetCurrentDetails(ctx, fmt.Sprintf("Service %s: %s%s", s.svc.Title, s.status, phase))
}

// stage records where the service stands in its workflow and search attributes: the
// database already holds it (the decision, the delivery).
func (s *service) stage(ctx workflow.Context, status models.Status) error {
	s.status = status
	s.describe(ctx)
	return workflow.UpsertTypedSearchAttributes(ctx, SearchStatus.ValueSet(string(status)))
}

func (s *service) end(ctx workflow.Context, status models.Status, reason string) (Result, error) {
	return Result{Status: status, Reason: reason}, s.stage(ctx, status)
}

// tellProposals signals each proposal of the service what became of it. A proposal that
// cannot be told (closed, or its process not started) finds it in its own daily recheck.
func (s *service) tellProposals(ctx workflow.Context) {
	outcome := models.OutcomeOf(s.svc)
	var sent []workflow.Future
	for _, id := range s.svc.ProposalIDs {
		sent = append(sent, workflow.SignalExternalWorkflow(ctx, models.DossierWorkflowID(id), "", SignalServiceOutcome, outcome))
	}
	for i, f := range sent {
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("service: could not tell a proposal", "proposal", s.svc.ProposalIDs[i], "err", err)
		}
	}
}

// left is what the budget has left for a payment or a vehicle's funding.
func (s *service) left() models.Cents { return models.Remaining(s.svc.BudgetCents, s.paid, s.promised) }

// task opens one of build and deploy's tasks, the n-th of its type.
func (s *service) task(ctx workflow.Context, typ models.TaskType, n int, role models.Role, due time.Duration,
	validate func(ctx workflow.Context, payload any) error) (*openTask, error) {
	remind := time.Duration(0)
	if due > 0 {
		remind = s.in.Deadlines.reminder()
	}
	return s.tasks.openTask(ctx, taskSpec{task: models.Task{ID: models.TaskID(s.id, typ, n), DossierID: s.id, Type: typ, Role: role,
		Scope: models.ScopeNational}, due: due, remindBefore: remind, validate: validate})
}

// build runs build and deploy: the route, then the milestones in order, payments at any
// time, the optional legal study and the vehicle's funding, and last the delivery.
func (s *service) build(ctx workflow.Context) (Result, error) {
	routeTask, err := s.task(ctx, models.TaskServiceRoute, 0, models.RoleInstructor, s.in.Deadlines.preselection(),
		func(ctx workflow.Context, payload any) error {
			return payload.(*models.RouteCompletion).Data.Check(workflow.Now(ctx))
		})
	if err != nil {
		return Result{}, err
	}
	req, answer, err := s.tasks.wait(ctx, routeTask)
	if err != nil {
		return Result{}, err
	}
	var route models.RouteData
	decodeData(req.Data, &route)
	if err := local(ctx, "Record the route "+string(route.Route), acts.RecordServiceRoute, activities.ServiceRouteInput{
		ServiceID: s.id, Route: route.Route, Note: route.Note, Actor: req.Actor.Subject}).Get(ctx, nil); err != nil {
		return Result{}, err
	}
	b := &buildRun{service: s, dues: route.Dues(), legalDone: !route.LegalStudy}
	if err := b.openMilestone(ctx); err != nil {
		return Result{}, err
	}
	if err := b.openPayment(ctx); err != nil {
		return Result{}, err
	}
	if route.LegalStudy {
		if err := b.openLegalStudy(ctx); err != nil {
			return Result{}, err
		}
	}
	answer()
	for {
		t, req, answer, err := s.tasks.next(ctx, 0, b.waiting()...)
		if err != nil {
			return Result{}, err
		}
		if done, err := b.act(ctx, t, req); done || err != nil {
			answer()
			return Result{Status: s.status, Reason: "published in the Territoires Store"}, err
		}
		if b.milestone == nil && b.delivery == nil && b.legalDone && b.reached == len(models.ServiceMilestones) {
			if b.delivery, err = s.task(ctx, models.TaskServiceDelivery, 0, models.RoleInstructor, s.in.Deadlines.preselection(), nil); err != nil {
				return Result{}, err
			}
		}
		answer()
	}
}

// buildRun is the open tasks of a service's build and deploy.
type buildRun struct {
	*service
	dues                                         []time.Time
	reached, payments, studies                   int
	legalDone                                    bool
	milestone, payment, legal, vehicle, delivery *openTask
}

func (b *buildRun) waiting() []*openTask {
	var out []*openTask
	for _, t := range []*openTask{b.milestone, b.payment, b.legal, b.vehicle, b.delivery} {
		if t != nil {
			out = append(out, t)
		}
	}
	return out
}

// openMilestone opens the next milestone's task, due on its planned date.
func (b *buildRun) openMilestone(ctx workflow.Context) error {
	due := max(b.dues[b.reached].Sub(workflow.Now(ctx)), time.Second)
	var err error
	b.milestone, err = b.task(ctx, models.ServiceMilestones[b.reached], 0, models.RoleInstructor, due,
		func(ctx workflow.Context, payload any) error {
			return payload.(*models.MilestoneCompletion).Data.Check(workflow.Now(ctx))
		})
	return err
}

// openLegalStudy opens ANCT's next legal study task.
func (b *buildRun) openLegalStudy(ctx workflow.Context) error {
	var err error
	b.legal, err = b.task(ctx, models.TaskServiceLegalStudy, b.studies, models.RoleInstructor, b.in.Deadlines.preselection(),
		func(_ workflow.Context, payload any) error {
			return payload.(*models.LegalStudyCompletion).Data.Check(b.left())
		})
	return err
}

// openPayment opens finance's next payment task while the budget has money left.
func (b *buildRun) openPayment(ctx workflow.Context) error {
	b.payment = nil
	if b.left() <= 0 {
		return nil
	}
	var err error
	b.payment, err = b.task(ctx, models.TaskServicePayment, b.payments, models.RoleFinance, 0,
		func(ctx workflow.Context, payload any) error {
			return payload.(*models.ServicePaymentCompletion).Data.Check(b.left(), workflow.Now(ctx))
		})
	return err
}

// pay records a payment in the ledger; the store refuses one the budget cannot cover.
func (b *buildRun) pay(ctx workflow.Context, part, reference string, amount models.Cents, actor string) error {
	var entry models.LedgerEntry
	err := local(ctx, fmt.Sprintf("Pay %s (%s)", models.FormatEuros(amount), part), acts.PayService, activities.ServicePaymentInput{
		ServiceID: b.id, Part: part, Reference: reference, AmountCents: amount,
		Audit: activities.Audit{Key: "paid/" + part, Actor: actor, Action: models.AuditServicePaid,
			Detail: fmt.Sprintf("%s paid against the budget (%s), reference %s", models.FormatEuros(amount), part, reference)}}).Get(ctx, &entry)
	if err != nil {
		return err
	}
	b.paid += amount
	return nil
}

// act applies a completed task; done is true once the service is delivered.
func (b *buildRun) act(ctx workflow.Context, t *openTask, req CompleteTaskRequest) (done bool, err error) {
	switch t {
	case b.milestone:
		b.milestone = nil
		if b.reached++; b.reached < len(models.ServiceMilestones) {
			return false, b.openMilestone(ctx)
		}
	case b.payment:
		var p models.ServicePaymentData
		decodeData(req.Data, &p)
		if p.AmountCents > b.left() {
			// A legal study promised the money between the check and now: the payment is
			// not recorded, and finance gets a new payment task for what is left.
			workflow.GetLogger(ctx).Warn("service: payment beyond the budget left not recorded", "service", b.id, "amount", p.AmountCents, "left", b.left())
			b.payments++
			return false, b.openPayment(ctx)
		}
		if err := b.pay(ctx, fmt.Sprintf("payment/%d", b.payments), p.Reference, p.AmountCents, req.Actor.Subject); err != nil {
			return false, err
		}
		b.payments++
		return false, b.openPayment(ctx)
	case b.legal:
		b.legal = nil
		var study models.LegalStudyData
		decodeData(req.Data, &study)
		if b.studies++; study.FundingCents > b.left() {
			// A payment accepted at the same time left less than the study funds: it is
			// not recorded, and ANCT gets a new study task for what is left.
			workflow.GetLogger(ctx).Warn("service: vehicle funding beyond the budget left not recorded", "service", b.id, "funding", study.FundingCents, "left", b.left())
			return false, b.openLegalStudy(ctx)
		}
		if err := local(ctx, "Record the legal vehicle", acts.RecordServiceVehicle, activities.ServiceVehicleInput{ServiceID: b.id,
			Study: study, Actor: req.Actor.Subject}).Get(ctx, nil); err != nil {
			return false, err
		}
		b.promised = study.FundingCents
		b.vehicle, err = b.task(ctx, models.TaskServiceVehicle, 0, models.RoleFinance, b.in.Deadlines.disbursement(),
			func(ctx workflow.Context, payload any) error {
				return payload.(*models.VehicleFundingCompletion).Data.Check(workflow.Now(ctx))
			})
		if err == nil && b.payment != nil && b.left() <= 0 {
			err = b.tasks.cancel(ctx, "the budget left is the legal vehicle's funding", b.payment)
			b.payment = nil
		}
		return false, err
	case b.vehicle:
		b.vehicle = nil
		var p models.Payment
		decodeData(req.Data, &p)
		amount := b.promised
		if err := b.pay(ctx, "vehicle", p.Reference, amount, req.Actor.Subject); err != nil {
			return false, err
		}
		b.promised, b.legalDone = 0, true
	case b.delivery:
		var d models.DeliveryData
		decodeData(req.Data, &d)
		if err := local(ctx, "Publish the service", acts.DeliverService, activities.DeliverServiceInput{ServiceID: b.id,
			Actor: req.Actor.Subject, Delivery: d}).Get(ctx, &b.svc); err != nil {
			return false, err
		}
		if b.payment != nil {
			if err := b.tasks.cancel(ctx, "the service is delivered", b.payment); err != nil {
				return false, err
			}
		}
		if err := b.stage(ctx, models.StatusDelivered); err != nil {
			return false, err
		}
		b.tellProposals(ctx)
		return true, nil
	}
	return false, nil
}
