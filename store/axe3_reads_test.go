package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestAxe3PageReads: the sessions of some envelopes, latest first; the open session a
// dossier waits in, none once it closes; a dossier's score, none before it is scored.
func TestAxe3PageReads(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedAxe3(t, st)
		require.NoError(t, st.SetRegionalSplit(ctx, map[string]models.Cents{"53": models.Euros(10_000_000), "11": models.Euros(20_000_000)}, "admin"))
		dep, err := st.Delegate(ctx, "53", "35", models.Euros(50_000), "p53")
		require.NoError(t, err)
		newDossier(t, st, "scored", sirenB, "35")
		newDossier(t, st, "waiting", sirenB, "35")
		require.NoError(t, st.db.Model(&dossierRow{}).Where("id = ?", "scored").Update("status", string(models.StatusScored)).Error)

		_, scored, err := st.DossierScore(ctx, "scored")
		require.NoError(t, err)
		require.False(t, scored)
		want := models.Score{DossierID: "scored", EnvelopeCode: dep.Code, Score: 72, ProposedCents: models.Euros(20_000), MaxGrantCents: models.Euros(24_000)}
		require.NoError(t, st.RecordScore(ctx, want))
		got, scored, err := st.DossierScore(ctx, "scored")
		require.NoError(t, err)
		require.True(t, scored)
		require.Equal(t, want, got)

		none, err := st.Sessions(ctx, []string{dep.Code})
		require.NoError(t, err)
		require.Empty(t, none)
		first, err := st.OpenSession(ctx, "s1", dep.Code, "p35")
		require.NoError(t, err)
		id, err := st.OpenSessionOf(ctx, "scored")
		require.NoError(t, err)
		require.Equal(t, first.ID, id)
		id, err = st.OpenSessionOf(ctx, "waiting")
		require.NoError(t, err)
		require.Empty(t, id, "a dossier not scored is in no session")
		_, err = st.CloseSession(ctx, "s1")
		require.NoError(t, err)
		id, err = st.OpenSessionOf(ctx, "scored")
		require.NoError(t, err)
		require.Empty(t, id, "a closed session is no longer open")
		_, err = st.OpenSession(ctx, "s2", dep.Code, "p35")
		require.NoError(t, err)
		_, err = st.OpenSession(ctx, "s3", models.KeptEnvelope("53"), "p53")
		require.NoError(t, err)

		list, err := st.Sessions(ctx, []string{dep.Code})
		require.NoError(t, err)
		require.Len(t, list, 2, "only the envelopes asked for")
		require.Equal(t, "s2", list[0].ID, "the latest opened first")
		require.Nil(t, list[0].ClosedAt)
		require.NotNil(t, list[1].ClosedAt)
		require.Empty(t, list[0].Entries, "without their ranking")
		list, err = st.Sessions(ctx, nil)
		require.NoError(t, err)
		require.Empty(t, list)
	})
}
