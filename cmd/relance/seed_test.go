package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSeedCommand seeds a fresh database through the command, on SQLite and PostgreSQL, and
// checks that it refuses to run without the flag that says the database is not production's.
func TestSeedCommand(t *testing.T) {
	for name, env := range databases(t) {
		t.Run(name, func(t *testing.T) {
			refused := start(t, env, "seed", "--dossiers", "20")
			<-refused.exited
			require.Error(t, refused.err)
			require.Contains(t, refused.stderr.String(), "--i-know-this-is-not-production")

			p := start(t, env, "seed", "--dossiers", "50", "--i-know-this-is-not-production")
			p.wait(t)
			require.Regexp(t, `seeded 50 dossiers, \d+ tasks, \d+ audit events in `, p.stdout.String())
		})
	}
}
