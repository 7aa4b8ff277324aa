package models

import (
	"maps"
	"regexp"
	"slices"
	"strings"
)

// LegalForm is an INSEE catégorie juridique (niveau III) the administrator may enter.
type LegalForm struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	// Type is the entry it makes: a département or a région gives the registry's entry its
	// SIREN; any other form is a structure covering the territory it declares.
	Type CollectiviteType `json:"type"`
}

// LegalForms are the catégories juridiques of the collectivités and groupings the fund
// serves that the Etalab data lacks or leaves without SIREN. Communes (7210) and EPCI à
// fiscalité propre (7343, 7344, 7346, 7348) come from the Etalab data and are not among
// them. INSEE has no code of its own for a société publique locale: SPL are sociétés
// anonymes, 5599 or 5699.
var LegalForms = []LegalForm{
	{"5599", "SA à conseil d'administration (société publique locale)", TypeStructure},
	{"5699", "SA à directoire (société publique locale)", TypeStructure},
	{"7220", "Département", TypeDepartement},
	{"7229", "(Autre) Collectivité territoriale", TypeStructure},
	{"7230", "Région", TypeRegion},
	{"7340", "Pôle métropolitain", TypeStructure},
	{"7345", "Syndicat intercommunal à vocation multiple (SIVOM)", TypeStructure},
	{"7351", "Institution interdépartementale ou entente", TypeStructure},
	{"7353", "Syndicat intercommunal à vocation unique (SIVU)", TypeStructure},
	{"7354", "Syndicat mixte fermé", TypeStructure},
	{"7355", "Syndicat mixte ouvert", TypeStructure},
	{"7357", "Pôle d'équilibre territorial et rural (PETR)", TypeStructure},
	{"7410", "Groupement d'intérêt public (GIP)", TypeStructure},
}

// LegalFormOf returns the accepted legal form with that INSEE code.
func LegalFormOf(code string) (LegalForm, bool) {
	i := slices.IndexFunc(LegalForms, func(f LegalForm) bool { return f.Code == code })
	if i < 0 {
		return LegalForm{}, false
	}
	return LegalForms[i], true
}

var (
	communeCode = regexp.MustCompile(`^(\d{5}|2[AB]\d{3})$`)
)

// StructureEntry is the administrator's entry for one collectivité or grouping, keyed by
// SIREN: a département or a région of the registry (its territory is its own, given as its
// code alone in Departements or Regions), or a structure and the territory it covers. Its
// JSON and CSV names are the same, so an error names the field or column at fault.
type StructureEntry struct {
	Siren     string `json:"siren" validate:"siren"`
	Name      string `json:"name" validate:"notblank,max=200"`
	LegalForm string `json:"legal_form" validate:"legal_form"`
	Territory
}

// Normalize trims spaces and drops repeated codes, keeping the first-seen order.
func (e *StructureEntry) Normalize() {
	e.Siren, e.Name, e.LegalForm = strings.TrimSpace(e.Siren), strings.TrimSpace(e.Name), strings.TrimSpace(e.LegalForm)
	for _, list := range []*[]string{&e.Communes, &e.EPCIs, &e.Departements, &e.Regions} {
		var out []string
		for _, c := range *list {
			if c = strings.TrimSpace(c); c != "" && !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
		*list = out
	}
}

// Type is the registry entry e makes, "" when its legal form is not accepted.
func (e StructureEntry) Type() CollectiviteType {
	form, _ := LegalFormOf(e.LegalForm)
	return form.Type
}

// Validate checks e's fields (after Normalize), naming each field at fault: its field
// rules (tags here and on Territory's lists), then what ties its legal form to its
// territory. Whether the codes exist is the registry's to say.
func (e StructureEntry) Validate() error {
	fields := map[string]string{}
	form, ok := LegalFormOf(e.LegalForm)
	switch {
	case !ok:
	case form.Type == TypeDepartement && (len(e.Departements) != 1 || len(e.Communes)+len(e.EPCIs)+len(e.Regions) > 0):
		fields["departements"] = "a département covers its whole territory: give its code alone, and no communes, epcis or regions"
	case form.Type == TypeRegion && (len(e.Regions) != 1 || len(e.Communes)+len(e.EPCIs)+len(e.Departements) > 0):
		fields["regions"] = "a région covers its whole territory: give its code alone, and no communes, epcis or departements"
	case e.Territory.Empty():
		fields["communes"] = "the structure covers nothing: give communes, epcis, departements and/or regions"
	}
	// A list's malformed codes say more than its shape: the tags' messages win.
	return joinFieldErrors(Validate(e), fields)
}

// acceptedLegalForms lists the codes LegalForms accepts, for the message that refuses another.
func acceptedLegalForms() string {
	accepted := make([]string, len(LegalForms))
	for i, f := range LegalForms {
		accepted[i] = f.Code
	}
	return strings.Join(accepted, ", ")
}

// Coverage is what a set of communes covers, computed from the registry.
type Coverage struct {
	// Communes counts the distinct communes covered.
	Communes   int   `json:"communes"`
	Population int64 `json:"population"`
	// WholeDepartements are the codes of the départements all of whose communes are covered, sorted.
	WholeDepartements []string `json:"whole_departements"`
	// Departement and Region are where the covered communes hold most of their population
	// (ties going to the lower code): where an entry covering them belongs.
	Departement string `json:"departement,omitempty"`
	Region      string `json:"region,omitempty"`
}

// CoverageOf sums up covered communes (each counted once; entries of another type are
// ignored, since an EPCI's population would count its members twice) against
// communesPerDepartement, the registry's number of communes in each département.
func CoverageOf(covered []Collectivite, communesPerDepartement map[string]int) Coverage {
	cov, _ := coverageOf(covered, communesPerDepartement)
	return cov
}

// coverageOf is CoverageOf, with the number of communes covered in each département.
func coverageOf(covered []Collectivite, communesPerDepartement map[string]int) (Coverage, map[string]int) {
	cov, perDept := Coverage{WholeDepartements: []string{}}, map[string]int{}
	seen := map[string]bool{}
	popDept := map[string]int64{}
	regionOf := map[string]string{}
	for _, c := range covered {
		if c.Type != "" && c.Type != TypeCommune {
			continue
		}
		key := c.Siren
		if key == "" {
			key = "insee:" + c.Code // a SIREN-less entry is still one commune
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		cov.Population += c.Population
		if c.Departement != "" {
			perDept[c.Departement]++
			popDept[c.Departement] += c.Population
			regionOf[c.Departement] = c.Region
		}
	}
	cov.Communes = len(seen)
	for _, d := range slices.Sorted(maps.Keys(perDept)) {
		if total := communesPerDepartement[d]; total > 0 && perDept[d] >= total {
			cov.WholeDepartements = append(cov.WholeDepartements, d)
		}
		if cov.Departement == "" || popDept[d] > popDept[cov.Departement] {
			cov.Departement = d
		}
	}
	cov.Region = regionOf[cov.Departement]
	return cov, perDept
}
