package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/relance/relance/api"
	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// The pages of Axe 1's consultation campaigns: public (a campaign's phase, services,
// results once the vote has closed and the committee's decisions; the Territoires Store),
// and for each person who acts in one (the administrator creates it and moves its dates,
// collectivités and partners propose, collectivités vote and say they want to pilot a
// service, ANCT groups proposals and confirms référents, the committee reads its session).
// Every act calls the application layer's (filing.Service's CreateCampaign, CastBallot,
// FileProposal…), as the API does: the same rules, errors shown next to the fields in French.

// registerCampaigns adds the campaigns' routes: public ones resolve the person if signed
// in, the others require it.
func (s *Server) registerCampaigns(e *echo.Echo, csrf, signed echo.MiddlewareFunc) {
	maybe := s.maybeSignedIn
	e.GET("/campagnes", s.campaignsPage, csrf, maybe)
	e.GET("/territoires-store", s.territoiresStorePage, csrf, maybe)
	e.GET("/campagnes/nouvelle", s.campaignForm, csrf, signed)
	e.POST("/campagnes/nouvelle", s.createCampaign, csrf, signed)
	e.GET("/admin/politiques-prioritaires", s.prioritiesForm, csrf, signed)
	e.POST("/admin/politiques-prioritaires", s.importPriorities, csrf, signed)
	e.GET("/campagnes/:id", s.campaignPage, csrf, maybe)
	e.GET("/campagnes/:id/dates", s.scheduleForm, csrf, signed)
	e.POST("/campagnes/:id/dates", s.moveSchedule, csrf, signed)
	e.GET("/campagnes/:id/proposition", s.proposalForm, csrf, signed)
	e.POST("/campagnes/:id/proposition", s.fileProposal, csrf, signed)
	e.GET("/campagnes/:id/bulletin", s.ballotPage, csrf, signed)
	e.POST("/campagnes/:id/bulletin", s.castBallot, csrf, signed)
	e.GET("/campagnes/:id/regroupement", s.groupingPage, csrf, signed)
	e.POST("/campagnes/:id/services", s.groupingAct("service-cree", s.createService), csrf, signed)
	e.POST("/campagnes/:id/propositions/:pid/deplacer", s.groupingAct("proposition-deplacee", s.moveProposal), csrf, signed)
	e.POST("/campagnes/:id/services/:sid/fusion", s.groupingAct("services-fusionnes", s.mergeService), csrf, signed)
	e.POST("/campagnes/:id/services/:sid/cout", s.groupingAct("cout-estime", s.setServiceCost), csrf, signed)
	e.GET("/campagnes/:id/services/:sid/interets", s.interestsPage, csrf, signed)
	e.POST("/campagnes/:id/services/:sid/interets", s.expressInterest, csrf, signed)
	e.POST("/campagnes/:id/services/:sid/referents", s.confirmReferent, csrf, signed)
	e.GET("/campagnes/:id/comite", s.committeePage, csrf, signed)
	e.GET("/campagnes/:id/bulletins", s.ballotsPage, csrf, signed)
	e.GET("/campagnes/:id/bulletins.csv", s.ballotsCSV, signed)
}

// formView is an Axe 1 form as typed, with the errors of its rules named by the API's
// field paths (which the inputs' names are), and a refusal that names no field.
type formView struct {
	Campaign models.Campaign
	Values   map[string]string
	Errors   map[string]string
	Problem  string
	// Form names which of a page's forms the values and errors belong to; Multi keeps
	// the values of its lists (checkboxes).
	Form  string
	Multi url.Values
}

// Blank is the page's other forms: empty, without errors.
func (f formView) Blank() formView { return newForm(f.Campaign) }

// Checked reports whether a list's value was ticked.
func (f formView) Checked(name, value string) bool { return slices.Contains(f.Multi[name], value) }

func newForm(c models.Campaign) formView {
	return formView{Campaign: c, Values: map[string]string{}, Errors: map[string]string{}}
}

// formValues keeps what was typed, to show it again on an error.
func formValues(form url.Values) map[string]string {
	values := map[string]string{}
	for k := range form {
		if k != csrfField {
			values[k] = form.Get(k)
		}
	}
	return values
}

