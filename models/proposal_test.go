package models_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func validProposal() models.Proposal {
	return models.Proposal{Type: models.ProposalExisting, Title: "Rendez-vous en mairie", Category: "relation_usagers",
		Description: "Prise de rendez-vous en ligne pour les titres d'identité, mutualisée.",
		Existing: &models.ExistingService{Operator: "Syndicat mixte", Users: "120 communes", Address: "https://rdv.example.fr",
			Licence: "EUPL-1.2", CostCents: models.Euros(180_000)}}
}

func TestProposalValidate(t *testing.T) {
	require.NoError(t, validProposal().Validate(models.DefaultCategories, false))
	need := validProposal()
	need.Type, need.Existing = models.ProposalNeed, nil
	require.NoError(t, need.Validate(models.DefaultCategories, false))
	for name, tc := range map[string]struct {
		change  func(*models.Proposal)
		partner bool
		field   string
	}{
		"unknown type":                 {func(p *models.Proposal) { p.Type = "idea" }, false, "type"},
		"blank title":                  {func(p *models.Proposal) { p.Title = " " }, false, "title"},
		"short description":            {func(p *models.Proposal) { p.Description = "court" }, false, "description"},
		"category not the campaign's":  {func(p *models.Proposal) { p.Category = "defense" }, false, "category"},
		"no category":                  {func(p *models.Proposal) { p.Category = "" }, false, "category"},
		"existing service undescribed": {func(p *models.Proposal) { p.Existing = nil }, false, "existing_service"},
		"a need with a service":        {func(p *models.Proposal) { p.Type = models.ProposalNeed }, false, "existing_service"},
		"service without operator":     {func(p *models.Proposal) { p.Existing.Operator = "" }, false, "existing_service.operator"},
		"service address not a URL":    {func(p *models.Proposal) { p.Existing.Address = "chez nous" }, false, "existing_service.address"},
		"service cost negative":        {func(p *models.Proposal) { p.Existing.CostCents = -1 }, false, "existing_service.cost_cents"},
		"partner without a name":       {func(p *models.Proposal) {}, true, "proposer_name"},
	} {
		t.Run(name, func(t *testing.T) {
			p := validProposal()
			e := *p.Existing
			p.Existing = &e
			tc.change(&p)
			err := p.Validate(models.DefaultCategories, tc.partner)
			var me *models.Error
			require.ErrorAs(t, err, &me)
			require.Contains(t, me.Fields, tc.field, "%v", me.Fields)
		})
	}
}

func TestCollectionWindow(t *testing.T) {
	c := models.Campaign{ID: "c1", Schedule: schedule()}
	require.NoError(t, c.CollectionOpen(days(1)))
	err := c.CollectionOpen(days(30))
	require.Equal(t, models.EConflict, models.ErrorCode(err))
	require.Contains(t, err.Error(), days(0).Format(time.RFC3339), "the refusal gives the dates")
	require.Contains(t, err.Error(), days(30).Format(time.RFC3339))
}

func TestProposalNotices(t *testing.T) {
	d := models.Dossier{ID: "p1", Kind: models.KindCoConstruction, ApplicantSiren: "775672272", ApplicantName: "Association X"}
	for _, s := range []models.Status{models.StatusReview, models.StatusAccepted, models.StatusMerged, models.StatusOutOfScope,
		models.StatusSelected, models.StatusNotSelected, models.StatusDelivered, models.StatusInfoRequested} {
		after := d
		after.Status, after.Reason = s, "un motif"
		n, ok := models.DecisionNotice(models.Decision{Before: d, After: after})
		require.True(t, ok, "the proposer is told of %s", s)
		require.Contains(t, n.Subject, "Association X")
		if s == models.StatusOutOfScope || s == models.StatusNotSelected {
			require.True(t, strings.Contains(n.Body, "Motif : un motif"), n.Body)
		}
	}
}

func TestParsePriorityCSV(t *testing.T) {
	ms, err := models.ParsePriorityCSV(strings.NewReader("code,policy\n35238,acv\n 2a004 , pvd\n213105554,qpv\n"))
	require.NoError(t, err)
	require.Equal(t, []models.PriorityMembership{{Line: 2, Code: "35238", Policy: models.PolicyCoeurDeVille},
		{Line: 3, Code: "2A004", Policy: models.PolicyPetitesVilles}, {Line: 4, Code: "213105554", Policy: models.PolicyQuartiers}}, ms)
	require.True(t, ms[2].IsSiren())
	for name, tc := range map[string]struct{ csv, field string }{
		"no header":       {"35238,acv\n", "csv"},
		"empty":           {"", "csv"},
		"only a header":   {"code,policy\n", "csv"},
		"unknown policy":  {"code,policy\n35238,acv\n35238,cites\n", "line 3"},
		"bad code":        {"code,policy\n3523,acv\n", "line 2"},
		"bad SIREN":       {"code,policy\n213105555,acv\n", "line 2"},
		"too many fields": {"code,policy\n35238,acv,x\n", "line 2"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := models.ParsePriorityCSV(strings.NewReader(tc.csv))
			var e *models.Error
			require.ErrorAs(t, err, &e)
			require.Contains(t, e.Fields, tc.field, "%v", e.Fields)
		})
	}
}
