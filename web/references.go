package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// The page of Axe 3's reference lists: the territorial innovation labs and the CRTE, for
// whoever signs in (as the API's lists), with the administrator's forms that add or
// replace one through the application layer (filing.Service's PutLab, PutCRTE), as the
// API does: the same rules, errors shown next to the fields in French.

const referencesPath = "/axe3/referentiels"

// registerReferences adds the reference lists' routes.
func (s *Server) registerReferences(e *echo.Echo, csrf, signed echo.MiddlewareFunc) {
	e.GET(referencesPath, s.referencesPage, csrf, signed)
	e.POST(referencesPath+"/laboratoires", s.putLab, csrf, signed)
	e.POST(referencesPath+"/crte", s.putCRTE, csrf, signed)
}

// referencesView is the labs and the CRTE; for an administrator, the forms that add or
// edit one, with what was typed and its errors, and the changes to the entry being edited.
type referencesView struct {
	Labs    []labLine
	CRTEs   []crteLine
	Admin   bool
	Regions []option
	Lab     formView
	CRTE    formView
	// Trail is the changes to the entry being edited, oldest first; TrailOf names it.
	Trail   []models.AuditEvent
	TrailOf string
}

type labLine struct {
	models.Lab
	RegionName string
}

type crteLine struct {
	ID, Name, SignedOn string
	EPCIs, Communes    []namedSiren
}

// namedSiren is a collectivité of a CRTE, with its name when the registry knows it.
type namedSiren struct{ Siren, Name string }

// LabInput and CRTEInput are an input of the lab's or the CRTE's form, named as the API's
// field, with an ID of its own: both forms are on the page.
func (v referencesView) LabInput(name, lbl string) inputField {
	in := v.Lab.Input(name, lbl, "text")
	in.ID = "lab-" + name
	return in
}

func (v referencesView) CRTEInput(name, lbl, typ string) inputField {
	in := v.CRTE.Input(name, lbl, typ)
	in.ID = "crte-" + name
	return in
}

// newReferencesView is the page with its forms empty: formView's rules and inputs serve
// these forms too, which are no campaign's.
func newReferencesView() referencesView {
	return referencesView{Lab: newForm(models.Campaign{}), CRTE: newForm(models.Campaign{})}
}

func (s *Server) showReferences(c echo.Context, status int, v referencesView) error {
	ctx := c.Request().Context()
	v.Admin = principal(c).HasRole(models.RoleAdmin)
	regions, err := s.Store.SearchCollectivites(ctx, store.CollectiviteFilter{Type: models.TypeRegion, Limit: 100})
	if err != nil {
		return s.renderError(c, err)
	}
	regionNames := map[string]string{}
	for _, r := range regions {
		regionNames[r.Code] = r.Name
		v.Regions = append(v.Regions, option{r.Code, r.Name + " (" + r.Code + ")", v.Lab.Values["region"] == r.Code})
	}
	labs, err := s.Store.Labs(ctx)
	if err != nil {
		return s.renderError(c, err)
	}
	for _, l := range labs {
		v.Labs = append(v.Labs, labLine{Lab: l, RegionName: regionNames[l.Region]})
	}
	if v.CRTEs, err = s.crteLines(ctx); err != nil {
		return s.renderError(c, err)
	}
	return s.render(c, status, "axe3_references", "Laboratoires et CRTE", v)
}

// crteLines are the CRTE, their EPCI and communes named from the registry.
func (s *Server) crteLines(ctx context.Context) ([]crteLine, error) {
	crtes, err := s.Store.CRTEs(ctx)
	if err != nil {
		return nil, err
	}
	var sirens []string
	for _, c := range crtes {
		sirens = append(sirens, c.EPCIs...)
		sirens = append(sirens, c.Communes...)
	}
	names, err := s.Store.CollectiviteNames(ctx, sirens)
	if err != nil {
		return nil, err
	}
	named := func(list []string) []namedSiren {
		out := make([]namedSiren, len(list))
		for i, siren := range list {
			out[i] = namedSiren{siren, names[siren]}
		}
		return out
	}
	lines := make([]crteLine, len(crtes))
	for i, c := range crtes {
		lines[i] = crteLine{ID: c.ID, Name: c.Name, SignedOn: c.SignedOn.Format("02/01/2006"), EPCIs: named(c.EPCIs), Communes: named(c.Communes)}
	}
	return lines, nil
}

