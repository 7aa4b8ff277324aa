package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/api"
	"github.com/relance/relance/models"
)

// peoplePageSize is how many entries the people page lists at a time.
const peoplePageSize = 50

// peopleView is the administrator's table of people, a page of it, and the form that adds
// or edits an entry, with what was typed and its errors.
type peopleView struct {
	People  []models.Person
	Next    string
	Roles   []models.Role
	Values  map[string]string
	Checked map[models.Role]bool
	Errors  map[string]string
	Problem string
	// Trail is the changes to the entry being edited, oldest first.
	Trail []models.AuditEvent
}

func (s *Server) showPeople(c echo.Context, status int, values map[string]string, checked map[models.Role]bool, errs map[string]string, problem string) error {
	people, err := s.Store.People(c.Request().Context(), c.QueryParam("apres"), peoplePageSize+1)
	if err != nil {
		return s.renderError(c, err)
	}
	v := peopleView{People: people, Roles: models.Roles, Values: values, Checked: checked, Errors: errs, Problem: problem}
	if sub := c.QueryParam("sujet"); sub != "" {
		if v.Trail, err = s.Store.PersonTrail(c.Request().Context(), sub); err != nil {
			return s.renderError(c, err)
		}
	}
	if len(people) > peoplePageSize {
		v.People = people[:peoplePageSize]
		v.Next = "/admin/personnes?apres=" + url.QueryEscape(people[peoplePageSize-1].Subject)
	}
	return s.render(c, status, "people", "Personnes", v)
}

// peoplePage lists the entries; ?sujet= fills the form with one to edit.
func (s *Server) peoplePage(c echo.Context) error {
	if err := principal(c).NeedRole(models.RoleAdmin); err != nil {
		return s.renderError(c, err)
	}
	values, checked := map[string]string{"active": "on"}, map[models.Role]bool{}
	if sub := c.QueryParam("sujet"); sub != "" {
		p, found, err := s.Store.Person(c.Request().Context(), sub)
		if err != nil {
			return s.renderError(c, err)
		}
		if !found {
			return s.renderError(c, models.Errorf(models.ENotFound, "aucune fiche pour %q", sub))
		}
		values = map[string]string{"subject": p.Subject, "name": p.Name, "siren": p.Siren,
			"departements": strings.Join(p.Departements, " "), "regions": strings.Join(p.Regions, " ")}
		if p.IsActive() {
			values["active"] = "on"
		}
		for _, r := range p.Roles {
			checked[r] = true
		}
	}
	return s.showPeople(c, http.StatusOK, values, checked, map[string]string{}, "")
}

// codes reads a list typed with spaces, commas or semicolons between its codes.
func codes(v string) []string {
	return strings.Fields(strings.NewReplacer(",", " ", ";", " ").Replace(v))
}

// savePerson adds or replaces an entry, by the same act as the API's.
func (s *Server) savePerson(c echo.Context) error {
	if err := principal(c).NeedRole(models.RoleAdmin); err != nil {
		return s.renderError(c, err)
	}
	form, err := formParams(c)
	if err != nil {
		return s.renderError(c, err)
	}
	values, checked := map[string]string{}, map[models.Role]bool{}
	for k := range form {
		values[k] = form.Get(k)
	}
	active := form.Get("active") == "on"
	p := models.Person{Subject: strings.TrimSpace(form.Get("subject")), Name: form.Get("name"), Siren: strings.TrimSpace(form.Get("siren")),
		Departements: codes(form.Get("departements")), Regions: codes(form.Get("regions")), Active: &active}
	for _, r := range form["roles"] {
		p.Roles = append(p.Roles, models.Role(r))
		checked[models.Role(r)] = true
	}
	err = s.App.SavePerson(c.Request().Context(), principal(c), p)
	var e *models.Error
	switch {
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/admin/personnes?info=personne-enregistree")
	case asError(err, &e) && len(e.Fields) > 0:
		errs := map[string]string{}
		for k, msg := range e.Fields {
			k, _, _ = strings.Cut(k, "[") // a list's item names the list's input
			errs[k] = fieldMessageFR(msg)
		}
		return s.showPeople(c, http.StatusUnprocessableEntity, values, checked, errs, "")
	case asError(err, &e) && e.Code != models.EInternal:
		return s.showPeople(c, api.StatusOf(e), values, checked, map[string]string{}, problemFR(e))
	}
	return s.renderError(c, err)
}

// deletePerson removes an entry: the person signs in with their provider's claims again.
func (s *Server) deletePerson(c echo.Context) error {
	if err := principal(c).NeedRole(models.RoleAdmin); err != nil {
		return s.renderError(c, err)
	}
	if err := s.App.RemovePerson(c.Request().Context(), principal(c), c.FormValue("subject")); err != nil {
		return s.renderError(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/personnes?info=personne-supprimee")
}
