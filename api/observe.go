package api

import (
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/relance/relance/metrics"
)

// httpMetrics count the API's requests by route template (never the raw path, whose IDs
// would make a series per dossier), method and status.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) httpMetrics {
	labels := []string{"route", "method", "status"}
	m := httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "relance_http_requests_total",
			Help: "HTTP requests answered by the API, by route template, method and status."}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "relance_http_request_duration_seconds",
			Help: "Time to answer an HTTP request, by route template, method and status.", Buckets: prometheus.DefBuckets}, labels),
	}
	m.requests = register(reg, m.requests)
	m.duration = register(reg, m.duration)
	return m
}

// register adds c to reg, or returns the collector already there (a second Handler on
// the same registry counts into the same series).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(err) // two different metrics under one name: a programming error
	}
	return c
}

// unmatchedRoute labels requests no route matched (404, 405), whatever their path.
const unmatchedRoute = "unmatched"

// quietRoutes are probes and scrapes, logged at debug so they don't drown the access log.
var quietRoutes = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// observe logs each request once, at info, and counts it in the HTTP metrics. routes holds
// the "METHOD template" of every route, filled once they are all registered.
func (s *Server) observe(m httpMetrics, routes map[string]bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			elapsed := time.Since(start)
			status := c.Response().Status
			if err != nil {
				status, _ = describe(err)
			}
			route := c.Path()
			if !routes[c.Request().Method+" "+route] {
				route = unmatchedRoute // the router's 404 or 405 names a partial match, or nothing
			}
			labels := prometheus.Labels{"route": route, "method": c.Request().Method, "status": strconv.Itoa(status)}
			m.requests.With(labels).Inc()
			m.duration.With(labels).Observe(elapsed.Seconds())
			level := slog.LevelInfo
			if quietRoutes[route] {
				level = slog.LevelDebug
			}
			s.Logger.Log(c.Request().Context(), level, "http request", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"method", c.Request().Method, "route", route, "status", status, "duration_ms", float64(elapsed.Microseconds())/1000)
			return err
		}
	}
}

func (s *Server) serveMetrics(c echo.Context) error {
	metrics.Handler(s.Metrics).ServeHTTP(c.Response(), c.Request())
	return nil
}
