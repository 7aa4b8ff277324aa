package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/relance/relance/models"
)

// sessionCookie carries the signed-in person: the principal and its expiry, signed with
// HMAC-SHA256, so the server keeps no session table and a tampered cookie is refused.
const sessionCookie = "relance_session"

// Sessions signs and checks session cookies.
type Sessions struct {
	key []byte
	// TTL is how long a sign-in lasts.
	TTL time.Duration
	// Secure sets the cookie's Secure flag: production serves HTTPS only.
	Secure bool
	now    func() time.Time
}

// NewSessions signs cookies with a key derived from secret.
func NewSessions(secret string, ttl time.Duration, secure bool) *Sessions {
	k := sha256.Sum256([]byte("relance session cookie\x00" + secret))
	return &Sessions{key: k[:], TTL: ttl, Secure: secure, now: time.Now}
}

type sessionBody struct {
	P       models.Principal `json:"p"`
	Expires int64            `json:"exp"`
}

func (s *Sessions) sign(payload string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Cookie is the cookie that signs p in.
func (s *Sessions) Cookie(p models.Principal) (*http.Cookie, error) {
	b, err := json.Marshal(sessionBody{P: p, Expires: s.now().Add(s.TTL).Unix()})
	if err != nil {
		return nil, err
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	return s.cookie(payload+"."+s.sign(payload), int(s.TTL/time.Second)), nil
}

// Clear is the cookie that signs out.
func (s *Sessions) Clear() *http.Cookie { return s.cookie("", -1) }

func (s *Sessions) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode}
}

var errNoSession = errors.New("no valid session")

// Principal reads the signed-in person from r, refusing a missing, forged or expired session.
func (s *Sessions) Principal(r *http.Request) (models.Principal, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return models.Principal{}, errNoSession
	}
	b, err := s.verify(c.Value)
	if err != nil {
		return models.Principal{}, errNoSession
	}
	var body sessionBody
	if err := json.Unmarshal(b, &body); err != nil || s.now().Unix() >= body.Expires {
		return models.Principal{}, errNoSession
	}
	// The cookie holds what the identity provider vouched for; its roles and scopes are
	// checked, with the table of people, on every page (filing.Service.SignIn).
	if body.P.Subject == "" {
		return models.Principal{}, errNoSession
	}
	return body.P, nil
}

// verify checks a signed value ("payload.signature") and returns its decoded payload.
func (s *Sessions) verify(value string) ([]byte, error) {
	payload, sig, ok := strings.Cut(value, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign(payload))) {
		return nil, errNoSession
	}
	return base64.RawURLEncoding.DecodeString(payload)
}
