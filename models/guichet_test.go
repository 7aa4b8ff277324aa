package models_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// fullChecklist affirms every item of the current specification of kind.
func fullChecklist(t *testing.T, kind models.GuichetKind) map[string]bool {
	t.Helper()
	spec, ok := models.ChecklistFor(kind)
	require.True(t, ok)
	m := map[string]bool{}
	for _, it := range spec.Items {
		m[it.Key] = true
	}
	return m
}

func TestGuichetApplicationValidate(t *testing.T) {
	fc := fullChecklist(t, models.GuichetFranceConnect)
	api := fullChecklist(t, models.GuichetAPI)
	tests := []struct {
		name   string
		app    models.GuichetApplication
		fields []string // nil means valid
	}{
		{"valid franceconnect", models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 1, Checklist: fc}, nil},
		{"valid api", models.GuichetApplication{Kind: models.GuichetAPI, APIName: "api_entreprise", ProjectCostCents: 1_000_000_000, Checklist: api}, nil},
		{"valid partial checklist", models.GuichetApplication{Kind: models.GuichetAPI, APIName: "api_particulier", ProjectCostCents: 42, Checklist: map[string]bool{"cadre_juridique": false}}, nil},
		{"valid empty checklist", models.GuichetApplication{Kind: models.GuichetAPI, APIName: "api_droits_cnam", ProjectCostCents: 42, Checklist: map[string]bool{}}, nil},
		{"unknown kind", models.GuichetApplication{Kind: "paper", ProjectCostCents: 100, Checklist: fc}, []string{"kind"}},
		{"empty kind", models.GuichetApplication{ProjectCostCents: 100, Checklist: map[string]bool{}}, []string{"kind"}},
		{"api with unknown api", models.GuichetApplication{Kind: models.GuichetAPI, APIName: "api_meteo", ProjectCostCents: 100, Checklist: api}, []string{"api_name"}},
		{"api with missing api", models.GuichetApplication{Kind: models.GuichetAPI, ProjectCostCents: 100, Checklist: api}, []string{"api_name"}},
		{"franceconnect with api name", models.GuichetApplication{Kind: models.GuichetFranceConnect, APIName: "api_entreprise", ProjectCostCents: 100, Checklist: fc}, []string{"api_name"}},
		{"zero cost", models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 0, Checklist: fc}, []string{"project_cost_cents"}},
		{"negative cost", models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: -1, Checklist: fc}, []string{"project_cost_cents"}},
		{"cost over max", models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 1_000_000_001, Checklist: fc}, []string{"project_cost_cents"}},
		{"cost of int64's max", models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: math.MaxInt64, Checklist: fc}, []string{"project_cost_cents"}},
		{"cost of int64's min", models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: math.MinInt64, Checklist: fc}, []string{"project_cost_cents"}},
		{"nil checklist", models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 100}, []string{"checklist"}},
		{"unknown checklist key", models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 100, Checklist: map[string]bool{"bouton_charte": true, "foo": true}}, []string{"checklist.foo"}},
		// An item of the other kind's specification is not an item of this one.
		{"checklist key of other spec", models.GuichetApplication{Kind: models.GuichetFranceConnect, ProjectCostCents: 100, Checklist: map[string]bool{"cadre_juridique": true}}, []string{"checklist.cadre_juridique"}},
		{"everything wrong", models.GuichetApplication{Kind: models.GuichetAPI, APIName: "nope", ProjectCostCents: -5}, []string{"api_name", "project_cost_cents", "checklist"}},
		{"several wrong with unknown keys", models.GuichetApplication{Kind: models.GuichetAPI, ProjectCostCents: 0, Checklist: map[string]bool{"a": true, "b": false}}, []string{"api_name", "project_cost_cents", "checklist.a", "checklist.b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.app.Validate()
			if tt.fields == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			var e *models.Error
			require.True(t, errors.As(err, &e), "want *models.Error, got %T", err)
			require.Equal(t, models.EInvalid, e.Code)
			got := make([]string, 0, len(e.Fields))
			for f, msg := range e.Fields {
				require.NotEmpty(t, msg, "field %s", f)
				got = append(got, f)
			}
			require.ElementsMatch(t, tt.fields, got)
		})
	}
}

func TestGuichetApplicationValidateMessages(t *testing.T) {
	err := models.GuichetApplication{Kind: models.GuichetAPI, APIName: "x", ProjectCostCents: 1, Checklist: map[string]bool{}}.Validate()
	var e *models.Error
	require.ErrorAs(t, err, &e)
	// The message lists the known APIs, sorted.
	require.Equal(t, "must be one of api_droits_cnam, api_entreprise, api_impot_particulier, api_particulier", e.Fields["api_name"])
	require.Equal(t, "api_name: "+e.Fields["api_name"], e.Message)

	err = models.GuichetApplication{Kind: models.GuichetAPI, APIName: "api_entreprise", ProjectCostCents: 1, Checklist: map[string]bool{"zz": true}}.Validate()
	require.ErrorAs(t, err, &e)
	require.Contains(t, e.Fields["checklist.zz"], "api-2021.1")
}

