package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// structuresRegistry is coverageRegistry with région 53 and département 35 (two communes).
func structuresRegistry() []models.Collectivite {
	return append(coverageRegistry(),
		models.Collectivite{Type: models.TypeRegion, Code: "53", Name: "Bretagne", Population: 267_000},
		models.Collectivite{Type: models.TypeDepartement, Code: "35", Name: "Ille-et-Vilaine", Region: "53", Population: 267_000})
}

func TestSaveStructure(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.ImportRegistry(ctx, structuresRegistry(), nil))

		dep := models.StructureEntry{Siren: "229000013", Name: "Département du Territoire de Belfort", LegalForm: "7220",
			Territory: models.Territory{Departements: []string{"90"}}}
		col, cov, err := st.SaveStructure(ctx, dep, "admin")
		require.NoError(t, err)
		require.Equal(t, models.TypeDepartement, col.Type)
		require.Equal(t, "90", col.Code)
		require.Equal(t, "Territoire de Belfort", col.Name, "the registry's name stays")
		require.Equal(t, "229000013", col.Siren)
		require.Equal(t, "7220", col.LegalForm)
		require.Equal(t, "90", col.Departement, "a département belongs to itself")
		require.Equal(t, "27", col.Region)
		require.EqualValues(t, 3_500, col.Population, "the sum of its communes")
		require.Equal(t, models.Coverage{Communes: 3, Population: 3_500, WholeDepartements: []string{"90"}, Departement: "90", Region: "27"}, cov)

		found, err := st.CollectiviteBySiren(ctx, "229000013")
		require.NoError(t, err)
		require.Equal(t, col, found, "the guichet finds the département by its SIREN")

		region := models.StructureEntry{Siren: "233500016", Name: "Région Bretagne", LegalForm: "7230", Territory: models.Territory{Regions: []string{"53"}}}
		col, cov, err = st.SaveStructure(ctx, region, "admin")
		require.NoError(t, err)
		require.Equal(t, models.TypeRegion, col.Type)
		require.Equal(t, "", col.Departement)
		require.Equal(t, "53", col.Region)
		require.EqualValues(t, 267_000, col.Population)
		require.Equal(t, 2, cov.Communes)

		// A PETR over the EPCI and a commune: the whole of département 90, counted once.
		petr := models.StructureEntry{Siren: "200079994", Name: "PETR du Territoire", LegalForm: "7357",
			Territory: models.Territory{EPCIs: []string{"249000001"}, Communes: []string{"90003", "90001"}}}
		col, cov, err = st.SaveStructure(ctx, petr, "admin")
		require.NoError(t, err)
		require.Equal(t, models.TypeStructure, col.Type)
		require.Equal(t, "200079994", col.Code)
		require.Equal(t, "PETR du Territoire", col.Name)
		require.EqualValues(t, 3_500, col.Population)
		require.Equal(t, "90", col.Departement)
		require.Equal(t, "27", col.Region)
		require.Equal(t, &petr.Territory, col.Territory)
		require.Equal(t, []string{"90"}, cov.WholeDepartements)
		found, err = st.CollectiviteBySiren(ctx, "200079994")
		require.NoError(t, err)
		require.Equal(t, col, found)

		// Saving again changes nothing; correcting the territory recomputes.
		again, _, err := st.SaveStructure(ctx, petr, "admin")
		require.NoError(t, err)
		require.Equal(t, col, again)
		petr.Territory = models.Territory{Communes: []string{"35238"}}
		col, cov, err = st.SaveStructure(ctx, petr, "admin")
		require.NoError(t, err)
		require.EqualValues(t, 220_000, col.Population)
		require.Equal(t, "35", col.Departement)
		require.Empty(t, cov.WholeDepartements)
		n, err := st.CountCollectivites(ctx)
		require.NoError(t, err)
		require.EqualValues(t, len(structuresRegistry())+1, n)

		// Each change is in the SIREN's trail with the entry before and after; saving the
		// same entry again wrote none.
		trail, err := st.AuditTrail(ctx, models.StructureTrailID("200079994"))
		require.NoError(t, err)
		require.Len(t, trail, 2)
		require.Equal(t, models.AuditStructureSaved, trail[1].Action)
		require.Equal(t, "admin", trail[1].Actor)
		require.JSONEq(t, `{"before":{"siren":"200079994","name":"PETR du Territoire","legal_form":"7357","communes":["90003","90001"],"epcis":["249000001"]},
			"after":{"siren":"200079994","name":"PETR du Territoire","legal_form":"7357","communes":["35238"]}}`, trail[1].Detail)
		require.Contains(t, trail[0].Detail, `"before":null`)

		// Re-importing the Etalab registry keeps the SIRENs it lacks.
		require.NoError(t, st.ImportRegistry(ctx, structuresRegistry(), nil))
		found, err = st.CollectiviteBySiren(ctx, "229000013")
		require.NoError(t, err)
		require.Equal(t, "90", found.Code)
		has, err := st.HasStructures(ctx)
		require.NoError(t, err)
		require.True(t, has)
	})
}

