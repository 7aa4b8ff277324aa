package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/relance/relance/api"
	"github.com/relance/relance/app"
	"github.com/relance/relance/models"
	"github.com/relance/relance/registry"
	"github.com/relance/relance/store"
)

func migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply database migrations, create missing envelopes and load the registry on first run",
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			st, err := app.PrepareStore(cmd.Context(), cfg.Database(), newLogger())
			if err != nil {
				return err
			}
			defer st.Close()
			fmt.Printf("database %s is up to date\n", st.Dialect())
			return nil
		},
	}
}

func importRegistryCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import-registry",
		Short: "Load the embedded registry of collectivités (" + registry.Source + "); safe to run again",
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			st, err := store.Open(cfg.Database())
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
  relance token --sub paul --role finance`,
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
	cmd.Flags().StringSliceVar(&roles, "role", nil, "role: applicant, instructor, jury, finance, admin (repeatable)")
	cmd.Flags().StringVar(&p.Siren, "siren", "", "SIREN the applicant acts for")
	cmd.Flags().StringSliceVar(&p.Departements, "departement", nil, "département an instructor covers, * for all (repeatable)")
	cmd.Flags().StringSliceVar(&p.Regions, "region", nil, "région (INSEE code) an instructor covers (repeatable)")
	cmd.Flags().DurationVar(&ttl, "ttl", 24*time.Hour, "validity")
	return cmd
}
