package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/internal/testdb"
	"github.com/relance/relance/models"
	"github.com/relance/relance/registry"
	"github.com/relance/relance/store"
)

// registryStores returns stores holding the whole embedded registry: SQLite, and
// PostgreSQL when TEST_DATABASE_URL is set.
func registryStores(t *testing.T) map[string]*store.Store {
	t.Helper()
	out := map[string]*store.Store{"sqlite": registryStore(t, filepath.Join(t.TempDir(), "relance.db"))}
	if pg := testdb.PostgresURL(t); pg != "" {
		out["postgres"] = registryStore(t, pg)
	}
	return out
}

func registryStore(t *testing.T, url string) *store.Store {
	t.Helper()
	st, err := PrepareStore(context.Background(), url, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

func TestImportStructuresFixture(t *testing.T) {
	for name, st := range registryStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			before, err := st.CountCollectivites(ctx)
			require.NoError(t, err)
			var saved []StructureSaved
			require.NoError(t, ImportStructures(ctx, st, bytes.NewReader(registry.StructuresFixture), func(s StructureSaved) { saved = append(saved, s) }))
			require.Len(t, saved, 12)
			require.Equal(t, 12, saved[11].Done)
			require.Equal(t, 12, saved[11].Total)
			require.Equal(t, 7, saved[0].Line, "lines are counted in the file, comments included")

			bySiren := map[string]StructureSaved{}
			for _, s := range saved {
				bySiren[s.Entry.Siren] = s
			}
			bdr := bySiren["221300015"]
			require.Equal(t, models.TypeDepartement, bdr.Entry.Type)
			require.Equal(t, "13", bdr.Entry.Code)
			require.Equal(t, "13", bdr.Entry.Departement)
			require.Equal(t, []string{"13"}, bdr.Coverage.WholeDepartements)
			require.EqualValues(t, 2_087_658, bdr.Entry.Population, "the sum of its communes")

			megalis := bySiren["253514491"]
			require.Equal(t, models.TypeStructure, megalis.Entry.Type)
			require.Equal(t, []string{"22", "29", "35", "56"}, megalis.Coverage.WholeDepartements)
			bretagne := bySiren["233500016"]
			require.Equal(t, bretagne.Entry.Population, megalis.Entry.Population, "Mégalis covers the four départements of Bretagne")
			require.Equal(t, "35", megalis.Entry.Departement, "where most of its population lives")
			require.Equal(t, "53", megalis.Entry.Region)

			petr := bySiren["200079994"]
			require.EqualValues(t, 56_141+21_963, petr.Entry.Population, "its two EPCI's member communes")
			require.Empty(t, petr.Coverage.WholeDepartements)
			gip := bySiren["130029994"]
			require.EqualValues(t, 6_661+38_477+6_873, gip.Entry.Population)
			require.Equal(t, 3, gip.Coverage.Communes)
			corse := bySiren["200076958"]
			require.Equal(t, []string{"2A", "2B"}, corse.Coverage.WholeDepartements)

			after, err := st.CountCollectivites(ctx)
			require.NoError(t, err)
			require.Equal(t, before+4, after, "four structures added; départements and régions got their SIREN")

			// Importing again changes nothing.
			var again []StructureSaved
			require.NoError(t, ImportStructures(ctx, st, bytes.NewReader(registry.StructuresFixture), func(s StructureSaved) { again = append(again, s) }))
			require.Equal(t, saved, again)
			n, err := st.CountCollectivites(ctx)
			require.NoError(t, err)
			require.Equal(t, after, n)
			require.NoError(t, ImportStructuresFixture(ctx, st), "the demo's loader sees the structures and does nothing")
		})
	}
}

func TestImportStructuresErrorsNameLineAndColumn(t *testing.T) {
	st := registryStore(t, filepath.Join(t.TempDir(), "relance.db"))
	ctx := context.Background()
	file := `siren,name,legal_form,communes,epcis,departements,regions
221300015,Bouches-du-Rhône,7220,,,13,
253514492,Bad key,7355,,,35,
200079994,PETR,7999,1300,,,
221300015,Again,7220,,,13,
`
	err := ImportStructures(ctx, st, strings.NewReader(file), nil)
	require.Error(t, err)
	msg := err.Error()
	require.Contains(t, msg, "nothing imported")
	require.Contains(t, msg, "line 3, column siren: must be a SIREN (9 digits with a valid check digit)")
	require.Contains(t, msg, `line 4, column legal_form: "7999" is not an accepted INSEE legal form`)
	require.Contains(t, msg, `line 4, column communes: must be commune INSEE codes such as 35238 or 2A004, not "1300"`)
	require.Contains(t, msg, "line 5, column siren: SIREN 221300015 is already on line 2")
	_, err = st.CollectiviteBySiren(ctx, "221300015")
	require.Equal(t, models.ENotFound, models.ErrorCode(err), "a file with invalid lines writes nothing")

	// Codes the registry lacks stop the import at their line.
	file = `siren,name,legal_form,departements,communes
221300015,Bouches-du-Rhône,7220,13,
253514491,Mégalis,7355,"22;29;35;56;975",
`
	err = ImportStructures(ctx, st, strings.NewReader(file), nil)
	require.EqualError(t, err, "stopped at line 3, 1 of 2 entries imported:\nline 3, column departements: unknown to the registry: 975")
	_, err = st.CollectiviteBySiren(ctx, "221300015")
	require.NoError(t, err, "the lines before are saved")

	for _, tt := range []struct{ file, want string }{
		{"", "the file is empty"},
		{"siren,name\n", `the header line lacks the column "legal_form"`},
		{"siren,name,legal_form,population\n", `line 1: unknown column "population"`},
		{"siren,name,legal_form\n221300015,\"unterminated,7220\n", "line 2"},
		{"siren,name,legal_form\n221300015,BdR\n", "line 2"},
	} {
		err := ImportStructures(ctx, st, strings.NewReader(tt.file), nil)
		require.ErrorContains(t, err, tt.want, tt.file)
	}
}

func TestDemoLoadsTheFixtureOnce(t *testing.T) {
	st := registryStore(t, filepath.Join(t.TempDir(), "first.db"))
	ctx := context.Background()
	require.NoError(t, ImportStructuresFixture(ctx, st))
	d, err := st.CollectiviteBySiren(ctx, "221300015")
	require.NoError(t, err)
	require.Equal(t, "13", d.Code)

	// An administrator's own entries are left alone: the fixture is not loaded over them.
	st = registryStore(t, filepath.Join(t.TempDir(), "own.db"))
	_, _, err = st.SaveStructure(ctx, models.StructureEntry{Siren: "223500018", Name: "Ille-et-Vilaine", LegalForm: "7220",
		Territory: models.Territory{Departements: []string{"35"}}}, "admin")
	require.NoError(t, err)
	require.NoError(t, ImportStructuresFixture(ctx, st))
	_, err = st.CollectiviteBySiren(ctx, "221300015")
	require.Equal(t, models.ENotFound, models.ErrorCode(err))
}
