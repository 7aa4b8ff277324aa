package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
	"github.com/relance/relance/store"
)

var (
	anct    = models.Principal{Subject: "instructrice.anct", Name: "Instructrice ANCT", Roles: []models.Role{models.RoleInstructor}, Departements: []string{models.AllDepartements}}
	partner = models.Principal{Subject: "partenaire.asso", Name: "Partenaire associatif", Roles: []models.Role{models.RolePartner}, Siren: "775672272"}
	member  = models.Principal{Subject: "comite.amf", Name: "Membre du comité AMF", Roles: []models.Role{models.RoleJury}}
)

// campaignFixture is a campaign whose phase is the one open day offsets place now in:
// collection from day c (relative to today), then vote, interest and build, ten days each.
type campaignFixture struct {
	campaign  models.Campaign
	services  []string
	proposals []string // Rennes's, then Paris's
}

func seedCampaign(t *testing.T, w *workspace, collectionStartsInDays int) campaignFixture {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, w.store.ImportRegistry(ctx, []models.Collectivite{
		{Type: models.TypeCommune, Code: "35238", Siren: "213502388", Name: "Ville de Rennes", Departement: "35", Region: "53", Population: 220_000},
		{Type: models.TypeCommune, Code: "75056", Siren: "217500016", Name: "Ville de Paris", Departement: "75", Region: "11", Population: 2_100_000},
	}, nil))
	start := time.Now().Add(time.Duration(collectionStartsInDays) * 24 * time.Hour)
	win := func(from, to int) models.Window {
		return models.Window{OpensAt: start.Add(time.Duration(from) * 24 * time.Hour), ClosesAt: start.Add(time.Duration(to) * 24 * time.Hour)}
	}
	id := uuid.NewString()
	c, err := w.store.CreateCampaign(ctx, models.Campaign{ID: id, Title: "Campagne des services de proximité", EnvelopeCode: "axe1.t" + id[:4],
		BudgetCents: models.Euros(2_000_000), Schedule: models.Schedule{Collection: win(0, 10), Vote: win(10, 20), Interest: win(20, 30), Build: win(30, 60)},
		Committee: []models.CommitteeMember{{Subject: "comite.anct", Name: "Présidente", ANCT: true}, {Subject: member.Subject, Name: member.Name}},
		Chair:     "comite.anct", Quorum: 2, BallotSize: 1, ReferentsPerService: 1, Categories: models.DefaultCategories, CreatedBy: "admin"})
	require.NoError(t, err)
	f := campaignFixture{campaign: c}
	for _, p := range []struct{ siren, name, title string }{{"213502388", "Ville de Rennes", "Prise de rendez-vous en mairie"}, {"217500016", "Ville de Paris", "Budget participatif en ligne"}} {
		pid := uuid.NewString()
		payload, _ := json.Marshal(models.Proposal{Type: models.ProposalNeed, Title: p.title, Description: "Un besoin partagé par nos habitants.", Category: "relation_usagers"})
		_, _, err := w.store.CreateDossier(ctx, models.Dossier{ID: pid, Kind: models.KindCoConstruction, Status: models.StatusSubmitted, ApplicantSiren: p.siren,
			ApplicantName: p.name, EnvelopeCode: c.EnvelopeCode, Payload: payload, CallID: c.ID, CreatedBy: "agent"}, store.IdempotencyKey{}, nil)
		require.NoError(t, err)
		require.NoError(t, w.store.SetDossierStatus(ctx, pid, store.StatusChange{Status: models.StatusAccepted, StepKey: pid + "/accepted"}))
		svc, err := w.store.CreateService(ctx, models.CandidateService{ID: uuid.NewString(), CampaignID: c.ID, Title: "Service — " + p.title,
			Description: "Un service candidat issu d'une proposition.", EstimatedCostCents: models.Euros(300_000), CostNote: "devis", ProposalIDs: []string{pid}, CreatedBy: "anct"})
		require.NoError(t, err)
		f.services, f.proposals = append(f.services, svc.ID), append(f.proposals, pid)
	}
	return f
}

