package web

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/relance/relance/api"
	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

var (
	instructor = models.Principal{Subject: "instructeur", Name: "Instructrice Paris", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"75"}}
	applicant  = models.Principal{Subject: "agent.rennes", Name: "Agent de Rennes", Roles: []models.Role{models.RoleApplicant}, Siren: "213502388"}
)

// workspace is the pages over a store holding one dossier of Paris awaiting preselection.
type workspace struct {
	*httptest.Server
	api      *api.Server
	store    *store.Store
	sessions *Sessions
	client   *http.Client
	taskID   string
}

func newWorkspace(t *testing.T) *workspace {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(ctx))
	require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	id := uuid.NewString()
	_, _, err = st.CreateDossier(ctx, models.Dossier{ID: id, Kind: models.KindAAP, Status: models.StatusPreselection,
		ApplicantSiren: "217500016", ApplicantName: "Ville de Paris", Departement: "75", EnvelopeCode: models.EnvelopeGuichet,
		Payload: []byte(`{"title":"Paris Data"}`), CreatedBy: "agent.paris"}, store.IdempotencyKey{}, nil)
	require.NoError(t, err)
	due := time.Now().Add(-time.Hour)
	task := models.Task{ID: models.TaskID(id, models.TaskPreselection, 1), DossierID: id, Type: models.TaskPreselection,
		Role: models.RoleInstructor, Scope: models.DepartementScope("75"), Status: models.TaskOpen, DueAt: &due, CreatedAt: time.Now()}
	require.NoError(t, st.CreateTask(ctx, task))

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := &api.Server{Store: st, Auth: api.NewAuthenticator("test-secret", "", "", ""), Logger: logger, TemporalTimeout: time.Second,
		Filing: &filing.Service{Store: st, Logger: logger, Temporal: unreachableTemporal{}, Timeout: 5 * time.Second}}
	sessions := NewSessions("test-secret", time.Hour, false)
	pages, err := New(a, sessions, logger)
	require.NoError(t, err)
	pages.DevIdentities = []models.Principal{instructor, applicant, admin, anct, partner, member}
	a.Pages = pages.Register
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &workspace{Server: srv, api: a, store: st, sessions: sessions, client: client, taskID: task.ID}
}

func (w *workspace) get(t *testing.T, path string) (int, string, http.Header) {
	t.Helper()
	resp, err := w.client.Get(w.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b), resp.Header
}

func (w *workspace) post(t *testing.T, path string, form url.Values) (int, string, http.Header) {
	t.Helper()
	resp, err := w.client.PostForm(w.URL+path, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b), resp.Header
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(page)
	require.NotNil(t, m, "every form carries the CSRF token")
	return m[1]
}

// signIn signs in as p through the development page, and returns a page's CSRF token.
func (w *workspace) signIn(t *testing.T, p models.Principal) string {
	t.Helper()
	status, page, _ := w.get(t, "/connexion")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, p.Name)
	status, _, h := w.post(t, "/connexion", url.Values{"_csrf": {csrfOf(t, page)}, "subject": {p.Subject}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "/", h.Get("Location"))
	return csrfOf(t, page)
}

