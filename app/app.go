// Package app assembles relance's pieces (database, Temporal, worker, HTTP API) for the
// command line and for the end-to-end tests, so both run the same wiring.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/api"
	"github.com/relance/relance/config"
	"github.com/relance/relance/filing"
	"github.com/relance/relance/metrics"
	"github.com/relance/relance/models"
	"github.com/relance/relance/notify"
	"github.com/relance/relance/registry"
	"github.com/relance/relance/store"
	"github.com/relance/relance/web"
	"github.com/relance/relance/worker"
	"github.com/relance/relance/workflows"
)

// PrepareStore opens the database, migrates it, creates missing envelopes and loads the
// registry on first start. Roles starting together take turns (see store.Migrate): the
// later ones wait for the first, then find nothing left to do.
func PrepareStore(ctx context.Context, databaseURL string, logger *slog.Logger) (*store.Store, error) {
	st, err := store.Open(databaseURL)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := st.Exclusively(ctx, "setup", func(ctx context.Context) error { return loadFirstData(ctx, st, logger) }); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// loadFirstData creates missing envelopes and loads the registry into an empty database.
func loadFirstData(ctx context.Context, st *store.Store, logger *slog.Logger) error {
	if err := st.SeedEnvelopes(ctx, models.DefaultEnvelopes()); err != nil {
		return fmt.Errorf("seed envelopes: %w", err)
	}
	n, err := st.CountCollectivites(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		logger.Info("loading the registry of collectivités", "source", registry.Source)
		return ImportRegistry(ctx, st, nil)
	}
	return nil
}

// ImportRegistry loads the embedded registry into the database (idempotent).
func ImportRegistry(ctx context.Context, st *store.Store, progress func(done, total int)) error {
	all, err := registry.Load()
	if err != nil {
		return fmt.Errorf("read embedded registry: %w", err)
	}
	if err := st.ImportRegistry(ctx, all, progress); err != nil {
		return fmt.Errorf("import registry: %w", err)
	}
	return nil
}

// FindTemporalCLI returns the temporal binary to run: the configured one, the one on
// PATH, or the one `make` installs into ./bin.
func FindTemporalCLI(configured string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	if p, err := exec.LookPath("temporal"); err == nil {
		return p, nil
	}
	for _, p := range []string{"bin/temporal", "../bin/temporal"} {
		if abs, err := filepath.Abs(p); err == nil {
			if _, err := os.Stat(abs); err == nil {
				return abs, nil
			}
		}
	}
	return "", errors.New("no temporal CLI found: run `make temporal` (installs it into ./bin) or set TEMPORAL_CLI")
}

// DevTemporal is how to run the embedded Temporal dev server.
type DevTemporal struct {
	CLI       string
	HostPort  string // "" picks a free port
	Namespace string
	DBFile    string // "" keeps history in memory
	UIPort    int    // 0 runs headless
	Log       io.Writer
	// MetricsHandler receives the client's SDK metrics (nil: none).
	MetricsHandler client.MetricsHandler
}

// StartDevTemporal runs the Temporal CLI's dev server with relance's search attributes
// registered. SQLite in WAL mode with more shard I/O concurrency doubles its throughput
// over the defaults on a small machine.
func StartDevTemporal(ctx context.Context, d DevTemporal, logger *slog.Logger) (*testsuite.DevServer, error) {
	args := append([]string{
		"--sqlite-pragma", "journal_mode=WAL", "--sqlite-pragma", "synchronous=NORMAL",
		"--dynamic-config-value", "history.shardIOConcurrency=8",
	}, searchAttributeArgs()...)
	opts := testsuite.DevServerOptions{
		ExistingPath: d.CLI,
		ClientOptions: &client.Options{HostPort: d.HostPort, Namespace: d.Namespace, Logger: log.NewStructuredLogger(logger),
			MetricsHandler: d.MetricsHandler},
		DBFilename: d.DBFile,
		LogLevel:   "warn",
		ExtraArgs:  args,
		Stdout:     d.Log,
		Stderr:     d.Log,
	}
	if d.UIPort > 0 {
		opts.EnableUI, opts.UIPort = true, strconv.Itoa(d.UIPort)
	}
	if d.DBFile != "" {
		if err := os.MkdirAll(filepath.Dir(d.DBFile), 0o755); err != nil {
			return nil, err
		}
	}
	return testsuite.StartDevServer(ctx, opts)
}

// NewFiling returns the application layer (every act of the API and the pages) over st and tc.
func NewFiling(cfg config.Config, st *store.Store, tc client.Client, logger *slog.Logger) *filing.Service {
	return &filing.Service{
		Store: st, Temporal: tc, Logger: logger, Namespace: cfg.TemporalNamespace,
		Timeout:         cfg.TemporalTimeout,
		AmendWindow:     cfg.GuichetAmendWindow,
		GuichetClosesAt: cfg.GuichetClosesAt,
		Deadlines: workflows.Deadlines{Preselection: cfg.DuePreselection, InfoAnswer: cfg.DueInfoAnswer, JuryVote: cfg.DueJuryVote,
			Signature: cfg.DueSignature, Disbursement: cfg.DueDisbursement, ReminderLead: cfg.ReminderLead},
		Prefectoral: workflows.PrefectoralSettings{LabOnly: cfg.Axe3LabOnly, AdvanceSharePercent: cfg.Axe3AdvanceSharePercent,
			Completion: cfg.Axe3Completion},
	}
}

// NewReconciler returns the worker's reconciler, which starts the process of any dossier
// whose filing was interrupted.
func NewReconciler(cfg config.Config, st *store.Store, tc client.Client, logger *slog.Logger) *filing.Reconciler {
	return &filing.Reconciler{Service: NewFiling(cfg, st, tc, logger), Period: cfg.ReconcilePeriod, Grace: cfg.ReconcileGrace,
		Batch: cfg.ReconcileBatch}
}

// NewMetrics returns the registry a process serves on /metrics, with the business gauges
// of st when st is not nil, and the handler through which a Temporal client writes the
// SDK's metrics into it; close the closer after the client.
func NewMetrics(st *store.Store, logger *slog.Logger) (*prometheus.Registry, client.MetricsHandler, io.Closer) {
	reg := metrics.NewRegistry()
	if st != nil {
		reg.MustRegister(metrics.NewBusiness(st, metrics.BusinessTTL, logger))
	}
	handler, closer := metrics.NewTemporalHandler(reg, logger)
	return reg, handler, closer
}

// NewAPIServer returns the HTTP API over st and tc.
func NewAPIServer(cfg config.Config, st *store.Store, tc client.Client, logger *slog.Logger) *api.Server {
	return &api.Server{
		Store: st, Temporal: tc, Logger: logger,
		Auth:            api.NewAuthenticator(cfg.JWTSecret, cfg.JWTIssuer, cfg.JWKSURL, cfg.JWTAudience),
		TemporalTimeout: cfg.TemporalTimeout,
		Filing:          NewFiling(cfg, st, tc, logger),
		Stuck: &filing.StuckFinder{Store: st, Temporal: tc, Namespace: cfg.TemporalNamespace, UIURL: cfg.TemporalUIURL,
			Grace: cfg.StuckGrace},
	}
}

// AttachWorkspace adds the workspace's pages to srv. With development identities (`relance
// dev`), its sign-in page lists them and sessions are signed with the development secret
// over plain HTTP; otherwise people sign in through the OIDC provider of cfg, with session
// cookies signed by SESSION_SECRET and sent over HTTPS only.
func AttachWorkspace(ctx context.Context, cfg config.Config, srv *api.Server, logger *slog.Logger, devIdentities []models.Principal) error {
	dev := len(devIdentities) > 0
	secret := cfg.SessionSecret
	if dev && secret == "" {
		secret = cfg.JWTSecret
	}
	pages, err := web.New(srv, web.NewSessions(secret, 8*time.Hour, !dev), logger)
	if err != nil {
		return err
	}
	pages.DevIdentities = devIdentities
	if dev {
		pages.TemporalUI = fmt.Sprintf("http://localhost:%d/namespaces/%s", cfg.TemporalUIPort, cfg.TemporalNamespace)
	}
	if cfg.OIDCIssuer != "" {
		if pages.OIDC, err = web.NewOIDC(ctx, cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret, cfg.OIDCRedirectURL); err != nil {
			return err
		}
	}
	srv.Pages = pages.Register
	return nil
}

// Serve runs the HTTP API on ln until ctx ends, then drains in-flight requests.
func Serve(ctx context.Context, ln net.Listener, srv *api.Server) error {
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return hs.Shutdown(shutdownCtx)
	}
}