func TestGuichetGrantCents(t *testing.T) {
	tests := []struct {
		cost, want models.Cents
	}{
		{1, 1},
		{12_345, 12_345},
		{499_999, 499_999},
		{500_000, 500_000},
		{500_001, 500_000},
		{12_345_678, 500_000},
		{1_000_000_000, 500_000},
	}
	for _, tt := range tests {
		got := models.GuichetApplication{ProjectCostCents: tt.cost}.GrantCents()
		require.Equal(t, tt.want, got, "cost %d", tt.cost)
	}
	require.Equal(t, models.Cents(500_000), models.GuichetGrantCapCents)
}

func TestChecklistFor(t *testing.T) {
	tests := []struct {
		kind    models.GuichetKind
		ok      bool
		version string
	}{
		{models.GuichetFranceConnect, true, "franceconnect-2021.1"},
		{models.GuichetAPI, true, "api-2021.1"},
		{"paper", false, ""},
		{"", false, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			spec, ok := models.ChecklistFor(tt.kind)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.version, spec.Version)
			if !ok {
				require.Empty(t, spec.Items)
				return
			}
			require.Equal(t, tt.kind, spec.Kind)
			require.Len(t, spec.Items, 7)
			seen := map[string]bool{}
			for _, it := range spec.Items {
				require.NotEmpty(t, it.Key)
				require.NotEmpty(t, it.Label)
				require.False(t, seen[it.Key], "duplicate key %s", it.Key)
				seen[it.Key] = true
				require.True(t, spec.Has(it.Key))
			}
			require.False(t, spec.Has("nope"))
			require.False(t, spec.Has(""))
		})
	}
}

func TestChecklistByVersion(t *testing.T) {
	tests := []struct {
		version string
		ok      bool
		kind    models.GuichetKind
	}{
		{"franceconnect-2021.1", true, models.GuichetFranceConnect},
		{"api-2021.1", true, models.GuichetAPI},
		{"api-2099.1", false, ""},
		{"", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			spec, ok := models.ChecklistByVersion(tt.version)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.kind, spec.Kind)
			if ok {
				require.Equal(t, tt.version, spec.Version)
				cur, _ := models.ChecklistFor(tt.kind)
				require.Equal(t, cur, spec)
			}
		})
	}
}

func TestChecklistSpecMissing(t *testing.T) {
	spec := models.ChecklistSpec{Version: "t-1", Kind: models.GuichetAPI, Items: []models.ChecklistItem{
		{Key: "a", Label: "A"}, {Key: "b", Label: "B"}, {Key: "c", Label: "C"}, {Key: "d", Label: "D"},
	}}
	keys := func(items []models.ChecklistItem) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.Key)
		}
		return out
	}
	tests := []struct {
		name      string
		checklist map[string]bool
		want      []string
	}{
		{"all affirmed", map[string]bool{"a": true, "b": true, "c": true, "d": true}, nil},
		{"nil checklist", nil, []string{"a", "b", "c", "d"}},
		{"empty checklist", map[string]bool{}, []string{"a", "b", "c", "d"}},
		{"false counts as missing", map[string]bool{"a": true, "b": false, "c": true, "d": true}, []string{"b"}},
		{"absent counts as missing", map[string]bool{"a": true, "c": true}, []string{"b", "d"}},
		{"order follows spec", map[string]bool{"d": false, "b": true, "a": false}, []string{"a", "c", "d"}},
		{"extra keys ignored", map[string]bool{"a": true, "b": true, "c": true, "d": true, "z": false}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := spec.Missing(tt.checklist)
			require.Equal(t, tt.want, keys(got))
			for _, it := range got {
				require.NotEmpty(t, it.Label)
			}
		})
	}

	// On the real specification, missing items carry their labels.
	fc, _ := models.ChecklistFor(models.GuichetFranceConnect)
	m := fullChecklist(t, models.GuichetFranceConnect)
	m["deconnexion"] = false
	delete(m, "service_en_ligne")
	got := fc.Missing(m)
	require.Equal(t, []string{"service_en_ligne", "deconnexion"}, keys(got))
	require.Equal(t, fc.Items[0], got[0])
}

func TestGuichetOpen(t *testing.T) {
	closes := time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)
	require.NoError(t, models.GuichetOpen(time.Time{}, closes.Add(100*24*time.Hour)), "no closing date: always open")
	require.NoError(t, models.GuichetOpen(closes, closes.Add(-time.Second)))
	for _, at := range []time.Time{closes, closes.Add(time.Hour)} {
		err := models.GuichetOpen(closes, at)
		require.Equal(t, models.EConflict, models.ErrorCode(err))
		require.Contains(t, err.Error(), "2026-12-31T23:00:00Z", "the refusal gives the date")
	}
}
