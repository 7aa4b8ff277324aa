package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/relance/relance/app"
	"github.com/relance/relance/config"
	"github.com/relance/relance/worker"
)

func temporalSetupCmd() *cobra.Command {
	var retention, wait time.Duration
	cmd := &cobra.Command{
		Use:   "temporal-setup",
		Short: "Create the Temporal namespace if missing and register the search attributes the workflows declare (re-runnable)",
		Long: `Prepare a Temporal cluster for relance through its operator service, at TEMPORAL_ADDRESS
(with the TLS or API key settings): create TEMPORAL_NAMESPACE when it does not exist, then
register every search attribute the workflows declare that is missing, and return once
the cluster accepts them (its frontends learn them a few seconds late). Running it again
changes nothing; an attribute registered with another type is an error. It waits up to
--wait for the cluster to answer, so a deployment can run it as the server starts.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			logger := newLogger(cfg)
			ctx, cancel := context.WithTimeout(cmd.Context(), wait+time.Minute)
			defer cancel()
			tc, err := dialWithin(ctx, cfg, logger, wait)
			if err != nil {
				return err
			}
			defer tc.Close()
			done, err := app.SetupTemporal(ctx, tc, cfg.TemporalNamespace, retention, logger)
			if err != nil {
				return err
			}
			added := "none (all registered already)"
			if len(done.Added) > 0 {
				added = strings.Join(done.Added, ", ")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "namespace %s ready on %s; search attributes added: %s\n", cfg.TemporalNamespace, cfg.TemporalAddress, added)
			return nil
		},
	}
	cmd.Flags().DurationVar(&retention, "retention", 30*24*time.Hour, "retention of closed workflows, for a namespace this creates")
	cmd.Flags().DurationVar(&wait, "wait", 2*time.Minute, "how long to wait for the cluster to answer")
	return cmd
}

// dialWithin connects to Temporal, trying again until wait has passed (the server may
// still be starting).
func dialWithin(ctx context.Context, cfg config.Config, logger *slog.Logger, wait time.Duration) (client.Client, error) {
	deadline := time.Now().Add(wait)
	for {
		tc, err := worker.Dial(cfg, logger, nil)
		if err == nil {
			return tc, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}
