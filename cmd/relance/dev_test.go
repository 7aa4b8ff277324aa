package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/apiclient"
	"github.com/relance/relance/app"
	"github.com/relance/relance/models"
)

// TestDevDemo runs `relance dev` as `make run` does, on a fresh SQLite database and its own
// Temporal dev server, and checks through the API that the demo seeded every kind at the
// stages the README promises.
func TestDevDemo(t *testing.T) {
	cli, err := app.FindTemporalCLI(os.Getenv("TEMPORAL_CLI"))
	if err != nil {
		if os.Getenv("REQUIRE_E2E") != "" {
			t.Fatalf("REQUIRE_E2E is set: %v", err)
		}
		t.Skipf("needs the temporal CLI: %v", err)
	}
	httpPort, temporalPort, uiPort := freePort(t), freePort(t), freePort(t)
	dev := start(t, []string{"DATABASE_URL=", "RELANCE_DATA_DIR=" + t.TempDir(), "TEMPORAL_CLI=" + cli,
		"HTTP_ADDR=127.0.0.1:" + httpPort, "TEMPORAL_ADDRESS=127.0.0.1:" + temporalPort, "TEMPORAL_UI_PORT=" + uiPort}, "dev")
	deadline := time.After(3 * time.Minute)
	for !strings.Contains(dev.stdout.String(), "relance is running") {
		select {
		case <-dev.exited:
			t.Fatalf("relance dev exited: %v\nstderr: %s", dev.err, dev.stderr)
		case <-deadline:
			t.Fatalf("relance dev did not start\nstderr: %s", dev.stderr)
		case <-time.After(200 * time.Millisecond):
		}
	}
	logs := dev.stdout.String() + dev.stderr.String()
	require.NotContains(t, logs, "demo data not loaded", logs)

	tokens := map[string]string{}
	for _, m := range regexp.MustCompile(`export ([A-Z_0-9]+)=(\S+)`).FindAllStringSubmatch(dev.stdout.String(), -1) {
		tokens[m[1]] = m[2]
	}
	ctx := context.Background()
	as := func(who string) *apiclient.Client {
		require.Contains(t, tokens, who)
		return apiclient.New("http://127.0.0.1:"+httpPort, tokens[who])
	}
	statuses := func(kind models.DossierKind) map[models.Status]int {
		var page struct{ Items []models.Dossier }
		require.NoError(t, as("ADMIN").Call(ctx, http.MethodGet, "/api/v1/dossiers?limit=100&kind="+string(kind), nil, &page))
		out := map[models.Status]int{}
		for _, d := range page.Items {
			out[d.Status]++
		}
		return out
	}

	require.Equal(t, 2, sum(statuses(models.KindGuichet)), "two guichet dossiers")
	require.Equal(t, 3, sum(statuses(models.KindAAP)), "three applications to the call")
	axe3 := statuses(models.KindPrefectoral)
	require.Equal(t, 5, sum(axe3), "five Axe 3 dossiers in Bretagne: %v", axe3)
	require.Positive(t, axe3[models.StatusPaid], "Rennes Métropole paid: %v", axe3)

	// Axe 1: a campaign in its vote with its ballots, and a service delivered into the Store.
	var campaigns struct{ Items []models.Campaign }
	require.NoError(t, as("ADMIN").Call(ctx, http.MethodGet, "/api/v1/campaigns", nil, &campaigns))
	require.Len(t, campaigns.Items, 2)
	phases := map[models.Phase]string{}
	for _, c := range campaigns.Items {
		phases[c.Phase] = c.ID
	}
	require.Contains(t, phases, models.PhaseVote)
	var results struct{ Items []models.ServiceResult }
	require.NoError(t, as("INSTRUCTOR_ANCT").Call(ctx, http.MethodGet, "/api/v1/campaigns/"+phases[models.PhaseVote]+"/results", nil, &results))
	require.Len(t, results.Items, 2)
	require.Equal(t, 3, results.Items[0].Ballots, "the leading service of the vote: %+v", results.Items)

	var store struct {
		Items []struct {
			models.CandidateService
			Referents []struct{ Siren string } `json:"referents"`
		}
	}
	require.NoError(t, apiclient.New("http://127.0.0.1:"+httpPort, "").Call(ctx, http.MethodGet, "/api/v1/store", nil, &store))
	require.Len(t, store.Items, 1)
	delivered := store.Items[0]
	require.Equal(t, "Prise de rendez-vous en mairie", delivered.Title)
	require.Equal(t, models.RouteDeployExisting, delivered.Route)
	require.NotEmpty(t, delivered.HowToJoin)
	require.Len(t, delivered.Referents, 1)
	require.Equal(t, "213502388", delivered.Referents[0].Siren, "Rennes, its référent")
}

// freePort is a TCP port nothing listens on, for a process the test starts.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func sum(m map[models.Status]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
