package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestCapHoldsUnderConcurrency files many simultaneous fundings for one SIREN and kind:
// exactly one is funded, and the envelope holds exactly one grant.
func TestCapHoldsUnderConcurrency(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		const n = 40
		for i := range n {
			newDossier(t, st, fmt.Sprintf("cap-%02d", i), "217500016", "75")
		}
		var funded, capped int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				err := st.FundGuichet(ctx, fmt.Sprintf("cap-%02d", i), "217500016", models.GuichetFranceConnect, models.EnvelopeGuichet, 500_000)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					funded++
				case errors.Is(err, models.ErrCapReached):
					capped++
				default:
					t.Errorf("dossier %d: unexpected error %v", i, err)
				}
			})
		}
		wg.Wait()
		require.Equal(t, 1, funded)
		require.Equal(t, n-1, capped)
		g, err := st.Envelope(ctx, models.EnvelopeGuichet)
		require.NoError(t, err)
		require.EqualValues(t, 500_000, g.ReservedCents)
	})
}

// TestEnvelopeHoldsUnderConcurrency hammers a small envelope with grants of odd amounts
// from many goroutines: it funds exactly what fits, never goes below zero, and the
// envelope's figures equal the ledger's to the cent.
func TestEnvelopeHoldsUnderConcurrency(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
		const allocated models.Cents = 2_345_678 // 23,456.78 €
		_, err := st.SetAllocation(ctx, models.EnvelopeGuichet, allocated)
		require.NoError(t, err)
		const n = 60
		amounts := make([]models.Cents, n)
		for i := range n {
			amounts[i] = 499_999 - models.Cents(i*7919%100_000) // distinct amounts up to 4,999.99 €
			newDossier(t, st, fmt.Sprintf("env-%02d", i), fmt.Sprintf("siren-%02d", i), "75")
		}
		var mu sync.Mutex
		var fundedSum models.Cents
		var funded, refused int
		smallestRefused := models.Cents(1 << 62)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				err := st.FundGuichet(ctx, fmt.Sprintf("env-%02d", i), fmt.Sprintf("siren-%02d", i), models.GuichetAPI, models.EnvelopeGuichet, amounts[i])
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					funded++
					fundedSum += amounts[i]
				case errors.Is(err, models.ErrEnvelopeExhausted):
					refused++
					smallestRefused = min(smallestRefused, amounts[i])
				default:
					t.Errorf("dossier %d: unexpected error %v", i, err)
				}
			})
		}
		wg.Wait()
		g, err := st.Envelope(ctx, models.EnvelopeGuichet)
		require.NoError(t, err)
		require.Equal(t, fundedSum, g.ReservedCents, "the envelope holds exactly what was funded")
		require.LessOrEqual(t, g.ReservedCents, allocated)
		require.GreaterOrEqual(t, available(t, g), models.Cents(0))
		require.Equal(t, n, funded+refused)
		require.Positive(t, refused, "the envelope was meant to run out")
		// Availability only falls while reserving, so every refusal saw at least what is left:
		// nothing that would still fit was refused.
		require.Less(t, available(t, g), smallestRefused)

		ledger, err := st.Ledger(ctx, "", models.EnvelopeGuichet, 0, 1000)
		require.NoError(t, err)
		var ledgerSum models.Cents
		for _, e := range ledger {
			require.Equal(t, models.LedgerReserve, e.Kind)
			ledgerSum += e.AmountCents
		}
		require.Len(t, ledger, funded)
		require.Equal(t, fundedSum, ledgerSum, "the ledger agrees to the cent")

		// Pay them all concurrently, twice each: paid equals reserved, to the cent.
		for i := range n {
			wg.Go(func() {
				for range 2 {
					_, err := st.Pay(ctx, fmt.Sprintf("env-%02d", i), "VIR")
					if err != nil && models.ErrorCode(err) != models.ENotFound {
						t.Errorf("pay %d: %v", i, err)
					}
				}
			})
		}
		wg.Wait()
		g, err = st.Envelope(ctx, models.EnvelopeGuichet)
		require.NoError(t, err)
		require.EqualValues(t, 0, g.ReservedCents)
		require.Equal(t, fundedSum, g.PaidCents)
	})
}
