package store

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/relance/relance/models"
)

// TestAccessIsOneQuery: what signing a person in needs of the database, their entry and the
// calls whose jury they sit on, is one statement (it was two: the entry, then every call),
// and it is never stale: an entry's change or removal is seen by the next read. Subjects
// with LIKE's and JSON's special characters, and subjects that contain another, find their
// calls and only theirs.
func TestAccessIsOneQuery(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		var statements atomic.Int64
		count := func(*gorm.DB) { statements.Add(1) }
		cb := st.db.Callback()
		require.NoError(t, cb.Query().Before("gorm:query").Register("test:count", count))
		require.NoError(t, cb.Row().Before("gorm:row").Register("test:count", count))
		require.NoError(t, cb.Raw().Before("gorm:raw").Register("test:count", count))
		t.Cleanup(func() {
			_ = cb.Query().Remove("test:count")
			_ = cb.Row().Remove("test:count")
			_ = cb.Raw().Remove("test:count")
		})

		odd := `jury_100%"<b>\ré`
		now := time.Now().UTC()
		for i, jury := range [][]models.JuryMember{
			{{Subject: "chair", State: true}, {Subject: "jury"}, {Subject: odd}},
			{{Subject: "chair", State: true}, {Subject: "jury-2", Name: "jury"}},
			{{Subject: "chair", State: true}, {Subject: "jury_1000"}},
		} {
			_, err := st.CreateCall(ctx, models.Call{ID: "call-" + string(rune('a'+i)), Strand: models.StrandDonnees, Round: i + 1, Title: "Données",
				OpensAt: now, ClosesAt: now.Add(time.Hour), EnvelopeCode: "axe2.donnees", Jury: jury, Chair: "chair", Quorum: 1, CreatedBy: "admin"})
			require.NoError(t, err)
		}
		yes := true
		require.NoError(t, st.SavePerson(ctx, models.Person{Subject: "jury", Name: "Juré", Roles: []models.Role{models.RoleJury}, Active: &yes}, "admin"))

		for _, c := range []struct {
			subject string
			found   bool
			calls   []string
		}{
			{"jury", true, []string{"call-a"}},
			{"chair", false, []string{"call-a", "call-b", "call-c"}},
			{odd, false, []string{"call-a"}},
			{"jury_100", false, nil},
			{"nobody", false, nil},
		} {
			statements.Store(0)
			a, err := st.Access(ctx, c.subject)
			require.NoError(t, err)
			require.Equal(t, int64(1), statements.Load(), "one statement for %q", c.subject)
			require.Equal(t, c.found, a.Found, c.subject)
			require.Equal(t, c.calls, a.JuryCalls, c.subject)
		}
		a, err := st.Access(ctx, "jury")
		require.NoError(t, err)
		require.Equal(t, "Juré", a.Entry.Name)
		require.Equal(t, []models.Role{models.RoleJury}, a.Entry.Roles)
		require.True(t, a.Entry.IsActive())

		// Nothing is kept between reads: a removal counts from the next one.
		require.NoError(t, st.DeletePerson(ctx, "jury", "admin"))
		a, err = st.Access(ctx, "jury")
		require.NoError(t, err)
		require.False(t, a.Found)
		require.Equal(t, []string{"call-a"}, a.JuryCalls)
	})
}
