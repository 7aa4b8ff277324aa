package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
)

// The prefectoral grant's (Axe 3) pages for the applicant: the application's form (a new
// one or a draft's), and what the dossier page shows of it: the application, its
// eligibility explained, its score.

// expenseRows and teamRows are how many lines the form offers; empty lines are ignored.
const (
	expenseRows = 6
	teamRows    = 4
)

var projectTypeLabels = map[models.ProjectType]string{
	models.ProjectOnlineService:  "Service en ligne créé ou amélioré (formation des agents comprise)",
	models.ProjectLocalProcedure: "Démarche locale mise en ligne",
	models.ProjectTelephony:      "Téléphonie ou serveur vocal interactif modernisé",
	models.ProjectStudy:          "Étude de besoins ou de faisabilité",
}

var expenseLabels = map[models.ExpenseCategory]string{
	models.ExpenseStudies:     "Études, diagnostics et schémas directeurs",
	models.ExpenseSupport:     "Accompagnement spécialisé (conception de service, technique, conduite du changement)",
	models.ExpenseTraining:    "Formation et certification",
	models.ExpenseOmnichannel: "Expertise en relation usagers omnicanale",
	models.ExpenseEquipment:   "Matériel (non éligible)",
	models.ExpenseStaff:       "Personnel de la collectivité (non éligible)",
	models.ExpenseOther:       "Autre (non éligible)",
}

// criteriaLabels name the five criteria in DOMAIN.md's order.
var criteriaLabels = [models.CriteriaCount]string{"Portage par l'autorité", "Équipe projet", "Usagers visés", "Modèle économique et essaimage", "Impact"}

// axe3View is the Axe 3 application's form: what was typed, the errors of the API's rules,
// and the lists to choose from.
type axe3View struct {
	Action   string
	Values   map[string]string
	Errors   map[string]string
	Problem  string
	Key      string
	Types    []option
	Expenses []expenseRow
	Team     []teamRow
	Labs     []option
	CRTEs    []option
}

type expenseRow struct {
	Index                      int
	Category                   []option
	Label, Amount              string
	CategoryErr, LabelErr, Err string
}

type teamRow struct {
	Index            int
	Name, Role       string
	NameErr, RoleErr string
}

func (s *Server) showAxe3(c echo.Context, status int, action string, values, errs map[string]string, problem string) error {
	ctx := c.Request().Context()
	v := axe3View{Action: action, Values: values, Errors: errs, Problem: problem, Key: values["key"]}
	if v.Key == "" {
		v.Key = uuid.NewString()
	}
	for _, t := range models.ProjectTypes {
		v.Types = append(v.Types, option{string(t), projectTypeLabels[t], values["project_type"] == string(t)})
	}
	for i := range expenseRows {
		p := fmt.Sprintf("expenses.%d.", i)
		r := expenseRow{Index: i, Label: values[p+"label"], Amount: values[p+"amount"],
			CategoryErr: errs[fmt.Sprintf("expenses[%d].category", i)], LabelErr: errs[fmt.Sprintf("expenses[%d].label", i)],
			Err: errs[fmt.Sprintf("expenses[%d].amount_cents", i)]}
		for _, cat := range models.ExpenseCategories {
			r.Category = append(r.Category, option{string(cat), expenseLabels[cat], values[p+"category"] == string(cat)})
		}
		v.Expenses = append(v.Expenses, r)
	}
	for i := range teamRows {
		p := fmt.Sprintf("team.%d.", i)
		v.Team = append(v.Team, teamRow{Index: i, Name: values[p+"name"], Role: values[p+"role"],
			NameErr: errs[fmt.Sprintf("team[%d].name", i)], RoleErr: errs[fmt.Sprintf("team[%d].role", i)]})
	}
	labs, err := s.Store.Labs(ctx)
	if err != nil {
		return s.renderError(c, err)
	}
	for _, l := range labs {
		v.Labs = append(v.Labs, option{l.ID, l.Name + " (région " + l.Region + ")", values["lab_id"] == l.ID})
	}
	crtes, err := s.Store.CRTEs(ctx)
	if err != nil {
		return s.renderError(c, err)
	}
	for _, cr := range crtes {
		v.CRTEs = append(v.CRTEs, option{cr.ID, cr.Name, values["crte_id"] == cr.ID})
	}
	return s.render(c, status, "axe3_application", "Demande de subvention préfectorale (Axe 3)", v)
}

