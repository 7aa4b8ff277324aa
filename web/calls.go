package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/relance/relance/api"
	"github.com/relance/relance/models"
)

// callsPage lists the calls for projects and whether each takes applications.
func (s *Server) callsPage(c echo.Context) error {
	calls, err := s.Store.Calls(c.Request().Context())
	if err != nil {
		return s.renderError(c, err)
	}
	return s.render(c, http.StatusOK, "calls", "Appels à projets", calls)
}

// applicationView is an application's form: new (Action posts to the call) or a draft's.
type applicationView struct {
	Call    models.Call
	Action  string
	Fields  []string
	Values  map[string]string
	Errors  map[string]string
	Problem string
	Key     string
}

func (s *Server) showApplication(c echo.Context, status int, call models.Call, action string, values, errs map[string]string, problem string) error {
	v := applicationView{Call: call, Action: action, Fields: models.StrandFields(call.Strand), Values: values, Errors: errs, Problem: problem, Key: values["key"]}
	if v.Key == "" {
		v.Key = uuid.NewString()
	}
	return s.render(c, status, "application", "Candidature — "+call.Title, v)
}

// applicationForm is the form of a new application to a call.
func (s *Server) applicationForm(c echo.Context) error {
	if err := principal(c).NeedRole(models.RoleApplicant); err != nil {
		return s.renderError(c, err)
	}
	call, err := s.App.VisibleCall(c.Request().Context(), c.Param("id"))
	if err != nil {
		return s.renderError(c, err)
	}
	return s.showApplication(c, http.StatusOK, call, "/appels/"+call.ID+"/candidature", map[string]string{}, map[string]string{}, "")
}

// draftForm is the form of a draft, filled with what it holds.
func (s *Server) draftForm(c echo.Context) error {
	d, call, err := s.App.OwnApplication(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return s.renderError(c, err)
	}
	var app models.AAPApplication
	_ = json.Unmarshal(d.Payload, &app)
	values := map[string]string{"title": app.Title, "summary": app.Summary, "partners": strings.Join(app.PartnerSirens, " ")}
	if app.EligibleCostCents > 0 {
		values["eligible_cost"] = eurosInput(app.EligibleCostCents)
	}
	if app.RequestedCents > 0 {
		values["requested"] = eurosInput(app.RequestedCents)
	}
	for k, v := range app.StrandFields {
		values["strand."+k] = v
	}
	return s.showApplication(c, http.StatusOK, call, "/dossiers/"+d.ID+"/brouillon", values, map[string]string{}, "")
}

func eurosInput(c models.Cents) string {
	if c%100 == 0 {
		return itoa(int(c / 100))
	}
	return strings.Replace(c.Decimal(), ".", ",", 1)
}

// applicationOf reads the form into the API's application, with the errors of the amounts
// typed in euros.
func applicationOf(strand models.Strand, form url.Values) (models.AAPApplication, map[string]string, map[string]string) {
	app := models.AAPApplication{Title: form.Get("title"), Summary: form.Get("summary"), StrandFields: map[string]string{},
		PartnerSirens: strings.Fields(strings.NewReplacer(",", " ", ";", " ").Replace(form.Get("partners")))}
	values := map[string]string{}
	for k := range form {
		values[k] = form.Get(k)
	}
	for _, f := range models.StrandFields(strand) {
		app.StrandFields[f] = form.Get("strand." + f)
	}
	errs := map[string]string{}
	for field, dst := range map[string]*models.Cents{"eligible_cost": &app.EligibleCostCents, "requested": &app.RequestedCents} {
		v := form.Get(field)
		if v == "" {
			continue
		}
		if cents, ok := parseEuros(v); ok {
			*dst = cents
		} else {
			errs[map[string]string{"eligible_cost": "eligible_cost_cents", "requested": "requested_cents"}[field]] = "Un montant en euros, par exemple 400000 ou 12 500,50."
		}
	}
	return app, values, errs
}

// answerApplicationForm answers an application form (a call's or Axe 3's) once the act
// ran: on to the dossier, saved or filed; else the form again, with each rule's error next
// to its field, or the act's refusal above it, in French.
func (s *Server) answerApplicationForm(c echo.Context, d models.Dossier, draft bool, err error,
	form func(status int, errs map[string]string, problem string) error) error {
	if err == nil {
		info := "depose"
		if draft {
			info = "brouillon"
		}
		return c.Redirect(http.StatusSeeOther, "/dossiers/"+url.PathEscape(d.ID)+"?info="+info)
	}
	var e *models.Error
	switch {
	case asError(err, &e) && len(e.Fields) > 0:
		errs := map[string]string{}
		addFieldErrorsFR(errs, e.Fields)
		return form(http.StatusUnprocessableEntity, errs, "")
	case asError(err, &e) && e.Code != models.EInternal:
		return form(api.StatusOf(e), map[string]string{}, problemFR(e))
	}
	return s.renderError(c, err)
}

// answerApplication answers a call's application form.
func (s *Server) answerApplication(c echo.Context, call models.Call, action string, values map[string]string, d models.Dossier, draft bool, err error) error {
	return s.answerApplicationForm(c, d, draft, err, func(status int, errs map[string]string, problem string) error {
		return s.showApplication(c, status, call, action, values, errs, problem)
	})
}

// fileApplication files a new application, or saves it as a draft ("brouillon").
func (s *Server) fileApplication(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	call, err := s.App.VisibleCall(ctx, c.Param("id"))
	if err != nil {
		return s.renderError(c, err)
	}
	form, err := formParams(c)
	if err != nil {
		return s.renderError(c, err)
	}
	action := "/appels/" + call.ID + "/candidature"
	app, values, errs := applicationOf(call.Strand, form)
	if len(errs) > 0 {
		return s.showApplication(c, http.StatusUnprocessableEntity, call, action, values, errs, "")
	}
	draft := form.Get("action") == "brouillon"
	filed, err := s.App.FileApplication(ctx, p, form.Get("key"), call, app, draft)
	return s.answerApplication(c, call, action, values, filed.Dossier, draft, err)
}

