// Package metrics exposes relance's Prometheus metrics: the registry each process serves
// on /metrics, the Temporal SDK's own metrics written into it through the SDK's tally
// contrib, and the business gauges read from the store at scrape time.
package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
)

// NewRegistry returns an empty registry with the Go runtime's and the process's collectors.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// temporalBuckets are the latency buckets of the SDK's timers, in seconds: from a local
// activity's few milliseconds to a long poll's minute.
var temporalBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// temporalSanitize is the contrib's Prometheus sanitizing, except that label values keep
// their '-', '.' and ':' (any text is a valid label value), so that task_queue reads
// "relance-dossiers" as in the Temporal UI.
var temporalSanitize = func() tally.SanitizeOptions {
	o := sdktally.PrometheusSanitizeOptions
	o.ValueCharacters = tally.ValidCharacters{Ranges: tally.AlphanumericRange, Characters: []rune{'_', '-', '.', ':'}}
	return o
}()

// NewTemporalHandler returns the metrics handler to give the Temporal client, which
// writes the SDK's metrics (workflow task latency, schedule-to-start, slots, pollers,
// requests) into reg under their documented names; close it when the client is closed.
//
// The tally contrib is the SDK's Prometheus path: it implements the SDK's stable
// client.MetricsHandler interface (so v0.2.0 works with SDK v1.51), and its naming scope
// gives the names of the SDK's metrics reference (…_latency_seconds). The OpenTelemetry
// contrib would need an OTel SDK and Prometheus exporter beside client_golang, and renames
// metrics with OTel's unit suffixes.
func NewTemporalHandler(reg prometheus.Registerer, logger *slog.Logger) (client.MetricsHandler, io.Closer) {
	reporter := tallyprom.NewReporter(tallyprom.Options{
		Registerer:              reg,
		DefaultTimerType:        tallyprom.HistogramTimerType,
		DefaultHistogramBuckets: temporalBuckets,
		// A metric the SDK registers twice with other tags must not crash the worker.
		OnRegisterError: func(err error) { logger.Warn("temporal metric not registered", "err", err) },
	})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  reporter,
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &temporalSanitize,
	}, time.Second)
	return sdktally.NewMetricsHandler(sdktally.NewPrometheusNamingScope(scope)), closer
}

// Handler serves g's metrics in Prometheus's text format.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}

// Serve answers GET /metrics on ln until ctx ends (the worker's own listener).
func Serve(ctx context.Context, ln net.Listener, g prometheus.Gatherer) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", Handler(g))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
