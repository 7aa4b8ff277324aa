package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/relance/relance/models"
)

// OIDC signs people in with an OpenID Connect provider (ProConnect, the State's identity
// provider for public agents, or any other): the authorization code flow with PKCE, the ID
// token checked against the provider's keys, its claims made a principal with the same
// claim names as the API's tokens (roles, siren, departements, regions).
type OIDC struct {
	verifier *oidc.IDTokenVerifier
	config   oauth2.Config
}

// NewOIDC discovers issuer's endpoints and keys.
func NewOIDC(ctx context.Context, issuer, clientID, clientSecret, redirectURL string) (*OIDC, error) {
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("discover the OIDC provider %s: %w", issuer, err)
	}
	return &OIDC{verifier: provider.Verifier(&oidc.Config{ClientID: clientID}),
		config: oauth2.Config{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL, Endpoint: provider.Endpoint(),
			Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}}, nil
}

// oidcCookie holds the state, nonce and PKCE verifier of a sign-in under way, signed as
// sessions are, for ten minutes.
const oidcCookie = "relance_oidc"

type oidcAttempt struct {
	State, Nonce, Verifier string
	Expires                int64
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// oidcStart sends the person to the provider.
func (s *Server) oidcStart(c echo.Context) error {
	if s.OIDC == nil {
		return s.renderError(c, models.Errorf(models.ENotFound, "la connexion par un fournisseur d'identité n'est pas configurée"))
	}
	a := oidcAttempt{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(), Expires: time.Now().Add(10 * time.Minute).Unix()}
	b, err := json.Marshal(a)
	if err != nil {
		return s.renderError(c, err)
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	c.SetCookie(&http.Cookie{Name: oidcCookie, Value: payload + "." + s.Sessions.sign(payload), Path: "/connexion", MaxAge: 600,
		HttpOnly: true, Secure: s.Sessions.Secure, SameSite: http.SameSiteLaxMode})
	return c.Redirect(http.StatusFound, s.OIDC.config.AuthCodeURL(a.State, oauth2.S256ChallengeOption(a.Verifier), oidc.Nonce(a.Nonce)))
}

var errOIDC = errors.New("sign-in refused")

// attempt reads the sign-in under way from its cookie.
func (s *Server) attempt(r *http.Request) (oidcAttempt, error) {
	var a oidcAttempt
	ck, err := r.Cookie(oidcCookie)
	if err != nil {
		return a, errOIDC
	}
	payload, err := s.Sessions.verify(ck.Value)
	if err != nil || json.Unmarshal(payload, &a) != nil || time.Now().Unix() >= a.Expires {
		return a, errOIDC
	}
	return a, nil
}

// oidcClaims are the ID token's claims relance reads.
type oidcClaims struct {
	models.Claims
	Subject   string `json:"sub"`
	GivenName string `json:"given_name"`
	UsualName string `json:"usual_name"`
	Nonce     string `json:"nonce"`
}

// oidcCallback takes the provider's answer: the state matches the attempt's, the code is
// exchanged with the PKCE verifier, the ID token is checked (signature, issuer, audience,
// expiry, nonce), and its claims sign the person in.
func (s *Server) oidcCallback(c echo.Context) error {
	refuse := func(why string) error {
		return s.renderError(c, models.Errorf(models.EUnauthorized, "la connexion a échoué : %s", why))
	}
	a, err := s.attempt(c.Request())
	if s.OIDC == nil || err != nil || c.QueryParam("state") != a.State {
		return refuse("la demande de connexion a expiré ou ne vient pas de ce navigateur ; recommencez")
	}
	c.SetCookie(&http.Cookie{Name: oidcCookie, Path: "/connexion", MaxAge: -1, HttpOnly: true, Secure: s.Sessions.Secure, SameSite: http.SameSiteLaxMode})
	if e := c.QueryParam("error"); e != "" {
		return refuse("le fournisseur d'identité a répondu " + e)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 10*time.Second)
	defer cancel()
	tok, err := s.OIDC.config.Exchange(ctx, c.QueryParam("code"), oauth2.VerifierOption(a.Verifier))
	if err != nil {
		s.Logger.Warn("OIDC code exchange failed", "err", err)
		return refuse("le code d'autorisation n'a pas été accepté")
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return refuse("le fournisseur d'identité n'a pas donné de jeton d'identité")
	}
	idToken, err := s.OIDC.verifier.Verify(ctx, raw)
	if err != nil {
		s.Logger.Warn("OIDC ID token refused", "err", err)
		return refuse("le jeton d'identité n'est pas valide")
	}
	var cl oidcClaims
	if err := idToken.Claims(&cl); err != nil || cl.Nonce != a.Nonce {
		return refuse("le jeton d'identité ne répond pas à cette demande")
	}
	if cl.Name == "" {
		cl.Name = cl.GivenName + " " + cl.UsualName // ProConnect's claims
	}
	claimed := cl.Principal(cl.Subject)
	// The administrator's table of people, when it has an entry for the subject, gives the
	// roles and scopes (ProConnect's claims carry none of relance's), or refuses. The
	// session keeps the claims, and every page applies the table again, so that an entry
	// changed or removed later takes effect at once.
	if _, err := s.App.SignIn(ctx, claimed); err != nil {
		return s.renderError(c, signInRefusal(err))
	}
	cookie, err := s.Sessions.Cookie(claimed)
	if err != nil {
		return s.renderError(c, err)
	}
	c.SetCookie(cookie)
	return c.Redirect(http.StatusSeeOther, "/")
}

// signInRefusal says in French why a person cannot sign in: their access withdrawn by an
// administrator, or claims that give them no usable role.
func signInRefusal(err error) error {
	switch models.ErrorCode(err) {
	case models.EForbidden:
		return models.Errorf(models.EForbidden, "votre accès à relance a été retiré par un administrateur ; adressez-vous à lui pour le rétablir")
	case models.EUnauthorized:
		return models.Errorf(models.EUnauthorized, "la connexion a échoué : votre compte n'a pas de rôle dans relance (%s) ; un administrateur peut vous en donner", models.ErrorMessage(err))
	}
	return err
}