func TestSaveStructureRefusals(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.ImportRegistry(ctx, structuresRegistry(), nil))
		has, err := st.HasStructures(ctx)
		require.NoError(t, err)
		require.False(t, has)

		_, _, err = st.SaveStructure(ctx, models.StructureEntry{Siren: "200079994", Name: "SM", LegalForm: "7354",
			Territory: models.Territory{Communes: []string{"90001", "99999"}, EPCIs: []string{"200072452"}, Departements: []string{"90", "13"}, Regions: []string{"84"}}}, "admin")
		require.Equal(t, models.EInvalid, models.ErrorCode(err))
		var me *models.Error
		require.ErrorAs(t, err, &me)
		require.Equal(t, map[string]string{"communes": "unknown to the registry: 99999", "epcis": "unknown to the registry: 200072452",
			"departements": "unknown to the registry: 13", "regions": "unknown to the registry: 84"}, me.Fields)

		_, _, err = st.SaveStructure(ctx, models.StructureEntry{Siren: "221300015", Name: "BdR", LegalForm: "7220",
			Territory: models.Territory{Departements: []string{"13"}}}, "admin")
		require.ErrorAs(t, err, &me)
		require.Equal(t, map[string]string{"departements": "unknown to the registry: 13"}, me.Fields)

		_, _, err = st.SaveStructure(ctx, models.StructureEntry{Siren: "200079995", Name: "SM", LegalForm: "7354",
			Territory: models.Territory{Communes: []string{"90001"}}}, "admin")
		require.Equal(t, models.EInvalid, models.ErrorCode(err), "the Luhn key is checked")

		// A commune's SIREN stays the commune's.
		_, _, err = st.SaveStructure(ctx, models.StructureEntry{Siren: "213502388", Name: "SM", LegalForm: "7354",
			Territory: models.Territory{Communes: []string{"90002"}}}, "admin")
		require.Equal(t, models.EConflict, models.ErrorCode(err))

		// A SIREN given to the wrong département moves with the correction.
		_, _, err = st.SaveStructure(ctx, models.StructureEntry{Siren: "223500018", Name: "Ille-et-Vilaine", LegalForm: "7220",
			Territory: models.Territory{Departements: []string{"90"}}}, "admin")
		require.NoError(t, err)
		col, _, err := st.SaveStructure(ctx, models.StructureEntry{Siren: "223500018", Name: "Ille-et-Vilaine", LegalForm: "7220",
			Territory: models.Territory{Departements: []string{"35"}}}, "admin")
		require.NoError(t, err)
		require.Equal(t, "35", col.Code)
		found, err := st.SearchCollectivites(ctx, CollectiviteFilter{Type: models.TypeDepartement, Limit: 10})
		require.NoError(t, err)
		for _, d := range found {
			if d.Code == "90" {
				require.Empty(t, d.Siren, "département 90 gave the SIREN up")
			}
		}
	})
}

func TestCoveredCommunesOfDepartementsRegionsAndStructures(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.ImportRegistry(ctx, structuresRegistry(), nil))
		for _, e := range []models.StructureEntry{
			{Siren: "229000013", Name: "Belfort", LegalForm: "7220", Territory: models.Territory{Departements: []string{"90"}}},
			{Siren: "233500016", Name: "Bretagne", LegalForm: "7230", Territory: models.Territory{Regions: []string{"53"}}},
			{Siren: "130029994", Name: "GIP", LegalForm: "7410", Territory: models.Territory{Communes: []string{"90003", "35288"}}},
		} {
			_, _, err := st.SaveStructure(ctx, e, "admin")
			require.NoError(t, err)
		}
		counts, err := st.CommunesPerDepartement(ctx)
		require.NoError(t, err)

		covered, unknown, err := st.CoveredCommunes(ctx, []string{"229000013"})
		require.NoError(t, err)
		require.Empty(t, unknown)
		require.Equal(t, []string{"90001", "90002", "90003"}, codes(covered))
		e := models.CheckEligibility(covered, counts)
		require.True(t, e.Eligible, "a département alone covers a whole département")
		require.Equal(t, []string{"the applicant and its partners cover every commune of département 90"}, e.Reasons)

		covered, unknown, err = st.CoveredCommunes(ctx, []string{"213502388", "233500016", "130029994", "123456782"})
		require.NoError(t, err)
		require.Equal(t, []string{"123456782"}, unknown)
		require.Equal(t, []string{"35238", "35288", "90003"}, codes(covered), "a région its communes, a GIP its own, each once")

		// A commune with the département as partner: the département no longer makes it ineligible.
		covered, unknown, err = st.CoveredCommunes(ctx, []string{"213502388", "229000013"})
		require.NoError(t, err)
		require.Empty(t, unknown)
		require.True(t, models.CheckEligibility(covered, counts).Eligible)
	})
}
