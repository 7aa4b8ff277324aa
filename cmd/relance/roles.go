package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"

	"github.com/relance/relance/app"
	"github.com/relance/relance/config"
	"github.com/relance/relance/metrics"
	"github.com/relance/relance/store"
	"github.com/relance/relance/worker"
	"github.com/relance/relance/workflows"
)

// role is what a production role needs: its settings, the database, a Temporal client and
// the registry of its metrics.
type role struct {
	cfg     config.Config
	logger  *slog.Logger
	store   *store.Store
	tc      client.Client
	metrics *prometheus.Registry
}

// connect prepares a production role; close releases what it opened. The business gauges
// are the API's (the workers would only repeat them).
func connect(ctx context.Context, business bool) (r role, close func(), err error) {
	if r.cfg, err = loadConfig(); err != nil {
		return r, nil, err
	}
	r.logger = newLogger(r.cfg)
	if r.store, err = app.PrepareStore(ctx, r.cfg.Database(), r.logger); err != nil {
		return r, nil, err
	}
	gauges := r.store
	if !business {
		gauges = nil
	}
	reg, handler, stopMetrics := app.NewMetrics(gauges, r.logger)
	r.metrics = reg
	if r.tc, err = worker.Dial(r.cfg, r.logger, handler); err != nil {
		r.store.Close()
		return r, nil, fmt.Errorf("connect to Temporal at %s: %w", r.cfg.TemporalAddress, err)
	}
	return r, func() { r.tc.Close(); _ = stopMetrics.Close(); r.store.Close() }, nil
}

func apiCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "api",
		Short: "Serve the HTTP API against an external Temporal and database",
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, closeAll, err := connect(cmd.Context(), true)
			if err != nil {
				return err
			}
			defer closeAll()
			if r.cfg.JWTSecret == config.DevJWTSecret && r.cfg.JWKSURL == "" {
				// Anyone can read the development secret and mint an administrator's token.
				return fmt.Errorf("JWT_SECRET is the public development secret: set your own, or JWT_ISSUER and JWKS_URL")
			}
			ln, err := net.Listen("tcp", r.cfg.HTTPAddr)
			if err != nil {
				return err
			}
			r.logger.Info("API listening", "addr", ln.Addr().String())
			srv := app.NewAPIServer(r.cfg, r.store, r.tc, r.logger)
			srv.Metrics = r.metrics
			if r.cfg.OIDCIssuer != "" {
				if err := app.AttachWorkspace(cmd.Context(), r.cfg, srv, r.logger, nil); err != nil {
					return err
				}
			}
			return app.Serve(cmd.Context(), ln, srv)
		},
	}
}

func workerCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "Run the Temporal worker for the dossier workflows, and the reminders' outbox; serve its /metrics on METRICS_ADDR",
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, closeAll, err := connect(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer closeAll()
			sender, err := app.NewSender(r.cfg, r.logger)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", r.cfg.MetricsAddr)
			if err != nil {
				return fmt.Errorf("METRICS_ADDR: %w", err)
			}
			r.logger.Info("worker polling", "task_queue", workflows.TaskQueue, "metrics", ln.Addr().String())
			g, gctx := errgroup.WithContext(cmd.Context())
			g.Go(func() error { return metrics.Serve(gctx, ln, r.metrics) })
			g.Go(func() error { return app.RunWorker(gctx, r.cfg, r.tc, r.store, sender, r.logger) })
			return g.Wait()
		},
	}
}
