package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/relance/relance/workflows"
)

// searchAttributeArgs are the dev server's flags registering the search attributes the
// workflows declare: the same list `relance temporal-setup` registers on a cluster.
func searchAttributeArgs() []string {
	var args []string
	for _, sa := range workflows.SearchAttributes {
		args = append(args, "--search-attribute", sa.GetName()+"="+sa.GetValueType().String())
	}
	return args
}

// TemporalSetup is what SetupTemporal did.
type TemporalSetup struct {
	CreatedNamespace bool
	// Added are the search attributes registered now; the others were there already.
	Added []string
}

// namespaceWait bounds how long a namespace just created takes to be usable: the
// frontends refresh their namespace cache every few seconds.
const namespaceWait = 30 * time.Second

// SetupTemporal makes a cluster ready for relance through its operator service: the
// namespace, created with retention when missing (a Temporal Cloud namespace exists
// already), and the search attributes the workflows declare, added when missing; it
// returns once the frontend accepts them in a query, as it then does on a new workflow.
// Running it again changes nothing. A search attribute registered with another type is
// an error: the workflows would fail to upsert it.
func SetupTemporal(ctx context.Context, c client.Client, namespace string, retention time.Duration, logger *slog.Logger) (TemporalSetup, error) {
	var done TemporalSetup
	_, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	var notFound *serviceerror.NamespaceNotFound
	switch {
	case errors.As(err, &notFound):
		_, err = c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{Namespace: namespace,
			WorkflowExecutionRetentionPeriod: durationpb.New(retention)})
		var exists *serviceerror.NamespaceAlreadyExists
		if err != nil && !errors.As(err, &exists) { // another setup ran at the same time
			return done, fmt.Errorf("create namespace %s: %w", namespace, err)
		}
		if done.CreatedNamespace = err == nil; done.CreatedNamespace {
			logger.Info("namespace created", "namespace", namespace, "retention", retention)
		}
	case err != nil:
		return done, fmt.Errorf("describe namespace %s: %w", namespace, err)
	}

	deadline := time.Now().Add(namespaceWait)
	for {
		existing, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
		if err == nil {
			var missing map[string]enums.IndexedValueType
			if missing, err = missingSearchAttributes(existing.GetCustomAttributes()); err != nil {
				return done, err
			}
			if len(missing) == 0 {
				// Registered, but a frontend validates a workflow's attributes against its
				// namespace cache, which learns them seconds later: until then, starting a
				// dossier fails. Ready once a query naming them all is accepted.
				_, err = c.WorkflowService().CountWorkflowExecutions(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: namespace, Query: searchAttributesProbe()})
				if err == nil {
					return done, nil
				}
			} else {
				_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
				if err == nil {
					for name, typ := range missing {
						done.Added = append(done.Added, name)
						logger.Info("search attribute added", "namespace", namespace, "name", name, "type", typ.String())
					}
					slices.Sort(done.Added)
					continue
				}
			}
		}
		// A namespace just created is not known to every frontend yet; a concurrent setup
		// may have added an attribute between the list and the add: list again. A query the
		// frontend refuses names an attribute its cache does not know yet: ask again.
		var exists *serviceerror.AlreadyExists
		var unknown *serviceerror.InvalidArgument
		if !errors.As(err, &notFound) && !errors.As(err, &exists) && !errors.As(err, &unknown) || time.Now().After(deadline) {
			return done, fmt.Errorf("search attributes of namespace %s: %w", namespace, err)
		}
		select {
		case <-ctx.Done():
			return done, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// searchAttributesProbe is a visibility query naming every search attribute the
// workflows declare, with a value of its type.
func searchAttributesProbe() string {
	var terms []string
	for _, sa := range workflows.SearchAttributes {
		value := "''"
		switch sa.GetValueType() {
		case enums.INDEXED_VALUE_TYPE_DATETIME:
			value = "'1970-01-01T00:00:00Z'"
		case enums.INDEXED_VALUE_TYPE_INT, enums.INDEXED_VALUE_TYPE_DOUBLE:
			value = "0"
		case enums.INDEXED_VALUE_TYPE_BOOL:
			value = "false"
		}
		terms = append(terms, sa.GetName()+" = "+value)
	}
	return strings.Join(terms, " OR ")
}

// missingSearchAttributes returns the workflows' search attributes absent from existing,
// or an error naming one registered with another type.
func missingSearchAttributes(existing map[string]enums.IndexedValueType) (map[string]enums.IndexedValueType, error) {
	missing := map[string]enums.IndexedValueType{}
	for _, sa := range workflows.SearchAttributes {
		typ, ok := existing[sa.GetName()]
		switch {
		case !ok:
			missing[sa.GetName()] = sa.GetValueType()
		case typ != sa.GetValueType():
			return nil, fmt.Errorf("search attribute %s is registered as %s, relance needs %s: remove it (temporal operator search-attribute remove) and run the setup again",
				sa.GetName(), typ, sa.GetValueType())
		}
	}
	return missing, nil
}
