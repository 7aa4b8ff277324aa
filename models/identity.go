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
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleApplicant, RoleInstructor, RoleJury, RoleFinance, RoleAdmin:
		return true
	}
	return false
}

// AllDepartements is the instructor scope of a national service (DINUM, ANCT).
const AllDepartements = "*"

// Principal is the person behind a request, as the identity provider vouched for it.
type Principal struct {
	Subject string `json:"sub"`
	Name    string `json:"name"`
	Roles   []Role `json:"roles"`
	// Siren is the collectivité an applicant acts for.
	Siren string `json:"siren,omitempty"`
	// Departements are the départements an instructor covers ("*" for all).
	Departements []string `json:"departements,omitempty"`
}

// HasRole reports whether p holds role r.
func (p Principal) HasRole(r Role) bool { return slices.Contains(p.Roles, r) }

// CoversDepartement reports whether p's instructor scope includes département code.
func (p Principal) CoversDepartement(code string) bool {
	return slices.Contains(p.Departements, AllDepartements) || (code != "" && slices.Contains(p.Departements, code))
}

// CanSeeDossier reports whether p may read the dossier: its own applicant, an instructor
// covering its département, or the national roles (finance, admin).
func (p Principal) CanSeeDossier(d Dossier) bool {
	switch {
	case p.HasRole(RoleAdmin), p.HasRole(RoleFinance):
		return true
	case p.HasRole(RoleInstructor) && p.CoversDepartement(d.Departement):
		return true
	case p.HasRole(RoleApplicant) && p.Siren != "" && p.Siren == d.ApplicantSiren:
		return true
	}
	return false
}

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
	return nil
}

// OnlyApplicant reports whether p acts for its collectivité alone, holding no role that
// sees inside the instruction (the jury's deliberations, say).
func (p Principal) OnlyApplicant() bool {
	return slices.ContainsFunc(p.Roles, func(r Role) bool { return r == RoleApplicant }) &&
		!slices.ContainsFunc(p.Roles, func(r Role) bool { return r != RoleApplicant })
}