// refusal reads an act's error into the form: the fields' errors in French, or the
// refusal's title and message, with the API's status; ok is false for an unexpected error.
func (f *formView) refusal(err error) (int, bool) {
	var e *models.Error
	switch {
	case asError(err, &e) && len(e.Fields) > 0:
		addFieldErrorsFR(f.Errors, e.Fields)
		return http.StatusUnprocessableEntity, true
	case asError(err, &e) && e.Code != models.EInternal:
		f.Problem = problemFR(e)
		return api.StatusOf(e), true
	}
	return 0, false
}

// input is one input of an Axe 1 form, named by the API's field path.
func (f formView) Input(name, lbl, typ string) inputField {
	return inputField{Name: name, Label: lbl, Type: typ, Value: f.Values[name], Error: f.Errors[name]}
}

// ErrorsUnder joins the errors of a list's items (name[0], name[1]…) and of the list itself.
func (f formView) ErrorsUnder(name string) string {
	var out []string
	if e := f.Errors[name]; e != "" {
		out = append(out, e)
	}
	keys := make([]string, 0, len(f.Errors))
	for k := range f.Errors {
		if strings.HasPrefix(k, name+"[") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, f.Errors[k])
	}
	return strings.Join(out, " ")
}

func (s *Server) campaign(c echo.Context) (models.Campaign, error) {
	return s.App.Campaign(c.Request().Context(), c.Param("id"))
}

// postedForm reads the campaign a form was posted about and the form, kept as typed.
func (s *Server) postedForm(c echo.Context) (models.Campaign, url.Values, formView, error) {
	campaign, err := s.campaign(c)
	if err != nil {
		return campaign, nil, formView{}, err
	}
	form, err := formParams(c)
	if err != nil {
		return campaign, nil, formView{}, err
	}
	f := newForm(campaign)
	f.Values = formValues(form)
	return campaign, form, f, nil
}

// campaignsPage lists the campaigns, to anyone.
func (s *Server) campaignsPage(c echo.Context) error {
	campaigns, err := s.Store.Campaigns(c.Request().Context())
	if err != nil {
		return s.renderError(c, err)
	}
	return s.render(c, http.StatusOK, "campaigns", "Campagnes de co-construction", campaigns)
}

// campaignView is a campaign's page: public, and for who acts in it, what they may do.
type campaignView struct {
	Campaign models.Campaign
	Phase    models.Phase
	Phases   []phaseLine
	Services []models.CandidateService
	// Results are shown to anyone once the vote has closed, to ANCT during it.
	Results     []models.ServiceResult
	ShowResults bool
	Final       bool
	// Mine are the proposals of the signed-in collectivité or partner; Ballot its ballot.
	Mine      []proposalLine
	Ballot    *models.Ballot
	ANCT      bool
	Committee bool
}

type phaseLine struct {
	Phase  models.Phase
	Window models.Window
}

type proposalLine struct {
	Dossier  models.Dossier
	Proposal models.Proposal
}

func proposalOf(d models.Dossier) proposalLine {
	l := proposalLine{Dossier: d}
	_ = json.Unmarshal(d.Payload, &l.Proposal)
	return l
}

func (s *Server) campaignPage(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	campaign, err := s.campaign(c)
	if err != nil {
		return s.renderError(c, err)
	}
	now := time.Now()
	v := campaignView{Campaign: campaign, Phase: campaign.Schedule.PhaseAt(now), ANCT: p.ActsForANCT(),
		Committee: p.Subject != "" && campaign.IsCommitteeMember(p.Subject)}
	for _, ph := range models.CampaignPhases {
		v.Phases = append(v.Phases, phaseLine{ph, campaign.Schedule.Window(ph)})
	}
	if v.Services, err = s.Store.Services(ctx, campaign.ID); err != nil {
		return s.renderError(c, err)
	}
	v.Services = slices.DeleteFunc(v.Services, func(svc models.CandidateService) bool { return svc.Status == models.ServiceMerged })
	if v.ShowResults = p.CanSeeResults(campaign, now); v.ShowResults {
		if v.Results, v.Final, err = s.App.Results(ctx, p, campaign); err != nil {
			return s.renderError(c, err)
		}
	}
	if p.Siren != "" {
		ds, err := s.Store.ListDossiers(ctx, p, store.DossierFilter{Kind: string(models.KindCoConstruction), Call: campaign.ID,
			Applicant: p.Siren, Limit: 200})
		if err != nil {
			return s.renderError(c, err)
		}
		for _, d := range ds {
			v.Mine = append(v.Mine, proposalOf(d))
		}
		if p.HasRole(models.RoleApplicant) {
			if b, err := s.Store.Ballot(ctx, campaign.ID, p.Siren); err == nil {
				v.Ballot = &b
			} else if models.ErrorCode(err) != models.ENotFound {
				return s.renderError(c, err)
			}
		}
	}
	return s.render(c, http.StatusOK, "campaign", campaign.Title, v)
}

