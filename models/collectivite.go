package models

import "slices"

// CollectiviteType is the kind of local authority in the registry.
type CollectiviteType string

const (
	TypeCommune     CollectiviteType = "commune"
	TypeEPCI        CollectiviteType = "epci"
	TypeDepartement CollectiviteType = "departement"
	TypeRegion      CollectiviteType = "region"
	// TypeStructure is a collectivité or grouping the Etalab data lacks (syndicat mixte, GIP,
	// SPL, PETR, pôle métropolitain...), entered by an administrator with its territory.
	TypeStructure CollectiviteType = "structure"
)

// CollectiviteTypes lists the collectivité types.
var CollectiviteTypes = []CollectiviteType{TypeCommune, TypeEPCI, TypeDepartement, TypeRegion, TypeStructure}

// Valid reports whether t is a known collectivité type.
func (t CollectiviteType) Valid() bool { return slices.Contains(CollectiviteTypes, t) }

// CollectiviteFilterErrors checks the registry search's filters, each left empty for all:
// a collectivité type, a département, and the words searched (at most 100 characters).
func CollectiviteFilterErrors(typ, departement, query string) map[string]string {
	fields := map[string]string{}
	if typ != "" && !CollectiviteType(typ).Valid() {
		fields["type"] = "must be " + quotedChoice(CollectiviteTypes)
	}
	if departement != "" {
		addRuleMessage(fields, "departement", departement, "departement")
	}
	addRuleMessage(fields, "q", query, "max=100")
	return fields
}

// Collectivite is one entry of the registry: Etalab's découpage administratif, completed by
// the administrator's structures. Code is the INSEE code (commune, département, région) or
// the SIREN (EPCI, structure). Communes and EPCI carry a SIREN; the source data gives none
// for départements and régions, so theirs is empty until the administrator gives it.
// Departement and Region are the codes the entry belongs to (a département belongs to
// itself; for an EPCI or a structure, those of the communes holding most of its population).
type Collectivite struct {
	Type        CollectiviteType `json:"type"`
	Code        string           `json:"code"`
	Siren       string           `json:"siren,omitempty"`
	Name        string           `json:"name"`
	Departement string           `json:"departement,omitempty"`
	Region      string           `json:"region,omitempty"`
	Population  int64            `json:"population"`
	// Members lists the SIRENs of an EPCI's member communes.
	Members []string `json:"members,omitempty"`
	// LegalForm is the INSEE catégorie juridique the administrator gave (see LegalForms).
	LegalForm string `json:"legal_form,omitempty"`
	// Territory is what a structure declares it covers; other entries cover their own territory.
	Territory *Territory `json:"territory,omitempty"`
}

// Territory names what an entry covers, as the registry's codes: a structure's declared
// territory, or what a commune, EPCI, département or région covers by itself.
type Territory struct {
	// Communes are INSEE codes of communes.
	Communes []string `json:"communes,omitempty" validate:"max=40000,commune_codes"`
	// EPCIs are SIRENs of EPCI, each covering its member communes.
	EPCIs []string `json:"epcis,omitempty" validate:"max=40000,siren_codes"`
	// Departements and Regions are codes, each covering all its communes.
	Departements []string `json:"departements,omitempty" validate:"max=40000,departement_codes"`
	Regions      []string `json:"regions,omitempty" validate:"max=40000,region_codes"`
}

// Empty reports whether t names nothing.
func (t Territory) Empty() bool {
	return len(t.Communes)+len(t.EPCIs)+len(t.Departements)+len(t.Regions) == 0
}

// Covers returns the territory c covers: a commune itself, an EPCI its members, a
// département or a région all its communes, a structure what it declared.
func (c Collectivite) Covers() Territory {
	switch c.Type {
	case TypeCommune:
		return Territory{Communes: []string{c.Code}}
	case TypeEPCI:
		return Territory{EPCIs: []string{c.Code}}
	case TypeDepartement:
		return Territory{Departements: []string{c.Code}}
	case TypeRegion:
		return Territory{Regions: []string{c.Code}}
	case TypeStructure:
		if c.Territory != nil {
			return *c.Territory
		}
	}
	return Territory{}
}

// ValidSiren reports whether s has the form of a SIREN: nine digits passing the Luhn check.
func ValidSiren(s string) bool {
	if len(s) != 9 {
		return false
	}
	sum := 0
	for i := range 9 {
		c := s[8-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
