package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// TestWorkerStickyCacheSize runs `relance worker` with WORKER_STICKY_CACHE_SIZE=3 and
// files more dossiers than that: the worker keeps no more workflows than its setting
// allows (the SDK's cache holds one fewer than its size), and a dossier whose workflow
// was evicted still completes, its history replayed.
func TestWorkerStickyCacheSize(t *testing.T) {
	const cache = 3
	p := startProcessStack(t, buildRelance(t), cache)
	ctx := context.Background()
	communes, err := p.Store.SearchCollectivites(ctx, store.CollectiviteFilter{Type: models.TypeCommune, Limit: 5})
	require.NoError(t, err)
	require.Len(t, communes, 5)
	tasks := fileAwaitingPayment(t, p.stack, communes, 1)

	// The SDK reports its gauges every second.
	require.Eventually(t, func() bool {
		return metricSum(t, p.workerMetrics, "temporal_sticky_cache_size") == cache-1
	}, 10*time.Second, 200*time.Millisecond, "the worker's cache holds %d workflows, not the 5 open dossiers", cache-1)
	misses := metricSum(t, p.workerMetrics, "temporal_sticky_cache_miss_total")

	// The first dossier's workflow left the cache when the third was filed.
	finance := p.client(p.token(t, financeOfficer))
	done, err := finance.CompleteTask(ctx, tasks[0], models.OutcomePaid, "", map[string]string{"paid_on": today(), "reference": "VIR-" + communes[0].Siren})
	require.NoError(t, err)
	p.waitStatus(t, p.token(t, applicantOf(communes[0].Siren)), done.Task.DossierID, models.StatusPaid)
	require.Eventually(t, func() bool {
		return metricSum(t, p.workerMetrics, "temporal_sticky_cache_miss_total") > misses
	}, 10*time.Second, 200*time.Millisecond, "the evicted workflow was replayed, a miss of the cache")
}