// referencesPage lists the labs and the CRTE; an administrator's ?laboratoire= or ?crte=
// fills the form with one to edit, and shows its changes.
func (s *Server) referencesPage(c echo.Context) error {
	ctx := c.Request().Context()
	v := newReferencesView()
	if !principal(c).HasRole(models.RoleAdmin) {
		return s.showReferences(c, http.StatusOK, v)
	}
	var trail string
	if id := c.QueryParam("laboratoire"); id != "" {
		lab, err := s.Store.Lab(ctx, id)
		if err != nil {
			return s.renderError(c, err)
		}
		v.Lab.Values = map[string]string{"id": lab.ID, "name": lab.Name, "region": lab.Region}
		trail, v.TrailOf = models.LabTrailID(id), "du laboratoire "+lab.Name
	}
	if id := c.QueryParam("crte"); id != "" {
		crtes, err := s.Store.CRTEs(ctx)
		if err != nil {
			return s.renderError(c, err)
		}
		i := slices.IndexFunc(crtes, func(cr models.CRTE) bool { return cr.ID == id })
		if i < 0 {
			return s.renderError(c, models.Errorf(models.ENotFound, "aucun CRTE %q", id))
		}
		cr := crtes[i]
		v.CRTE.Values = map[string]string{"id": cr.ID, "name": cr.Name, "epcis": strings.Join(cr.EPCIs, "\n"),
			"communes": strings.Join(cr.Communes, "\n"), "signed_on": cr.SignedOn.Format(time.DateOnly)}
		trail, v.TrailOf = models.CRTETrailID(id), "du CRTE "+cr.Name
	}
	if trail != "" {
		var err error
		if v.Trail, err = s.Store.AuditTrail(ctx, trail); err != nil {
			return s.renderError(c, err)
		}
	}
	return s.showReferences(c, http.StatusOK, v)
}

// putLab adds or replaces a lab, as the API does.
func (s *Server) putLab(c echo.Context) error {
	form, err := formParams(c)
	if err != nil {
		return s.renderError(c, err)
	}
	v := newReferencesView()
	v.Lab.Values = formValues(form)
	_, err = s.App.PutLab(c.Request().Context(), principal(c), strings.TrimSpace(form.Get("id")),
		models.LabRequest{Name: form.Get("name"), Region: form.Get("region")})
	if err == nil {
		return c.Redirect(http.StatusSeeOther, referencesPath+"?info=labo-enregistre#laboratoires")
	}
	status, ok := refusedReference(&v.Lab, err)
	if !ok {
		return s.renderError(c, err)
	}
	return s.showReferences(c, status, v)
}

// putCRTE adds or replaces a CRTE, as the API does: its EPCI and communes are typed one
// SIREN a line (spaces and commas separate them too).
func (s *Server) putCRTE(c echo.Context) error {
	form, err := formParams(c)
	if err != nil {
		return s.renderError(c, err)
	}
	v := newReferencesView()
	v.CRTE.Values = formValues(form)
	req := models.CRTERequest{Name: form.Get("name"), EPCIs: codes(form.Get("epcis")), Communes: codes(form.Get("communes")),
		SignedOn: strings.TrimSpace(form.Get("signed_on"))}
	_, err = s.App.PutCRTE(c.Request().Context(), principal(c), strings.TrimSpace(form.Get("id")), req)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, referencesPath+"?info=crte-enregistre#crte")
	}
	status, ok := refusedReference(&v.CRTE, err)
	if !ok {
		return s.renderError(c, err)
	}
	nameItems(v.CRTE.Errors, "epcis", req.EPCIs)
	nameItems(v.CRTE.Errors, "communes", req.Communes)
	return s.showReferences(c, status, v)
}

// refusedReference reads why err refused a form into it, with the API's status; ok is
// false for a refused person (not an administrator, who has no form) and an unexpected
// error, which get the error page.
func refusedReference(form *formView, err error) (status int, ok bool) {
	if models.ErrorCode(err) == models.EForbidden {
		return 0, false
	}
	return form.refusal(err)
}

// nameItems puts the errors of a list's items (epcis[1]) on the list's input, each naming
// the item at fault: the text area has no input of its own per item.
func nameItems(errs map[string]string, list string, items []string) {
	var msgs []string
	if msg := errs[list]; msg != "" {
		msgs = append(msgs, msg)
	}
	for i, item := range items {
		key := fmt.Sprintf("%s[%d]", list, i)
		if msg, ok := errs[key]; ok {
			msgs = append(msgs, "« "+item+" » : "+msg)
			delete(errs, key)
		}
	}
	if len(msgs) > 0 {
		errs[list] = strings.Join(msgs, " ")
	}
}
