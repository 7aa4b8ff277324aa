package models_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func commune(siren, dept string, population int64) models.Collectivite {
	return models.Collectivite{Type: models.TypeCommune, Code: "c" + siren, Siren: siren, Name: "Commune " + siren,
		Departement: dept, Population: population}
}

func TestCheckEligibility(t *testing.T) {
	counts := map[string]int{"22": 6, "29": 277, "35": 333, "69": 267, "75": 1, "90": 3}
	lyon := commune("216901231", "69", 520_000)
	tests := []struct {
		name       string
		covered    []models.Collectivite
		eligible   bool
		population int64
		whole      []string
		reasons    []string
	}{
		{"big city alone", []models.Collectivite{lyon}, true, 520_000, []string{},
			[]string{"the applicant and its partners cover 520,000 inhabitants, at least 500,000"}},
		{"exactly the threshold", []models.Collectivite{commune("1", "69", 500_000)}, true, 500_000, []string{},
			[]string{"the applicant and its partners cover 500,000 inhabitants, at least 500,000"}},
		{"small communes covering a whole département",
			[]models.Collectivite{commune("1", "90", 1_000), commune("2", "90", 2_000), commune("3", "90", 500)},
			true, 3_500, []string{"90"},
			[]string{"the applicant and its partners cover every commune of département 90"}},
		{"two whole départements and the population",
			[]models.Collectivite{commune("1", "90", 1_000), commune("2", "90", 2_000), commune("3", "90", 500),
				commune("217500016", "75", 2_100_000)},
			true, 2_103_500, []string{"75", "90"},
			[]string{"the applicant and its partners cover every commune of départements 75 and 90, and 2,103,500 inhabitants (at least 500,000)"}},
		{"below both thresholds",
			[]models.Collectivite{commune("1", "35", 100_000), commune("2", "35", 23_456), commune("3", "29", 1)},
			false, 123_457, []string{},
			[]string{"the applicant and its partners cover 123,457 inhabitants, fewer than 500,000",
				"they cover no whole département: the closest is département 35, 2 of its 333 communes"}},
		{"the closest has the highest share, not the most communes",
			[]models.Collectivite{commune("1", "35", 10), commune("2", "35", 10), commune("3", "90", 10)},
			false, 30, []string{},
			[]string{"the applicant and its partners cover 30 inhabitants, fewer than 500,000",
				"they cover no whole département: the closest is département 90, 1 of its 3 communes"}},
		{"closest ties go to the lower code",
			[]models.Collectivite{commune("1", "90", 10), commune("2", "22", 10), commune("3", "22", 10)},
			false, 30, []string{},
			[]string{"the applicant and its partners cover 30 inhabitants, fewer than 500,000",
				"they cover no whole département: the closest is département 22, 2 of its 6 communes"}},
		{"duplicates counted once",
			[]models.Collectivite{commune("1", "90", 300_000), commune("1", "90", 300_000), commune("2", "90", 100)},
			false, 300_100, []string{},
			[]string{"the applicant and its partners cover 300,100 inhabitants, fewer than 500,000",
				"they cover no whole département: the closest is département 90, 2 of its 3 communes"}},
		{"duplicates do not complete a département",
			[]models.Collectivite{commune("1", "90", 1), commune("2", "90", 1), commune("2", "90", 1)},
			false, 2, []string{},
			[]string{"the applicant and its partners cover 2 inhabitants, fewer than 500,000",
				"they cover no whole département: the closest is département 90, 2 of its 3 communes"}},
		{"an EPCI entry is not counted on top of its members",
			[]models.Collectivite{commune("1", "69", 400_000),
				{Type: models.TypeEPCI, Code: "200046977", Siren: "200046977", Departement: "69", Population: 1_400_000}},
			false, 400_000, []string{},
			[]string{"the applicant and its partners cover 400,000 inhabitants, fewer than 500,000",
				"they cover no whole département: the closest is département 69, 1 of its 267 communes"}},
		{"département unknown to the counts",
			[]models.Collectivite{commune("1", "976", 5_000)},
			false, 5_000, []string{},
			[]string{"the applicant and its partners cover 5,000 inhabitants, fewer than 500,000",
				"they cover no whole département"}},
		{"empty input", nil, false, 0, []string{},
			[]string{"the applicant and its partners cover no commune of the registry, so neither 500,000 inhabitants nor a whole département"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := models.CheckEligibility(tt.covered, counts)
			require.Equal(t, tt.eligible, got.Eligible)
			require.Equal(t, tt.population, got.Population)
			require.Equal(t, tt.whole, got.WholeDepartements)
			require.Equal(t, tt.reasons, got.Reasons)
			require.Equal(t, got, models.CheckEligibility(tt.covered, counts), "deterministic")
		})
	}
}

func TestEligibilityJSON(t *testing.T) {
	b, err := json.Marshal(models.CheckEligibility(nil, nil))
	require.NoError(t, err)
	require.JSONEq(t, `{"eligible":false,"population":0,"whole_departements":[],
		"reasons":["the applicant and its partners cover no commune of the registry, so neither 500,000 inhabitants nor a whole département"]}`, string(b))
}