func TestSignInSessionsAndCSRF(t *testing.T) {
	w := newWorkspace(t)

	status, _, h := w.get(t, "/")
	require.Equal(t, http.StatusSeeOther, status, "a page needs a session")
	require.Equal(t, "/connexion", h.Get("Location"))

	status, page, _ := w.get(t, "/connexion")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, `<html lang="fr"`)
	require.Contains(t, page, "Instructrice Paris")
	require.Contains(t, page, "/static/vendor/dsfr/dsfr.min.css")

	// A form without its token, or with another, is refused: no session is set.
	status, page, _ = w.post(t, "/connexion", url.Values{"subject": {instructor.Subject}})
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, page, "le formulaire a expiré")
	status, _, _ = w.post(t, "/connexion", url.Values{"subject": {instructor.Subject}, "_csrf": {"forged"}})
	require.Equal(t, http.StatusForbidden, status)
	status, _, _ = w.get(t, "/")
	require.Equal(t, http.StatusSeeOther, status)

	// An identity that is not on the list signs nobody in.
	_, page, _ = w.get(t, "/connexion")
	status, page, _ = w.post(t, "/connexion", url.Values{"subject": {"inconnu"}, "_csrf": {csrfOf(t, page)}})
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, page, "n&#39;existe pas")

	_, page, _ = w.get(t, "/connexion")
	resp, err := w.client.PostForm(w.URL+"/connexion", url.Values{"subject": {instructor.Subject}, "_csrf": {csrfOf(t, page)}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	require.NotNil(t, session)
	require.True(t, session.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, session.SameSite)
	require.Equal(t, 3600, session.MaxAge, "a session expires")

	status, page, _ = w.get(t, "/")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Instructrice Paris")
	require.Contains(t, page, "Présélection")
	require.Contains(t, page, "En retard", "an overdue task carries its badge")

	// A tampered or expired cookie signs nobody in.
	u, _ := url.Parse(w.URL)
	forged := *session
	forged.Value = strings.Replace(session.Value, ".", "x.", 1)
	w.client.Jar.SetCookies(u, []*http.Cookie{&forged})
	status, _, _ = w.get(t, "/")
	require.Equal(t, http.StatusSeeOther, status)
	w.client.Jar.SetCookies(u, []*http.Cookie{session})
	w.sessions.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	status, _, _ = w.get(t, "/")
	require.Equal(t, http.StatusSeeOther, status)
	w.sessions.now = time.Now

	status, page, _ = w.get(t, "/")
	require.Equal(t, http.StatusOK, status)
	status, _, h = w.post(t, "/deconnexion", url.Values{"_csrf": {csrfOf(t, page)}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "/connexion?info=deconnecte", h.Get("Location"))
	status, _, _ = w.get(t, "/")
	require.Equal(t, http.StatusSeeOther, status, "signed out")
}

func TestInboxTabsAndFilters(t *testing.T) {
	w := newWorkspace(t)
	w.signIn(t, instructor)

	status, page, _ := w.get(t, "/taches")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, `id="tache-`+w.taskID+`"`)
	require.Contains(t, page, "Prendre")
	require.Contains(t, page, "Ville de Paris")

	status, page, _ = w.get(t, "/taches?onglet=suivis")
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, page, w.taskID, "nobody has claimed it yet")

	status, page, _ = w.get(t, "/taches?type=disbursement")
	require.Equal(t, http.StatusOK, status)
	require.NotContains(t, page, w.taskID)

	// A filter that breaks the API's rule says so, in French, next to its field, and keeps it.
	status, page, _ = w.get(t, "/taches?departement=999&kind=aap")
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `<p class="fr-error-text" id="departement-error">Un code de département, par exemple 01, 2A ou 974.</p>`)
	require.Contains(t, page, `value="999"`)
	require.Regexp(t, `<option value="aap" selected>`, page)

	// An applicant's inbox has no instructor's task.
	w2 := newWorkspace(t)
	w2.signIn(t, applicant)
	_, page, _ = w2.get(t, "/taches")
	require.NotContains(t, page, w2.taskID)
	require.Contains(t, page, "Aucune tâche.")
}

