package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/api"
	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

var paris, _ = time.LoadLocation("Europe/Paris")

var funcs = template.FuncMap{
	"status":     statusLabel,
	"statusTone": statusTone,
	"taskType":   func(t models.TaskType) string { return label(taskLabels, t) },
	"taskStatus": func(t models.TaskStatus) string { return label(taskStatusLabels, t) },
	"kind":       func(k models.DossierKind) string { return label(kindLabels, k) },
	"outcome":    func(o string) string { return label(outcomeLabels, o) },
	"role":       func(r models.Role) string { return label(roleLabels, r) },
	"ledgerKind": func(k string) string { return label(ledgerKindLabels, k) },
	"euros":      models.FormatEuros,
	"date": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			return v.In(paris).Format("02/01/2006 15:04")
		case *time.Time:
			if v != nil {
				return v.In(paris).Format("02/01/2006 15:04")
			}
		}
		return "—"
	},
	"has":       func(p models.Principal, r string) bool { return p.HasRole(models.Role(r)) },
	"field":     formField,
	"choice":    choice,
	"short":     shortID,
	"open":      callOpen,
	"app":       appInput,
	"axe3":      axe3Input,
	"add1":      func(i int) int { return i + 1 },
	"deref":     func(p *int) int { return *p },
	"list":      func(s ...string) []string { return s },
	"thousands": groupThousands,
	"decision": func(o string) string {
		return label(map[string]string{models.OutcomeGrant: "Attribuée", models.OutcomeRefuse: "Refusée", models.OutcomePostpone: "Reportée"}, o)
	},
	"signatureOf": func(f taskForm) string {
		return map[models.Role]string{models.RolePrefet: " de l'annexe financière au CRTE, par le préfet",
			models.RoleApplicant: " par la collectivité", models.RoleFinance: " pour l'État"}[f.Task.Role]
	},
	"fld": callField,
	"personField": func(v peopleView, name, lbl string) inputField {
		return inputField{Name: name, Label: lbl, Type: "text", Value: v.Values[name], Error: v.Errors[name]}
	},
	"join":        func(codes []string) string { return strings.Join(codes, ", ") },
	"waits":       juryWaitsForFR,
	"audit":       func(a string) string { return label(auditLabels, a) },
	"auditEvent":  auditEventFR,
	"strandField": func(k string) string { return label(strandFieldLabels, k) },
	"indent":      func(depth int) string { return strconv.FormatFloat(float64(depth)*1.5+0.75, 'f', 2, 64) },
	"pct":         func(p float64) string { return strconv.FormatFloat(min(max(p, 0), 100), 'f', 1, 64) + "%" },
}

// selectField is a filter's select: its options with their French labels, the one chosen,
// and the error of its rule.
type selectField struct {
	Name, Label, Error string
	Options            []option
}

type option struct {
	Value, Label string
	Selected     bool
}

func choice(name, lbl string, q url.Values, errs map[string]string, values any) selectField {
	f := selectField{Name: name, Label: lbl, Error: errs[name]}
	add := func(v, l string) { f.Options = append(f.Options, option{v, l, q.Get(name) == v}) }
	switch vs := values.(type) {
	case []models.DossierKind:
		for _, v := range vs {
			add(string(v), label(kindLabels, v))
		}
	case []models.Status:
		for _, v := range vs {
			add(string(v), statusLabel(v))
		}
	case []models.TaskType:
		for _, v := range vs {
			add(string(v), label(taskLabels, v))
		}
	}
	return f
}

// inputField is one input of a task form: what was typed, and the error of its rule (named
// by the API's field path).
type inputField struct{ Name, Label, Type, Value, Error, ID string }

func formField(f taskForm, name, path, label, typ string) inputField {
	return inputField{Name: name, Label: label, Type: typ, Value: f.Values[name], Error: f.Errors[path]}
}

func itoa(n int) string { return strconv.Itoa(n) }