// NewWorker returns a worker running relance's workflows and activities over st.
func NewWorker(cfg config.Config, tc client.Client, st *store.Store) sdkworker.Worker {
	return worker.New(tc, &activities.Activities{Store: st, Temporal: tc}, cfg.WorkerWorkflowPollers)
}

// RunWorker runs the worker, the outbox's dispatcher, which delivers reminders and
// escalations through sender, and the filing reconciler, until ctx ends.
func RunWorker(ctx context.Context, cfg config.Config, tc client.Client, st *store.Store, sender notify.Sender, logger *slog.Logger) error {
	// The SDK sizes its process-wide cache when the first worker starts: set it before.
	if cfg.WorkerStickyCacheSize > 0 {
		sdkworker.SetStickyWorkflowCacheSize(cfg.WorkerStickyCacheSize)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		notify.Dispatch(ctx, st, sender, 5*time.Second, logger)
	}()
	go func() {
		defer wg.Done()
		NewReconciler(cfg, st, tc, logger).Run(ctx)
	}()
	err := NewWorker(cfg, tc, st).Run(InterruptOn(ctx))
	wg.Wait()
	return err
}

// NewSender returns the notification sender the configuration asks for: SMTP when a relay
// is set, the log otherwise.
func NewSender(cfg config.Config, logger *slog.Logger) (notify.Sender, error) {
	if cfg.NotifySMTPAddr == "" {
		return notify.LogSender{Logger: logger}, nil
	}
	if err := notify.HostPort(cfg.NotifySMTPAddr); err != nil {
		return nil, fmt.Errorf("NOTIFY_SMTP_ADDR: %w", err)
	}
	boxes, err := notify.ParseRoleMailboxes(cfg.NotifyRoleMailboxes)
	if err != nil {
		return nil, fmt.Errorf("NOTIFY_ROLE_MAILBOXES: %w", err)
	}
	return notify.SMTPSender{Addr: cfg.NotifySMTPAddr, From: cfg.NotifyFrom, RoleMailboxes: boxes}, nil
}

// InterruptOn adapts a context to the channel a Temporal worker stops on.
func InterruptOn(ctx context.Context) <-chan any {
	ch := make(chan any)
	go func() {
		<-ctx.Done()
		close(ch)
	}()
	return ch
}