// serviceTitle names a service of the campaign's page by its ID.
func serviceTitle(services []models.CandidateService, id string) string {
	if i := slices.IndexFunc(services, func(s models.CandidateService) bool { return s.ID == id }); i >= 0 {
		return services[i].Title
	}
	return id
}

// territoiresStorePage lists the delivered services, to anyone.
func (s *Server) territoiresStorePage(c echo.Context) error {
	services, err := s.App.TerritoiresStore(c.Request().Context())
	if err != nil {
		return s.renderError(c, err)
	}
	return s.render(c, http.StatusOK, "store", "Territoires Store", services)
}

// committeeRows is how many members the campaign's form offers; empty rows are ignored.
const committeeRows = 6

// phaseFields are the inputs of a campaign's dates: each phase's first and last day.
var phaseFields = func() []string {
	var out []string
	for _, p := range models.CampaignPhases {
		out = append(out, string(p)+".opens_at", string(p)+".closes_at")
	}
	return out
}()

type campaignFormView struct {
	formView
	Rows   []int
	Phases []models.Phase
}

func (s *Server) showCampaignForm(c echo.Context, status int, f formView) error {
	v := campaignFormView{formView: f, Phases: models.CampaignPhases}
	for i := range committeeRows {
		v.Rows = append(v.Rows, i)
	}
	return s.render(c, status, "campaign_new", "Nouvelle campagne de co-construction", v)
}

func (s *Server) campaignForm(c echo.Context) error {
	if err := principal(c).NeedRole(models.RoleAdmin); err != nil {
		return s.renderError(c, err)
	}
	f := newForm(models.Campaign{})
	f.Values = map[string]string{"envelope_code": models.CampaignEnvelopePrefix + strconv.Itoa(time.Now().Year()), "quorum": "2",
		"ballot_size": strconv.Itoa(models.DefaultBallotSize), "referents_per_service": strconv.Itoa(models.DefaultReferentsPerService)}
	return s.showCampaignForm(c, http.StatusOK, f)
}

// scheduleOf reads a campaign's dates typed as whole days in Paris: a phase opens at the
// start of its first day and closes at the end of its last.
func scheduleOf(form url.Values, errs map[string]string) models.Schedule {
	var sch models.Schedule
	for _, p := range models.CampaignPhases {
		w := models.Window{}
		if t, ok := parisDay(form.Get(string(p) + ".opens_at")); ok {
			w.OpensAt = t
		} else {
			errs[string(p)+".opens_at"] = "Une date au format AAAA-MM-JJ."
		}
		if t, ok := parisDay(form.Get(string(p) + ".closes_at")); ok {
			w.ClosesAt = t.AddDate(0, 0, 1)
		} else {
			errs[string(p)+".closes_at"] = "Une date au format AAAA-MM-JJ."
		}
		sch.SetWindow(p, w)
	}
	return sch
}

// scheduleValues shows a schedule as the form's days.
func scheduleValues(sch models.Schedule, values map[string]string) {
	for _, p := range models.CampaignPhases {
		w := sch.Window(p)
		values[string(p)+".opens_at"] = w.OpensAt.In(paris).Format(time.DateOnly)
		values[string(p)+".closes_at"] = w.ClosesAt.Add(-time.Nanosecond).In(paris).Format(time.DateOnly)
	}
}

// keepUnchanged keeps the exact time of each date the form leaves on its day: a campaign
// created through the API may open at any time of a day, and an open phase's opening
// must not move.
func keepUnchanged(typed, current models.Schedule, form url.Values) models.Schedule {
	shown := map[string]string{}
	scheduleValues(current, shown)
	out := models.Schedule{}
	for _, p := range models.CampaignPhases {
		w, cur := typed.Window(p), current.Window(p)
		if form.Get(string(p)+".opens_at") == shown[string(p)+".opens_at"] {
			w.OpensAt = cur.OpensAt
		}
		if form.Get(string(p)+".closes_at") == shown[string(p)+".closes_at"] {
			w.ClosesAt = cur.ClosesAt
		}
		out.SetWindow(p, w)
	}
	return out
}