// home lists what waits for the signed-in person: their open tasks, most urgent first.
func (s *Server) home(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	tasks, err := s.Store.Inbox(ctx, p, store.TaskFilter{ByDue: true, Limit: 50})
	if err != nil {
		return s.renderError(c, err)
	}
	rows, err := s.taskRows(ctx, p, tasks)
	if err != nil {
		return s.renderError(c, err)
	}
	return s.render(c, http.StatusOK, "home", "Accueil", rows)
}

// inboxTabs are the inbox's tabs: tasks nobody took, tasks I took, tasks I completed.
var inboxTabs = []struct{ Key, Label string }{{"a-traiter", "À traiter"}, {"suivis", "Suivis"}, {"traites", "Traités"}}

type inboxView struct {
	Tab     string
	Tabs    []struct{ Key, Label string }
	Filter  url.Values
	Errors  map[string]string
	Rows    []taskRow
	Types   []models.TaskType
	Kinds   []models.DossierKind
	Status  []models.Status
	Columns []string
	CSV     string
	Next    string
	RetPath string
}

// inboxPage is how many tasks an inbox's page shows; a link leads to the next ones.
const inboxPage = 100

// inbox is the instructor's (and everyone's) list of tasks, in tabs, with the API's filters,
// a page at a time; its export has the page's columns.
func (s *Server) inbox(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	q := c.QueryParams()
	v := inboxView{Tab: q.Get("onglet"), Tabs: inboxTabs, Filter: q, Columns: headers(api.TaskColumns),
		Types: models.TaskTypes, Kinds: models.Kinds, Status: models.Statuses, RetPath: c.Request().URL.RequestURI()}
	if !slices.ContainsFunc(inboxTabs, func(t struct{ Key, Label string }) bool { return t.Key == v.Tab }) {
		v.Tab = "a-traiter"
	}
	f, errs := taskFilter(q, v.Tab)
	after, ok := (*store.TaskCursor)(nil), true
	if v := q.Get("apres"); v != "" {
		after, ok = store.ParseTaskCursor(v)
	}
	if !ok {
		errs["apres"] = "Ce lien de page n'est pas valide : revenez à la première page."
	}
	f.After, f.Limit = after, inboxPage
	v.Errors = errs
	// The page's links keep the tab and filters, without the cursor.
	link := url.Values{}
	for k, vals := range q {
		if k != "apres" && k != "info" {
			link[k] = vals
		}
	}
	link.Set("onglet", v.Tab)
	v.CSV = "/taches.csv?" + link.Encode()
	var tasks []models.Task
	var err error
	switch {
	case len(v.Errors) > 0:
	case v.Tab == "traites":
		v.Columns = headers(api.DoneTaskColumns)
		tasks, err = s.Store.ClosedBy(ctx, p.Subject, f.After, f.Limit)
	default:
		tasks, err = s.Store.Inbox(ctx, p, f)
	}
	if err != nil {
		return s.renderError(c, err)
	}
	if len(tasks) == f.Limit {
		last := tasks[len(tasks)-1]
		next := &store.TaskCursor{Key: f.SortKey(last), ID: last.ID}
		if v.Tab == "traites" {
			next = store.DoneCursor(last)
		}
		link.Set("apres", next.String())
		v.Next = "/taches?" + link.Encode()
	}
	if v.Rows, err = s.taskRows(ctx, p, tasks); err != nil {
		return s.renderError(c, err)
	}
	status := http.StatusOK
	if len(v.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(c, status, "inbox", "Tâches", v)
}

// claim takes a task, or gives it back, through the dossier's workflow, as the API does.
func (s *Server) claim(release bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		t, err := s.App.ClaimTask(c.Request().Context(), principal(c), c.Param("id"), release)
		if err != nil {
			return s.renderError(c, s.audited(c, "", c.Param("id"), err))
		}
		info := "prise"
		if release {
			info = "rendue"
		}
		ret := back(c, "/taches/"+url.PathEscape(t.ID))
		sep := "?"
		if strings.Contains(ret, "?") {
			sep = "&"
		}
		return c.Redirect(http.StatusSeeOther, ret+sep+"info="+info)
	}
}

