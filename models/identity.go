package models

import "slices"

// Role is what a person may do in the system.
type Role string

const (
	RoleApplicant  Role = "applicant"
	RoleInstructor Role = "instructor"
	RoleJury       Role = "jury"
	RoleFinance    Role = "finance"
	RoleAdmin      Role = "admin"
	// RolePrefet is a préfet: de département when scoped to a département (decides Axe 3
	// grants on its envelope), de région when scoped to a région (delegates the regional
	// envelope to its départements, or keeps part of it and decides on that part).
	RolePrefet Role = "prefet"
	// RolePartner is an association, company or public operator proposing to an Axe 1
	// campaign: not in the registry, it is known by the SIREN its token carries.
	RolePartner Role = "partner"
)

// Roles are the known roles.
var Roles = []Role{RoleApplicant, RoleInstructor, RoleJury, RoleFinance, RoleAdmin, RolePrefet, RolePartner}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// AllDepartements, in a token's département list, is the national scope (DINUM, ANCT).
const AllDepartements = "*"

// Principal is the person behind a request, as the identity provider vouched for it.
type Principal struct {
	Subject string `json:"sub"`
	Name    string `json:"name"`
	Roles   []Role `json:"roles"`
	// Siren is the collectivité an applicant acts for, or a partner's own.
	Siren string `json:"siren,omitempty"`
	// Departements are the départements an instructor ("*" for all) or a préfet covers.
	Departements []string `json:"departements,omitempty"`
	// Regions are the régions an instructor or a préfet covers.
	Regions []string `json:"regions,omitempty"`
	// JuryOf lists the calls whose jury the person sits on. It is no claim: the calls say
	// who sits on their jury, and SignIn (package filing) resolves it once per request, for
	// the API and the pages alike.
	JuryOf []string `json:"-"`
}

// HasRole reports whether p holds role r.
func (p Principal) HasRole(r Role) bool { return slices.Contains(p.Roles, r) }

// Validate checks the claims make sense together.
func (p Principal) Validate() error {
	if p.Subject == "" {
		return Errorf(EUnauthorized, "token has no subject")
	}
	if len(p.Roles) == 0 {
		return Errorf(EUnauthorized, "token has no roles")
	}
	for _, r := range p.Roles {
		if !r.Valid() {
			return Errorf(EUnauthorized, "token has unknown role %q", r)
		}
	}
	if p.HasRole(RoleApplicant) && !ValidSiren(p.Siren) {
		return Errorf(EUnauthorized, "applicant token must carry a valid siren")
	}
	if p.HasRole(RolePartner) && !ValidSiren(p.Siren) {
		return Errorf(EUnauthorized, "partner token must carry a valid siren")
	}
	// A scope that does not parse is the identity provider's mistake: refused, never
	// guessed at (a "national" département is no national scope, and no département).
	for _, d := range p.Departements {
		if d != AllDepartements && !ValidDepartement(d) {
			return Errorf(EUnauthorized, "token has an invalid département %q (a département code, or %q for national scope)", d, AllDepartements)
		}
	}
	for _, r := range p.Regions {
		if !ValidRegion(r) {
			return Errorf(EUnauthorized, "token has an invalid région %q (a two-digit INSEE code)", r)
		}
	}
	// A préfet governs named territories: no national préfet, and none of nowhere.
	if p.HasRole(RolePrefet) {
		if slices.Contains(p.Departements, AllDepartements) {
			return Errorf(EUnauthorized, "a préfet's token must name its départements, not %q", AllDepartements)
		}
		if len(p.Departements)+len(p.Regions) == 0 {
			return Errorf(EUnauthorized, "a préfet's token must carry a département or a région")
		}
	}
	return nil
}

// Claims are relance's own claims in an identity token (the API's bearer token or an OIDC
// provider's ID token): who the provider says a person is, before the table of people.
type Claims struct {
	Name         string   `json:"name"`
	Roles        []Role   `json:"roles"`
	Siren        string   `json:"siren,omitempty"`
	Departements []string `json:"departements,omitempty"`
	Regions      []string `json:"regions,omitempty"`
}

// ClaimsOf are the claims a token for p carries.
func ClaimsOf(p Principal) Claims {
	return Claims{Name: p.Name, Roles: p.Roles, Siren: p.Siren, Departements: p.Departements, Regions: p.Regions}
}

// Principal is the person the claims name, as subject.
func (c Claims) Principal(subject string) Principal {
	return Principal{Subject: subject, Name: c.Name, Roles: c.Roles, Siren: c.Siren, Departements: c.Departements, Regions: c.Regions}
}