// scheduleErrors names a schedule's errors by the form's inputs (the API's paths without
// "schedule."), a phase's own error on both its dates.
func scheduleErrors(errs map[string]string) {
	for k, msg := range errs {
		if rest, ok := strings.CutPrefix(k, "schedule."); ok {
			delete(errs, k)
			errs[rest] = msg
			k = rest
		}
		if slices.Contains(models.CampaignPhases, models.Phase(k)) {
			errs[k+".closes_at"] = msg
		}
	}
}

func intField(form url.Values, name string, errs map[string]string) int {
	n, err := strconv.Atoi(strings.TrimSpace(form.Get(name)))
	if err != nil {
		errs[name] = "Un nombre entier."
	}
	return n
}

// eurosField reads an amount typed in euros into cents; empty is zero, which a required amount's rule refuses.
func eurosField(form url.Values, name string, errs map[string]string) models.Cents {
	v := strings.TrimSpace(form.Get(name))
	if v == "" {
		return 0
	}
	cents, ok := parseEuros(v)
	if !ok {
		errs[name] = "Un montant en euros, par exemple 250000 ou 12 500,50."
	}
	return cents
}

// createCampaign creates a campaign as the API does.
func (s *Server) createCampaign(c echo.Context) error {
	form, err := formParams(c)
	if err != nil {
		return s.renderError(c, err)
	}
	f := newForm(models.Campaign{})
	f.Values = formValues(form)
	req := models.CampaignRequest{Title: form.Get("title"), EnvelopeCode: strings.TrimSpace(form.Get("envelope_code")),
		Chair: strings.TrimSpace(form.Get("chair")), Schedule: scheduleOf(form, f.Errors)}
	req.BudgetCents = eurosField(form, "budget_cents", f.Errors)
	req.Quorum = intField(form, "quorum", f.Errors)
	ballot, referents := intField(form, "ballot_size", f.Errors), intField(form, "referents_per_service", f.Errors)
	req.BallotSize, req.ReferentsPerService = &ballot, &referents
	for i := range committeeRows {
		sub := strings.TrimSpace(form.Get(fmt.Sprintf("committee[%d].subject", i)))
		if sub == "" {
			continue
		}
		req.Committee = append(req.Committee, models.CommitteeMember{Subject: sub, Name: form.Get(fmt.Sprintf("committee[%d].name", i)),
			ANCT: form.Get(fmt.Sprintf("committee[%d].anct", i)) == "on"})
	}
	if len(f.Errors) == 0 {
		var campaign models.Campaign
		if campaign, err = s.App.CreateCampaign(c.Request().Context(), principal(c), req); err == nil {
			return c.Redirect(http.StatusSeeOther, "/campagnes/"+url.PathEscape(campaign.ID)+"?info=campagne-creee")
		}
		status, ok := f.refusal(err)
		if !ok {
			return s.renderError(c, err)
		}
		scheduleErrors(f.Errors)
		return s.showCampaignForm(c, status, f)
	}
	return s.showCampaignForm(c, http.StatusUnprocessableEntity, f)
}

func (s *Server) showScheduleForm(c echo.Context, status int, f formView) error {
	return s.render(c, status, "campaign_dates", "Dates — "+f.Campaign.Title, campaignFormView{formView: f, Phases: models.CampaignPhases})
}

func (s *Server) scheduleForm(c echo.Context) error {
	if err := principal(c).NeedRole(models.RoleAdmin); err != nil {
		return s.renderError(c, err)
	}
	campaign, err := s.campaign(c)
	if err != nil {
		return s.renderError(c, err)
	}
	f := newForm(campaign)
	scheduleValues(campaign.Schedule, f.Values)
	return s.showScheduleForm(c, http.StatusOK, f)
}

// moveSchedule moves a campaign's dates through its workflow, as the API does.
func (s *Server) moveSchedule(c echo.Context) error {
	campaign, form, f, err := s.postedForm(c)
	if err != nil {
		return s.renderError(c, err)
	}
	sch := keepUnchanged(scheduleOf(form, f.Errors), campaign.Schedule, form)
	if len(f.Errors) > 0 {
		return s.showScheduleForm(c, http.StatusUnprocessableEntity, f)
	}
	if err = s.App.MoveSchedule(c.Request().Context(), principal(c), campaign, sch); err == nil {
		return c.Redirect(http.StatusSeeOther, "/campagnes/"+url.PathEscape(campaign.ID)+"?info=dates-deplacees")
	}
	status, ok := f.refusal(err)
	if !ok {
		return s.renderError(c, err)
	}
	scheduleErrors(f.Errors)
	return s.showScheduleForm(c, status, f)
}

