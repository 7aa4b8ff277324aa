// Command relance runs the case-management system of the "Transformation numérique des
// territoires" fund: `relance dev` runs everything in one process; `relance api` and
// `relance worker` are the production roles; the rest are admin commands.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/relance/relance/config"
)

func main() {
	root := &cobra.Command{
		Use:           "relance",
		Short:         "Case management for the « Transformation numérique des territoires » fund",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(devCmd(), apiCmd(), workerCmd(), temporalSetupCmd(), migrateCmd(), importRegistryCmd(), importStructuresCmd(), tokenCmd(), seedCmd())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "relance:", err)
		os.Exit(1)
	}
}

// newLogger logs to stderr at LOG_LEVEL, as text or, with LOG_FORMAT=json, as one JSON
// object a line for a log collector.
func newLogger(cfg config.Config) *slog.Logger {
	level, _ := cfg.SlogLevel() // checked by config.Load
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

func loadConfig() (config.Config, error) { return config.Load() }
