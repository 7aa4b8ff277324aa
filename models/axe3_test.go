package models_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestSplitByPopulation(t *testing.T) {
	tests := []struct {
		name  string
		total models.Cents
		pop   map[string]int64
		want  map[string]models.Cents
	}{
		{"proportional", models.Euros(1_000), map[string]int64{"53": 300, "11": 700}, map[string]models.Cents{"53": models.Euros(300), "11": models.Euros(700)}},
		// 100 € / 3: 33 € each, the 1 € left to the most populous.
		{"remainder to the largest", models.Euros(100), map[string]int64{"53": 1, "11": 2, "84": 1}, map[string]models.Cents{"53": models.Euros(25), "11": models.Euros(50), "84": models.Euros(25)}},
		{"rounding", models.Euros(100), map[string]int64{"53": 1, "11": 1, "84": 1}, map[string]models.Cents{"53": models.Euros(33), "11": models.Euros(34), "84": models.Euros(33)}},
		{"cents to the largest", 10_050, map[string]int64{"53": 1, "11": 3}, map[string]models.Cents{"53": models.Euros(25), "11": models.Euros(75) + 50}},
		{"no population", models.Euros(100), map[string]int64{"53": 0, "11": 10}, map[string]models.Cents{"53": 0, "11": models.Euros(100)}},
		{"nobody", models.Euros(100), map[string]int64{"53": 0}, map[string]models.Cents{"53": 0}},
		// 30 M€ over four régions, checked independently (floor, remainder to Île-de-France).
		{"real scale", models.Euros(30_000_000), map[string]int64{"11": 12_317_279, "84": 8_114_361, "53": 3_402_932, "94": 349_465},
			map[string]models.Cents{"11": models.Euros(15_279_434), "84": models.Euros(10_065_764), "53": models.Euros(4_221_295), "94": models.Euros(433_507)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := models.SplitByPopulation(tt.total, tt.pop)
			require.Equal(t, tt.want, got)
			var sum models.Cents
			for _, c := range got {
				sum += c
			}
			if len(tt.want) > 1 || tt.pop["53"] > 0 {
				require.Equal(t, tt.total, sum, "the split sums to the total")
			}
		})
	}
}

func TestCheckRegionalSplit(t *testing.T) {
	tests := []struct {
		name  string
		split map[string]models.Cents
		held  map[string]models.Cents
		code  string
		field string
	}{
		{"sums", map[string]models.Cents{"53": 600, "11": 400}, nil, "", ""},
		{"keeps what is held", map[string]models.Cents{"53": 600, "11": 400}, map[string]models.Cents{"53": 600}, "", ""},
		{"short", map[string]models.Cents{"53": 600, "11": 399}, nil, models.EConflict, ""},
		{"over", map[string]models.Cents{"53": 601, "11": 400}, nil, models.EConflict, ""},
		{"below held", map[string]models.Cents{"53": 500, "11": 500}, map[string]models.Cents{"53": 501}, models.EConflict, ""},
		{"région dropped while held", map[string]models.Cents{"53": 1_000}, map[string]models.Cents{"11": 1}, models.EConflict, ""},
		{"negative", map[string]models.Cents{"53": 1_100, "11": -100}, nil, models.EInvalid, "allocations.11"},
		{"bad code", map[string]models.Cents{"Bretagne": 1_000}, nil, models.EInvalid, "allocations.Bretagne"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := models.CheckRegionalSplit(tt.split, 1_000, tt.held)
			if tt.code == "" {
				require.NoError(t, err)
				return
			}
			require.Equal(t, tt.code, models.ErrorCode(err), err)
			if tt.field != "" {
				var e *models.Error
				require.ErrorAs(t, err, &e)
				require.Contains(t, e.Fields, tt.field)
			}
		})
	}
}

func TestCheckDelegation(t *testing.T) {
	dep := models.Envelope{Code: "axe3.territorial.53.35", AllocatedCents: 500, ReservedCents: 200, PaidCents: 100} // 300 engaged
	kept := models.Envelope{Code: "axe3.territorial.53.region", AllocatedCents: 500, CommittedCents: 400}           // 100 free
	tests := []struct {
		name   string
		amount models.Cents
		code   string
	}{
		{"same", 500, ""},
		{"take back down to engaged", 300, ""},
		{"give what the kept part has free", 600, ""},
		{"below engaged", 299, models.EConflict},
		{"more than the kept part has free", 601, models.EConflict},
		{"negative", -1, models.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := models.CheckDelegation(dep, kept, tt.amount)
			if tt.code == "" {
				require.NoError(t, err)
				return
			}
			require.Equal(t, tt.code, models.ErrorCode(err), err)
		})
	}
}

func TestEnvelopeCodesNest(t *testing.T) {
	// Envelopes() sums children into parents by code order: children must extend their parent's code.
	require.Equal(t, "axe3.territorial.53", models.RegionEnvelope("53"))
	require.Equal(t, "axe3.territorial.53.35", models.DepartementEnvelope("53", "35"))
	require.Equal(t, "axe3.territorial.53.region", models.KeptEnvelope("53"))
}

func TestFundingEnvelopes(t *testing.T) {
	dep := models.DepartementEnvelope("53", "35")
	require.Equal(t, []string{dep}, models.FundingEnvelopes(dep, false, true))
	require.Equal(t, []string{dep}, models.FundingEnvelopes(dep, false, false))
	require.Equal(t, []string{models.EnvelopeAxe3Lab, dep}, models.FundingEnvelopes(dep, true, true))
	require.Equal(t, []string{models.EnvelopeAxe3Lab}, models.FundingEnvelopes(dep, true, false))
}

