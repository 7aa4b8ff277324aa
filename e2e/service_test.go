package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

// waitWorkflowResult waits for a workflow to end with a result of status want.
func (s *stack) waitWorkflowResult(t testing.TB, workflowID string, want models.Status) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var r workflows.Result
	require.NoError(t, s.Temporal.GetWorkflow(ctx, workflowID, "").Get(ctx, &r))
	require.Equal(t, want, r.Status, r.Reason)
}

// buildAndDeliver runs a selected service's build and deploy through its tasks, as ANCT
// and finance do: the route with a legal study, two payments (one refused beyond the
// budget), the vehicle's funding, the three milestones, then the delivery. The envelope
// ends with the payments paid and the rest of the budget given back, to the cent.
func buildAndDeliver(t *testing.T, s *stack, base, serviceID string, budget models.Cents) {
	instr, finance := s.token(t, instructor), s.token(t, financeOfficer)
	before := envelope(t, s, instr, "axe1.vote")
	today := time.Now().UTC()
	day := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }

	route := openTask(t, s, instr, serviceID, models.TaskServiceRoute)
	_, err := s.client(finance).CompleteTask(context.Background(), route, models.OutcomeRouted, "", nil)
	require.Error(t, err, "the route is ANCT's")
	complete(t, s, instr, route, models.OutcomeRouted, "", map[string]any{"route": models.RouteDeployExisting,
		"note": "Déployer le service existant sous une gouvernance des collectivités", "investigation_due": day(30), "beta_due": day(90),
		"deployment_due": day(180), "legal_study": true}, models.StatusSelected)

	pay := func(amount models.Cents, ref string) error {
		_, err := s.client(finance).CompleteTask(context.Background(), openTask(t, s, finance, serviceID, models.TaskServicePayment),
			models.OutcomePaid, "virement à l'opérateur", map[string]any{"amount_cents": amount, "paid_on": day(0), "reference": ref})
		return err
	}
	require.NoError(t, pay(models.Euros(1_200_000)+33, "VIR-2026-001"))
	complete(t, s, instr, openTask(t, s, instr, serviceID, models.TaskServiceLegalStudy), models.OutcomeStudied,
		"Une SCIC associe collectivités, opérateur et usagers", map[string]any{"vehicle": models.VehicleSCIC, "name": "SCIC Rendez-vous",
			"funding_cents": models.Euros(250_000)}, models.StatusSelected)
	require.Error(t, pay(budget-models.Euros(1_450_000)-33+1, "VIR-2026-002"), "one cent beyond what the budget has left")
	for _, typ := range models.ServiceMilestones {
		complete(t, s, instr, openTask(t, s, instr, serviceID, typ), models.OutcomeReached, "jalon atteint avec les référents",
			map[string]any{"reached_on": day(0)}, models.StatusSelected)
	}
	complete(t, s, finance, openTask(t, s, finance, serviceID, models.TaskServiceVehicle), models.OutcomePaid, "",
		map[string]any{"paid_on": day(0), "reference": "VIR-2026-SCIC"}, models.StatusSelected)

	var build models.ServiceBuild
	r := s.call(t, http.MethodGet, base+"/services/"+serviceID+"/build", finance, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r.decode(t, &build)
	require.Equal(t, models.RouteDeployExisting, build.Route)
	require.Equal(t, models.VehicleSCIC, build.Vehicle)
	require.Len(t, build.Milestones, 3)
	require.Len(t, build.Payments, 2)
	require.Equal(t, models.Euros(1_450_000)+33, build.PaidCents)
	require.Equal(t, budget-models.Euros(1_450_000)-33, build.RemainingCents)

	complete(t, s, instr, openTask(t, s, instr, serviceID, models.TaskServiceDelivery), models.OutcomeDelivered, "",
		map[string]any{"how_to_join": "Signer la convention d'adhésion à la SCIC", "contact": "rdv@territoires.example"}, models.StatusDelivered)
	s.waitWorkflowResult(t, models.ServiceWorkflowID(serviceID), models.StatusDelivered)
	after := envelope(t, s, instr, "axe1.vote")
	require.Equal(t, before.PaidCents+models.Euros(1_450_000)+33, after.PaidCents, "paid to the cent")
	require.Equal(t, before.ReservedCents-budget, after.ReservedCents, "the rest of the budget back to the envelope")
	r = s.call(t, http.MethodGet, base+"/services/"+serviceID+"/build", instr, nil)
	r.decode(t, &build)
	require.Equal(t, budget-models.Euros(1_450_000)-33, build.ReleasedCents)
	require.Empty(t, build.OpenTasks, "the payment task left open is cancelled at delivery")
}
