// Package web is relance's workspace: server-rendered pages (html/template) in the French
// State's design system (DSFR), progressively enhanced with htmx, served by the API's Echo
// under "/". Pages call the same code as the API (the application layer's acts, package
// filing, and the store's reads under the access policy): no second set of rules, no HTTP
// round trip to itself. The vendored front-end files (scripts/vendor-web.sh) are
// embedded in the binary.
package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/relance/relance/api"
	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

//go:embed static
var staticFiles embed.FS

//go:embed templates
var templateFiles embed.FS

// Server serves the workspace's pages.
type Server struct {
	// API maps errors to statuses and writes the CSV exports; the pages' acts, signing in
	// included, go through App, the application layer the API's handlers call too, and
	// their reads through Store.
	API      *api.Server
	App      *filing.Service
	Store    *store.Store
	Sessions *Sessions
	// DevIdentities, when set, are the people the development sign-in page lists: one
	// click signs in as one of them. Empty in production, which signs in through OIDC.
	DevIdentities []models.Principal
	// TemporalUI is the Temporal Web UI's address for a namespace (…/namespaces/default),
	// for the administrators' links to a dossier's workflow; empty hides the links.
	TemporalUI string
	// OIDC, when set, signs people in through an OpenID Connect provider.
	OIDC   *OIDC
	Logger *slog.Logger
	pages  map[string]*template.Template
}

// New prepares the pages; the templates are parsed once, at start.
func New(a *api.Server, sessions *Sessions, logger *slog.Logger) (*Server, error) {
	s := &Server{API: a, App: a.Filing, Store: a.Store, Sessions: sessions, Logger: logger, pages: map[string]*template.Template{}}
	names, err := fs.Glob(templateFiles, "templates/page_*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/task_*.html", n)
		if err != nil {
			return nil, err
		}
		s.pages[strings.TrimSuffix(strings.TrimPrefix(n, "templates/page_"), ".html")] = t
	}
	return s, nil
}

const csrfField = "_csrf"

// Register adds the pages' routes to e, beside the API's.
func (s *Server) Register(e *echo.Echo) {
	static, _ := fs.Sub(staticFiles, "static")
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", cacheFor(24*time.Hour, http.FileServerFS(static)))))
	csrf := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup: "form:" + csrfField + ",header:X-CSRF-Token", CookieName: "relance_csrf", CookiePath: "/",
		CookieHTTPOnly: true, CookieSecure: s.Sessions.Secure, CookieSameSite: http.SameSiteLaxMode, CookieMaxAge: 86400,
		ErrorHandler: func(err error, c echo.Context) error {
			return s.renderError(c, models.Errorf(models.EForbidden, "le formulaire a expiré ou ne vient pas de cette application : rechargez la page et recommencez"))
		},
	})
	signed := s.signedIn
	e.GET("/connexion", s.loginPage, csrf, s.maybeSignedIn)
	e.POST("/connexion", s.devLogin, csrf)
	e.GET("/connexion/oidc", s.oidcStart, csrf)
	e.GET("/connexion/retour", s.oidcCallback, csrf)
	e.POST("/deconnexion", s.logout, csrf)
	e.GET("/", s.home, csrf, signed)
	e.GET("/taches", s.inbox, csrf, signed)
	e.GET("/taches/:id", s.taskPage, csrf, signed)
	e.POST("/taches/:id", s.completeTask, csrf, signed)
	e.GET("/taches/:id/total", s.scoringTotalFragment, csrf, signed)
	e.POST("/taches/:id/prendre", s.claim(false), csrf, signed)
	e.POST("/taches/:id/rendre", s.claim(true), csrf, signed)
	e.GET("/dossiers/:id", s.dossierPage, csrf, signed)
	e.POST("/dossiers/:id/checklist", s.amendChecklist, csrf, signed)
	e.GET("/dossiers", s.dossierList, csrf, signed)
	e.GET("/dossiers.csv", s.dossiersCSV, signed)
	e.GET("/taches.csv", s.tasksCSV, signed)
	e.GET("/guichet/nouveau", s.guichetForm, csrf, signed)
	e.POST("/guichet/nouveau", s.fileGuichet, csrf, signed)
	e.GET("/grand-livre", s.ledgerPage, csrf, signed)
	e.GET("/grand-livre.csv", s.ledgerCSV, signed)
	e.GET("/admin", s.adminPage, csrf, signed)
	e.GET("/admin/personnes", s.peoplePage, csrf, signed)
	e.POST("/admin/personnes", s.savePerson, csrf, signed)
	e.POST("/admin/personnes/supprimer", s.deletePerson, csrf, signed)
	e.GET("/jury", s.juryList, csrf, signed)
	e.GET("/jury/:id", s.jurySession, csrf, signed)
	e.POST("/jury/:id/ouvrir", s.openJury, csrf, signed)
	e.GET("/appels", s.callsPage, csrf, signed)
	e.GET("/appels/nouveau", s.callForm, csrf, signed)
	e.POST("/appels/nouveau", s.createCall, csrf, signed)
	e.GET("/appels/:id/candidature", s.applicationForm, csrf, signed)
	e.POST("/appels/:id/candidature", s.fileApplication, csrf, signed)
	e.GET("/dossiers/:id/brouillon", s.draftForm, csrf, signed)
	e.POST("/dossiers/:id/brouillon", s.saveDraft, csrf, signed)
	e.GET("/axe3/nouveau", s.axe3Form, csrf, signed)
	e.POST("/axe3/nouveau", s.fileAxe3, csrf, signed)
	e.GET("/dossiers/:id/axe3", s.axe3DraftForm, csrf, signed)
	e.POST("/dossiers/:id/axe3", s.saveAxe3Draft, csrf, signed)
	e.GET("/axe3/seances", s.sessionsPage, csrf, signed)
	e.POST("/axe3/seances", s.openSession, csrf, signed)
	e.GET("/axe3/seances/:id", s.sessionPage, csrf, signed)
	e.POST("/axe3/seances/:id/decisions", s.decideInSession, csrf, signed)
	e.POST("/axe3/seances/:id/cloture", s.closeSession, csrf, signed)
	e.GET("/axe3/enveloppes", s.envelopesPage, csrf, signed)
	e.POST("/axe3/repartition", s.saveSplit, csrf, signed)
	e.POST("/axe3/regions/:region/delegations", s.delegate, csrf, signed)
	e.POST("/axe3/regles", s.saveRules, csrf, signed)
	s.registerReferences(e, csrf, signed)
	s.registerCampaigns(e, csrf, signed)
}

