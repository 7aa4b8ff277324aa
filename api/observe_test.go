package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMetricsCountRequestsByRouteTemplate makes requests, scrapes /metrics and finds each
// counted under its route template, method and status, with its latency histogram; paths
// no route matches share one label.
func TestMetricsCountRequestsByRouteTemplate(t *testing.T) {
	srv, _ := testAPI(t)
	get := func(path string) {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
	}
	get("/healthz")
	get("/healthz")
	get("/api/v1/dossiers/D-1")                                   // no token: 401, counted under the template
	get("/api/v1/dossiers/D-2")                                   // the same series
	get("/api/v1/no-such-route/9b1e")                             // 404 of the router
	get("/api/v1/no-such-route/7c2f")                             // the same series
	resp, err := http.Post(srv.URL+"/healthz", "text/plain", nil) // 405 of the router
	require.NoError(t, err)
	resp.Body.Close()

	resp, err = http.Get(srv.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	text := string(body)

	for _, want := range []string{
		`relance_http_requests_total{method="GET",route="/healthz",status="200"} 2`,
		`relance_http_requests_total{method="GET",route="/api/v1/dossiers/:id",status="401"} 2`,
		`relance_http_requests_total{method="GET",route="unmatched",status="404"} 2`,
		`relance_http_requests_total{method="POST",route="unmatched",status="405"} 1`,
		`relance_http_request_duration_seconds_count{method="GET",route="/api/v1/dossiers/:id",status="401"} 2`,
		`relance_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="+Inf"} 2`,
	} {
		require.Contains(t, text, want)
	}
	require.NotContains(t, text, "D-1", "a raw path must never be a label")
	require.NotContains(t, text, "no-such-route")
}

// TestAccessLogOncePerRequest checks that each request is logged once, at info, with its
// request id, route template, status and duration, as JSON with LOG_FORMAT=json.
func TestAccessLogOncePerRequest(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv := httptest.NewServer((&Server{Auth: NewAuthenticator(openAPITestSecret, "", "", ""), Logger: logger}).Handler())
	defer srv.Close()
	for _, path := range []string{"/api/v1/dossiers/D-1", "/healthz"} {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 1, "one line for the API request; the probe is logged at debug:\n%s", buf.String())
	var entry map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &entry))
	require.Equal(t, "INFO", entry["level"])
	require.Equal(t, "/api/v1/dossiers/:id", entry["route"])
	require.EqualValues(t, 401, entry["status"])
	require.NotEmpty(t, entry["request_id"])
	require.Contains(t, entry, "duration_ms")
}
