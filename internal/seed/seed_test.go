package seed_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/internal/seed"
	"github.com/relance/relance/internal/testdb"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// stores returns a migrated SQLite store and, when TEST_DATABASE_URL is set, a PostgreSQL one.
func stores(t *testing.T) map[string]*store.Store {
	t.Helper()
	open := func(url string) *store.Store {
		st, err := store.Open(url)
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		require.NoError(t, st.Migrate(context.Background()))
		require.NoError(t, st.SeedEnvelopes(context.Background(), models.DefaultEnvelopes()))
		return st
	}
	out := map[string]*store.Store{"sqlite": open(filepath.Join(t.TempDir(), "seed.db"))}
	if pg := testdb.PostgresURL(t); pg != "" {
		out["postgres"] = open(pg)
	}
	return out
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			res, err := seed.Run(ctx, st, seed.Options{Dossiers: 600, Seed: 7, Now: now, Batch: 250})
			require.NoError(t, err)
			require.Equal(t, 600, res.Dossiers)
			require.InDelta(t, 3, float64(res.Tasks)/float64(res.Dossiers), 0.6, "about three tasks a dossier")
			require.Greater(t, res.Events, res.Dossiers)

			seeded, real, err := st.DossierCounts(ctx)
			require.NoError(t, err)
			require.EqualValues(t, 600, seeded)
			require.Zero(t, real)

			// Every dossier is labelled, well-formed, and the list pages newest first by its UUIDv7.
			admin := models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}}
			all, err := st.ListDossiers(ctx, admin, store.DossierFilter{Limit: 1000})
			require.NoError(t, err)
			require.Len(t, all, 600)
			kinds, statuses, depts := map[models.DossierKind]int{}, map[models.Status]int{}, map[string]bool{}
			for i, d := range all {
				require.Equal(t, store.SeedCreator, d.CreatedBy)
				id, err := uuid.Parse(d.ID)
				require.NoError(t, err)
				require.EqualValues(t, 7, id.Version())
				require.True(t, models.ValidSiren(d.ApplicantSiren), d.ApplicantSiren)
				require.True(t, models.ValidDepartement(d.Departement), d.Departement)
				require.False(t, d.CreatedAt.After(now))
				if i > 0 {
					require.False(t, d.CreatedAt.After(all[i-1].CreatedAt), "newest first")
				}
				if d.Kind == models.KindAAP {
					require.NotEmpty(t, d.CallID)
				}
				kinds[d.Kind]++
				statuses[d.Status]++
				depts[d.Departement] = true
			}
			require.Len(t, kinds, 2)
			require.Greater(t, len(statuses), 10)
			require.Greater(t, len(depts), 50)

			// The inboxes the policy gives see open, claimed and overdue tasks of valid scopes.
			instructor := models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}}
			pre, err := st.Inbox(ctx, instructor, store.TaskFilter{Type: string(models.TaskPreselection), Limit: 1000})
			require.NoError(t, err)
			require.NotEmpty(t, pre)
			first, err := st.Dossier(ctx, pre[0].DossierID)
			require.NoError(t, err)
			local, err := st.Inbox(ctx, instructor, store.TaskFilter{Departement: first.Departement, Limit: 1000})
			require.NoError(t, err)
			require.NotEmpty(t, local, "seeded tasks carry their dossier's département")
			for _, tk := range local {
				d, err := st.Dossier(ctx, tk.DossierID)
				require.NoError(t, err)
				require.Equal(t, first.Departement, d.Departement)
			}
			overdue, err := st.Inbox(ctx, instructor, store.TaskFilter{Overdue: true, Limit: 1000})
			require.NoError(t, err)
			require.NotEmpty(t, overdue)
			require.Less(t, len(overdue), len(pre))
			finance := models.Principal{Subject: "f", Roles: []models.Role{models.RoleFinance}}
			fin, err := st.Inbox(ctx, finance, store.TaskFilter{Limit: 1000})
			require.NoError(t, err)
			statusOf := map[models.TaskStatus]int{}
			for _, tk := range append(pre, fin...) {
				require.True(t, tk.Scope.Valid(), tk.Scope)
				statusOf[tk.Status]++
			}
			require.Positive(t, statusOf[models.TaskOpen])
			require.Positive(t, statusOf[models.TaskClaimed])
			juror := models.Principal{Subject: seed.JuryMembers[1], Roles: []models.Role{models.RoleJury}}
			votes, err := st.Inbox(ctx, juror, store.TaskFilter{Limit: 1000})
			require.NoError(t, err)
			require.NotEmpty(t, votes)
			for _, v := range votes {
				require.Equal(t, seed.JuryMembers[1], v.Assignee)
			}
			trail, err := st.AuditTrail(ctx, all[0].ID)
			require.NoError(t, err)
			for _, e := range trail {
				require.Equal(t, store.SeedCreator, e.Actor)
			}

			// Seeding again adds to a seeded database.
			res, err = seed.Run(ctx, st, seed.Options{Dossiers: 10, Seed: 8, Now: now})
			require.NoError(t, err)
			require.Equal(t, 10, res.Dossiers)

			// A database with a real dossier is refused, and nothing is written.
			_, _, err = st.CreateDossier(ctx, models.Dossier{ID: uuid.NewString(), Kind: models.KindGuichet, Status: models.StatusSubmitted,
				ApplicantSiren: "217500016", EnvelopeCode: models.EnvelopeGuichet, Payload: []byte(`{}`), CreatedBy: "marie"}, store.IdempotencyKey{}, nil)
			require.NoError(t, err)
			_, err = seed.Run(ctx, st, seed.Options{Dossiers: 10, Now: now})
			require.ErrorContains(t, err, "1 dossiers that were not seeded")
			seeded, real, err = st.DossierCounts(ctx)
			require.NoError(t, err)
			require.EqualValues(t, 610, seeded)
			require.EqualValues(t, 1, real)

			// The store writes no unlabelled dossier through the seed path.
			err = st.InsertSeed(ctx, store.SeedBatch{Dossiers: []models.Dossier{{ID: uuid.NewString(), CreatedBy: "marie"}}})
			require.ErrorContains(t, err, "must be created by")
		})
	}
}