// priorityView is the import of priority policies: the policies' members after it.
type priorityView struct {
	formView
	Counts map[models.PriorityPolicy]int
	Lines  []string
}

func (s *Server) showPriorities(c echo.Context, status int, v priorityView) error {
	return s.render(c, status, "priorities", "Politiques prioritaires", v)
}

func (s *Server) prioritiesForm(c echo.Context) error {
	if err := principal(c).NeedRole(models.RoleAdmin); err != nil {
		return s.renderError(c, err)
	}
	return s.showPriorities(c, http.StatusOK, priorityView{formView: newForm(models.Campaign{})})
}

// importPriorities imports the CSV an administrator uploads, as the API does.
func (s *Server) importPriorities(c echo.Context) error {
	v := priorityView{formView: newForm(models.Campaign{})}
	fh, err := c.FormFile("csv")
	if err != nil {
		v.Errors["csv"] = "Choisissez le fichier CSV à importer."
		return s.showPriorities(c, http.StatusUnprocessableEntity, v)
	}
	file, err := fh.Open()
	if err != nil {
		return s.renderError(c, models.Errorf(models.EMalformed, "fichier illisible"))
	}
	defer file.Close()
	v.Counts, err = s.App.ImportPriorityPolicies(c.Request().Context(), principal(c), file)
	if err == nil {
		return s.showPriorities(c, http.StatusOK, v)
	}
	status, ok := v.refusal(err)
	if !ok {
		return s.renderError(c, err)
	}
	// The file's errors name its lines: they are listed in order under the input.
	for k, msg := range v.Errors {
		if strings.HasPrefix(k, "line ") {
			v.Lines = append(v.Lines, "Ligne "+strings.TrimPrefix(k, "line ")+" : "+msg)
			delete(v.Errors, k)
		}
	}
	slices.SortFunc(v.Lines, func(a, b string) int { return lineNo(a) - lineNo(b) })
	return s.showPriorities(c, status, v)
}

func lineNo(l string) int {
	n, _ := strconv.Atoi(strings.Fields(l)[1])
	return n
}

// proposalView is the form of a proposal to a campaign.
type proposalView struct {
	formView
	Partner bool
}

func (s *Server) showProposal(c echo.Context, status int, f formView) error {
	if f.Values["key"] == "" {
		f.Values["key"] = uuid.NewString()
	}
	return s.render(c, status, "proposal", "Proposer — "+f.Campaign.Title, proposalView{formView: f, Partner: !principal(c).HasRole(models.RoleApplicant)})
}

func (s *Server) proposalForm(c echo.Context) error {
	if err := principal(c).NeedRole(models.RoleApplicant, models.RolePartner); err != nil {
		return s.renderError(c, err)
	}
	campaign, err := s.campaign(c)
	if err != nil {
		return s.renderError(c, err)
	}
	f := newForm(campaign)
	f.Values["type"] = string(models.ProposalNeed)
	return s.showProposal(c, http.StatusOK, f)
}

// fileProposal files a proposal through the filing service, as the API does.
func (s *Server) fileProposal(c echo.Context) error {
	campaign, form, f, err := s.postedForm(c)
	if err != nil {
		return s.renderError(c, err)
	}
	prop := models.Proposal{Type: models.ProposalType(form.Get("type")), Title: strings.TrimSpace(form.Get("title")),
		Description: form.Get("description"), Category: form.Get("category"), ProposerName: strings.TrimSpace(form.Get("proposer_name"))}
	if prop.Type == models.ProposalExisting {
		prop.Existing = &models.ExistingService{Operator: form.Get("existing_service.operator"), Users: form.Get("existing_service.users"),
			Address: strings.TrimSpace(form.Get("existing_service.address")), Licence: form.Get("existing_service.licence"),
			CostCents: eurosField(form, "existing_service.cost_cents", f.Errors)}
	}
	if len(f.Errors) > 0 {
		return s.showProposal(c, http.StatusUnprocessableEntity, f)
	}
	filed, err := s.App.FileProposal(c.Request().Context(), principal(c), form.Get("key"), campaign, prop)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/dossiers/"+url.PathEscape(filed.Dossier.ID)+"?info=proposition-deposee")
	}
	status, ok := f.refusal(err)
	if !ok {
		return s.renderError(c, err)
	}
	return s.showProposal(c, status, f)
}

