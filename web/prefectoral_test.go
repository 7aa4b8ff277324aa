package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

var (
	instructor35 = models.Principal{Subject: "instr.35", Name: "Instructrice, préfecture d'Ille-et-Vilaine", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}}
	prefet35     = models.Principal{Subject: "prefet.35", Name: "Préfet d'Ille-et-Vilaine", Roles: []models.Role{models.RolePrefet}, Departements: []string{"35"}}
	prefet29     = models.Principal{Subject: "prefet.29", Name: "Préfet du Finistère", Roles: []models.Role{models.RolePrefet}, Departements: []string{"29"}}
	prefet53     = models.Principal{Subject: "prefet.53", Name: "Préfet de la région Bretagne", Roles: []models.Role{models.RolePrefet}, Regions: []string{"53"}}
)

const env35 = "axe3.territorial.53.35"

// newAxe3Workspace is the workspace over a registry of Bretagne (Rennes in Ille-et-Vilaine)
// and Île-de-France, the territorial envelope split between them, 1 M€ delegated to
// Ille-et-Vilaine, a lab and a CRTE.
func newAxe3Workspace(t *testing.T) *workspace {
	w := newWorkspace(t)
	ctx := context.Background()
	require.NoError(t, w.store.ImportRegistry(ctx, []models.Collectivite{
		{Type: models.TypeRegion, Code: "53", Name: "Bretagne", Region: "53", Population: 1},
		{Type: models.TypeRegion, Code: "11", Name: "Île-de-France", Region: "11", Population: 3},
		{Type: models.TypeDepartement, Code: "35", Name: "Ille-et-Vilaine", Departement: "35", Region: "53", Population: 1},
		{Type: models.TypeDepartement, Code: "29", Name: "Finistère", Departement: "29", Region: "53", Population: 1},
		{Type: models.TypeDepartement, Code: "75", Name: "Paris", Departement: "75", Region: "11", Population: 1},
		{Type: models.TypeCommune, Code: "35238", Siren: applicant.Siren, Name: "Rennes", Departement: "35", Region: "53", Population: 220_000},
	}, nil))
	require.NoError(t, w.store.SetRegionalSplit(ctx, map[string]models.Cents{"53": models.Euros(20_000_000), "11": models.Euros(10_000_000)}, "admin"))
	_, err := w.store.Delegate(ctx, "53", "35", models.Euros(1_000_000), "prefet.53")
	require.NoError(t, err)
	require.NoError(t, w.store.PutLab(ctx, models.Lab{ID: "labo-bzh", Name: "Labo breton", Region: "53"}, "admin"))
	require.NoError(t, w.store.PutCRTE(ctx, models.CRTE{ID: "crte-rennes", Name: "CRTE de Rennes", Communes: []string{applicant.Siren}, SignedOn: time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)}, "admin"))
	// Drafts need no process: the filing service stands without Temporal.
	w.api.Filing = &filing.Service{Store: w.store, Timeout: 5 * time.Second}
	return w
}

// signInAs signs p in with a session cookie and returns a page's CSRF token.
func (w *workspace) signInAs(t *testing.T, p models.Principal) string {
	t.Helper()
	cookie, err := w.sessions.Cookie(p)
	require.NoError(t, err)
	u, _ := url.Parse(w.URL)
	w.client.Jar.SetCookies(u, []*http.Cookie{cookie})
	status, page, _ := w.get(t, "/")
	require.Equal(t, http.StatusOK, status, page)
	return csrfOf(t, page)
}