// saveDraft saves a draft, and submits it when asked.
func (s *Server) saveDraft(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	d, call, err := s.App.OwnApplication(ctx, p, c.Param("id"))
	if err != nil {
		return s.renderError(c, s.audited(c, c.Param("id"), "", err))
	}
	form, err := formParams(c)
	if err != nil {
		return s.renderError(c, err)
	}
	action := "/dossiers/" + d.ID + "/brouillon"
	app, values, errs := applicationOf(call.Strand, form)
	if len(errs) > 0 {
		return s.showApplication(c, http.StatusUnprocessableEntity, call, action, values, errs, "")
	}
	draft := form.Get("action") == "brouillon"
	if d, err = s.App.UpdateApplication(ctx, p, d.ID, app); err == nil && !draft {
		d, err = s.App.SubmitApplication(ctx, p, d.ID)
	}
	s.audited(c, c.Param("id"), "", err)
	return s.answerApplication(c, call, action, values, d, draft, err)
}

// callOpen reports whether call takes applications now, for the list.
func callOpen(call models.Call) bool { return call.AcceptsApplications(time.Now()) }

// appField is one input of the application's form: what was typed and its rule's error,
// the error named by the API's field path (the first of a list's when the path names one).
type appField struct {
	Name, Label, Value, Error string
	Area                      bool
}

func appInput(v applicationView, name, path, lbl string, area bool) appField {
	return typedField(v.Values, v.Errors, name, path, lbl, area)
}

// typedField is an input of an application's form, as typed, with its rule's error.
func typedField(values, errs map[string]string, name, path, lbl string, area bool) appField {
	f := appField{Name: name, Label: lbl, Value: values[name], Error: errs[path], Area: area}
	if f.Error == "" {
		for k, e := range errs {
			if strings.HasPrefix(k, path+"[") {
				f.Error = e
			}
		}
	}
	return f
}

// juryRows is how many members the call form offers; empty rows are ignored.
const juryRows = 5

type callFormView struct {
	Strands []models.Strand
	Rows    []int
	Values  map[string]string
	Errors  map[string]string
	Problem string
}

func (s *Server) showCallForm(c echo.Context, status int, values, errs map[string]string, problem string) error {
	v := callFormView{Strands: models.Strands, Values: values, Errors: errs, Problem: problem}
	for i := range juryRows {
		v.Rows = append(v.Rows, i)
	}
	return s.render(c, status, "call_new", "Nouvel appel à projets", v)
}

func (s *Server) callForm(c echo.Context) error {
	if err := principal(c).NeedRole(models.RoleAdmin); err != nil {
		return s.renderError(c, err)
	}
	return s.showCallForm(c, http.StatusOK, map[string]string{"round": "1", "quorum": "2"}, map[string]string{}, "")
}

// parisDay is the start of a day typed as AAAA-MM-JJ, in Paris.
func parisDay(v string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, v, paris)
	return t, err == nil
}

// createCall creates a call as the API does; the dates are whole days in Paris, the call
// closing at the end of its last day.
func (s *Server) createCall(c echo.Context) error {
	form, err := formParams(c)
	if err != nil {
		return s.renderError(c, err)
	}
	values := map[string]string{}
	for k := range form {
		values[k] = form.Get(k)
	}
	errs := map[string]string{}
	req := models.CallRequest{Strand: models.Strand(form.Get("strand")), Title: form.Get("title"), Chair: form.Get("chair")}
	if req.OpensAt, _ = parisDay(form.Get("opens_on")); req.OpensAt.IsZero() {
		errs["opens_at"] = "Une date au format AAAA-MM-JJ."
	}
	if closes, ok := parisDay(form.Get("closes_on")); ok {
		req.ClosesAt = closes.AddDate(0, 0, 1)
	} else {
		errs["closes_at"] = "Une date au format AAAA-MM-JJ."
	}
	for name, dst := range map[string]*int{"round": &req.Round, "quorum": &req.Quorum} {
		n, err := strconv.Atoi(strings.TrimSpace(form.Get(name)))
		if err != nil {
			errs[name] = "Un nombre entier."
		}
		*dst = n
	}
	for i := range juryRows {
		sub := strings.TrimSpace(form.Get(fmt.Sprintf("jury.%d.subject", i)))
		if sub == "" {
			continue
		}
		req.Jury = append(req.Jury, models.JuryMember{Subject: sub, Name: form.Get(fmt.Sprintf("jury.%d.name", i)),
			State: form.Get(fmt.Sprintf("jury.%d.state", i)) == "on"})
	}
	if len(errs) > 0 {
		return s.showCallForm(c, http.StatusUnprocessableEntity, values, errs, "")
	}
	call, err := s.App.CreateCall(c.Request().Context(), principal(c), req)
	var e *models.Error
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/jury/"+url.PathEscape(call.ID)+"?info=appel-cree")
	case asError(err, &e) && len(e.Fields) > 0:
		addFieldErrorsFR(errs, e.Fields)
		return s.showCallForm(c, http.StatusUnprocessableEntity, values, errs, "")
	case asError(err, &e) && e.Code != models.EInternal:
		return s.showCallForm(c, api.StatusOf(e), values, errs, problemFR(e))
	}
	return s.renderError(c, err)
}

// callField is one input of the call's form.
func callField(v callFormView, name, path, lbl, typ string) inputField {
	return inputField{Name: name, Label: lbl, Type: typ, Value: v.Values[name], Error: v.Errors[path]}
}
