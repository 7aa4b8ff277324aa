package main

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/relance/relance/app"
	"github.com/relance/relance/workflows"
)

// TestTemporalSetupCommand runs `relance temporal-setup` twice against a bare dev server
// (no search attributes), as a deployment would on a fresh cluster: the first run creates
// the namespace and registers every attribute, the second finds nothing to do.
func TestTemporalSetupCommand(t *testing.T) {
	cli, err := app.FindTemporalCLI(os.Getenv("TEMPORAL_CLI"))
	if err != nil {
		if os.Getenv("REQUIRE_E2E") != "" {
			t.Fatalf("REQUIRE_E2E is set: %v", err)
		}
		t.Skipf("needs the temporal CLI: %v", err)
	}
	relanceBinary(t)
	dev, err := testsuite.StartDevServer(context.Background(), testsuite.DevServerOptions{ExistingPath: cli, LogLevel: "error",
		ClientOptions: &client.Options{Namespace: "default"}, Stdout: io.Discard, Stderr: io.Discard})
	require.NoError(t, err)
	t.Cleanup(func() { _ = dev.Stop() })

	env := []string{"TEMPORAL_ADDRESS=" + dev.FrontendHostPort(), "TEMPORAL_NAMESPACE=relance-ops", "RELANCE_DATA_DIR=" + t.TempDir()}
	first := start(t, env, "temporal-setup", "--retention", "48h", "--wait", "10s")
	first.wait(t)
	require.Contains(t, first.stdout.String(), "namespace relance-ops ready on "+dev.FrontendHostPort()+
		"; search attributes added: ApplicantSiren, AwaitingSince, Departement, DossierKind, DossierStatus, OverdueTask, PendingTask, Region")
	second := start(t, env, "temporal-setup")
	second.wait(t)
	require.Contains(t, second.stdout.String(), "search attributes added: none (all registered already)")

	list, err := dev.Client().OperatorService().ListSearchAttributes(context.Background(),
		&operatorservice.ListSearchAttributesRequest{Namespace: "relance-ops"})
	require.NoError(t, err)
	for _, sa := range workflows.SearchAttributes {
		require.Equal(t, sa.GetValueType(), list.GetCustomAttributes()[sa.GetName()], sa.GetName())
	}

	// Nobody answers: it gives up after --wait with the address it tried.
	down := start(t, []string{"TEMPORAL_ADDRESS=127.0.0.1:1", "RELANCE_DATA_DIR=" + t.TempDir()}, "temporal-setup", "--wait", "1s")
	<-down.exited
	require.Error(t, down.err)
	require.Contains(t, down.stderr.String(), "connect to Temporal at 127.0.0.1:1")
}
