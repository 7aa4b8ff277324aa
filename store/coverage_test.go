package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// coverageRegistry is a tiny registry: département 90 has three communes, two of them in
// one EPCI; département 35 has two communes.
func coverageRegistry() []models.Collectivite {
	return []models.Collectivite{
		{Type: models.TypeRegion, Code: "27", Name: "Bourgogne-Franche-Comté", Population: 2_800_000},
		{Type: models.TypeDepartement, Code: "90", Name: "Territoire de Belfort", Region: "27", Population: 3_500},
		{Type: models.TypeCommune, Code: "90001", Siren: "219000011", Name: "Aaa", Departement: "90", Region: "27", Population: 1_000},
		{Type: models.TypeCommune, Code: "90002", Siren: "219000029", Name: "Bbb", Departement: "90", Region: "27", Population: 2_000},
		{Type: models.TypeCommune, Code: "90003", Siren: "219000037", Name: "Ccc", Departement: "90", Region: "27", Population: 500},
		{Type: models.TypeEPCI, Code: "249000001", Siren: "249000001", Name: "CC Aaa-Bbb", Departement: "90", Region: "27",
			Population: 3_000, Members: []string{"219000011", "219000029"}},
		{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Name: "Rennes", Departement: "35", Region: "53", Population: 220_000},
		{Type: models.TypeCommune, Code: "35288", Siren: "213502883", Name: "Saint-Malo", Departement: "35", Region: "53", Population: 47_000},
	}
}

func codes(cs []models.Collectivite) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Code
	}
	return out
}

func TestCoveredCommunes(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.ImportRegistry(ctx, coverageRegistry(), nil))

		covered, unknown, err := st.CoveredCommunes(ctx, []string{"249000001", "213502388", "123456782", "219000011", "123456782"})
		require.NoError(t, err)
		require.Equal(t, []string{"35238", "90001", "90002"}, codes(covered), "an EPCI covers its members, a commune itself, each once")
		require.Equal(t, []string{"123456782"}, unknown)
		require.Equal(t, int64(2_000), covered[2].Population)
		require.Equal(t, models.TypeCommune, covered[2].Type)

		covered, unknown, err = st.CoveredCommunes(ctx, nil)
		require.NoError(t, err)
		require.Empty(t, covered)
		require.Empty(t, unknown)

		counts, err := st.CommunesPerDepartement(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]int{"90": 3, "35": 2}, counts)
	})
}

func TestCoveredCommunesEligibility(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		require.NoError(t, st.ImportRegistry(ctx, coverageRegistry(), nil))
		counts, err := st.CommunesPerDepartement(ctx)
		require.NoError(t, err)

		// The EPCI and the third commune together cover all of département 90.
		covered, unknown, err := st.CoveredCommunes(ctx, []string{"249000001", "219000037"})
		require.NoError(t, err)
		require.Empty(t, unknown)
		e := models.CheckEligibility(covered, counts)
		require.True(t, e.Eligible)
		require.Equal(t, []string{"90"}, e.WholeDepartements)
		require.EqualValues(t, 3_500, e.Population)

		covered, unknown, err = st.CoveredCommunes(ctx, []string{"249000001", "213502388", "123456782"})
		require.NoError(t, err)
		require.Equal(t, []string{"123456782"}, unknown)
		e = models.CheckEligibility(covered, counts)
		require.False(t, e.Eligible)
		require.Equal(t, []string{
			"the applicant and its partners cover 223,000 inhabitants, fewer than 500,000",
			"they cover no whole département: the closest is département 90, 2 of its 3 communes",
		}, e.Reasons)
	})
}

func TestCoveredCommunesInBatches(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		// A métropole-sized EPCI with more members than one IN list holds, plus a member
		// the registry lacks; and as many SIRENs given one by one.
		const n = 2*inBatch + 7
		var all []models.Collectivite
		var members, given []string
		for i := range n {
			siren := fmt.Sprintf("2%08d", i)
			all = append(all, models.Collectivite{Type: models.TypeCommune, Code: fmt.Sprintf("X%05d", i), Siren: siren,
				Name: "Commune " + siren, Departement: "99", Population: 1_000})
			members = append(members, siren)
			given = append(given, siren)
		}
		all = append(all, models.Collectivite{Type: models.TypeEPCI, Code: "240000000", Siren: "240000000", Name: "Métropole",
			Departement: "99", Members: append(members, "299999999")})
		require.NoError(t, st.ImportRegistry(ctx, all, nil))

		covered, unknown, err := st.CoveredCommunes(ctx, []string{"240000000"})
		require.NoError(t, err)
		require.Empty(t, unknown)
		require.Len(t, covered, n, "a member missing from the registry covers nothing")

		covered, unknown, err = st.CoveredCommunes(ctx, append(given, "240000000", "199999999"))
		require.NoError(t, err)
		require.Equal(t, []string{"199999999"}, unknown)
		require.Len(t, covered, n)

		counts, err := st.CommunesPerDepartement(ctx)
		require.NoError(t, err)
		e := models.CheckEligibility(covered, counts)
		require.True(t, e.Eligible)
		require.Equal(t, []string{"99"}, e.WholeDepartements)
		require.EqualValues(t, n*1_000, e.Population)
	})
}
