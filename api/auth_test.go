package api

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestJWKSVerification checks tokens of an OIDC provider against the keys it publishes.
func TestJWKSVerification(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	point, err := ecKey.PublicKey.Bytes() // 0x04 || X || Y
	require.NoError(t, err)
	jwks := map[string]any{"keys": []map[string]string{{"kid": "k1", "kty": "RSA",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes())},
		{"kid": "ec1", "kty": "EC", "crv": "P-256",
			"x": base64.RawURLEncoding.EncodeToString(point[1:33]), "y": base64.RawURLEncoding.EncodeToString(point[33:])}}}
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _ = json.NewEncoder(w).Encode(jwks) }))
	defer provider.Close()

	sign := func(kid, issuer string) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims{
			RegisteredClaims: jwt.RegisteredClaims{Subject: "marie", Issuer: issuer, ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))},
			Claims:           models.Claims{Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}}})
		tok.Header["kid"] = kid
		s, err := tok.SignedString(key)
		require.NoError(t, err)
		return s
	}
	auth := NewAuthenticator("", "https://idp.example", provider.URL, "")
	p, err := auth.Verify(context.Background(), sign("k1", "https://idp.example"))
	require.NoError(t, err)
	require.Equal(t, "marie", p.Subject)
	require.Equal(t, []string{"35"}, p.Departements)

	ec := jwt.NewWithClaims(jwt.SigningMethodES256, claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "paul", Issuer: "https://idp.example",
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}, Claims: models.Claims{Roles: []models.Role{models.RoleFinance}}})
	ec.Header["kid"] = "ec1"
	ecToken, err := ec.SignedString(ecKey)
	require.NoError(t, err)
	p, err = auth.Verify(context.Background(), ecToken)
	require.NoError(t, err, "an ES256 token of the provider")
	require.Equal(t, "paul", p.Subject)

	_, err = auth.Verify(context.Background(), sign("k1", "https://other.example"))
	require.Equal(t, models.EUnauthorized, models.ErrorCode(err), "another issuer")
	_, err = auth.Verify(context.Background(), sign("k2", "https://idp.example"))
	require.Equal(t, models.EUnauthorized, models.ErrorCode(err), "an unknown key")
	hs, err := NewAuthenticator("a-shared-secret-a-shared-secret-!!", "", "", "").Mint(models.Principal{Subject: "x", Roles: []models.Role{models.RoleAdmin}}, time.Hour)
	require.NoError(t, err)
	_, err = auth.Verify(context.Background(), hs)
	require.Equal(t, models.EUnauthorized, models.ErrorCode(err), "an HS256 token is refused when a JWKS is configured")

	provider.Close()
	down := NewAuthenticator("", "https://idp.example", provider.URL, "")
	_, err = down.Verify(context.Background(), sign("k1", "https://idp.example"))
	require.Equal(t, models.EUnavailable, models.ErrorCode(err), "the provider's outage is not the token's fault")
}

// TestScopeClaims: the département and région claims become typed scopes; "*" is national,
// and a département list saying "national" is a malformed token, refused with a 401.
func TestScopeClaims(t *testing.T) {
	auth := NewAuthenticator("a-shared-secret-a-shared-secret-!!", "", "", "")
	verify := func(p models.Principal) (models.Principal, error) {
		tok, err := auth.Mint(p, time.Hour)
		require.NoError(t, err)
		return auth.Verify(context.Background(), tok)
	}
	p, err := verify(models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"*"}, Regions: []string{"53"}})
	require.NoError(t, err)
	require.ElementsMatch(t, []models.Grant{{Role: models.RoleInstructor, Scope: models.ScopeNational},
		{Role: models.RoleInstructor, Scope: models.RegionScope("53")}}, p.Grants())

	_, err = verify(models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"national"}})
	require.Equal(t, models.EUnauthorized, models.ErrorCode(err))
	require.ErrorContains(t, err, `invalid département "national"`)
	_, err = verify(models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Regions: []string{"Bretagne"}})
	require.Equal(t, models.EUnauthorized, models.ErrorCode(err))
}
