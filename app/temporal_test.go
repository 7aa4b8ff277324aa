package app

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/relance/relance/workflows"
)

// TestSetupTemporal runs the dev server as `relance dev` does, then the setup: on its
// namespace there is nothing left to add (both take the workflows' one list), and on a
// namespace of its own the setup creates it, adds every attribute, and a second run
// changes nothing.
func TestSetupTemporal(t *testing.T) {
	cli, err := FindTemporalCLI(os.Getenv("TEMPORAL_CLI"))
	if err != nil {
		if os.Getenv("REQUIRE_E2E") != "" {
			t.Fatalf("REQUIRE_E2E is set: %v", err)
		}
		t.Skipf("needs the temporal CLI: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dev, err := StartDevTemporal(ctx, DevTemporal{CLI: cli, Namespace: "default", Log: io.Discard}, logger)
	require.NoError(t, err)
	t.Cleanup(func() { _ = dev.Stop() })
	c := dev.Client()

	done, err := SetupTemporal(ctx, c, "default", 24*time.Hour, logger)
	require.NoError(t, err)
	require.Equal(t, TemporalSetup{}, done, "the dev server registered the same list")

	done, err = SetupTemporal(ctx, c, "relance-setup", 72*time.Hour, logger)
	require.NoError(t, err)
	require.True(t, done.CreatedNamespace)
	require.Equal(t, []string{"ApplicantSiren", "AwaitingSince", "Departement", "DossierKind", "DossierStatus", "OverdueTask", "PendingTask", "Region"}, done.Added)
	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "relance-setup"})
	require.NoError(t, err)
	for _, sa := range workflows.SearchAttributes {
		require.Equal(t, sa.GetValueType(), list.GetCustomAttributes()[sa.GetName()], sa.GetName())
	}
	require.Equal(t, enums.INDEXED_VALUE_TYPE_DATETIME, list.GetCustomAttributes()["AwaitingSince"])

	again, err := SetupTemporal(ctx, c, "relance-setup", 72*time.Hour, logger)
	require.NoError(t, err)
	require.Equal(t, TemporalSetup{}, again, "a second run changes nothing")

	// Visibility knows them on the new namespace: a query on them is accepted.
	_, err = c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: "relance-setup",
		Query: `DossierStatus = "awaiting_payment" AND AwaitingSince < "2030-01-01T00:00:00Z"`})
	require.NoError(t, err)
}

// TestSetupRefusesAnAttributeOfAnotherType names the attribute and the types.
func TestSetupRefusesAnAttributeOfAnotherType(t *testing.T) {
	existing := map[string]enums.IndexedValueType{"DossierStatus": enums.INDEXED_VALUE_TYPE_TEXT, "Region": enums.INDEXED_VALUE_TYPE_KEYWORD}
	_, err := missingSearchAttributes(existing)
	require.ErrorContains(t, err, "search attribute DossierStatus is registered as Text, relance needs Keyword")

	missing, err := missingSearchAttributes(map[string]enums.IndexedValueType{"Region": enums.INDEXED_VALUE_TYPE_KEYWORD})
	require.NoError(t, err)
	require.Len(t, missing, len(workflows.SearchAttributes)-1)
	require.NotContains(t, missing, "Region")
	require.Equal(t, enums.INDEXED_VALUE_TYPE_DATETIME, missing["AwaitingSince"])
}
