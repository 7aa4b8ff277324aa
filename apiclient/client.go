// Package apiclient is a small client of relance's JSON API over HTTP, shared by the demo
// data of `relance dev` and the end-to-end tests: it sends JSON with a bearer token and
// headers such as Idempotency-Key, and reads the API's {"error": {code, message, fields}}
// body into an *Error.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/relance/relance/models"
)

// Client sends requests to one API as one person.
type Client struct {
	// BaseURL is the API's address, such as http://127.0.0.1:8080, without a final slash.
	BaseURL string
	// Token is the bearer token sent with every request; empty sends none.
	Token string
	// HTTP sends the requests; nil uses http.DefaultClient.
	HTTP *http.Client
}

// New returns a client of the API at baseURL acting with token.
func New(baseURL, token string) *Client { return &Client{BaseURL: baseURL, Token: token} }

// As returns a copy of the client acting with another token.
func (c *Client) As(token string) *Client {
	cp := *c
	cp.Token = token
	return &cp
}

// Response is an answer as received, whatever its status.
type Response struct {
	Method, Path string
	Status       int
	Header       http.Header
	Body         []byte
}

// Decode decodes the body as JSON into v.
func (r *Response) Decode(v any) error { return json.Unmarshal(r.Body, v) }

// Err is the answer's *Error when its status is 300 or more, nil otherwise.
func (r *Response) Err() error {
	if r.Status < 300 {
		return nil
	}
	return r.APIError()
}

// APIError reads the body as the API's error body; Code and Message stay empty when it
// is not one.
func (r *Response) APIError() *Error {
	var body struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &body)
	return &Error{Method: r.Method, Path: r.Path, Status: r.Status,
		Code: body.Error.Code, Message: body.Error.Message, Fields: body.Error.Fields}
}

// Error is an answer the API refused: its status, and the code, message and fields at
// fault of its error body (see models.Error).
type Error struct {
	Method, Path string
	Status       int
	Code         string
	Message      string
	Fields       map[string]string
}

func (e *Error) Error() string {
	if e.Code == "" && e.Message == "" {
		return fmt.Sprintf("%s %s: status %d", e.Method, e.Path, e.Status)
	}
	return fmt.Sprintf("%s %s: status %d, %s: %s", e.Method, e.Path, e.Status, e.Code, e.Message)
}

// Do sends a request and reads the whole answer. body is nil (no body), []byte (sent as
// is) or a value sent as JSON; headers are name, value pairs such as
// "Idempotency-Key", key. Only a failure to send the request or read the answer is an
// error: an answer of any status is a Response.
func (c *Client) Do(ctx context.Context, method, path string, body any, headers ...string) (*Response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return nil, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &Response{Method: method, Path: path, Status: resp.StatusCode, Header: resp.Header, Body: out}, nil
}

// Call sends a request like Do and decodes a 2xx answer into out, unless out is nil;
// any other answer is an *Error.
func (c *Client) Call(ctx context.Context, method, path string, body, out any, headers ...string) error {
	r, err := c.Do(ctx, method, path, body, headers...)
	if err != nil {
		return err
	}
	if err := r.Err(); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := r.Decode(out); err != nil {
		return fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

// Dossier is a dossier as GET /api/v1/dossiers/{id} shows it, with its tasks, audit
// trail and ledger entries.
type Dossier struct {
	models.Dossier
	Tasks  []models.Task        `json:"tasks"`
	Audit  []models.AuditEvent  `json:"audit"`
	Ledger []models.LedgerEntry `json:"ledger"`
}

// Dossier reads a dossier.
func (c *Client) Dossier(ctx context.Context, id string) (Dossier, error) {
	var d Dossier
	err := c.Call(ctx, http.MethodGet, "/api/v1/dossiers/"+id, nil, &d)
	return d, err
}

// pollInterval is how often WaitStatus reads the dossier: a workflow step takes a few ms.
const pollInterval = 20 * time.Millisecond

// WaitStatus reads a dossier until its status is one of want, and returns it. It gives up
// when ctx ends, saying which status the dossier stayed in.
func (c *Client) WaitStatus(ctx context.Context, id string, want ...models.Status) (Dossier, error) {
	for {
		d, err := c.Dossier(ctx, id)
		if err != nil {
			return d, err
		}
		for _, w := range want {
			if d.Status == w {
				return d, nil
			}
		}
		select {
		case <-ctx.Done():
			return d, fmt.Errorf("dossier %s stayed %s, wanted %v: %w", id, d.Status, want, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

// Completed is the answer to a task's completion: the task as closed and the dossier's
// status after its workflow acted.
type Completed struct {
	Task          models.Task   `json:"task"`
	DossierStatus models.Status `json:"dossier_status"`
}

// CompleteTask completes a task with an outcome, a comment and the outcome's data (nil
// for none).
func (c *Client) CompleteTask(ctx context.Context, taskID, outcome, comment string, data any) (Completed, error) {
	body := struct {
		Outcome string `json:"outcome"`
		Comment string `json:"comment,omitempty"`
		Data    any    `json:"data,omitempty"`
	}{outcome, comment, data}
	var done Completed
	err := c.Call(ctx, http.MethodPost, "/api/v1/tasks/"+taskID+"/complete", body, &done)
	return done, err
}