func TestCampaignPublicPageShowsResultsOnlyOnceTheVoteHasClosed(t *testing.T) {
	w := newWorkspace(t)
	ctx := context.Background()
	// The vote opened five days ago: results are ANCT's only.
	f := seedCampaign(t, w, -15)
	_, err := w.store.CastBallot(ctx, models.Ballot{CampaignID: f.campaign.ID, Siren: "217500016", ServiceIDs: []string{f.services[1]}, CastBy: "agent.paris"})
	require.NoError(t, err)
	path := "/campagnes/" + f.campaign.ID
	status, page, _ := w.get(t, path)
	require.Equal(t, http.StatusOK, status, "the campaign's page is public")
	require.Contains(t, page, "Vote des collectivités")
	require.Contains(t, page, "Service — Budget participatif en ligne")
	require.NotContains(t, page, `id="resultats"`)
	require.Contains(t, page, "seront publiés à sa clôture")

	w.signIn(t, anct)
	_, page, _ = w.get(t, path)
	require.Contains(t, page, "provisoires")
	require.Regexp(t, `<td>1</td><td>Service — Budget participatif en ligne</td><td>1</td><td>2\x{202f}100\x{202f}000</td>`, page)
	require.Contains(t, page, `href="/campagnes/`+f.campaign.ID+`/regroupement"`)
}

func TestBallotsListedOneByOneFromTheResults(t *testing.T) {
	w := newWorkspace(t)
	ctx := context.Background()
	f := seedCampaign(t, w, -15) // the vote is open
	_, err := w.store.ReplacePriorityMemberships(ctx, []models.PriorityMembership{{Line: 2, Code: "35238", Policy: models.PolicyQuartiers}})
	require.NoError(t, err)
	for _, b := range []models.Ballot{
		{Siren: "217500016", ServiceIDs: []string{f.services[0]}, CastBy: "agent.paris"},
		{Siren: "213502388", ServiceIDs: []string{f.services[0]}, CastBy: "agent.rennes"},
		{Siren: "213502388", ServiceIDs: []string{f.services[1], f.services[0]}, CastBy: "maire.rennes"},
	} {
		b.CampaignID = f.campaign.ID
		_, err := w.store.CastBallot(ctx, b)
		require.NoError(t, err)
	}
	path := "/campagnes/" + f.campaign.ID + "/bulletins"
	status, _, _ := w.get(t, path)
	require.Equal(t, http.StatusSeeOther, status, "signed in only")

	w.signIn(t, applicant)
	status, page, _ := w.get(t, path)
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, html.UnescapeString(page), "Les bulletins sont réservés à l'ANCT jusqu'à la clôture du vote")
	status, _, _ = w.get(t, path+".csv")
	require.Equal(t, http.StatusForbidden, status)

	w.signIn(t, anct)
	_, page, _ = w.get(t, "/campagnes/"+f.campaign.ID)
	require.Contains(t, page, `href="/campagnes/`+f.campaign.ID+`/bulletins" id="voir-bulletins"`, "linked from the results")
	status, page, _ = w.get(t, path)
	require.Equal(t, http.StatusOK, status)
	page = html.UnescapeString(page)
	require.Contains(t, page, "la liste, réservée à l'ANCT jusque-là, change encore")
	require.Regexp(t, `(?s)id="bulletin-213502388">\s*<td>213502388</td><td>Ville de Rennes</td><td>Commune</td><td>35</td>\s*`+
		`<td><ol><li>Service — Budget participatif en ligne</li><li>Service — Prise de rendez-vous en mairie</li></ol></td>\s*`+
		`<td>Quartiers prioritaires</td>\s*<td>[0-9/: ]+</td><td>maire.rennes</td>\s*<td>Oui, 1 fois</td>`, page)
	require.Regexp(t, `(?s)id="bulletin-217500016">.*<td>—</td>\s*<td>[0-9/: ]+</td><td>agent.paris</td>\s*<td>Non</td>`, page)
	require.Less(t, strings.Index(page, "bulletin-213502388"), strings.Index(page, "bulletin-217500016"), "by SIREN")
	require.NotContains(t, page, `id="suivants"`)

	status, csvText, h := w.get(t, path+".csv")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, h.Get("Content-Type"), "text/csv")
	rows, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3)
	require.Equal(t, "Services choisis", rows[0][4])
	require.Equal(t, "Service — Budget participatif en ligne ; Service — Prise de rendez-vous en mairie", rows[1][4])

	// On the application's clock, not the page's: once the vote has closed there, the list is final.
	w.api.Filing.Now = func() time.Time { return f.campaign.Schedule.Vote.ClosesAt }
	_, page, _ = w.get(t, path)
	require.NotContains(t, html.UnescapeString(page), "change encore")
}

