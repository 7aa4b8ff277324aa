package models

import "regexp"

// CollectiviteType is the kind of local authority in the registry.
type CollectiviteType string

const (
	TypeCommune     CollectiviteType = "commune"
	TypeEPCI        CollectiviteType = "epci"
	TypeDepartement CollectiviteType = "departement"
	TypeRegion      CollectiviteType = "region"
)

// Valid reports whether t is a known collectivité type.
func (t CollectiviteType) Valid() bool {
	switch t {
	case TypeCommune, TypeEPCI, TypeDepartement, TypeRegion:
		return true
	}
	return false
}

// Collectivite is one entry of the official registry (Etalab's découpage administratif).
// Code is the INSEE code (commune, département, région) or the SIREN (EPCI).
// Communes and EPCI carry a SIREN; the source data gives none for départements and
// régions, so theirs is empty. Departement and Region are the codes the entry belongs to
// (for an EPCI, those of the member communes holding most of its population).
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

var departementCode = regexp.MustCompile(`^(\d{2}|2A|2B|97\d)$`)

// ValidDepartement reports whether s has the form of a département code: 01, 2A, 974.
func ValidDepartement(s string) bool { return departementCode.MatchString(s) }
