package apiclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// seen is what the test server received.
type seen struct {
	method, path, auth, contentType, idem string
	body                                  string
}

func server(t *testing.T, status int, answer string, got *seen) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*got = seen{r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"), r.Header.Get("Content-Type"), r.Header.Get("Idempotency-Key"), string(b)}
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCallSendsJSONWithTokenAndHeaders(t *testing.T) {
	var got seen
	srv := server(t, http.StatusCreated, `{"id":"d1","status":"submitted"}`, &got)
	var d models.Dossier
	err := New(srv.URL, "tok").Call(context.Background(), http.MethodPost, "/api/v1/guichet/applications?x=1",
		map[string]int{"project_cost_cents": 5}, &d, "Idempotency-Key", "k1")
	require.NoError(t, err)
	require.Equal(t, seen{"POST", "/api/v1/guichet/applications?x=1", "Bearer tok", "application/json", "k1", `{"project_cost_cents":5}`}, got)
	require.Equal(t, "d1", d.ID)
	require.Equal(t, models.StatusSubmitted, d.Status)
}

func TestDoSendsRawBytesAndNoBodyAsIs(t *testing.T) {
	var got seen
	srv := server(t, http.StatusOK, `{}`, &got)
	c := New(srv.URL, "")
	r, err := c.Do(context.Background(), http.MethodPost, "/raw", []byte(`{"kind":`))
	require.NoError(t, err)
	require.Equal(t, `{"kind":`, got.body, "bytes are sent unencoded")
	require.Empty(t, got.auth, "no token, no Authorization header")
	require.Equal(t, "5", r.Header.Get("Retry-After"))

	_, err = c.As("other").Do(context.Background(), http.MethodGet, "/empty", nil)
	require.NoError(t, err)
	require.Equal(t, seen{method: "GET", path: "/empty", auth: "Bearer other"}, got, "no body, no Content-Type")
	require.Empty(t, c.Token, "As leaves the original client alone")
}

func TestErrorBodyBecomesTypedError(t *testing.T) {
	var got seen
	srv := server(t, http.StatusUnprocessableEntity,
		`{"error":{"code":"invalid","message":"siren: must be 9 digits","fields":{"siren":"must be 9 digits"}}}`, &got)
	var out map[string]any
	err := New(srv.URL, "tok").Call(context.Background(), http.MethodGet, "/api/v1/collectivites/12", nil, &out)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, &Error{Method: "GET", Path: "/api/v1/collectivites/12", Status: 422, Code: models.EInvalid,
		Message: "siren: must be 9 digits", Fields: map[string]string{"siren": "must be 9 digits"}}, apiErr)
	require.Equal(t, "GET /api/v1/collectivites/12: status 422, invalid: siren: must be 9 digits", err.Error())
	require.Nil(t, out, "a refusal decodes nothing")
}

func TestAnswerWithoutErrorBodyStillFails(t *testing.T) {
	var got seen
	srv := server(t, http.StatusBadGateway, `<html>proxy</html>`, &got)
	err := New(srv.URL, "").Call(context.Background(), http.MethodGet, "/readyz", nil, nil)
	var apiErr *Error
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusBadGateway, apiErr.Status)
	require.Empty(t, apiErr.Code)
	require.Equal(t, "GET /readyz: status 502", err.Error())
}

func TestUndecodableSuccessIsAnError(t *testing.T) {
	var got seen
	srv := server(t, http.StatusOK, `not json`, &got)
	var out map[string]any
	err := New(srv.URL, "").Call(context.Background(), http.MethodGet, "/x", nil, &out)
	require.ErrorContains(t, err, "GET /x: decoding the answer")
}

func TestTransportFailureIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	_, err := New(srv.URL, "").Do(context.Background(), http.MethodGet, "/", nil)
	require.Error(t, err)
	var apiErr *Error
	require.False(t, errors.As(err, &apiErr))
}

func TestWaitStatusPollsUntilAWantedStatus(t *testing.T) {
	var reads atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "/api/v1/dossiers/d1", r.URL.Path)
		status := models.StatusChecking
		if reads.Add(1) >= 3 {
			status = models.StatusAwaitingPayment
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "d1", "status": status,
			"tasks": []models.Task{{ID: "t1", Type: models.TaskDisbursement}}})
	}))
	defer srv.Close()
	c := New(srv.URL, "tok")
	d, err := c.WaitStatus(context.Background(), "d1", models.StatusRefused, models.StatusAwaitingPayment)
	require.NoError(t, err)
	require.Equal(t, models.StatusAwaitingPayment, d.Status)
	require.Equal(t, "t1", d.Tasks[0].ID)
	require.EqualValues(t, 3, reads.Load())

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	reads.Store(-1000)
	_, err = c.WaitStatus(ctx, "d1", models.StatusPaid)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "dossier d1 stayed checking")
}

func TestCompleteTask(t *testing.T) {
	var got seen
	srv := server(t, http.StatusOK, `{"task":{"id":"t1","status":"done"},"dossier_status":"paid"}`, &got)
	done, err := New(srv.URL, "tok").CompleteTask(context.Background(), "t1", "paid", "", map[string]string{"reference": "VIR-1"})
	require.NoError(t, err)
	require.Equal(t, `{"outcome":"paid","data":{"reference":"VIR-1"}}`, got.body)
	require.Equal(t, "/api/v1/tasks/t1/complete", got.path)
	require.Equal(t, models.StatusPaid, done.DossierStatus)
	require.Equal(t, models.TaskDone, done.Task.Status)
}
