package web

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/api"
	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
)

// The préfets' Axe 3 pages: their programming sessions (open one on an envelope they
// decide on, decide each dossier in ranking order, close it), and the envelopes: the
// administrator's regional split and the préfet de région's delegations.

// sessionsView lists the envelopes a préfet decides on, the session open on each, and the
// sessions held.
type sessionsView struct {
	Envelopes []sessionEnvelope
	Sessions  []models.ProgrammingSession
	Problem   string
}

type sessionEnvelope struct {
	models.Envelope
	Available models.Cents
	OpenID    string
}

func (s *Server) sessionsPage(c echo.Context) error {
	return s.showSessions(c, http.StatusOK, "")
}

func (s *Server) showSessions(c echo.Context, status int, problem string) error {
	ctx, p := c.Request().Context(), principal(c)
	if err := p.NeedRole(models.RolePrefet); err != nil {
		return s.renderError(c, err)
	}
	envs, err := s.Store.Envelopes(ctx)
	if err != nil {
		return s.renderError(c, err)
	}
	v := sessionsView{Problem: problem}
	var codes []string
	for _, e := range envs {
		if p.GovernsEnvelope(e.Code) {
			available, _ := e.AvailableCents()
			v.Envelopes = append(v.Envelopes, sessionEnvelope{Envelope: e, Available: available})
			codes = append(codes, e.Code)
		}
	}
	if v.Sessions, err = s.Store.Sessions(ctx, codes); err != nil {
		return s.renderError(c, err)
	}
	for i, e := range v.Envelopes {
		if j := slices.IndexFunc(v.Sessions, func(ps models.ProgrammingSession) bool { return ps.EnvelopeCode == e.Code && ps.ClosedAt == nil }); j >= 0 {
			v.Envelopes[i].OpenID = v.Sessions[j].ID
		}
	}
	return s.render(c, status, "axe3_sessions", "Séances de programmation", v)
}

// openSession opens a programming session on an envelope, as the API does.
func (s *Server) openSession(c echo.Context) error {
	session, err := s.App.OpenSession(c.Request().Context(), principal(c), models.OpenSessionRequest{EnvelopeCode: c.FormValue("envelope_code")})
	var e *models.Error
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/axe3/seances/"+url.PathEscape(session.ID)+"?info=seance-ouverte")
	case asError(err, &e) && e.Code != models.EInternal && e.Code != models.EForbidden:
		return s.showSessions(c, api.StatusOf(e), problemFR(e))
	}
	return s.renderError(c, err)
}

// sessionView is a programming session: its ranking filled from the top, and for each
// dossier still to decide the préfet's form, as typed, with its errors.
type sessionView struct {
	models.ProgrammingSession
	CanDecide bool
	Rows      []sessionRow
	Problem   string
}

type sessionRow struct {
	models.SessionEntry
	// Departs is whether granting it now departs from the ranking (a motivation is needed).
	Departs bool
	Values  map[string]string
	Errors  map[string]string
}

func (s *Server) sessionPage(c echo.Context) error {
	return s.showSession(c, http.StatusOK, "", nil, nil, "")
}

func (s *Server) showSession(c echo.Context, status int, dossierID string, values, errs map[string]string, problem string) error {
	ctx, p := c.Request().Context(), principal(c)
	session, err := s.App.Session(ctx, p, c.Param("id"))
	if err != nil {
		return s.renderError(c, err)
	}
	v := sessionView{ProgrammingSession: session, CanDecide: session.ClosedAt == nil && p.GovernsEnvelope(session.EnvelopeCode), Problem: problem}
	for _, e := range session.Entries {
		r := sessionRow{SessionEntry: e, Departs: models.DepartsFromRanking(session.Entries, e.DossierID),
			Values: map[string]string{"amount": eurosInput(e.ProposedCents)}, Errors: map[string]string{}}
		if e.DossierID == dossierID {
			r.Values, r.Errors = values, errs
		}
		v.Rows = append(v.Rows, r)
	}
	return s.render(c, status, "axe3_session", "Séance de programmation", v)
}

