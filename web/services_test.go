package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/relance/relance/models"
	"github.com/relance/relance/workflows"
)

var finance = models.Principal{Subject: "finances", Name: "Agent comptable", Roles: []models.Role{models.RoleFinance}}

// recordingTemporal accepts every Workflow Update and keeps the last one: what a task's
// form sends the service's workflow.
type recordingTemporal struct {
	unreachableTemporal
	workflowID string
	request    workflows.CompleteTaskRequest
}

func (r *recordingTemporal) UpdateWorkflow(_ context.Context, o client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	r.workflowID, r.request = o.WorkflowID, o.Args[0].(workflows.CompleteTaskRequest)
	return acceptedUpdate{}, nil
}

type acceptedUpdate struct{ client.WorkflowUpdateHandle }

func (acceptedUpdate) Get(context.Context, any) error { return nil }

// selectedService is a campaign in its build phase whose first service the committee selected with a budget of 400 000 €.
func selectedService(t *testing.T, w *workspace) campaignFixture {
	t.Helper()
	f := seedCampaign(t, w, -35)
	require.NoError(t, w.store.RecordDecision(context.Background(), f.campaign, models.CommitteeDecision{Services: []models.ServiceDecision{
		{ServiceID: f.services[0], Selected: true, BudgetCents: models.Euros(400_000), Reason: "Un besoin partagé."},
		{ServiceID: f.services[1], Reason: "Des solutions existent déjà."}}}, "comite.anct"))
	return f
}

func serviceTask(t *testing.T, w *workspace, sid string, typ models.TaskType, role models.Role) string {
	t.Helper()
	due := time.Now().Add(30 * 24 * time.Hour)
	task := models.Task{ID: models.TaskID(sid, typ, 0), DossierID: sid, Type: typ, Role: role, Scope: models.ScopeNational,
		Status: models.TaskOpen, DueAt: &due, CreatedAt: time.Now()}
	require.NoError(t, w.store.CreateTask(context.Background(), task))
	return task.ID
}

