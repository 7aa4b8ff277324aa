package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
)

// Axe 3's envelopes and reference data: the administrator's regional split, labs and CRTE;
// the préfets' delegations and each territory's rules.

// regionalSplit is the territorial envelope's split as it stands, and the default split
// in proportion to the régions' populations from the registry.
type regionalSplit struct {
	Territorial models.Envelope         `json:"territorial"`
	Current     map[string]models.Cents `json:"current"`
	Default     map[string]models.Cents `json:"default"`
}

func (s *Server) regionalSplit(c echo.Context) error {
	ctx := c.Request().Context()
	envs, err := s.Store.Envelopes(ctx)
	if err != nil {
		return err
	}
	out := regionalSplit{Current: map[string]models.Cents{}}
	for _, e := range envs {
		switch {
		case e.Code == models.EnvelopeAxe3Territorial:
			out.Territorial = e
		case e.ParentCode == models.EnvelopeAxe3Territorial:
			out.Current[strings.TrimPrefix(e.Code, models.EnvelopeAxe3Territorial+".")] = e.AllocatedCents
		}
	}
	pops, err := s.Store.RegionPopulations(ctx)
	if err != nil {
		return err
	}
	out.Default = models.SplitByPopulation(out.Territorial.AllocatedCents, pops)
	return c.JSON(http.StatusOK, out)
}

type regionalSplitRequest struct {
	// Allocations gives each région (by INSEE code) its envelope, in cents.
	Allocations map[string]models.Cents `json:"allocations" validate:"required,min=1,dive,keys,region,endkeys,cents"`
}

func (s *Server) putRegionalSplit(c echo.Context) error {
	var req regionalSplitRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	if err := s.Store.SetRegionalSplit(c.Request().Context(), req.Allocations, principal(c).Subject); err != nil {
		return err
	}
	return s.regionalSplit(c)
}

// regionView is a région's envelope, its kept part, its départements' and the acts on them.
type regionView struct {
	Envelope     models.Envelope      `json:"envelope"`
	Kept         models.Envelope      `json:"kept"`
	Departements []models.Envelope    `json:"departements"`
	Acts         []models.EnvelopeAct `json:"acts"`
}

// regionParam reads the :region path parameter.
func regionParam(c echo.Context) (string, error) {
	region := c.Param("region")
	if !models.ValidRegion(region) {
		return "", models.FieldErrors(map[string]string{"region": "must be a région's INSEE code (two digits, such as 53)"})
	}
	return region, nil
}