// axe3Input is one input of the Axe 3 form.
func axe3Input(v axe3View, name, path, lbl string, area bool) appField {
	return typedField(v.Values, v.Errors, name, path, lbl, area)
}

// axe3Form is the form of a new Axe 3 application.
func (s *Server) axe3Form(c echo.Context) error {
	if err := principal(c).NeedRole(models.RoleApplicant); err != nil {
		return s.renderError(c, err)
	}
	return s.showAxe3(c, http.StatusOK, "/axe3/nouveau", map[string]string{}, map[string]string{}, "")
}

// axe3DraftForm is the form of an Axe 3 draft, filled with what it holds.
func (s *Server) axe3DraftForm(c echo.Context) error {
	d, app, err := s.App.OwnPrefectoral(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return s.renderError(c, err)
	}
	return s.showAxe3(c, http.StatusOK, "/dossiers/"+d.ID+"/axe3", axe3Values(app), map[string]string{}, "")
}

// axe3Values are the form's values of an application, as the applicant typed them.
func axe3Values(app models.PrefectoralApplication) map[string]string {
	v := map[string]string{"title": app.Title, "description": app.Description, "project_type": string(app.ProjectType),
		"lab_id": app.LabID, "crte_id": app.CRTEID, "backing.deliberation": app.Backing.Deliberation,
		"backing.deliberation_date": app.Backing.DeliberationDate, "economic_model": app.EconomicModel, "impact": app.Impact,
		"indicators": strings.Join(app.Indicators, "\n")}
	for name, c := range map[string]models.Cents{"requested": app.RequestedCents, "other_public_funding": app.OtherPublicFundingCents} {
		if c > 0 {
			v[name] = eurosInput(c)
		}
	}
	if app.TargetUsers > 0 {
		v["target_users"] = strconv.FormatInt(app.TargetUsers, 10)
	}
	for i, l := range app.Expenses {
		p := fmt.Sprintf("expenses.%d.", i)
		v[p+"category"], v[p+"label"], v[p+"amount"] = string(l.Category), l.Label, eurosInput(l.AmountCents)
	}
	for i, m := range app.Team {
		p := fmt.Sprintf("team.%d.", i)
		v[p+"name"], v[p+"role"] = m.Name, m.Role
	}
	return v
}