type dossierView struct {
	filing.DossierView
	Application []field
	OpenTasks   []models.Task
	WorkflowURL string
	Amend       *amendForm
	Axe3        *axe3Facts
	Service     *serviceFacts
	// Problem is why the applicant's amendment was refused.
	Problem string
}

// field is one line of an application, as the dossier page shows it.
type field struct{ Label, Value string }

func (s *Server) dossierPage(c echo.Context) error {
	return s.showDossier(c, http.StatusOK, nil)
}

// showDossier shows the dossier's page; typed, when set, is the amendment form as the
// applicant sent it, with its errors, shown while the dossier may still be amended.
func (s *Server) showDossier(c echo.Context, status int, typed *amendForm) error {
	p := principal(c)
	d, err := s.App.DossierView(c.Request().Context(), p, c.Param("id"))
	if err != nil {
		return s.renderError(c, err)
	}
	v := dossierView{DossierView: d, Application: applicationFields(d.Dossier)}
	if app, ok := guichetOf(d.Dossier); ok {
		v.Amend = amendFormOf(p, d.Dossier, app)
	}
	if typed != nil {
		if v.Amend != nil {
			v.Amend.Checklist, v.Amend.Errors = typed.Checklist, typed.Errors
		}
		v.Problem = typed.Problem
	}
	if v.Axe3, err = s.axe3Facts(c.Request().Context(), p, d); err != nil {
		return s.renderError(c, err)
	}
	if v.Service, err = s.serviceFacts(c.Request().Context(), p, d.Dossier); err != nil {
		return s.renderError(c, err)
	}
	for _, t := range d.Tasks {
		if t.Status.Open() {
			v.OpenTasks = append(v.OpenTasks, t)
		}
	}
	if s.TemporalUI != "" && p.HasRole(models.RoleAdmin) {
		v.WorkflowURL = s.TemporalUI + "/workflows/" + url.PathEscape(d.WorkflowID())
	}
	return s.render(c, status, "dossier", "Dossier "+shortID(d.ID), v)
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// applicationFields lists what the applicant wrote, in the order and words of the form.
func applicationFields(d models.Dossier) []field {
	var out []field
	switch d.Kind {
	case models.KindGuichet:
		app, ok := guichetOf(d)
		if !ok {
			return nil
		}
		out = append(out, field{"Guichet", string(app.Kind)}, field{"Coût du projet", models.FormatEuros(app.ProjectCostCents)})
		if app.APIName != "" {
			out = append(out, field{"API", app.APIName})
		}
		spec, _ := models.ChecklistFor(app.Kind)
		for _, item := range spec.Items {
			v := "Non"
			if app.Checklist[item.Key] {
				v = "Oui"
			}
			out = append(out, field{item.Label, v})
		}
	case models.KindAAP:
		var app models.AAPApplication
		if json.Unmarshal(d.Payload, &app) != nil {
			return nil
		}
		out = append(out, field{"Titre", app.Title}, field{"Résumé", app.Summary},
			field{"Dépenses éligibles", models.FormatEuros(app.EligibleCostCents)}, field{"Montant demandé", models.FormatEuros(app.RequestedCents)})
		keys := make([]string, 0, len(app.StrandFields))
		for k := range app.StrandFields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			out = append(out, field{label(strandFieldLabels, k), app.StrandFields[k]})
		}
	case models.KindPrefectoral:
		return prefectoralFields(d)
	case models.KindCoConstruction:
		prop := proposalOf(d).Proposal
		out = append(out, field{"Nature", label(proposalTypeLabels, prop.Type)}, field{"Titre", prop.Title},
			field{"Description", prop.Description}, field{"Catégorie", label(categoryLabels, prop.Category)})
		if prop.ProposerName != "" {
			out = append(out, field{"Partenaire", prop.ProposerName})
		}
		if e := prop.Existing; e != nil {
			out = append(out, field{"Porté par", e.Operator}, field{"Usagers", e.Users}, field{"Adresse", e.Address},
				field{"Licence", e.Licence}, field{"Coût à ce jour", models.FormatEuros(e.CostCents)})
		}
	}
	return out
}