func TestCampaignPublicPageAfterTheVoteAndTheStore(t *testing.T) {
	w := newWorkspace(t)
	ctx := context.Background()
	// The vote closed five days ago: results and decisions are everyone's.
	f := seedCampaign(t, w, -25)
	_, err := w.store.CastBallot(ctx, models.Ballot{CampaignID: f.campaign.ID, Siren: "213502388", ServiceIDs: []string{f.services[0]}, CastBy: "agent.rennes"})
	require.NoError(t, err)
	require.NoError(t, w.store.RecordDecision(ctx, f.campaign, models.CommitteeDecision{Services: []models.ServiceDecision{
		{ServiceID: f.services[0], Selected: true, BudgetCents: models.Euros(400_000), Reason: "Un besoin partagé par beaucoup de communes."},
		{ServiceID: f.services[1], Reason: "Des solutions existent déjà sur le marché."}}}, "comite.anct"))

	status, page, _ := w.get(t, "/campagnes/"+f.campaign.ID)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Manifestations d&#39;intérêt")
	require.Contains(t, page, `id="resultats"`)
	require.NotContains(t, page, "provisoires")
	require.Contains(t, page, "<td>1</td><td>Service — Prise de rendez-vous en mairie</td><td>1</td><td>220\u202f000</td>")
	require.Contains(t, page, "Sélectionné, budget 400")
	require.Contains(t, page, "Motif : Des solutions existent déjà sur le marché.")

	status, page, _ = w.get(t, "/territoires-store")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Aucun service n'est encore livré.")
	_, err = w.store.DeliverService(ctx, f.services[0], "admin",
		models.DeliveryData{HowToJoin: "Écrire à l'ANCT, qui ouvre un compte à la collectivité.", Contact: "store@anct.gouv.fr"})
	require.NoError(t, err)
	_, page, _ = w.get(t, "/territoires-store")
	require.Contains(t, page, "Service — Prise de rendez-vous en mairie")
	require.Contains(t, page, "Prise de rendez-vous en mairie (Ville de Rennes)", "the proposals it came from")

	// The committee's session is its members' and ANCT's; read-only here.
	status, _, _ = w.get(t, "/campagnes/"+f.campaign.ID+"/comite")
	require.Equal(t, http.StatusSeeOther, status)
	w.signIn(t, member)
	status, page, _ = w.get(t, "/campagnes/"+f.campaign.ID+"/comite")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Il manque encore 2 avis pour le quorum.")
	require.Contains(t, page, "Membre du comité AMF — n'a pas encore répondu")
	w.signIn(t, applicant)
	status, _, _ = w.get(t, "/campagnes/"+f.campaign.ID+"/comite")
	require.Equal(t, http.StatusForbidden, status)
}