// axe3Of reads the form into the API's application, with the errors of what is typed in
// euros or as a number.
func axe3Of(form url.Values) (models.PrefectoralApplication, map[string]string, map[string]string) {
	// The expense and team lines typed move up over empty rows, so that each row of the form
	// is the line of the application the API's errors name.
	values := map[string]string{}
	for k := range form {
		if k != csrfField && !strings.HasPrefix(k, "expenses.") && !strings.HasPrefix(k, "team.") {
			values[k] = form.Get(k)
		}
	}
	app := models.PrefectoralApplication{Title: strings.TrimSpace(form.Get("title")), Description: strings.TrimSpace(form.Get("description")),
		ProjectType: models.ProjectType(form.Get("project_type")), LabID: form.Get("lab_id"), CRTEID: form.Get("crte_id"),
		Backing:       models.Backing{Deliberation: strings.TrimSpace(form.Get("backing.deliberation")), DeliberationDate: form.Get("backing.deliberation_date")},
		EconomicModel: strings.TrimSpace(form.Get("economic_model")), Impact: strings.TrimSpace(form.Get("impact"))}
	errs := map[string]string{}
	euros := func(name, path string, dst *models.Cents) {
		if v := form.Get(name); v != "" {
			if cents, ok := parseEuros(v); ok {
				*dst = cents
			} else {
				errs[path] = "Un montant en euros, par exemple 40000 ou 12 500,50."
			}
		}
	}
	euros("requested", "requested_cents", &app.RequestedCents)
	euros("other_public_funding", "other_public_funding_cents", &app.OtherPublicFundingCents)
	if v := strings.TrimSpace(form.Get("target_users")); v != "" {
		n, err := strconv.ParseInt(strings.ReplaceAll(v, " ", ""), 10, 64)
		if err != nil {
			errs["target_users"] = "Un nombre entier d'usagers."
		}
		app.TargetUsers = n
	}
	for i := range expenseRows {
		p := fmt.Sprintf("expenses.%d.", i)
		line := models.ExpenseLine{Category: models.ExpenseCategory(form.Get(p + "category")), Label: strings.TrimSpace(form.Get(p + "label"))}
		if line.Label == "" && form.Get(p+"amount") == "" {
			continue
		}
		n := fmt.Sprintf("expenses.%d.", len(app.Expenses))
		values[n+"category"], values[n+"label"], values[n+"amount"] = form.Get(p+"category"), form.Get(p+"label"), form.Get(p+"amount")
		euros(p+"amount", fmt.Sprintf("expenses[%d].amount_cents", len(app.Expenses)), &line.AmountCents)
		app.Expenses = append(app.Expenses, line)
	}
	for i := range teamRows {
		p := fmt.Sprintf("team.%d.", i)
		m := models.TeamMember{Name: strings.TrimSpace(form.Get(p + "name")), Role: strings.TrimSpace(form.Get(p + "role"))}
		if m.Name != "" || m.Role != "" {
			n := fmt.Sprintf("team.%d.", len(app.Team))
			values[n+"name"], values[n+"role"] = form.Get(p+"name"), form.Get(p+"role")
			app.Team = append(app.Team, m)
		}
	}
	for _, l := range strings.Split(form.Get("indicators"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			app.Indicators = append(app.Indicators, l)
		}
	}
	return app, values, errs
}

// answerAxe3 answers an Axe 3 application form.
func (s *Server) answerAxe3(c echo.Context, action string, values map[string]string, d models.Dossier, draft bool, err error) error {
	return s.answerApplicationForm(c, d, draft, err, func(status int, errs map[string]string, problem string) error {
		return s.showAxe3(c, status, action, values, errs, problem)
	})
}

// readAxe3 reads the posted form: the application, what was typed, and the errors of the
// amounts.
func readAxe3(c echo.Context) (models.PrefectoralApplication, map[string]string, map[string]string, error) {
	form, err := formParams(c)
	if err != nil {
		return models.PrefectoralApplication{}, nil, nil, err
	}
	app, values, errs := axe3Of(form)
	return app, values, errs, nil
}

// fileAxe3 files a new Axe 3 application, or saves it as a draft ("brouillon").
func (s *Server) fileAxe3(c echo.Context) error {
	app, values, errs, err := readAxe3(c)
	if err != nil {
		return s.renderError(c, err)
	}
	const action = "/axe3/nouveau"
	if len(errs) > 0 {
		return s.showAxe3(c, http.StatusUnprocessableEntity, action, values, errs, "")
	}
	draft := c.FormValue("action") == "brouillon"
	filed, err := s.App.FilePrefectoral(c.Request().Context(), principal(c), c.FormValue("key"), app, draft)
	return s.answerAxe3(c, action, values, filed.Dossier, draft, err)
}

// saveAxe3Draft saves an Axe 3 draft, and submits it when asked.
func (s *Server) saveAxe3Draft(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	d, _, err := s.App.OwnPrefectoral(ctx, p, c.Param("id"))
	if err != nil {
		return s.renderError(c, s.audited(c, c.Param("id"), "", err))
	}
	app, values, errs, err := readAxe3(c)
	if err != nil {
		return s.renderError(c, err)
	}
	action := "/dossiers/" + d.ID + "/axe3"
	if len(errs) > 0 {
		return s.showAxe3(c, http.StatusUnprocessableEntity, action, values, errs, "")
	}
	draft := c.FormValue("action") == "brouillon"
	if d, err = s.App.UpdatePrefectoralDraft(ctx, p, d.ID, app); err == nil && !draft {
		d, err = s.App.SubmitPrefectoral(ctx, p, d.ID)
	}
	s.audited(c, c.Param("id"), "", err)
	return s.answerAxe3(c, action, values, d, draft, err)
}

