package workflows

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

const serviceID = "s1"

// serviceSuite runs a candidate service's workflow over a database stand-in: the service
// as ServiceState reads it, the payments in the ledger, and the signals its proposals got.
type serviceSuite struct {
	*workflowSuite
	svc      models.CandidateService
	checks   int
	payments []activities.ServicePaymentInput
	told     []models.ServiceOutcome
	route    models.ServiceRoute
	vehicle  models.LegalStudyData
}

func newServiceSuite(t *testing.T) *serviceSuite {
	s := &serviceSuite{workflowSuite: newWorkflowSuite(t), svc: models.CandidateService{ID: serviceID, CampaignID: "c1",
		Title: "Prise de rendez-vous", Status: models.ServiceCandidate, ProposalIDs: []string{"p1", "p2"}}}
	s.env.OnActivity(acts.ServiceState, mock.Anything, serviceID).Return(func(context.Context, string) (models.CandidateService, error) {
		s.checks++
		return s.svc, nil
	})
	s.env.OnActivity(acts.RecordServiceRoute, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ServiceRouteInput) error {
		s.route = in.Route
		return nil
	}).Maybe()
	s.env.OnActivity(acts.RecordServiceVehicle, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ServiceVehicleInput) error {
		s.vehicle = in.Study
		return nil
	}).Maybe()
	s.env.OnActivity(acts.PayService, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ServicePaymentInput) (models.LedgerEntry, error) {
		s.payments = append(s.payments, in)
		return models.LedgerEntry{DossierID: in.ServiceID, Kind: models.LedgerPay, AmountCents: in.AmountCents}, nil
	}).Maybe()
	s.env.OnActivity(acts.DeliverService, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.DeliverServiceInput) (models.CandidateService, error) {
		s.svc.Status, s.svc.HowToJoin, s.svc.Contact = models.ServiceDelivered, in.Delivery.HowToJoin, in.Delivery.Contact
		return s.svc, nil
	}).Maybe()
	for _, p := range []string{"p1", "p2"} {
		s.env.OnSignalExternalWorkflow(mock.Anything, models.DossierWorkflowID(p), "", SignalServiceOutcome, mock.Anything).Return(
			func(_, _, _, _ string, arg any) error {
				s.told = append(s.told, arg.(models.ServiceOutcome))
				return nil
			}).Maybe()
	}
	return s
}

func (s *serviceSuite) run() {
	s.env.ExecuteWorkflow(ServiceWorkflowName, ServiceInput{ServiceID: serviceID, CampaignID: "c1"})
}

// decide changes the service in the database after a delay, and signals it when signal is set.
func (s *serviceSuite) decide(after time.Duration, status models.ServiceStatus, budget models.Cents, reason string, signal bool) {
	s.env.RegisterDelayedCallback(func() {
		s.svc.Status, s.svc.BudgetCents, s.svc.DecisionReason = status, budget, reason
		if status == models.ServiceMerged {
			s.svc.MergedInto = "s2"
		}
		if signal {
			s.env.SignalWorkflow(SignalServiceDecision, models.OutcomeOf(s.svc))
		}
	}, after)
}

func (s *serviceSuite) phase(after time.Duration, p models.Phase) {
	s.env.RegisterDelayedCallback(func() { s.env.SignalWorkflow(SignalCampaignPhase, p) }, after)
}

func serviceTask(t models.TaskType, n int) string { return models.TaskID(serviceID, t, n) }

func dateIn(now time.Time, d time.Duration) string { return now.Add(d).UTC().Format(time.DateOnly) }

func TestServiceNotSelected(t *testing.T) {
	s := newServiceSuite(t)
	s.phase(time.Hour, models.PhaseVote)
	s.decide(2*time.Hour, models.ServiceNotSelected, 0, "au-delà du budget de la campagne", true)
	s.run()

	require.Equal(t, Result{Status: models.StatusNotSelected, Reason: "au-delà du budget de la campagne"}, s.result(t))
	require.Equal(t, []models.ServiceOutcome{{Status: models.StatusNotSelected, Reason: "au-delà du budget de la campagne"},
		{Status: models.StatusNotSelected, Reason: "au-delà du budget de la campagne"}}, s.told, "both proposals are told")
	require.Equal(t, 2, s.checks, "read at the start, then on the signal")
}