func TestCampaignFormShowsTheRulesInFrenchAndKeepsWhatWasTyped(t *testing.T) {
	w := newWorkspace(t)
	csrf := w.signIn(t, admin)
	status, page, _ := w.get(t, "/campagnes/nouvelle")
	require.Equal(t, http.StatusOK, status)
	csrf = csrfOf(t, page)
	day := func(d int) string { return time.Now().AddDate(0, 0, d).Format(time.DateOnly) }
	form := url.Values{"_csrf": {csrf}, "title": {"Campagne 2026"}, "budget_cents": {""}, "envelope_code": {"axe2.x"},
		"collection.opens_at": {day(-1)}, "collection.closes_at": {day(10)}, "vote.opens_at": {day(5)}, "vote.closes_at": {day(20)},
		"interest.opens_at": {day(21)}, "interest.closes_at": {day(30)}, "build.opens_at": {day(31)}, "build.closes_at": {day(90)},
		"committee[0].subject": {"comite.anct"}, "committee[0].name": {"Présidente"}, "committee[1].subject": {"comite.amf"},
		"chair": {"comite.amf"}, "quorum": {"3"}, "ballot_size": {"5"}, "referents_per_service": {"10"}}
	status, page, _ = w.post(t, "/campagnes/nouvelle", form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	for _, msg := range []string{
		"Les phases se suivent : celle-ci ouvre après la fin de la précédente.",
		"Une nouvelle sous-enveloppe de l&#39;axe 1, par exemple axe1.2021.",
		"L&#39;ANCT préside le comité",
		"Entre 1 et le nombre de membres (2).",
		`id="budget_cents-error">Ce champ est obligatoire.`,
	} {
		require.Contains(t, page, msg)
	}
	require.Contains(t, page, `id="vote.opens_at-error"`, "the error is next to its field")
	require.Contains(t, page, `value="Campagne 2026"`, "nothing typed is lost")
	require.Contains(t, page, `value="comite.amf"`)

	// With the fields right, the collection opening yesterday is refused.
	form.Set("vote.opens_at", day(11))
	form.Set("envelope_code", "axe1.2026")
	form.Set("chair", "comite.anct")
	form.Set("committee[0].anct", "on")
	form.Set("quorum", "2")
	form.Set("budget_cents", "2 000 000")
	status, page, _ = w.post(t, "/campagnes/nouvelle", form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `<p class="fr-error-text" id="collection.opens_at-error">Une date à venir.</p>`)

	// Only an administrator creates a campaign.
	w.signIn(t, anct)
	status, _, _ = w.get(t, "/campagnes/nouvelle")
	require.Equal(t, http.StatusForbidden, status)
}

func TestProposalFormErrorsAndWindow(t *testing.T) {
	w := newWorkspace(t)
	f := seedCampaign(t, w, -2) // collection open
	path := "/campagnes/" + f.campaign.ID + "/proposition"
	w.signIn(t, applicant)
	status, page, _ := w.get(t, path)
	require.Equal(t, http.StatusOK, status)
	status, page, _ = w.post(t, path, url.Values{"_csrf": {csrfOf(t, page)}, "key": {uuid.NewString()}, "type": {"existing_service"},
		"title": {"Guichet citoyen"}, "description": {"trop court"}, "category": {"relation_usagers"},
		"existing_service.operator": {"Rennes Métropole"}, "existing_service.address": {"pas une adresse"}, "existing_service.cost_cents": {"12 000"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="description-error">Au moins 20 caractères.</p>`)
	require.Contains(t, page, `id="existing_service.address-error">Une adresse web, par exemple https://exemple.fr.</p>`)
	require.Contains(t, page, `id="existing_service.users-error">Ce champ ne peut pas rester vide.</p>`)
	require.Contains(t, page, `value="Rennes Métropole"`)

	// A partner names itself.
	w.signIn(t, partner)
	_, page, _ = w.get(t, path)
	require.Contains(t, page, "Nom de votre organisation")
	status, page, _ = w.post(t, path, url.Values{"_csrf": {csrfOf(t, page)}, "key": {uuid.NewString()}, "type": {"need"},
		"title": {"Tiers-lieux"}, "description": {"Un annuaire des tiers-lieux numériques du territoire."}, "category": {"economie_locale"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, "Obligatoire pour un partenaire, que le répertoire des collectivités ne nomme pas.")

	// Outside the collection window, the refusal says the dates.
	g := seedCampaign(t, w, 3)
	_, page, _ = w.get(t, "/campagnes/"+g.campaign.ID+"/proposition")
	status, page, _ = w.post(t, "/campagnes/"+g.campaign.ID+"/proposition", url.Values{"_csrf": {csrfOf(t, page)}, "key": {uuid.NewString()},
		"type": {"need"}, "title": {"Tiers-lieux"}, "description": {"Un annuaire des tiers-lieux numériques."}, "category": {"economie_locale"}, "proposer_name": {"Asso"}})
	require.Equal(t, http.StatusConflict, status)
	require.Contains(t, page, "La campagne reçoit les propositions du "+g.campaign.Schedule.Collection.OpensAt.In(paris).Format("02/01/2006 à 15:04"))
}

func TestBallotIsCastThenReplaced(t *testing.T) {
	w := newWorkspace(t)
	f := seedCampaign(t, w, -12) // vote open
	path := "/campagnes/" + f.campaign.ID + "/bulletin"
	w.signIn(t, applicant)
	_, page, _ := w.get(t, "/campagnes/"+f.campaign.ID)
	require.Contains(t, page, `id="voter"`)
	status, page, _ := w.get(t, path)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Service — Prise de rendez-vous en mairie")

	// The campaign's ballots hold one choice.
	status, page, _ = w.post(t, path, url.Values{"_csrf": {csrfOf(t, page)}, "service_ids": f.services})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, "Au plus 1 services (la taille du bulletin de la campagne).")
	require.Equal(t, 2, strings.Count(page, "checked"), "the choices stay ticked")
	status, page, _ = w.post(t, path, url.Values{"_csrf": {csrfOf(t, page)}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, "Choisissez-en au moins 1.")

	status, _, h := w.post(t, path, url.Values{"_csrf": {csrfOf(t, page)}, "service_ids": {f.services[0]}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Contains(t, h.Get("Location"), "info=bulletin-depose")
	status, _, h = w.post(t, path, url.Values{"_csrf": {csrfOf(t, page)}, "service_ids": {f.services[1]}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Contains(t, h.Get("Location"), "info=bulletin-remplace")
	_, page, _ = w.get(t, "/campagnes/"+f.campaign.ID)
	require.Regexp(t, `(?s)id="mon-bulletin"><li>Service — Budget participatif en ligne</li></ul>`, page)

	// A partner does not vote.
	w.signIn(t, partner)
	status, _, _ = w.get(t, path)
	require.Equal(t, http.StatusForbidden, status)
}

func TestGroupingCreatesMergesAndCosts(t *testing.T) {
	w := newWorkspace(t)
	f := seedCampaign(t, w, -2) // collection open: grouping allowed
	path := "/campagnes/" + f.campaign.ID + "/regroupement"
	w.signIn(t, applicant)
	status, _, _ := w.get(t, path)
	require.Equal(t, http.StatusForbidden, status)

	w.signIn(t, anct)
	status, page, _ := w.get(t, path)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Prise de rendez-vous en mairie")
	ctx := context.Background()
	ds, err := w.store.ListDossiers(ctx, anct, store.DossierFilter{Kind: string(models.KindCoConstruction), Call: f.campaign.ID, Limit: 10})
	require.NoError(t, err)
	require.Len(t, ds, 2)

	// A service of no proposal, with a cost in words: both errors next to their fields.
	status, page, _ = w.post(t, "/campagnes/"+f.campaign.ID+"/services", url.Values{"_csrf": {csrfOf(t, page)}, "title": {"Rendez-vous"},
		"description": {"Un service de prise de rendez-vous."}, "estimated_cost_cents": {"beaucoup"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="estimated_cost_cents-error">Un montant en euros`)
	status, page, _ = w.post(t, "/campagnes/"+f.campaign.ID+"/services", url.Values{"_csrf": {csrfOf(t, page)}, "title": {"Rendez-vous"},
		"description": {"Un service de prise de rendez-vous."}, "estimated_cost_cents": {"150000"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, "Choisissez-en au moins 1.")
	require.Contains(t, page, `value="Rendez-vous"`)

	// Both proposals into one new service; the two old ones are left empty, then one merged.
	status, _, h := w.post(t, "/campagnes/"+f.campaign.ID+"/services", url.Values{"_csrf": {csrfOf(t, page)}, "title": {"Rendez-vous et participation"},
		"description": {"Un service de prise de rendez-vous et de participation."}, "estimated_cost_cents": {"150 000"},
		"proposal_ids": {ds[0].ID, ds[1].ID}})
	require.Equal(t, http.StatusSeeOther, status, page)
	require.Contains(t, h.Get("Location"), "info=service-cree")
	// An estimate costs something: the model's rule, empty or zero, as the API answers it.
	cost := "/campagnes/" + f.campaign.ID + "/services/" + f.services[1] + "/cout"
	for _, amount := range []string{"", "0"} {
		status, page, _ = w.post(t, cost, url.Values{"_csrf": {csrfOf(t, page)}, "estimated_cost_cents": {amount}, "cost_note": {"Un devis."}})
		require.Equal(t, http.StatusUnprocessableEntity, status, amount)
		require.Contains(t, page, `id="cout-`+f.services[1]+`-error">Ce champ est obligatoire.</p>`, amount)
	}
	status, _, _ = w.post(t, cost, url.Values{"_csrf": {csrfOf(t, page)}, "estimated_cost_cents": {"90000"}, "cost_note": {"Deux devis de l'incubateur."}})
	require.Equal(t, http.StatusSeeOther, status)
	status, page, _ = w.post(t, "/campagnes/"+f.campaign.ID+"/services/"+f.services[0]+"/fusion", url.Values{"_csrf": {csrfOf(t, page)}})
	require.Equal(t, http.StatusUnprocessableEntity, status, "the act's rule: a service to merge into")
	require.Contains(t, page, `id="fusion-`+f.services[0]+`-error">Ce champ est obligatoire.</p>`)
	status, _, _ = w.post(t, "/campagnes/"+f.campaign.ID+"/services/"+f.services[0]+"/fusion", url.Values{"_csrf": {csrfOf(t, page)},
		"into_service_id": {f.services[1]}})
	require.Equal(t, http.StatusSeeOther, status)
	services, err := w.store.Services(ctx, f.campaign.ID)
	require.NoError(t, err)
	byTitle := map[string]models.CandidateService{}
	for _, s := range services {
		byTitle[s.Title] = s
	}
	require.Len(t, byTitle["Rendez-vous et participation"].ProposalIDs, 2)
	require.Equal(t, models.Euros(150_000), byTitle["Rendez-vous et participation"].EstimatedCostCents)
	require.Equal(t, models.ServiceMerged, byTitle["Service — Prise de rendez-vous en mairie"].Status)
	require.Equal(t, models.Euros(90_000), byTitle["Service — Budget participatif en ligne"].EstimatedCostCents)
	_, page, _ = w.get(t, path)
	require.Contains(t, page, "Coût estimé : 90 000,00 € — Deux devis de l&#39;incubateur.")
	require.NotContains(t, page, `id="service-`+f.services[0]+`"`, "a merged service leaves the list")
}

func TestInterestsAndReferents(t *testing.T) {
	w := newWorkspace(t)
	ctx := context.Background()
	f := seedCampaign(t, w, -25) // interest open
	require.NoError(t, w.store.RecordDecision(ctx, f.campaign, models.CommitteeDecision{Services: []models.ServiceDecision{
		{ServiceID: f.services[0], Selected: true, BudgetCents: models.Euros(400_000), Reason: "Un besoin partagé."},
		{ServiceID: f.services[1], Reason: "Des solutions existent déjà."}}}, "comite.anct"))
	_, err := w.store.ReplacePriorityMemberships(ctx, []models.PriorityMembership{{Line: 2, Code: "35238", Policy: models.PolicyCoeurDeVille}})
	require.NoError(t, err)
	path := "/campagnes/" + f.campaign.ID + "/services/" + f.services[0] + "/interets"
	w.signIn(t, applicant)
	_, page, _ := w.get(t, "/campagnes/"+f.campaign.ID)
	require.Contains(t, page, `href="`+path+`"`)
	status, page, _ := w.get(t, path)
	require.Equal(t, http.StatusOK, status)
	status, page, _ = w.post(t, path, url.Values{"_csrf": {csrfOf(t, page)}, "contact": {"dsi@rennes.fr"}, "use_case": {"court"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="use_case-error">Au moins 10 caractères.</p>`)
	require.Contains(t, page, `value="dsi@rennes.fr"`)
	status, _, _ = w.post(t, path, url.Values{"_csrf": {csrfOf(t, page)}, "contact": {"dsi@rennes.fr"}, "use_case": {"Les rendez-vous de l'état civil."}})
	require.Equal(t, http.StatusSeeOther, status)

	w.signIn(t, anct)
	_, page, _ = w.get(t, path)
	require.Contains(t, page, "Action cœur de ville", "the priority policies are shown beside the interests")
	require.Contains(t, page, "0 référent(s) sur 1")
	status, page, _ = w.post(t, path[:len(path)-len("interets")]+"referents", url.Values{"_csrf": {csrfOf(t, page)}, "siren": {"21350238"}})
	require.Equal(t, http.StatusUnprocessableEntity, status, "the act checks the SIREN the form gives")
	require.Contains(t, page, "Un SIREN de 9 chiffres (avec sa clé de contrôle).")
	status, _, _ = w.post(t, path[:len(path)-len("interets")]+"referents", url.Values{"_csrf": {csrfOf(t, page)}, "siren": {"213502388"}})
	require.Equal(t, http.StatusSeeOther, status)
	_, page, _ = w.get(t, path)
	require.Contains(t, page, "1 référent(s) sur 1")
	require.Contains(t, page, `id="eligibilite"`)
}

func TestProposalPagesAndReviewForm(t *testing.T) {
	w := newWorkspace(t)
	f := seedCampaign(t, w, -2)
	w.signIn(t, applicant)
	_, page, _ := w.get(t, "/campagnes/"+f.campaign.ID)
	require.Regexp(t, `(?s)id="mes-propositions".*Prise de rendez-vous en mairie.*Retenue pour le vote`, page, "my proposals and their status")
	require.NotContains(t, page, "Budget participatif en ligne</a>", "not Paris's")
	status, page, _ := w.get(t, "/dossiers/"+f.proposals[0])
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Un besoin de nouveau service")
	require.Contains(t, page, "Relation aux usagers")

	// ANCT's review: merging needs the accepted proposal to merge into, offered by title.
	ctx := context.Background()
	id := uuid.NewString()
	payload, _ := json.Marshal(models.Proposal{Type: models.ProposalNeed, Title: "Agenda partagé", Description: "Un agenda partagé des associations.", Category: "outils_agents"})
	_, _, err := w.store.CreateDossier(ctx, models.Dossier{ID: id, Kind: models.KindCoConstruction, Status: models.StatusReview, ApplicantSiren: "213502388",
		ApplicantName: "Ville de Rennes", EnvelopeCode: f.campaign.EnvelopeCode, Payload: payload, CallID: f.campaign.ID, CreatedBy: "agent"}, store.IdempotencyKey{}, nil)
	require.NoError(t, err)
	task := models.Task{ID: models.TaskID(id, models.TaskProposalReview, 1), DossierID: id, Type: models.TaskProposalReview, Role: models.RoleInstructor,
		Scope: models.ScopeNational, Status: models.TaskOpen, CreatedAt: time.Now()}
	require.NoError(t, w.store.CreateTask(ctx, task))
	w.signIn(t, anct)
	status, page, _ = w.get(t, "/taches/"+task.ID)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Examen d&#39;une proposition")
	require.Contains(t, page, "Regrouper avec une autre proposition")
	require.Contains(t, page, `<option value="`+f.proposals[1]+`" >Budget participatif en ligne — Ville de Paris</option>`)
	status, page, _ = w.post(t, "/taches/"+task.ID, url.Values{"_csrf": {csrfOf(t, page)}, "outcome": {"merge"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="into_dossier_id-error">Ce champ est obligatoire.</p>`)
	status, page, _ = w.post(t, "/taches/"+task.ID, url.Values{"_csrf": {csrfOf(t, page)}, "outcome": {"out_of_scope"}, "comment": {"Non"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="comment-error">Au moins 10 caractères.</p>`)
	require.Contains(t, page, `value="out_of_scope" checked`)
}

func TestScheduleFormAndPriorityImport(t *testing.T) {
	w := newWorkspace(t)
	f := seedCampaign(t, w, -70) // closed
	w.signIn(t, admin)
	path := "/campagnes/" + f.campaign.ID + "/dates"
	status, page, _ := w.get(t, path)
	require.Equal(t, http.StatusOK, status)
	form := url.Values{"_csrf": {csrfOf(t, page)}}
	for _, k := range phaseFields {
		form.Set(k, time.Now().AddDate(0, 0, 5).Format(time.DateOnly))
	}
	form.Set("vote.closes_at", "bientôt")
	status, page, _ = w.post(t, path, form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `id="vote.closes_at-error">Une date au format AAAA-MM-JJ.</p>`)
	form.Set("vote.closes_at", time.Now().AddDate(0, 0, 5).Format(time.DateOnly))
	status, page, _ = w.post(t, path, form)
	require.Equal(t, http.StatusConflict, status)
	require.Contains(t, page, "La campagne s&#39;est terminée le")

	upload := func(csv string) (int, string) {
		_, page, _ := w.get(t, "/admin/politiques-prioritaires")
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		require.NoError(t, mw.WriteField("_csrf", csrfOf(t, page)))
		fw, err := mw.CreateFormFile("csv", "politiques.csv")
		require.NoError(t, err)
		_, _ = fw.Write([]byte(csv))
		require.NoError(t, mw.Close())
		resp, err := w.client.Post(w.URL+"/admin/politiques-prioritaires", mw.FormDataContentType(), &body)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	status, page = upload("code,policy\n35238,acv\n12,pvd\n217500016,autre\n")
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Regexp(t, `(?s)Ligne 3 : « 12 » n&#39;est ni un SIREN ni un code commune INSEE\..*Ligne 4 : La politique « autre »`, page)
	status, page = upload("code,policy\n35238,acv\n217500016,pvd\n")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Action cœur de ville : 1 membre(s)")
	require.Contains(t, page, "Petites Villes de Demain : 1 membre(s)")
}

// A date left on its day keeps its exact time: an open phase's opening does not move.
func TestScheduleFormKeepsTheTimesOfUnchangedDays(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 37, 0, 0, paris)
	var cur models.Schedule
	for i, p := range models.CampaignPhases {
		cur.SetWindow(p, models.Window{OpensAt: at.AddDate(0, 0, 10*i), ClosesAt: at.AddDate(0, 0, 10*i+9)})
	}
	form := url.Values{}
	shown := map[string]string{}
	scheduleValues(cur, shown)
	for k, v := range shown {
		form.Set(k, v)
	}
	form.Set("vote.closes_at", "2026-03-25")
	errs := map[string]string{}
	got := keepUnchanged(scheduleOf(form, errs), cur, form)
	require.Empty(t, errs)
	require.True(t, got.Collection.OpensAt.Equal(cur.Collection.OpensAt), "10:37 kept")
	require.True(t, got.Vote.OpensAt.Equal(cur.Vote.OpensAt))
	require.True(t, got.Vote.ClosesAt.Equal(time.Date(2026, 3, 26, 0, 0, 0, 0, paris)), "a new last day closes at its end")
	require.True(t, got.Build.ClosesAt.Equal(cur.Build.ClosesAt))
}