// taskForm is a task's page: the task, its dossier, and the form as typed, with its errors.
type taskForm struct {
	Task     models.Task
	Dossier  models.Dossier
	Outcomes []string
	CanAct   bool
	Values   map[string]string
	Errors   map[string]string
	Problem  string
	// Scoring is the scoring form's criteria and weights; SessionID the programming
	// session where the préfet decides (a programming task has no form of its own).
	Scoring   *scoringForm
	SessionID string
	// MergeInto are the accepted proposals of the campaign a proposal's review may merge it into.
	MergeInto []option
	// Service is the candidate service whose build and deploy the task is part of.
	Service *serviceFacts
}

func (s *Server) taskPage(c echo.Context) error {
	return s.showTask(c, http.StatusOK, map[string]string{}, map[string]string{}, "")
}

func (s *Server) showTask(c echo.Context, status int, values, errs map[string]string, problem string) error {
	ctx, p := c.Request().Context(), principal(c)
	t, err := s.App.VisibleTask(ctx, p, c.Param("id"))
	if err != nil {
		return s.renderError(c, err)
	}
	if t.IsCampaignTask() {
		return s.showCommitteeTask(c, status, t, values, errs, problem)
	}
	d, err := s.App.VisibleDossier(ctx, p, t.DossierID)
	if err != nil {
		return s.renderError(c, err)
	}
	f := taskForm{Task: t, Dossier: d, Outcomes: models.Outcomes(t.Type), CanAct: p.CanAct(t), Values: values, Errors: errs, Problem: problem}
	switch t.Type {
	case models.TaskScoring:
		if f.Scoring, err = s.scoringForm(ctx, d, values, errs); err != nil {
			return s.renderError(c, err)
		}
	case models.TaskProgramming:
		if f.SessionID, err = s.Store.OpenSessionOf(ctx, d.ID); err != nil {
			return s.renderError(c, err)
		}
	case models.TaskProposalReview:
		accepted, err := s.Store.ListDossiers(ctx, p, store.DossierFilter{Kind: string(models.KindCoConstruction), Call: d.CallID,
			Status: string(models.StatusAccepted), Limit: groupingProposals})
		if err != nil {
			return s.renderError(c, err)
		}
		for _, a := range accepted {
			if a.ID != d.ID {
				f.MergeInto = append(f.MergeInto, option{a.ID, proposalOf(a).Proposal.Title + " — " + a.ApplicantName, values["into_dossier_id"] == a.ID})
			}
		}
	}
	if f.Service, err = s.serviceFacts(ctx, p, d); err != nil {
		return s.renderError(c, err)
	}
	return s.render(c, status, "task", label(taskLabels, t.Type), f)
}

// committeeForm is a committee task's page: its campaign, one row per candidate service in
// the order of the vote's results, and the form as typed, with its errors.
type committeeForm struct {
	Task     models.Task
	Campaign models.Campaign
	Rows     []committeeRow
	CanAct   bool
	Values   map[string]string
	Errors   map[string]string
	Problem  string
}

// committeeRow is a candidate service on a committee form: its result, its estimated cost,
// and its inputs (select it or not; the comment, or the reason; a selected service's budget).
type committeeRow struct {
	models.ServiceResult
	CostCents   models.Cents
	Choice      string
	ChoiceError string
	Text        inputField
	Budget      inputField
}

