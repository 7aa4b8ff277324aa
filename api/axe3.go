package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
)

// Axe 3's envelopes and reference data: the administrator's regional split, labs and CRTE;
// the préfets' delegations and each territory's rules.

// RegionalSplitView is the territorial envelope's split as it stands, and the default split
// in proportion to the régions' populations from the registry.
type RegionalSplitView struct {
	Territorial models.Envelope         `json:"territorial"`
	Current     map[string]models.Cents `json:"current"`
	Default     map[string]models.Cents `json:"default"`
}

func (s *Server) regionalSplit(c echo.Context) error {
	out, err := s.RegionalSplit(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// RegionalSplit is the territorial envelope's split as it stands, and the default one.
func (s *Server) RegionalSplit(ctx context.Context) (RegionalSplitView, error) {
	out := RegionalSplitView{Current: map[string]models.Cents{}}
	envs, err := s.Store.Envelopes(ctx)
	if err != nil {
		return out, err
	}
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
		return out, err
	}
	out.Default = models.SplitByPopulation(out.Territorial.AllocatedCents, pops)
	return out, nil
}

type regionalSplitRequest struct {
	// Allocations gives each région (by INSEE code) its envelope, in cents.
	Allocations map[string]models.Cents `json:"allocations" validate:"required,min=1,dive,keys,region,endkeys,cents"`
}

func (s *Server) putRegionalSplit(c echo.Context) error {
	var req regionalSplitRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if err := s.SetRegionalSplit(c.Request().Context(), principal(c), req.Allocations); err != nil {
		return err
	}
	return s.regionalSplit(c)
}

// SetRegionalSplit splits the territorial envelope into the régions' envelopes: an
// administrator's act.
func (s *Server) SetRegionalSplit(ctx context.Context, p models.Principal, allocations map[string]models.Cents) error {
	if !p.HasRole(models.RoleAdmin) {
		return models.Errorf(models.EForbidden, "only an administrator splits %s", models.EnvelopeAxe3Territorial)
	}
	if err := models.Validate(regionalSplitRequest{Allocations: allocations}); err != nil {
		return err
	}
	return s.Store.SetRegionalSplit(ctx, allocations, p.Subject)
}

// RegionView is a région's envelope, its kept part, its départements' and the acts on them.
type RegionView struct {
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
	out, err := s.Region(c.Request().Context(), region)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// Region is région's envelope, its kept part, its départements' and the acts on them.
func (s *Server) Region(ctx context.Context, region string) (RegionView, error) {
	out := RegionView{Departements: []models.Envelope{}}
	envs, err := s.Store.Envelopes(ctx)
	if err != nil {
		return out, err
	}
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
		return out, models.Errorf(models.ENotFound, "région %s has no Axe 3 envelope: the administrator has not split %s to it", region, models.EnvelopeAxe3Territorial)
	}
	out.Acts, err = s.Store.EnvelopeActs(ctx, models.RegionEnvelope(region))
	return out, err
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
	env, err := s.Delegate(c.Request().Context(), principal(c), region, dep, *req.AmountCents)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, env)
}

