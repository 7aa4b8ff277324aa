package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestWorkspaceAxe3ApplicantInstructorPrefet: a real browser walks the prefectoral grant's
// main path. The préfet de région delegates to Ille-et-Vilaine; Rennes files its
// application; the prefecture's instructor admits and scores it (told off in French for a
// criterion without comment); the préfet opens a programming session and grants the amount
// proposed, the money reserved on the département's envelope, and closes the session; he
// signs the annex to Rennes's CRTE; Rennes asks for an advance; finance pays it.
func TestWorkspaceAxe3ApplicantInstructorPrefet(t *testing.T) {
	rennes := applicantOf(sirenRennes)
	rennes.Name = "Agent de la Ville de Rennes"
	s, b := startWorkspace(t, nil, rennes, instructor35, prefet35, prefet53, financeOfficer)
	admin, finance := s.token(t, administrator), s.token(t, financeOfficer)
	var split struct{ Default map[string]models.Cents }
	r := s.call(t, http.MethodGet, "/api/v1/axe3/regional-split", admin, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r.decode(t, &split)
	r = s.call(t, http.MethodPut, "/api/v1/axe3/regional-split", admin, map[string]any{"allocations": split.Default})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = s.call(t, http.MethodPut, "/api/v1/axe3/crtes/crte-rennes", admin, map[string]any{"name": "CRTE Rennes Métropole", "epcis": []string{"243500139"}, "signed_on": "2021-07-01"})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	const envCode = "axe3.territorial.53.35"

	// The préfet de région delegates 1 M€ to Ille-et-Vilaine.
	b.signIn(prefet53)
	b.run(chromedp.Click(css(`a.fr-nav__link[href="/axe3/enveloppes"]`)), chromedp.WaitVisible(css(`#deleguer-53`)))
	b.run(chromedp.SendKeys(css(`#departement-53`), "35"), chromedp.SendKeys(css(`#amount-53`), "1 000 000"))
	b.submit("/axe3/regions/53/delegations", `.fr-alert--success`)
	b.requireText(`.fr-alert--success`, "La délégation est enregistrée.")
	b.requireText(`#region-53`, "1 000 000,00 €")
	b.accessible("Axe 3 envelopes")
	b.screenshot("axe3-enveloppes")
	require.Equal(t, models.Euros(1_000_000), envelope(t, s, admin, envCode).AllocatedCents)

	// Rennes files its application; a criterion's fact missing is said next to it.
	b.signIn(rennes)
	b.run(chromedp.Click(css(`a.fr-nav__link[href="/axe3/nouveau"]`)), chromedp.WaitVisible(css(`#demande-axe3`)))
	b.run(chromedp.SendKeys(css(`#title`), "Portail famille"),
		chromedp.SendKeys(css(`#description`), "Inscriptions à la cantine et au centre de loisirs en ligne."),
		chromedp.Click(css(`label[for="project_type-online_service"]`)),
		chromedp.SetValue(css(`[id="expenses.0.category"]`), "support"), chromedp.SendKeys(css(`[id="expenses.0.label"]`), "Design de service"),
		chromedp.SendKeys(css(`[id="expenses.0.amount"]`), "40000"),
		chromedp.SetValue(css(`[id="expenses.1.category"]`), "training"), chromedp.SendKeys(css(`[id="expenses.1.label"]`), "Formation des agents"),
		chromedp.SendKeys(css(`[id="expenses.1.amount"]`), "10000"),
		chromedp.SendKeys(css(`#other_public_funding`), "5000"), chromedp.SendKeys(css(`#requested`), "30000"),
		chromedp.SetValue(css(`#crte_id`), "crte-rennes"),
		chromedp.SendKeys(css(`[id="backing.deliberation"]`), "Délibération 2021-14 du conseil municipal"),
		chromedp.SetValue(css(`[id="backing.deliberation_date"]`), "2021-03-02"),
		chromedp.SendKeys(css(`[id="team.0.name"]`), "Claire Martin"), chromedp.SendKeys(css(`[id="team.0.role"]`), "cheffe de projet"),
		chromedp.SendKeys(css(`#target_users`), "12000"), chromedp.SendKeys(css(`#economic_model`), "Code ouvert, réutilisable"),
		chromedp.SendKeys(css(`#indicators`), "part des inscriptions en ligne"))
	b.screenshot("axe3-demande")
	b.run(chromedp.Click(css(`#deposer`)), chromedp.WaitVisible(css(`#impact-error`)))
	b.requireText(`#impact-error`, "À renseigner pour déposer la candidature.")
	require.Equal(t, "30000", value(b, chromedp.Value(css(`#requested`))), "what was typed is kept")
	b.accessible("Axe 3 application with errors")
	b.run(chromedp.SendKeys(css(`#impact`), "Moins de déplacements en mairie"), chromedp.Click(css(`#deposer`)), chromedp.WaitVisible(css(`#historique`)))
	b.requireText(`.fr-alert--success`, "Votre demande est déposée")
	b.requireText(`#eligibilite`, "toutes les dépenses sont éligibles")
	path, _, _ := strings.Cut(value(b, chromedp.Location())[len(b.url):], "?")
	id := strings.TrimPrefix(path, "/dossiers/")
	b.eventually(path, `main`, "En recevabilité")
	b.accessible("Axe 3 dossier")

	// The prefecture's instructor admits it, then scores it.
	instr := s.token(t, instructor35)
	b.signIn(instructor35)
	b.eventually("/taches", `#liste`, "Recevabilité")
	task := openTask(t, s, instr, id, models.TaskAdmissibility)
	b.run(chromedp.Navigate(b.url+"/taches/"+task), chromedp.WaitVisible(css(`#outcome-admissible`)))
	b.run(chromedp.Click(css(`label[for="outcome-admissible"]`)))
	b.submit("/taches/"+task, `#historique`)
	b.eventually(path, `main`, "En notation")
	task = openTask(t, s, instr, id, models.TaskScoring)
	b.run(chromedp.Navigate(b.url+"/taches/"+task), chromedp.WaitVisible(css(`#ponderation`)))
	b.accessible("scoring form")
	// The total follows the scores as they are picked (the form asks the server for it).
	for i, score := range []string{"5", "4", "3", "4", "4"} {
		id := "criteria." + strconv.Itoa(i) + ".score"
		b.requireText(`#total`, "calculé une fois les cinq notes données")
		b.run(chromedp.SetValue(css(`[id="`+id+`"]`), score))
		value(b, chromedp.Evaluate[bool](`document.getElementById("`+id+`").dispatchEvent(new Event("change", {bubbles: true}))`))
		if i < 4 {
			b.run(chromedp.SendKeys(css(`[id="criteria.`+strconv.Itoa(i)+`.comment"]`), "Critère rempli"))
		}
	}
	b.waitText(`#total`, "80 / 100")
	b.run(chromedp.Click(css(`label[for="outcome-scored"]`)), chromedp.SendKeys(css(`#proposed`), "25 000"))
	b.submit("/taches/"+task, `[id="criteria.4.comment-error"]`)
	b.requireText(`[id="criteria.4.comment-error"]`, "Ce champ ne peut pas rester vide.")
	b.requireText(`#total`, "80 / 100")
	b.accessible("scoring form with errors")
	b.screenshot("axe3-notation")
	b.run(chromedp.SendKeys(css(`[id="criteria.4.comment"]`), "Impact mesuré"))
	b.submit("/taches/"+task, `#historique`)
	b.eventually(path, `#notation`, "80 / 100")
	b.requireText(`main`, "Noté, en attente de séance")

	// The préfet opens a session on the département's envelope and grants the amount proposed.
	b.signIn(prefet35)
	b.run(chromedp.Click(css(`a.fr-nav__link[href="/axe3/seances"]`)), chromedp.WaitVisible(css(`#enveloppes-prefet`)))
	b.accessible("programming sessions")
	b.run(chromedp.Click(css(`#ouvrir-`+cssID(envCode))), chromedp.WaitVisible(css(`#classement`)))
	b.requireText(`.fr-alert--success`, "La séance de programmation est ouverte")
	b.requireText(`#rang-1`, "80 / 100")
	b.requireText(`#rang-1`, "Dans l'enveloppe")
	sessionPath, _, _ := strings.Cut(value(b, chromedp.Location())[len(b.url):], "?")
	b.eventually(path, `main`, "En séance de programmation")
	b.run(chromedp.Navigate(b.url+sessionPath), chromedp.WaitVisible(css(`#dossier-`+id)))
	require.Equal(t, "25000", value(b, chromedp.Value(css(`#amount-`+id))), "the amount proposed is offered")
	b.accessible("programming session")
	b.screenshot("axe3-seance")
	b.run(chromedp.Click(css(`label[for="outcome-`+id+`-grant"]`)), chromedp.Click(css(`#decider-`+id)), chromedp.WaitVisible(css(`.fr-alert--success`)))
	b.requireText(`.fr-alert--success`, "La décision est enregistrée.")
	b.requireText(`#rang-1`, "Attribuée : 25 000,00 €")
	b.eventually(path, `main`, "Convention à signer")
	b.requireText(`#demande`, "25 000,00 €")
	require.Equal(t, models.Euros(25_000), envelope(t, s, admin, envCode).ReservedCents, "the grant is reserved on the département's envelope")
	b.run(chromedp.Navigate(b.url+sessionPath), chromedp.WaitVisible(css(`#clore`)))
	b.submit(sessionPath+"/cloture", `.fr-alert--success`)
	b.requireText(`.fr-alert--success`, "La séance est close")
	b.requireText(`main`, "close le")

	// Rennes is in its métropole's CRTE: the préfet signs the financial annex.
	task = openTask(t, s, s.token(t, prefet35), id, models.TaskConventionSignature)
	b.run(chromedp.Navigate(b.url+"/taches/"+task), chromedp.WaitVisible(css(`#signed_on`)))
	b.requireText(`main`, "Date de signature de l'annexe financière au CRTE, par le préfet")
	b.run(chromedp.Click(css(`label[for="outcome-signed"]`)), chromedp.SetValue(css(`#signed_on`), today()))
	b.submit("/taches/"+task, `#historique`)
	b.eventually(path, `main`, "Projet en cours")

	// Rennes asks for an advance, told the 30 % cap in French; finance pays it.
	b.signIn(rennes)
	task = openTask(t, s, s.token(t, rennes), id, models.TaskAdvanceRequest)
	b.run(chromedp.Navigate(b.url+"/taches/"+task), chromedp.WaitVisible(css(`#amount`)))
	b.run(chromedp.Click(css(`label[for="outcome-requested"]`)), chromedp.SendKeys(css(`#amount`), "9000"))
	b.submit("/taches/"+task, `#amount-error`)
	b.requireText(`#amount-error`, "Au plus 7 500,00 € (30 % de la subvention).")
	b.accessible("advance request with errors")
	b.run(chromedp.Clear(css(`#amount`)), chromedp.SendKeys(css(`#amount`), "7500"))
	b.submit("/taches/"+task, `#historique`)

	b.signIn(financeOfficer)
	task = openTask(t, s, finance, id, models.TaskDisbursement)
	b.run(chromedp.Navigate(b.url+"/taches/"+task), chromedp.WaitVisible(css(`#paid_on`)))
	b.run(chromedp.Click(css(`label[for="outcome-paid"]`)), chromedp.SetValue(css(`#paid_on`), today()), chromedp.SendKeys(css(`#reference`), "CHORUS-AV-1"))
	b.submit("/taches/"+task, `#historique`)
	b.eventually(path, `#historique`, "Avance payée")
	require.Equal(t, models.Euros(7_500), envelope(t, s, admin, envCode).PaidCents, "the advance is paid to the cent")
}
