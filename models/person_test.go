package models

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPersonValidate(t *testing.T) {
	yes, no := true, false
	ok := Person{Subject: "agent-1", Name: "Anne Agent", Roles: []Role{RoleInstructor}, Departements: []string{"35", "*"}, Active: &yes}
	require.NoError(t, ok.Validate())
	cases := []struct {
		name  string
		edit  func(p *Person)
		field string
	}{
		{"no subject", func(p *Person) { p.Subject = " " }, "subject"},
		{"no name", func(p *Person) { p.Name = "" }, "name"},
		{"no role", func(p *Person) { p.Roles = nil }, "roles"},
		{"unknown role", func(p *Person) { p.Roles = []Role{"boss"} }, "roles[0]"},
		{"role twice", func(p *Person) { p.Roles = []Role{RoleAdmin, RoleAdmin} }, "roles"},
		{"bad siren", func(p *Person) { p.Siren = "123" }, "siren"},
		{"bad département", func(p *Person) { p.Departements = []string{"national"} }, "departements[0]"},
		{"bad région", func(p *Person) { p.Regions = []string{"5"} }, "regions[0]"},
		{"active left out", func(p *Person) { p.Active = nil }, "active"},
		{"applicant without siren", func(p *Person) { p.Roles = []Role{RoleApplicant} }, "siren"},
		{"national préfet", func(p *Person) { p.Roles = []Role{RolePrefet} }, "departements"},
		{"préfet of nowhere", func(p *Person) { p.Roles, p.Departements = []Role{RolePrefet}, nil }, "departements"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := ok
			tc.edit(&p)
			err := p.Validate()
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, EInvalid, e.Code, "%v", err)
			require.Contains(t, e.Fields, tc.field)
		})
	}

	// The entry's roles and scopes replace the claims'; an inactive entry refuses.
	claimed := Principal{Subject: "agent-1", Name: "A. Agent", Roles: []Role{RoleAdmin}, Departements: []string{"*"}}
	p, err := ok.SignIn(claimed)
	require.NoError(t, err)
	require.Equal(t, Principal{Subject: "agent-1", Name: "Anne Agent", Roles: []Role{RoleInstructor}, Departements: []string{"35", "*"}}, p)
	off := ok
	off.Active = &no
	_, err = off.SignIn(claimed)
	require.Equal(t, EForbidden, ErrorCode(err))
}
