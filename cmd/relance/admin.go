package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/relance/relance/api"
	"github.com/relance/relance/app"
	"github.com/relance/relance/models"
	"github.com/relance/relance/registry"
	"github.com/relance/relance/store"
)

// preparedStore opens the configured database, migrated, with its envelopes and the
// registry (app.PrepareStore).
func preparedStore(ctx context.Context) (*store.Store, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	return app.PrepareStore(ctx, cfg.Database(), newLogger(cfg))
}

// openStore opens the configured database as it is.
func openStore() (*store.Store, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	return store.Open(cfg.Database())
}

func migrateCmd() *cobra.Command {
	up := func(cmd *cobra.Command, _ []string) error {
		st, err := preparedStore(cmd.Context())
		if err != nil {
			return err
		}
		defer st.Close()
		fmt.Printf("database %s is up to date\n", st.Dialect())
		return nil
	}
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations (same as migrate up)",
		Long: `Apply pending database migrations, create missing envelopes and load the registry on
first run. Runners started together take turns: on PostgreSQL they hold a session-level
advisory lock while migrating; the later ones wait, then find nothing left to do.`,
		Args: cobra.NoArgs,
		RunE: up,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "up",
		Short: "Apply pending database migrations, create missing envelopes and load the registry on first run",
		Args:  cobra.NoArgs,
		RunE:  up,
	}, &cobra.Command{
		Use:   "status",
		Short: "List the migrations: version, name, applied or pending, and when applied",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			migrations, err := st.Migrations(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "VERSION\tNAME\tSTATE\tAPPLIED AT")
			for _, m := range migrations {
				state, at := "pending", ""
				if m.Applied {
					state, at = "applied", m.AppliedAt.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", m.Version, m.Name, state, at)
			}
			return w.Flush()
		},
	})
	return cmd
}

func importRegistryCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import-registry",
		Short: "Load the embedded registry of collectivités (" + registry.Source + "); safe to run again",
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Migrate(cmd.Context()); err != nil {
				return err
			}
			err = app.ImportRegistry(cmd.Context(), st, func(done, total int) {
				fmt.Fprintf(os.Stderr, "\rimported %d/%d collectivités", done, total)
			})
			fmt.Fprintln(os.Stderr)
			return err
		},
	}
}

func tokenCmd() *cobra.Command {
	var (
		p     models.Principal
		roles []string
		ttl   time.Duration
	)
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Mint an HS256 bearer token signed with JWT_SECRET (development and tests)",
		Example: `  relance token --sub marie --name "Marie Dupont" --role applicant --siren 217500016
  relance token --sub paul --role finance
  relance token --sub prefet35 --role prefet --departement 35
  relance token --sub prefet53 --role prefet --region 53`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			for _, r := range roles {
				p.Roles = append(p.Roles, models.Role(r))
			}
			if err := p.Validate(); err != nil {
				return err
			}
			tok, err := api.NewAuthenticator(cfg.JWTSecret, cfg.JWTIssuer, "", cfg.JWTAudience).Mint(p, ttl)
			if err != nil {
				return err
			}
			fmt.Println(tok)
			return nil
		},
	}
	cmd.Flags().StringVar(&p.Subject, "sub", "", "subject (user id)")
	cmd.Flags().StringVar(&p.Name, "name", "", "display name")
	cmd.Flags().StringSliceVar(&roles, "role", nil, "role: applicant, instructor, prefet, jury, finance, admin (repeatable)")
	cmd.Flags().StringVar(&p.Siren, "siren", "", "SIREN the applicant acts for")
	cmd.Flags().StringSliceVar(&p.Departements, "departement", nil, "département an instructor (* for all) or a préfet de département covers (repeatable)")
	cmd.Flags().StringSliceVar(&p.Regions, "region", nil, "région (INSEE code) an instructor or a préfet de région covers (repeatable)")
	cmd.Flags().DurationVar(&ttl, "ttl", 24*time.Hour, "validity")
	return cmd
}