func (s *Server) getRegion(c echo.Context) error {
	region, err := regionParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	envs, err := s.Store.Envelopes(ctx)
	if err != nil {
		return err
	}
	out := regionView{Departements: []models.Envelope{}}
	found := false
	for _, e := range envs {
		switch {
		case e.Code == models.RegionEnvelope(region):
			out.Envelope, found = e, true
		case e.Code == models.KeptEnvelope(region):
			out.Kept = e
		case e.ParentCode == models.RegionEnvelope(region):
			out.Departements = append(out.Departements, e)
		}
	}
	if !found {
		return models.Errorf(models.ENotFound, "région %s has no Axe 3 envelope: the administrator has not split %s to it", region, models.EnvelopeAxe3Territorial)
	}
	if out.Acts, err = s.Store.EnvelopeActs(ctx, models.RegionEnvelope(region)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

type delegationRequest struct {
	AmountCents *models.Cents `json:"amount_cents" validate:"required,cents"`
}

// putDelegation sets what a région delegates to one of its départements: its préfet de
// région's act (or an administrator's).
func (s *Server) putDelegation(c echo.Context) error {
	region, err := regionParam(c)
	if err != nil {
		return err
	}
	dep := c.Param("departement")
	if !models.ValidDepartement(dep) {
		return models.FieldErrors(map[string]string{"departement": "must be a département code such as 01, 2A or 974"})
	}
	var req delegationRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	p := principal(c)
	if !p.GovernsRegion(region) {
		return models.Errorf(models.EForbidden, "only the préfet of région %s delegates its envelope", region)
	}
	ctx := c.Request().Context()
	depRegion, err := s.Store.DepartementRegion(ctx, dep)
	if err != nil {
		return err
	}
	if depRegion != region {
		return models.FieldErrors(map[string]string{"departement": "belongs to région " + depRegion + ", not " + region})
	}
	env, err := s.Store.Delegate(ctx, region, dep, *req.AmountCents, p.Subject)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, env)
}

// referenceIDParam reads the :id of a lab or a CRTE, as the administrator names them.
func referenceIDParam(c echo.Context) (string, error) {
	id := c.Param("id")
	if !models.ValidReferenceID(id) {
		return "", models.FieldErrors(map[string]string{"id": "must be 1 to 63 lower-case letters, digits and dashes, starting with a letter or digit"})
	}
	return id, nil
}

func (s *Server) listLabs(c echo.Context) error {
	labs, err := s.Store.Labs(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": nonNil(labs)})
}

type labRequest struct {
	Name   string `json:"name" validate:"notblank,max=200"`
	Region string `json:"region" validate:"region"`
}

func (s *Server) putLab(c echo.Context) error {
	id, err := referenceIDParam(c)
	if err != nil {
		return err
	}
	var req labRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	lab := models.Lab{ID: id, Name: strings.TrimSpace(req.Name), Region: req.Region}
	if err := s.Store.PutLab(c.Request().Context(), lab); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, lab)
}

func (s *Server) listCRTEs(c echo.Context) error {
	crtes, err := s.Store.CRTEs(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": nonNil(crtes)})
}

type crteRequest struct {
	Name     string   `json:"name" validate:"notblank,max=200"`
	EPCIs    []string `json:"epcis" validate:"max=100,unique,dive,siren"`
	Communes []string `json:"communes" validate:"max=1000,unique,dive,siren"`
	SignedOn string   `json:"signed_on" validate:"required,datetime=2006-01-02"`
}

func (s *Server) putCRTE(c echo.Context) error {
	id, err := referenceIDParam(c)
	if err != nil {
		return err
	}
	var req crteRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	if len(req.EPCIs)+len(req.Communes) == 0 {
		return models.FieldErrors(map[string]string{"epcis": "a CRTE covers at least one EPCI or commune"})
	}
	signed, _ := time.Parse(time.DateOnly, req.SignedOn) // the datetime rule checked it
	crte := models.CRTE{ID: id, Name: strings.TrimSpace(req.Name), EPCIs: req.EPCIs, Communes: req.Communes, SignedOn: signed}
	if err := s.Store.PutCRTE(c.Request().Context(), crte); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, crte)
}

func (s *Server) listAxe3Rules(c echo.Context) error {
	rules, err := s.Store.Axe3Rules(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": nonNil(rules), "default": models.DefaultAxe3Rules()})
}

type rulesRequest struct {
	PopulationCap        *int64 `json:"population_cap" validate:"required,min=0"`
	MaxPublicRatePercent *int   `json:"max_public_rate_percent" validate:"required,min=1,max=100"`
	// Weights is a list, not an array: JSON into a Go array drops extra items silently.
	Weights []int `json:"weights" validate:"required,len=5,dive,min=0,max=100"`
}

// putDepartementRules sets a département's Axe 3 rules: its préfet's, its région's préfet's
// or an administrator's act.
func (s *Server) putDepartementRules(c echo.Context) error {
	dep := c.Param("departement")
	if !models.ValidDepartement(dep) {
		return models.FieldErrors(map[string]string{"departement": "must be a département code such as 01, 2A or 974"})
	}
	region, err := s.Store.DepartementRegion(c.Request().Context(), dep)
	if err != nil {
		return err
	}
	return s.putRules(c, models.DepartementScope(dep), principal(c).GovernsDepartement(dep, region))
}

// putRegionRules sets a région's Axe 3 rules, which its départements without their own follow.
func (s *Server) putRegionRules(c echo.Context) error {
	region, err := regionParam(c)
	if err != nil {
		return err
	}
	return s.putRules(c, models.RegionScope(region), principal(c).GovernsRegion(region))
}

func (s *Server) putRules(c echo.Context, scope models.Scope, allowed bool) error {
	var req rulesRequest
	if err := bindValid(c, &req); err != nil {
		return err
	}
	if !allowed {
		return models.Errorf(models.EForbidden, "only the préfet of %s, or of its région, sets its rules", scope)
	}
	rules := models.Axe3Rules{Scope: scope, PopulationCap: *req.PopulationCap, MaxPublicRatePercent: *req.MaxPublicRatePercent,
		Weights: [models.CriteriaCount]int(req.Weights)}
	if err := rules.Validate(); err != nil {
		return err
	}
	if err := s.Store.PutAxe3Rules(c.Request().Context(), rules, principal(c).Subject); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rules)
}

// prefectoralRequest is an Axe 3 application; Draft saves it without submitting.
type prefectoralRequest struct {
	models.PrefectoralApplication
	Draft bool `json:"draft"`
}

// createPrefectoral files an Axe 3 application for the caller's collectivité, or saves a
// draft of it.
func (s *Server) createPrefectoral(c echo.Context) error {
	p := principal(c)
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	var req prefectoralRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := req.Validate(!req.Draft); err != nil {
		return err
	}
	if err := s.checkPrefectoralReferences(c, p.Siren, req.PrefectoralApplication); err != nil {
		return err
	}
	filed, err := s.Filing.FilePrefectoral(c.Request().Context(), p, key, req.PrefectoralApplication, req.Draft)
	if err != nil {
		return err
	}
	return answerFiled(c, filed)
}

// checkPrefectoralReferences checks the lab and CRTE an application names, against the
// applicant's région.
func (s *Server) checkPrefectoralReferences(c echo.Context, siren string, app models.PrefectoralApplication) error {
	if app.LabID == "" && app.CRTEID == "" {
		return nil
	}
	ctx := c.Request().Context()
	col, err := s.Store.CollectiviteBySiren(ctx, siren)
	if err != nil {
		return err
	}
	return s.Store.CheckPrefectoralReferences(ctx, app, col.Region)
}

// ownPrefectoral loads an Axe 3 application of the caller's collectivité.
func (s *Server) ownPrefectoral(c echo.Context) (models.Dossier, error) {
	d, err := s.prefectoralDossier(c)
	if err != nil {
		return d, err
	}
	if !principal(c).ActsFor(d.ApplicantSiren) {
		return d, models.Errorf(models.EForbidden, "only the applicant collectivité can change its application")
	}
	return d, nil
}

// prefectoralDossier loads an Axe 3 dossier the caller may read.
func (s *Server) prefectoralDossier(c echo.Context) (models.Dossier, error) {
	d, err := s.visibleDossier(c, c.Param("id"))
	if err != nil {
		return d, err
	}
	if d.Kind != models.KindPrefectoral {
		return d, models.Errorf(models.EConflict, "dossier %s is not an Axe 3 application", d.ID)
	}
	return d, nil
}

// updatePrefectoralDraft replaces a draft's application.
func (s *Server) updatePrefectoralDraft(c echo.Context) error {
	d, err := s.ownPrefectoral(c)
	if err != nil {
		return err
	}
	var app models.PrefectoralApplication
	if err := bindJSON(c, &app); err != nil {
		return err
	}
	if err := app.Validate(false); err != nil {
		return err
	}
	if err := s.checkPrefectoralReferences(c, d.ApplicantSiren, app); err != nil {
		return err
	}
	payload, err := json.Marshal(app)
	if err != nil {
		return err
	}
	if d, err = s.Store.UpdateDraft(c.Request().Context(), d.ID, payload, app.RequestedCents); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// prefectoralEligibility computes and explains an Axe 3 application's eligibility as it
// stands, for whoever reads the dossier (a draft's applicant, before submitting).
func (s *Server) prefectoralEligibility(c echo.Context) error {
	d, err := s.prefectoralDossier(c)
	if err != nil {
		return err
	}
	var app models.PrefectoralApplication
	if err := json.Unmarshal(d.Payload, &app); err != nil {
		return err
	}
	e, err := s.Store.PrefectoralEligibility(c.Request().Context(), d.ApplicantSiren, app)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

// submitPrefectoral submits a complete draft, starting its process.
func (s *Server) submitPrefectoral(c echo.Context) error {
	d, err := s.ownPrefectoral(c)
	if err != nil {
		return err
	}
	if d.Status != models.StatusDraft && d.Status != models.StatusSubmitted {
		return models.Errorf(models.EConflict, "dossier %s is already %s", d.ID, d.Status)
	}
	var app models.PrefectoralApplication
	if err := json.Unmarshal(d.Payload, &app); err != nil {
		return err
	}
	if err := app.Validate(true); err != nil {
		return err
	}
	if err := s.checkPrefectoralReferences(c, d.ApplicantSiren, app); err != nil {
		return err
	}
	if d, err = s.Filing.SubmitDraft(c.Request().Context(), d); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}
