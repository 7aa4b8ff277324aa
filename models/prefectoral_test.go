package models_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// completeApplication is an application every rule accepts: 40 000 € of eligible expenses.
func completeApplication() models.PrefectoralApplication {
	return models.PrefectoralApplication{
		Title:       "Portail famille",
		Description: "Inscriptions à la cantine et au centre de loisirs en ligne, formation des agents.",
		ProjectType: models.ProjectOnlineService,
		Expenses: []models.ExpenseLine{
			{Category: models.ExpenseSupport, Label: "Design de service", AmountCents: models.Euros(30_000)},
			{Category: models.ExpenseTraining, Label: "Formation des agents", AmountCents: models.Euros(10_000)},
		},
		OtherPublicFundingCents: models.Euros(4_000),
		RequestedCents:          models.Euros(20_000),
		Backing:                 models.Backing{Deliberation: "Délibération 2021-14 du conseil municipal", DeliberationDate: "2021-03-02"},
		Team:                    []models.TeamMember{{Name: "Claire Martin", Role: "cheffe de projet"}},
		TargetUsers:             3_000,
		EconomicModel:           "Code ouvert, réutilisable par les communes voisines",
		Impact:                  "Moins de déplacements en mairie",
		Indicators:              []string{"part des inscriptions en ligne"},
	}
}

func TestPrefectoralApplicationValidate(t *testing.T) {
	require.NoError(t, completeApplication().Validate(true))
	require.NoError(t, models.PrefectoralApplication{}.Validate(false), "an empty draft")
	tests := []struct {
		name     string
		mut      func(*models.PrefectoralApplication)
		complete bool
		fields   []string
	}{
		{"empty submission", func(a *models.PrefectoralApplication) { *a = models.PrefectoralApplication{} }, true,
			[]string{"title", "description", "project_type", "expenses", "requested_cents", "backing.deliberation", "backing.deliberation_date",
				"team", "target_users", "economic_model", "impact", "indicators"}},
		{"unknown project type", func(a *models.PrefectoralApplication) { a.ProjectType = "website" }, false, []string{"project_type"}},
		{"unknown category", func(a *models.PrefectoralApplication) { a.Expenses[1].Category = "travel" }, false, []string{"expenses[1].category"}},
		{"empty line", func(a *models.PrefectoralApplication) { a.Expenses[0].AmountCents = 0; a.Expenses[0].Label = " " }, false,
			[]string{"expenses[0].amount_cents", "expenses[0].label", "requested_cents"}}, // 20 000 € asked of 10 000 €
		{"more than it costs", func(a *models.PrefectoralApplication) { a.RequestedCents = models.Euros(40_001) }, false, []string{"requested_cents"}},
		{"negative co-funding", func(a *models.PrefectoralApplication) { a.OtherPublicFundingCents = -1 }, false, []string{"other_public_funding_cents"}},
		{"bad date", func(a *models.PrefectoralApplication) { a.Backing.DeliberationDate = "02/03/2021" }, false, []string{"backing.deliberation_date"}},
		{"team member without role", func(a *models.PrefectoralApplication) { a.Team[0].Role = "" }, false, []string{"team[0].role"}},
		{"blank indicator", func(a *models.PrefectoralApplication) { a.Indicators = []string{" "} }, false, []string{"indicators[0]"}},
		{"bad lab and CRTE IDs", func(a *models.PrefectoralApplication) { a.LabID, a.CRTEID = "Lab X", "CRTE/1" }, false, []string{"lab_id", "crte_id"}},
		{"negative users", func(a *models.PrefectoralApplication) { a.TargetUsers = -1 }, false, []string{"target_users"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := completeApplication()
			tt.mut(&a)
			var e *models.Error
			require.ErrorAs(t, a.Validate(tt.complete), &e)
			require.Equal(t, models.EInvalid, e.Code)
			for _, f := range tt.fields {
				require.Contains(t, e.Fields, f)
			}
			require.Len(t, e.Fields, len(tt.fields), e.Fields)
		})
	}
}

func TestCheckPrefectoralEligibility(t *testing.T) {
	capped := models.Axe3Rules{Scope: models.DepartementScope("35"), PopulationCap: 20_000, MaxPublicRatePercent: 80, Weights: [5]int{1, 1, 1, 1, 1}}
	tests := []struct {
		name       string
		mut        func(*models.PrefectoralApplication)
		population int64
		rules      models.Axe3Rules
		eligible   bool
		maxGrant   models.Cents
		reasons    []string // substrings, one per reason
	}{
		{"eligible under the defaults", func(*models.PrefectoralApplication) {}, 250_000, models.DefaultAxe3Rules(), true, models.Euros(20_000),
			[]string{"250,000 inhabitants (no population cap)"}},
		{"at the cap", func(*models.PrefectoralApplication) {}, 20_000, capped, true, models.Euros(20_000), []string{"at most 20,000 inhabitants"}},
		{"above the cap", func(*models.PrefectoralApplication) {}, 20_001, capped, false, models.Euros(20_000),
			[]string{"20,001 inhabitants, more than the 20,000 its territory (departement:35) set"}},
		// 80 % of 40 000 € is 32 000 €: 28 000 € requested and 4 000 € from others is exactly that.
		{"exactly at the rate", func(a *models.PrefectoralApplication) { a.RequestedCents = models.Euros(28_000) }, 1_000, capped, true, models.Euros(28_000), nil},
		{"one cent over the rate", func(a *models.PrefectoralApplication) { a.RequestedCents = models.Euros(28_000) + 1 }, 1_000, capped, false, models.Euros(28_000),
			[]string{"public funding of 32 000,01 € (28 000,01 € requested and 4 000,00 € of other public funding) exceeds 80% of the eligible cost of 40 000,00 €, that is 32 000,00 €"}},
		{"a lower rate", func(*models.PrefectoralApplication) {}, 1_000, models.Axe3Rules{Scope: models.RegionScope("53"), MaxPublicRatePercent: 50}, false, models.Euros(16_000),
			[]string{"exceeds 50%"}},
		{"ineligible line", func(a *models.PrefectoralApplication) {
			a.Expenses = append(a.Expenses, models.ExpenseLine{Category: models.ExpenseEquipment, Label: "Tablettes", AmountCents: models.Euros(5_000)})
		}, 1_000, capped, false, models.Euros(20_000), []string{"line 3 (equipment, 5 000,00 €): not of an eligible category"}},
		{"everything wrong", func(a *models.PrefectoralApplication) {
			a.Expenses = []models.ExpenseLine{{Category: models.ExpenseStaff, Label: "Agents", AmountCents: models.Euros(40_000)}}
		}, 30_000, capped, false, 0, []string{"more than the 20,000", "line 1 (staff", "exceeds 80% of the eligible cost of 0,00 €"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := completeApplication()
			tt.mut(&a)
			e := models.CheckPrefectoralEligibility(a, tt.population, tt.rules)
			require.Equal(t, tt.eligible, e.Eligible, e.Reasons)
			require.Equal(t, tt.maxGrant, e.MaxGrantCents)
			require.Equal(t, tt.population, e.Population)
			require.Equal(t, a.RequestedCents+a.OtherPublicFundingCents, e.PublicFundingCents)
			if tt.reasons != nil {
				require.Len(t, e.Reasons, len(tt.reasons), e.Reasons)
				for i, r := range tt.reasons {
					require.Contains(t, e.Reasons[i], r)
				}
			}
		})
	}
}
