package activities

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/relance/relance/internal/testdb"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// TestDatabaseOutageIsRetryable cuts PostgreSQL off an activity: its error stays
// retryable, so Temporal tries again until the database is back, and then it succeeds.
func TestDatabaseOutageIsRetryable(t *testing.T) {
	dsn := testdb.PostgresURL(t)
	if dsn == "" {
		t.Skip("needs PostgreSQL")
	}
	proxy, viaProxy := testdb.ThroughProxy(t, dsn)
	ctx := context.Background()
	st, err := store.Open(viaProxy)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.Migrate(ctx))
	require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	a := &Activities{Store: st}
	dossier(t, st, "d1", "217500016", models.KindGuichet, models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 900_000})

	proxy.Cut()
	_, err = a.FundGuichet(ctx, "d1")
	require.ErrorIs(t, err, models.ErrDatabaseUnavailable)
	var appErr *temporal.ApplicationError
	require.False(t, errors.As(err, &appErr) && appErr.NonRetryable(), "an outage must be retried: %v", err)
	err = a.RecordStatus(ctx, StatusInput{DossierID: "d1", Status: models.StatusChecking})
	require.ErrorIs(t, err, models.ErrDatabaseUnavailable)
	require.False(t, errors.As(err, &appErr) && appErr.NonRetryable(), "an outage must be retried: %v", err)

	require.NoError(t, proxy.Restore())
	f, err := a.FundGuichet(ctx, "d1")
	require.NoError(t, err)
	require.True(t, f.Funded)
}
