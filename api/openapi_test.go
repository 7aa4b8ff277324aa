package api

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"go.yaml.in/yaml/v3"

	"github.com/relance/relance/models"
)

const openAPITestSecret = "test-secret-test-secret-test-secret"

// openAPIMethods are the keys of an OpenAPI path item that are operations.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// openAPIDoc parses the embedded document into generic maps.
func openAPIDoc(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(OpenAPI, &doc); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	if doc == nil {
		t.Fatal("openapi.yaml is empty")
	}
	return doc
}

// asMap returns v as a map with string keys (YAML may decode a mapping with non-string
// keys, such as unquoted status codes, as map[any]any).
func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, val := range m {
			out[fmt.Sprint(k)] = val
		}
		return out, true
	}
	return nil, false
}

// docOperation is one operation of the document.
type docOperation struct {
	method, path string
	op           map[string]any
	pathItem     map[string]any
}

func (o docOperation) key() string { return o.method + " " + o.path }

// docOperations lists every operation under paths.
func docOperations(t *testing.T, doc map[string]any) []docOperation {
	t.Helper()
	paths, ok := asMap(doc["paths"])
	if !ok {
		t.Fatal("openapi.yaml has no paths object")
	}
	var ops []docOperation
	for path, item := range paths {
		pathItem, ok := asMap(item)
		if !ok {
			t.Errorf("path %s is not an object", path)
			continue
		}
		for key, val := range pathItem {
			if !slices.Contains(openAPIMethods, key) {
				continue
			}
			op, ok := asMap(val)
			if !ok {
				t.Errorf("%s %s is not an object", strings.ToUpper(key), path)
				continue
			}
			ops = append(ops, docOperation{method: strings.ToUpper(key), path: path, op: op, pathItem: pathItem})
		}
	}
	return ops
}

var echoParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// routeKeys lists the router's routes as "METHOD /path/{param}", leaving out Echo's
// internal catch-all routes (the group's not-found handlers).
func routeKeys(e *echo.Echo) []string {
	var keys []string
	for _, r := range e.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		keys = append(keys, r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}"))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

func testRouter() *echo.Echo {
	return (&Server{Auth: NewAuthenticator(openAPITestSecret, "", "", "")}).Handler()
}

// TestOpenAPIMatchesRoutes checks that every route of Handler() is documented and that
// every documented operation is a route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	routes := routeKeys(testRouter())
	if len(routes) == 0 {
		t.Fatal("Handler() registered no routes")
	}
	var documented []string
	for _, o := range docOperations(t, openAPIDoc(t)) {
		documented = append(documented, o.key())
	}
	slices.Sort(documented)

	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not documented in api/openapi.yaml", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("api/openapi.yaml documents %s, which Handler() does not register", d)
		}
	}
}

var (
	pathTemplate = regexp.MustCompile(`\{([^{}]+)\}`)
	success      = regexp.MustCompile(`^2([0-9]{2}|XX)$`)
)

// TestOpenAPIDocument checks the document's own consistency: version, operation IDs,
// success responses, path parameters, security schemes, and that every $ref resolves.
func TestOpenAPIDocument(t *testing.T) {
	doc := openAPIDoc(t)
	if v, _ := doc["openapi"].(string); v != "3.0.3" {
		t.Errorf("openapi is %q, want 3.0.3", doc["openapi"])
	}
	info, _ := asMap(doc["info"])
	if title, _ := info["title"].(string); title != "relance API" {
		t.Errorf("info.title is %q, want %q", info["title"], "relance API")
	}
	if v, _ := info["version"].(string); v == "" {
		t.Error("info.version is missing")
	}

	ops := docOperations(t, doc)
	if len(ops) == 0 {
		t.Fatal("openapi.yaml has no operations")
	}
	ids := map[string]string{}
	for _, o := range ops {
		id, _ := o.op["operationId"].(string)
		switch {
		case id == "":
			t.Errorf("%s has no operationId", o.key())
		case ids[id] != "":
			t.Errorf("operationId %q is used by both %s and %s", id, ids[id], o.key())
		default:
			ids[id] = o.key()
		}
		responses, _ := asMap(o.op["responses"])
		hasSuccess := false
		for code := range responses {
			hasSuccess = hasSuccess || success.MatchString(code)
		}
		if !hasSuccess {
			t.Errorf("%s has no 2xx response", o.key())
		}
		checkPathParams(t, doc, o)
	}

	checkSecurity(t, doc, ops)
	checkRefs(t, doc)
}

