package models_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestStructureEntryValidate(t *testing.T) {
	valid := func(mod func(*models.StructureEntry)) models.StructureEntry {
		e := models.StructureEntry{Siren: " 253514491 ", Name: "Syndicat mixte Mégalis Bretagne", LegalForm: "7355",
			Territory: models.Territory{Departements: []string{"22", " 29", "35", "56", "35", ""}}}
		if mod != nil {
			mod(&e)
		}
		e.Normalize()
		return e
	}
	e := valid(nil)
	require.NoError(t, e.Validate())
	require.Equal(t, "253514491", e.Siren)
	require.Equal(t, []string{"22", "29", "35", "56"}, e.Departements, "trimmed, repeats and blanks dropped")
	require.Equal(t, models.TypeStructure, e.Type())

	dep := models.StructureEntry{Siren: "221300015", Name: "Département des Bouches-du-Rhône", LegalForm: "7220",
		Territory: models.Territory{Departements: []string{"13"}}}
	require.NoError(t, dep.Validate())
	require.Equal(t, models.TypeDepartement, dep.Type())
	region := models.StructureEntry{Siren: "233500016", Name: "Région Bretagne", LegalForm: "7230", Territory: models.Territory{Regions: []string{"53"}}}
	require.NoError(t, region.Validate())
	require.Equal(t, models.TypeRegion, region.Type())

	tests := []struct {
		name  string
		entry models.StructureEntry
		field string
		msg   string
	}{
		{"SIREN with a wrong Luhn key", valid(func(e *models.StructureEntry) { e.Siren = "253514492" }), "siren",
			"must be a SIREN (9 digits with a valid check digit)"},
		{"SIREN too short", valid(func(e *models.StructureEntry) { e.Siren = "25351449" }), "siren", ""},
		{"no name", valid(func(e *models.StructureEntry) { e.Name = "  " }), "name", ""},
		{"commune legal form", valid(func(e *models.StructureEntry) { e.LegalForm = "7210" }), "legal_form", ""},
		{"unknown legal form", valid(func(e *models.StructureEntry) { e.LegalForm = "syndicat" }), "legal_form", ""},
		{"bad commune code", valid(func(e *models.StructureEntry) { e.Communes = []string{"1300", "2A004"} }), "communes",
			`must be commune INSEE codes such as 35238 or 2A004, not "1300"`},
		{"bad EPCI SIREN", valid(func(e *models.StructureEntry) { e.EPCIs = []string{"200072453"} }), "epcis", ""},
		{"bad département code", valid(func(e *models.StructureEntry) { e.Departements = []string{"2C"} }), "departements", ""},
		{"bad région code", valid(func(e *models.StructureEntry) { e.Regions = []string{"5"} }), "regions", ""},
		{"a structure covering nothing", valid(func(e *models.StructureEntry) { e.Departements = nil }), "communes", ""},
		{"a département naming two", models.StructureEntry{Siren: "221300015", Name: "BdR", LegalForm: "7220",
			Territory: models.Territory{Departements: []string{"13", "84"}}}, "departements", ""},
		{"a département naming communes", models.StructureEntry{Siren: "221300015", Name: "BdR", LegalForm: "7220",
			Territory: models.Territory{Departements: []string{"13"}, Communes: []string{"13055"}}}, "departements", ""},
		{"a région without its code", models.StructureEntry{Siren: "233500016", Name: "Bretagne", LegalForm: "7230",
			Territory: models.Territory{Departements: []string{"35"}}}, "regions", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.entry.Validate()
			require.Equal(t, models.EInvalid, models.ErrorCode(err))
			var me *models.Error
			require.ErrorAs(t, err, &me)
			require.Contains(t, me.Fields, tt.field, me.Fields)
			require.Len(t, me.Fields, 1, me.Fields)
			if tt.msg != "" {
				require.Equal(t, tt.msg, me.Fields[tt.field])
			}
		})
	}
}

func TestLegalForms(t *testing.T) {
	for code, want := range map[string]models.CollectiviteType{"7220": models.TypeDepartement, "7230": models.TypeRegion,
		"7354": models.TypeStructure, "7355": models.TypeStructure, "7410": models.TypeStructure, "7357": models.TypeStructure,
		"7340": models.TypeStructure} {
		f, ok := models.LegalFormOf(code)
		require.True(t, ok, code)
		require.Equal(t, want, f.Type, code)
	}
	for _, code := range []string{"7210", "7343", "7344", "7346", "7348", ""} {
		_, ok := models.LegalFormOf(code)
		require.False(t, ok, "%s comes from the Etalab registry", code)
	}
	require.True(t, slices.IsSortedFunc(models.LegalForms, func(a, b models.LegalForm) int {
		return strings.Compare(a.Code, b.Code)
	}), "listed by code")
}

