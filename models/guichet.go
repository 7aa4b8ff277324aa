package models

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// GuichetKind is what a guichet application funds: a FranceConnect or a national API connection.
type GuichetKind string

const (
	GuichetFranceConnect GuichetKind = "franceconnect"
	GuichetAPI           GuichetKind = "api"
)

// GuichetGrantCapCents is the most one connection is funded: 5,000 €.
const GuichetGrantCapCents Cents = 500_000

// maxProjectCostCents bounds input to something a collectivité could mean (10 M€).
const maxProjectCostCents Cents = 1_000_000_000

// GuichetAPIs are the national APIs the window funds a connection to, by slug.
var GuichetAPIs = map[string]string{
	"api_entreprise":        "API Entreprise",
	"api_impot_particulier": "API Impôt particulier",
	"api_particulier":       "API Particulier",
	"api_droits_cnam":       "API Droits CNAM",
}

// GuichetApplication is what an applicant files at the FranceConnect/API window.
type GuichetApplication struct {
	Kind             GuichetKind     `json:"kind"`
	APIName          string          `json:"api_name,omitempty"`
	ProjectCostCents Cents           `json:"project_cost_cents"`
	Checklist        map[string]bool `json:"checklist"`
	// ChecklistVersion is the specification the checklist answers, set by the server.
	ChecklistVersion string `json:"checklist_version"`
}

// Validate checks the application's form (not its compliance, which the workflow decides).
func (a GuichetApplication) Validate() error {
	fields := map[string]string{}
	switch a.Kind {
	case GuichetFranceConnect:
		if a.APIName != "" {
			fields["api_name"] = "must be empty for a franceconnect application"
		}
	case GuichetAPI:
		if _, ok := GuichetAPIs[a.APIName]; !ok {
			fields["api_name"] = "must be one of " + strings.Join(sortedKeys(GuichetAPIs), ", ")
		}
	default:
		fields["kind"] = `must be "franceconnect" or "api"`
	}
	if !ValidCents(a.ProjectCostCents) || a.ProjectCostCents == 0 || a.ProjectCostCents > maxProjectCostCents {
		fields["project_cost_cents"] = fmt.Sprintf("must be between 1 and %d cents", maxProjectCostCents)
	}
	if a.Checklist == nil {
		fields["checklist"] = "is required"
	} else if spec, ok := ChecklistFor(a.Kind); ok {
		maps.Copy(fields, spec.unknownItems(a.Checklist))
	}
	if len(fields) > 0 {
		return FieldErrors(fields)
	}
	return nil
}

// GrantCents is what a compliant application receives: its cost, at most 5,000 €.
func (a GuichetApplication) GrantCents() Cents { return min(a.ProjectCostCents, GuichetGrantCapCents) }

// ChecklistItem is one requirement of the simplified specification.
type ChecklistItem struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// ChecklistSpec is a versioned simplified specification (cahier des charges simplifié).
type ChecklistSpec struct {
	Version string          `json:"version"`
	Kind    GuichetKind     `json:"kind"`
	Items   []ChecklistItem `json:"items"`
}

// Has reports whether key is an item of the specification.
func (s ChecklistSpec) Has(key string) bool {
	return slices.ContainsFunc(s.Items, func(i ChecklistItem) bool { return i.Key == key })
}

// UnknownItems refuses a checklist naming items the specification does not have.
func (s ChecklistSpec) UnknownItems(checklist map[string]bool) error {
	if fields := s.unknownItems(checklist); len(fields) > 0 {
		return FieldErrors(fields)
	}
	return nil
}

func (s ChecklistSpec) unknownItems(checklist map[string]bool) map[string]string {
	fields := map[string]string{}
	for key := range checklist {
		if !s.Has(key) {
			fields["checklist."+key] = "is not an item of specification " + s.Version
		}
	}
	return fields
}

// Missing returns the items the checklist does not affirm, in the specification's order.
func (s ChecklistSpec) Missing(checklist map[string]bool) []ChecklistItem {
	var missing []ChecklistItem
	for _, item := range s.Items {
		if !checklist[item.Key] {
			missing = append(missing, item)
		}
	}
	return missing
}

// The items common to both specifications.
var (
	itemService   = ChecklistItem{"service_en_ligne", "Le service en ligne raccordé est identifié et ouvert aux usagers"}
	itemDataPass  = ChecklistItem{"habilitation_datapass", "L'habilitation a été demandée sur DataPass"}
	itemMinimal   = ChecklistItem{"minimisation_donnees", "Seules les données strictement nécessaires à la démarche sont demandées (RGPD)"}
	itemIntegrate = ChecklistItem{"recette_integration", "Le raccordement a été testé sur l'environnement d'intégration"}
	itemGuide     = ChecklistItem{"guide_technique_dinum", "Le raccordement suit le guide technique publié par la DINUM"}
)

// ChecklistSpecs are the specifications, current and past. A new version is added as data
// after the one it replaces: ChecklistFor takes the last of a kind, and dossiers keep the
// version they answered.
var ChecklistSpecs = []ChecklistSpec{
	{Version: "franceconnect-2021.1", Kind: GuichetFranceConnect, Items: []ChecklistItem{
		itemService, itemDataPass,
		{"bouton_charte", "Le bouton FranceConnect respecte la charte graphique"},
		{"deconnexion", "La déconnexion FranceConnect est mise en œuvre"},
		itemMinimal, itemIntegrate, itemGuide,
	}},
	{Version: "api-2021.1", Kind: GuichetAPI, Items: []ChecklistItem{
		itemService, itemDataPass,
		{"cadre_juridique", "Le cadre juridique qui fonde l'accès aux données est identifié"},
		{"homologation_securite", "Le service a fait l'objet d'une homologation de sécurité"},
		itemMinimal, itemIntegrate, itemGuide,
	}},
}

// ChecklistFor returns the current specification of a kind.
func ChecklistFor(kind GuichetKind) (ChecklistSpec, bool) {
	for _, s := range slices.Backward(ChecklistSpecs) {
		if s.Kind == kind {
			return s, true
		}
	}
	return ChecklistSpec{}, false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ChecklistByVersion returns a specification by its version, current or past.
func ChecklistByVersion(version string) (ChecklistSpec, bool) {
	i := slices.IndexFunc(ChecklistSpecs, func(s ChecklistSpec) bool { return s.Version == version })
	if i < 0 {
		return ChecklistSpec{}, false
	}
	return ChecklistSpecs[i], true
}