// decideInSession records the préfet's decision on a dossier of the session, as the API
// does; errors show next to that dossier's fields.
func (s *Server) decideInSession(c echo.Context) error {
	form, err := formParams(c)
	if err != nil {
		return s.renderError(c, err)
	}
	values := map[string]string{}
	for k := range form {
		if k != csrfField {
			values[k] = form.Get(k)
		}
	}
	d := models.SessionDecision{DossierID: form.Get("dossier_id"), Outcome: form.Get("outcome"), Comment: strings.TrimSpace(form.Get("comment"))}
	errs := map[string]string{}
	if d.Outcome == models.OutcomeGrant {
		if cents, ok := parseEuros(form.Get("amount")); ok {
			d.AmountCents = cents
		} else if form.Get("amount") != "" {
			errs["amount_cents"] = "Un montant en euros, par exemple 40000 ou 12 500,50."
		}
	}
	if len(errs) == 0 {
		_, err = s.App.DecideInSession(c.Request().Context(), principal(c), c.Param("id"), d)
	}
	var e *models.Error
	switch {
	case len(errs) > 0:
		return s.showSession(c, http.StatusUnprocessableEntity, d.DossierID, values, errs, "")
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/axe3/seances/"+url.PathEscape(c.Param("id"))+"?info=decision#dossier-"+url.PathEscape(d.DossierID))
	case asError(err, &e) && len(e.Fields) > 0:
		for k, msg := range e.Fields {
			errs[strings.TrimPrefix(k, "data.")] = fieldMessageFR(msg)
		}
		return s.showSession(c, http.StatusUnprocessableEntity, d.DossierID, values, errs, "")
	case asError(err, &e) && e.Code != models.EInternal && e.Code != models.ENotFound:
		return s.showSession(c, api.StatusOf(e), d.DossierID, values, errs, problemFR(e))
	}
	return s.renderError(c, err)
}

