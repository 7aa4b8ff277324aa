package main

import (
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"github.com/relance/relance/app"
	"github.com/relance/relance/config"
	"github.com/relance/relance/worker"
	"github.com/relance/relance/workflows"
)

func apiCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "api",
		Short: "Serve the HTTP API against an external Temporal and database",
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			logger := newLogger()
			if cfg.JWTSecret == config.DevJWTSecret && cfg.JWKSURL == "" {
				logger.Warn("JWT_SECRET is the development secret: set it, or JWT_ISSUER and JWKS_URL, in production")
			}
			st, err := app.PrepareStore(cmd.Context(), cfg.Database(), logger)
			if err != nil {
				return err
			}
			defer st.Close()
			tc, err := worker.Dial(cfg, logger)
			if err != nil {
				return fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
			}
			defer tc.Close()
			ln, err := net.Listen("tcp", cfg.HTTPAddr)
			if err != nil {
				return err
			}
			logger.Info("API listening", "addr", ln.Addr().String())
			return app.Serve(cmd.Context(), ln, app.NewAPIServer(cfg, st, tc, logger))
		},
	}
}

func workerCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "Run the Temporal worker for the dossier workflows",
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			logger := newLogger()
			st, err := app.PrepareStore(cmd.Context(), cfg.Database(), logger)
			if err != nil {
				return err
			}
			defer st.Close()
			tc, err := worker.Dial(cfg, logger)
			if err != nil {
				return fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
			}
			defer tc.Close()
			logger.Info("worker polling", "task_queue", workflows.TaskQueue)
			sender, err := app.NewSender(cfg, logger)
			if err != nil {
				return err
			}
			return app.RunWorker(cmd.Context(), tc, st, sender, logger)
		},
	}
}