// TestServiceTaskFormsSendTheirCompletions fills each build and deploy task's form: a
// wrong one comes back with the French of each rule next to its field and what was typed
// kept; a right one sends the service's workflow the completion the API would.
func TestServiceTaskFormsSendTheirCompletions(t *testing.T) {
	w := newWorkspace(t)
	rec := &recordingTemporal{}
	w.api.Filing.Temporal = rec // the application layer sends the task's Update
	sid := selectedService(t, w).services[0]
	day := func(days int) string { return time.Now().AddDate(0, 0, days).Format(time.DateOnly) }
	cases := []struct {
		typ      models.TaskType
		who      models.Principal
		label    string
		wrong    url.Values
		errors   map[string]string
		kept     string
		right    url.Values
		outcome  string
		wantData string
	}{
		{models.TaskServiceRoute, anct, "Voie de construction et de déploiement",
			url.Values{"note": {"court"}, "investigation_due": {day(10)}, "deployment_due": {"demain"}, "legal_study": {"true"}},
			map[string]string{"route": "Choisissez une valeur de la liste.", "note": "Au moins 10 caractères.", "beta_due": "Ce champ est obligatoire.",
				"deployment_due": "Une date au format AAAA-MM-JJ."},
			`id="legal_study" name="legal_study" value="true" checked`,
			url.Values{"route": {"incubator"}, "note": {"Aucun service existant ne répond au besoin."}, "investigation_due": {day(10)},
				"beta_due": {day(40)}, "deployment_due": {day(90)}, "legal_study": {"true"}},
			"routed", `{"route":"incubator","note":"Aucun service existant ne répond au besoin.","investigation_due":"` + day(10) +
				`","beta_due":"` + day(40) + `","deployment_due":"` + day(90) + `","legal_study":true}`},
		{models.TaskServiceInvestigation, anct, "Jalon : l'investigation",
			url.Values{"reached_on": {""}, "comment": {"ok"}},
			map[string]string{"reached_on": "Ce champ est obligatoire.", "comment": "Au moins 3 caractères."}, `>ok</textarea>`,
			url.Values{"reached_on": {day(-1)}, "comment": {"Entretiens menés dans dix communes."}},
			"reached", `{"reached_on":"` + day(-1) + `"}`},
		{models.TaskServiceBeta, anct, "Jalon : la bêta avec les territoires référents",
			url.Values{"reached_on": {"hier"}, "comment": {"Bêta ouverte."}},
			map[string]string{"reached_on": "Une date au format AAAA-MM-JJ."}, `value="hier"`,
			url.Values{"reached_on": {day(0)}, "comment": {"Bêta ouverte à Rennes."}},
			"reached", `{"reached_on":"` + day(0) + `"}`},
		{models.TaskServiceDeployment, anct, "Jalon : le déploiement",
			url.Values{"comment": {"Déployé."}}, map[string]string{"reached_on": "Ce champ est obligatoire."}, `>Déployé.</textarea>`,
			url.Values{"reached_on": {day(0)}, "comment": {"Déployé partout."}},
			"reached", `{"reached_on":"` + day(0) + `"}`},
		{models.TaskServicePayment, finance, "Paiement imputé sur le budget du service",
			url.Values{"amount": {"douze"}, "paid_on": {day(0)}, "reference": {"CH"}, "comment": {"Première tranche."}},
			map[string]string{"amount": "Un montant en euros, par exemple 12000 ou 12 500,50.", "reference": "Au moins 3 caractères."}, `value="douze"`,
			url.Values{"amount": {"12 500,50"}, "paid_on": {day(0)}, "reference": {"CHORUS-42"}, "comment": {"Première tranche."}},
			"paid", `{"amount_cents":1250050,"paid_on":"` + day(0) + `","reference":"CHORUS-42"}`},
		{models.TaskServiceLegalStudy, anct, "Structure qui portera le service",
			url.Values{"vehicle_name": {"GI"}, "funding": {"-3"}, "comment": {"Une SCIC associe les communes."}},
			map[string]string{"vehicle": "Choisissez une valeur de la liste.", "vehicle_name": "Au moins 3 caractères.",
				"funding": "Un montant en euros, par exemple 12000 ou 12 500,50."}, `value="GI"`,
			url.Values{"vehicle": {"scic"}, "vehicle_name": {"SCIC Services des Territoires"}, "funding": {"50000"}, "comment": {"Une SCIC associe les communes."}},
			"studied", `{"vehicle":"scic","name":"SCIC Services des Territoires","funding_cents":5000000}`},
		{models.TaskServiceVehicle, finance, "Paiement du financement de la structure juridique",
			url.Values{"paid_on": {""}, "reference": {"VIR-1"}}, map[string]string{"paid_on": "Ce champ est obligatoire."}, `value="VIR-1"`,
			url.Values{"paid_on": {day(0)}, "reference": {"VIR-2026-1"}},
			"paid", `{"paid_on":"` + day(0) + `","reference":"VIR-2026-1"}`},
		{models.TaskServiceDelivery, anct, "publie le service dans le Territoires Store",
			url.Values{"how_to_join": {"Écrire."}, "contact": {""}},
			map[string]string{"how_to_join": "Au moins 10 caractères.", "contact": "Ce champ ne peut pas rester vide."}, `value="Écrire."`,
			url.Values{"how_to_join": {"Écrire à l'ANCT, qui ouvre un compte."}, "contact": {"store@anct.gouv.fr"}},
			"delivered", `{"how_to_join":"Écrire à l'ANCT, qui ouvre un compte.","contact":"store@anct.gouv.fr"}`},
	}
	for _, tc := range cases {
		t.Run(string(tc.typ), func(t *testing.T) {
			id := serviceTask(t, w, sid, tc.typ, tc.who.Roles[0])
			csrf := w.signInAs(t, tc.who)
			status, page, _ := w.get(t, "/taches/"+id)
			require.Equal(t, http.StatusOK, status)
			require.Contains(t, page, tc.label)
			require.Contains(t, page, "Service candidat (Axe 1) — Service — Prise de rendez-vous en mairie</a>", "the service the task builds")
			if slices.Contains(models.ServiceMilestones, tc.typ) {
				task, err := w.store.Task(context.Background(), id)
				require.NoError(t, err)
				require.Contains(t, page, "à atteindre au plus tard le "+task.DueAt.UTC().Format("02/01/2006"), "the day the milestone is due")
			}
			if tc.typ == models.TaskServicePayment || tc.typ == models.TaskServiceLegalStudy {
				require.Contains(t, page, `<strong id="reste">400 000,00 €</strong>`, "what the budget has left")
			}
			require.Contains(t, page, html.EscapeString(label(taskLabels, tc.typ)), "the task's type in French")
			require.Contains(t, page, ">"+html.EscapeString(label(outcomeLabels, tc.outcome))+"</label>", "the outcome in French")

			tc.wrong.Set("_csrf", csrf)
			tc.wrong.Set("outcome", tc.outcome)
			status, page, _ = w.post(t, "/taches/"+id, tc.wrong)
			require.Equal(t, http.StatusUnprocessableEntity, status, page)
			for field, msg := range tc.errors {
				require.Regexp(t, `id="`+field+`-error">(<p class="fr-message fr-message--error">)?`+html.EscapeString(msg), page, field)
			}
			require.Contains(t, page, tc.kept, "what was typed is kept")
			require.Empty(t, rec.workflowID, "a wrong form reaches no workflow")

			tc.right.Set("_csrf", csrf)
			tc.right.Set("outcome", tc.outcome)
			status, page, h := w.post(t, "/taches/"+id, tc.right)
			require.Equal(t, http.StatusSeeOther, status, page)
			require.Equal(t, "/dossiers/"+sid+"?info=tache-terminee", h.Get("Location"))
			require.Equal(t, models.ServiceWorkflowID(sid), rec.workflowID, "the service's workflow, not a dossier's")
			require.Equal(t, id, rec.request.TaskID)
			require.Equal(t, tc.outcome, rec.request.Outcome)
			require.JSONEq(t, tc.wantData, string(rec.request.Data))
			rec.workflowID = ""
		})
	}
}

