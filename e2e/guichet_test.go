package e2e

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/relance/relance/models"
)

const (
	sirenParis     = "217500016"
	sirenRennes    = "213502388"
	sirenMarseille = "211300553"
	sirenLyon      = "216901231"
	sirenUnknown   = "123456782" // a well-formed SIREN that no collectivité holds
)

// TestGuichetEndToEnd takes guichet dossiers through the HTTP API on the real stack.
func TestGuichetEndToEnd(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	paris := s.token(t, applicantOf(sirenParis))
	finance := s.token(t, financeOfficer)
	admin := s.token(t, administrator)

	t.Run("apply, funded, paid", func(t *testing.T) {
		before := envelope(t, s, admin, models.EnvelopeGuichet)
		app := models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 1_234_567, Checklist: completeChecklist(models.GuichetFranceConnect)}
		key := idemKey(t)
		r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", paris, app, "Idempotency-Key", key)
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var created models.Dossier
		r.decode(t, &created)
		require.Equal(t, models.Cents(500_000), created.RequestedCents, "min(5,000 €, cost)")

		again := s.call(t, http.MethodPost, "/api/v1/guichet/applications", paris, app, "Idempotency-Key", key)
		require.Equal(t, http.StatusOK, again.Status, "a retried POST returns the same dossier")
		var same models.Dossier
		again.decode(t, &same)
		require.Equal(t, created.ID, same.ID)

		d := s.waitStatus(t, paris, created.ID, models.StatusAwaitingPayment)
		require.Equal(t, models.Cents(500_000), d.GrantedCents)
		require.Equal(t, "Paris", d.ApplicantName)
		require.Len(t, d.Tasks, 1)
		task := d.Tasks[0]
		require.Equal(t, models.TaskDisbursement, task.Type)

		// The administrator finds it in Temporal's visibility by its search attributes.
		require.Eventually(t, func() bool {
			resp, err := s.Temporal.ListWorkflow(context.Background(), visibilityQuery(
				`DossierStatus = "awaiting_payment" AND ApplicantSiren = "`+sirenParis+`" AND PendingTask = "disbursement" AND Departement = "75"`))
			return err == nil && len(resp.Executions) == 1 && resp.Executions[0].Execution.WorkflowId == models.DossierWorkflowID(created.ID)
		}, 10*time.Second, 100*time.Millisecond)

		var inbox struct{ Items []models.Task }
		r = s.call(t, http.MethodGet, "/api/v1/tasks", finance, nil)
		require.Equal(t, http.StatusOK, r.Status)
		r.decode(t, &inbox)
		require.Contains(t, taskIDs(inbox.Items), task.ID)

		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+task.ID+"/complete", paris, map[string]any{"outcome": "paid"})
		require.Equal(t, http.StatusForbidden, r.Status, "an applicant cannot record a payment")
		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+task.ID+"/complete", finance,
			map[string]any{"outcome": "paid", "data": map[string]string{"paid_on": "2021-13-45", "reference": "VIR-1"}})
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, string(r.Body))
		code, fields := r.errorCode(t)
		require.Equal(t, models.EInvalid, code)
		require.Contains(t, fields, "data.paid_on")

		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+task.ID+"/complete", finance,
			map[string]any{"outcome": "paid", "comment": "virement", "data": map[string]string{"paid_on": today(), "reference": "VIR-2021-0042"}})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var done struct {
			Task          models.Task   `json:"task"`
			DossierStatus models.Status `json:"dossier_status"`
		}
		r.decode(t, &done)
		require.Equal(t, models.StatusPaid, done.DossierStatus, "the person sees the new state at once")
		require.Equal(t, models.TaskDone, done.Task.Status)

		r = s.call(t, http.MethodPost, "/api/v1/tasks/"+task.ID+"/complete", finance,
			map[string]any{"outcome": "paid", "data": map[string]string{"paid_on": today(), "reference": "VIR-2021-0042"}})
		require.Equal(t, http.StatusConflict, r.Status, "a task is completed once")

		d = s.waitStatus(t, paris, created.ID, models.StatusPaid)
		require.Len(t, d.Ledger, 2)
		require.Equal(t, models.LedgerPay, d.Ledger[0].Kind)
		require.Equal(t, "VIR-2021-0042", d.Ledger[0].Reference)
		actions := map[string]string{}
		for _, a := range d.Audit {
			actions[a.Action] = a.Actor
		}
		require.Equal(t, applicantOf(sirenParis).Subject, actions["submitted"])
		require.Equal(t, financeOfficer.Subject, actions["payment_recorded"])
		require.Contains(t, actions, "paid")
		require.Contains(t, actions, "funded")

		recordHistory(t, s, created.ID, "guichet_paid.json")
		after := envelope(t, s, admin, models.EnvelopeGuichet)
		require.Equal(t, before.PaidCents+500_000, after.PaidCents, "the ledger shows the money paid")
		require.Equal(t, before.ReservedCents, after.ReservedCents)

		r = s.call(t, http.MethodPost, "/api/v1/guichet/applications", paris, app)
		require.Equal(t, http.StatusCreated, r.Status)
		r.decode(t, &created)
		d = s.waitStatus(t, paris, created.ID, models.StatusRefused)
		require.Contains(t, d.Reason, "already holds its franceconnect funding", "one funded FranceConnect per SIREN")
	})

	t.Run("incomplete, amended, funded", func(t *testing.T) {
		rennes := s.token(t, applicantOf(sirenRennes))
		app := models.GuichetApplication{Kind: models.GuichetAPI, APIName: "api_impot_particulier", ProjectCostCents: 312_345,
			Checklist: completeChecklist(models.GuichetAPI, "homologation_securite", "cadre_juridique")}
		r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", rennes, app)
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var created models.Dossier
		r.decode(t, &created)
		d := s.waitStatus(t, rennes, created.ID, models.StatusIncomplete)
		require.Len(t, d.MissingItems, 2)
		require.NotEmpty(t, d.MissingItems[0].Label, "each failing item comes with its label")

		r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+created.ID+"/checklist", paris, map[string]any{"checklist": completeChecklist(models.GuichetAPI)})
		require.Equal(t, http.StatusForbidden, r.Status, "another collectivité cannot amend it")
		r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+created.ID+"/checklist", rennes, map[string]any{"checklist": map[string]bool{"bogus": true}})
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, string(r.Body))
		_, fields := r.errorCode(t)
		require.Contains(t, fields, "checklist.bogus")

		r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+created.ID+"/checklist", rennes,
			map[string]any{"checklist": completeChecklist(models.GuichetAPI, "cadre_juridique")})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		r.decode(t, &d)
		require.Equal(t, models.StatusIncomplete, d.Status, "still one item missing")
		require.Len(t, d.MissingItems, 1)

		r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+created.ID+"/checklist", rennes,
			map[string]any{"checklist": completeChecklist(models.GuichetAPI)})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		r.decode(t, &d)
		require.Equal(t, models.StatusAwaitingPayment, d.Status)
		require.Equal(t, models.Cents(312_345), d.GrantedCents, "a cost under 5,000 € is funded in full")

		r = s.call(t, http.MethodPost, "/api/v1/dossiers/"+created.ID+"/checklist", rennes,
			map[string]any{"checklist": completeChecklist(models.GuichetAPI)})
		require.Equal(t, http.StatusConflict, r.Status, "a funded dossier is not amended")
		recordHistory(t, s, created.ID, "guichet_amended_awaiting_payment.json")
	})

	t.Run("unknown SIREN refused", func(t *testing.T) {
		stranger := s.token(t, applicantOf(sirenUnknown))
		r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", stranger,
			models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 100_000, Checklist: completeChecklist(models.GuichetFranceConnect)})
		require.Equal(t, http.StatusCreated, r.Status)
		var created models.Dossier
		r.decode(t, &created)
		d := s.waitStatus(t, stranger, created.ID, models.StatusRefused)
		require.Contains(t, d.Reason, "not a collectivité")
		require.Empty(t, d.Ledger, "a refused dossier holds no money")
		recordHistory(t, s, created.ID, "guichet_refused.json")
	})

	t.Run("simultaneous applications fund one per SIREN and kind", func(t *testing.T) {
		lyon := s.token(t, applicantOf(sirenLyon))
		app := models.GuichetApplication{Kind: models.GuichetAPI, APIName: "api_entreprise", ProjectCostCents: 800_000, Checklist: completeChecklist(models.GuichetAPI)}
		const n = 8
		ids := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", lyon, app)
				if r.Status == http.StatusCreated {
					var d models.Dossier
					r.decode(t, &d)
					ids[i] = d.ID
				}
			})
		}
		wg.Wait()
		funded := 0
		for _, id := range ids {
			require.NotEmpty(t, id)
			d := s.waitStatus(t, lyon, id, models.StatusAwaitingPayment, models.StatusRefused)
			if d.Status == models.StatusAwaitingPayment {
				funded++
			}
		}
		require.Equal(t, 1, funded)
	})
}

func visibilityQuery(q string) *workflowservice.ListWorkflowExecutionsRequest {
	return &workflowservice.ListWorkflowExecutionsRequest{Namespace: "default", Query: q}
}

func taskIDs(tasks []models.Task) []string {
	ids := make([]string, len(tasks))
	for i, t := range tasks {
		ids[i] = t.ID
	}
	return ids
}

type envelopeView struct {
	models.Envelope
	AvailableCents models.Cents `json:"available_cents"`
}

func envelope(t testing.TB, s *stack, token, code string) envelopeView {
	t.Helper()
	r := s.call(t, http.MethodGet, "/api/v1/envelopes", token, nil)
	require.Equal(t, http.StatusOK, r.Status)
	var list struct{ Items []envelopeView }
	r.decode(t, &list)
	for _, e := range list.Items {
		if e.Code == code {
			return e
		}
	}
	t.Fatalf("no envelope %s", code)
	return envelopeView{}
}
