package models

import (
	"fmt"
	"regexp"
	"strings"
)

// ScopeKind is what a scope ranges over.
type ScopeKind string

const (
	ScopeKindNational     ScopeKind = "national"
	ScopeKindDepartement  ScopeKind = "departement"  // a département, by its code
	ScopeKindRegion       ScopeKind = "region"       // a région, by its INSEE code
	ScopeKindCollectivite ScopeKind = "collectivite" // a collectivité, by its SIREN
	ScopeKindPerson       ScopeKind = "person"       // one person, by the subject of their token
	ScopeKindJury         ScopeKind = "jury"         // the jury of a call for projects, by the call's ID
)

// Scope is the reach of a role, or the people a task is for. It is compared as a kind and
// a value, never as free text: a département list that says "national" is no national scope.
// Its text form is "national" or "<kind>:<value>", as stored in task rows.
type Scope struct {
	Kind  ScopeKind
	Value string
}

// ScopeNational is the whole country: every dossier, every task of a role.
var ScopeNational = Scope{Kind: ScopeKindNational}

// DepartementScope is the scope of a département.
func DepartementScope(code string) Scope { return Scope{ScopeKindDepartement, code} }

// RegionScope is the scope of a région.
func RegionScope(code string) Scope { return Scope{ScopeKindRegion, code} }

// CollectiviteScope is the scope of the collectivité with this SIREN.
func CollectiviteScope(siren string) Scope { return Scope{ScopeKindCollectivite, siren} }

// PersonScope is the scope of one person.
func PersonScope(subject string) Scope { return Scope{ScopeKindPerson, subject} }

// JuryScope is the scope of a call's jury.
func JuryScope(callID string) Scope { return Scope{ScopeKindJury, callID} }

var (
	departementCode = regexp.MustCompile(`^(0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-8])$`)
	regionCode      = regexp.MustCompile(`^\d{2}$`)
)

// ValidDepartement reports whether code is a département code: 01 to 95, 2A, 2B, 971 to 978.
func ValidDepartement(code string) bool { return departementCode.MatchString(code) }

// ValidRegion reports whether code has the form of a région's INSEE code (two digits).
func ValidRegion(code string) bool { return regionCode.MatchString(code) }

// Valid reports whether s is a scope of a known kind with a well-formed value.
func (s Scope) Valid() bool {
	switch s.Kind {
	case ScopeKindNational:
		return s.Value == ""
	case ScopeKindDepartement:
		return ValidDepartement(s.Value)
	case ScopeKindRegion:
		return ValidRegion(s.Value)
	case ScopeKindCollectivite:
		return ValidSiren(s.Value)
	case ScopeKindPerson, ScopeKindJury:
		return s.Value != "" && strings.TrimSpace(s.Value) == s.Value
	}
	return false
}

// IsZero reports whether s is no scope at all.
func (s Scope) IsZero() bool { return s == Scope{} }

func (s Scope) String() string {
	if s.Kind == ScopeKindNational || s.IsZero() {
		return string(s.Kind)
	}
	return string(s.Kind) + ":" + s.Value
}

// ParseScope reads a scope's text form. A bare SIREN is a collectivité: applicant tasks
// were stored that way before scopes had kinds, and workflow histories still hold them.
func ParseScope(text string) (Scope, error) {
	if text == "" {
		return Scope{}, nil
	}
	kind, value, found := strings.Cut(text, ":")
	s := Scope{Kind: ScopeKind(kind), Value: value}
	if !found {
		s = Scope{Kind: ScopeKind(text)}
		if ValidSiren(text) {
			s = CollectiviteScope(text)
		}
	}
	if !s.Valid() {
		return Scope{}, fmt.Errorf("%q is not a scope", text)
	}
	return s, nil
}

// MarshalText writes the scope's text form (JSON, task rows).
func (s Scope) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the scope's text form.
func (s *Scope) UnmarshalText(b []byte) error {
	parsed, err := ParseScope(string(b))
	if err != nil {
		return err
	}
	*s = parsed
	return nil
}
