package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestPrefectoralMoney follows a grant's money: the lab reserve first, then the territorial
// envelope; committed whole; an advance and a balance paid; the remainder released; an
// advance recovered. Every figure exact to the cent, every step once however often retried.
func TestPrefectoralMoney(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedAxe3(t, st)
		require.NoError(t, st.SetRegionalSplit(ctx, map[string]models.Cents{"53": models.Euros(10_000_000), "11": models.Euros(20_000_000)}, "admin"))
		_, err := st.SetAllocation(ctx, models.EnvelopeAxe3Lab, models.Euros(50_000))
		require.NoError(t, err)
		kept := models.KeptEnvelope("53")
		funding := models.FundingEnvelopes(kept, true, true)
		for _, id := range []string{"a", "b"} {
			newDossier(t, st, id, sirenB, "35")
		}

		// 40 000 € fits the lab reserve; 20 000 € more does not, and falls back.
		env, err := st.ReserveFirst(ctx, "a", funding, models.Euros(40_000))
		require.NoError(t, err)
		require.Equal(t, models.EnvelopeAxe3Lab, env)
		env, err = st.ReserveFirst(ctx, "a", funding, models.Euros(40_000))
		require.NoError(t, err)
		require.Equal(t, models.EnvelopeAxe3Lab, env, "a retry finds the first reservation")
		env, err = st.ReserveFirst(ctx, "b", funding, models.Euros(20_000))
		require.NoError(t, err)
		require.Equal(t, kept, env)
		_, err = st.ReserveFirst(ctx, "c", []string{models.EnvelopeAxe3Lab}, models.Euros(10_001))
		require.ErrorIs(t, err, models.ErrEnvelopeExhausted, "no fallback: the lab reserve alone cannot cover it")

		// Dossier a: committed, 30 % advance, final grant 30 000 €, balance 18 000 €, 10 000 € released.
		require.NoError(t, st.Commit(ctx, "a"))
		for range 2 {
			require.NoError(t, st.PayPart(ctx, "a", "advance", "VIR-1", models.Euros(12_000)))
			require.NoError(t, st.PayPart(ctx, "a", "balance", "VIR-2", models.Euros(18_000)))
			require.NoError(t, st.ReleasePart(ctx, "a", "remainder", models.Euros(10_000)))
		}
		lab, err := st.Envelope(ctx, models.EnvelopeAxe3Lab)
		require.NoError(t, err)
		require.Equal(t, models.Envelope{Code: lab.Code, ParentCode: lab.ParentCode, Label: lab.Label, AllocatedCents: models.Euros(50_000),
			PaidCents: models.Euros(30_000)}, lab)

		// Dossier b: committed, advance paid, lapsed: the rest released, the advance recovered.
		require.NoError(t, st.Commit(ctx, "b"))
		require.NoError(t, st.PayPart(ctx, "b", "advance", "VIR-3", models.Euros(6_000)))
		require.NoError(t, st.ReleasePart(ctx, "b", "lapse", models.Euros(14_000)))
		require.NoError(t, st.Recover(ctx, "b", "recovery", "TP-1", models.Euros(6_000)))
		require.NoError(t, st.Recover(ctx, "b", "recovery", "TP-1", models.Euros(6_000)))
		k, err := st.Envelope(ctx, kept)
		require.NoError(t, err)
		require.Zero(t, engaged(t, k))
		require.Equal(t, models.Euros(10_000_000), available(t, k))

		ledger, err := st.Ledger(ctx, "b", "", 0, 10)
		require.NoError(t, err)
		var kinds []string
		for _, e := range ledger {
			kinds = append(kinds, fmt.Sprintf("%s %s %d", e.Kind, e.Reference, e.AmountCents))
		}
		require.Equal(t, []string{"recover TP-1 600000", "release  1400000", "pay VIR-3 600000", "commit  2000000", "reserve  2000000"}, kinds)
	})
}