// ballotView is a collectivité's ballot: the candidate services, those it chose.
type ballotView struct {
	formView
	Services []models.CandidateService
	Chosen   map[string]bool
	Cast     *models.Ballot
}

func (s *Server) showBallot(c echo.Context, status int, f formView, chosen []string) error {
	ctx, p := c.Request().Context(), principal(c)
	v := ballotView{formView: f, Chosen: map[string]bool{}}
	services, err := s.Store.Services(ctx, f.Campaign.ID)
	if err != nil {
		return s.renderError(c, err)
	}
	for _, svc := range services {
		if svc.Status == models.ServiceCandidate {
			v.Services = append(v.Services, svc)
		}
	}
	if b, err := s.Store.Ballot(ctx, f.Campaign.ID, p.Siren); err == nil {
		v.Cast = &b
		if chosen == nil {
			chosen = b.ServiceIDs
		}
	} else if models.ErrorCode(err) != models.ENotFound {
		return s.renderError(c, err)
	}
	for _, id := range chosen {
		v.Chosen[id] = true
	}
	return s.render(c, status, "ballot", "Mon bulletin — "+f.Campaign.Title, v)
}

func (s *Server) ballotPage(c echo.Context) error {
	if err := principal(c).NeedRole(models.RoleApplicant); err != nil {
		return s.renderError(c, err)
	}
	campaign, err := s.campaign(c)
	if err != nil {
		return s.renderError(c, err)
	}
	return s.showBallot(c, http.StatusOK, newForm(campaign), nil)
}

// castBallot casts or replaces the collectivité's ballot, as the API does.
func (s *Server) castBallot(c echo.Context) error {
	campaign, err := s.campaign(c)
	if err != nil {
		return s.renderError(c, err)
	}
	form, err := formParams(c)
	if err != nil {
		return s.renderError(c, err)
	}
	req := models.BallotRequest{ServiceIDs: form["service_ids"]}
	_, replaced, err := s.App.CastBallot(c.Request().Context(), principal(c), campaign, req)
	if err == nil {
		info := "bulletin-depose"
		if replaced {
			info = "bulletin-remplace"
		}
		return c.Redirect(http.StatusSeeOther, "/campagnes/"+url.PathEscape(campaign.ID)+"/bulletin?info="+info)
	}
	f := newForm(campaign)
	status, ok := f.refusal(err)
	if !ok {
		return s.renderError(c, err)
	}
	return s.showBallot(c, status, f, append([]string{}, req.ServiceIDs...))
}

// ballotsPerPage is how many ballots the page lists at a time.
const ballotsPerPage = 100

// ballotsView is a campaign's ballots one by one, a page by SIREN, in the columns of its CSV.
type ballotsView struct {
	Campaign models.Campaign
	Columns  []string
	Rows     []models.BallotEntry
	// Voting is true until the vote closes: the list still changes.
	Voting bool
	Next   string
}

// ballotsPage lists the campaign's ballots, as the API does, to whoever reads its results.
func (s *Server) ballotsPage(c echo.Context) error {
	campaign, err := s.campaign(c)
	if err != nil {
		return s.renderError(c, err)
	}
	v := ballotsView{Campaign: campaign, Columns: headers(api.BallotColumns), Voting: !s.App.VoteClosed(campaign)}
	if v.Rows, err = s.App.Ballots(c.Request().Context(), principal(c), campaign, c.QueryParam("apres"), ballotsPerPage); err != nil {
		return s.renderError(c, err)
	}
	if len(v.Rows) == ballotsPerPage {
		v.Next = "/campagnes/" + url.PathEscape(campaign.ID) + "/bulletins?apres=" + url.QueryEscape(v.Rows[len(v.Rows)-1].Siren)
	}
	return s.render(c, http.StatusOK, "ballots", "Bulletins — "+campaign.Title, v)
}