func TestServiceMerged(t *testing.T) {
	s := newServiceSuite(t)
	s.decide(time.Hour, models.ServiceMerged, 0, "", true)
	s.run()

	require.Equal(t, Result{Status: models.StatusServiceMerged, Reason: "merged into service s2"}, s.result(t))
	require.Empty(t, s.told, "a merged service's proposals follow the service they moved to")
}

func TestServiceDecisionMissedFoundByRecheck(t *testing.T) {
	s := newServiceSuite(t)
	s.decide(36*time.Hour, models.ServiceNotSelected, 0, "non retenu", false)
	s.run()

	require.Equal(t, models.StatusNotSelected, s.result(t).Status)
	require.Equal(t, 3, s.checks, "no signal came: the second daily check found the decision")
	require.Len(t, s.told, 2)
}

func TestServiceSelectedBuiltAndDelivered(t *testing.T) {
	s := newServiceSuite(t)
	now := s.env.Now()
	budget := models.Euros(400_000) + 7
	s.decide(time.Hour, models.ServiceSelected, budget, "premier du vote", true)
	route := models.RouteData{Route: models.RouteIncubator, Note: "Construit à l'Incubateur des Territoires", InvestigationDue: dateIn(now, 30*day),
		BetaDue: dateIn(now, 90*day), DeploymentDue: dateIn(now, 180*day)}
	early := route
	early.BetaDue = route.InvestigationDue
	badRoute := s.complete(2*time.Hour, serviceTask(models.TaskServiceRoute, 0), anctInstructor, models.OutcomeRouted, "", early)
	byFinance := s.complete(150*time.Minute, serviceTask(models.TaskServiceRoute, 0), finance, models.OutcomeRouted, "", route)
	routed := s.complete(3*time.Hour, serviceTask(models.TaskServiceRoute, 0), anctInstructor, models.OutcomeRouted, "", route)
	reached := func(at time.Duration, typ models.TaskType, day time.Duration) *updateOutcome {
		return s.complete(at, serviceTask(typ, 0), anctInstructor, models.OutcomeReached, "jalon atteint",
			models.MilestoneData{ReachedOn: dateIn(now, day)})
	}
	pay := func(at time.Duration, n int, amount models.Cents) *updateOutcome {
		return s.complete(at, serviceTask(models.TaskServicePayment, n), finance, models.OutcomePaid, "virement",
			models.ServicePaymentData{AmountCents: amount, PaidOn: dateIn(now, at), Reference: "VIR-2026"})
	}
	tooEarlyDelivery := s.complete(4*time.Hour, serviceTask(models.TaskServiceDelivery, 0), anctInstructor, models.OutcomeDelivered, "",
		models.DeliveryData{HowToJoin: "Adhérer à la convention", Contact: "rdv@anct.example"})
	first := pay(10*day, 0, models.Euros(150_000))
	overBudget := pay(11*day, 1, budget-models.Euros(150_000)+1)
	reached(20*day, models.TaskServiceInvestigation, 20*day)
	second := pay(60*day, 1, models.Euros(200_000)+3)
	reached(80*day, models.TaskServiceBeta, 80*day)
	reached(170*day, models.TaskServiceDeployment, 170*day)
	delivered := s.complete(171*day, serviceTask(models.TaskServiceDelivery, 0), anctInstructor, models.OutcomeDelivered, "",
		models.DeliveryData{HowToJoin: "Adhérer à la convention de mutualisation", Contact: "rdv@anct.example"})
	s.run()

	require.Equal(t, Result{Status: models.StatusDelivered, Reason: "published in the Territoires Store"}, s.result(t))
	require.Contains(t, rejectedFields(t, badRoute.rejected), "data.beta_due")
	require.Equal(t, models.EForbidden, errorType(byFinance.rejected), "the route is ANCT's")
	require.NoError(t, routed.err)
	require.Equal(t, models.StatusSelected, routed.result.(CompleteTaskResult).Status)
	require.Equal(t, models.EConflict, errorType(tooEarlyDelivery.rejected), "no delivery before the deployment")
	require.NoError(t, first.err)
	require.Contains(t, rejectedFields(t, overBudget.rejected), "data.amount_cents", "one cent over what the budget has left")
	require.NoError(t, second.err)
	require.NoError(t, delivered.err)
	require.Equal(t, models.StatusDelivered, delivered.result.(CompleteTaskResult).Status)
	require.Equal(t, models.RouteIncubator, s.route)
	require.Len(t, s.payments, 2)
	require.Equal(t, "payment/0", s.payments[0].Part)
	require.Equal(t, "payment/1", s.payments[1].Part)
	require.Equal(t, models.Euros(350_000)+3, s.payments[0].AmountCents+s.payments[1].AmountCents)
	require.Equal(t, []models.Status{models.StatusSelected, models.StatusSelected, models.StatusDelivered, models.StatusDelivered},
		[]models.Status{s.told[0].Status, s.told[1].Status, s.told[2].Status, s.told[3].Status})
	for _, a := range s.alerts {
		require.NotEqual(t, serviceTask(models.TaskServiceDeployment, 0), a.taskID, "reached before its due date: %v", a)
	}
}