// prefectoralFields lists an Axe 3 application, in the order and words of its form.
func prefectoralFields(d models.Dossier) []field {
	var app models.PrefectoralApplication
	if json.Unmarshal(d.Payload, &app) != nil {
		return nil
	}
	out := []field{{"Titre", app.Title}, {"Description", app.Description}, {"Type de projet", label(projectTypeLabels, app.ProjectType)}}
	for i, l := range app.Expenses {
		out = append(out, field{fmt.Sprintf("Dépense %d — %s", i+1, label(expenseLabels, l.Category)), l.Label + " : " + models.FormatEuros(l.AmountCents)})
	}
	out = append(out, field{"Dépenses éligibles", models.FormatEuros(app.EligibleCostCents())},
		field{"Autres financements publics", models.FormatEuros(app.OtherPublicFundingCents)})
	if app.LabID != "" {
		out = append(out, field{"Laboratoire d'innovation territoriale", app.LabID})
	}
	deliberation := app.Backing.Deliberation
	if app.Backing.DeliberationDate != "" {
		deliberation += " (" + app.Backing.DeliberationDate + ")"
	}
	out = append(out, field{"Portage : délibération", deliberation})
	for _, m := range app.Team {
		out = append(out, field{"Équipe", m.Name + " — " + m.Role})
	}
	out = append(out, field{"Usagers visés", strconv.FormatInt(app.TargetUsers, 10)}, field{"Modèle économique et essaimage", app.EconomicModel},
		field{"Impact attendu", app.Impact}, field{"Indicateurs", strings.Join(app.Indicators, " ; ")})
	if app.CRTEID != "" {
		out = append(out, field{"CRTE", app.CRTEID})
	}
	return out
}

// axe3Facts is what the dossier page adds for an Axe 3 dossier: its eligibility explained,
// its score, the session it waits in.
type axe3Facts struct {
	Eligibility models.PrefectoralEligibility
	Reasons     []string
	Scored      bool
	Score       models.Score
	Criteria    []criterionLine
	SessionID   string
}

type criterionLine struct {
	Label, Comment string
	Score          int
}

func (s *Server) axe3Facts(ctx context.Context, p models.Principal, v filing.DossierView) (*axe3Facts, error) {
	if v.Kind != models.KindPrefectoral {
		return nil, nil
	}
	f := &axe3Facts{}
	var err error
	// A registry that no longer knows the applicant leaves its eligibility unexplained,
	// not its dossier unreadable.
	if f.Eligibility, err = s.App.PrefectoralEligibility(ctx, p, v.ID); err != nil && models.ErrorCode(err) != models.ENotFound {
		return nil, err
	}
	for _, r := range f.Eligibility.Reasons {
		f.Reasons = append(f.Reasons, eligibilityFR(r))
	}
	if !p.SeesInternals(v.Dossier) {
		return f, nil // the instruction's scores and sessions are the State's
	}
	if f.Score, f.Scored, err = s.Store.DossierScore(ctx, v.ID); err != nil {
		return nil, err
	}
	for _, t := range v.Tasks {
		var sc models.ScoringData
		if t.Type == models.TaskScoring && t.Status == models.TaskDone && json.Unmarshal(t.Data, &sc) == nil {
			f.Criteria = nil
			for i, c := range sc.Criteria {
				if i < len(criteriaLabels) {
					f.Criteria = append(f.Criteria, criterionLine{criteriaLabels[i], c.Comment, c.Score})
				}
			}
		}
	}
	if f.SessionID, err = s.Store.OpenSessionOf(ctx, v.ID); err != nil {
		return nil, err
	}
	return f, nil
}

