package api

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"github.com/relance/relance/models"
)

// claims is the token's payload: registered claims plus relance's own.
type claims struct {
	jwt.RegisteredClaims
	models.Claims
}

// Authenticator checks bearer tokens: HS256 with a shared secret (development), or
// RS256/ES256 from an OIDC provider's JWKS (production).
type Authenticator struct {
	secret   []byte
	issuer   string
	audience string
	jwks     *jwksCache
}

// NewAuthenticator checks HS256 tokens with secret, or, when jwksURL is set, tokens of
// issuer signed by the keys published at jwksURL.
func NewAuthenticator(secret, issuer, jwksURL, audience string) *Authenticator {
	a := &Authenticator{secret: []byte(secret), issuer: issuer, audience: audience}
	if jwksURL != "" {
		a.jwks = &jwksCache{url: jwksURL, client: &http.Client{Timeout: 5 * time.Second}}
	}
	return a
}

// Mint signs an HS256 token for p, valid for ttl. Used by `relance token` and the demo.
func (a *Authenticator) Mint(p models.Principal, ttl time.Duration) (string, error) {
	now := time.Now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{Subject: p.Subject, IssuedAt: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)), Issuer: a.issuer},
		Claims: models.ClaimsOf(p),
	}
	if a.audience != "" {
		c.Audience = jwt.ClaimStrings{a.audience}
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(a.secret)
}

// Verify parses and checks a token, returning the principal it vouches for.
func (a *Authenticator) Verify(ctx context.Context, token string) (models.Principal, error) {
	p, err := a.claims(ctx, token)
	if err != nil {
		return p, err
	}
	return p, p.Validate()
}

// claims parses and checks a token's signature, issuer, audience and expiry, returning
// its claims as a principal, unchecked: the table of people may give it its roles.
func (a *Authenticator) claims(ctx context.Context, token string) (models.Principal, error) {
	opts := []jwt.ParserOption{jwt.WithExpirationRequired(), jwt.WithLeeway(30 * time.Second)}
	if a.issuer != "" {
		opts = append(opts, jwt.WithIssuer(a.issuer))
	}
	if a.audience != "" {
		opts = append(opts, jwt.WithAudience(a.audience))
	}
	var keyFunc jwt.Keyfunc
	if a.jwks != nil {
		opts = append(opts, jwt.WithValidMethods([]string{"RS256", "ES256"}))
		keyFunc = func(t *jwt.Token) (any, error) {
			kid, _ := t.Header["kid"].(string)
			return a.jwks.key(ctx, kid)
		}
	} else {
		opts = append(opts, jwt.WithValidMethods([]string{"HS256"}))
		keyFunc = func(*jwt.Token) (any, error) { return a.secret, nil }
	}
	var c claims
	if _, err := jwt.ParseWithClaims(token, &c, keyFunc, opts...); err != nil {
		if errors.Is(err, errKeysUnavailable) {
			return models.Principal{}, models.Errorf(models.EUnavailable, "the identity provider's keys cannot be fetched; try again")
		}
		return models.Principal{}, models.Errorf(models.EUnauthorized, "invalid token: %v", err)
	}
	return c.Principal(c.Subject), nil
}

const principalKey = "principal"

// authenticate requires a valid bearer token and puts in the context the principal its
// claims and the table of people make (see filing.Service.SignIn).
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		header := c.Request().Header.Get(echo.HeaderAuthorization)
		token, ok := strings.CutPrefix(header, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="relance"`)
			return models.Errorf(models.EUnauthorized, "missing bearer token in the Authorization header")
		}
		claimed, err := s.Auth.claims(c.Request().Context(), strings.TrimSpace(token))
		if err != nil {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="relance", error="invalid_token"`)
			return err
		}
		p, err := s.Filing.SignIn(c.Request().Context(), claimed)
		if err != nil {
			if models.ErrorCode(err) == models.EUnauthorized {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="relance", error="invalid_token"`)
			}
			return err
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

func principal(c echo.Context) models.Principal {
	p, _ := c.Get(principalKey).(models.Principal)
	return p
}

// requireRole lets through principals holding any of roles.
func requireRole(roles ...models.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := principal(c).NeedRole(roles...); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// errKeysUnavailable is a JWKS that could not be fetched: the provider's outage, not the token's fault.
var errKeysUnavailable = errors.New("signing keys unavailable")

// jwksCache fetches an OIDC provider's signing keys and refreshes them when an unknown
// key ID shows up (key rotation), at most once a minute.
type jwksCache struct {
	url     string
	client  *http.Client
	mu      sync.Mutex
	keys    map[string]any
	fetched time.Time
}

func (j *jwksCache) key(ctx context.Context, kid string) (any, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if k, ok := j.keys[kid]; ok {
		return k, nil
	}
	if time.Since(j.fetched) > time.Minute {
		// Fetched at most once a minute, failed or not, so unknown key IDs cannot hammer the provider.
		j.fetched = time.Now()
		if err := j.refresh(ctx); err != nil {
			return nil, fmt.Errorf("%w: %v", errKeysUnavailable, err)
		}
	}
	if k, ok := j.keys[kid]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("unknown signing key %q", kid)
}

func (j *jwksCache) refresh(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.url, nil)
	if err != nil {
		return err
	}
	resp, err := j.client.Do(req)
	if err != nil {
		return fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch JWKS: status %d", resp.StatusCode)
	}
	var doc struct {
		Keys []struct {
			Kid, Kty, N, E, Crv, X, Y string
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return fmt.Errorf("decode JWKS: %w", err)
	}
	keys := map[string]any{}
	for _, k := range doc.Keys {
		switch k.Kty {
		case "RSA":
			n, errN := b64int(k.N)
			e, errE := b64int(k.E)
			if errN == nil && errE == nil {
				keys[k.Kid] = &rsa.PublicKey{N: n, E: int(e.Int64())}
			}
		case "EC":
			x, errX := base64.RawURLEncoding.DecodeString(k.X)
			y, errY := base64.RawURLEncoding.DecodeString(k.Y)
			if k.Crv == "P-256" && errX == nil && errY == nil && len(x) == 32 && len(y) == 32 {
				// The uncompressed point: 0x04, then X and Y.
				if key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...)); err == nil {
					keys[k.Kid] = key
				}
			}
		}
	}
	j.keys = keys
	return nil
}

func b64int(s string) (*big.Int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(b), nil
}