func cacheFor(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age="+itoa(int(d/time.Second)))
		h.ServeHTTP(w, r)
	})
}

const principalKey = "web.principal"

// signedIn requires a valid session (else the sign-in page), and resolves the person as
// the API does for a token: the table of people, then the juries.
func (s *Server) signedIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p, err := s.Sessions.Principal(c.Request())
		if err != nil {
			return c.Redirect(http.StatusSeeOther, "/connexion")
		}
		// The table of people is read on every page, not only at sign-in, so that an
		// administrator's change, a withdrawal above all, takes effect at once.
		if p, err = s.App.SignIn(c.Request().Context(), p); err != nil {
			if code := models.ErrorCode(err); code == models.EForbidden || code == models.EUnauthorized {
				c.SetCookie(s.Sessions.Clear())
			}
			return s.renderError(c, signInRefusal(err))
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

// maybeSignedIn resolves the person of a valid session, as signedIn does, and lets anyone
// else through: the sign-in page and the public pages show more to those signed in.
func (s *Server) maybeSignedIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if claimed, err := s.Sessions.Principal(c.Request()); err == nil {
			if p, err := s.App.SignIn(c.Request().Context(), claimed); err == nil {
				c.Set(principalKey, p)
			}
		}
		return next(c)
	}
}

func principal(c echo.Context) models.Principal {
	p, _ := c.Get(principalKey).(models.Principal)
	return p
}

// view is what every page's template receives.
type view struct {
	Title     string
	Principal models.Principal
	SignedIn  bool
	CSRF      string
	Path      string
	Flash     string
	Data      any
}