// eligibilityFR are the eligibility's reasons (models.CheckPrefectoralEligibility's words) in French.
var eligibilityFR = func() func(string) string {
	rules := []struct {
		re *regexp.Regexp
		fr string
	}{
		{regexp.MustCompile(`^the applicant has (.+) inhabitants, more than the (.+) its territory \((.+)\) set as the cap$`),
			"La collectivité compte $1 habitants, plus que le plafond de $2 fixé pour son territoire ($3)."},
		{regexp.MustCompile(`^(.+): not of an eligible category \(.*\)$`),
			"$1 : hors des catégories éligibles (études ; accompagnement spécialisé ; formation ; relation usagers omnicanale)."},
		{regexp.MustCompile(`^public funding of (.+) \((.+) requested and (.+) of other public funding\) exceeds (\d+)% of the eligible cost of (.+), that is (.+)$`),
			"Les financements publics de $1 ($2 demandés et $3 d'autres financements publics) dépassent $4 % des dépenses éligibles de $5, soit $6."},
		{regexp.MustCompile(`^the applicant has (.+) inhabitants \(no population cap\), every expense line is eligible, and public funding of (.+) is within (\d+)% of the eligible cost of (.+)$`),
			"La collectivité compte $1 habitants (pas de plafond de population), toutes les dépenses sont éligibles, et les financements publics de $2 restent dans la limite de $3 % des dépenses éligibles de $4."},
		{regexp.MustCompile(`^the applicant has (.+) inhabitants \(at most (.+) inhabitants\), every expense line is eligible, and public funding of (.+) is within (\d+)% of the eligible cost of (.+)$`),
			"La collectivité compte $1 habitants (au plus $2), toutes les dépenses sont éligibles, et les financements publics de $3 restent dans la limite de $4 % des dépenses éligibles de $5."},
	}
	line := regexp.MustCompile(`line (\d+) \((\w+), ([^)]*)\)`)
	grouped := regexp.MustCompile(`\d{1,3}(?:,\d{3})+\b`)
	return func(msg string) string {
		for _, r := range rules {
			if m := r.re.FindStringSubmatchIndex(msg); m != nil {
				out := string(r.re.ExpandString(nil, r.fr, msg, m))
				// Thousands are grouped with a space in French, not a comma.
				out = grouped.ReplaceAllStringFunc(out, func(n string) string { return strings.ReplaceAll(n, ",", " ") })
				return line.ReplaceAllStringFunc(out, func(l string) string {
					sm := line.FindStringSubmatch(l)
					return "ligne " + sm[1] + " (" + label(expenseLabels, models.ExpenseCategory(sm[2])) + ", " + sm[3] + ")"
				})
			}
		}
		return msg
	}
}()

// groupThousands writes n with its thousands grouped by a space, as French does.
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + " " + s[i:]
	}
	return s
}

// euroData reads an amount typed in euros into a completion's data under path
// ("data.amount_cents"); an empty amount is the "required" rule's.
func euroData(form url.Values, name, path string, data map[string]any, errs map[string]string) {
	v := form.Get(name)
	cents, ok := parseEuros(v)
	switch {
	case v == "":
		errs[path] = fieldMessageFR("is required")
	case !ok:
		errs[path] = "Un montant en euros, par exemple 12000 ou 12 500,50."
	default:
		data[strings.TrimPrefix(path, "data.")] = cents
	}
}

// scoringData reads the scoring form: each criterion's score and comment, the amount proposed.
func scoringData(form url.Values, data map[string]any, errs map[string]string) {
	criteria := make([]models.CriterionScore, models.CriteriaCount)
	for i := range criteria {
		p := fmt.Sprintf("criteria.%d.", i)
		n, err := strconv.Atoi(form.Get(p + "score"))
		if err != nil {
			errs[fmt.Sprintf("data.criteria[%d].score", i)] = "Choisissez une note de 0 à 5."
		}
		criteria[i] = models.CriterionScore{Score: n, Comment: strings.TrimSpace(form.Get(p + "comment"))}
	}
	data["criteria"] = criteria
	euroData(form, "proposed", "data.proposed_cents", data, errs)
}

// scoringForm is the scoring task's form: the five criteria with what was typed, the
// territory's weights, the total out of 100 once every score is given, and the cap of the
// amount proposed.
type scoringForm struct {
	Criteria []scoringRow
	Weights  [models.CriteriaCount]int
	// Territory is who set the weights, in French.
	Territory string
	Total     *int
	MaxGrant  models.Cents
}

type scoringRow struct {
	Index                  int
	Label                  string
	Scores                 []option
	Comment                string
	ScoreError, CommentErr string
	Weight                 int
}

