package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestServicePaymentsNeverExceedTheBudget pays a selected service's budget from many
// goroutines at once, each payment its own part: the payments that pass add up to the
// budget at most, to the cent, on the service, the ledger and the envelope; delivery
// gives what is left back to the envelope.
func TestServicePaymentsNeverExceedTheBudget(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		c, err := st.CreateCampaign(ctx, testCampaign("c1", "axe1.2021", models.Euros(1_000_000), time.Now().Add(time.Hour)))
		require.NoError(t, err)
		newProposal(t, st, "c1", "p1", "217500016", models.StatusAccepted)
		newProposal(t, st, "c1", "p2", "217500016", models.StatusAccepted)
		_, err = st.CreateService(ctx, newService("s1", "p1"))
		require.NoError(t, err)
		_, err = st.CreateService(ctx, newService("s2", "p2"))
		require.NoError(t, err)
		ref, err := st.Dossier(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, models.KindService, ref.Kind, "the service's reference row")
		require.Equal(t, models.StatusAccepted, ref.Status)

		_, err = st.PayService(ctx, "s1", "payment/0", "REF-0", 100)
		require.Equal(t, models.ENotFound, models.ErrorCode(err), "no budget before the decision: %v", err)
		budget := models.Euros(100_000) + 7 // 100 000,07 €
		require.NoError(t, st.RecordDecision(ctx, c, models.CommitteeDecision{Services: []models.ServiceDecision{
			{ServiceID: "s1", Selected: true, BudgetCents: budget, Reason: "premier du vote"},
			{ServiceID: "s2", Reason: "hors budget"}}}, "chair"))
		ref, err = st.Dossier(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, models.StatusSelected, ref.Status, "the reference row follows the service")
		_, err = st.PayService(ctx, "s2", "payment/0", "REF-0", 100)
		require.Error(t, err, "a service not selected has no budget")

		// 30 payments of 4 000,01 € race for 100 000,07 €: 25 fit (100 000,25 € would not).
		amount := models.Euros(4_000) + 1
		var wg sync.WaitGroup
		var mu sync.Mutex
		paid, refused := 0, 0
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := st.PayService(ctx, "s1", fmt.Sprintf("payment/%d", i), fmt.Sprintf("REF-%d", i), amount)
				mu.Lock()
				defer mu.Unlock()
				switch models.ErrorCode(err) {
				case "":
					paid++
				case models.EConflict:
					refused++
				default:
					t.Errorf("payment %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		require.Equal(t, 24, paid, "24 × 4 000,01 € = 96 000,24 €; a 25th would pass 100 000,07 €")
		require.Equal(t, 6, refused)
		again, err := st.PayService(ctx, "s1", "payment/0", "REF-0", amount)
		if err == nil {
			require.Equal(t, amount, again.AmountCents, "paying a part again returns its entry")
		}
		b, err := st.ServiceBuild(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, 24*amount, b.PaidCents)
		require.Equal(t, budget-24*amount, b.RemainingCents, "3 999,83 € left, to the cent")
		require.Len(t, b.Payments, 24)
		env, err := st.Envelope(ctx, "axe1.2021")
		require.NoError(t, err)
		require.Equal(t, 24*amount, env.PaidCents)
		require.Equal(t, budget-24*amount, env.ReservedCents)

		_, err = st.PayService(ctx, "s1", "payment/99", "REF-99", budget-24*amount+1)
		require.Equal(t, models.EConflict, models.ErrorCode(err), "one cent over what is left")
		_, err = st.PayService(ctx, "s1", "payment/99", "REF-99", budget-24*amount)
		require.NoError(t, err, "exactly what is left")

		d, err := st.DeliverService(ctx, "s1", "instr", models.DeliveryData{HowToJoin: "Écrire à l’équipe du service", Contact: "equipe@example.org"})
		require.NoError(t, err)
		require.Equal(t, models.ServiceDelivered, d.Status)
		require.Equal(t, "equipe@example.org", d.Contact)
		env, err = st.Envelope(ctx, "axe1.2021")
		require.NoError(t, err)
		require.Equal(t, budget, env.PaidCents, "the whole budget paid, to the cent")
		require.Zero(t, env.ReservedCents)
		_, err = st.PayService(ctx, "s1", "payment/100", "REF-100", 1)
		require.Equal(t, models.EConflict, models.ErrorCode(err), "a delivered service is paid no more")
	})
}