// TestConcurrentGrantsNeverOverdraw: two deciders granting on one envelope at once, many
// grants each; the envelope is never overdrawn and its figures match the ledger to the cent.
func TestConcurrentGrantsNeverOverdraw(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedAxe3(t, st)
		require.NoError(t, st.SetRegionalSplit(ctx, map[string]models.Cents{"53": models.Euros(10_000_000), "11": models.Euros(20_000_000)}, "admin"))
		dep, err := st.Delegate(ctx, "53", "35", 1_000_001, "p53") // 10 000,01 €
		require.NoError(t, err)
		const perSession, amount = 20, models.Cents(100_001) // 40 grants of 1 000,01 € on 10 000,01 €: 9 fit
		var wg sync.WaitGroup
		var mu sync.Mutex
		granted, refused := 0, 0
		for session := range 2 {
			wg.Go(func() {
				for i := range perSession {
					_, err := st.ReserveFirst(ctx, fmt.Sprintf("s%d-%02d", session, i), []string{dep.Code}, amount)
					mu.Lock()
					switch {
					case err == nil:
						granted++
					case errors.Is(err, models.ErrEnvelopeExhausted):
						refused++
					default:
						t.Error(err)
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		require.Equal(t, 9, granted)
		require.Equal(t, 2*perSession-9, refused)
		env, err := st.Envelope(ctx, dep.Code)
		require.NoError(t, err)
		require.Equal(t, 9*amount, env.ReservedCents)
		require.Equal(t, models.Cents(1_000_001-9*100_001), available(t, env))
		ledger, err := st.Ledger(ctx, "", dep.Code, 0, 100)
		require.NoError(t, err)
		var sum models.Cents
		for _, e := range ledger {
			sum += e.AmountCents
		}
		require.Equal(t, env.ReservedCents, sum, "the ledger and the envelope agree to the cent")
	})
}

// TestSharedEnvelopesUnderConcurrentSessions: one open session per envelope, yet sessions
// share money. The lab reserve is drawn first by the lab dossiers of every session (here
// the sessions of Ille-et-Vilaine, of Finistère and the préfet de région's on the kept
// part, all at once), and the kept part is drawn by the région's session while its préfet
// delegates out of it. Nothing is overdrawn; every figure matches the ledger to the cent.
func TestSharedEnvelopesUnderConcurrentSessions(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedAxe3(t, st)
		require.NoError(t, st.SetRegionalSplit(ctx, map[string]models.Cents{"53": models.Euros(10_000_000), "11": models.Euros(20_000_000)}, "admin"))
		_, err := st.SetAllocation(ctx, models.EnvelopeAxe3Lab, 500_005) // 5 000,05 €: five grants of 1 000,01 € exactly
		require.NoError(t, err)
		dep35, err := st.Delegate(ctx, "53", "35", models.Euros(5_000_000), "p53")
		require.NoError(t, err)
		dep29, err := st.Delegate(ctx, "53", "29", 499_499_999, "p53") // the kept part keeps 5 000,01 €
		require.NoError(t, err)
		kept := models.KeptEnvelope("53")

		const perSession, amount = 20, models.Cents(100_001)
		sessions := map[string]string{"35": dep35.Code, "29": dep29.Code, "53": kept}
		var wg sync.WaitGroup
		var mu sync.Mutex
		drawn := map[string]string{} // dossier → the envelope its grant drew on
		refused := map[string]int{}  // session → grants no envelope could cover
		for session, territorial := range sessions {
			wg.Go(func() {
				for i := range perSession {
					id := fmt.Sprintf("%s-%02d", session, i)
					env, err := st.ReserveFirst(ctx, id, models.FundingEnvelopes(territorial, true, true), amount)
					mu.Lock()
					switch {
					case err == nil:
						drawn[id] = env
					case errors.Is(err, models.ErrEnvelopeExhausted):
						refused[session]++
					default:
						t.Error(err)
					}
					mu.Unlock()
				}
			})
		}
		// Meanwhile the préfet de région gives Finistère 1 000,01 € more out of the kept part:
		// it passes only while the kept part has it unengaged.
		var delegation error
		wg.Go(func() { _, delegation = st.Delegate(ctx, "53", "29", 499_499_999+amount, "p53") })
		wg.Wait()

		require.Zero(t, refused["35"]+refused["29"], "the départements' envelopes cover what the lab reserve cannot")
		keptGrants := 4 // 5 000,01 € hold four grants of 1 000,01 €…
		if delegation == nil {
			keptGrants = 3 // …three once 1 000,01 € went to Finistère
		} else {
			require.Equal(t, models.EConflict, models.ErrorCode(delegation), delegation)
		}
		count := map[string]int{}
		regionOnLab := 0
		for id, env := range drawn {
			count[env]++
			if env == models.EnvelopeAxe3Lab && strings.HasPrefix(id, "53-") {
				regionOnLab++
			}
		}
		require.Equal(t, 5, count[models.EnvelopeAxe3Lab], "the lab reserve, drawn by all three sessions, holds five grants exactly")
		require.Equal(t, keptGrants, count[kept])
		require.Equal(t, perSession-refused["53"], count[kept]+regionOnLab, "the région's session: the lab reserve, then its kept part")
		require.Equal(t, 3*perSession, len(drawn)+refused["53"])

		for code, n := range count {
			env, err := st.Envelope(ctx, code)
			require.NoError(t, err)
			require.Equal(t, models.Cents(n)*amount, env.ReservedCents, code)
			ledger, err := st.Ledger(ctx, "", code, 0, 100)
			require.NoError(t, err)
			var sum models.Cents
			for _, e := range ledger {
				require.Equal(t, drawn[e.DossierID], code, "dossier %s reserved where it was told", e.DossierID)
				sum += e.AmountCents
			}
			require.Equal(t, env.ReservedCents, sum, "%s: the ledger and the envelope agree to the cent", code)
		}
		lab, err := st.Envelope(ctx, models.EnvelopeAxe3Lab)
		require.NoError(t, err)
		require.Zero(t, available(t, lab))
		k, err := st.Envelope(ctx, kept)
		require.NoError(t, err)
		require.Equal(t, models.Cents(99_997), available(t, k), "the kept part's last 999,97 €, whichever passed first")
		requireTreeSums(t, st)
	})
}

// TestResolveTerritorialEnvelope: a dossier on the région's kept envelope moves to its
// département's once one is delegated, conditionally and with one audit event.
func TestResolveTerritorialEnvelope(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedAxe3(t, st)
		require.NoError(t, st.SetRegionalSplit(ctx, map[string]models.Cents{"53": models.Euros(10_000_000), "11": models.Euros(20_000_000)}, "admin"))
		newDossier(t, st, "kept", sirenB, "35")
		require.NoError(t, st.db.Model(&dossierRow{}).Where("id = ?", "kept").
			Updates(map[string]any{"region": "53", "envelope_code": models.KeptEnvelope("53")}).Error)
		env, err := st.ResolveTerritorialEnvelope(ctx, "kept", "kept/territory")
		require.NoError(t, err)
		require.Equal(t, models.KeptEnvelope("53"), env)
		_, err = st.Delegate(ctx, "53", "35", models.Euros(50_000), "p53")
		require.NoError(t, err)
		for range 2 {
			env, err = st.ResolveTerritorialEnvelope(ctx, "kept", "kept/territory")
			require.NoError(t, err)
			require.Equal(t, models.DepartementEnvelope("53", "35"), env)
		}
		trail, err := st.AuditTrail(ctx, "kept")
		require.NoError(t, err)
		require.Len(t, trail, 1)
		require.Contains(t, trail[0].Detail, models.DepartementEnvelope("53", "35"))
		_, err = st.ResolveTerritorialEnvelope(ctx, "nope", "nope/territory")
		require.Equal(t, models.ENotFound, models.ErrorCode(err))
	})
}