// miniRegistry is département 90 (three communes, two in an EPCI) and two communes of
// département 35 in région 53; départements have 3 and 333 communes in all.
var (
	belfortCommunes = []models.Collectivite{
		{Type: models.TypeCommune, Code: "90001", Siren: "219000011", Departement: "90", Region: "27", Population: 1_000},
		{Type: models.TypeCommune, Code: "90002", Siren: "219000029", Departement: "90", Region: "27", Population: 2_000},
		{Type: models.TypeCommune, Code: "90003", Siren: "219000037", Departement: "90", Region: "27", Population: 500},
	}
	rennes      = models.Collectivite{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Departement: "35", Region: "53", Population: 220_000}
	saintMalo   = models.Collectivite{Type: models.TypeCommune, Code: "35288", Siren: "213502883", Departement: "35", Region: "53", Population: 47_000}
	allCommunes = append(slices.Clone(belfortCommunes), rennes, saintMalo)
	epci90      = models.Collectivite{Type: models.TypeEPCI, Code: "249000001", Siren: "249000001", Members: []string{"219000011", "219000029"}}
	miniCounts  = map[string]int{"90": 3, "35": 333}
)

// coveredBy expands entries as the store does, over the mini registry.
func coveredBy(entries ...models.Collectivite) []models.Collectivite {
	var out []models.Collectivite
	for _, e := range entries {
		t := e.Covers()
		for _, c := range allCommunes {
			inEPCI := slices.Contains(t.EPCIs, epci90.Code) && slices.Contains(epci90.Members, c.Siren)
			if slices.Contains(t.Communes, c.Code) || inEPCI || slices.Contains(t.Departements, c.Departement) || slices.Contains(t.Regions, c.Region) {
				out = append(out, c)
			}
		}
	}
	return out
}

func TestCovers(t *testing.T) {
	require.Equal(t, models.Territory{Communes: []string{"35238"}}, rennes.Covers())
	require.Equal(t, models.Territory{EPCIs: []string{"249000001"}}, epci90.Covers())
	require.Equal(t, models.Territory{Departements: []string{"90"}}, models.Collectivite{Type: models.TypeDepartement, Code: "90"}.Covers())
	require.Equal(t, models.Territory{Regions: []string{"53"}}, models.Collectivite{Type: models.TypeRegion, Code: "53"}.Covers())
	declared := models.Territory{Communes: []string{"35288"}, EPCIs: []string{"249000001"}}
	require.Equal(t, declared, models.Collectivite{Type: models.TypeStructure, Territory: &declared}.Covers())
	require.True(t, models.Collectivite{Type: models.TypeStructure}.Covers().Empty(), "a structure without territory covers nothing")
}

func TestEligibilityOfDepartementsRegionsAndStructures(t *testing.T) {
	dep90 := models.Collectivite{Type: models.TypeDepartement, Code: "90", Siren: "229000013"}
	dep35 := models.Collectivite{Type: models.TypeDepartement, Code: "35", Siren: "223500018"}
	bretagne := models.Collectivite{Type: models.TypeRegion, Code: "53", Siren: "233500016"}
	petr := models.Collectivite{Type: models.TypeStructure, Code: "200079994", Siren: "200079994",
		Territory: &models.Territory{EPCIs: []string{"249000001"}, Communes: []string{"90003"}}}
	partial := models.Collectivite{Type: models.TypeStructure, Code: "130029994", Siren: "130029994",
		Territory: &models.Territory{Communes: []string{"90003", "35288"}}}

	tests := []struct {
		name     string
		entries  []models.Collectivite
		eligible bool
		whole    []string
		reasons  []string
	}{
		{"a département alone", []models.Collectivite{dep90}, true, []string{"90"},
			[]string{"the applicant and its partners cover every commune of département 90"}},
		{"a région alone (its registry communes)", []models.Collectivite{bretagne}, false, []string{},
			[]string{"the applicant and its partners cover 267,000 inhabitants, fewer than 500,000",
				"they cover no whole département: the closest is département 35, 2 of its 333 communes"}},
		{"a structure whose EPCI and commune make a whole département", []models.Collectivite{petr}, true, []string{"90"},
			[]string{"the applicant and its partners cover every commune of département 90"}},
		{"a commune with a département as partner", []models.Collectivite{rennes, dep90}, true, []string{"90"},
			[]string{"the applicant and its partners cover every commune of département 90"}},
		{"a structure and a région, communes counted once", []models.Collectivite{partial, dep35, bretagne}, false, []string{},
			[]string{"the applicant and its partners cover 267,500 inhabitants, fewer than 500,000",
				"they cover no whole département: the closest is département 90, 1 of its 3 communes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := models.CheckEligibility(coveredBy(tt.entries...), miniCounts)
			require.Equal(t, tt.eligible, e.Eligible)
			require.Equal(t, tt.whole, e.WholeDepartements)
			require.Equal(t, tt.reasons, e.Reasons)
		})
	}
}

func TestCoverageOf(t *testing.T) {
	cov := models.CoverageOf(append(coveredBy(models.Collectivite{Type: models.TypeDepartement, Code: "90"}), rennes, rennes), miniCounts)
	require.Equal(t, models.Coverage{Communes: 4, Population: 223_500, WholeDepartements: []string{"90"}, Departement: "35", Region: "53"}, cov,
		"each commune once; placed where most of the population lives")
	require.Equal(t, models.Coverage{WholeDepartements: []string{}}, models.CoverageOf(nil, miniCounts))
}
