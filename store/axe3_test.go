package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/relance/relance/models"
)

// axe3Registry is two régions and their départements, an EPCI and its communes.
func axe3Registry() []models.Collectivite {
	return []models.Collectivite{
		{Type: models.TypeRegion, Code: "53", Name: "Bretagne", Region: "53", Population: 1},
		{Type: models.TypeRegion, Code: "11", Name: "Île-de-France", Region: "11", Population: 3},
		{Type: models.TypeDepartement, Code: "35", Name: "Ille-et-Vilaine", Departement: "35", Region: "53", Population: 1},
		{Type: models.TypeDepartement, Code: "29", Name: "Finistère", Departement: "29", Region: "53", Population: 1},
		{Type: models.TypeCommune, Code: "35238", Siren: sirenB, Name: "Rennes", Departement: "35", Region: "53", Population: 220_000},
		{Type: models.TypeEPCI, Code: "243500139", Siren: "243500139", Name: "Rennes Métropole", Departement: "35", Region: "53",
			Population: 450_000, Members: []string{sirenB}},
	}
}

func seedAxe3(t *testing.T, st *Store) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, st.SeedEnvelopes(ctx, models.DefaultEnvelopes()))
	require.NoError(t, st.ImportRegistry(ctx, axe3Registry(), nil))
}

// requireTreeSums checks every Axe 3 parent holds exactly its children's allocations.
func requireTreeSums(t *testing.T, st *Store) {
	t.Helper()
	envs, err := st.Envelopes(context.Background())
	require.NoError(t, err)
	children := map[string]models.Cents{}
	for _, e := range envs {
		children[e.ParentCode] += e.AllocatedCents
		require.GreaterOrEqual(t, available(t, e), models.Cents(0), "%s overdrawn", e.Code)
	}
	for _, e := range envs {
		if e.Code == models.EnvelopeAxe3Territorial || len(e.Code) > len(models.EnvelopeAxe3Territorial) && e.Code[:len(models.EnvelopeAxe3Territorial)] == models.EnvelopeAxe3Territorial {
			if _, has := children[e.Code]; has {
				require.Equal(t, e.AllocatedCents, children[e.Code], "%s sums its children", e.Code)
			}
		}
	}
}

func TestRegionalSplitAndDelegation(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedAxe3(t, st)
		pops, err := st.RegionPopulations(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]int64{"53": 1, "11": 3}, pops)
		split := models.SplitByPopulation(models.Euros(30_000_000), pops)
		require.Equal(t, models.Euros(7_500_000), split["53"])

		// A split that does not sum is refused; the default one is applied.
		require.Equal(t, models.EConflict, models.ErrorCode(st.SetRegionalSplit(ctx, map[string]models.Cents{"53": 1}, "admin")))
		require.NoError(t, st.SetRegionalSplit(ctx, split, "admin"))
		requireTreeSums(t, st)
		kept, err := st.Envelope(ctx, models.KeptEnvelope("53"))
		require.NoError(t, err)
		require.Equal(t, models.Euros(7_500_000), kept.AllocatedCents)

		// The préfet de région delegates to Ille-et-Vilaine; the kept part gives it.
		dep, err := st.Delegate(ctx, "53", "35", models.Euros(3_000_000), "prefet53")
		require.NoError(t, err)
		require.Equal(t, models.Euros(3_000_000), dep.AllocatedCents)
		requireTreeSums(t, st)
		region, err := st.Envelope(ctx, models.RegionEnvelope("53"))
		require.NoError(t, err)
		require.Equal(t, models.Euros(7_500_000), region.AllocatedCents, "a delegation leaves the région's envelope whole")

		// Money engaged on the département's envelope holds its delegation up.
		require.NoError(t, st.inTx(ctx, func(tx *gorm.DB) error {
			return st.reserveTx(tx, "d1", models.DepartementEnvelope("53", "35"), models.Euros(1_000_000))
		}))
		_, err = st.Delegate(ctx, "53", "35", models.Euros(999_999), "prefet53")
		require.Equal(t, models.EConflict, models.ErrorCode(err))
		_, err = st.Delegate(ctx, "53", "35", models.Euros(1_000_000), "prefet53")
		require.NoError(t, err)
		// More than the kept part has: refused.
		_, err = st.Delegate(ctx, "53", "29", models.Euros(6_500_001), "prefet53")
		require.Equal(t, models.EConflict, models.ErrorCode(err))
		_, err = st.Delegate(ctx, "53", "29", models.Euros(6_500_000), "prefet53")
		require.NoError(t, err)
		requireTreeSums(t, st)

		// The région now holds its 7,5 M€ delegated: the administrator cannot take it back.
		require.Equal(t, models.EConflict, models.ErrorCode(st.SetRegionalSplit(ctx, map[string]models.Cents{"53": models.Euros(7_000_000), "11": models.Euros(23_000_000)}, "admin")))
		// The tree moves through these acts only: no direct change of a région's envelope or its leaves.
		for _, code := range []string{models.RegionEnvelope("53"), models.KeptEnvelope("53"), models.DepartementEnvelope("53", "35")} {
			_, err = st.SetAllocation(ctx, code, 0)
			require.Equal(t, models.EConflict, models.ErrorCode(err), code)
		}
		// A région the préfets have not split yet cannot delegate.
		_, err = st.Delegate(ctx, "84", "69", 1, "prefet84")
		require.Equal(t, models.EConflict, models.ErrorCode(err))

		acts, err := st.EnvelopeActs(ctx, models.RegionEnvelope("53"))
		require.NoError(t, err)
		var actions []string
		for _, a := range acts {
			actions = append(actions, a.Action+" "+a.EnvelopeCode+" by "+a.Actor)
		}
		require.Equal(t, []string{
			"regional_split axe3.territorial.53 by admin",
			"delegation axe3.territorial.53.35 by prefet53",
			"delegation axe3.territorial.53.35 by prefet53",
			"delegation axe3.territorial.53.29 by prefet53",
		}, actions)
		require.Equal(t, models.Euros(3_000_000), acts[2].FromCents)
		require.Equal(t, models.Euros(1_000_000), acts[2].ToCents)

		region53, err := st.DepartementRegion(ctx, "35")
		require.NoError(t, err)
		require.Equal(t, "53", region53)
		_, err = st.DepartementRegion(ctx, "69")
		require.Equal(t, models.ENotFound, models.ErrorCode(err))
	})
}