func TestCoveringCRTE(t *testing.T) {
	const epci, member, outside, alone = "243500139", "213502388", "217500016", "200058014"
	members := map[string][]string{epci: {member}}
	early := models.CRTE{ID: "b", Name: "Rennes Métropole", EPCIs: []string{epci}, SignedOn: time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)}
	late := models.CRTE{ID: "a", Name: "Pays", Communes: []string{member, alone}, SignedOn: time.Date(2021, 9, 1, 0, 0, 0, 0, time.UTC)}
	crtes := []models.CRTE{late, early}
	for _, tt := range []struct {
		siren string
		want  string
	}{{epci, "b"}, {member, "b"}, {alone, "a"}, {outside, ""}} {
		got, ok := models.CoveringCRTE(crtes, tt.siren, members)
		require.Equal(t, tt.want != "", ok, tt.siren)
		require.Equal(t, tt.want, got.ID, tt.siren)
	}
}

func TestAxe3Rules(t *testing.T) {
	def := models.DefaultAxe3Rules()
	require.Equal(t, 80, def.MaxPublicRatePercent)
	require.Equal(t, [5]int{1, 1, 1, 1, 1}, def.Weights)
	ok := models.Axe3Rules{Scope: models.DepartementScope("35"), PopulationCap: 20_000, MaxPublicRatePercent: 80, Weights: [5]int{3, 1, 1, 1, 0}}
	require.NoError(t, ok.Validate())
	for name, tt := range map[string]struct {
		mut   func(*models.Axe3Rules)
		field string
	}{
		"national scope":  {func(r *models.Axe3Rules) { r.Scope = models.ScopeNational }, "scope"},
		"bad département": {func(r *models.Axe3Rules) { r.Scope = models.Scope{Kind: models.ScopeKindDepartement, Value: "20"} }, "scope"},
		"negative cap":    {func(r *models.Axe3Rules) { r.PopulationCap = -1 }, "population_cap"},
		"rate 0":          {func(r *models.Axe3Rules) { r.MaxPublicRatePercent = 0 }, "max_public_rate_percent"},
		"rate 101":        {func(r *models.Axe3Rules) { r.MaxPublicRatePercent = 101 }, "max_public_rate_percent"},
		"negative weight": {func(r *models.Axe3Rules) { r.Weights[0] = -1 }, "weights"},
		"zero weights":    {func(r *models.Axe3Rules) { r.Weights = [5]int{} }, "weights"},
	} {
		t.Run(name, func(t *testing.T) {
			r := ok
			tt.mut(&r)
			var e *models.Error
			require.ErrorAs(t, r.Validate(), &e)
			require.Contains(t, e.Fields, tt.field)
		})
	}
	region := models.Axe3Rules{Scope: models.RegionScope("53"), MaxPublicRatePercent: 70, Weights: [5]int{1, 1, 1, 1, 1}}
	set := []models.Axe3Rules{region, ok}
	require.Equal(t, ok, models.ApplicableRules(set, "35", "53"))
	require.Equal(t, region, models.ApplicableRules(set, "29", "53"))
	require.Equal(t, def, models.ApplicableRules(set, "75", "11"))
}

func TestEnvelopeTerritory(t *testing.T) {
	for code, want := range map[string][3]any{
		"axe3.territorial.53.35":     {"53", "35", true},
		"axe3.territorial.53.region": {"53", "", true},
		"axe3.territorial.53":        {"", "", false},
		"axe3.territorial":           {"", "", false},
		"axe3.lab":                   {"", "", false},
		"axe3.territorial.53.20":     {"", "", false},
		"axe3.territorial.5.35":      {"", "", false},
		"axe2.guichet":               {"", "", false},
	} {
		region, dep, ok := models.EnvelopeTerritory(code)
		require.Equal(t, want, [3]any{region, dep, ok}, code)
	}
}

func TestReferenceRequests(t *testing.T) {
	fields := func(err error) []string {
		var e *models.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, models.EInvalid, e.Code)
		var out []string
		for k := range e.Fields {
			out = append(out, k)
		}
		return out
	}
	lab, err := models.LabRequest{Name: "  La Fabrique ", Region: "53"}.Lab("fabrique")
	require.NoError(t, err)
	require.Equal(t, models.Lab{ID: "fabrique", Name: "La Fabrique", Region: "53"}, lab)
	_, err = models.LabRequest{Name: "La Fabrique", Region: "53"}.Lab("La Fabrique")
	require.Equal(t, []string{"id"}, fields(err))
	_, err = models.LabRequest{Name: " ", Region: "bzh"}.Lab("fabrique")
	require.ElementsMatch(t, []string{"name", "region"}, fields(err))

	crte, err := models.CRTERequest{Name: "CRTE Rennes", EPCIs: []string{"243500139"}, SignedOn: "2021-07-01"}.CRTE("rennes")
	require.NoError(t, err)
	require.Equal(t, models.CRTE{ID: "rennes", Name: "CRTE Rennes", EPCIs: []string{"243500139"}, SignedOn: time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)}, crte)
	_, err = models.CRTERequest{Name: "", EPCIs: []string{"243500130"}, Communes: []string{"213502388", "213502388"}, SignedOn: "1/7/2021"}.CRTE("rennes")
	require.ElementsMatch(t, []string{"name", "epcis[0]", "communes", "signed_on"}, fields(err))
	_, err = models.CRTERequest{Name: "CRTE", SignedOn: "2021-07-01"}.CRTE("rennes")
	require.Equal(t, []string{"epcis"}, fields(err), "a CRTE covers at least one EPCI or commune")
	require.NoError(t, models.CRTE{Communes: []string{"213502388"}}.CheckCoverage(), "a commune alone is enough")
}