func TestServiceWithLegalStudyAndVehicle(t *testing.T) {
	s := newServiceSuite(t)
	now := s.env.Now()
	budget := models.Euros(300_000)
	s.decide(time.Hour, models.ServiceSelected, budget, "premier du vote", true)
	route := models.RouteData{Route: models.RouteDeployExisting, Note: "Déployé et gouverné par les collectivités", InvestigationDue: dateIn(now, 10*day),
		BetaDue: dateIn(now, 20*day), DeploymentDue: dateIn(now, 30*day), LegalStudy: true}
	s.complete(2*time.Hour, serviceTask(models.TaskServiceRoute, 0), anctInstructor, models.OutcomeRouted, "", route)
	tooMuch := s.complete(3*time.Hour, serviceTask(models.TaskServiceLegalStudy, 0), anctInstructor, models.OutcomeStudied,
		"étude juridique conclue", models.LegalStudyData{Vehicle: models.VehicleSCIC, Name: "SCIC Rendez-vous", FundingCents: budget + 1})
	s.complete(4*time.Hour, serviceTask(models.TaskServiceLegalStudy, 0), anctInstructor, models.OutcomeStudied,
		"étude juridique conclue", models.LegalStudyData{Vehicle: models.VehicleSCIC, Name: "SCIC Rendez-vous", FundingCents: models.Euros(100_000)})
	overPromised := s.complete(5*time.Hour, serviceTask(models.TaskServicePayment, 0), finance, models.OutcomePaid, "virement",
		models.ServicePaymentData{AmountCents: models.Euros(200_000) + 1, PaidOn: dateIn(now, 0), Reference: "VIR-1"})
	for i, typ := range models.ServiceMilestones {
		s.complete(time.Duration(i+1)*5*day, serviceTask(typ, 0), anctInstructor, models.OutcomeReached, "jalon atteint",
			models.MilestoneData{ReachedOn: dateIn(now, time.Duration(i+1)*5*day)})
	}
	earlyDelivery := s.complete(16*day, serviceTask(models.TaskServiceDelivery, 0), anctInstructor, models.OutcomeDelivered, "",
		models.DeliveryData{HowToJoin: "Adhérer à la SCIC", Contact: "scic@example.org"})
	s.complete(17*day, serviceTask(models.TaskServiceVehicle, 0), finance, models.OutcomePaid, "", models.Payment{PaidOn: dateIn(now, 17*day), Reference: "VIR-SCIC"})
	s.complete(18*day, serviceTask(models.TaskServiceDelivery, 0), anctInstructor, models.OutcomeDelivered, "",
		models.DeliveryData{HowToJoin: "Adhérer à la SCIC", Contact: "scic@example.org"})
	s.run()

	require.Equal(t, models.StatusDelivered, s.result(t).Status)
	require.Contains(t, rejectedFields(t, tooMuch.rejected), "data.funding_cents")
	require.Contains(t, rejectedFields(t, overPromised.rejected), "data.amount_cents", "the vehicle's funding is promised")
	require.Equal(t, models.EConflict, errorType(earlyDelivery.rejected), "the vehicle is funded first")
	require.Equal(t, models.VehicleSCIC, s.vehicle.Vehicle)
	require.Len(t, s.payments, 1)
	require.Equal(t, activities.ServicePaymentInput{ServiceID: serviceID, Part: "vehicle", Reference: "VIR-SCIC", AmountCents: models.Euros(100_000),
		Audit: s.payments[0].Audit}, s.payments[0])
}