func TestTaskFormShowsTheRulesErrorsAndKeepsWhatWasTyped(t *testing.T) {
	w := newWorkspace(t)
	w.signIn(t, instructor)

	status, page, _ := w.get(t, "/taches/"+w.taskID)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, `value="preselect"`)
	require.Contains(t, page, `value="request_info"`)
	token := csrfOf(t, page)

	// A rejection needs a motivation of 10 characters: the completion's own rule, in French.
	status, page, _ = w.post(t, "/taches/"+w.taskID, url.Values{"_csrf": {token}, "outcome": {"reject"}, "comment": {"trop court"[:5]}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `<p class="fr-error-text" id="comment-error">Au moins 10 caractères.</p>`)
	require.Contains(t, page, ">trop </textarea>", "what was typed is kept")
	require.Regexp(t, `value="reject"\s+checked`, page)

	// No outcome: the field rule "required", next to the choice.
	status, page, _ = w.post(t, "/taches/"+w.taskID, url.Values{"_csrf": {token}, "comment": {"un commentaire"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="outcome-error"><p class="fr-message fr-message--error">Ce champ est obligatoire.</p>`)

	// Another person's task is not theirs to complete: refused with the reason.
	w2 := newWorkspace(t)
	w2.signIn(t, applicant)
	status, page, _ = w2.get(t, "/taches/"+w2.taskID)
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, page, "Ce dossier n&#39;est pas dans votre périmètre.", "the refusal in French")
}

func TestDossierPage(t *testing.T) {
	w := newWorkspace(t)
	w.signIn(t, instructor)
	d, err := w.store.Task(context.Background(), w.taskID)
	require.NoError(t, err)
	status, page, _ := w.get(t, "/dossiers/"+d.DossierID)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Appel à projets — Ville de Paris")
	require.Contains(t, page, "En présélection")
	require.Contains(t, page, "Paris Data")
	require.Contains(t, page, `href="/taches/`+w.taskID+`"`)

	status, page, _ = w.get(t, "/dossiers/not-a-uuid")
	require.Equal(t, http.StatusNotFound, status)
	require.Contains(t, page, "Introuvable")
}

func TestStaticFilesAreEmbedded(t *testing.T) {
	w := newWorkspace(t)
	for _, p := range []string{"/static/vendor/dsfr/dsfr.min.css", "/static/vendor/dsfr/dsfr.module.min.js", "/static/vendor/htmx.min.js",
		"/static/vendor/dsfr/fonts/Marianne-Regular.woff2", "/static/vendor/dsfr/icons/system/close-line.svg"} {
		status, body, h := w.get(t, p)
		require.Equal(t, http.StatusOK, status, p)
		require.NotEmpty(t, body)
		require.Contains(t, h.Get("Cache-Control"), "max-age", p)
	}
}

var admin = models.Principal{Subject: "admin", Name: "Administratrice", Roles: []models.Role{models.RoleAdmin}}

func TestDossierListAndItsCSVHaveTheSameColumns(t *testing.T) {
	w := newWorkspace(t)
	w.signIn(t, instructor)
	status, page, _ := w.get(t, "/dossiers?kind=aap")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Ville de Paris")
	ths := regexp.MustCompile(`<th scope="col">([^<]+)</th>`).FindAllStringSubmatch(page, -1)
	var headers []string
	for _, m := range ths {
		headers = append(headers, m[1])
	}

	status, body, h := w.get(t, "/dossiers.csv?kind=aap")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "text/csv; charset=utf-8", h.Get("Content-Type"))
	lines := strings.Split(strings.TrimSpace(body), "\n")
	require.Len(t, lines, 2, body)
	require.Equal(t, strings.Join(headers, ","), lines[0], "the export's columns are the page's, in its order")
	require.Contains(t, lines[1], "Ville de Paris")
	require.Contains(t, lines[1], ",preselection,")

	// Filters apply to the export too; a bad one is refused in French.
	_, body, _ = w.get(t, "/dossiers.csv?kind=guichet")
	require.Equal(t, 1, len(strings.Split(strings.TrimSpace(body), "\n")))
	status, page, _ = w.get(t, "/dossiers?status=nope")
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, "fr-select-group--error")

	// The API gives the same export with Accept: text/csv, and the inbox's too.
	token, err := api.NewAuthenticator("test-secret", "", "", "").Mint(instructor, time.Hour)
	require.NoError(t, err)
	for path, first := range map[string]string{"/api/v1/dossiers?kind=aap": lines[0], "/api/v1/tasks": "Tâche,Dossier,Collectivité,Statut du dossier,Échéance,Prise en charge"} {
		req, _ := http.NewRequest(http.MethodGet, w.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "text/csv")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
		got := strings.Split(strings.TrimSpace(string(b)), "\n")
		require.Equal(t, first, got[0], path)
		require.Len(t, got, 2, path)
	}
	_, body, _ = w.get(t, "/taches.csv?onglet=a-traiter")
	require.Contains(t, body, w.taskID[:36])
}

func TestAdministratorAndFinancePages(t *testing.T) {
	w := newWorkspace(t)
	w.signIn(t, instructor)
	status, page, _ := w.get(t, "/admin")
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, page, "Cette action demande le rôle « Administration ».")
	status, page, _ = w.get(t, "/grand-livre")
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, page, "Seuls l&#39;administration et les agents des finances lisent le grand livre.")
	status, _, _ = w.get(t, "/grand-livre.csv")
	require.Equal(t, http.StatusForbidden, status)

	w2 := newWorkspace(t)
	w2.signIn(t, admin)
	status, page, _ = w2.get(t, "/admin")
	require.Equal(t, http.StatusOK, status)
	d, err := w2.store.Task(context.Background(), w2.taskID)
	require.NoError(t, err)
	require.Contains(t, page, `id="retard-`+d.DossierID+`"`, "the overdue preselection is listed")
	require.Regexp(t, `padding-left: 3.75rem">Axe 2 — guichet FranceConnect et API`, page, "the envelope tree, the guichet under axe 2")
	status, page, _ = w2.get(t, "/grand-livre")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Aucun mouvement.")
	status, body, _ := w2.get(t, "/grand-livre.csv")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "Date,Mouvement,Enveloppe,Dossier,Montant,Référence", strings.TrimSpace(body))
}

func TestGuichetFormKeepsWhatWasTypedAndSaysWhatIsWrong(t *testing.T) {
	w := newWorkspace(t)
	w.signIn(t, applicant)
	status, page, _ := w.get(t, "/guichet/nouveau?kind=api")
	require.Equal(t, http.StatusOK, status)
	spec, _ := models.ChecklistFor(models.GuichetAPI)
	for _, item := range spec.Items {
		require.Contains(t, page, template.HTMLEscapeString(item.Label), "the specification's labels")
	}
	token := csrfOf(t, page)
	form := url.Values{"_csrf": {token}, "kind": {"api"}, "cost": {"douze"}, "checklist." + spec.Items[0].Key: {"on"}}
	status, page, _ = w.post(t, "/guichet/nouveau", form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="cost-error">Un montant en euros`)
	require.Contains(t, page, `value="douze"`)
	require.Regexp(t, `name="checklist.`+spec.Items[0].Key+`"\s+checked`, page)

	form.Set("cost", "12 400")
	status, page, _ = w.post(t, "/guichet/nouveau", form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="api_name-error">Choisissez une valeur de la liste.`, "the API must name one of the window's")

	w.signIn(t, instructor)
	status, page, _ = w.get(t, "/guichet/nouveau")
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, page, "Collectivité")
}

func TestAdministratorCreatesACall(t *testing.T) {
	w := newWorkspace(t)
	w.signIn(t, admin)
	status, page, _ := w.get(t, "/appels/nouveau")
	require.Equal(t, http.StatusOK, status)
	form := url.Values{"_csrf": {csrfOf(t, page)}, "strand": {"donnees"}, "title": {"Données — vague 1"}, "round": {"1"},
		"opens_on": {"2026-12-01"}, "closes_on": {"2026-11-30"}, "jury.0.subject": {"presidente"}, "jury.0.name": {"Présidente"},
		"jury.1.subject": {"jure"}, "chair": {"jure"}, "quorum": {"3"}}

	// The call's rules, in French, next to their fields, what was typed kept.
	status, page, _ = w.post(t, "/appels/nouveau", form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="closes_on-error">La clôture suit l&#39;ouverture.`)
	require.Contains(t, page, `id="chair-error">Le jury est présidé par l&#39;État : le président doit en être un représentant.`)
	require.Contains(t, page, `id="quorum-error">Entre 1 et le nombre de membres (2).`)
	require.Contains(t, page, `value="Données — vague 1"`)

	form.Set("closes_on", "2027-01-31")
	form.Set("jury.0.state", "on")
	form.Set("chair", "presidente")
	form.Set("quorum", "2")
	status, _, h := w.post(t, "/appels/nouveau", form)
	require.Equal(t, http.StatusSeeOther, status)
	require.Regexp(t, `^/jury/[0-9a-f-]{36}\?info=appel-cree$`, h.Get("Location"))
	status, page, _ = w.get(t, h.Get("Location"))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "L&#39;appel est créé.")
	require.Contains(t, page, `id="ouvrir-session"`)
	calls, err := w.store.Calls(context.Background())
	require.NoError(t, err)
	require.Len(t, calls, 1)
	require.Equal(t, "2027-02-01T00:00:00+01:00", calls[0].ClosesAt.In(paris).Format(time.RFC3339), "open through its last day, Paris time")
}

func TestAdministratorEditsThePeopleAndTheTableWins(t *testing.T) {
	w := newWorkspace(t)
	csrf := w.signIn(t, admin)
	status, page, _ := w.get(t, "/admin/personnes")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Aucune fiche")

	// A wrong entry shows the errors next to the fields, in French, and keeps what was typed.
	status, page, _ = w.post(t, "/admin/personnes", url.Values{"_csrf": {csrf}, "subject": {"instructeur"}, "name": {"Instructrice Paris"},
		"roles": {"applicant"}, "departements": {"75 national"}, "active": {"on"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="siren-error"`)
	require.Contains(t, page, "Obligatoire pour les rôles Collectivité et Partenaire.")
	require.Contains(t, page, `id="departements-error"`)
	require.Contains(t, page, `value="75 national"`)
	require.Regexp(t, `id="role-applicant" name="roles" value="applicant" checked`, page)

	// The instructor of Paris is made an instructor of Rennes' département by the table.
	status, _, h := w.post(t, "/admin/personnes", url.Values{"_csrf": {csrf}, "subject": {"instructeur"}, "name": {"Instructrice Rennes"},
		"roles": {"instructor"}, "departements": {"35"}, "active": {"on"}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "/admin/personnes?info=personne-enregistree", h.Get("Location"))
	_, page, _ = w.get(t, "/admin/personnes")
	require.Contains(t, page, `id="personne-instructeur"`)
	require.Contains(t, page, "Instructrice Rennes")
	_, page, _ = w.get(t, "/admin/personnes?sujet=instructeur")
	require.Contains(t, page, `id="departements" name="departements" value="35"`, "the edit form is filled")
	require.Regexp(t, `<ul id="historique-fiche"><li><strong>[^<]+</strong> — admin : Fiche ajoutée</li></ul>`, page, "the change is audited")

	// A person a non-administrator cannot see the table.
	w.client.Jar, _ = cookiejar.New(nil)
	w.signIn(t, instructor)
	status, _, _ = w.get(t, "/admin/personnes")
	require.Equal(t, http.StatusForbidden, status)
	_, page, _ = w.get(t, "/taches")
	require.NotContains(t, page, `id="tache-`+w.taskID+`"`, "the table's scope (35), not the session's (75)")

	// Withdrawn, the person is refused on their next page, with the reason.
	w.client.Jar, _ = cookiejar.New(nil)
	csrf = w.signIn(t, admin)
	status, _, _ = w.post(t, "/admin/personnes", url.Values{"_csrf": {csrf}, "subject": {"instructeur"}, "name": {"Instructrice Rennes"},
		"roles": {"instructor"}, "departements": {"35"}})
	require.Equal(t, http.StatusSeeOther, status)
	w.client.Jar, _ = cookiejar.New(nil)
	w.signIn(t, instructor)
	status, page, _ = w.get(t, "/")
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, page, "retiré par un administrateur")

	// Removed, the entry no longer counts: the session's roles and scopes do again.
	w.client.Jar, _ = cookiejar.New(nil)
	csrf = w.signIn(t, admin)
	status, _, _ = w.post(t, "/admin/personnes/supprimer", url.Values{"_csrf": {csrf}, "subject": {"instructeur"}})
	require.Equal(t, http.StatusSeeOther, status)
	w.client.Jar, _ = cookiejar.New(nil)
	w.signIn(t, instructor)
	_, page, _ = w.get(t, "/taches")
	require.Contains(t, page, `id="tache-`+w.taskID+`"`)
	trail, err := w.store.PersonTrail(context.Background(), "instructeur")
	require.NoError(t, err)
	require.Len(t, trail, 3, "added, withdrawn, removed")
	require.Equal(t, models.AuditPersonRemoved, trail[2].Action)
	require.Equal(t, admin.Subject, trail[2].Actor)
	require.Contains(t, trail[1].Detail, `"departements":["35"],"active":true},"after":`)
}

// thRow reads a page's table headers.
func thRow(page string) string {
	var headers []string
	for _, m := range regexp.MustCompile(`<th scope="col">([^<]+)</th>`).FindAllStringSubmatch(page, -1) {
		headers = append(headers, m[1])
	}
	return strings.Join(headers, ",")
}

func TestInboxPagesAndTheDoneTabExports(t *testing.T) {
	w := newWorkspace(t)
	ctx := context.Background()
	task, err := w.store.Task(ctx, w.taskID)
	require.NoError(t, err)
	// 101 more open tasks of Paris' dossier, then 101 the instructor completed: more than a page each.
	for i := 2; i <= 102; i++ {
		due := time.Now().Add(time.Duration(i) * time.Hour)
		require.NoError(t, w.store.CreateTask(ctx, models.Task{ID: models.TaskID(task.DossierID, models.TaskPreselection, i), DossierID: task.DossierID,
			Type: models.TaskPreselection, Role: models.RoleInstructor, Scope: models.DepartementScope("75"), DueAt: &due}))
	}
	for i := 103; i <= 203; i++ {
		id := models.TaskID(task.DossierID, models.TaskInformation, i)
		require.NoError(t, w.store.CreateTask(ctx, models.Task{ID: id, DossierID: task.DossierID,
			Type: models.TaskInformation, Role: models.RoleInstructor, Scope: models.DepartementScope("75")}))
		require.NoError(t, w.store.CloseTask(ctx, id, instructor.Subject, "done", "", nil))
	}
	w.signIn(t, instructor)
	rowID := regexp.MustCompile(`<tr id="tache-([^"]+)"`)

	// À traiter: the first page holds 100 tasks, the most urgent first, and links to the rest.
	status, page, _ := w.get(t, "/taches?onglet=a-traiter")
	require.Equal(t, http.StatusOK, status)
	first := rowID.FindAllStringSubmatch(page, -1)
	require.Len(t, first, 100)
	require.Equal(t, w.taskID, first[0][1], "the overdue task first")
	next := regexp.MustCompile(`href="(/taches\?[^"]*apres=[^"]+)" id="page-suivante"`).FindStringSubmatch(page)
	require.NotNil(t, next, "a link to the next page")
	status, page, _ = w.get(t, html.UnescapeString(next[1]))
	require.Equal(t, http.StatusOK, status)
	second := rowID.FindAllStringSubmatch(page, -1)
	require.Len(t, second, 2)
	require.NotContains(t, page, `id="page-suivante"`, "the last page")
	seen := map[string]bool{}
	for _, m := range append(first, second...) {
		require.False(t, seen[m[1]], "no task on two pages")
		seen[m[1]] = true
	}
	status, _, _ = w.get(t, "/taches?apres=nonsense")
	require.Equal(t, http.StatusUnprocessableEntity, status)

	// Traités: the tasks the instructor completed, pages of 100, and their export with the page's columns.
	status, page, _ = w.get(t, "/taches?onglet=traites")
	require.Equal(t, http.StatusOK, status)
	require.Len(t, rowID.FindAllStringSubmatch(page, -1), 100)
	headers := thRow(page)
	require.Equal(t, "Tâche,Dossier,Collectivité,Statut du dossier,Échéance,Issue,Traitée le", headers)
	next = regexp.MustCompile(`href="(/taches\?[^"]*apres=[^"]+)" id="page-suivante"`).FindStringSubmatch(page)
	require.NotNil(t, next)
	_, page, _ = w.get(t, html.UnescapeString(next[1]))
	require.Len(t, rowID.FindAllStringSubmatch(page, -1), 1)
	csvLink := regexp.MustCompile(`href="([^"]+)" hx-boost="false" id="export-csv"`).FindStringSubmatch(page)
	require.NotNil(t, csvLink)
	require.Equal(t, "/taches.csv?onglet=traites", html.UnescapeString(csvLink[1]))

	status, body, h := w.get(t, "/taches.csv?onglet=traites")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "text/csv; charset=utf-8", h.Get("Content-Type"))
	lines := strings.Split(strings.TrimSpace(body), "\n")
	require.Equal(t, headers, lines[0], "the export's columns are the page's, in its order")
	require.Len(t, lines, 102, "every completed task, not one page")
	require.Contains(t, lines[1], "information,"+task.DossierID+",Ville de Paris,preselection,,done,")

	// The open tabs' export keeps the inbox's columns.
	_, page, _ = w.get(t, "/taches?onglet=a-traiter")
	_, body, _ = w.get(t, "/taches.csv?onglet=a-traiter")
	require.Equal(t, thRow(page), strings.SplitN(body, "\n", 2)[0])
	require.Len(t, strings.Split(strings.TrimSpace(body), "\n"), 103)
}