// Delegate sets what région delegates to its département dep: p is its préfet de région
// or an administrator.
func (s *Server) Delegate(ctx context.Context, p models.Principal, region, dep string, amount models.Cents) (models.Envelope, error) {
	if !p.GovernsRegion(region) {
		return models.Envelope{}, models.Errorf(models.EForbidden, "only the préfet of région %s delegates its envelope", region)
	}
	depRegion, err := s.Store.DepartementRegion(ctx, dep)
	if err != nil {
		return models.Envelope{}, err
	}
	if depRegion != region {
		return models.Envelope{}, models.FieldErrors(map[string]string{"departement": "belongs to région " + depRegion + ", not " + region})
	}
	return s.Store.Delegate(ctx, region, dep, amount, p.Subject)
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

// RulesRequest is a territory's Axe 3 rules as the préfet sets them.
type RulesRequest struct {
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
	if _, err := s.Store.DepartementRegion(c.Request().Context(), dep); err != nil {
		return err
	}
	return s.putRules(c, models.DepartementScope(dep))
}

// putRegionRules sets a région's Axe 3 rules, which its départements without their own follow.
func (s *Server) putRegionRules(c echo.Context) error {
	region, err := regionParam(c)
	if err != nil {
		return err
	}
	return s.putRules(c, models.RegionScope(region))
}

func (s *Server) putRules(c echo.Context, scope models.Scope) error {
	var req RulesRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	rules, err := s.SetAxe3Rules(c.Request().Context(), principal(c), scope, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rules)
}

// SetAxe3Rules sets the Axe 3 rules of a département or a région: its préfet's act, its
// région's préfet's, or an administrator's.
func (s *Server) SetAxe3Rules(ctx context.Context, p models.Principal, scope models.Scope, req RulesRequest) (models.Axe3Rules, error) {
	if err := models.Validate(req); err != nil {
		return models.Axe3Rules{}, err
	}
	allowed := false
	switch scope.Kind {
	case models.ScopeKindDepartement:
		region, err := s.Store.DepartementRegion(ctx, scope.Value)
		if err != nil {
			return models.Axe3Rules{}, err
		}
		allowed = p.GovernsDepartement(scope.Value, region)
	case models.ScopeKindRegion:
		allowed = p.GovernsRegion(scope.Value)
	}
	if !allowed {
		return models.Axe3Rules{}, models.Errorf(models.EForbidden, "only the préfet of %s, or of its région, sets its rules", scope)
	}
	rules := models.Axe3Rules{Scope: scope, PopulationCap: *req.PopulationCap, MaxPublicRatePercent: *req.MaxPublicRatePercent,
		Weights: [models.CriteriaCount]int(req.Weights)}
	if err := rules.Validate(); err != nil {
		return rules, err
	}
	return rules, s.Store.PutAxe3Rules(ctx, rules, p.Subject)
}

// prefectoralRequest is an Axe 3 application; Draft saves it without submitting.
type prefectoralRequest struct {
	models.PrefectoralApplication
	Draft bool `json:"draft"`
}

// createPrefectoral files an Axe 3 application for the caller's collectivité, or saves a
// draft of it.
func (s *Server) createPrefectoral(c echo.Context) error {
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	var req prefectoralRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	filed, err := s.FilePrefectoral(c.Request().Context(), principal(c), key, req.PrefectoralApplication, req.Draft)
	if err != nil {
		return err
	}
	return answerFiled(c, filed)
}

// FilePrefectoral files p's Axe 3 application, or saves it as a draft (which may be
// incomplete), under the application's rules and the lab and CRTE it names.
func (s *Server) FilePrefectoral(ctx context.Context, p models.Principal, key string, app models.PrefectoralApplication, draft bool) (filing.Filed, error) {
	if !p.HasRole(models.RoleApplicant) {
		return filing.Filed{}, models.Errorf(models.EForbidden, "this action needs the applicant role")
	}
	if err := app.Validate(!draft); err != nil {
		return filing.Filed{}, err
	}
	if err := s.checkPrefectoralReferences(ctx, p.Siren, app); err != nil {
		return filing.Filed{}, err
	}
	return s.Filing.FilePrefectoral(ctx, p, key, app, draft)
}

// checkPrefectoralReferences checks the lab and CRTE an application names, against the
// applicant's région.
func (s *Server) checkPrefectoralReferences(ctx context.Context, siren string, app models.PrefectoralApplication) error {
	if app.LabID == "" && app.CRTEID == "" {
		return nil
	}
	col, err := s.Store.CollectiviteBySiren(ctx, siren)
	if err != nil {
		return err
	}
	return s.Store.CheckPrefectoralReferences(ctx, app, col.Region)
}

// OwnPrefectoral loads an Axe 3 application of p's collectivité, with what it holds.
func (s *Server) OwnPrefectoral(ctx context.Context, p models.Principal, id string) (models.Dossier, models.PrefectoralApplication, error) {
	d, app, err := s.PrefectoralDossier(ctx, p, id)
	if err != nil {
		return d, app, err
	}
	if !p.ActsFor(d.ApplicantSiren) {
		return d, app, models.Errorf(models.EForbidden, "only the applicant collectivité can change its application")
	}
	return d, app, nil
}

// PrefectoralDossier loads an Axe 3 dossier p may read, with its application.
func (s *Server) PrefectoralDossier(ctx context.Context, p models.Principal, id string) (models.Dossier, models.PrefectoralApplication, error) {
	var app models.PrefectoralApplication
	d, err := s.Filing.VisibleDossier(ctx, p, id)
	if err != nil {
		return d, app, err
	}
	if d.Kind != models.KindPrefectoral {
		return d, app, models.Errorf(models.EConflict, "dossier %s is not an Axe 3 application", d.ID)
	}
	return d, app, json.Unmarshal(d.Payload, &app)
}

// updatePrefectoralDraft replaces a draft's application.
func (s *Server) updatePrefectoralDraft(c echo.Context) error {
	var app models.PrefectoralApplication
	if err := bindJSON(c, &app); err != nil {
		return err
	}
	d, err := s.UpdatePrefectoralDraft(c.Request().Context(), principal(c), c.Param("id"), app)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// UpdatePrefectoralDraft replaces the application of p's Axe 3 draft id.
func (s *Server) UpdatePrefectoralDraft(ctx context.Context, p models.Principal, id string, app models.PrefectoralApplication) (models.Dossier, error) {
	d, _, err := s.OwnPrefectoral(ctx, p, id)
	if err != nil {
		return d, err
	}
	if err := app.Validate(false); err != nil {
		return d, err
	}
	if err := s.checkPrefectoralReferences(ctx, d.ApplicantSiren, app); err != nil {
		return d, err
	}
	payload, err := json.Marshal(app)
	if err != nil {
		return d, err
	}
	return s.Store.UpdateDraft(ctx, d.ID, payload, app.RequestedCents)
}

// prefectoralEligibility computes and explains an Axe 3 application's eligibility as it
// stands, for whoever reads the dossier (a draft's applicant, before submitting).
func (s *Server) prefectoralEligibility(c echo.Context) error {
	e, err := s.PrefectoralEligibility(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

// PrefectoralEligibility computes and explains the eligibility of Axe 3 dossier id as it stands.
func (s *Server) PrefectoralEligibility(ctx context.Context, p models.Principal, id string) (models.PrefectoralEligibility, error) {
	d, app, err := s.PrefectoralDossier(ctx, p, id)
	if err != nil {
		return models.PrefectoralEligibility{}, err
	}
	return s.Store.PrefectoralEligibility(ctx, d.ApplicantSiren, app)
}

// submitPrefectoral submits a complete draft, starting its process.
func (s *Server) submitPrefectoral(c echo.Context) error {
	d, err := s.SubmitPrefectoral(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// SubmitPrefectoral submits p's complete Axe 3 draft id, starting its process.
func (s *Server) SubmitPrefectoral(ctx context.Context, p models.Principal, id string) (models.Dossier, error) {
	d, app, err := s.OwnPrefectoral(ctx, p, id)
	if err != nil {
		return d, err
	}
	if d.Status != models.StatusDraft && d.Status != models.StatusSubmitted {
		return d, models.Errorf(models.EConflict, "dossier %s is already %s", d.ID, d.Status)
	}
	if err := app.Validate(true); err != nil {
		return d, err
	}
	if err := s.checkPrefectoralReferences(ctx, d.ApplicantSiren, app); err != nil {
		return d, err
	}
	return s.Filing.SubmitDraft(ctx, d)
}
