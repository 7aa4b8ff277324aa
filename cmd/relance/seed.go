package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/relance/relance/internal/seed"
	"github.com/relance/relance/models"
)

// seedSafetyFlag must be given for seed to write anything.
const seedSafetyFlag = "i-know-this-is-not-production"

func seedCmd() *cobra.Command {
	var (
		dossiers int
		seedVal  uint64
		notProd  bool
	)
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Fill a test database with seeded dossiers, tasks and audit events, to measure the read path at scale",
		Long: `Seed creates realistic dossiers (guichet and call-for-projects, over every département,
in every status, applicants from the registry), about three tasks each (open, claimed, done;
some overdue) and their audit events, in batched multi-row INSERTs.

Seeded rows are labelled: dossiers are created by "seed", their audit events are by "seed",
applications are titled "[seed] ...". They have no workflow: they are for reading.

Two locks keep it away from production: it refuses to run without --` + seedSafetyFlag + `,
and it refuses any database that holds a dossier it did not seed. Run it again to add more.`,
		Example: `  DATABASE_URL=postgres://localhost/relance_bench relance seed --dossiers 100000 --` + seedSafetyFlag,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !notProd {
				return models.Errorf(models.EInvalid, "seed writes fake dossiers: pass --%s to confirm this database is not production's", seedSafetyFlag)
			}
			st, err := preparedStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			start := time.Now()
			res, err := seed.Run(cmd.Context(), st, seed.Options{Dossiers: dossiers, Seed: seedVal,
				Progress: func(done, total int) { fmt.Fprintf(os.Stderr, "\rseeded %d/%d dossiers", done, total) }})
			fmt.Fprintln(os.Stderr)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "seeded %d dossiers, %d tasks, %d audit events in %s\n",
				res.Dossiers, res.Tasks, res.Events, time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().IntVar(&dossiers, "dossiers", 1000, "number of dossiers to create")
	cmd.Flags().Uint64Var(&seedVal, "seed", 1, "random seed (the same seed gives the same dossiers)")
	cmd.Flags().BoolVar(&notProd, seedSafetyFlag, false, "confirm the database is a test or benchmark database")
	return cmd
}
