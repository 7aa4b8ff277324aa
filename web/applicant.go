package web

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/relance/relance/api"
	"github.com/relance/relance/models"
)

// guichetView is the guichet's form: the kind chosen, its checklist with the
// specification's labels, what was typed, and the errors of the act's rules.
type guichetView struct {
	Kind      models.GuichetKind
	Kinds     []models.GuichetKind
	APIs      map[string]string
	Spec      models.ChecklistSpec
	Values    map[string]string
	Checklist map[string]bool
	Errors    map[string]string
	Problem   string
	// Key is the filing's idempotency key: submitting the same form twice files one dossier.
	Key string
}

func (s *Server) guichetForm(c echo.Context) error {
	if err := principal(c).NeedRole(models.RoleApplicant); err != nil {
		return s.renderError(c, err)
	}
	return s.showGuichet(c, http.StatusOK, c.QueryParams(), map[string]string{}, "")
}

func (s *Server) showGuichet(c echo.Context, status int, form url.Values, errs map[string]string, problem string) error {
	kind := models.GuichetKind(form.Get("kind"))
	if _, ok := models.ChecklistFor(kind); !ok {
		kind = models.GuichetFranceConnect
	}
	spec, _ := models.ChecklistFor(kind)
	v := guichetView{Kind: kind, Kinds: []models.GuichetKind{models.GuichetFranceConnect, models.GuichetAPI}, APIs: models.GuichetAPIs,
		Spec: spec, Values: map[string]string{}, Checklist: map[string]bool{}, Errors: errs, Problem: problem, Key: form.Get("key")}
	for k := range form {
		v.Values[k] = form.Get(k)
	}
	for _, item := range spec.Items {
		v.Checklist[item.Key] = form.Get("checklist."+item.Key) == "on"
	}
	if v.Key == "" {
		v.Key = uuid.NewString()
	}
	return s.render(c, status, "guichet", "Demande au guichet FranceConnect / API", v)
}

// checklistOf reads a form's checklist: every item of spec, ticked or not.
func checklistOf(spec models.ChecklistSpec, form url.Values) map[string]bool {
	m := map[string]bool{}
	for _, item := range spec.Items {
		m[item.Key] = form.Get("checklist."+item.Key) == "on"
	}
	return m
}

// fileGuichet files the application as the API does (its form's rules, then the filing).
func (s *Server) fileGuichet(c echo.Context) error {
	p := principal(c)
	form, err := formParams(c)
	if err != nil {
		return s.renderError(c, err)
	}
	app := models.GuichetApplication{Kind: models.GuichetKind(form.Get("kind")), APIName: form.Get("api_name")}
	if app.Kind != models.GuichetAPI {
		app.APIName = ""
	}
	if spec, ok := models.ChecklistFor(app.Kind); ok {
		app.Checklist = checklistOf(spec, form)
	}
	errs := map[string]string{}
	if cents, ok := parseEuros(form.Get("cost")); ok {
		app.ProjectCostCents = cents
	} else {
		errs["project_cost_cents"] = "Un montant en euros, par exemple 12400 ou 12 400,50."
	}
	if len(errs) > 0 {
		return s.showGuichet(c, http.StatusUnprocessableEntity, form, errs, "")
	}
	filed, err := s.App.FileGuichet(c.Request().Context(), p, form.Get("key"), app)
	if err != nil {
		var e *models.Error
		if asError(err, &e) && len(e.Fields) > 0 {
			addFieldErrorsFR(errs, e.Fields)
			return s.showGuichet(c, http.StatusUnprocessableEntity, form, errs, "")
		}
		if asError(err, &e) && e.Code != models.EInternal {
			return s.showGuichet(c, api.StatusOf(e), form, errs, problemFR(e))
		}
		return s.renderError(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/dossiers/"+url.PathEscape(filed.Dossier.ID)+"?info=depose")
}

// amendForm is the checklist an incomplete guichet dossier's applicant may complete, as
// typed, with the errors of its rules (by the API's field path: "checklist",
// "checklist.<item>") and why it was refused.
type amendForm struct {
	Spec      models.ChecklistSpec
	Checklist map[string]bool
	Errors    map[string]string
	Problem   string
}

// amendFormOf is the amendment form of d for p, or nil when p may not amend d.
func amendFormOf(p models.Principal, d models.Dossier, app models.GuichetApplication) *amendForm {
	if d.Kind != models.KindGuichet || d.Status != models.StatusIncomplete || !p.ActsFor(d.ApplicantSiren) {
		return nil
	}
	spec, ok := models.ChecklistByVersion(app.ChecklistVersion)
	if !ok {
		return nil
	}
	return &amendForm{Spec: spec, Checklist: maps.Clone(app.Checklist)}
}

// amendChecklist sends the new checklist to the dossier's workflow, as the API does.
func (s *Server) amendChecklist(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	d, err := s.App.VisibleDossier(ctx, p, c.Param("id"))
	if err != nil {
		return s.renderError(c, s.audited(c, c.Param("id"), "", err))
	}
	form, err := formParams(c)
	if err != nil {
		return s.renderError(c, err)
	}
	app, _ := guichetOf(d)
	spec, ok := models.ChecklistByVersion(app.ChecklistVersion)
	if !ok {
		return s.renderError(c, models.Errorf(models.EConflict, "ce dossier n'a pas de liste de vérification"))
	}
	typed := &amendForm{Checklist: checklistOf(spec, form), Errors: map[string]string{}}
	err = s.audited(c, d.ID, "", s.App.AmendChecklist(ctx, p, d.ID, models.ChecklistAmendment{Checklist: typed.Checklist}))
	var e *models.Error
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/dossiers/"+url.PathEscape(d.ID)+"?info=complete")
	case asError(err, &e) && len(e.Fields) > 0:
		addFieldErrorsFR(typed.Errors, e.Fields)
		return s.showDossier(c, http.StatusUnprocessableEntity, typed)
	case asError(err, &e) && e.Code != models.EInternal && e.Code != models.EUnavailable:
		typed.Problem = problemFR(e)
		return s.showDossier(c, api.StatusOf(e), typed)
	}
	return s.renderError(c, err)
}

// guichetOf decodes a guichet dossier's application.
func guichetOf(d models.Dossier) (models.GuichetApplication, bool) {
	var app models.GuichetApplication
	return app, d.Kind == models.KindGuichet && json.Unmarshal(d.Payload, &app) == nil
}