// closeSession closes the session; the dossiers left undecided are postponed to the next.
func (s *Server) closeSession(c echo.Context) error {
	if _, err := s.App.CloseSession(c.Request().Context(), principal(c), c.Param("id")); err != nil {
		return s.renderError(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/axe3/seances/"+url.PathEscape(c.Param("id"))+"?info=seance-close")
}

// envelopesView is the Axe 3 envelopes' page: the administrator's regional split (the
// current one, the default proportional one offered), and each région the person governs
// with its delegations.
type envelopesView struct {
	Split   *splitForm
	Regions []regionForm
	Rules   []rulesForm
	Problem string
}

// rulesForm is a territory's Axe 3 rules, its own or those it follows, as a form.
type rulesForm struct {
	Scope models.Scope
	Label string
	// Own is whether the territory set its rules; else it follows its région's or the defaults.
	Own     bool
	Weights []weightField
	Values  map[string]string
	Errors  map[string]string
}

type weightField struct {
	Index        int
	Label, Value string
}

type splitForm struct {
	filing.RegionalSplitView
	Rows   []splitRow
	Errors map[string]string
}

type splitRow struct {
	Region           string
	Current, Default models.Cents
	Value, Error     string
}

type regionForm struct {
	filing.RegionView
	Region string
	// Governs is whether the person delegates the région's envelope: its form is shown.
	Governs bool
	Values  map[string]string
	Errors  map[string]string
}

func (s *Server) envelopesPage(c echo.Context) error {
	return s.showEnvelopes(c, http.StatusOK, nil, "", nil, nil, "")
}

// territoryRules are the rules forms of the territories p governs as a préfet: its
// départements, its régions and their delegated départements; typed holds what was typed
// in the form of one of them.
func (s *Server) territoryRules(ctx context.Context, p models.Principal, regions []regionForm, typed models.Scope, values, errs map[string]string) ([]rulesForm, error) {
	set, err := s.Store.Axe3Rules(ctx)
	if err != nil {
		return nil, err
	}
	var scopes []models.Scope
	for _, r := range p.Regions {
		scopes = append(scopes, models.RegionScope(r))
	}
	for _, r := range regions {
		for _, e := range r.Departements {
			if _, dep, ok := models.EnvelopeTerritory(e.Code); ok && dep != "" {
				scopes = append(scopes, models.DepartementScope(dep))
			}
		}
	}
	for _, d := range p.Departements {
		if models.ValidDepartement(d) {
			scopes = append(scopes, models.DepartementScope(d))
		}
	}
	var out []rulesForm
	seen := map[models.Scope]bool{}
	for _, scope := range scopes {
		if seen[scope] {
			continue
		}
		seen[scope] = true
		f := rulesForm{Scope: scope, Label: "Région " + scope.Value, Values: map[string]string{}, Errors: map[string]string{}}
		region := scope.Value
		if scope.Kind == models.ScopeKindDepartement {
			f.Label = "Département " + scope.Value
			if region, err = s.Store.DepartementRegion(ctx, scope.Value); err != nil {
				return nil, err
			}
		}
		dep := ""
		if scope.Kind == models.ScopeKindDepartement {
			dep = scope.Value
		}
		rules := models.ApplicableRules(set, dep, region)
		f.Own = rules.Scope == scope
		f.Values["population_cap"] = strconv.FormatInt(rules.PopulationCap, 10)
		f.Values["max_public_rate_percent"] = strconv.Itoa(rules.MaxPublicRatePercent)
		for i, w := range rules.Weights {
			f.Values["weights."+strconv.Itoa(i)] = strconv.Itoa(w)
		}
		if scope == typed {
			f.Values, f.Errors = values, errs
		}
		for i, lbl := range criteriaLabels {
			f.Weights = append(f.Weights, weightField{Index: i, Label: lbl, Value: f.Values["weights."+strconv.Itoa(i)]})
		}
		out = append(out, f)
	}
	return out, nil
}

// saveRules sets a territory's Axe 3 rules, as the API does.
func (s *Server) saveRules(c echo.Context) error {
	form, err := formParams(c)
	if err != nil {
		return s.renderError(c, err)
	}
	scope, err := models.ParseScope(form.Get("scope"))
	if err != nil || scope.Kind != models.ScopeKindDepartement && scope.Kind != models.ScopeKindRegion {
		return s.renderError(c, models.Errorf(models.ENotFound, "pas de territoire %q", form.Get("scope")))
	}
	values, errs := map[string]string{}, map[string]string{}
	number := func(name string) int64 {
		values[name] = form.Get(name)
		n, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(form.Get(name)), " ", ""), 10, 64)
		if err != nil {
			errs[name] = "Un nombre entier."
		}
		return n
	}
	popCap, rate := number("population_cap"), int(number("max_public_rate_percent"))
	req := models.Axe3RulesRequest{PopulationCap: &popCap, MaxPublicRatePercent: &rate}
	for i := range models.CriteriaCount {
		w := int(number("weights." + strconv.Itoa(i)))
		if e, ok := errs["weights."+strconv.Itoa(i)]; ok {
			delete(errs, "weights."+strconv.Itoa(i))
			errs["weights"] = e
		}
		req.Weights = append(req.Weights, w)
	}
	if len(errs) == 0 {
		_, err = s.App.SetAxe3Rules(c.Request().Context(), principal(c), scope, req)
	}
	var e *models.Error
	switch {
	case len(errs) > 0:
		return s.showRules(c, http.StatusUnprocessableEntity, scope, values, errs, "")
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/axe3/enveloppes?info=regles#regles-"+strings.ReplaceAll(scope.String(), ":", "-"))
	case asError(err, &e) && len(e.Fields) > 0:
		for k, msg := range e.Fields {
			if strings.HasPrefix(k, "weights") {
				k = "weights"
			}
			errs[k] = fieldMessageFR(msg)
		}
		return s.showRules(c, http.StatusUnprocessableEntity, scope, values, errs, "")
	case asError(err, &e) && e.Code != models.EInternal && e.Code != models.EForbidden:
		return s.showRules(c, api.StatusOf(e), scope, values, errs, problemFR(e))
	}
	return s.renderError(c, err)
}

// showRules renders the page with what was typed in one territory's rules form.
func (s *Server) showRules(c echo.Context, status int, scope models.Scope, values, errs map[string]string, problem string) error {
	return s.renderEnvelopes(c, status, nil, "", scope, values, errs, problem)
}

// showEnvelopes renders the page; split holds what was typed in the split's form, and
// region, values and errs what was typed in one région's delegation form.
func (s *Server) showEnvelopes(c echo.Context, status int, split map[string]string, region string, values, errs map[string]string, problem string) error {
	return s.renderEnvelopes(c, status, split, region, models.Scope{}, values, errs, problem)
}

