package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/relance/relance/api"
	"github.com/relance/relance/app"
	"github.com/relance/relance/config"
	"github.com/relance/relance/models"
)

func devCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "dev",
		Short: "Run everything in one process: Temporal dev server with UI, database, worker and API",
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			return runDev(cmd.Context(), cfg, newLogger(cfg))
		},
	}
}

func runDev(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	cli, err := app.FindTemporalCLI(cfg.TemporalCLI)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return err
	}
	temporalLog, err := os.OpenFile(filepath.Join(cfg.DataDir, "temporal.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer temporalLog.Close()
	st, err := app.PrepareStore(ctx, cfg.Database(), logger)
	if err != nil {
		return err
	}
	defer st.Close()
	// One process, one registry: the API's /metrics serves the worker's metrics too.
	reg, handler, stopMetrics := app.NewMetrics(st, logger)
	defer stopMetrics.Close()
	logger.Info("starting the Temporal dev server", "cli", cli, "history", filepath.Join(cfg.DataDir, "temporal.db"))
	dev, err := app.StartDevTemporal(ctx, app.DevTemporal{CLI: cli, HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace,
		DBFile: filepath.Join(cfg.DataDir, "temporal.db"), UIPort: cfg.TemporalUIPort, Log: temporalLog, MetricsHandler: handler}, logger)
	if err != nil {
		return fmt.Errorf("start Temporal dev server: %w", err)
	}
	defer func() {
		if err := dev.Stop(); err != nil {
			logger.Debug("temporal dev server stopped", "err", err)
		}
	}()
	tc := dev.Client()

	// The demo's départements, régions and structures; a real deployment imports the administrator's file.
	if err := app.ImportStructuresFixture(ctx, st); err != nil {
		return fmt.Errorf("load the demo's structures: %w", err)
	}

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	srv := app.NewAPIServer(cfg, st, tc, logger)
	srv.Metrics = reg
	// The workspace's sign-in page lists the demo's people; sessions are signed with the
	// development secret.
	people := make([]models.Principal, len(demoPrincipals))
	for i, d := range demoPrincipals {
		people[i] = d.p
	}
	if err := app.AttachWorkspace(ctx, cfg, srv, logger, people); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	sender, err := app.NewSender(cfg, logger)
	if err != nil {
		return err
	}
	g.Go(func() error { return app.RunWorker(gctx, cfg, tc, st, sender, logger) })
	g.Go(func() error { return app.Serve(gctx, ln, srv) })

	apiURL := "http://" + hostPort(ln.Addr())
	tokens, err := demoTokens(srv.Auth)
	if err != nil {
		return err
	}
	if err := seedDemo(gctx, apiURL, tokens, st); err != nil {
		logger.Warn("demo data not loaded", "err", err)
	}
	printBanner(cfg, apiURL, tokens, st.Dialect())
	err = g.Wait()
	logger.Info("relance stopped")
	return err
}

func hostPort(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if ok && tcp.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return a.String()
}

// demoPrincipals are the people of the demo, acting for real collectivités of the registry
// and of the structures fixture.
var demoPrincipals = []struct {
	env, label string
	p          models.Principal
}{
	{"APPLICANT", "applicant (Ville de Paris)", models.Principal{Subject: "agent.paris", Name: "Agent de la Ville de Paris", Roles: []models.Role{models.RoleApplicant}, Siren: "217500016"}},
	{"APPLICANT_RENNES", "applicant (Ville de Rennes)", models.Principal{Subject: "agent.rennes", Name: "Agent de la Ville de Rennes", Roles: []models.Role{models.RoleApplicant}, Siren: "213502388"}},
	{"INSTRUCTOR", "instructor (DINUM, national)", models.Principal{Subject: "instructeur.dinum", Name: "Instructeur DINUM", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}}},
	{"APPLICANT_MARSEILLE", "applicant (Ville de Marseille)", models.Principal{Subject: "agent.marseille", Name: "Agent de la Ville de Marseille", Roles: []models.Role{models.RoleApplicant}, Siren: "211300553"}},
	{"APPLICANT_LYON", "applicant (Ville de Lyon)", models.Principal{Subject: "agent.lyon", Name: "Agent de la Ville de Lyon", Roles: []models.Role{models.RoleApplicant}, Siren: "216901231"}},
	{"APPLICANT_BDR", "applicant (Département des Bouches-du-Rhône, from the structures fixture)", models.Principal{Subject: "agent.cd13", Name: "Agent du Département des Bouches-du-Rhône", Roles: []models.Role{models.RoleApplicant}, Siren: "221300015"}},
	{"JURY_CHAIR", "jury chair (State)", models.Principal{Subject: "presidente.dinum", Name: "Présidente du jury (DINUM)", Roles: []models.Role{models.RoleJury}}},
	{"JURY_AMF", "jury member (AMF)", models.Principal{Subject: "jure.amf", Name: "Juré — Association des maires de France", Roles: []models.Role{models.RoleJury}}},
	{"JURY_ADF", "jury member (ADF)", models.Principal{Subject: "jure.adf", Name: "Juré — Départements de France", Roles: []models.Role{models.RoleJury}}},
	{"INSTRUCTOR_35", "prefecture instructor (Ille-et-Vilaine)", models.Principal{Subject: "instructrice.pref35", Name: "Instructrice, préfecture d'Ille-et-Vilaine", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}}},
	{"PREFET_35", "préfet de département (Ille-et-Vilaine)", models.Principal{Subject: "prefet.35", Name: "Préfet d'Ille-et-Vilaine", Roles: []models.Role{models.RolePrefet}, Departements: []string{"35"}}},
	{"PREFET_BRETAGNE", "préfet de région (Bretagne)", models.Principal{Subject: "prefet.53", Name: "Préfet de la région Bretagne", Roles: []models.Role{models.RolePrefet}, Regions: []string{"53"}}},
	{"APPLICANT_RENNES_METROPOLE", "applicant (Rennes Métropole)", models.Principal{Subject: "agent.rennesmetropole", Name: "Agent de Rennes Métropole", Roles: []models.Role{models.RoleApplicant}, Siren: "243500139"}},
	{"APPLICANT_SAINT_MALO", "applicant (Ville de Saint-Malo)", models.Principal{Subject: "agent.saintmalo", Name: "Agent de la Ville de Saint-Malo", Roles: []models.Role{models.RoleApplicant}, Siren: "213502883"}},
	{"APPLICANT_FOUGERES", "applicant (Ville de Fougères)", models.Principal{Subject: "agent.fougeres", Name: "Agent de la Ville de Fougères", Roles: []models.Role{models.RoleApplicant}, Siren: "213501158"}},
	{"APPLICANT_VITRE", "applicant (Ville de Vitré)", models.Principal{Subject: "agent.vitre", Name: "Agent de la Ville de Vitré", Roles: []models.Role{models.RoleApplicant}, Siren: "213503600"}},
	{"FINANCE", "finance officer", models.Principal{Subject: "finance.anct", Name: "Gestionnaire financier", Roles: []models.Role{models.RoleFinance}}},
	{"ADMIN", "administrator", models.Principal{Subject: "admin", Name: "Administrateur", Roles: []models.Role{models.RoleAdmin}}},
	{"INSTRUCTOR_ANCT", "ANCT instructor (Axe 1, national)", models.Principal{Subject: "instructrice.anct", Name: "Instructrice ANCT (Axe 1)", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}}},
	{"COMMITTEE_CHAIR", "committee chair (ANCT)", models.Principal{Subject: "comite.anct", Name: "Présidente du comité (ANCT)", Roles: []models.Role{models.RoleJury}}},
	{"COMMITTEE_AMF", "committee member (AMF)", models.Principal{Subject: "comite.amf", Name: "Membre du comité — AMF", Roles: []models.Role{models.RoleJury}}},
	{"COMMITTEE_DINUM", "committee member (DINUM)", models.Principal{Subject: "comite.dinum", Name: "Membre du comité — DINUM", Roles: []models.Role{models.RoleJury}}},
	{"PARTNER", "partner (an association, not in the registry)", models.Principal{Subject: "partenaire.asso", Name: "Partenaire — Association Numérique en commun", Roles: []models.Role{models.RolePartner}, Siren: "775672272"}},
}

type demoToken struct{ env, label, token string }

func demoTokens(auth *api.Authenticator) ([]demoToken, error) {
	out := make([]demoToken, len(demoPrincipals))
	for i, d := range demoPrincipals {
		tok, err := auth.Mint(d.p, 30*24*time.Hour)
		if err != nil {
			return nil, err
		}
		out[i] = demoToken{d.env, d.label, tok}
	}
	return out, nil
}

func printBanner(cfg config.Config, apiURL string, tokens []demoToken, dialect string) {
	fmt.Printf(`
relance is running (Ctrl-C to stop; data kept in %s, database: %s)

  Workspace    %s/   (sign in as any demo person)
  API          %s/api/v1   (OpenAPI: %s/api/v1/openapi.yaml)
  Metrics      %s/metrics   (API and worker)
  Temporal UI  http://localhost:%d
  Temporal     %s, namespace %s

Demo tokens (valid 30 days):
`, cfg.DataDir, dialect, apiURL, apiURL, apiURL, apiURL, cfg.TemporalUIPort, cfg.TemporalAddress, cfg.TemporalNamespace)
	for _, t := range tokens {
		fmt.Printf("  # %s\n  export %s=%s\n", t.label, t.env, t.token)
	}
	fmt.Println()
}
