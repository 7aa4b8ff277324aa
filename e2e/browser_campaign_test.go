package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// moveSchedule moves a campaign's dates through the API, as an administrator, to bring a
// phase the browser needs to now (the form types whole days).
func moveSchedule(t *testing.T, s *stack, token, id string, sch models.Schedule) {
	t.Helper()
	r := s.call(t, http.MethodPut, "/api/v1/campaigns/"+id+"/schedule", token, sch)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
}

// setValue sets an input's value as a person would pick it (date inputs are typed per locale).
func (b *browser) setValue(id, v string) {
	b.t.Helper()
	b.run(chromedp.SetValue(css(`#`+cssID(strings.NewReplacer("[", `\[`, "]", `\]`).Replace(id))), v))
}

// TestWorkspaceAxe1Campaign: the administrator creates a campaign in the browser (told off
// in French first, nothing typed lost), a collectivité proposes during the collection, ANCT
// accepts the proposal in its review form and groups it with another into a candidate
// service, a collectivité votes, and anyone reads the results once the vote has closed.
func TestWorkspaceAxe1Campaign(t *testing.T) {
	paris, rennes := applicantOf(sirenParis), applicantOf(sirenRennes)
	s, b := startWorkspace(t, nil, administrator, instructor, paris, rennes)
	admin, instr := s.token(t, administrator), s.token(t, instructor)

	b.signIn(administrator)
	b.run(chromedp.Navigate(b.url+"/campagnes"), chromedp.WaitVisible(css(`#nouvelle-campagne`)))
	b.accessible("campaigns")
	b.run(chromedp.Click(css(`#nouvelle-campagne`)), chromedp.WaitVisible(css(`#campagne`)))
	// The form takes whole days in Paris: tomorrow there, whatever the hour in UTC.
	inParis, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	day := func(d int) string { return time.Now().In(inParis).AddDate(0, 0, d).Format(time.DateOnly) }
	for id, v := range map[string]string{"collection.opens_at": day(1), "collection.closes_at": day(10), "vote.opens_at": day(11), "vote.closes_at": day(20),
		"interest.opens_at": day(21), "interest.closes_at": day(30), "build.opens_at": day(31), "build.closes_at": day(120)} {
		b.setValue(id, v)
	}
	b.run(chromedp.SendKeys(css(`#budget_cents`), "2 500 000"), chromedp.Clear(css(`#envelope_code`)), chromedp.SendKeys(css(`#envelope_code`), "axe1.navigateur"),
		chromedp.SendKeys(css(`#committee\[0\]\.subject`), "comite.anct"), chromedp.SendKeys(css(`#committee\[0\]\.name`), "Présidente"),
		chromedp.SendKeys(css(`#committee\[1\]\.subject`), "comite.amf"), chromedp.SendKeys(css(`#chair`), "comite.anct"))
	b.submit("/campagnes/nouvelle", `#title-error`)
	b.requireText(`#title-error`, "Ce champ ne peut pas rester vide.")
	b.requireText(`#chair-error`, "L'ANCT préside le comité")
	require.Equal(t, "comite.amf", value(b, chromedp.Value(css(`#committee\[1\]\.subject`))), "what was typed is kept")
	b.accessible("campaign form with errors")
	b.run(chromedp.SendKeys(css(`#title`), "Services de proximité 2026"), chromedp.Click(css(`label[for="committee[0].anct"]`)))
	b.submit("/campagnes/nouvelle", `#calendrier`)
	b.requireText(`.fr-alert--success`, "La campagne est créée")
	b.requireText(`#phase`, "Programmée")
	loc := value(b, chromedp.Location())
	id := loc[strings.LastIndex(loc, "/")+1:]
	if i := strings.Index(id, "?"); i >= 0 {
		id = id[:i]
	}

	// The collection is brought to now (the form types whole days).
	c := s.waitPhase(t, admin, id, models.PhaseScheduled)
	now := time.Now().UTC()
	sch := c.Schedule
	sch.Collection = models.Window{OpensAt: now.Add(2 * time.Second), ClosesAt: now.Add(time.Hour)}
	sch.Vote = models.Window{OpensAt: now.Add(time.Hour), ClosesAt: now.Add(2 * time.Hour)}
	moveSchedule(t, s, admin, id, sch)
	s.waitPhase(t, admin, id, models.PhaseCollection)

	// Paris proposes an existing service, its address mistyped first.
	b.signIn(paris)
	b.run(chromedp.Navigate(b.url+"/campagnes/"+id), chromedp.WaitVisible(css(`#proposer`)))
	b.run(chromedp.Click(css(`#proposer`)), chromedp.WaitVisible(css(`#proposition`)))
	b.run(chromedp.Click(css(`label[for="type-existing"]`)), chromedp.SendKeys(css(`#title`), "Prise de rendez-vous en mairie"),
		chromedp.SendKeys(css(`#description`), "Prise de rendez-vous en ligne pour les titres d'identité, mutualisée entre communes."),
		chromedp.SetValue(css(`#category`), "relation_usagers"), chromedp.SendKeys(css(`#existing_service\.operator`), "Ville de Paris"),
		chromedp.SendKeys(css(`#existing_service\.users`), "Les Parisiens, 40 000 rendez-vous par an"),
		chromedp.SendKeys(css(`#existing_service\.address`), "rdv.paris"), chromedp.SendKeys(css(`#existing_service\.licence`), "EUPL-1.2"),
		chromedp.SendKeys(css(`#existing_service\.cost_cents`), "180 000"))
	b.submit("/campagnes/"+id+"/proposition", `#existing_service\.address-error`)
	b.requireText(`#existing_service\.address-error`, "Une adresse web")
	b.accessible("proposal form with errors")
	b.screenshot("proposition")
	b.run(chromedp.Clear(css(`#existing_service\.address`)), chromedp.SendKeys(css(`#existing_service\.address`), "https://rdv.paris.example"))
	b.submit("/campagnes/"+id+"/proposition", `.fr-alert--success`)
	b.requireText(`.fr-alert--success`, "Votre proposition est déposée")
	loc = value(b, chromedp.Location())
	proposal := strings.TrimPrefix(loc[:strings.Index(loc, "?")], b.url+"/dossiers/")
	b.requireText(`main`, "Prise de rendez-vous en mairie")

	// Rennes proposes a need through the API; ANCT accepts both, Paris's in its review form.
	r := s.call(t, http.MethodPost, "/api/v1/campaigns/"+id+"/proposals", s.token(t, rennes), needProposal())
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var need models.Dossier
	r.decode(t, &need)
	s.waitStatus(t, instr, need.ID, models.StatusReview)
	complete(t, s, instr, openTask(t, s, instr, need.ID, models.TaskProposalReview), models.OutcomeAccept, "", nil, models.StatusAccepted)
	review := openTask(t, s, instr, proposal, models.TaskProposalReview)
	b.signIn(instructor)
	b.run(chromedp.Navigate(b.url+"/taches/"+review), chromedp.WaitVisible(css(`#into_dossier_id`)))
	b.run(chromedp.Click(css(`label[for="outcome-merge"]`)))
	b.submit("/taches/"+review, `#into_dossier_id-error`)
	b.requireText(`#into_dossier_id-error`, "Ce champ est obligatoire.")
	b.accessible("proposal review with errors")
	b.run(chromedp.Click(css(`label[for="outcome-accept"]`)))
	b.submit("/taches/"+review, `.fr-alert--success`)
	b.eventually("/dossiers/"+proposal, `main`, "Retenue pour le vote")

	// ANCT groups both into one candidate service.
	b.run(chromedp.Navigate(b.url+"/campagnes/"+id+"/regroupement"), chromedp.WaitVisible(css(`#nouveau-service`)))
	b.run(chromedp.Click(css(`label[for="pid-`+proposal+`"]`)), chromedp.Click(css(`label[for="pid-`+need.ID+`"]`)),
		chromedp.SendKeys(css(`#title`), "Rendez-vous et participation"), chromedp.SendKeys(css(`#estimated_cost_cents`), "beaucoup"))
	b.submit("/campagnes/"+id+"/services", `#estimated_cost_cents-error`)
	b.requireText(`#estimated_cost_cents-error`, "Un montant en euros")
	require.True(t, value(b, chromedp.Evaluate[bool](`document.querySelector('#pid-`+proposal+`').checked`)), "the ticks are kept")
	b.run(chromedp.SendKeys(css(`#description`), "Prendre rendez-vous en mairie et partager un budget participatif."),
		chromedp.Clear(css(`#estimated_cost_cents`)), chromedp.SendKeys(css(`#estimated_cost_cents`), "350 000"))
	b.submit("/campagnes/"+id+"/services", `.fr-alert--success`)
	b.requireText(`.fr-alert--success`, "Le service candidat est créé.")
	b.requireText(`main`, "Prise de rendez-vous en mairie ; Budget participatif partagé")
	b.accessible("grouping")
	b.screenshot("regroupement")

	// The vote is brought to now; Rennes votes.
	now = time.Now().UTC()
	sch.Collection.ClosesAt = now.Add(2 * time.Second)
	sch.Vote = models.Window{OpensAt: now.Add(2 * time.Second), ClosesAt: now.Add(time.Hour)}
	moveSchedule(t, s, admin, id, sch)
	s.waitPhase(t, admin, id, models.PhaseVote)
	b.signIn(rennes)
	b.run(chromedp.Navigate(b.url+"/campagnes/"+id), chromedp.WaitVisible(css(`#voter`)))
	b.run(chromedp.Click(css(`#voter`)), chromedp.WaitVisible(css(`#bulletin`)))
	b.submit("/campagnes/"+id+"/bulletin", `#service_ids-error`)
	b.requireText(`#service_ids-error`, "Choisissez-en au moins 1.")
	b.run(chromedp.Click(css(`#bulletin label.fr-label`)))
	b.submit("/campagnes/"+id+"/bulletin", `#bulletin-actuel`)
	b.requireText(`.fr-alert--success`, "Votre bulletin est enregistré.")
	b.requireText(`#bulletin-actuel`, "Rendez-vous et participation")
	b.accessible("ballot")
	b.screenshot("bulletin")

	// ANCT reads the ballots one by one from the results, during the vote.
	b.signIn(instructor)
	b.run(chromedp.Navigate(b.url+"/campagnes/"+id), chromedp.WaitVisible(css(`#voir-bulletins`)))
	b.run(chromedp.Click(css(`#voir-bulletins`)), chromedp.WaitVisible(css(`#bulletins`)))
	b.requireText(`#bulletin-`+sirenRennes, "Rendez-vous et participation")
	b.requireText(`#bulletin-`+sirenRennes, rennes.Subject)
	b.requireText(`#bulletin-`+sirenRennes, "Non")
	require.Equal(t, "/campagnes/"+id+"/bulletins.csv", value(b, chromedp.AttributeValue(css(`#export-csv`), "href")).Value)
	b.accessible("ballots")
	b.screenshot("bulletins")

	// Results stay ANCT's during the vote; once it has closed, anyone reads them.
	b.signOut()
	b.run(chromedp.Navigate(b.url+"/campagnes/"+id), chromedp.WaitVisible(css(`#services`)))
	b.requireText(`main`, "Les résultats du vote seront publiés à sa clôture")
	now = time.Now().UTC()
	sch.Vote.ClosesAt = now.Add(2 * time.Second)
	sch.Interest = models.Window{OpensAt: now.Add(2 * time.Second), ClosesAt: now.Add(time.Hour)}
	moveSchedule(t, s, admin, id, sch)
	s.waitPhase(t, admin, id, models.PhaseInterest)
	b.run(chromedp.Navigate(b.url+"/campagnes/"+id), chromedp.WaitVisible(css(`#resultats`)))
	b.requireText(`#resultats tbody`, "Rendez-vous et participation")
	b.requireText(`#resultats tbody tr td:nth-child(3)`, "1")
	b.requireText(`#phase`, "Manifestations d'intérêt")
	b.accessible("public campaign")
	b.screenshot("campagne-publique")
	b.run(chromedp.Navigate(b.url+"/territoires-store"), chromedp.WaitVisible(css(`#vide`)))
	b.accessible("territoires store")
}