// TestServiceDeliveryReleasesTheUnspentBudget delivers a service that spent part of its
// budget, with its legal vehicle: the rest goes back to the envelope, once.
func TestServiceDeliveryReleasesTheUnspentBudget(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		c, err := st.CreateCampaign(ctx, testCampaign("c1", "axe1.2021", models.Euros(1_000_000), time.Now().Add(time.Hour)))
		require.NoError(t, err)
		newProposal(t, st, "c1", "p1", "217500016", models.StatusAccepted)
		_, err = st.CreateService(ctx, newService("s1", "p1"))
		require.NoError(t, err)
		require.NoError(t, st.RecordDecision(ctx, c, models.CommitteeDecision{Services: []models.ServiceDecision{
			{ServiceID: "s1", Selected: true, BudgetCents: models.Euros(300_000), Reason: "premier du vote"}}}, "chair"))
		require.NoError(t, st.SetServiceRoute(ctx, "s1", models.RouteIncubator, "Incubé à l'Incubateur des Territoires", "instr"))
		study := models.LegalStudyData{Vehicle: models.VehicleSCIC, Name: "SCIC Rendez-vous", FundingCents: models.Euros(50_000)}
		require.Equal(t, models.EInvalid, models.ErrorCode(st.SetServiceVehicle(ctx, "s1",
			models.LegalStudyData{Vehicle: models.VehicleGIP, Name: "GIP", FundingCents: models.Euros(300_000) + 1}, "instr")))
		require.NoError(t, st.SetServiceVehicle(ctx, "s1", study, "instr"))
		_, err = st.PayService(ctx, "s1", "vehicle", "VIR-1", models.Euros(50_000))
		require.NoError(t, err)
		_, err = st.PayService(ctx, "s1", "payment/0", "VIR-2", models.Euros(120_000)+33)
		require.NoError(t, err)
		for range 2 {
			_, err = st.DeliverService(ctx, "s1", "instr", models.DeliveryData{HowToJoin: "Adhérer à la SCIC", Contact: "scic@example.org"})
			require.NoError(t, err, "delivering again changes nothing")
		}
		b, err := st.ServiceBuild(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, models.RouteIncubator, b.Route)
		require.Equal(t, models.VehicleSCIC, b.Vehicle)
		require.Equal(t, models.Euros(170_000)+33, b.PaidCents)
		require.Equal(t, models.Euros(130_000)-33, b.ReleasedCents, "129 999,67 € back, to the cent")
		env, err := st.Envelope(ctx, "axe1.2021")
		require.NoError(t, err)
		require.Zero(t, env.ReservedCents)
		require.Equal(t, models.Euros(170_000)+33, env.PaidCents)
		ref, err := st.Dossier(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, models.StatusDelivered, ref.Status)
	})
}

// TestServiceTasksInTheInbox checks that a service's tasks, whose dossier is the service's
// reference row, reach the inboxes of ANCT and finance by the inbox's usual read path, and
// by its kind filter, and nobody else's.
func TestServiceTasksInTheInbox(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		_, err := st.CreateCampaign(ctx, testCampaign("c1", "axe1.2021", models.Euros(1_000_000), time.Now().Add(time.Hour)))
		require.NoError(t, err)
		newProposal(t, st, "c1", "p1", "217500016", models.StatusAccepted)
		_, err = st.CreateService(ctx, newService("s1", "p1"))
		require.NoError(t, err)
		route := models.Task{ID: models.TaskID("s1", models.TaskServiceRoute, 0), DossierID: "s1", Type: models.TaskServiceRoute,
			Role: models.RoleInstructor, Scope: models.ScopeNational}
		payment := models.Task{ID: models.TaskID("s1", models.TaskServicePayment, 0), DossierID: "s1", Type: models.TaskServicePayment,
			Role: models.RoleFinance, Scope: models.ScopeNational}
		require.NoError(t, st.CreateTask(ctx, route))
		require.NoError(t, st.CreateTask(ctx, payment))
		ids := func(p models.Principal, f TaskFilter) []string {
			f.Limit = 10
			tasks, err := st.Inbox(ctx, p, f)
			require.NoError(t, err)
			out := []string{}
			for _, task := range tasks {
				out = append(out, task.ID)
			}
			return out
		}
		anct := models.Principal{Subject: "instr", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}}
		finance := models.Principal{Subject: "fin", Roles: []models.Role{models.RoleFinance}}
		local := models.Principal{Subject: "i35", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}}
		require.Equal(t, []string{route.ID}, ids(anct, TaskFilter{}))
		require.Equal(t, []string{route.ID}, ids(anct, TaskFilter{ByDue: true}))
		require.Equal(t, []string{route.ID}, ids(anct, TaskFilter{DossierKind: string(models.KindService)}))
		require.Empty(t, ids(anct, TaskFilter{DossierKind: string(models.KindCoConstruction)}))
		require.Equal(t, []string{payment.ID}, ids(finance, TaskFilter{}))
		require.Empty(t, ids(local, TaskFilter{}), "a département's instructor does not act for ANCT")
	})
}

// TestServicesRecordedBeforeGetAReferenceRow checks that migration 00020 gives each
// service recorded before it a reference row: the open ones wait for the reconciler to
// start their process, the closed ones have nothing left to run.
func TestServicesRecordedBeforeGetAReferenceRow(t *testing.T) {
	ctx := context.Background()
	for name, url := range emptyStores(t) {
		t.Run(name, func(t *testing.T) {
			st := openEmpty(t, url)
			migrateUpToBefore(t, st, "service_builds")
			require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
			_, err := st.CreateCampaign(ctx, testCampaign("c1", "axe1.2021", models.Euros(1_000_000), time.Now().Add(time.Hour)))
			require.NoError(t, err)
			past := time.Now().UTC().Add(-time.Hour)
			for id, status := range map[string]string{"s1": "candidate", "s2": "merged", "s3": "selected", "s4": "not_selected"} {
				require.NoError(t, st.db.Exec(`INSERT INTO candidate_services (id, campaign_id, title, description, status, created_by, created_at, updated_at)
					VALUES (?, 'c1', 'Service', 'Un service candidat.', ?, 'instr', ?, ?)`, id, status, past, past).Error)
			}

			require.NoError(t, st.Migrate(ctx))
			for id, want := range map[string]models.Status{"s1": models.StatusAccepted, "s2": models.StatusServiceMerged,
				"s3": models.StatusSelected, "s4": models.StatusNotSelected} {
				d, err := st.Dossier(ctx, id)
				require.NoError(t, err, id)
				require.Equal(t, models.KindService, d.Kind)
				require.Equal(t, want, d.Status, id)
				require.Equal(t, "axe1.2021", d.EnvelopeCode)
				require.Equal(t, "c1", d.CallID)
			}
			todo, err := st.UnstartedDossiers(ctx, time.Now(), 10)
			require.NoError(t, err)
			var ids []string
			for _, d := range todo {
				ids = append(ids, d.ID)
			}
			require.ElementsMatch(t, []string{"s1", "s3"}, ids, "the reconciler starts the open services' processes")
		})
	}
}
