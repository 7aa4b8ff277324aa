package testdb

import (
	"net/url"
	"testing"

	"github.com/relance/relance/internal/tcpproxy"
)

// ThroughProxy starts a TCP proxy in front of the database of the PostgreSQL URL dsn and
// returns it with the URL that reaches the same database through it, so that a test can
// cut the database off and restore it. The proxy closes when the test ends.
func ThroughProxy(t testing.TB, dsn string) (*tcpproxy.Proxy, string) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse database URL: %v", err)
	}
	target := u.Host
	if u.Port() == "" {
		target = u.Hostname() + ":5432"
	}
	p, err := tcpproxy.Start(target)
	if err != nil {
		t.Fatalf("start a proxy in front of PostgreSQL: %v", err)
	}
	t.Cleanup(p.Close)
	u.Host = p.Addr()
	return p, u.String()
}