// checkPathParams checks that the path's {templates} and the operation's path parameters
// (its own or its path item's) name the same things, each required.
func checkPathParams(t *testing.T, doc map[string]any, o docOperation) {
	t.Helper()
	declared := map[string]bool{}
	for _, list := range []any{o.pathItem["parameters"], o.op["parameters"]} {
		params, _ := list.([]any)
		for _, p := range params {
			param, ok := asMap(p)
			if !ok {
				t.Errorf("%s has a parameter that is not an object", o.key())
				continue
			}
			if ref, ok := param["$ref"].(string); ok {
				resolved, ok := asMap(resolveRef(doc, ref))
				if !ok {
					continue // reported by checkRefs
				}
				param = resolved
			}
			if param["in"] != "path" {
				continue
			}
			name, _ := param["name"].(string)
			declared[name] = true
			if param["required"] != true {
				t.Errorf("%s: path parameter %q must be required", o.key(), name)
			}
		}
	}
	templated := map[string]bool{}
	for _, m := range pathTemplate.FindAllStringSubmatch(o.path, -1) {
		templated[m[1]] = true
		if !declared[m[1]] {
			t.Errorf("%s: {%s} has no path parameter", o.key(), m[1])
		}
	}
	for name := range declared {
		if !templated[name] {
			t.Errorf("%s: path parameter %q is not in the path", o.key(), name)
		}
	}
}

// checkSecurity checks that the global and per-operation requirements name defined schemes.
func checkSecurity(t *testing.T, doc map[string]any, ops []docOperation) {
	t.Helper()
	components, _ := asMap(doc["components"])
	schemes, _ := asMap(components["securitySchemes"])
	check := func(where string, v any) {
		reqs, ok := v.([]any)
		if !ok {
			t.Errorf("%s: security is not a list", where)
			return
		}
		for _, r := range reqs {
			req, _ := asMap(r)
			for name := range req {
				if _, ok := schemes[name]; !ok {
					t.Errorf("%s: security scheme %q is not defined", where, name)
				}
			}
		}
	}
	if _, ok := doc["security"]; !ok {
		t.Error("openapi.yaml has no global security requirement")
	} else {
		check("global", doc["security"])
	}
	for _, o := range ops {
		if v, ok := o.op["security"]; ok {
			check(o.key(), v)
		}
	}
}

// checkRefs walks the document and checks that every $ref points at something defined in it.
func checkRefs(t *testing.T, doc map[string]any) {
	t.Helper()
	var walk func(at string, v any)
	walk = func(at string, v any) {
		if m, ok := asMap(v); ok {
			if ref, ok := m["$ref"]; ok {
				s, _ := ref.(string)
				if resolveRef(doc, s) == nil {
					t.Errorf("%s: $ref %q does not resolve", at, ref)
				}
			}
			for k, val := range m {
				walk(at+"/"+k, val)
			}
			return
		}
		if list, ok := v.([]any); ok {
			for i, val := range list {
				walk(fmt.Sprintf("%s/%d", at, i), val)
			}
		}
	}
	walk("#", doc)
}

// resolveRef follows a local JSON pointer ("#/components/schemas/Error"); nil when it
// does not resolve.
func resolveRef(doc map[string]any, ref string) any {
	pointer, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var cur any = doc
	for _, part := range strings.Split(pointer, "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := asMap(cur)
		if !ok {
			return nil
		}
		if cur, ok = m[part]; !ok {
			return nil
		}
	}
	return cur
}

// TestOpenAPISecurityMatchesAuth checks the security the document declares against the
// router: an operation secured by bearerAuth answers 401 without a token (the
// authentication middleware answers before any handler touches the store), and the
// document itself is served, without a token, as embedded.
func TestOpenAPISecurityMatchesAuth(t *testing.T) {
	doc := openAPIDoc(t)
	_, globallySecured := doc["security"]
	s := &Server{Auth: NewAuthenticator(openAPITestSecret, "", "", ""), Logger: slog.New(slog.DiscardHandler)}
	e := s.Handler()
	for _, o := range docOperations(t, doc) {
		secured := globallySecured
		if v, ok := o.op["security"]; ok {
			reqs, _ := v.([]any)
			secured = len(reqs) > 0
		}
		if !secured {
			continue
		}
		path := pathTemplate.ReplaceAllString(o.path, "x")
		req := httptest.NewRequest(o.method, path, nil)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s is documented as needing a bearer token but %s %s without one answered %d", o.key(), o.method, path, rec.Code)
		}
	}

	req := httptest.NewRequest(http.MethodGet, "/api/v1/openapi.yaml", nil)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusOK || string(body) != string(OpenAPI) {
		t.Errorf("GET /api/v1/openapi.yaml without a token answered %d and %d bytes, want 200 and the embedded document", rec.Code, len(body))
	}
}

// TestOpenAPIDossierStatusesMatchModels checks that the document's DossierStatus enum is
// models.Statuses, in its order.
func TestOpenAPIDossierStatusesMatchModels(t *testing.T) {
	components, _ := asMap(openAPIDoc(t)["components"])
	schemas, _ := asMap(components["schemas"])
	schema, _ := asMap(schemas["DossierStatus"])
	enum, _ := schema["enum"].([]any)
	var documented []string
	for _, v := range enum {
		documented = append(documented, fmt.Sprint(v))
	}
	var statuses []string
	for _, s := range models.Statuses {
		statuses = append(statuses, string(s))
	}
	if !slices.Equal(documented, statuses) {
		t.Errorf("DossierStatus enum is %v, models.Statuses %v", documented, statuses)
	}
}
