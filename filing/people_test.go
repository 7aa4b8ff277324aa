package filing_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestPeopleAreTheAdministrators(t *testing.T) {
	s := newService(t, newFake())
	ctx := context.Background()
	active := true
	entry := models.Person{Subject: "agent@prefecture.gouv.fr", Name: "Agent", Roles: []models.Role{models.RoleInstructor},
		Departements: []string{"35"}, Active: &active}
	instructor := models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"*"}}

	require.Equal(t, models.EForbidden, models.ErrorCode(s.SavePerson(ctx, instructor, entry)))
	require.Equal(t, models.EForbidden, models.ErrorCode(s.RemovePerson(ctx, instructor, entry.Subject)))
	_, found, err := s.Store.Person(ctx, entry.Subject)
	require.NoError(t, err)
	require.False(t, found, "a refused entry is not saved")

	require.NoError(t, s.SavePerson(ctx, admin, entry))
	require.NoError(t, s.RemovePerson(ctx, admin, entry.Subject))
	trail, err := s.Store.PersonTrail(ctx, entry.Subject)
	require.NoError(t, err)
	require.Len(t, trail, 2)
	require.Equal(t, []string{admin.Subject, admin.Subject}, []string{trail[0].Actor, trail[1].Actor})
}

func TestStructuresAreTheAdministrators(t *testing.T) {
	s := newService(t, newFake())
	ctx := context.Background()
	prefet := models.Principal{Subject: "p", Roles: []models.Role{models.RolePrefet}, Departements: []string{"35"}}
	entry := models.StructureEntry{Siren: "200079994", Name: "SM", LegalForm: "7354", Territory: models.Territory{Communes: []string{"75056"}}}
	_, _, err := s.SaveStructure(ctx, prefet, entry)
	require.Equal(t, models.EForbidden, models.ErrorCode(err))
	trail, err := s.Store.AuditTrail(ctx, models.StructureTrailID(entry.Siren))
	require.NoError(t, err)
	require.Empty(t, trail)
}