// criterionScores are the scores a criterion takes, 0 to 5 (models.CriterionScore's rule).
const criterionScores = 6

// scoringWeights are the criteria's weights that apply to dossier d, and who set them, in French.
func (s *Server) scoringWeights(ctx context.Context, d models.Dossier) ([models.CriteriaCount]int, string, error) {
	set, err := s.Store.Axe3Rules(ctx)
	if err != nil {
		return [models.CriteriaCount]int{}, "", err
	}
	rules := models.ApplicableRules(set, d.Departement, d.Region)
	switch rules.Scope.Kind {
	case models.ScopeKindDepartement:
		return rules.Weights, "département " + rules.Scope.Value, nil
	case models.ScopeKindRegion:
		return rules.Weights, "région " + rules.Scope.Value, nil
	}
	return rules.Weights, "par défaut", nil
}

// scoringTotal is the total out of 100 of the scores picked (values named as the form's
// inputs) under weights, by the models' rule; nil until each criterion has its score.
func scoringTotal(values map[string]string, weights [models.CriteriaCount]int) *int {
	scores := make([]int, 0, models.CriteriaCount)
	for i := range models.CriteriaCount {
		n, err := strconv.Atoi(values[fmt.Sprintf("criteria.%d.score", i)])
		if err != nil || n < 0 || n >= criterionScores {
			return nil
		}
		scores = append(scores, n)
	}
	total := models.WeightedScore(scores, weights)
	return &total
}

func (s *Server) scoringForm(ctx context.Context, d models.Dossier, values, errs map[string]string) (*scoringForm, error) {
	weights, territory, err := s.scoringWeights(ctx, d)
	if err != nil {
		return nil, err
	}
	f := &scoringForm{Weights: weights, Territory: territory, Total: scoringTotal(values, weights)}
	var app models.PrefectoralApplication
	if err := json.Unmarshal(d.Payload, &app); err != nil {
		return nil, err
	}
	e, err := s.Store.PrefectoralEligibility(ctx, d.ApplicantSiren, app)
	if err != nil {
		return nil, err
	}
	f.MaxGrant = e.MaxGrantCents
	for i, lbl := range criteriaLabels {
		p := fmt.Sprintf("criteria.%d.", i)
		r := scoringRow{Index: i, Label: lbl, Comment: values[p+"comment"], Weight: weights[i],
			ScoreError: errs[fmt.Sprintf("data.criteria[%d].score", i)], CommentErr: errs[fmt.Sprintf("data.criteria[%d].comment", i)]}
		for n := range criterionScores {
			r.Scores = append(r.Scores, option{strconv.Itoa(n), strconv.Itoa(n), values[p+"score"] == strconv.Itoa(n)})
		}
		f.Criteria = append(f.Criteria, r)
	}
	return f, nil
}

// scoringTotalFragment answers the scoring form's total for the scores picked so far, as
// the form shows it: the form asks for it (htmx) each time the instructor picks a score,
// so the total is computed by the models' rule alone. Without JavaScript, the form shows
// it once submitted.
func (s *Server) scoringTotalFragment(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	t, err := s.App.VisibleTask(ctx, p, c.Param("id"))
	if err == nil && t.Type != models.TaskScoring {
		err = models.Errorf(models.ENotFound, "task %s is not a scoring task", t.ID)
	}
	var d models.Dossier
	if err == nil {
		d, err = s.App.VisibleDossier(ctx, p, t.DossierID)
	}
	var weights [models.CriteriaCount]int
	if err == nil {
		weights, _, err = s.scoringWeights(ctx, d)
	}
	if err != nil {
		// The form keeps the total it shows; the refusal is for whoever asks directly.
		c.Response().Header().Set("HX-Reswap", "none")
		return s.renderError(c, err)
	}
	values := map[string]string{}
	for i := range models.CriteriaCount {
		name := fmt.Sprintf("criteria.%d.score", i)
		values[name] = c.QueryParam(name)
	}
	return s.renderFragment(c, "task", "scoringTotal", &scoringForm{Total: scoringTotal(values, weights)})
}