// flashes are the confirmations a redirect after an act asks the next page to show.
var flashes = map[string]string{"prise": "La tâche vous est attribuée.", "rendue": "La tâche est rendue : un autre agent peut la prendre.",
	"tache-terminee": "La tâche est terminée.", "deconnecte": "Vous êtes déconnecté.",
	"depose": "Votre demande est déposée : elle est en cours de vérification.", "complete": "Votre liste est transmise : le dossier est vérifié à nouveau.",
	"brouillon":            "Votre brouillon est enregistré.",
	"appel-cree":           "L'appel est créé.",
	"personne-enregistree": "La fiche est enregistrée : elle vaut dès la prochaine page de la personne.",
	"personne-supprimee":   "La fiche est supprimée : la personne se connecte avec les rôles de son fournisseur d'identité.",
	"session-ouverte":      "La session du jury est ouverte : les dossiers présélectionnés y entrent.",
	"seance-ouverte":       "La séance de programmation est ouverte : les dossiers notés de l'enveloppe y entrent, classés par note.",
	"decision":             "La décision est enregistrée.",
	"seance-close":         "La séance est close : les dossiers sans décision sont reportés à la suivante.",
	"repartition":          "La répartition régionale est enregistrée.",
	"delegation":           "La délégation est enregistrée.",
	"regles":               "Les règles du territoire sont enregistrées : elles valent pour les prochaines notations et demandes.",
	"labo-enregistre":      "Le laboratoire est enregistré.",
	"crte-enregistre":      "Le CRTE est enregistré.",
	"campagne-creee":       "La campagne est créée : son processus suit ses dates.",
	"dates-deplacees":      "Les dates sont déplacées : les phases suivent.",
	"proposition-deposee":  "Votre proposition est déposée : un instructeur de l'ANCT l'examine.",
	"bulletin-depose":      "Votre bulletin est enregistré.",
	"bulletin-remplace":    "Votre bulletin remplace le précédent.",
	"service-cree":         "Le service candidat est créé.",
	"proposition-deplacee": "La proposition a changé de service.",
	"services-fusionnes":   "Les services sont fusionnés.",
	"cout-estime":          "Le coût estimé est enregistré.",
	"interet-enregistre":   "Votre manifestation d'intérêt est enregistrée.",
	"referent-confirme":    "Le territoire référent est confirmé."}

func (s *Server) render(c echo.Context, status int, page, title string, data any) error {
	t, ok := s.pages[page]
	if !ok {
		return errors.New("no page " + page)
	}
	p := principal(c)
	csrf, _ := c.Get(middleware.DefaultCSRFConfig.ContextKey).(string)
	v := view{Title: title, Principal: p, SignedIn: p.Subject != "", CSRF: csrf, Path: c.Request().URL.Path,
		Flash: flashes[c.QueryParam("info")], Data: data}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().WriteHeader(status)
	return t.ExecuteTemplate(c.Response(), "layout.html", v)
}

// renderFragment answers an htmx request with one template of a page (defined in the
// page's file), without the layout.
func (s *Server) renderFragment(c echo.Context, page, name string, data any) error {
	t, ok := s.pages[page]
	if !ok {
		return errors.New("no page " + page)
	}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	return t.ExecuteTemplate(c.Response(), name, data)
}

// renderError answers a refused or failed act with a page saying why, with the status the
// API would give.
func (s *Server) renderError(c echo.Context, err error) error {
	var e *models.Error
	if !errors.As(err, &e) {
		s.Logger.Error("page failed", "path", c.Request().URL.Path, "err", err)
		e = &models.Error{Code: models.EInternal, Message: "une erreur inattendue s'est produite"}
	}
	e = &models.Error{Code: e.Code, Message: refusalFR(e.Message), Fields: e.Fields} // a copy: e may be a shared sentinel
	return s.render(c, api.StatusOf(e), "error", label(errorTitles, e.Code), e)
}

// back is where to go after an act: the page the form names, if it is one of ours.
func back(c echo.Context, fallback string) string {
	r := c.FormValue("retour")
	if u, err := url.Parse(r); err == nil && r != "" && u.Scheme == "" && u.Host == "" && strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(r, "//") {
		return r
	}
	return fallback
}

func (s *Server) loginPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "login", "Connexion", loginView{Dev: s.DevIdentities, OIDC: s.OIDC != nil})
}

type loginView struct {
	Dev  []models.Principal
	OIDC bool
}

// devLogin signs in as one of the development identities.
func (s *Server) devLogin(c echo.Context) error {
	i := slices.IndexFunc(s.DevIdentities, func(p models.Principal) bool { return p.Subject == c.FormValue("subject") })
	if i < 0 {
		return s.renderError(c, models.Errorf(models.EUnauthorized, "cette identité de démonstration n'existe pas"))
	}
	cookie, err := s.Sessions.Cookie(s.DevIdentities[i])
	if err != nil {
		return s.renderError(c, err)
	}
	c.SetCookie(cookie)
	return c.Redirect(http.StatusSeeOther, "/")
}

func (s *Server) logout(c echo.Context) error {
	c.SetCookie(s.Sessions.Clear())
	return c.Redirect(http.StatusSeeOther, "/connexion?info=deconnecte")
}

// taskRow is a task as a list shows it, with its dossier.
type taskRow struct {
	store.TaskLine
	Overdue bool
	Mine    bool
}

func (s *Server) taskRows(ctx context.Context, p models.Principal, tasks []models.Task) ([]taskRow, error) {
	lines, err := s.Store.TaskLines(ctx, tasks)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	rows := make([]taskRow, len(lines))
	for i, t := range lines {
		rows[i] = taskRow{TaskLine: t, Overdue: t.Overdue(now),
			Mine: t.Assignee != "" && t.Assignee == p.Subject}
	}
	return rows, nil
}
