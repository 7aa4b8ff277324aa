package web

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/api"
	"github.com/relance/relance/filing"
	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

// fakeProvider is a small OpenID Connect provider: discovery, keys, an authorization
// endpoint that approves at once, and a token endpoint that checks the PKCE verifier.
type fakeProvider struct {
	*httptest.Server
	key      *rsa.PrivateKey
	claims   jwt.MapClaims // extra claims of the next ID token
	badNonce bool
	// wrongChallenge records another challenge than the client sent.
	wrongChallenge bool
	// challenge and nonce of the authorization under way
	challenge, nonce string
}

func newFakeProvider(t *testing.T) *fakeProvider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	f := &fakeProvider{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": f.URL, "authorization_endpoint": f.URL + "/authorize",
			"token_endpoint": f.URL + "/token", "jwks_uri": f.URL + "/jwks", "response_types_supported": []string{"code"},
			"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes())}}})
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("client_id") != "relance" {
			http.Error(w, "PKCE and the client are required", http.StatusBadRequest)
			return
		}
		f.challenge, f.nonce = q.Get("code_challenge"), q.Get("nonce")
		if f.wrongChallenge {
			f.challenge = "not-the-challenge"
		}
		http.Redirect(w, r, q.Get("redirect_uri")+"?code=the-code&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		sum := sha256.Sum256([]byte(r.FormValue("code_verifier")))
		if r.FormValue("code") != "the-code" || base64.RawURLEncoding.EncodeToString(sum[:]) != f.challenge {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"invalid_grant"}`)
			return
		}
		nonce := f.nonce
		if f.badNonce {
			nonce = "another"
		}
		c := jwt.MapClaims{"iss": f.URL, "aud": "relance", "sub": "agent.proconnect", "iat": time.Now().Unix(),
			"exp": time.Now().Add(time.Minute).Unix(), "nonce": nonce}
		for k, v := range f.claims {
			c[k] = v
		}
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
		tok.Header["kid"] = "k1"
		signed, err := tok.SignedString(key)
		require.NoError(t, err)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 60, "id_token": signed})
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func TestOIDCSignInWithPKCE(t *testing.T) {
	provider := newFakeProvider(t)
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "o.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(ctx))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := &api.Server{Store: st, Auth: api.NewAuthenticator("s", "", "", ""), Logger: logger, Filing: &filing.Service{Store: st, Logger: logger}}
	pages, err := New(a, NewSessions("s", time.Hour, false), logger)
	require.NoError(t, err)
	a.Pages = pages.Register
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	pages.OIDC, err = NewOIDC(ctx, provider.URL, "relance", "secret", srv.URL+"/connexion/retour")
	require.NoError(t, err)

	var client *http.Client // the last sign-in's browser
	signIn := func() (int, string) {
		jar, _ := cookiejar.New(nil)
		client = &http.Client{Jar: jar}
		resp, err := client.Get(srv.URL + "/connexion/oidc")
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	provider.claims = jwt.MapClaims{"name": "Instructrice ProConnect", "roles": []string{"instructor"}, "departements": []string{"35"}}
	status, page := signIn()
	require.Equal(t, http.StatusOK, status, page)
	require.Contains(t, page, "Instructrice ProConnect", "signed in, on the home page")
	require.Contains(t, page, "Ce qui vous attend")

	// An ID token for another sign-in (its nonce) is refused.
	provider.badNonce = true
	status, page = signIn()
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, page, "ne répond pas à cette demande")
	provider.badNonce = false

	// A person the provider knows but with no role in relance is not let in.
	provider.claims = jwt.MapClaims{"name": "Sans rôle"}
	status, page = signIn()
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, page, "pas de rôle")

	// The administrator's table gives the person the roles ProConnect does not carry, and
	// wins over the claims; an inactive entry refuses the sign-in, saying why.
	yes, no := true, false
	entry := models.Person{Subject: "agent.proconnect", Name: "Agente de la table", Roles: []models.Role{models.RoleAdmin}, Active: &yes}
	require.NoError(t, st.SavePerson(ctx, entry, "admin"))
	status, page = signIn()
	require.Equal(t, http.StatusOK, status, page)
	require.Contains(t, page, "Agente de la table")
	require.Contains(t, page, `href="/admin/personnes"`, "the table's admin role, not the claims' none")
	// The session keeps the claims: once the entry is removed, the next page finds no role.
	require.NoError(t, st.DeletePerson(ctx, "agent.proconnect", "admin"))
	resp, err := client.Get(srv.URL + "/")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Contains(t, string(b), "pas de rôle dans relance")
	entry.Active = &no
	require.NoError(t, st.SavePerson(ctx, entry, "admin"))
	provider.claims = jwt.MapClaims{"name": "Instructrice ProConnect", "roles": []string{"instructor"}, "departements": []string{"35"}}
	status, page = signIn()
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, page, "votre accès à relance a été retiré par un administrateur")
	require.NoError(t, st.DeletePerson(ctx, "agent.proconnect", "admin"))

	// A callback without the attempt's cookie (another browser, a forged link) is refused.
	resp, err = http.Get(srv.URL + "/connexion/retour?code=the-code&state=x")
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Contains(t, string(b), "a expiré ou ne vient pas de ce navigateur")

	// A code whose PKCE verifier does not match the challenge is refused by the provider.
	provider.claims = jwt.MapClaims{"name": "Instructrice ProConnect", "roles": []string{"instructor"}, "departements": []string{"35"}}
	provider.wrongChallenge = true
	status, page = signIn()
	require.Equal(t, http.StatusUnauthorized, status)
	require.Contains(t, page, "code d&#39;autorisation n&#39;a pas été accepté")

	// The login page offers the provider.
	resp, err = http.Get(srv.URL + "/connexion")
	require.NoError(t, err)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(b), `href="/connexion/oidc"`)
}