// TestServiceFormsSayTheWorkflowsRulesInFrench checks the French of the rules the service's
// workflow applies with its context (today, the budget left).
func TestServiceFormsSayTheWorkflowsRulesInFrench(t *testing.T) {
	for msg, fr := range map[string]string{
		"must come after data.investigation_due": "Après l'échéance de l'investigation.",
		"must come after data.beta_due":          "Après l'échéance de la bêta.",
		"must not be in the past":                "Une date à venir.",
		"must not be in the future":              "Cette date ne peut pas être dans le futur.",
		"must be at most the " + models.FormatEuros(models.Euros(1_000)+1) + " the service's budget has left": "Au plus ce qu'il reste du budget du service : " +
			models.FormatEuros(models.Euros(1_000)+1) + ".",
	} {
		require.Equal(t, fr, fieldMessageFR(msg))
	}
}

// TestServicePageShowsItsBuild follows a selected service's build on its page, as ANCT and
// finance see it, from the campaign's page: route, milestones, payments and the budget
// left to the cent, the legal vehicle, the open tasks; then the Territoires Store shows it
// once delivered, with its référents and how to join it.
func TestServicePageShowsItsBuild(t *testing.T) {
	w := newWorkspace(t)
	ctx := context.Background()
	f := selectedService(t, w)
	sid := f.services[0]
	require.NoError(t, w.store.SetServiceRoute(ctx, sid, models.RouteIncubator, "Aucun service existant ne répond au besoin.", "anct"))
	require.NoError(t, w.store.SetServiceVehicle(ctx, sid, models.LegalStudyData{Vehicle: models.VehicleSCIC, Name: "SCIC des Territoires",
		FundingCents: models.Euros(50_000)}, "anct"))
	_, err := w.store.PayService(ctx, sid, "payment/1", "CHORUS-1", models.Euros(12_500)+50)
	require.NoError(t, err)
	_, err = w.store.PayService(ctx, sid, "vehicle", "VIR-1", models.Euros(50_000))
	require.NoError(t, err)
	reached := time.Now().Add(-48 * time.Hour)
	done := models.Task{ID: models.TaskID(sid, models.TaskServiceInvestigation, 0), DossierID: sid, Type: models.TaskServiceInvestigation,
		Role: models.RoleInstructor, Scope: models.ScopeNational, Status: models.TaskOpen, DueAt: &reached, CreatedAt: time.Now()}
	require.NoError(t, w.store.CreateTask(ctx, done))
	require.NoError(t, w.store.CloseTask(ctx, done.ID, "anct", models.OutcomeReached, "Entretiens menés.", json.RawMessage(`{"reached_on":"2026-03-02"}`)))
	beta := serviceTask(t, w, sid, models.TaskServiceBeta, models.RoleInstructor)

	// The campaign's page leads ANCT to it; not a collectivité.
	w.signIn(t, applicant)
	_, page, _ := w.get(t, "/campagnes/"+f.campaign.ID)
	require.NotContains(t, page, `id="construction-`+sid+`"`)
	w.signIn(t, anct)
	_, page, _ = w.get(t, "/campagnes/"+f.campaign.ID)
	require.Contains(t, page, `<a href="/dossiers/`+sid+`" id="construction-`+sid+`">`)
	require.NotContains(t, page, `id="construction-`+f.services[1]+`"`, "a service not selected has no build")

	status, page, _ := w.get(t, "/dossiers/"+sid)
	require.Equal(t, http.StatusOK, status, page)
	page = html.UnescapeString(page)
	require.Contains(t, page, "<h1>Service candidat (Axe 1) — Service — Prise de rendez-vous en mairie</h1>")
	require.Contains(t, page, "Service — Prise de rendez-vous en mairie")
	require.Contains(t, page, "Sélectionné — Un besoin partagé.")
	require.Contains(t, page, "Prise de rendez-vous en mairie</a> (Ville de Rennes)", "the proposals it groups")
	require.Contains(t, page, "Construction d'un nouveau service à l'Incubateur des Territoires — Aucun service existant ne répond au besoin.")
	require.Contains(t, page, "Société coopérative d'intérêt collectif (SCIC) : SCIC des Territoires, financement 50 000,00 €")
	require.Contains(t, page, `id="paye">62 500,50 €`)
	require.Contains(t, page, `id="reste">337 499,50 €`, "400 000 € − 62 500,50 €, to the cent")
	require.Contains(t, page, "Jalon : investigation — échéance le "+reached.UTC().Format("02/01/2006")+" — atteint le 02/03/2026")
	require.Contains(t, page, "Jalon : bêta avec les territoires référents — échéance")
	require.Contains(t, page, "CHORUS-1")
	require.Contains(t, page, `href="/taches/`+beta+`"`, "the open tasks")
	require.NotContains(t, page, "Montant demandé")

	w.signInAs(t, finance)
	status, page, _ = w.get(t, "/dossiers/"+sid)
	require.Equal(t, http.StatusOK, status, page)
	require.Contains(t, page, `id="reste"`, "finance follows the budget")
	vehicle := serviceTask(t, w, sid, models.TaskServiceVehicle, models.RoleFinance)
	_, page, _ = w.get(t, "/taches/"+vehicle)
	require.Contains(t, html.UnescapeString(page), `<strong id="financement">50 000,00 €</strong> à SCIC des Territoires (Société coopérative d'intérêt collectif (SCIC))`,
		"finance pays the funding the study set")

	require.NoError(t, w.store.ExpressInterest(ctx, f.campaign.ID, models.Interest{ServiceID: sid, Siren: "213502388", Contact: "dsi@rennes.fr",
		UseCase: "Les rendez-vous de l'état civil.", CastBy: "agent.rennes"}))
	require.NoError(t, w.store.ConfirmReferent(ctx, f.campaign.ID, sid, "213502388", "anct", 1))
	_, err = w.store.DeliverService(ctx, sid, "anct", models.DeliveryData{HowToJoin: "Écrire à l'ANCT, qui ouvre un compte.", Contact: "store@anct.gouv.fr"})
	require.NoError(t, err)
	_, page, _ = w.get(t, "/territoires-store")
	page = html.UnescapeString(page)
	require.Contains(t, page, "<dd>Construction d'un nouveau service à l'Incubateur des Territoires</dd>")
	require.Contains(t, page, "<dt class=\"fr-text--bold\">Territoires référents</dt><dd>Ville de Rennes</dd>")
	require.Contains(t, page, "<dd>Écrire à l'ANCT, qui ouvre un compte.</dd>")
	require.Contains(t, page, "<dd>store@anct.gouv.fr</dd>")
	require.NotContains(t, page, "contactez l'ANCT")
}

