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
	root.AddCommand(devCmd(), apiCmd(), workerCmd(), migrateCmd(), importRegistryCmd(), importStructuresCmd(), tokenCmd())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "relance:", err)
		os.Exit(1)
	}
}

func newLogger() *slog.Logger {
	level := slog.LevelInfo
	if os.Getenv("LOG_LEVEL") == "debug" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func loadConfig() (config.Config, error) { return config.Load() }