// axe3Form is Rennes's application as the form posts it: two eligible lines after an empty
// row, and a line of hardware.
func axe3Form(csrf string) url.Values {
	return url.Values{"_csrf": {csrf}, "key": {uuid.NewString()}, "action": {"brouillon"},
		"title": {"Portail famille"}, "description": {"Inscriptions à la cantine en ligne et formation des agents."},
		"project_type":        {"online_service"},
		"expenses.1.category": {"support"}, "expenses.1.label": {"Design de service"}, "expenses.1.amount": {"40 000"},
		"expenses.2.category": {"training"}, "expenses.2.label": {"Formation"}, "expenses.2.amount": {"10000"},
		"other_public_funding": {"5 000"}, "requested": {"30000"}, "lab_id": {"labo-bzh"}, "crte_id": {"crte-rennes"},
		"backing.deliberation": {"Délibération 2021-14 du conseil municipal"}, "backing.deliberation_date": {"2021-03-02"},
		"team.0.name": {"Claire Martin"}, "team.0.role": {"cheffe de projet"}, "target_users": {"12 000"},
		"economic_model": {"Code ouvert, réutilisable"}, "impact": {"Moins de déplacements"}, "indicators": {"part en ligne\n\ndélai moyen"}}
}

func TestAxe3ApplicantFilesADraftWithErrorsInFrenchAndNothingLost(t *testing.T) {
	w := newAxe3Workspace(t)
	csrf := w.signInAs(t, applicant)

	status, page, _ := w.get(t, "/axe3/nouveau")
	require.Equal(t, http.StatusOK, status)
	for _, want := range []string{"Type de projet", "Études, diagnostics et schémas directeurs", "Matériel (non éligible)", "Labo breton (région 53)",
		"CRTE de Rennes", "Date de la délibération", `href="/axe3/nouveau"`} {
		require.Contains(t, html.UnescapeString(page), want)
	}

	// An amount that is not one, and more asked than the project costs: said next to the
	// fields, in French; what was typed stays, the line moved up over the empty row.
	form := axe3Form(csrf)
	form.Set("expenses.2.amount", "dix mille")
	status, page, _ = w.post(t, "/axe3/nouveau", form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	page = html.UnescapeString(page)
	require.Contains(t, page, `id="expenses.1.amount-error">Un montant en euros`)
	require.Contains(t, page, `value="dix mille"`)
	require.Contains(t, page, `value="Design de service"`)
	require.Contains(t, page, `id="expenses.0.label"`)
	require.Contains(t, page, "Portail famille")
	form.Set("expenses.2.amount", "10000")
	form.Set("requested", "60000")
	status, page, _ = w.post(t, "/axe3/nouveau", form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, html.UnescapeString(page), `id="requested-error">Au plus le coût du projet (50 000,00 €).`)
	require.Contains(t, page, `value="60000"`)

	// Submitting at once asks for every fact of the criteria.
	form.Set("requested", "30000")
	form.Del("impact")
	form.Set("action", "deposer")
	status, page, _ = w.post(t, "/axe3/nouveau", form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, html.UnescapeString(page), `id="impact-error">À renseigner pour déposer la candidature.`)

	// Without the form's token, nothing is filed.
	form.Del("_csrf")
	status, _, _ = w.post(t, "/axe3/nouveau", form)
	require.Equal(t, http.StatusForbidden, status)

	// A draft is saved and shown, eligibility explained.
	form = axe3Form(csrf)
	form.Set("expenses.3.category", "equipment")
	form.Set("expenses.3.label", "Tablettes")
	form.Set("expenses.3.amount", "2000")
	status, _, h := w.post(t, "/axe3/nouveau", form)
	require.Equal(t, http.StatusSeeOther, status)
	path, _, _ := strings.Cut(h.Get("Location"), "?")
	require.Contains(t, h.Get("Location"), "info=brouillon")
	status, page, _ = w.get(t, h.Get("Location"))
	require.Equal(t, http.StatusOK, status)
	page = html.UnescapeString(page)
	for _, want := range []string{"Subvention préfectorale (Axe 3)", "Brouillon", "Votre brouillon est enregistré.", "Service en ligne créé ou amélioré",
		"Design de service : 40 000,00 €", "Dépenses éligibles</dt><dd>50 000,00 €", "Claire Martin — cheffe de projet", "part en ligne ; délai moyen",
		"Non éligible en l'état", "ligne 3 (Matériel (non éligible), 2 000,00 €) : hors des catégories éligibles", path + "/axe3"} {
		require.Contains(t, page, want)
	}
	id := strings.TrimPrefix(path, "/dossiers/")
	d, err := w.store.Dossier(context.Background(), id)
	require.NoError(t, err)
	require.Equal(t, env35, d.EnvelopeCode)
	var app models.PrefectoralApplication
	require.NoError(t, json.Unmarshal(d.Payload, &app))
	require.Equal(t, models.Cents(5_200_000), app.CostCents(), "every line, to the cent")
	require.Equal(t, []string{"part en ligne", "délai moyen"}, app.Indicators)

	// The draft's form holds what was saved; saving it without the hardware makes it eligible.
	status, page, _ = w.get(t, path+"/axe3")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, `value="Tablettes"`)
	require.Contains(t, page, `<option value="labo-bzh" selected>`)
	form.Del("expenses.3.label")
	form.Del("expenses.3.amount")
	status, _, _ = w.post(t, path+"/axe3", form)
	require.Equal(t, http.StatusSeeOther, status)
	_, page, _ = w.get(t, path)
	page = html.UnescapeString(page)
	require.Contains(t, page, "La collectivité compte 220 000 habitants (pas de plafond de population), toutes les dépenses sont éligibles")
	require.Contains(t, page, "Population : 220 000 habitants — dépenses éligibles : 50 000,00 € — financements publics : 35 000,00 €, au plus 80 % — subvention possible : au plus 30 000,00 €")

	// Another collectivité's agent cannot open the draft's form.
	other := models.Principal{Subject: "agent.brest", Name: "Agent de Brest", Roles: []models.Role{models.RoleApplicant}, Siren: "212900195"}
	w.signInAs(t, other)
	status, _, _ = w.get(t, path+"/axe3")
	require.Equal(t, http.StatusForbidden, status)
}