// TestServiceHistoryInFrench: a candidate service's page shows its trail in French, the
// details the store and the workflows stored in English read at display time.
func TestServiceHistoryInFrench(t *testing.T) {
	w := newWorkspace(t)
	ctx := context.Background()
	f := seedCampaign(t, w, -35)
	sid := f.services[0]
	_, err := w.store.SetServiceCost(ctx, f.campaign.ID, sid, models.Euros(350_000), "deux devis de l'incubateur", "anct")
	require.NoError(t, err)
	require.NoError(t, w.store.RecordDecision(ctx, f.campaign, models.CommitteeDecision{Services: []models.ServiceDecision{
		{ServiceID: sid, Selected: true, BudgetCents: models.Euros(400_000), Reason: "Un besoin partagé."},
		{ServiceID: f.services[1], Reason: "Des solutions existent déjà."}}}, "comite.anct"))
	require.NoError(t, w.store.SetServiceRoute(ctx, sid, models.RouteIncubator, "Aucun service existant ne répond au besoin.", anct.Subject))
	require.NoError(t, w.store.SetServiceVehicle(ctx, sid, models.LegalStudyData{Vehicle: models.VehicleSCIC, Name: "SCIC Services des Territoires",
		FundingCents: models.Euros(50_000)}, anct.Subject))
	for key, e := range map[string]models.AuditEvent{ // as the service's workflow writes them
		"opened":  {Action: models.AuditTaskOpened, Actor: "system", Detail: "service_route task for the instructor role, due 2026-05-03"},
		"claimed": {Action: models.AuditTaskClaimed, Actor: anct.Subject, Detail: "claimed by " + anct.Subject},
		"done":    {Action: models.AuditTaskCompleted, Actor: anct.Subject, Detail: "service_route: routed Aucun service existant ne répond au besoin."},
		"paid":    {Action: models.AuditServicePaid, Actor: finance.Subject, Detail: "12 500,50 € paid against the budget (payment/0), reference CHORUS-42"},
	} {
		e.DossierID = sid
		require.NoError(t, w.store.Audit(ctx, sid+"/"+key, e))
	}
	_, err = w.store.DeliverService(ctx, sid, anct.Subject, models.DeliveryData{HowToJoin: "Écrire à l'ANCT.", Contact: "store@anct.gouv.fr"})
	require.NoError(t, err)

	w.signIn(t, anct)
	status, page, _ := w.get(t, "/dossiers/"+sid)
	require.Equal(t, http.StatusOK, status)
	page = html.UnescapeString(page)
	history := page[strings.Index(page, `id="historique"`):]
	history = history[:strings.Index(history, "</ol>")]
	for _, want := range []string{
		"Service candidat créé — « Service — Prise de rendez-vous en mairie », coût estimé à 300 000,00 €",
		"Coût estimé — estimé à 350 000,00 € — deux devis de l'incubateur",
		"comite.anct : Service sélectionné — avec un budget de 400 000,00 € — Un besoin partagé.",
		"Voie choisie — Construction d'un nouveau service à l'Incubateur des Territoires — Aucun service existant ne répond au besoin.",
		"Structure porteuse financée — Société coopérative d'intérêt collectif (SCIC) « SCIC Services des Territoires », financée à hauteur de 50 000,00 €",
		"system : Tâche ouverte — « Choix de la voie d'un service » pour le rôle Instruction, à rendre le 03/05/2026",
		"Tâche prise — par " + anct.Subject,
		"Tâche terminée — « Choix de la voie d'un service » : Voie choisie — Aucun service existant ne répond au besoin.",
		"Paiement sur le budget du service — 12 500,50 € payés sur le budget du service (paiement n° 1), référence CHORUS-42",
		"Service livré — publié au Territoires Store ; ",
	} {
		require.Contains(t, history, want)
	}
	for _, english := range []string{"estimated at", "selected with", "funded with", "task for", "claimed by", "routed", "paid against", "published in"} {
		require.NotContains(t, history, english)
	}
	trail, err := w.store.AuditTrail(ctx, sid)
	require.NoError(t, err)
	require.Contains(t, trail[0].Detail, "estimated at", "the trail is stored as written")
}
