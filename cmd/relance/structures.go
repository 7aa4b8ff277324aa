package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/relance/relance/app"
	"github.com/relance/relance/models"
)

func importStructuresCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import-structures FILE.csv",
		Short: "Add départements' and régions' SIRENs and the structures (syndicats mixtes, GIP, SPL, PETR...) the registry lacks; safe to run again",
		Long: `Reads a CSV file with a header line naming its columns (any order; lines starting with # are ignored):

  siren         the SIREN (9 digits with a valid Luhn key); an entry is upserted by SIREN
  name          the structure's name (départements and régions keep the registry's)
  legal_form    the INSEE catégorie juridique, one of:
` + legalFormList() + `
  communes      INSEE codes of the communes covered, separated by ";"
  epcis         SIRENs of the EPCI covered (each covers its member communes)
  departements  codes of the départements covered (each covers all its communes)
  regions       codes of the régions covered

A département (7220) names its own code alone in departements, a région (7230) in regions:
the row gives the registry's entry its SIREN. A structure's population and whole
départements are computed from the communes it covers, each counted once.
Every line is checked before anything is written; an error names its line and column.
The database is migrated and the Etalab registry loaded first if it holds none.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			st, err := app.PrepareStore(cmd.Context(), cfg.Database(), newLogger(cfg))
			if err != nil {
				return err
			}
			defer st.Close()
			return app.ImportStructures(cmd.Context(), st, f, func(s app.StructureSaved) {
				printSaved(cmd.OutOrStdout(), s)
			})
		},
	}
}

func legalFormList() string {
	var b strings.Builder
	for _, f := range models.LegalForms {
		fmt.Fprintf(&b, "                  %s  %s\n", f.Code, f.Label)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// printSaved says what one line became, as "[3/12] line 4: 221300015 Bouches-du-Rhône ...".
func printSaved(w io.Writer, s app.StructureSaved) {
	whole := "no whole département"
	if n := len(s.Coverage.WholeDepartements); n > 0 {
		whole = "whole département(s) " + strings.Join(s.Coverage.WholeDepartements, ", ")
	}
	fmt.Fprintf(w, "[%d/%d] line %d: %s %s (%s, %s): %d communes, %d inhabitants, %s\n",
		s.Done, s.Total, s.Line, s.Entry.Siren, s.Entry.Name, s.Entry.Type, legalFormLabel(s.Entry.LegalForm),
		s.Coverage.Communes, s.Coverage.Population, whole)
}

func legalFormLabel(code string) string {
	f, _ := models.LegalFormOf(code)
	return f.Label
}