// prefectoralDossier files a submitted Axe 3 dossier of Rennes at status, on env35.
func prefectoralDossier(t *testing.T, w *workspace, status models.Status) models.Dossier {
	t.Helper()
	payload, err := json.Marshal(models.PrefectoralApplication{Title: "Portail famille", RequestedCents: models.Euros(30_000), OtherPublicFundingCents: models.Euros(5_000),
		Expenses: []models.ExpenseLine{{Category: models.ExpenseSupport, Label: "Design", AmountCents: models.Euros(50_000)}}})
	require.NoError(t, err)
	d, _, err := w.store.CreateDossier(context.Background(), models.Dossier{ID: uuid.NewString(), Kind: models.KindPrefectoral, Status: status,
		ApplicantSiren: applicant.Siren, ApplicantName: "Rennes", Departement: "35", Region: "53", EnvelopeCode: env35,
		RequestedCents: models.Euros(30_000), Payload: payload, CreatedBy: applicant.Subject}, store.IdempotencyKey{}, nil)
	require.NoError(t, err)
	return d
}

func openTaskOf(t *testing.T, w *workspace, d models.Dossier, typ models.TaskType, role models.Role, scope models.Scope) string {
	t.Helper()
	task := models.Task{ID: models.TaskID(d.ID, typ, 0), DossierID: d.ID, Type: typ, Role: role, Scope: scope, Status: models.TaskOpen, CreatedAt: time.Now()}
	require.NoError(t, w.store.CreateTask(context.Background(), task))
	return task.ID
}