// TestConcurrentDelegations: two delegations at once out of one kept part never overdraw it.
func TestConcurrentDelegations(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedAxe3(t, st)
		require.NoError(t, st.SetRegionalSplit(ctx, map[string]models.Cents{"53": models.Euros(10_000_000), "11": models.Euros(20_000_000)}, "admin"))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, dep := range []string{"35", "29"} {
			wg.Go(func() { _, errs[i] = st.Delegate(ctx, "53", dep, models.Euros(6_000_000), "prefet53") })
		}
		wg.Wait()
		failed := 0
		for _, err := range errs {
			if err != nil {
				require.Equal(t, models.EConflict, models.ErrorCode(err), err)
				failed++
			}
		}
		require.Equal(t, 1, failed, "exactly one of two 6 M€ delegations out of 10 M€ passes")
		requireTreeSums(t, st)
	})
}

func TestLabsCRTEAndRules(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedAxe3(t, st)
		require.NoError(t, st.PutLab(ctx, models.Lab{ID: "lab-bzh", Name: "La Fabrique", Region: "53"}, "admin"))
		require.NoError(t, st.PutLab(ctx, models.Lab{ID: "lab-bzh", Name: "La Fabrique bretonne", Region: "53"}, "admin"))
		labs, err := st.Labs(ctx)
		require.NoError(t, err)
		require.Equal(t, []models.Lab{{ID: "lab-bzh", Name: "La Fabrique bretonne", Region: "53"}}, labs)
		trail, err := st.AuditTrail(ctx, models.LabTrailID("lab-bzh"))
		require.NoError(t, err)
		require.Len(t, trail, 2)
		require.Equal(t, models.AuditLabPut, trail[1].Action)
		require.Equal(t, "admin", trail[1].Actor)
		require.JSONEq(t, `{"before":null,"after":{"id":"lab-bzh","name":"La Fabrique","region":"53"}}`, trail[0].Detail)
		require.JSONEq(t, `{"before":{"id":"lab-bzh","name":"La Fabrique","region":"53"},"after":{"id":"lab-bzh","name":"La Fabrique bretonne","region":"53"}}`, trail[1].Detail)
		require.Error(t, st.PutLab(ctx, models.Lab{ID: "lab-x", Name: "X", Region: "84"}, "admin"), "a région the registry lacks")
		trail, err = st.AuditTrail(ctx, models.LabTrailID("lab-x"))
		require.NoError(t, err)
		require.Empty(t, trail, "a refused lab leaves no trail")
		_, err = st.Lab(ctx, "nope")
		require.Equal(t, models.ENotFound, models.ErrorCode(err))

		signed := time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)
		require.NoError(t, st.PutCRTE(ctx, models.CRTE{ID: "crte-rennes", Name: "CRTE Rennes Métropole", EPCIs: []string{"243500139"}, SignedOn: signed}, "admin"))
		trail, err = st.AuditTrail(ctx, models.CRTETrailID("crte-rennes"))
		require.NoError(t, err)
		require.Len(t, trail, 1)
		require.Equal(t, models.AuditCRTEPut, trail[0].Action)
		require.JSONEq(t, `{"before":null,"after":{"id":"crte-rennes","name":"CRTE Rennes Métropole","epcis":["243500139"],"signed_on":"2021-07-01T00:00:00Z"}}`, trail[0].Detail)
		names, err := st.CollectiviteNames(ctx, []string{"243500139", "200000000"})
		require.NoError(t, err)
		require.Equal(t, map[string]string{"243500139": "Rennes Métropole"}, names, "a SIREN the registry lacks has no name")
		c, ok, err := st.CoveringCRTE(ctx, sirenB)
		require.NoError(t, err)
		require.True(t, ok, "a member commune of the EPCI is covered")
		require.Equal(t, "crte-rennes", c.ID)
		require.Equal(t, signed, c.SignedOn)
		_, ok, err = st.CoveringCRTE(ctx, sirenA)
		require.NoError(t, err)
		require.False(t, ok)

		r := models.Axe3Rules{Scope: models.DepartementScope("35"), PopulationCap: 20_000, MaxPublicRatePercent: 70, Weights: [5]int{3, 1, 1, 1, 0}}
		require.NoError(t, st.PutAxe3Rules(ctx, r, "prefet35"))
		r.PopulationCap = 30_000
		require.NoError(t, st.PutAxe3Rules(ctx, r, "prefet35"))
		rules, err := st.Axe3Rules(ctx)
		require.NoError(t, err)
		require.Equal(t, []models.Axe3Rules{r}, rules)
	})
}

