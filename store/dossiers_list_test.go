package store

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestListDossiersOfSeveralDepartements checks that someone who reads two départements gets
// their dossiers merged newest first, page after page, and nothing of another département,
// as one query over both would give them.
func TestListDossiersOfSeveralDepartements(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		var want []string // newest first
		for i, dep := range []string{"62", "59", "75", "62", "62", "59", "75", "59", "62", "59"} {
			id := uuid.Must(uuid.NewV7()).String()
			newDossier(t, st, id, []string{"213502388", "217500016"}[i%2], dep)
			if dep != "75" {
				want = append([]string{id}, want...)
			}
		}
		instructor := models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"62", "59"}}
		var got []string
		for f := (DossierFilter{Limit: 3}); ; {
			page, err := st.ListDossiers(ctx, instructor, f)
			require.NoError(t, err)
			require.LessOrEqual(t, len(page), 3)
			for _, d := range page {
				got = append(got, d.ID)
			}
			if len(page) < 3 {
				break
			}
			f.After = page[len(page)-1].ID
		}
		require.Equal(t, want, got)

		inStatus, err := st.ListDossiers(ctx, instructor, DossierFilter{Status: string(models.StatusSubmitted), Limit: 50})
		require.NoError(t, err)
		require.Len(t, inStatus, 8)
		onlyOne, err := st.ListDossiers(ctx, instructor, DossierFilter{Departement: "59", Limit: 50})
		require.NoError(t, err)
		require.Len(t, onlyOne, 4)
		none, err := st.ListDossiers(ctx, instructor, DossierFilter{Departement: "75", Limit: 50})
		require.NoError(t, err)
		require.Empty(t, none, "a département outside the instructor's")
	})
}