func TestAxe3TaskFormsSayWhatIsWrongInFrench(t *testing.T) {
	w := newAxe3Workspace(t)
	d := prefectoralDossier(t, w, models.StatusAdmissibility)
	dep := models.DepartementScope("35")
	admissibility := openTaskOf(t, w, d, models.TaskAdmissibility, models.RoleInstructor, dep)
	scoring := openTaskOf(t, w, d, models.TaskScoring, models.RoleInstructor, dep)
	require.NoError(t, w.store.PutAxe3Rules(context.Background(), models.Axe3Rules{Scope: dep, MaxPublicRatePercent: 80, Weights: [5]int{2, 1, 1, 1, 0}}, "prefet.35"))

	csrf := w.signInAs(t, instructor35)
	status, page, _ := w.get(t, "/taches/"+admissibility)
	require.Equal(t, http.StatusOK, status)
	for _, want := range []string{"Recevabilité", "Recevable", "Irrecevable", "Demander un complément", "obligatoire pour l'irrecevabilité"} {
		require.Contains(t, html.UnescapeString(page), want)
	}
	status, page, _ = w.post(t, "/taches/"+admissibility, url.Values{"_csrf": {csrf}, "outcome": {"inadmissible"}, "comment": {"Non"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="comment-error">Au moins 10 caractères.`)
	require.Contains(t, page, `value="inadmissible" checked`)

	// The scoring form: five criteria with the département's weights, the cap of the amount.
	status, page, _ = w.get(t, "/taches/"+scoring)
	require.Equal(t, http.StatusOK, status)
	page = html.UnescapeString(page)
	for _, want := range []string{"Portage par l'autorité 2", "Impact 0", "département 35", "au plus 30 000,00 €", `name="criteria.4.comment"`} {
		require.Contains(t, page, want)
	}
	require.Contains(t, page, `hx-get="/taches/`+scoring+`/total"`, "each score asks for the total as it is picked")

	// The total as the instructor picks the scores: the same rule, under the same weights.
	totalOf := func(scores ...string) (int, string) {
		q := url.Values{}
		for i, sc := range scores {
			q.Set("criteria."+itoa(i)+".score", sc)
		}
		status, body, _ := w.get(t, "/taches/"+scoring+"/total?"+q.Encode())
		return status, body
	}
	status, body := totalOf("5", "4", "3")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "calculé une fois les cinq notes données", html.UnescapeString(body))
	_, body = totalOf("5", "4", "3", "2", "1")
	require.Equal(t, "76 / 100", body)
	_, body = totalOf("5", "4", "3", "2", "9")
	require.Equal(t, "calculé une fois les cinq notes données", html.UnescapeString(body), "a score the form does not offer")
	status, _, h := w.get(t, "/taches/"+admissibility+"/total")
	require.Equal(t, http.StatusNotFound, status, "only a scoring task has a total")
	require.Equal(t, "none", h.Get("HX-Reswap"), "a refusal leaves the form's total as it is")

	form := url.Values{"_csrf": {csrf}, "outcome": {"scored"}, "proposed": {"25 000"}}
	for i, sc := range []string{"5", "4", "3", "2", ""} {
		form.Set("criteria."+itoa(i)+".score", sc)
		form.Set("criteria."+itoa(i)+".comment", "Bon dossier")
	}
	form.Set("criteria.1.comment", "ok")
	status, page, _ = w.post(t, "/taches/"+scoring, form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="criteria.4.score-error">Choisissez une note de 0 à 5.`)
	form.Set("criteria.4.score", "1")
	form.Set("proposed", "")
	status, page, _ = w.post(t, "/taches/"+scoring, form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="proposed-error">Ce champ est obligatoire.`)
	// (5×2 + 4 + 3 + 2 + 1×0) / (5 × 5) = 19/25: 76 out of 100 under the département's weights.
	require.Contains(t, page, `<strong id="total" aria-live="polite">76 / 100</strong>`)
	require.Contains(t, page, `<option value="1" selected>`)
	form.Set("proposed", "25 000")
	status, page, _ = w.post(t, "/taches/"+scoring, form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="criteria.1.comment-error">Au moins 3 caractères.`)
	require.Contains(t, page, ">Bon dossier</textarea>", "what was typed is kept")

	// The applicant's and finance's forms of the later steps.
	advance := openTaskOf(t, w, d, models.TaskAdvanceRequest, models.RoleApplicant, models.CollectiviteScope(applicant.Siren))
	statement := openTaskOf(t, w, d, models.TaskFinalStatement, models.RoleApplicant, models.CollectiviteScope(applicant.Siren))
	recovery := openTaskOf(t, w, d, models.TaskRecovery, models.RoleFinance, models.ScopeNational)
	annex := openTaskOf(t, w, d, models.TaskConventionSignature, models.RolePrefet, dep)
	agreement := models.Task{ID: models.TaskID(d.ID, models.TaskConventionSignature, 1), DossierID: d.ID, Type: models.TaskConventionSignature,
		Role: models.RoleApplicant, Scope: models.CollectiviteScope(applicant.Siren), Status: models.TaskOpen, CreatedAt: time.Now()}
	require.NoError(t, w.store.CreateTask(context.Background(), agreement))
	csrf = w.signInAs(t, applicant)
	status, page, _ = w.get(t, "/taches/"+agreement.ID)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Date de signature par la collectivité")
	status, page, _ = w.post(t, "/taches/"+agreement.ID, url.Values{"_csrf": {csrf}, "outcome": {"signed"}, "signed_on": {"hier"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="signed_on-error">Une date au format AAAA-MM-JJ.`)
	status, page, _ = w.get(t, "/taches/"+advance)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, html.UnescapeString(page), "Montant de l'avance demandée")
	status, page, _ = w.post(t, "/taches/"+advance, url.Values{"_csrf": {csrf}, "outcome": {"requested"}, "amount": {"beaucoup"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="amount-error">Un montant en euros`)
	require.Contains(t, page, `value="beaucoup"`)
	status, page, _ = w.get(t, "/taches/"+statement)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, html.UnescapeString(page), "Dépenses éligibles réellement engagées")
	status, page, _ = w.post(t, "/taches/"+statement, url.Values{"_csrf": {csrf}, "outcome": {"filed"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="eligible_expenses-error">Ce champ est obligatoire.`)

	finance := models.Principal{Subject: "finances", Name: "Agent comptable", Roles: []models.Role{models.RoleFinance}}
	csrf = w.signInAs(t, finance)
	status, page, _ = w.get(t, "/taches/"+recovery)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, html.UnescapeString(page), "Ordre de reversement")
	status, page, _ = w.post(t, "/taches/"+recovery, url.Values{"_csrf": {csrf}, "outcome": {"recovered"}, "recovered_on": {"01/01/2022"}, "reference": {"TP"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="recovered_on-error">Une date au format AAAA-MM-JJ.`)
	require.Contains(t, page, `id="reference-error">Au moins 3 caractères.`)

	w.signInAs(t, prefet35)
	status, page, _ = w.get(t, "/taches/"+annex)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, html.UnescapeString(page), "Date de signature de l'annexe financière au CRTE, par le préfet")
}

func TestAxe3ProgrammingSessionPage(t *testing.T) {
	w := newAxe3Workspace(t)
	ctx := context.Background()
	first, second := prefectoralDossier(t, w, models.StatusScored), prefectoralDossier(t, w, models.StatusScored)
	require.NoError(t, w.store.RecordScore(ctx, models.Score{DossierID: first.ID, EnvelopeCode: env35, Score: 80, ProposedCents: models.Euros(600_000), MaxGrantCents: models.Euros(600_000)}))
	require.NoError(t, w.store.RecordScore(ctx, models.Score{DossierID: second.ID, EnvelopeCode: env35, Score: 60, ProposedCents: models.Euros(500_000), MaxGrantCents: models.Euros(500_000)}))

	// The préfet finds the envelope to open a session on.
	csrf := w.signInAs(t, prefet35)
	status, page, _ := w.get(t, "/axe3/seances")
	require.Equal(t, http.StatusOK, status)
	page = html.UnescapeString(page)
	require.Contains(t, page, `value="`+env35+`"`)
	require.Contains(t, page, "1 000 000,00 €")
	require.NotContains(t, page, "axe3.territorial.53.region", "the région's kept part is its préfet de région's")
	session, err := w.store.OpenSession(ctx, uuid.NewString(), env35, prefet35.Subject)
	require.NoError(t, err)
	_, page, _ = w.get(t, "/axe3/seances")
	require.Contains(t, page, `href="/axe3/seances/`+session.ID+`"`)

	// Ranked by score, the running total filling the 1 M€ from the top: the second overflows.
	status, page, _ = w.get(t, "/axe3/seances/"+session.ID)
	require.Equal(t, http.StatusOK, status)
	page = html.UnescapeString(page)
	require.Contains(t, page, `<tr id="rang-1"><td>1</td><td><a href="/dossiers/`+first.ID+`">`)
	require.Contains(t, page, "600 000,00 € <p class=\"fr-badge fr-badge--sm fr-badge--success\">Dans l'enveloppe")
	require.Contains(t, page, "1 100 000,00 € <p class=\"fr-badge fr-badge--sm fr-badge--error\">Au-delà de l'enveloppe")
	require.Contains(t, page, `id="dossier-`+second.ID+`"`)

	// A refusal needs its motivation, said next to the field of that dossier.
	status, page, _ = w.post(t, "/axe3/seances/"+session.ID+"/decisions", url.Values{"_csrf": {csrf}, "dossier_id": {first.ID}, "outcome": {"refuse"}, "comment": {"Non"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="comment-`+first.ID+`-error">Donnez la motivation (au moins 10 caractères).`)
	require.Contains(t, page, ">Non</textarea>")

	// Once the first is refused, granting the second departs from the ranking.
	require.NoError(t, w.store.RecordSessionDecision(ctx, session.ID, prefet35.Subject, models.SessionDecision{DossierID: first.ID, Outcome: models.OutcomeRefuse, Comment: "Projet déjà financé"}))
	_, page, _ = w.get(t, "/axe3/seances/"+session.ID)
	page = html.UnescapeString(page)
	require.Contains(t, page, "<strong>Refusée</strong>")
	require.Contains(t, page, "s'écarte du classement et doit être motivé")
	status, page, _ = w.post(t, "/axe3/seances/"+session.ID+"/decisions", url.Values{"_csrf": {csrf}, "dossier_id": {second.ID}, "outcome": {"grant"}, "amount": {"400 000"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, html.UnescapeString(page), `id="comment-`+second.ID+`-error">Attribuer ce dossier, classé sous un dossier refusé ou reporté, s'écarte du classement`)
	require.Contains(t, page, `value="400 000"`)
	status, page, _ = w.post(t, "/axe3/seances/"+session.ID+"/decisions", url.Values{"_csrf": {csrf}, "dossier_id": {second.ID}, "outcome": {"grant"}, "amount": {"quatre"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="amount-`+second.ID+`-error">Un montant en euros`)

	// The dossier's page links its open session; its programming task leads there.
	_, page, _ = w.get(t, "/dossiers/"+second.ID)
	require.Contains(t, page, `href="/axe3/seances/`+session.ID+`#dossier-`+second.ID+`"`)
	task := openTaskOf(t, w, second, models.TaskProgramming, models.RolePrefet, models.DepartementScope("35"))
	_, page, _ = w.get(t, "/taches/"+task)
	require.Contains(t, page, "Ouvrir la séance")
	require.NotContains(t, page, `action="/taches/`+task+`"`, "the préfet decides in the session, not on the task")

	// Another département's préfet may read nothing to decide, and is refused the act.
	csrf = w.signInAs(t, prefet29)
	_, page, _ = w.get(t, "/axe3/seances")
	require.NotContains(t, page, env35)
	status, page, _ = w.get(t, "/axe3/seances/"+session.ID)
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, page, `action="/axe3/seances/`+session.ID+`/decisions"`)
	status, _, _ = w.post(t, "/axe3/seances/"+session.ID+"/decisions", url.Values{"_csrf": {csrf}, "dossier_id": {second.ID}, "outcome": {"refuse"}, "comment": {"Pas mon département"}})
	require.Equal(t, http.StatusForbidden, status)
	status, _, _ = w.post(t, "/axe3/seances/"+session.ID+"/cloture", url.Values{"_csrf": {csrf}})
	require.Equal(t, http.StatusForbidden, status)

	// Whoever works for the State reads the session; an applicant does not.
	w.signInAs(t, finance)
	status, _, _ = w.get(t, "/axe3/seances/"+session.ID)
	require.Equal(t, http.StatusOK, status)
	w.signInAs(t, applicant)
	status, page, _ = w.get(t, "/axe3/seances/"+session.ID)
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, html.UnescapeString(page), "Seuls les agents de l'État (administration, finances, préfets, instruction) lisent les séances de programmation.")
}

func TestAxe3RegionalSplitAndDelegations(t *testing.T) {
	w := newAxe3Workspace(t)
	csrf := w.signInAs(t, admin)
	status, page, _ := w.get(t, "/axe3/enveloppes")
	require.Equal(t, http.StatusOK, status)
	page = html.UnescapeString(page)
	// 30 M€ in proportion to 1 and 3 inhabitants: 7.5 M€ and 22.5 M€ offered.
	require.Contains(t, page, "<td>20 000 000,00 €</td><td>7 500 000,00 €</td>")
	require.Contains(t, page, `name="allocations.53" value="20000000"`)
	require.Contains(t, page, "Région 53 : 20 000 000,00 €")
	_, admin, _ := w.get(t, "/admin")
	require.Contains(t, admin, "axe3.territorial.53.35", "the envelope tree shows the Axe 3 envelopes")
	require.Contains(t, admin, `href="/axe3/enveloppes"`)

	status, page, _ = w.post(t, "/axe3/repartition", url.Values{"_csrf": {csrf}, "allocations.53": {"7 500 000"}, "allocations.11": {"vingt"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="allocations.11-error">Un montant en euros`)
	require.Contains(t, page, `value="7 500 000"`, "what was typed is kept")
	status, page, _ = w.post(t, "/axe3/repartition", url.Values{"_csrf": {csrf}, "allocations.53": {"7 500 000"}, "allocations.11": {"20000000"}})
	require.Equal(t, http.StatusConflict, status)
	require.Contains(t, html.UnescapeString(page), "Action impossible dans l'état actuel : Les enveloppes régionales totalisent", "the refusal in French")
	status, _, h := w.post(t, "/axe3/repartition", url.Values{"_csrf": {csrf}, "allocations.53": {"7 500 000"}, "allocations.11": {"22500000"}})
	require.Equal(t, http.StatusSeeOther, status, h.Get("Location"))
	envs, err := w.store.Envelopes(context.Background())
	require.NoError(t, err)
	for _, e := range envs {
		if e.Code == "axe3.territorial.53" {
			require.Equal(t, models.Euros(7_500_000), e.AllocatedCents)
		}
	}

	// The préfet de région delegates to a département of its région only.
	csrf = w.signInAs(t, prefet53)
	status, page, _ = w.get(t, "/axe3/enveloppes")
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, page, `id="repartition"`, "the split is the administrator's")
	require.Contains(t, page, `id="deleguer-53"`)
	status, page, _ = w.post(t, "/axe3/regions/53/delegations", url.Values{"_csrf": {csrf}, "departement": {"75"}, "amount": {"100000"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="departement-53-error">Ce département est de la région 11, pas de la région 53.`)
	require.Contains(t, page, `value="75"`)
	status, page, _ = w.post(t, "/axe3/regions/53/delegations", url.Values{"_csrf": {csrf}, "departement": {"999"}, "amount": {"100000"}})
	require.Equal(t, http.StatusUnprocessableEntity, status, "the act's rule, in French")
	require.Contains(t, page, `id="departement-53-error">Un code de département, par exemple 01, 2A ou 974.`)
	status, page, _ = w.post(t, "/axe3/regions/53/delegations", url.Values{"_csrf": {csrf}, "departement": {"29"}, "amount": {"deux"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="amount-53-error">Un montant en euros`)
	status, _, _ = w.post(t, "/axe3/regions/53/delegations", url.Values{"_csrf": {csrf}, "departement": {"29"}, "amount": {"250 000"}})
	require.Equal(t, http.StatusSeeOther, status)
	_, page, _ = w.get(t, "/axe3/enveloppes")
	page = html.UnescapeString(page)
	require.Contains(t, page, "(axe3.territorial.53.29)</span></th><td>250 000,00 €")
	require.Contains(t, page, "prefet.53 : délégation sur axe3.territorial.53.29, de 0,00 € à 250 000,00 €")
	require.Contains(t, page, "Part gardée au niveau régional (axe3.territorial.53.region) : 6 250 000,00 €", "the tree sums")

	// The préfet de région sets its région's rules and a département's; told off in French.
	require.Contains(t, page, `id="regles-region-53"`)
	require.Contains(t, page, `id="regles-departement-29"`)
	status, page, _ = w.post(t, "/axe3/regles", url.Values{"_csrf": {csrf}, "scope": {"departement:29"}, "population_cap": {"20 000"},
		"max_public_rate_percent": {"120"}, "weights.0": {"2"}, "weights.1": {"1"}, "weights.2": {"1"}, "weights.3": {"1"}, "weights.4": {"un"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="weights-departement-29-error"><p class="fr-message fr-message--error">Un nombre entier.`)
	require.Contains(t, page, `value="un"`)
	status, page, _ = w.post(t, "/axe3/regles", url.Values{"_csrf": {csrf}, "scope": {"departement:29"}, "population_cap": {"20 000"},
		"max_public_rate_percent": {"120"}, "weights.0": {"0"}, "weights.1": {"0"}, "weights.2": {"0"}, "weights.3": {"0"}, "weights.4": {"0"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="max_public_rate_percent-departement-29-error">Au plus 100.`)
	status, _, _ = w.post(t, "/axe3/regles", url.Values{"_csrf": {csrf}, "scope": {"departement:29"}, "population_cap": {"20 000"},
		"max_public_rate_percent": {"70"}, "weights.0": {"2"}, "weights.1": {"1"}, "weights.2": {"1"}, "weights.3": {"1"}, "weights.4": {"0"}})
	require.Equal(t, http.StatusSeeOther, status)
	set, err := w.store.Axe3Rules(context.Background())
	require.NoError(t, err)
	require.Contains(t, set, models.Axe3Rules{Scope: models.DepartementScope("29"), PopulationCap: 20_000, MaxPublicRatePercent: 70, Weights: [5]int{2, 1, 1, 1, 0}})
	_, page, _ = w.get(t, "/axe3/enveloppes")
	require.Contains(t, page, `id="population_cap-departement-29" name="population_cap" value="20000"`)
	status, _, _ = w.post(t, "/axe3/regles", url.Values{"_csrf": {csrf}, "scope": {"departement:75"}, "population_cap": {"0"},
		"max_public_rate_percent": {"80"}, "weights.0": {"1"}, "weights.1": {"1"}, "weights.2": {"1"}, "weights.3": {"1"}, "weights.4": {"1"}})
	require.Equal(t, http.StatusForbidden, status, "another région's département")

	// A préfet de région may not delegate another région's envelope.
	status, _, _ = w.post(t, "/axe3/regions/11/delegations", url.Values{"_csrf": {csrf}, "departement": {"75"}, "amount": {"1"}})
	require.Equal(t, http.StatusForbidden, status)

	// Whoever works for the State reads the régions' envelopes, as through the API; the
	// forms are for who splits and who delegates.
	for _, p := range []models.Principal{finance, instructor35, prefet35} {
		w.signInAs(t, p)
		status, page, _ = w.get(t, "/axe3/enveloppes")
		require.Equal(t, http.StatusOK, status, p.Subject)
		require.Contains(t, page, `href="/axe3/enveloppes"`, "%s is offered the page", p.Subject)
		require.Contains(t, html.UnescapeString(page), "(axe3.territorial.53.29)</span></th><td>250 000,00 €", p.Subject)
		require.NotContains(t, page, `id="deleguer-53"`, p.Subject)
		require.NotContains(t, page, `id="repartition"`, p.Subject)
	}
	w.signInAs(t, applicant)
	status, page, _ = w.get(t, "/axe3/enveloppes")
	require.Equal(t, http.StatusForbidden, status)
	require.NotContains(t, page, `href="/axe3/enveloppes"`)
}
