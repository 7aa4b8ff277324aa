package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/api"
	"github.com/relance/relance/config"
	"github.com/relance/relance/models"
	"github.com/relance/relance/web"
)

// browser is a headless Chromium driving the workspace of a running stack.
type browser struct {
	t   *testing.T
	ctx context.Context
	url string
}

// chromiumPath finds Debian's chromium (or CHROMIUM): the browser tests skip without it,
// unless REQUIRE_BROWSER is set, as in CI.
func chromiumPath(t *testing.T) string {
	for _, name := range []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("REQUIRE_BROWSER") != "" {
		t.Fatal("REQUIRE_BROWSER is set but no chromium is installed (apt-get install -y chromium)")
	}
	t.Skip("the browser tests need chromium (apt-get install -y chromium)")
	return ""
}

// startWorkspace runs a stack with the workspace's pages, its sign-in page listing people.
func startWorkspace(t *testing.T, tune func(*config.Config), people ...models.Principal) (*stack, *browser) {
	chromium := chromiumPath(t)
	files := newStackFiles(t)
	files.tune = tune
	files.attach = func(srv *api.Server) {
		pages, err := web.New(srv, web.NewSessions(testSecret, time.Hour, false), slog.New(slog.NewTextHandler(io.Discard, nil)))
		require.NoError(t, err)
		pages.DevIdentities = people
		pages.TemporalUI = "http://temporal-ui.test/namespaces/default"
		srv.Pages = pages.Register
	}
	s := startStack(t, files)
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true)}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute) // a whole path, on a loaded CI machine
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	// Start the browser on the test's context: the first run binds the browser's life to the
	// context it is given, and each step runs on a shorter one of its own.
	require.NoError(t, chromedp.Do(ctx))
	return s, &browser{t: t, ctx: ctx, url: s.URL}
}

// run runs steps once htmx has settled the page (a click on a page it is still swapping can
// land on the old content), each run within a deadline of its own, so that a step that
// fails leaves time to report the page it failed on.
func (b *browser) run(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, append([]chromedp.Action[chromedp.Void]{htmxSettled}, steps...)...); err != nil {
		b.t.Fatalf("%v\n%s", err, b.state())
	}
}

// htmxSettled waits until htmx swaps, settles or requests nothing on the page.
var htmxSettled = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	for {
		busy, err := chromedp.Evaluate[bool](`document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling') !== null`)(ctx, t)
		if err != nil || !busy {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
})

// state is where the browser is and what its page says, for a failure's report.
func (b *browser) state() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "the page could not be read: " + err.Error()
	}
	text, _ := chromedp.Run(ctx, chromedp.Text(css("body")))
	return fmt.Sprintf("on %s:\n%s", loc, text)
}

// value runs an action that reads something from the page.
func value[T any](b *browser, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	require.NoError(b.t, err)
	return v
}

type css = chromedp.CSS

// signIn signs in as p through the development page, in a fresh session.
func (b *browser) signIn(p models.Principal) {
	b.t.Helper()
	b.run(chromedp.Navigate(b.url + "/connexion"))
	if value(b, chromedp.Evaluate[bool](`document.querySelector('#qui') !== null`)) {
		b.signOut()
	}
	b.run(chromedp.Click(css(`#login-`+cssID(p.Subject))), chromedp.WaitVisible(css(`#qui`)))
	b.requireText(`#qui`, p.Name)
}

// signOut signs out and waits for the sign-in page: the page signed out of may show a
// success alert of its own, so waiting for any alert could let the next navigation abort
// the sign-out's.
func (b *browser) signOut() {
	b.t.Helper()
	b.run(chromedp.Click(css(`form[action="/deconnexion"] button`)), chromedp.WaitVisible(css(`[id^="login-"]`)))
	b.requireText(`.fr-alert--success`, "Vous êtes déconnecté.")
}

func cssID(s string) string { return strings.ReplaceAll(s, ".", `\.`) }

// text is the visible text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return value(b, chromedp.Text(css(sel)))
}

// requireText checks sel's visible text contains want, whatever its case (DSFR's badges
// show their text in capitals).
func (b *browser) requireText(sel, want string) {
	b.t.Helper()
	require.Contains(b.t, strings.ToLower(b.text(sel)), strings.ToLower(want))
}

