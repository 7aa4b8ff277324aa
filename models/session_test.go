package models_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestFillFromTopAndRanking(t *testing.T) {
	entries := []models.SessionEntry{
		{DossierID: "a", Rank: 1, Score: 90, ProposedCents: 400, Decision: models.OutcomeGrant, AmountCents: 300},
		{DossierID: "b", Rank: 2, Score: 80, ProposedCents: 500, Decision: models.OutcomePostpone},
		{DossierID: "c", Rank: 3, Score: 70, ProposedCents: 600},
		{DossierID: "d", Rank: 4, Score: 60, ProposedCents: 200},
	}
	models.FillFromTop(entries, 1_000)
	var running []models.Cents
	var within []bool
	for _, e := range entries {
		running, within = append(running, e.RunningCents), append(within, e.WithinEnvelope)
	}
	require.Equal(t, []models.Cents{300, 300, 900, 1_100}, running)
	require.Equal(t, []bool{true, true, true, false}, within)

	require.False(t, models.DepartsFromRanking(entries, "a"))
	require.False(t, models.DepartsFromRanking(entries, "b"))
	require.True(t, models.DepartsFromRanking(entries, "c"), "b, above, was postponed")

	const id = "0190c2a4-0000-7000-8000-00000000000c"
	entries[2].DossierID = id
	for name, tt := range map[string]struct {
		d      models.SessionDecision
		fields []string
	}{
		"grant with motivation":     {models.SessionDecision{DossierID: id, Outcome: "grant", AmountCents: 600, Comment: "projet prioritaire du CRTE"}, nil},
		"grant without motivation":  {models.SessionDecision{DossierID: id, Outcome: "grant", AmountCents: 600}, []string{"comment"}},
		"grant without amount":      {models.SessionDecision{DossierID: id, Outcome: "grant", Comment: "projet prioritaire du CRTE"}, []string{"amount_cents"}},
		"refuse without motivation": {models.SessionDecision{DossierID: id, Outcome: "refuse"}, []string{"comment"}},
		"postpone with an amount":   {models.SessionDecision{DossierID: id, Outcome: "postpone", AmountCents: 1, Comment: "au prochain comité"}, []string{"amount_cents"}},
		"unknown outcome":           {models.SessionDecision{DossierID: id, Outcome: "maybe", Comment: "au prochain comité"}, []string{"outcome"}},
		"not a dossier ID":          {models.SessionDecision{DossierID: "c", Outcome: "refuse", Comment: "hors du champ de l'axe"}, []string{"dossier_id"}},
	} {
		t.Run(name, func(t *testing.T) {
			err := tt.d.Check(entries)
			if tt.fields == nil {
				require.NoError(t, err)
				return
			}
			var e *models.Error
			require.ErrorAs(t, err, &e)
			for _, f := range tt.fields {
				require.Contains(t, e.Fields, f)
			}
			require.Len(t, e.Fields, len(tt.fields), e.Fields)
		})
	}
}