// TestPageRefusalsAreAudited: a refused act through a page lands in its dossier's trail once,
// as the API's does (filing.RecordRefusal): the applicant claiming an instructor's task
// (403), the instructor's rejection without a motivation (422); a task that does not exist
// is no dossier's.
func TestPageRefusalsAreAudited(t *testing.T) {
	w := newWorkspace(t)
	ctx := context.Background()
	task, err := w.store.Task(ctx, w.taskID)
	require.NoError(t, err)
	refusals := func() []models.AuditEvent {
		trail, err := w.store.AuditTrail(ctx, task.DossierID)
		require.NoError(t, err)
		var out []models.AuditEvent
		for _, e := range trail {
			if e.Action == models.AuditRefusedAttempt {
				out = append(out, e)
			}
		}
		return out
	}

	token := w.signIn(t, applicant)
	status, _, _ := w.post(t, "/taches/"+w.taskID+"/prendre", url.Values{"_csrf": {token}})
	require.Equal(t, http.StatusForbidden, status)
	seen := refusals()
	require.Len(t, seen, 1)
	require.Equal(t, applicant.Subject, seen[0].Actor)
	require.Contains(t, seen[0].Detail, "POST /taches/"+w.taskID+"/prendre by agent.rennes [applicant] refused, forbidden: ")

	w.client.Jar, _ = cookiejar.New(nil)
	token = w.signIn(t, instructor)
	status, _, _ = w.post(t, "/taches/"+w.taskID, url.Values{"_csrf": {token}, "outcome": {"reject"}, "comment": {"court"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	seen = refusals()
	require.Len(t, seen, 2, "each refused act once")
	require.Contains(t, seen[1].Detail, "POST /taches/"+w.taskID+" by instructeur [instructor] refused, invalid: ")

	status, _, _ = w.post(t, "/taches/"+task.DossierID+".preselection.9/prendre", url.Values{"_csrf": {token}})
	require.Equal(t, http.StatusNotFound, status)
	require.Len(t, refusals(), 2)
}

// TestRefusalsSpeakFrench: a refused act's reason, which the API words in English, is in
// French on the page, with its title.
func TestRefusalsSpeakFrench(t *testing.T) {
	w := newWorkspace(t)
	token := w.signIn(t, instructor)
	require.NoError(t, w.store.CancelTask(context.Background(), w.taskID))
	status, page, _ := w.post(t, "/taches/"+w.taskID, url.Values{"_csrf": {token}, "outcome": {"preselect"}, "comment": {"très bon projet"}})
	require.Equal(t, http.StatusConflict, status)
	require.Contains(t, page, "Action impossible dans l&#39;état actuel : Cette tâche a été annulée.")
	require.NotContains(t, page, "cancelled")
}

// refusingTemporal answers every Update with err, as a workflow's validator refuses one.
type refusingTemporal struct {
	client.Client
	err error
}

func (r refusingTemporal) UpdateWorkflow(context.Context, client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	return nil, r.err
}

// TestGuichetAmendmentShowsErrorsNextToTheItems: the applicant's amendment of an incomplete
// guichet dossier, refused by the workflow's rules, shows each error next to its item, in
// French, with the ticks as sent; refused for the dossier's state, it says why in French,
// on the dossier's page, ticks kept.
func TestGuichetAmendmentShowsErrorsNextToTheItems(t *testing.T) {
	w := newWorkspace(t)
	ctx := context.Background()
	spec, _ := models.ChecklistFor(models.GuichetFranceConnect)
	first, last := spec.Items[0].Key, spec.Items[len(spec.Items)-1].Key
	payload, err := json.Marshal(models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 1_240_000,
		Checklist: map[string]bool{first: true}, ChecklistVersion: spec.Version})
	require.NoError(t, err)
	id := uuid.NewString()
	_, _, err = w.store.CreateDossier(ctx, models.Dossier{ID: id, Kind: models.KindGuichet, Status: models.StatusIncomplete,
		ApplicantSiren: applicant.Siren, ApplicantName: "Ville de Rennes", Departement: "35", EnvelopeCode: models.EnvelopeGuichet,
		Payload: payload, CreatedBy: applicant.Subject}, store.IdempotencyKey{}, nil)
	require.NoError(t, err)
	token := w.signIn(t, applicant)
	status, page, _ := w.get(t, "/dossiers/"+id)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, `id="completer"`)
	require.NotContains(t, page, "fr-message--error")

	w.api.Filing.Temporal = refusingTemporal{err: temporal.NewApplicationError("checklist."+last+": is not an item of specification "+spec.Version,
		models.EInvalid, map[string]string{"checklist." + last: "is not an item of specification " + spec.Version})}
	status, page, _ = w.post(t, "/dossiers/"+id+"/checklist", url.Values{"_csrf": {token}, "checklist." + last: {"on"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `<p class="fr-message fr-message--error" id="checklist.`+last+`-error">Cet engagement ne fait pas partie du cahier des charges `+spec.Version+`.</p>`)
	require.Regexp(t, `name="checklist.`+last+`" checked aria-describedby="checklist.`+last+`-error"`, page, "the tick sent is kept")
	require.Regexp(t, `name="checklist.`+first+`" >`, page, "the tick taken off stays off")
	require.NotContains(t, page, `id="checklist.`+first+`-error"`)

	w.api.Filing.Temporal = refusingTemporal{err: temporal.NewApplicationError("dossier is checking: only an incomplete dossier can be amended", models.EConflict)}
	status, page, _ = w.post(t, "/dossiers/"+id+"/checklist", url.Values{"_csrf": {token}, "checklist." + first: {"on"}, "checklist." + last: {"on"}})
	require.Equal(t, http.StatusConflict, status)
	require.Contains(t, page, `id="probleme"><p>Action impossible dans l&#39;état actuel : Le dossier est « en vérification » : seul un dossier incomplet peut être complété.</p>`)
	require.Regexp(t, `name="checklist.`+last+`" checked`, page)
	require.Regexp(t, `name="checklist.`+first+`" checked`, page)
}

// unreachableTemporal is a workflow service that never answers a start or a signal: what
// the pages record stands, and the reconciler or the processes' own rechecks follow it up.
type unreachableTemporal struct{ client.Client }

func (unreachableTemporal) ExecuteWorkflow(context.Context, client.StartWorkflowOptions, any, ...any) (client.WorkflowRun, error) {
	return nil, errors.New("no workflow service in the web tests")
}

func (unreachableTemporal) SignalWorkflow(context.Context, string, string, string, any) error {
	return errors.New("no workflow service in the web tests")
}
