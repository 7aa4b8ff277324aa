package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
)

// statusOf is the one table from domain error codes to HTTP statuses.
var statusOf = map[string]int{
	models.EMalformed:            http.StatusBadRequest,
	models.EInvalid:              http.StatusUnprocessableEntity,
	models.ENotFound:             http.StatusNotFound,
	models.EConflict:             http.StatusConflict,
	models.EForbidden:            http.StatusForbidden,
	models.EUnauthorized:         http.StatusUnauthorized,
	models.EUnavailable:          http.StatusServiceUnavailable,
	models.EIdempotencyKeyReused: http.StatusUnprocessableEntity,
	models.EInternal:             http.StatusInternalServerError,
}

// retryAfterSeconds is the Retry-After of every 503: a database or Temporal restart or
// failover takes seconds, and a client coming back after 5 s neither waits long once the
// service is back nor hammers it while it is down.
const retryAfterSeconds = "5"

// errorBody is the JSON every error answers with.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// errorHandler answers every error as {"error": {code, message, fields}}. Echo's own
// errors (unknown route, wrong method, body too large) keep their status.
func errorHandler(logger *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, body := describe(err)
		switch {
		case status == http.StatusServiceUnavailable:
			c.Response().Header().Set("Retry-After", retryAfterSeconds)
			logger.Warn("dependency unavailable", "method", c.Request().Method, "path", c.Path(), "err", err)
		case status >= 500:
			logger.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, body)
	}
}

func describe(err error) (int, errorBody) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge, errorBody{errorDetail{Code: models.EMalformed,
			Message: fmt.Sprintf("the request body is larger than %d bytes", tooLarge.Limit)}}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code := models.EInvalid
		switch he.Code {
		case http.StatusNotFound:
			code = models.ENotFound
		case http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
			code = models.EMalformed
		case http.StatusUnauthorized:
			code = models.EUnauthorized
		case http.StatusForbidden:
			code = models.EForbidden
		}
		msg, ok := he.Message.(string)
		if !ok {
			msg = http.StatusText(he.Code)
		}
		return he.Code, errorBody{errorDetail{Code: code, Message: msg}}
	}
	err = filing.FromTemporal(err)
	var e *models.Error
	if !errors.As(err, &e) {
		e = &models.Error{Code: models.EInternal, Message: "internal error"}
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return status, errorBody{errorDetail{Code: e.Code, Message: e.Message, Fields: e.Fields}}
}

// StatusOf is the HTTP status the API answers err with: the workspace's pages use it too.
func StatusOf(err error) int {
	status, _ := describe(err)
	return status
}

// bindValid decodes the request body with bindJSON, then checks its field rules.
func bindValid(c echo.Context, req any) error {
	if err := bindJSON(c, req); err != nil {
		return err
	}
	return c.Validate(req)
}

// bindJSON decodes the request body strictly into v: unknown fields and trailing data are
// refused with a message naming the problem.
func bindJSON(c echo.Context, v any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct != "" && !isJSON(ct) {
		return models.Errorf(models.EMalformed, "Content-Type must be application/json, not %q", ct)
	}
	body, err := io.ReadAll(c.Request().Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return err
	}
	if err != nil {
		return models.Errorf(models.EMalformed, "unreadable request body: %v", err)
	}
	if err := checkText(string(body)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			field, mustBe := models.JSONTypeError(typeErr)
			return &models.Error{Code: models.EMalformed, Message: "malformed JSON: field " + field + " " + mustBe,
				Fields: map[string]string{field: mustBe}}
		}
		return models.Errorf(models.EMalformed, "malformed JSON body: %v", err)
	}
	if dec.More() {
		return models.Errorf(models.EMalformed, "malformed JSON body: unexpected data after the object")
	}
	return nil
}

// checkText refuses text no database stores faithfully: invalid UTF-8, and NUL characters
// (raw or escaped in JSON), which PostgreSQL rejects.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return models.Errorf(models.EMalformed, "the request is not valid UTF-8")
	}
	if strings.ContainsRune(s, 0) || strings.Contains(s, `\u0000`) {
		return models.Errorf(models.EMalformed, "the request contains a NUL character")
	}
	return nil
}

// rejectBadText applies checkText to the path and the query string.
func rejectBadText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for _, v := range c.ParamValues() {
			if err := checkText(v); err != nil {
				return err
			}
		}
		for _, vs := range c.QueryParams() {
			for _, v := range vs {
				if err := checkText(v); err != nil {
					return err
				}
			}
		}
		return next(c)
	}
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == echo.MIMEApplicationJSON
}