// TestServicePaymentAndStudyAtOnce completes a payment and a legal study accepted at the
// same time that the budget cannot both cover: the payment, taken first, is recorded; the
// study is not, and a new one is asked for what is left.
func TestServicePaymentAndStudyAtOnce(t *testing.T) {
	s := newServiceSuite(t)
	now := s.env.Now()
	s.decide(time.Hour, models.ServiceSelected, models.Euros(100_000), "premier du vote", true)
	route := models.RouteData{Route: models.RouteStateService, Note: "Ouvrir un service de l'État aux collectivités", InvestigationDue: dateIn(now, 10*day),
		BetaDue: dateIn(now, 20*day), DeploymentDue: dateIn(now, 30*day), LegalStudy: true}
	s.complete(2*time.Hour, serviceTask(models.TaskServiceRoute, 0), anctInstructor, models.OutcomeRouted, "", route)
	// Both in the same workflow task: each validated before either is acted on.
	paid, studied := &updateOutcome{}, &updateOutcome{}
	send := func(id string, out *updateOutcome, taskID string, actor models.Principal, outcome, comment string, data any) {
		raw, _ := json.Marshal(data)
		s.env.UpdateWorkflow(UpdateCompleteTask, id, &testsuite.TestUpdateCallback{OnAccept: func() {},
			OnReject:   func(err error) { out.rejected, out.done = err, true },
			OnComplete: func(r any, err error) { out.result, out.err, out.done = r, err, true }},
			CompleteTaskRequest{TaskID: taskID, Actor: actor, Outcome: outcome, Comment: comment, Data: raw})
	}
	s.env.RegisterDelayedCallback(func() {
		send("pay", paid, serviceTask(models.TaskServicePayment, 0), finance, models.OutcomePaid, "virement",
			models.ServicePaymentData{AmountCents: models.Euros(60_000), PaidOn: dateIn(now, 0), Reference: "VIR-1"})
		send("study", studied, serviceTask(models.TaskServiceLegalStudy, 0), anctInstructor, models.OutcomeStudied, "étude juridique conclue",
			models.LegalStudyData{Vehicle: models.VehicleGIP, Name: "GIP Services", FundingCents: models.Euros(50_000)})
	}, 3*time.Hour)
	again := s.complete(4*time.Hour, serviceTask(models.TaskServiceLegalStudy, 1), anctInstructor, models.OutcomeStudied,
		"étude juridique revue", models.LegalStudyData{Vehicle: models.VehicleGIP, Name: "GIP Services", FundingCents: models.Euros(40_000)})
	s.env.RegisterDelayedCallback(func() { s.env.CancelWorkflow() }, 5*time.Hour)
	s.run()

	require.NoError(t, paid.err)
	require.NoError(t, studied.rejected, "accepted before the payment was recorded")
	require.NoError(t, studied.err, "then found beyond what is left")
	require.True(t, studied.done)
	require.NoError(t, again.err)
	require.Len(t, s.payments, 1)
	require.Equal(t, models.Euros(40_000), s.vehicle.FundingCents, "only the second study is recorded")
}
