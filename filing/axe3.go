package filing

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/relance/relance/models"
)

// Axe 3's acts: the administrator's regional split, the préfets' delegations and each
// territory's rules; the applicants' prefectoral applications, from draft to submission.

// RegionalSplitView is the territorial envelope's split as it stands, and the default split
// in proportion to the régions' populations from the registry.
type RegionalSplitView struct {
	Territorial models.Envelope         `json:"territorial"`
	Current     map[string]models.Cents `json:"current"`
	Default     map[string]models.Cents `json:"default"`
}

// RegionalSplit is the territorial envelope's split as it stands, and the default one: the
// administrator's, who sets it.
func (s *Service) RegionalSplit(ctx context.Context, p models.Principal) (RegionalSplitView, error) {
	out := RegionalSplitView{Current: map[string]models.Cents{}}
	if !p.IsAdmin() {
		return out, models.Errorf(models.EForbidden, "only an administrator reads the split of %s", models.EnvelopeAxe3Territorial)
	}
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

// SetRegionalSplit splits the territorial envelope into the régions' envelopes: an
// administrator's act.
func (s *Service) SetRegionalSplit(ctx context.Context, p models.Principal, allocations map[string]models.Cents) error {
	if !p.HasRole(models.RoleAdmin) {
		return models.Errorf(models.EForbidden, "only an administrator splits %s", models.EnvelopeAxe3Territorial)
	}
	if err := models.Validate(models.RegionalSplitRequest{Allocations: allocations}); err != nil {
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

// Region is région's envelope, its kept part, its départements' and the acts on them, to
// whoever works for the State.
func (s *Service) Region(ctx context.Context, p models.Principal, region string) (RegionView, error) {
	if err := canReadRegion(p); err != nil {
		return RegionView{Departements: []models.Envelope{}}, err
	}
	envs, err := s.Store.Envelopes(ctx)
	if err != nil {
		return RegionView{Departements: []models.Envelope{}}, err
	}
	out, found := regionView(envs, region)
	if !found {
		return out, models.Errorf(models.ENotFound, "région %s has no Axe 3 envelope: the administrator has not split %s to it", region, models.EnvelopeAxe3Territorial)
	}
	out.Acts, err = s.Store.EnvelopeActs(ctx, models.RegionEnvelope(region))
	return out, err
}

// Regions are the views of every région the territorial envelope is split to, by région,
// to whoever works for the State.
func (s *Service) Regions(ctx context.Context, p models.Principal) (map[string]RegionView, error) {
	if err := canReadRegion(p); err != nil {
		return nil, err
	}
	envs, err := s.Store.Envelopes(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]RegionView{}
	for _, e := range envs {
		if e.ParentCode != models.EnvelopeAxe3Territorial {
			continue
		}
		region := strings.TrimPrefix(e.Code, models.EnvelopeAxe3Territorial+".")
		v, _ := regionView(envs, region)
		if v.Acts, err = s.Store.EnvelopeActs(ctx, e.Code); err != nil {
			return nil, err
		}
		out[region] = v
	}
	return out, nil
}

func canReadRegion(p models.Principal) error {
	if !p.CanReadRegion() {
		return models.Errorf(models.EForbidden, "only the State's agents (administrators, finance officers, préfets, instructors) read the régions' envelopes")
	}
	return nil
}

// regionView is région's envelope among envs, its kept part and its départements', and
// whether the territorial envelope is split to it.
func regionView(envs []models.Envelope, region string) (RegionView, bool) {
	out := RegionView{Departements: []models.Envelope{}}
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
	return out, found
}

// Delegate sets what région delegates to its département dep: p is its préfet de région
// or an administrator.
func (s *Service) Delegate(ctx context.Context, p models.Principal, region, dep string, req models.DelegationRequest) (models.Envelope, error) {
	for _, err := range []error{models.CheckRegion("region", region), models.CheckDepartement("departement", dep), models.Validate(req)} {
		if err != nil {
			return models.Envelope{}, err
		}
	}
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
	return s.Store.Delegate(ctx, region, dep, *req.AmountCents, p.Subject)
}

// SetAxe3Rules sets the Axe 3 rules of a département or a région: its préfet's act, its
// région's préfet's, or an administrator's.
func (s *Service) SetAxe3Rules(ctx context.Context, p models.Principal, scope models.Scope, req models.Axe3RulesRequest) (models.Axe3Rules, error) {
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

// FilePrefectoral files p's Axe 3 application for a prefectoral grant, or saves it as a
// draft (which may be incomplete), under the application's rules and the lab and CRTE it
// names. The applicant must be in the registry (its département and région place the
// dossier, and choose the préfecture that instructs it), and its région must have its
// Axe 3 envelope.
func (s *Service) FilePrefectoral(ctx context.Context, p models.Principal, idemKey string, app models.PrefectoralApplication, draft bool) (Filed, error) {
	if err := p.NeedRole(models.RoleApplicant); err != nil {
		return Filed{}, err
	}
	if err := app.Validate(!draft); err != nil {
		return Filed{}, err
	}
	if err := s.checkPrefectoralReferences(ctx, p.Siren, app); err != nil {
		return Filed{}, err
	}
	col, err := s.Store.CollectiviteBySiren(ctx, p.Siren)
	if models.ErrorCode(err) == models.ENotFound {
		return Filed{}, models.Errorf(models.EConflict, "the registry does not know SIREN %s: prefectoral grants go to the collectivités and groupings it lists", p.Siren)
	} else if err != nil {
		return Filed{}, err
	}
	envelope, err := s.Store.TerritorialEnvelope(ctx, col.Region, col.Departement)
	if err != nil {
		return Filed{}, err
	}
	return s.fileApplication(ctx, p, idemKey, app, draft, models.Dossier{Kind: models.KindPrefectoral, EnvelopeCode: envelope,
		RequestedCents: app.RequestedCents})
}

// checkPrefectoralReferences checks the lab and CRTE an application names, against the
// applicant's région.
func (s *Service) checkPrefectoralReferences(ctx context.Context, siren string, app models.PrefectoralApplication) error {
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
func (s *Service) OwnPrefectoral(ctx context.Context, p models.Principal, id string) (models.Dossier, models.PrefectoralApplication, error) {
	d, app, err := s.prefectoralDossier(ctx, p, id)
	if err != nil {
		return d, app, err
	}
	return d, app, ownApplication(p, d)
}

// prefectoralDossier loads an Axe 3 dossier p may read, with its application.
func (s *Service) prefectoralDossier(ctx context.Context, p models.Principal, id string) (models.Dossier, models.PrefectoralApplication, error) {
	var app models.PrefectoralApplication
	d, err := s.VisibleDossier(ctx, p, id)
	if err != nil {
		return d, app, err
	}
	if d.Kind != models.KindPrefectoral {
		return d, app, models.Errorf(models.EConflict, "dossier %s is not an Axe 3 application", d.ID)
	}
	return d, app, json.Unmarshal(d.Payload, &app)
}

// UpdatePrefectoralDraft replaces the application of p's Axe 3 draft id.
func (s *Service) UpdatePrefectoralDraft(ctx context.Context, p models.Principal, id string, app models.PrefectoralApplication) (models.Dossier, error) {
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
	return s.saveDraft(ctx, d, app, app.RequestedCents)
}

// PrefectoralEligibility computes and explains the eligibility of Axe 3 dossier id as it stands.
func (s *Service) PrefectoralEligibility(ctx context.Context, p models.Principal, id string) (models.PrefectoralEligibility, error) {
	d, app, err := s.prefectoralDossier(ctx, p, id)
	if err != nil {
		return models.PrefectoralEligibility{}, err
	}
	return s.Store.PrefectoralEligibility(ctx, d.ApplicantSiren, app)
}

// SubmitPrefectoral submits p's complete Axe 3 draft id, starting its process.
func (s *Service) SubmitPrefectoral(ctx context.Context, p models.Principal, id string) (models.Dossier, error) {
	d, app, err := s.OwnPrefectoral(ctx, p, id)
	if err != nil {
		return d, err
	}
	if err := submittable(d); err != nil {
		return d, err
	}
	if err := app.Validate(true); err != nil {
		return d, err
	}
	if err := s.checkPrefectoralReferences(ctx, d.ApplicantSiren, app); err != nil {
		return d, err
	}
	return s.SubmitDraft(ctx, d)
}
