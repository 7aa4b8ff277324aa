package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestSessionRankAndFill: a session takes the scored dossiers of its envelope, best score
// first, and fills the envelope's money from the top as the préfet decides.
func TestSessionRankAndFill(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedAxe3(t, st)
		require.NoError(t, st.SetRegionalSplit(ctx, map[string]models.Cents{"53": models.Euros(10_000_000), "11": models.Euros(20_000_000)}, "admin"))
		dep, err := st.Delegate(ctx, "53", "35", models.Euros(50_000), "p53")
		require.NoError(t, err)
		for _, sc := range []struct {
			id     string
			score  int
			status models.Status
			env    string
		}{
			{"low", 40, models.StatusScored, dep.Code}, {"high", 90, models.StatusScored, dep.Code}, {"mid", 70, models.StatusScored, dep.Code},
			{"granted-before", 95, models.StatusInProgress, dep.Code}, {"elsewhere", 99, models.StatusScored, models.KeptEnvelope("53")},
		} {
			newDossier(t, st, sc.id, sirenB, "35")
			require.NoError(t, st.db.Model(&dossierRow{}).Where("id = ?", sc.id).Update("status", string(sc.status)).Error)
			require.NoError(t, st.RecordScore(ctx, models.Score{DossierID: sc.id, EnvelopeCode: sc.env, Score: sc.score, ProposedCents: models.Euros(20_000), MaxGrantCents: models.Euros(20_000)}))
		}
		s, err := st.OpenSession(ctx, "s1", dep.Code, "p35")
		require.NoError(t, err)
		var ids []string
		for _, e := range s.Entries {
			ids = append(ids, e.DossierID)
		}
		require.Equal(t, []string{"high", "mid", "low"}, ids, "the envelope's scored dossiers, best first")
		require.Equal(t, models.Euros(50_000), s.AvailableCents)
		require.Equal(t, []bool{true, true, false}, []bool{s.Entries[0].WithinEnvelope, s.Entries[1].WithinEnvelope, s.Entries[2].WithinEnvelope})
		_, err = st.OpenSession(ctx, "s2", dep.Code, "p35")
		require.Equal(t, models.EConflict, models.ErrorCode(err), "one open session per envelope")
		inSession := func(id string) string {
			s, err := st.OpenSessionOf(ctx, id)
			require.NoError(t, err)
			return s
		}
		require.Equal(t, []string{"s1", "s1", ""}, []string{inSession("high"), inSession("low"), inSession("elsewhere")},
			"a dossier that missed its invitation finds its session")

		// The préfet postpones the best, grants the second 15 000 € (reserved by its workflow).
		require.NoError(t, st.RecordSessionDecision(ctx, "s1", "p35", models.SessionDecision{DossierID: "high", Outcome: models.OutcomePostpone}))
		require.Equal(t, models.EConflict, models.ErrorCode(st.RecordSessionDecision(ctx, "s1", "p35", models.SessionDecision{DossierID: "high", Outcome: models.OutcomeRefuse})))
		require.NoError(t, st.RecordSessionDecision(ctx, "s1", "p35", models.SessionDecision{DossierID: "mid", Outcome: models.OutcomeGrant, AmountCents: models.Euros(15_000),
			Comment: "moins cher, calendrier plus court"}))
		_, err = st.ReserveFirst(ctx, "mid", []string{dep.Code}, models.Euros(15_000))
		require.NoError(t, err)
		s, err = st.Session(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, models.Euros(50_000), s.AvailableCents, "the session's own grants stay in its money")
		require.Equal(t, []models.Cents{0, models.Euros(15_000), models.Euros(35_000)},
			[]models.Cents{s.Entries[0].RunningCents, s.Entries[1].RunningCents, s.Entries[2].RunningCents})
		require.True(t, models.DepartsFromRanking(s.Entries, "mid"))
		departures := func(id string) []models.AuditEvent {
			trail, err := st.AuditTrail(ctx, id)
			require.NoError(t, err)
			var out []models.AuditEvent
			for _, e := range trail {
				if e.Action == models.AuditRankingDeparture {
					out = append(out, e)
				}
			}
			return out
		}
		require.Empty(t, departures("high"))
		require.Len(t, departures("mid"), 1, "granting below the postponed best departs from the ranking")
		require.Equal(t, "p35", departures("mid")[0].Actor)
		require.Contains(t, departures("mid")[0].Detail, "rank 2")
		require.Contains(t, departures("mid")[0].Detail, "moins cher, calendrier plus court")

		// A grant the workflow refuses is forgotten with its departure; deciding again writes it once.
		require.NoError(t, st.UndoSessionDecision(ctx, "s1", "low"))
		require.NoError(t, st.RecordSessionDecision(ctx, "s1", "p35", models.SessionDecision{DossierID: "low", Outcome: models.OutcomeGrant,
			AmountCents: models.Euros(1_000), Comment: "premier essai"}))
		require.Len(t, departures("low"), 1)
		require.NoError(t, st.UndoSessionDecision(ctx, "s1", "low"))
		require.Empty(t, departures("low"))

		require.Equal(t, "", inSession("high"), "decided: no session awaits it")
		undecided, err := st.CloseSession(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, []string{"low"}, undecided)
		require.Equal(t, "", inSession("low"), "a closed session awaits no one")
		_, err = st.CloseSession(ctx, "s1")
		require.Equal(t, models.EConflict, models.ErrorCode(err))
		require.Equal(t, models.EConflict, models.ErrorCode(st.RecordSessionDecision(ctx, "s1", "p35", models.SessionDecision{DossierID: "low", Outcome: models.OutcomeRefuse})))
		_, err = st.OpenSession(ctx, "s2", dep.Code, "p35")
		require.NoError(t, err, "the next session once the first is closed")
	})
}