// ballotsCSV exports every ballot of the campaign, as the API does.
func (s *Server) ballotsCSV(c echo.Context) error {
	campaign, err := s.campaign(c)
	if err == nil {
		err = s.API.BallotsCSV(c.Request().Context(), c.Response(), principal(c), campaign)
	}
	if err != nil && !c.Response().Committed {
		return s.renderError(c, err)
	}
	return err
}

// selectedService loads a service of the campaign for its interest pages.
func (s *Server) selectedService(c echo.Context, campaign models.Campaign) (models.CandidateService, error) {
	svc, err := s.Store.Service(c.Request().Context(), c.Param("sid"))
	if err == nil && svc.CampaignID != campaign.ID {
		err = models.Errorf(models.ENotFound, "no service %q in campaign %s", c.Param("sid"), campaign.ID)
	}
	return svc, err
}

// interestView is a selected service's expressions of interest: the form of a
// collectivité's, and to ANCT the référents then the list in order, with the policies.
type interestView struct {
	formView
	Service     models.CandidateService
	Interests   []models.Interest
	Eligibility *models.Eligibility
	Referents   int
}

func (s *Server) showInterests(c echo.Context, status int, f formView) error {
	campaign := f.Campaign
	svc, err := s.selectedService(c, campaign)
	if err != nil {
		return s.renderError(c, err)
	}
	v := interestView{formView: f, Service: svc}
	if v.Interests, v.Eligibility, err = s.App.Interests(c.Request().Context(), principal(c), svc.ID); err != nil {
		return s.renderError(c, err)
	}
	for _, in := range v.Interests {
		if in.Referent {
			v.Referents++
		}
	}
	return s.render(c, status, "interests", "Territoires pilotes — "+svc.Title, v)
}

func (s *Server) interestsPage(c echo.Context) error {
	campaign, err := s.campaign(c)
	if err != nil {
		return s.renderError(c, err)
	}
	return s.showInterests(c, http.StatusOK, newForm(campaign))
}

// expressInterest records the collectivité's wish to pilot the service, as the API does.
func (s *Server) expressInterest(c echo.Context) error {
	campaign, form, f, err := s.postedForm(c)
	if err != nil {
		return s.renderError(c, err)
	}
	f.Form = "interet"
	req := models.InterestRequest{Contact: strings.TrimSpace(form.Get("contact")), UseCase: form.Get("use_case")}
	if err = s.App.ExpressInterest(c.Request().Context(), principal(c), campaign, c.Param("sid"), req); err == nil {
		return c.Redirect(http.StatusSeeOther, c.Request().URL.Path+"?info=interet-enregistre")
	}
	status, ok := f.refusal(err)
	if !ok {
		return s.renderError(c, err)
	}
	return s.showInterests(c, status, f)
}

// confirmReferent makes a collectivité a territoire référent, as the API does.
func (s *Server) confirmReferent(c echo.Context) error {
	campaign, err := s.campaign(c)
	if err != nil {
		return s.renderError(c, err)
	}
	err = s.App.ConfirmReferent(c.Request().Context(), principal(c), campaign, c.Param("sid"), models.ReferentRequest{Siren: c.FormValue("siren")})
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/campagnes/"+url.PathEscape(campaign.ID)+"/services/"+url.PathEscape(c.Param("sid"))+"/interets?info=referent-confirme")
	}
	f := newForm(campaign)
	status, ok := f.refusal(err)
	if !ok {
		return s.renderError(c, err)
	}
	if e := f.Errors["siren"]; e != "" && f.Problem == "" {
		f.Problem = e
	}
	return s.showInterests(c, status, f)
}

// committeeView is the committee's session, read-only: the results in order, who answered,
// what the quorum still misses, the opinions.
type committeeView struct {
	Campaign models.Campaign
	filing.CommitteeSessionView
	Services []models.CandidateService
}

func (s *Server) committeePage(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	campaign, err := s.campaign(c)
	if err != nil {
		return s.renderError(c, err)
	}
	v := committeeView{Campaign: campaign}
	if v.CommitteeSessionView, err = s.App.CommitteeSession(ctx, p, campaign); err != nil {
		return s.renderError(c, err)
	}
	if v.Services, err = s.Store.Services(ctx, campaign.ID); err != nil {
		return s.renderError(c, err)
	}
	return s.render(c, http.StatusOK, "committee", "Comité — "+campaign.Title, v)
}

func answered(v committeeView, subject string) bool { return slices.Contains(v.Answered, subject) }
