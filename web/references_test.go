package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestReferencesPage: the administrator adds a lab and a CRTE through the page's forms,
// told off in French next to the fields (nothing saved until the forms pass the API's
// rules); others read the lists without a form, and their posts are refused.
func TestReferencesPage(t *testing.T) {
	w := newAxe3Workspace(t)
	ctx := context.Background()
	require.NoError(t, w.store.ImportRegistry(ctx, []models.Collectivite{
		{Type: models.TypeEPCI, Code: "243500139", Siren: "243500139", Name: "Rennes Métropole", Departement: "35", Region: "53", Population: 450_000},
		{Type: models.TypeCommune, Code: "35047", Siren: "213500473", Name: "Bruz", Departement: "35", Region: "53", Population: 18_000},
	}, nil))
	saved := func() (int, int) {
		labs, err := w.store.Labs(ctx)
		require.NoError(t, err)
		crtes, err := w.store.CRTEs(ctx)
		require.NoError(t, err)
		return len(labs), len(crtes)
	}
	csrf := w.signInAs(t, admin)

	status, page, _ := w.get(t, "/axe3/referentiels")
	require.Equal(t, http.StatusOK, status)
	page = html.UnescapeString(page)
	for _, want := range []string{`href="/axe3/referentiels" aria-current="page">Laboratoires et CRTE`, "<td>Labo breton</td><td>Bretagne (53)</td>",
		"<td>CRTE de Rennes</td><td>—</td><td>Rennes (213502388)</td><td>01/07/2021</td>", `id="laboratoire"`, `id="crte-formulaire"`,
		`<option value="11" >Île-de-France (11)</option>`} {
		require.Contains(t, page, want)
	}

	// A lab: an id that cannot name it, then the fields' rules, then a région the registry
	// lacks; said next to the fields, in French, what was typed kept.
	lab := url.Values{"_csrf": {csrf}, "id": {"Labo IDF"}, "name": {"Lab francilien"}, "region": {"11"}}
	status, page, _ = w.post(t, "/axe3/referentiels/laboratoires", lab)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	page = html.UnescapeString(page)
	require.Contains(t, page, `id="lab-id-error">De 1 à 63 lettres minuscules, chiffres et tirets`)
	require.Contains(t, page, `value="Labo IDF"`)
	require.Contains(t, page, `<option value="11" selected>Île-de-France (11)</option>`)
	lab.Set("id", "labo-idf")
	lab.Set("name", " ")
	lab.Set("region", "")
	status, page, _ = w.post(t, "/axe3/referentiels/laboratoires", lab)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="lab-name-error">Ce champ ne peut pas rester vide.`)
	require.Contains(t, page, `id="lab-region-error">Un code de région INSEE à deux chiffres, par exemple 53.`)
	lab.Set("name", "Lab francilien")
	lab.Set("region", "84")
	status, page, _ = w.post(t, "/axe3/referentiels/laboratoires", lab)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, html.UnescapeString(page), `id="lab-region-error">Le répertoire ne connaît pas la région 84.`)
	labs, crtes := saved()
	require.Equal(t, 1, labs, "nothing saved")

	lab.Set("region", "11")
	status, _, h := w.post(t, "/axe3/referentiels/laboratoires", lab)
	require.Equal(t, http.StatusSeeOther, status)
	status, page, _ = w.get(t, h.Get("Location"))
	require.Equal(t, http.StatusOK, status)
	page = html.UnescapeString(page)
	require.Contains(t, page, "Le laboratoire est enregistré.")
	require.Contains(t, page, "<td>Lab francilien</td><td>Île-de-France (11)</td>")
	_, page, _ = w.get(t, "/axe3/referentiels?laboratoire=labo-idf")
	page = html.UnescapeString(page)
	require.Contains(t, page, `value="Lab francilien"`, "the form holds the lab to edit")
	require.Contains(t, page, `<option value="11" selected>`)
	require.Contains(t, page, "Historique du laboratoire Lab francilien")
	require.Contains(t, page, "admin : Laboratoire enregistré")

	// A CRTE: the fields' rules, each SIREN at fault named; covering nothing; a commune
	// given as an EPCI.
	crte := url.Values{"_csrf": {csrf}, "id": {"crte-bruz"}, "name": {""}, "epcis": {"243500130\n\n243500139"}, "communes": {""}, "signed_on": {"15/09/2021"}}
	status, page, _ = w.post(t, "/axe3/referentiels/crte", crte)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	page = html.UnescapeString(page)
	require.Contains(t, page, `id="crte-name-error">Ce champ ne peut pas rester vide.`)
	require.Contains(t, page, `id="crte-epcis-error">« 243500130 » : Un SIREN de 9 chiffres (avec sa clé de contrôle).`)
	require.Contains(t, page, `id="crte-signed_on-error">Une date au format AAAA-MM-JJ.`)
	require.Contains(t, page, "243500130\n\n243500139</textarea>", "what was typed is kept")
	crte.Set("name", "Contrat de Bruz")
	crte.Set("epcis", " ")
	crte.Set("signed_on", "2021-09-15")
	status, page, _ = w.post(t, "/axe3/referentiels/crte", crte)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="crte-epcis-error">Un CRTE couvre au moins un EPCI ou une commune.`)
	crte.Set("epcis", "213500473")
	status, page, _ = w.post(t, "/axe3/referentiels/crte", crte)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, html.UnescapeString(page), `id="crte-epcis-error">Le répertoire ne connaît pas ces EPCI : 213500473.`)
	_, crtes2 := saved()
	require.Equal(t, crtes, crtes2, "nothing saved")

	crte.Set("epcis", "243500139")
	crte.Set("communes", "213500473")
	status, _, h = w.post(t, "/axe3/referentiels/crte", crte)
	require.Equal(t, http.StatusSeeOther, status)
	_, page, _ = w.get(t, h.Get("Location"))
	page = html.UnescapeString(page)
	require.Contains(t, page, "Le CRTE est enregistré.")
	require.Contains(t, page, "<td>Contrat de Bruz</td><td>Rennes Métropole (243500139)</td><td>Bruz (213500473)</td><td>15/09/2021</td>")
	_, page, _ = w.get(t, "/axe3/referentiels?crte=crte-bruz")
	require.Contains(t, page, `name="epcis" rows="3" >243500139</textarea>`, "the form holds the CRTE to edit")
	require.Contains(t, page, `name="signed_on" value="2021-09-15"`)
	status, _, _ = w.get(t, "/axe3/referentiels?laboratoire=nope")
	require.Equal(t, http.StatusNotFound, status)
	trail, err := w.store.AuditTrail(ctx, models.CRTETrailID("crte-bruz"))
	require.NoError(t, err)
	require.Len(t, trail, 1)
	require.Equal(t, admin.Subject, trail[0].Actor)

	// Others read the lists, without the forms; their posts are refused.
	for _, p := range []models.Principal{prefet35, instructor35} {
		csrf = w.signInAs(t, p)
		status, page, _ = w.get(t, "/axe3/referentiels")
		require.Equal(t, http.StatusOK, status)
		require.Contains(t, page, `href="/axe3/referentiels"`, "the navigation links the page")
		require.Contains(t, page, "Contrat de Bruz")
		require.NotContains(t, page, `id="laboratoire"`)
		require.NotContains(t, page, `id="crte-formulaire"`)
		require.NotContains(t, page, "Modifier")
		lab.Set("_csrf", csrf)
		lab.Set("id", "labo-"+p.Subject[:4])
		status, _, _ = w.post(t, "/axe3/referentiels/laboratoires", lab)
		require.Equal(t, http.StatusForbidden, status)
		crte.Set("_csrf", csrf)
		status, _, _ = w.post(t, "/axe3/referentiels/crte", crte)
		require.Equal(t, http.StatusForbidden, status)
	}
	labs2, crtes3 := saved()
	require.Equal(t, []int{labs + 1, crtes + 1}, []int{labs2, crtes3}, "only the administrator's")
}
