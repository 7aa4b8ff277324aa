package e2e

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/app"
	"github.com/relance/relance/models"
	"github.com/relance/relance/registry"
)

const (
	sirenBouchesDuRhone = "221300015"
	sirenIlleEtVilaine  = "223500018"
	sirenBretagne       = "233500016"
	sirenMegalis        = "253514491" // Syndicat mixte Mégalis Bretagne
)

// TestDepartementsRegionsAndStructuresApply: once the administrator has given a
// département its SIREN, it applies to the guichet and is funded, and applies to a call
// for projects alone and is eligible; a département named as partner makes a commune
// eligible; a région alone is eligible; a syndicat mixte is funded by the guichet, within
// the cap of one FranceConnect and one API per SIREN.
func TestDepartementsRegionsAndStructuresApply(t *testing.T) {
	s := startStack(t, newStackFiles(t))
	admin := s.token(t, administrator)
	bdr := s.token(t, applicantOf(sirenBouchesDuRhone))

	guichet := func(token string, kind models.GuichetKind, want models.Status) dossierView {
		t.Helper()
		app := models.GuichetApplication{Kind: kind, ProjectCostCents: 2_000_000, Checklist: completeChecklist(kind)}
		if kind == models.GuichetAPI {
			app.APIName = "api_entreprise"
		}
		r := s.call(t, http.MethodPost, "/api/v1/guichet/applications", token, app)
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var d models.Dossier
		r.decode(t, &d)
		return s.waitStatus(t, token, d.ID, want)
	}

	// Before the administrator's entry, the département is unknown to the guichet.
	d := guichet(bdr, models.GuichetFranceConnect, models.StatusRefused)
	require.Contains(t, d.Reason, "SIREN 221300015 is not a collectivité or grouping of the registry")

	r := s.call(t, http.MethodPut, "/api/v1/collectivites/"+sirenBouchesDuRhone, admin,
		map[string]any{"name": "Département des Bouches-du-Rhône", "legal_form": "7220", "departements": []string{"13"}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r = s.call(t, http.MethodGet, "/api/v1/collectivites/"+sirenBouchesDuRhone, bdr, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var col models.Collectivite
	r.decode(t, &col)
	require.Equal(t, models.TypeDepartement, col.Type)
	require.Equal(t, "13", col.Departement)

	// The rest of the fixture through the import, as `relance import-structures` does.
	require.NoError(t, app.ImportStructures(context.Background(), s.Store, bytes.NewReader(registry.StructuresFixture), nil))

	t.Run("a département is funded by the guichet, once per kind", func(t *testing.T) {
		d := guichet(bdr, models.GuichetFranceConnect, models.StatusAwaitingPayment)
		require.Equal(t, models.Cents(500_000), d.GrantedCents)
		require.Equal(t, "Bouches-du-Rhône", d.ApplicantName)
		require.Equal(t, "13", d.Departement)
		d = guichet(bdr, models.GuichetFranceConnect, models.StatusRefused)
		require.Contains(t, d.Reason, "already holds its franceconnect funding")
	})

	t.Run("a syndicat mixte is funded by the guichet, once per kind", func(t *testing.T) {
		megalis := s.token(t, applicantOf(sirenMegalis))
		d := guichet(megalis, models.GuichetAPI, models.StatusAwaitingPayment)
		require.Equal(t, "Syndicat mixte Mégalis Bretagne", d.ApplicantName)
		require.Equal(t, "35", d.Departement)
		d = guichet(megalis, models.GuichetAPI, models.StatusRefused)
		require.Contains(t, d.Reason, "already holds its api funding")
	})

	t.Run("départements and régions are eligible to a call for projects", func(t *testing.T) {
		call := createCall(t, s, admin, 1)
		apply := func(token string, partners ...string) dossierView {
			t.Helper()
			r := s.call(t, http.MethodPost, "/api/v1/calls/"+call.ID+"/applications", token, aapApplication(10_000_000, partners...))
			require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
			var d models.Dossier
			r.decode(t, &d)
			return s.waitStatus(t, token, d.ID, models.StatusPreselection, models.StatusRefused)
		}
		eligibility := func(d dossierView) string {
			i := slices.IndexFunc(d.Audit, func(e models.AuditEvent) bool { return e.Action == "eligible" })
			require.GreaterOrEqual(t, i, 0, "no eligibility in the trail: %s %s", d.Status, d.Reason)
			return d.Audit[i].Detail
		}

		d := apply(bdr)
		require.Equal(t, models.StatusPreselection, d.Status, d.Reason)
		require.Equal(t, "the applicant and its partners cover every commune of département 13, and 2,087,658 inhabitants (at least 500,000)", eligibility(d))

		rennes := s.token(t, applicantOf(sirenRennes))
		d = apply(rennes, sirenIlleEtVilaine)
		require.Equal(t, models.StatusPreselection, d.Status, "a département named as partner makes the application eligible: %s", d.Reason)
		require.Contains(t, eligibility(d), "every commune of département 35")

		d = apply(s.token(t, applicantOf(sirenBretagne)))
		require.Equal(t, models.StatusPreselection, d.Status, d.Reason)
		require.Contains(t, eligibility(d), "every commune of départements 22, 29, 35 and 56")
	})
}