func (s *Server) renderEnvelopes(c echo.Context, status int, split map[string]string, region string, rules models.Scope, values, errs map[string]string, problem string) error {
	ctx, p := c.Request().Context(), principal(c)
	views, err := s.App.Regions(ctx, p)
	if err != nil {
		return s.renderError(c, err)
	}
	v := envelopesView{Problem: problem}
	if p.IsAdmin() {
		view, err := s.App.RegionalSplit(ctx, p)
		if err != nil {
			return s.renderError(c, err)
		}
		f := &splitForm{RegionalSplitView: view, Errors: map[string]string{}}
		if region == "" && rules.IsZero() {
			f.Errors = errs
		}
		for _, r := range slices.Sorted(maps.Keys(view.Default)) {
			row := splitRow{Region: r, Current: view.Current[r], Default: view.Default[r], Error: f.Errors["allocations."+r]}
			switch {
			case split != nil:
				row.Value = split[r]
			case len(view.Current) > 0:
				row.Value = eurosInput(view.Current[r])
			default:
				row.Value = eurosInput(view.Default[r])
			}
			f.Rows = append(f.Rows, row)
		}
		v.Split = f
	}
	// The régions the person delegates, with their forms; who delegates none reads them all.
	regions := slices.Sorted(maps.Keys(views))
	if governed := slices.DeleteFunc(slices.Clone(regions), func(r string) bool { return !p.GovernsRegion(r) }); len(governed) > 0 {
		regions = governed
	}
	for _, r := range regions {
		f := regionForm{RegionView: views[r], Region: r, Governs: p.GovernsRegion(r), Values: map[string]string{}, Errors: map[string]string{}}
		if r == region {
			f.Values, f.Errors = values, errs
		}
		v.Regions = append(v.Regions, f)
	}
	if p.HasRole(models.RolePrefet) {
		var err error
		if v.Rules, err = s.territoryRules(ctx, p, v.Regions, rules, values, errs); err != nil {
			return s.renderError(c, err)
		}
	}
	return s.render(c, status, "axe3_envelopes", "Enveloppes de l'Axe 3", v)
}

// saveSplit sets the regional split, as the API does.
func (s *Server) saveSplit(c echo.Context) error {
	form, err := formParams(c)
	if err != nil {
		return s.renderError(c, err)
	}
	typed, allocations, errs := map[string]string{}, map[string]models.Cents{}, map[string]string{}
	for k := range form {
		r, ok := strings.CutPrefix(k, "allocations.")
		if !ok {
			continue
		}
		typed[r] = form.Get(k)
		if cents, ok := parseEuros(form.Get(k)); ok {
			allocations[r] = cents
		} else {
			errs["allocations."+r] = "Un montant en euros, par exemple 1500000."
		}
	}
	if len(errs) == 0 {
		err = s.App.SetRegionalSplit(c.Request().Context(), principal(c), allocations)
	}
	var e *models.Error
	switch {
	case len(errs) > 0:
		return s.showEnvelopes(c, http.StatusUnprocessableEntity, typed, "", nil, errs, "")
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/axe3/enveloppes?info=repartition")
	case asError(err, &e) && len(e.Fields) > 0:
		addFieldErrorsFR(errs, e.Fields)
		return s.showEnvelopes(c, http.StatusUnprocessableEntity, typed, "", nil, errs, "")
	case asError(err, &e) && e.Code != models.EInternal && e.Code != models.EForbidden:
		return s.showEnvelopes(c, api.StatusOf(e), typed, "", nil, errs, problemFR(e))
	}
	return s.renderError(c, err)
}

// delegate sets what a région delegates to one of its départements, as the API does.
func (s *Server) delegate(c echo.Context) error {
	region := c.Param("region")
	if !models.ValidRegion(region) {
		return s.renderError(c, models.Errorf(models.ENotFound, "pas de région %q", region))
	}
	dep := strings.ToUpper(strings.TrimSpace(c.FormValue("departement")))
	values := map[string]string{"departement": c.FormValue("departement"), "amount": c.FormValue("amount")}
	errs := map[string]string{}
	cents, ok := parseEuros(c.FormValue("amount"))
	if !ok {
		errs["amount_cents"] = "Un montant en euros, par exemple 500000."
	}
	var err error
	if len(errs) == 0 {
		_, err = s.App.Delegate(c.Request().Context(), principal(c), region, dep, models.DelegationRequest{AmountCents: &cents})
	}
	var e *models.Error
	switch {
	case len(errs) > 0:
		return s.showEnvelopes(c, http.StatusUnprocessableEntity, nil, region, values, errs, "")
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/axe3/enveloppes?info=delegation#region-"+region)
	case asError(err, &e) && len(e.Fields) > 0:
		addFieldErrorsFR(errs, e.Fields)
		return s.showEnvelopes(c, http.StatusUnprocessableEntity, nil, region, values, errs, "")
	case asError(err, &e) && e.Code != models.EInternal && e.Code != models.EForbidden:
		return s.showEnvelopes(c, api.StatusOf(e), nil, region, values, errs, problemFR(e))
	}
	return s.renderError(c, err)
}
