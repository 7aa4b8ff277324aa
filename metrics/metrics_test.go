package metrics

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestWorkerListenerServesTheSDKMetrics serves a registry the way `relance worker` does,
// writes an SDK-style timer through the Temporal handler, and scrapes it.
func TestWorkerListenerServesTheSDKMetrics(t *testing.T) {
	reg := NewRegistry()
	handler, closer := NewTemporalHandler(reg, slog.New(slog.DiscardHandler))
	handler.WithTags(map[string]string{"task_queue": "relance-dossiers"}).
		Timer("temporal_workflow_task_schedule_to_start_latency").Record(20 * time.Millisecond)
	require.NoError(t, closer.Close()) // flushes the scope

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, reg) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	text := string(body)
	require.Contains(t, text, `temporal_workflow_task_schedule_to_start_latency_seconds_bucket{task_queue="relance-dossiers",le="0.025"} 1`)
	require.True(t, strings.Contains(text, "go_goroutines"), "the runtime's metrics too")

	resp, err = http.Post("http://"+ln.Addr().String()+"/metrics", "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	cancel()
	require.NoError(t, <-done)
}