func TestPrefectoralEligibilityFromTheRegistry(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		seedAxe3(t, st)
		// The EPCI's registry row says 450 000; its members (Rennes) say 220 000, which counts.
		epci, err := st.CollectiviteBySiren(ctx, "243500139")
		require.NoError(t, err)
		pop, err := st.ApplicantPopulation(ctx, epci)
		require.NoError(t, err)
		require.EqualValues(t, 220_000, pop)

		app := models.PrefectoralApplication{RequestedCents: models.Euros(8_000),
			Expenses: []models.ExpenseLine{{Category: models.ExpenseStudies, Label: "Étude", AmountCents: models.Euros(10_000)}}}
		e, err := st.PrefectoralEligibility(ctx, "243500139", app)
		require.NoError(t, err)
		require.True(t, e.Eligible, e.Reasons)
		require.Equal(t, models.DefaultMaxPublicRatePercent, e.MaxPublicRatePercent)

		// Ille-et-Vilaine caps at 200 000 inhabitants; the région's lower rate does not apply to it.
		require.NoError(t, st.PutAxe3Rules(ctx, models.Axe3Rules{Scope: models.RegionScope("53"), MaxPublicRatePercent: 50, Weights: [5]int{1, 1, 1, 1, 1}}, "p53"))
		require.NoError(t, st.PutAxe3Rules(ctx, models.Axe3Rules{Scope: models.DepartementScope("35"), PopulationCap: 200_000, MaxPublicRatePercent: 80, Weights: [5]int{1, 1, 1, 1, 1}}, "p35"))
		e, err = st.PrefectoralEligibility(ctx, "243500139", app)
		require.NoError(t, err)
		require.False(t, e.Eligible)
		require.EqualValues(t, 200_000, e.PopulationCap)
		require.Len(t, e.Reasons, 1)

		_, err = st.PrefectoralEligibility(ctx, sirenA, app)
		require.Equal(t, models.ENotFound, models.ErrorCode(err), "a SIREN the registry lacks")

		_, err = st.TerritorialEnvelope(ctx, "53", "35")
		require.Equal(t, models.EConflict, models.ErrorCode(err), "before the split")
		require.NoError(t, st.SetRegionalSplit(ctx, map[string]models.Cents{"53": models.Euros(10_000_000), "11": models.Euros(20_000_000)}, "admin"))
		code, err := st.TerritorialEnvelope(ctx, "53", "35")
		require.NoError(t, err)
		require.Equal(t, models.KeptEnvelope("53"), code)
		_, err = st.Delegate(ctx, "53", "35", models.Euros(1_000_000), "p53")
		require.NoError(t, err)
		code, err = st.TerritorialEnvelope(ctx, "53", "35")
		require.NoError(t, err)
		require.Equal(t, models.DepartementEnvelope("53", "35"), code)
	})
}
