package models

import "slices"

// Person is an administrator's entry for one person, keyed by the subject their identity
// provider gives them: the roles and scopes relance grants them, whatever the provider's
// claims say, or, when not active, a refusal to sign them in.
type Person struct {
	Subject      string   `json:"subject" validate:"notblank,max=255"`
	Name         string   `json:"name" validate:"notblank,max=200"`
	Roles        []Role   `json:"roles" validate:"required,min=1,unique,dive,role"`
	Siren        string   `json:"siren,omitempty" validate:"omitempty,siren"`
	Departements []string `json:"departements,omitempty" validate:"unique,dive,departement_scope"`
	Regions      []string `json:"regions,omitempty" validate:"unique,dive,region"`
	// Active is required: an entry that forgot it must not lock the person out by default.
	Active *bool `json:"active" validate:"required"`
}

// IsActive reports whether the entry lets the person sign in.
func (p Person) IsActive() bool { return p.Active != nil && *p.Active }

// Validate checks the field rules and the rules that tie roles to scopes (those a
// token's claims must also meet, see Principal.Validate), naming every field at fault at
// once, so that a form shows all its errors together.
func (p Person) Validate() error {
	fields := map[string]string{}
	if err := Validate(p); err != nil {
		e, ok := err.(*Error)
		if !ok {
			return err
		}
		fields = e.Fields
	}
	if (slices.Contains(p.Roles, RoleApplicant) || slices.Contains(p.Roles, RolePartner)) && p.Siren == "" {
		fields["siren"] = "is required for the applicant and partner roles"
	}
	if slices.Contains(p.Roles, RolePrefet) {
		if slices.Contains(p.Departements, AllDepartements) {
			fields["departements"] = "must name a préfet's départements, not " + AllDepartements
		} else if len(p.Departements)+len(p.Regions) == 0 {
			fields["departements"] = "a préfet needs a département or a région"
		}
	}
	if len(fields) > 0 {
		return FieldErrors(fields)
	}
	return nil
}

// SignIn is the principal a person signs in as, given what their identity provider
// claims: the entry's roles and scopes replace the claims' (the administrator's table
// wins, so that a provider that knows nothing of relance's roles, such as ProConnect, or
// one whose claims are stale, cannot grant more than the administrator decided); an
// inactive entry refuses the sign-in.
func (p Person) SignIn(claimed Principal) (Principal, error) {
	if !p.IsActive() {
		return Principal{}, Errorf(EForbidden, "access for %s was withdrawn by an administrator", p.Subject)
	}
	return Principal{Subject: claimed.Subject, Name: p.Name, Roles: p.Roles, Siren: p.Siren,
		Departements: p.Departements, Regions: p.Regions}, nil
}

func roleNames() []string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return names
}
