package filing_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestReferencesAreTheAdministrators: only an administrator puts a lab or a CRTE, under
// the requests' rules; each change is audited on the entry's trail.
func TestReferencesAreTheAdministrators(t *testing.T) {
	s := newService(t, newFake())
	ctx := context.Background()
	require.NoError(t, s.Store.ImportRegistry(ctx, []models.Collectivite{
		{Type: models.TypeRegion, Code: "53", Name: "Bretagne", Region: "53", Population: 1},
		{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Name: "Rennes", Departement: "35", Region: "53", Population: 220_000},
	}, nil))
	admin := models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}}
	prefet := models.Principal{Subject: "prefet53", Roles: []models.Role{models.RolePrefet}, Regions: []string{"53"}}
	lab := models.LabRequest{Name: "La Fabrique", Region: "53"}
	crte := models.CRTERequest{Name: "CRTE de Rennes", Communes: []string{"213502388"}, SignedOn: "2021-07-01"}

	_, err := s.PutLab(ctx, prefet, "fabrique", lab)
	require.Equal(t, models.EForbidden, models.ErrorCode(err))
	_, err = s.PutCRTE(ctx, prefet, "rennes", crte)
	require.Equal(t, models.EForbidden, models.ErrorCode(err))
	_, err = s.PutLab(ctx, admin, "La Fabrique", lab)
	require.Equal(t, models.EInvalid, models.ErrorCode(err), "an id that cannot name it")
	_, err = s.PutCRTE(ctx, admin, "rennes", models.CRTERequest{Name: "CRTE", SignedOn: "2021-07-01"})
	require.Equal(t, models.EInvalid, models.ErrorCode(err), "a CRTE that covers nothing")
	labs, err := s.Store.Labs(ctx)
	require.NoError(t, err)
	crtes, err := s.Store.CRTEs(ctx)
	require.NoError(t, err)
	require.Empty(t, labs)
	require.Empty(t, crtes)

	got, err := s.PutLab(ctx, admin, "fabrique", lab)
	require.NoError(t, err)
	require.Equal(t, models.Lab{ID: "fabrique", Name: "La Fabrique", Region: "53"}, got)
	_, err = s.PutCRTE(ctx, admin, "rennes", crte)
	require.NoError(t, err)
	for _, trail := range []string{models.LabTrailID("fabrique"), models.CRTETrailID("rennes")} {
		events, err := s.Store.AuditTrail(ctx, trail)
		require.NoError(t, err)
		require.Len(t, events, 1, trail)
		require.Equal(t, "admin", events[0].Actor)
	}
}