func (s *Server) showCommitteeTask(c echo.Context, status int, t models.Task, values, errs map[string]string, problem string) error {
	ctx := c.Request().Context()
	campaign, err := s.Store.Campaign(ctx, t.DossierID)
	if err != nil {
		return s.renderError(c, err)
	}
	results, err := s.Store.Results(ctx, campaign.ID)
	if err != nil {
		return s.renderError(c, err)
	}
	services, err := s.Store.Services(ctx, campaign.ID)
	if err != nil {
		return s.renderError(c, err)
	}
	list, text := "opinions", "comment"
	if t.Type == models.TaskCommitteeDecision {
		list, text = "services", "reason"
	}
	f := committeeForm{Task: t, Campaign: campaign, CanAct: principal(c).CanAct(t), Values: values, Errors: errs, Problem: problem}
	for i, r := range results {
		row := committeeRow{ServiceResult: r, Choice: values["choice-"+r.ServiceID]}
		if j := slices.IndexFunc(services, func(s models.CandidateService) bool { return s.ID == r.ServiceID }); j >= 0 {
			row.CostCents = services[j].EstimatedCostCents
		}
		at := fmt.Sprintf("data.%s[%d].", list, i)
		row.ChoiceError = errs[at+"service_id"]
		row.Text = inputField{Name: "text-" + r.ServiceID, Label: label(committeeTextLabels, text), Type: "text", Value: values["text-"+r.ServiceID], Error: errs[at+text]}
		row.Budget = inputField{Name: "budget-" + r.ServiceID, Label: "Budget (en euros, pour un service sélectionné)", Type: "text",
			Value: values["budget-"+r.ServiceID], Error: errs[at+"budget_cents"]}
		f.Rows = append(f.Rows, row)
	}
	return s.render(c, status, "task_"+string(t.Type), label(taskLabels, t.Type), f)
}

var amountRE = regexp.MustCompile(`^\d{1,13}([.,]\d{1,2})?$`)

// parseEuros reads an amount typed in euros ("250000", "12 500,50") as cents.
func parseEuros(v string) (models.Cents, bool) {
	v = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "€", "").Replace(v)
	if !amountRE.MatchString(v) {
		return 0, false
	}
	whole, frac, _ := strings.Cut(strings.Replace(v, ",", ".", 1), ".")
	for len(frac) < 2 {
		frac += "0"
	}
	e, _ := strconv.ParseInt(whole, 10, 64)
	cts, _ := strconv.ParseInt(frac, 10, 64)
	return models.Euros(e) + models.Cents(cts), true
}

// completion builds the API's completion from the form: the same request, the same rules.
func completion(t models.TaskType, form url.Values) (models.Completion, map[string]string) {
	req := models.Completion{Outcome: form.Get("outcome"), Comment: form.Get("comment")}
	errs := map[string]string{}
	data := map[string]any{}
	switch t {
	case models.TaskJuryDecision:
		if req.Outcome == string(models.VoteGrant) {
			if cents, ok := parseEuros(form.Get("amount")); ok {
				data["amount_cents"] = cents
			} else if form.Get("amount") != "" {
				errs["data.amount_cents"] = "Un montant en euros, par exemple 250000 ou 12 500,50."
			}
		}
	case models.TaskConventionSignature:
		data["signed_on"] = form.Get("signed_on")
	case models.TaskDisbursement:
		data["paid_on"], data["reference"] = form.Get("paid_on"), form.Get("reference")
	case models.TaskRecovery:
		data["recovered_on"], data["reference"] = form.Get("recovered_on"), form.Get("reference")
	case models.TaskAdvanceRequest:
		euroData(form, "amount", "data.amount_cents", data, errs)
	case models.TaskFinalStatement:
		euroData(form, "eligible_expenses", "data.eligible_expenses_cents", data, errs)
	case models.TaskScoring:
		scoringData(form, data, errs)
	case models.TaskProposalReview:
		if req.Outcome == models.OutcomeMerge {
			data["into_dossier_id"] = form.Get("into_dossier_id")
		}
	case models.TaskCommitteeOpinions:
		var opinions []models.ServiceOpinion
		for _, id := range form["service"] {
			opinions = append(opinions, models.ServiceOpinion{ServiceID: id, Select: form.Get("choice-"+id) == "oui", Comment: form.Get("text-" + id)})
		}
		data["opinions"] = opinions
	case models.TaskCommitteeDecision:
		var decisions []models.ServiceDecision
		for i, id := range form["service"] {
			d := models.ServiceDecision{ServiceID: id, Selected: form.Get("choice-"+id) == "oui", Reason: form.Get("text-" + id)}
			if v := form.Get("budget-" + id); v != "" {
				if cents, ok := parseEuros(v); ok {
					d.BudgetCents = cents
				} else {
					errs[fmt.Sprintf("data.services[%d].budget_cents", i)] = "Un montant en euros, par exemple 250000 ou 12 500,50."
				}
			}
			decisions = append(decisions, d)
		}
		data["services"] = decisions
	default:
		serviceData(t, form, data, errs)
	}
	if len(data) > 0 {
		req.Data, _ = json.Marshal(data)
	}
	return req, errs
}

