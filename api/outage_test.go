package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"

	"github.com/relance/relance/models"
)

// TestUnavailableIs503WithRetryAfter checks that the error handler answers a dependency
// outage 503 with Retry-After and a message naming that dependency.
func TestUnavailableIs503WithRetryAfter(t *testing.T) {
	for _, c := range []struct {
		name, message string
		err           error
	}{
		// A database deadline is the database's, not Temporal's, though both are deadlines.
		{"database deadline", "the database is unavailable, retry shortly", fmt.Errorf("%w: %w", models.ErrDatabaseUnavailable, context.DeadlineExceeded)},
		{"database refused", "the database is unavailable, retry shortly", fmt.Errorf("list dossiers: %w", fmt.Errorf("%w: connection refused", models.ErrDatabaseUnavailable))},
		{"temporal", "the workflow service did not answer in time; try again", serviceerror.NewUnavailable("connection refused")},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := echo.New()
			e.HTTPErrorHandler = errorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)))
			e.GET("/x", func(echo.Context) error { return c.err })
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
			require.Equal(t, http.StatusServiceUnavailable, rec.Code)
			require.Equal(t, "5", rec.Header().Get("Retry-After"))
			var body errorBody
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
			require.Equal(t, errorDetail{Code: models.EUnavailable, Message: c.message}, body.Error)
		})
	}
}
