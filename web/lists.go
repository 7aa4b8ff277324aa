package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/api"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// taskFilter reads an inbox's filters and tab, checked by the API's rules.
func taskFilter(q url.Values, tab string) (store.TaskFilter, map[string]string) {
	f := store.TaskFilter{Type: q.Get("type"), DossierKind: q.Get("kind"), DossierStatus: q.Get("status"),
		Departement: q.Get("departement"), Overdue: q.Get("overdue") == "on", ByDue: true, Limit: 100}
	switch tab {
	case "a-traiter":
		f.Assigned = "unassigned"
	case "suivis":
		f.Assigned = "me"
	}
	errs := map[string]string{}
	addFieldErrorsFR(errs, models.TaskFilterErrors(f.Type, f.DossierKind, f.DossierStatus, f.Departement, f.Assigned))
	return f, errs
}

func (s *Server) tasksCSV(c echo.Context) error {
	tab := c.QueryParam("onglet")
	f, errs := taskFilter(c.QueryParams(), tab)
	if len(errs) > 0 {
		return s.renderError(c, models.FieldErrors(errs))
	}
	if tab == "traites" {
		return s.API.DoneTasksCSV(c.Request().Context(), c.Response(), principal(c).Subject)
	}
	return s.API.TasksCSV(c.Request().Context(), c.Response(), principal(c), f)
}

// dossierFilter reads a dossier list's filters, checked by the API's rules.
func dossierFilter(q url.Values) (store.DossierFilter, map[string]string) {
	f := store.DossierFilter{Kind: q.Get("kind"), Status: q.Get("status"), Departement: q.Get("departement"), Call: q.Get("call"),
		After: q.Get("apres"), Limit: 100}
	errs := map[string]string{}
	addFieldErrorsFR(errs, models.DossierFilterErrors(f.Kind, f.Status, f.Departement, ""))
	return f, errs
}

type dossierListView struct {
	Filter  url.Values
	Errors  map[string]string
	Rows    []models.Dossier
	Kinds   []models.DossierKind
	Status  []models.Status
	Columns []string
	CSV     string
	Next    string
}

// dossierList lists the dossiers the person may read: an applicant's own, an instructor's
// départements, everything for the national roles.
func (s *Server) dossierList(c echo.Context) error {
	q := c.QueryParams()
	f, errs := dossierFilter(q)
	v := dossierListView{Filter: q, Errors: errs, Kinds: models.Kinds, Status: models.Statuses, Columns: headers(api.DossierColumns)}
	csvQuery := url.Values{}
	for _, k := range []string{"kind", "status", "departement", "call"} {
		if q.Get(k) != "" {
			csvQuery.Set(k, q.Get(k))
		}
	}
	v.CSV = "/dossiers.csv?" + csvQuery.Encode()
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		var err error
		if v.Rows, err = s.Store.ListDossiers(c.Request().Context(), principal(c), f); err != nil {
			return s.renderError(c, err)
		}
		if len(v.Rows) == f.Limit {
			csvQuery.Set("apres", v.Rows[len(v.Rows)-1].ID)
			v.Next = "/dossiers?" + csvQuery.Encode()
		}
	}
	return s.render(c, status, "dossiers", "Dossiers", v)
}

func headers[T any](cols []api.Column[T]) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Header
	}
	return out
}

func (s *Server) dossiersCSV(c echo.Context) error {
	f, errs := dossierFilter(c.QueryParams())
	if len(errs) > 0 {
		return s.renderError(c, models.FieldErrors(errs))
	}
	f.After = ""
	return s.API.DossiersCSV(c.Request().Context(), c.Response(), principal(c), f)
}

type ledgerView struct {
	Columns  []string
	Entries  []models.LedgerEntry
	Envelope string
}

// ledgerPage is the ledger: every movement of money, newest first.
func (s *Server) ledgerPage(c echo.Context) error {
	v := ledgerView{Columns: headers(api.LedgerColumns), Envelope: c.QueryParam("enveloppe")}
	var err error
	if v.Entries, err = s.App.Ledger(c.Request().Context(), principal(c), "", v.Envelope, 0, 200); err != nil {
		return s.renderError(c, err)
	}
	return s.render(c, http.StatusOK, "ledger", "Grand livre", v)
}

func (s *Server) ledgerCSV(c echo.Context) error {
	err := s.API.LedgerCSV(c.Request().Context(), c.Response(), principal(c), "", c.QueryParam("enveloppe"))
	if err != nil && !c.Response().Committed {
		return s.renderError(c, err)
	}
	return err
}

// envelopeLine is an envelope of the tree, with its depth and the shares of its bar.
type envelopeLine struct {
	models.Envelope
	Depth                              int
	PaidPct, CommittedPct, ReservedPct float64
	Available                          models.Cents
}

type adminView struct {
	Envelopes     []envelopeLine
	Overdue       []taskRow
	Notifications []models.Notification
	TemporalUI    string
}

// adminPage shows the envelopes as bars, the dossiers waiting past their due date (with
// their workflow in the Temporal UI), and the notifications sent.
func (s *Server) adminPage(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	if err := p.NeedRole(models.RoleAdmin); err != nil {
		return s.renderError(c, err)
	}
	envs, err := s.Store.Envelopes(ctx)
	if err != nil {
		return s.renderError(c, err)
	}
	v := adminView{Envelopes: envelopeTree(envs), TemporalUI: s.TemporalUI}
	overdue, err := s.Store.OverdueTasks(ctx, time.Now(), nil, 100)
	if err != nil {
		return s.renderError(c, err)
	}
	tasks := make([]models.Task, len(overdue))
	for i, o := range overdue {
		tasks[i] = o.Task
	}
	if v.Overdue, err = s.taskRows(ctx, p, tasks); err != nil {
		return s.renderError(c, err)
	}
	if v.Notifications, err = s.Store.Notifications(ctx, "", 0, 50); err != nil {
		return s.renderError(c, err)
	}
	return s.render(c, http.StatusOK, "admin", "Pilotage", v)
}

// envelopeTree orders envelopes depth first, each under its parent.
func envelopeTree(envs []models.Envelope) []envelopeLine {
	children := map[string][]models.Envelope{}
	for _, e := range envs {
		children[e.ParentCode] = append(children[e.ParentCode], e)
	}
	var out []envelopeLine
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, e := range children[parent] {
			available, _ := e.AvailableCents() // figures that cannot add up show as 0 (an alarm elsewhere)
			l := envelopeLine{Envelope: e, Depth: depth, Available: available}
			if e.AllocatedCents > 0 {
				pct := func(c models.Cents) float64 { return float64(c) * 100 / float64(e.AllocatedCents) }
				l.PaidPct, l.CommittedPct, l.ReservedPct = pct(e.PaidCents), pct(e.CommittedCents), pct(e.ReservedCents)
			}
			out = append(out, l)
			walk(e.Code, depth+1)
		}
	}
	walk("", 0)
	return out
}