// completeTask completes a task from its form: the API's rules (the outcome's field
// rules, then the workflow's), errors shown next to the fields, what was typed kept.
func (s *Server) completeTask(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
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
	t, err := s.App.VisibleTask(ctx, p, c.Param("id"))
	if err != nil {
		return s.renderError(c, s.audited(c, "", c.Param("id"), err))
	}
	// The form's own errors (an amount that is not one) beside the completion's rules' errors on the other fields.
	req, errs := completion(t.Type, form)
	if _, err = req.Payload(t.Type); err == nil && len(errs) == 0 {
		_, _, err = s.App.CompleteTask(ctx, p, t.ID, req)
	}
	if len(errs) == 0 {
		s.audited(c, "", t.ID, err)
	}
	var e *models.Error
	switch {
	case err == nil && len(errs) == 0 && t.IsCampaignTask():
		return c.Redirect(http.StatusSeeOther, "/?info=tache-terminee")
	case err == nil && len(errs) == 0:
		return c.Redirect(http.StatusSeeOther, "/dossiers/"+url.PathEscape(t.DossierID)+"?info=tache-terminee")
	case asError(err, &e) && len(e.Fields) > 0:
		for k, msg := range e.Fields {
			if _, ok := errs[k]; !ok {
				errs[k] = fieldMessageFR(msg)
			}
		}
		return s.showTask(c, http.StatusUnprocessableEntity, values, errs, "")
	case len(errs) > 0:
		return s.showTask(c, http.StatusUnprocessableEntity, values, errs, "")
	case asError(err, &e) && e.Code != models.EInternal && e.Code != models.EUnavailable:
		return s.showTask(c, api.StatusOf(e), values, errs, problemFR(e))
	}
	return s.renderError(c, err)
}

func asError(err error, target **models.Error) bool { return errors.As(err, target) }

// audited records err on the trail of the dossier the page acts on (dossierID, or taskID's
// dossier) when it refuses the act, through filing.RecordRefusal as the API does, and
// returns err.
func (s *Server) audited(c echo.Context, dossierID, taskID string, err error) error {
	if err != nil {
		filing.RecordRefusal(c.Request().Context(), s.Store, s.Logger, filing.Refusal{Actor: principal(c),
			Act: c.Request().Method + " " + c.Request().URL.Path, DossierID: dossierID, TaskID: taskID, Err: err})
	}
	return err
}

// formParams reads a posted form; one that cannot be read is malformed.
func formParams(c echo.Context) (url.Values, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, models.Errorf(models.EMalformed, "formulaire illisible")
	}
	return form, nil
}
