package web

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// TestRefusalsFR: the domain's refusals people meet, as the API words them (models'
// errors called for real where they are a function, the workflows' and handlers' words
// otherwise), are French on the pages; every rule of the table is used; a message without
// a rule, or already French, is shown as it is.
func TestRefusalsFR(t *testing.T) {
	claimedJury := models.Task{ID: "d.jury_decision.1", Role: models.RoleJury, Assignee: "juree.2"}
	instructorTask := models.Task{ID: "d.preselection.1", Role: models.RoleInstructor, Scope: models.DepartementScope("75")}
	cases := []struct{ en, fr string }{
		{"task d.preselection.1 is already claimed by instructeur.2", "Cette tâche est déjà prise en charge par instructeur.2."},
		{"task d.preselection.1 is claimed by instructeur.2, not by you", "Cette tâche est prise en charge par instructeur.2, pas par vous."},
		{"task d.preselection.1 is claimed by instructeur.2", "Cette tâche est prise en charge par instructeur.2 : elle seule peut la rendre."},
		{"task d.preselection.1 is not claimed", "Cette tâche n'est prise en charge par personne."},
		{"task d.preselection.1 is already completed", "Cette tâche est déjà terminée."},
		{"task d.preselection.1 is already done", "Cette tâche est déjà terminée."},
		{"task d.preselection.1 is already cancelled", "Cette tâche a été annulée."},
		{"task d.preselection.1 is already claimed", "Cette tâche est déjà prise en charge par quelqu'un."},
		{"task d.preselection.1 is no longer open", "Cette tâche n'est plus ouverte : le dossier a avancé entre-temps."},
		{"task d.preselection.1 is not open on this dossier", "Cette tâche n'est plus ouverte sur ce dossier."},
		{"task d.jury_decision.1 was cancelled: the jury has decided", "Cette tâche a été annulée : la décision du jury l'a devancée."},
		{"task d.signature.1 was cancelled: the agreement was not signed in time", "Cette tâche a été annulée : la convention n'a pas été signée à temps."},
		{"task d.information.1 was cancelled: no answer in time", "Cette tâche a été annulée : le complément n'est pas arrivé à temps."},
		{"task d.x.1 was cancelled: the final statement was filed", "Cette tâche a été annulée : l'état récapitulatif final a été déposé."},
		{"task d.x.1 was cancelled: no final statement before the deadline", "Cette tâche a été annulée : aucun état récapitulatif final avant l'échéance."},
		{"task c.committee_decision.0 was cancelled: the selected services' budgets exceed what envelope axe1.c has left: nothing was reserved",
			"Cette tâche a été annulée : l'enveloppe axe1.c n'a plus de quoi couvrir les budgets des services sélectionnés, et rien n'a été réservé. Une nouvelle tâche de décision vous attend."},
		{"task d.x.1 was cancelled: something new", "Cette tâche a été annulée (something new)."},
		{models.NotYourTask(claimedJury).Error(), "Cette tâche revient à juree.2 : vous ne pouvez pas la terminer."},
		{models.NotYourTask(instructorTask).Error(), "Cette tâche revient au rôle « Instruction » pour le périmètre departement:75, qui n'est pas le vôtre."},
		{"task d.jury_decision.1 is a jury member's vote: its applicant sees the jury's decision, not the votes",
			"Cette tâche est le vote d'un membre du jury : la collectivité voit la décision du jury, pas les votes."},
		{"task d.scoring.0 is the State's instruction: its applicant is told the decision and its motivation, not the instruction",
			"Cette tâche relève de l'instruction par l'État : la collectivité est informée de la décision et de sa motivation, pas de l'instruction."},
		{"a jury member's vote is personal: there is nothing to claim", "Le vote d'un membre du jury lui est personnel : il n'y a rien à prendre en charge."},
		{"a jury member's vote is personal: it cannot be reassigned", "Le vote d'un membre du jury lui est personnel : il ne peut pas être confié à un autre."},
		{"the préfet decides in the programming session: POST /api/v1/axe3/sessions/{id}/decisions",
			"Le préfet décide en séance de programmation, où se tiennent le classement et la motivation d'un écart."},
		{"no task d.preselection.9", "Cette tâche n'existe pas."},
		{"dossier d is outside your scope", "Ce dossier n'est pas dans votre périmètre."},
		{"this action needs the applicant role", "Cette action demande le rôle « Collectivité »."},
		{"this action needs the admin or instructor or prefet role", "Cette action demande le rôle « Administration », « Instruction » ou « Préfet »."},
		{"only the applicant collectivité can change its application", "Seule la collectivité candidate peut modifier sa candidature."},
		{"only the applicant collectivité can answer", "Seule la collectivité candidate peut répondre."},
		{"only the applicant collectivité can amend its dossier", "Seule la collectivité qui a déposé le dossier peut le compléter."},
		{"only an administrator can withdraw a dossier", "Seul un administrateur peut retirer un dossier."},
		{"only an administrator can do this", "Seul un administrateur peut le faire."},
		{"only the call's jury and the national roles (administrators, finance, national instructors) see its session",
			"Seuls le jury de l'appel et les rôles nationaux (administration, finances, instruction nationale) voient sa session."},
		{"only ANCT (an administrator or a national instructor), and a collectivité its own, reads the expressions of interest",
			"Seules l'ANCT (administration ou instruction nationale) et chaque collectivité, pour la sienne, lisent les manifestations d'intérêt."},
		{"only the administrators and finance officers read the ledger", "Seuls l'administration et les agents des finances lisent le grand livre."},
		{"only the State's agents (administrators, finance officers, préfets, instructors) read the programming sessions",
			"Seuls les agents de l'État (administration, finances, préfets, instruction) lisent les séances de programmation."},
		{"only the State's agents (administrators, finance officers, préfets, instructors) read the régions' envelopes",
			"Seuls les agents de l'État (administration, finances, préfets, instruction) lisent les enveloppes des régions."},
		{"only an administrator reads the split of axe3.territorial", "Seul un administrateur lit la répartition de l'enveloppe axe3.territorial."},
		{"dossier is checking: only an incomplete dossier can be amended", "Le dossier est « en vérification » : seul un dossier incomplet peut être complété."},
		{"dossier d is paid: it can no longer be withdrawn", "Le dossier est « payé » : il ne peut plus être retiré."},
		{"dossier is paid: it can no longer be withdrawn", "Le dossier est « payé » : il ne peut plus être retiré."},
		{"dossier closed as refused before the withdrawal took effect", "Le dossier a été clos (« refusé ») avant que le retrait ne prenne effet."},
		{"dossier d is submitted: only a draft can be edited", "Le dossier est « déposé » : seul un brouillon peut être modifié."},
		{"dossier d is jury: no request for information awaits an answer", "Le dossier est « devant le jury » : aucune demande de complément n'attend de réponse."},
		{"dossier d is already withdrawn", "Le dossier est déjà « retiré »."},
		{"dossier d is not a guichet application: it has no checklist", "Ce dossier n'est pas une demande au guichet : il n'a pas de liste de vérification."},
		{"dossier d is not an application to a call", "Ce dossier n'est pas une candidature à un appel à projets."},
		{"the dossier's process is closed: workflow not found", "Le traitement de ce dossier est terminé : il ne reçoit plus d'action."},
		{`no dossier "d"`, "Ce dossier n'existe pas."},
		{"the guichet closed on 2026-06-30T22:00:00Z: it accepts no more applications", "Le guichet est fermé depuis le 01/07/2026 à 00:00 : il ne reçoit plus de demandes."},
		{"call c is not open: it runs from 2026-01-05T08:00:00Z to 2026-03-01T23:00:00Z",
			"L'appel n'est pas ouvert : il reçoit les candidatures du 05/01/2026 à 09:00 au 02/03/2026 à 00:00."},
		{"call c closed on 2026-03-01T23:00:00Z", "L'appel est clos depuis le 02/03/2026 à 00:00."},
		{"call c opens on 2026-01-05T08:00:00Z: save a draft until then", "L'appel ouvre le 05/01/2026 à 09:00 : enregistrez un brouillon d'ici là."},
		{"the jury session of call c is already open (since 2026-04-01T08:00:00Z)", "La session du jury de cet appel est déjà ouverte (depuis le 01/04/2026 à 10:00)."},
		{"strand donnees already has a call for round 2", "Ce volet a déjà un appel pour la vague 2."},
		{`no call "c"`, "Cet appel n'existe pas."},
		{models.ErrCapReached.Error(), "Cette collectivité a déjà obtenu ce financement."},
		{models.ErrEnvelopeExhausted.Error(), "L'enveloppe ne peut pas couvrir ce montant."},
		{"the workflow service did not answer in time; try again", "Le service de traitement n'a pas répondu à temps : réessayez."},
		{models.ErrDatabaseUnavailable.Error(), "La base de données est momentanément indisponible : réessayez dans quelques instants."},
		{"only the préfet deciding on axe3.territorial.53.35 holds its programming sessions",
			"Seul le préfet qui décide sur l'enveloppe axe3.territorial.53.35 tient ses séances de programmation."},
		{"only the préfet of departement:35, or of its région, sets its rules", "Seul le préfet de departement:35, ou de sa région, en fixe les règles."},
		{"only the préfet of région 53 delegates its envelope", "Seul le préfet de la région 53 délègue son enveloppe."},
		{"programming session s is already closed", "Cette séance de programmation est close."},
		{"programming session s is closed", "Cette séance de programmation est close."},
		{"a programming session is already open on axe3.territorial.53.35: close it first",
			"Une séance de programmation est déjà ouverte sur l'enveloppe axe3.territorial.53.35 : clôturez-la d'abord."},
		{"dossier d is not awaiting a decision in session s", "Ce dossier n'attend pas de décision dans cette séance."},
		{"dossier d has no decision awaiting in this session yet: try again in a moment",
			"La décision de ce dossier n'est pas encore ouverte dans cette séance : réessayez dans un instant."},
		{"dossier d is not an Axe 3 application", "Ce dossier n'est pas une demande de subvention préfectorale (axe 3)."},
		{"région 53 has no envelope yet: the administrator splits axe3.territorial first",
			"La région 53 n'a pas encore d'enveloppe : l'administration répartit d'abord l'enveloppe territoriale."},
		{"région 53 has no Axe 3 envelope: the administrator has not split axe3.territorial to it",
			"La région 53 n'a pas encore d'enveloppe : l'administration répartit d'abord l'enveloppe territoriale."},
		{"région 53 has " + models.FormatEuros(120_000_00) + " delegated or engaged: its envelope cannot be " + models.FormatEuros(100_000_00),
			"La région 53 a 120 000,00 € délégués ou engagés : son enveloppe ne peut pas être de 100 000,00 €."},
		{"the regional envelopes sum to 1 000,00 €, not the 2 000,00 € of axe3.territorial",
			"Les enveloppes régionales totalisent 1 000,00 €, et non les 2 000,00 € de axe3.territorial."},
		{"the regional envelope keeps 500,00 €, of which 400,00 € engaged: it cannot delegate 200,00 € more",
			"L'enveloppe régionale garde 500,00 €, dont 400,00 € engagés : elle ne peut pas déléguer 200,00 € de plus."},
		{"envelope axe3.territorial.53.35 has 10,00 € engaged: it cannot be delegated less",
			"L'enveloppe axe3.territorial.53.35 a 10,00 € engagés : elle ne peut pas descendre en dessous."},
		{"envelope axe2 would exceed its parent fund (10,00 € allocated, 5,00 € to the other sub-envelopes)",
			"L'enveloppe axe2 dépasserait sa parente fund (10,00 € alloués, dont 5,00 € aux autres sous-enveloppes)."},
		{"the registry does not know SIREN 200000000: prefectoral grants go to the collectivités and groupings it lists",
			"Le répertoire ne connaît pas le SIREN 200000000 : les subventions préfectorales vont aux collectivités et groupements qu'il liste."},
		// No rule: shown as it is.
		{"le formulaire a expiré", "le formulaire a expiré"},
		{"something nobody translated", "something nobody translated"},
	}
	used := make([]bool, len(refusalsFR))
	for _, c := range cases {
		require.Equal(t, c.fr, refusalFR(c.en), c.en)
		for i, r := range refusalsFR {
			if r.re.MatchString(c.en) {
				used[i] = true
				break
			}
		}
	}
	axe1 := map[*regexp.Regexp]bool{} // Axe 1's rules, french_axe1.go's, are its own
	for _, r := range axe1RefusalsFR {
		axe1[r.re] = true
	}
	for i, u := range used {
		require.True(t, u || axe1[refusalsFR[i].re], "rule %s has a case", refusalsFR[i].re)
	}
	require.Equal(t, "Action impossible dans l'état actuel : Cette tâche est déjà terminée.",
		problemFR(models.Errorf(models.EConflict, "task t is already done")))
}
