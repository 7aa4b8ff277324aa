package registry

import (
	"testing"

	"github.com/relance/relance/models"
)

func load(t *testing.T) []models.Collectivite {
	t.Helper()
	list, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return list
}

// index returns the entries of list keyed by type then code.
func index(t *testing.T, list []models.Collectivite) map[models.CollectiviteType]map[string]models.Collectivite {
	t.Helper()
	idx := map[models.CollectiviteType]map[string]models.Collectivite{}
	for _, c := range list {
		if !c.Type.Valid() {
			t.Fatalf("%s: invalid type %q", c.Code, c.Type)
		}
		if idx[c.Type] == nil {
			idx[c.Type] = map[string]models.Collectivite{}
		}
		if _, dup := idx[c.Type][c.Code]; dup {
			t.Fatalf("duplicate %s %s", c.Type, c.Code)
		}
		idx[c.Type][c.Code] = c
	}
	return idx
}

func TestCounts(t *testing.T) {
	idx := index(t, load(t))
	// Generated from 6.0.0: 34875 communes, 1255 EPCI, 101 départements, 18 régions.
	for _, tc := range []struct {
		typ      models.CollectiviteType
		min, max int
	}{
		{models.TypeCommune, 34000, 36000},
		{models.TypeEPCI, 1200, 1300},
		{models.TypeDepartement, 101, 101},
		{models.TypeRegion, 18, 18},
	} {
		if n := len(idx[tc.typ]); n < tc.min || n > tc.max {
			t.Errorf("%d %s entries, want %d..%d", n, tc.typ, tc.min, tc.max)
		}
	}
}

func TestKnownEntries(t *testing.T) {
	idx := index(t, load(t))

	paris, ok := idx[models.TypeCommune]["75056"]
	if !ok {
		t.Fatal("commune 75056 (Paris) missing")
	}
	if paris.Siren != "217500016" {
		t.Errorf("Paris SIREN = %q, want 217500016", paris.Siren)
	}
	if paris.Population <= 2_000_000 {
		t.Errorf("Paris population = %d, want over 2 million", paris.Population)
	}

	dep75, ok := idx[models.TypeDepartement]["75"]
	if !ok {
		t.Fatal("département 75 missing")
	}
	if dep75.Population != paris.Population {
		t.Errorf("département 75 population = %d, want Paris's %d", dep75.Population, paris.Population)
	}
	if dep75.Region != "11" {
		t.Errorf("département 75 région = %q, want 11", dep75.Region)
	}
	if dep75.Departement != "75" {
		t.Errorf("département 75 belongs to département %q, want itself", dep75.Departement)
	}

	idf, ok := idx[models.TypeRegion]["11"]
	if !ok {
		t.Fatal("région 11 (Île-de-France) missing")
	}
	if idf.Population <= 12_000_000 {
		t.Errorf("Île-de-France population = %d, want over 12 million", idf.Population)
	}
	var sum int64
	deps := 0
	for _, d := range idx[models.TypeDepartement] {
		if d.Region == "11" {
			sum += d.Population
			deps++
		}
	}
	if deps != 8 || sum != idf.Population {
		t.Errorf("Île-de-France: %d départements totalling %d, want 8 totalling %d", deps, sum, idf.Population)
	}
}

func TestEPCIMembers(t *testing.T) {
	idx := index(t, load(t))
	bySiren := map[string]models.Collectivite{}
	for _, c := range idx[models.TypeCommune] {
		bySiren[c.Siren] = c
	}
	for _, e := range idx[models.TypeEPCI] {
		if len(e.Members) == 0 {
			t.Errorf("EPCI %s has no member", e.Code)
			continue
		}
		if e.Siren != e.Code {
			t.Errorf("EPCI %s: SIREN %q differs from code", e.Code, e.Siren)
		}
		var sum int64
		for _, s := range e.Members {
			c, ok := bySiren[s]
			if !ok {
				t.Errorf("EPCI %s: member %s is not a known commune", e.Code, s)
			}
			sum += c.Population
		}
		if sum != e.Population {
			t.Errorf("EPCI %s population = %d, members total %d", e.Code, e.Population, sum)
		}
		if _, ok := idx[models.TypeDepartement][e.Departement]; !ok {
			t.Errorf("EPCI %s: unknown département %q", e.Code, e.Departement)
		}
	}
}

func TestSirens(t *testing.T) {
	seen := map[string]string{}
	for _, c := range load(t) {
		switch c.Type {
		case models.TypeCommune, models.TypeEPCI:
			if !models.ValidSiren(c.Siren) {
				t.Errorf("%s %s: invalid SIREN %q", c.Type, c.Code, c.Siren)
			}
			if prev, dup := seen[c.Siren]; dup {
				t.Errorf("SIREN %s shared by %s and %s %s", c.Siren, prev, c.Type, c.Code)
			}
			seen[c.Siren] = string(c.Type) + " " + c.Code
		default:
			if c.Siren != "" {
				t.Errorf("%s %s: unexpected SIREN %q", c.Type, c.Code, c.Siren)
			}
		}
	}
}