// waitText waits until sel's text contains want, without reloading: what the page updates
// by itself (htmx).
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(strings.ToLower(b.text(sel)), strings.ToLower(want)) {
		if time.Now().After(deadline) {
			b.t.Fatalf("%q never showed %q (last: %q)", sel, want, b.text(sel))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// eventually reloads path until sel's text contains want (the read model follows the
// workflow within moments).
func (b *browser) eventually(path, sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		b.run(chromedp.Navigate(b.url+path), chromedp.WaitReady(css("body")))
		got, _ := chromedp.Run(b.ctx, chromedp.Text(css(sel), chromedp.AtLeast(0)))
		if strings.Contains(strings.ToLower(got), strings.ToLower(want)) { // badges are shown in capitals
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: %q never showed %q (last: %q)", path, sel, want, got)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// axeViolation is what axe-core reports of one rule broken.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// accessible injects axe-core into the current page and fails on serious or critical
// violations of WCAG 2.x A and AA.
func (b *browser) accessible(page string) {
	b.t.Helper()
	require.Empty(b.t, b.violations(), "accessibility of %s", page)
}

// violations are the serious and critical violations axe-core finds on the current page.
func (b *browser) violations() []string {
	b.t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "web", "testdata", "axe.min.js"))
	require.NoError(b.t, err, "axe-core is vendored by make web-assets")
	_ = value(b, chromedp.Evaluate[bool](string(src)+";true"))
	out := value(b, chromedp.Evaluate[[]axeViolation](`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then(r => r.violations)`,
		chromedp.EvalAwaitPromise))
	var bad []string
	for _, v := range out {
		if v.Impact == "serious" || v.Impact == "critical" {
			targets, _ := json.Marshal(v.Nodes)
			bad = append(bad, fmt.Sprintf("%s (%s): %s — %s", v.ID, v.Impact, v.Help, targets))
		}
	}
	return bad
}

// screenshot saves the page as SCREENSHOTS/name.png when SCREENSHOTS names a directory
// (`make screenshots` writes docs/screenshots).
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("SCREENSHOTS")
	if dir == "" {
		return
	}
	png := value(b, chromedp.FullScreenshot(100)) // 100: PNG
	require.NoError(b.t, os.MkdirAll(dir, 0o755))
	require.NoError(b.t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// TestWorkspaceInstructorClaimsAndPreselects: a real browser signs in as the instructor,
// finds the application in the inbox, claims it, is told off in French for a rejection
// without motivation (what was typed kept), preselects, and sees the dossier move on.
func TestWorkspaceInstructorClaimsAndPreselects(t *testing.T) {
	paris := applicantOf(sirenParis)
	s, b := startWorkspace(t, nil, instructor, paris, administrator)
	// axe finds what it must: an image without a text alternative is critical.
	b.run(chromedp.Navigate(`data:text/html,<html lang="fr"><title>t</title><main><img src="x.png"></main></html>`))
	require.NotEmpty(t, b.violations())
	call := createCall(t, s, s.token(t, administrator), 1)
	r := s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/applications", s.token(t, paris), aapApplication(models.Euros(200_000)))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var d models.Dossier
	r.decode(t, &d)
	taskID := openTask(t, s, s.token(t, instructor), d.ID, models.TaskPreselection)

	b.signIn(instructor)
	b.requireText(`h1`, "Ce qui vous attend")
	b.requireText(`#tache-`+cssID(taskID), "Présélection")
	b.accessible("home")
	b.screenshot("accueil")

	b.run(chromedp.Click(css(`a.fr-nav__link[href="/taches"]`)), chromedp.WaitVisible(css(`#liste`)))
	b.requireText(`#tache-`+cssID(taskID), "Paris")
	b.accessible("inbox")
	b.screenshot("taches")
	b.run(chromedp.Click(css(`#tache-`+cssID(taskID)+` button`)), chromedp.WaitVisible(css(`.fr-alert--success`)))
	b.requireText(`.fr-alert--success`, "La tâche vous est attribuée.")
	b.run(chromedp.Navigate(b.url + "/taches?onglet=suivis"))
	b.requireText(`#tache-`+cssID(taskID), "Rendre")

	b.run(chromedp.Navigate(b.url+"/taches/"+taskID), chromedp.WaitVisible(css(`#comment`)))
	b.accessible("task form")
	b.run(chromedp.Click(css(`#outcome-reject`)), chromedp.SendKeys(css(`#comment`), "Trop tôt"),
		chromedp.Click(css(`form[action="/taches/`+taskID+`"] button[type=submit]`)), chromedp.WaitVisible(css(`#comment-error`)))
	b.requireText(`#comment-error`, "Au moins 10 caractères.")
	require.Equal(t, "Trop tôt", value(b, chromedp.Value(css(`#comment`))), "what was typed is kept")
	require.True(t, value(b, chromedp.Evaluate[bool](`document.querySelector('#outcome-reject').checked`)))
	b.accessible("task form with errors")
	b.screenshot("tache-erreurs")

	b.run(chromedp.Click(css(`#outcome-preselect`)), chromedp.Clear(css(`#comment`)),
		chromedp.SendKeys(css(`#comment`), "Projet solide, partenaires engagés."),
		chromedp.Click(css(`form[action="/taches/`+taskID+`"] button[type=submit]`)), chromedp.WaitVisible(css(`#historique`)))
	b.requireText(`.fr-alert--success`, "La tâche est terminée.")
	b.eventually("/dossiers/"+d.ID, `main`, "Présélectionné")
	b.accessible("dossier")
	b.screenshot("dossier")

	// The administrator follows the dossier to its workflow in the Temporal UI.
	b.signIn(administrator)
	b.run(chromedp.Navigate(b.url+"/dossiers/"+d.ID), chromedp.WaitVisible(css(`#lien-temporal`)))
	href := value(b, chromedp.AttributeValue(css(`#lien-temporal`), "href"))
	require.Equal(t, "http://temporal-ui.test/namespaces/default/workflows/"+models.DossierWorkflowID(d.ID), href.Value)
}

// submit clicks the submit button of the form posting to action.
func (b *browser) submit(action string, then string) {
	b.t.Helper()
	b.run(chromedp.Click(css(`form[action="`+action+`"] button[type=submit]`)), chromedp.WaitVisible(css(then)))
}

// TestWorkspaceApplicantFilesAndAmendsAGuichetApplication: the applicant fills in the
// guichet's form with a commitment unticked, reads why the dossier is incomplete, ticks it
// on the dossier's page, and sees the dossier funded.
func TestWorkspaceApplicantFilesAndAmendsAGuichetApplication(t *testing.T) {
	paris := applicantOf(sirenParis)
	paris.Name = "Agent de la Ville de Paris"
	_, b := startWorkspace(t, nil, paris)
	b.signIn(paris)
	b.run(chromedp.Click(css(`a.fr-nav__link[href="/guichet/nouveau"]`)), chromedp.WaitVisible(css(`#guichet`)))
	b.accessible("guichet form")
	spec, _ := models.ChecklistFor(models.GuichetFranceConnect)
	missing := spec.Items[len(spec.Items)-1]
	b.run(chromedp.SendKeys(css(`#cost`), "12 400"))
	for _, item := range spec.Items[:len(spec.Items)-1] {
		b.run(chromedp.Click(css(`label[for="checklist.` + item.Key + `"]`)))
	}
	b.screenshot("guichet")
	b.submit("/guichet/nouveau", `#historique`)
	b.requireText(`.fr-alert--success`, "Votre demande est déposée")
	path, _, _ := strings.Cut(value(b, chromedp.Location())[len(b.url):], "?")
	b.eventually(path, `#explication`, missing.Label)
	b.requireText(`main`, "Incomplet")
	b.accessible("incomplete dossier")
	b.screenshot("dossier-incomplet")

	b.run(chromedp.Click(css(`#completer label[for="checklist.` + missing.Key + `"]`)))
	b.submit(path+"/checklist", `.fr-alert--success`)
	b.requireText(`.fr-alert--success`, "Votre liste est transmise")
	b.eventually(path, `main`, "Paiement à effectuer")

	b.run(chromedp.Click(css(`a.fr-nav__link[href="/dossiers"]`)), chromedp.WaitVisible(css(`#dossiers`)))
	b.requireText(`#dossiers`, "Paiement à effectuer")
	b.accessible("my dossiers")
}

// TestWorkspaceJuryFinanceAndAdministrator: two jury members vote and one recuses through
// the session's page; the applicant and finance sign; finance pays and finds the payment
// in the ledger; the administrator finds an overdue dossier and its workflow's link.
func TestWorkspaceJuryFinanceAndAdministrator(t *testing.T) {
	paris, marseille := applicantOf(sirenParis), applicantOf("211300553")
	s, b := startWorkspace(t, func(c *config.Config) { c.DuePreselection = time.Second },
		juryChair, juror2, juror3, paris, financeOfficer, administrator)
	admin, instr := s.token(t, administrator), s.token(t, instructor)

	// The administrator creates the call and its jury from the workspace.
	b.signIn(administrator)
	b.run(chromedp.Click(css(`a.fr-nav__link[href="/appels"]`)), chromedp.WaitVisible(css(`#nouvel-appel`)))
	b.run(chromedp.Click(css(`#nouvel-appel`)), chromedp.WaitVisible(css(`#appel`)))
	b.accessible("call form")
	now := time.Now().UTC()
	b.run(chromedp.SetValue(css(`#strand`), "donnees"), chromedp.SendKeys(css(`#title`), "Données — vague 1"),
		chromedp.SetValue(css(`[id="opens_on"]`), now.AddDate(0, 0, -1).Format(time.DateOnly)),
		chromedp.SetValue(css(`[id="closes_on"]`), now.AddDate(0, 1, 0).Format(time.DateOnly)),
		chromedp.SendKeys(css(`[id="jury.0.subject"]`), juryChair.Subject), chromedp.Click(css(`label[for="jury.0.state"]`)),
		chromedp.SendKeys(css(`[id="jury.1.subject"]`), juror2.Subject), chromedp.SendKeys(css(`[id="jury.2.subject"]`), juror3.Subject),
		chromedp.SendKeys(css(`#chair`), juryChair.Subject))
	b.submit("/appels/nouveau", `.fr-alert--success`)
	b.requireText(`.fr-alert--success`, "L'appel est créé.")
	callPath, _, _ := strings.Cut(value(b, chromedp.Location())[len(b.url):], "?")
	call, err := s.Store.Call(context.Background(), strings.TrimPrefix(callPath, "/jury/"))
	require.NoError(t, err)
	require.Equal(t, juryChair.Subject, call.Chair)
	require.Equal(t, 2, call.Quorum)
	apply := func(p models.Principal) string {
		r := s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/applications", s.token(t, p), aapApplication(models.Euros(500_000)))
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var d models.Dossier
		r.decode(t, &d)
		return d.ID
	}
	parisID, marseilleID := apply(paris), apply(marseille)
	complete(t, s, instr, openTask(t, s, instr, parisID, models.TaskPreselection), "preselect", "", nil, models.StatusPreselected)
	// The administrator opens the jury's session from its page.
	b.signIn(administrator)
	b.run(chromedp.Navigate(b.url+"/jury/"+call.ID), chromedp.WaitVisible(css(`#ouvrir-session`)))
	b.submit("/jury/"+call.ID+"/ouvrir", `.fr-alert--success`)
	b.requireText(`.fr-alert--success`, "La session du jury est ouverte")
	s.waitStatus(t, admin, parisID, models.StatusJury)

	vote := func(member models.Principal, outcome, amount, comment string) {
		b.signIn(member)
		b.run(chromedp.Click(css(`a.fr-nav__link[href="/jury"]`)), chromedp.WaitVisible(css(`#appels`)))
		b.run(chromedp.Click(css(`#appels a`)), chromedp.WaitVisible(css(`#session`)))
		b.requireText(`#jury-`+parisID, juror2.Subject)
		b.run(chromedp.Click(css(`#jury-`+parisID+` a.fr-btn`)), chromedp.WaitVisible(css(`#comment`)))
		b.run(chromedp.Click(css(`#outcome-`+outcome)), chromedp.SendKeys(css(`#comment`), comment))
		if amount != "" {
			b.run(chromedp.SendKeys(css(`#amount`), amount))
		}
		b.run(chromedp.Click(css(`form[method=post][action^="/taches/"]:not([action$="prendre"]):not([action$="rendre"]) button[type=submit]`)),
			chromedp.WaitVisible(css(`#historique`)))
		b.requireText(`.fr-alert--success`, "La tâche est terminée.")
	}
	vote(juror3, "recuse", "", "Élu au conseil de Paris")
	vote(juryChair, "grant", "300 000", "Phase 1 seulement")
	b.run(chromedp.Navigate(b.url+"/jury/"+call.ID), chromedp.WaitVisible(css(`#session`)))
	b.requireText(`#jury-`+parisID, "juror.3")
	b.requireText(`#jury-`+parisID, "Encore 1 vote(s) pour le quorum de 2.")
	b.accessible("jury session")
	b.screenshot("jury")
	vote(juror2, "grant", "400000", "Favorable")
	b.eventually("/dossiers/"+parisID, `main`, "Convention à signer")
	b.run(chromedp.Navigate(b.url+"/jury"), chromedp.WaitVisible(css(`#votes-passes`)))
	b.requireText(`#votes-passes`, "Attribuer")

	sign := func(p models.Principal) {
		b.signIn(p)
		b.requireText(`#taches`, "Signature de la convention")
		b.run(chromedp.Click(css(`#taches a[href^="/taches/"]`)), chromedp.WaitVisible(css(`#signed_on`)))
		b.run(chromedp.Click(css(`#outcome-signed`)), chromedp.SetValue(css(`#signed_on`), today()))
		b.run(chromedp.Click(css(`form[method=post][action^="/taches/"]:not([action$="prendre"]):not([action$="rendre"]) button[type=submit]`)),
			chromedp.WaitVisible(css(`#historique`)))
	}
	sign(paris)
	sign(financeOfficer)
	b.eventually("/dossiers/"+parisID, `main`, "Paiement à effectuer")

	b.eventually("/", `#taches`, "Paiement")
	b.run(chromedp.Click(css(`#taches a[href^="/taches/"]`)), chromedp.WaitVisible(css(`#reference`)))
	b.run(chromedp.Click(css(`#outcome-paid`)), chromedp.SetValue(css(`#paid_on`), today()), chromedp.SendKeys(css(`#reference`), "VIR-AAP-0001"),
		chromedp.Click(css(`form[method=post][action^="/taches/"]:not([action$="prendre"]):not([action$="rendre"]) button[type=submit]`)),
		chromedp.WaitVisible(css(`#historique`)))
	b.eventually("/dossiers/"+parisID, `main`, "Payé")
	b.run(chromedp.Click(css(`a.fr-nav__link[href="/grand-livre"]`)), chromedp.WaitVisible(css(`#grand-livre`)))
	b.requireText(`#grand-livre`, "VIR-AAP-0001")
	b.accessible("ledger")
	b.screenshot("grand-livre")

	// Marseille's preselection was due within a second: the administrator finds it overdue.
	b.signIn(administrator)
	b.eventually("/admin", `#retards`, "Marseille")
	b.requireText(`#retard-`+marseilleID, "Présélection")
	href := value(b, chromedp.AttributeValue(css(`#retard-`+marseilleID+` a[target=_blank]`), "href"))
	require.Equal(t, "http://temporal-ui.test/namespaces/default/workflows/"+models.DossierWorkflowID(marseilleID), href.Value)
	b.accessible("administration")
	b.screenshot("pilotage")

	// The administrator gives a person signing in through ProConnect their role and scope.
	b.run(chromedp.Click(css(`a.fr-nav__link[href="/admin/personnes"]`)), chromedp.WaitVisible(css(`#personne`)))
	b.run(chromedp.SendKeys(css(`#subject`), "agent-proconnect"), chromedp.SendKeys(css(`#name`), "Agente ProConnect"),
		chromedp.Click(css(`label[for="role-instructor"]`)), chromedp.SendKeys(css(`#departements`), "2A"),
		chromedp.Click(css(`#personne button[type=submit]`)), chromedp.WaitVisible(css(`#personne-agent-proconnect`)))
	b.requireText(`.fr-alert--success`, "La fiche est enregistrée")
	b.requireText(`#personne-agent-proconnect`, "Instruction")
	b.requireText(`#personne-agent-proconnect`, "2A")
	b.accessible("personnes")
	b.screenshot("personnes")

	// The administrator adds Axe 3's lab and CRTE, told first what the lab's form lacks.
	b.run(chromedp.Click(css(`a.fr-nav__link[href="/axe3/referentiels"]`)), chromedp.WaitVisible(css(`#laboratoire`)))
	b.accessible("laboratoires et CRTE")
	b.run(chromedp.SendKeys(css(`#lab-id`), "labo-bretagne"))
	b.submit("/axe3/referentiels/laboratoires#laboratoire", `#lab-name-error`)
	b.requireText(`#lab-region-error`, "Un code de région INSEE")
	b.accessible("laboratoires et CRTE, erreurs")
	b.run(chromedp.SendKeys(css(`#lab-name`), "La Fabrique bretonne"), chromedp.SetValue(css(`#lab-region`), "53"))
	b.submit("/axe3/referentiels/laboratoires#laboratoire", `#laboratoire-labo-bretagne`)
	b.requireText(`#laboratoire-labo-bretagne`, "Bretagne (53)")
	b.run(chromedp.SendKeys(css(`#crte-id`), "crte-rennes"), chromedp.SendKeys(css(`#crte-name`), "CRTE de Rennes Métropole"),
		chromedp.SendKeys(css(`#crte-epcis`), "243500139"), chromedp.SetValue(css(`#crte-signed_on`), "2021-07-01"))
	b.submit("/axe3/referentiels/crte#crte-formulaire", `#crte-crte-rennes`)
	b.requireText(`#crte-crte-rennes`, "Rennes Métropole (243500139)")
	b.screenshot("laboratoires-crte")
}

// TestWorkspaceApplicantAppliesToACall: the applicant saves a draft, is told in French
// what a submission still lacks (what was typed kept), submits it and sees it in
// preselection; another collectivité reads why its application was refused.
func TestWorkspaceApplicantAppliesToACall(t *testing.T) {
	paris, rennes := applicantOf(sirenParis), applicantOf("213502388")
	s, b := startWorkspace(t, nil, paris, rennes)
	call := createCall(t, s, s.token(t, administrator), 1)

	b.signIn(paris)
	b.run(chromedp.Click(css(`a.fr-nav__link[href="/appels"]`)), chromedp.WaitVisible(css(`#appels-liste`)))
	b.run(chromedp.Click(css(`#appel-`+call.ID+` a.fr-btn`)), chromedp.WaitVisible(css(`#candidature`)))
	b.run(chromedp.SendKeys(css(`#title`), "Paris Data"), chromedp.Click(css(`#enregistrer`)), chromedp.WaitVisible(css(`#modifier-brouillon`)))
	b.requireText(`.fr-alert--success`, "Votre brouillon est enregistré.")
	b.requireText(`main`, "Brouillon")

	b.run(chromedp.Click(css(`#modifier-brouillon`)), chromedp.WaitVisible(css(`#candidature`)))
	b.run(chromedp.Click(css(`#deposer`)), chromedp.WaitVisible(css(`#summary-error`)))
	b.requireText(`#summary-error`, "À renseigner pour déposer la candidature.")
	require.Equal(t, "Paris Data", value(b, chromedp.Value(css(`#title`))), "what was typed is kept")
	b.accessible("application with errors")
	b.screenshot("candidature")

	b.run(chromedp.SendKeys(css(`#summary`), "Ouvrir les données des équipements publics par API."),
		chromedp.SendKeys(css(`[id="strand.datasets"]`), "équipements, budget"),
		chromedp.SendKeys(css(`[id="strand.data_governance"]`), "administrateur des données"),
		chromedp.SendKeys(css(`#eligible_cost`), "400000"), chromedp.SendKeys(css(`#requested`), "300000"),
		chromedp.Click(css(`#deposer`)), chromedp.WaitNotPresent(css(`#summary-error`)))
	b.requireText(`#requested-error`, "Au plus 50 % des dépenses éligibles")
	b.run(chromedp.Clear(css(`#requested`)), chromedp.SendKeys(css(`#requested`), "200000"),
		chromedp.Click(css(`#deposer`)), chromedp.WaitVisible(css(`#historique`)))
	b.requireText(`.fr-alert--success`, "Votre demande est déposée")
	path, _, _ := strings.Cut(value(b, chromedp.Location())[len(b.url):], "?")
	b.eventually(path, `main`, "En présélection")

	// The instructor asks for information; the applicant answers from its home page.
	instr := s.token(t, instructor)
	parisID := strings.TrimPrefix(path, "/dossiers/")
	complete(t, s, instr, openTask(t, s, instr, parisID, models.TaskPreselection), "request_info",
		"Merci de préciser l'hébergement des données.", nil, models.StatusInfoRequested)
	b.eventually("/", `#taches`, "Réponse à une demande de complément")
	b.run(chromedp.Click(css(`#taches a[href^="/taches/"]`)), chromedp.WaitVisible(css(`#comment`)))
	b.run(chromedp.Click(css(`#outcome-answered`)), chromedp.SendKeys(css(`#comment`), "Hébergement chez un prestataire qualifié SecNumCloud."),
		chromedp.Click(css(`form[method=post][action^="/taches/"]:not([action$="prendre"]):not([action$="rendre"]) button[type=submit]`)),
		chromedp.WaitVisible(css(`#historique`)))
	b.eventually(path, `main`, "En présélection")
	b.requireText(`#historique`, "SecNumCloud")

	// Rennes alone covers neither its département nor 500,000 inhabitants: refused, and told why.
	r := s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/applications", s.token(t, rennes), aapApplication(models.Euros(100_000)))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var d models.Dossier
	r.decode(t, &d)
	b.signIn(rennes)
	b.eventually("/dossiers/"+d.ID, `main`, "Refusé")
	b.requireText(`#explication`, "inhabitants")
	b.accessible("refused application")
}
