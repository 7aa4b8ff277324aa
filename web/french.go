package web

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/relance/relance/models"
)

// The pages speak French; the API and the domain speak English. These tables give the
// French words for the domain's values, and the French for the field rules' messages
// (models.Validate's), so a form shows the same rules as the API, in French.

// statusLabel is a status as a tag or a title shows it: models' French label, capitalised.
func statusLabel(st models.Status) string {
	l := models.StatusOf(st).Label
	if l == "" {
		return string(st)
	}
	r, size := utf8.DecodeRuneInString(l)
	return string(unicode.ToUpper(r)) + l[size:]
}

// statusTone is the DSFR tag's colour of a status: done, refused, waiting on someone.
func statusTone(s models.Status) string {
	switch s {
	case models.StatusPaid, models.StatusPreselected, models.StatusAwaitingPayment, models.StatusInProgress:
		return "success"
	case models.StatusRefused, models.StatusLapsed, models.StatusWithdrawn, models.StatusClosedWithoutAction:
		return "error"
	case models.StatusIncomplete, models.StatusInfoRequested, models.StatusAwaitingSignature, models.StatusRecovery:
		return "warning"
	}
	return "info"
}

var taskLabels = map[models.TaskType]string{
	models.TaskPreselection: "Présélection", models.TaskInformation: "Réponse à une demande de complément",
	models.TaskJuryDecision: "Vote du jury", models.TaskConventionSignature: "Signature de la convention",
	models.TaskDisbursement:  "Paiement",
	models.TaskAdmissibility: "Recevabilité", models.TaskScoring: "Notation", models.TaskProgramming: "Décision en séance de programmation",
	models.TaskAdvanceRequest: "Demande d'avance", models.TaskFinalStatement: "État récapitulatif final des dépenses",
	models.TaskRecovery: "Ordre de reversement", models.TaskCommitteeOpinions: "Avis du comité de sélection",
	models.TaskCommitteeDecision: "Décision du comité de sélection",
}

// committeeTextLabels name the text of each line of a committee form.
var committeeTextLabels = map[string]string{"comment": "Commentaire", "reason": "Motif de la décision"}

var taskStatusLabels = map[models.TaskStatus]string{
	models.TaskOpen: "À prendre", models.TaskClaimed: "Prise en charge", models.TaskDone: "Terminée", models.TaskCancelled: "Annulée",
}

var kindLabels = map[models.DossierKind]string{models.KindGuichet: "Guichet", models.KindAAP: "Appel à projets",
	models.KindPrefectoral: "Subvention préfectorale (Axe 3)"}

var outcomeLabels = map[string]string{
	models.OutcomePreselect: "Présélectionner", models.OutcomeReject: "Rejeter", models.OutcomeRequestInfo: "Demander un complément",
	models.OutcomeAnswered: "Répondre", models.OutcomeSigned: "Signée", models.OutcomePaid: "Payé",
	string(models.VoteGrant): "Attribuer", string(models.VoteRefuse): "Refuser", string(models.VoteRecuse): "Se déporter",
	models.OutcomeAdmissible: "Recevable", models.OutcomeInadmissible: "Irrecevable", models.OutcomeScored: "Noter",
	models.OutcomePostpone: "Reporter à une séance suivante", models.OutcomeRequested: "Demander l'avance",
	models.OutcomeFiled: "Déposer l'état final", models.OutcomeRecovered: "Reversement encaissé",
}

// guichetKindLabels name what a guichet application connects to.
var guichetKindLabels = map[models.GuichetKind]string{models.GuichetFranceConnect: "FranceConnect", models.GuichetAPI: "une API nationale"}

var roleLabels = map[models.Role]string{
	models.RoleApplicant: "Collectivité", models.RoleInstructor: "Instruction", models.RoleJury: "Jury",
	models.RoleFinance: "Finances", models.RoleAdmin: "Administration", models.RolePrefet: "Préfet", models.RolePartner: "Partenaire",
}

// auditLabels name the audit trail's actions.
var auditLabels = map[string]string{
	models.AuditSubmitted: "Dépôt", models.AuditEligible: "Éligible", models.AuditIncomplete: "Incomplet", models.AuditAmended: "Complété",
	models.AuditFunded: "Financé", models.AuditRefused: "Refus", models.AuditLapsed: "Caducité", models.AuditPreselection: "En présélection",
	models.AuditPreselected: "Présélection", models.AuditInfoRequested: "Complément demandé", models.AuditInfoProvided: "Complément fourni",
	models.AuditJury: "Devant le jury", models.AuditVoted: "Vote", models.AuditRecused: "Déport", models.AuditJuryDecided: "Décision du jury",
	models.AuditWaitingList: "Liste d'attente", models.AuditLaureate: "Lauréat", models.AuditAgreementSigned: "Convention signée",
	models.AuditPaymentRecorded: "Paiement enregistré", models.AuditWithdrawn: "Retrait", models.AuditTaskOpened: "Tâche ouverte",
	models.AuditTaskCompleted: "Tâche terminée", models.AuditTaskCancelled: "Tâche annulée", models.AuditTaskClaimed: "Tâche prise",
	models.AuditTaskUnclaimed: "Tâche rendue", models.AuditTaskReminded: "Relance envoyée", models.AuditTaskEscalated: "Retard signalé",
	models.AuditTaskReassigned: "Tâche réattribuée", models.AuditTaskExtended: "Échéance reportée",
	models.AuditRefusedAttempt: "Tentative refusée", models.AuditPersonAdded: "Fiche ajoutée",
	models.AuditPersonChanged: "Fiche modifiée", models.AuditPersonRemoved: "Fiche supprimée",
	models.AuditAdmissible: "Recevable", models.AuditScored: "Noté", models.AuditJoinedSession: "En séance de programmation",
	models.AuditPostponed: "Reporté", models.AuditGranted: "Subvention attribuée", models.AuditAdvancePaid: "Avance payée",
	models.AuditStatementFiled: "État final déposé", models.AuditBalancePaid: "Solde payé", models.AuditRemainderFreed: "Reliquat libéré",
	models.AuditRecoveryOrdered: "Reversement ordonné", models.AuditRecovered: "Reversement encaissé",
	models.AuditEnvelopeChanged: "Changement d'enveloppe", models.AuditRankingDeparture: "Écart au classement",
	actionProcessStarted: "Traitement démarré",

	// Axe 3's reference lists, the administrator's.
	models.AuditLabPut: "Laboratoire enregistré", models.AuditCRTEPut: "CRTE enregistré",
	models.AuditStructureSaved: "Structure enregistrée",
}

// strandFieldLabels name the strands' own fields of an application.
var strandFieldLabels = map[string]string{
	"procedures": "Démarches mises en ligne", "accessibility": "Accessibilité des démarches",
	"datasets": "Jeux de données ouverts ou échangés", "data_governance": "Gouvernance des données",
	"ecosystem_partners": "Partenaires de l'écosystème", "citizen_role": "Place des citoyens",
}

var ledgerKindLabels = map[string]string{"reserve": "Réservation", "commit": "Engagement", "release": "Libération", "pay": "Paiement"}

func label[K ~string](m map[K]string, k K) string {
	if l, ok := m[k]; ok {
		return l
	}
	return string(k)
}

// fieldRulesFR are the field rules' messages (models.fieldMessage) in French.
var fieldRulesFR = []struct {
	re *regexp.Regexp
	fr string
}{
	{regexp.MustCompile(`^is required$`), "Ce champ est obligatoire."},
	{regexp.MustCompile(`^must not be blank$`), "Ce champ ne peut pas rester vide."},
	{regexp.MustCompile(`^must be at least (\d+) characters?$`), "Au moins $1 caractères."},
	{regexp.MustCompile(`^must be at most (\d+) characters?$`), "Au plus $1 caractères."},
	{regexp.MustCompile(`^must be at least (\d+)$`), "Au moins $1."},
	{regexp.MustCompile(`^must be at most (\d+)$`), "Au plus $1."},
	{regexp.MustCompile(`^must be a date as YYYY-MM-DD$`), "Une date au format AAAA-MM-JJ."},
	{regexp.MustCompile(`^must be an amount in cents from 0 to \d+$`), "Un montant positif."},
	{regexp.MustCompile(`^must be a SIREN`), "Un SIREN de 9 chiffres (avec sa clé de contrôle)."},
	{regexp.MustCompile(`^must be an ID as relance gives them`), "Un identifiant tel que relance les donne."},
	{regexp.MustCompile(`^must be a département code`), "Un code de département, par exemple 01, 2A ou 974."},
	{regexp.MustCompile(`^must be one of `), "Choisissez une valeur de la liste."},
	{regexp.MustCompile(`^must be a région's INSEE code`), "Un code de région INSEE à deux chiffres, par exemple 53."},
	{regexp.MustCompile(`^must not name the same value twice$`), "Cette valeur figure deux fois."},
	{regexp.MustCompile(`^is not a task type$`), "Ce type de tâche n'existe pas."},
	{regexp.MustCompile(`^is required for the applicant and partner roles$`), "Obligatoire pour les rôles Collectivité et Partenaire."},
	{regexp.MustCompile(`^must name a préfet's départements`), "Un préfet gouverne des départements nommés, pas tous."},
	{regexp.MustCompile(`^a préfet needs a département or a région$`), "Un préfet gouverne au moins un département ou une région."},
	{regexp.MustCompile(`^is not an item of specification (.+)$`), "Cet engagement ne fait pas partie du cahier des charges $1."},
	{regexp.MustCompile(`^is required to submit$`), "À renseigner pour déposer la candidature."},
	{regexp.MustCompile(`^is required for strand `), "À renseigner pour ce volet."},
	{regexp.MustCompile(`^must be at most (\d+)% of the eligible cost \((.*)\)$`), "Au plus $1 % des dépenses éligibles ($2)."},
	{regexp.MustCompile(`^is the applicant itself$`), "C'est le SIREN de votre collectivité."},
	{regexp.MustCompile(`^appears twice$`), "Cette valeur figure deux fois."},
	{regexp.MustCompile(`^must be after opens_at$`), "La clôture suit l'ouverture."},
	{regexp.MustCompile(`^must be one of the jury's members`), "Le président est l'un des membres du jury."},
	{regexp.MustCompile(`^must be a State representative`), "Le jury est présidé par l'État : le président doit en être un représentant."},
	{regexp.MustCompile(`^must be between 1 and the number of members \((\d+)\)$`), "Entre 1 et le nombre de membres ($1)."},
	{regexp.MustCompile(`^must be exactly (\d+) items$`), "Exactement $1 éléments."},
	{regexp.MustCompile(`^must be at most the project's cost \((.*)\)$`), "Au plus le coût du projet ($1)."},
	{regexp.MustCompile(`^must be at most (.*) \(the request, within the public funding ceiling\)$`), "Au plus $1 (la demande, dans la limite du plafond de financement public)."},
	{regexp.MustCompile(`^must be at most (.*) \((\d+)% of the grant\)$`), "Au plus $1 ($2 % de la subvention)."},
	{regexp.MustCompile(`^is not a lab the administrator listed$`), "Ce laboratoire ne figure pas sur la liste de l'administration."},
	{regexp.MustCompile(`^is a lab of région (\S+), not of the applicant's \((\S+)\)$`), "Ce laboratoire est de la région $1, pas de la vôtre ($2)."},
	{regexp.MustCompile(`^is not a CRTE the administrator listed$`), "Ce CRTE ne figure pas sur la liste de l'administration."},
	{regexp.MustCompile(`^is required to grant$`), "Indiquez le montant attribué."},
	{regexp.MustCompile(`^a grant below a refused or postponed dossier departs from the ranking`), "Attribuer ce dossier, classé sous un dossier refusé ou reporté, s'écarte du classement : motivez-le (au moins 10 caractères)."},
	{regexp.MustCompile(`^give the motivation \(at least 10 characters\)$`), "Donnez la motivation (au moins 10 caractères)."},
	{regexp.MustCompile(`^must be absent for outcome `), "Pas de montant pour cette décision."},
	{regexp.MustCompile(`^must not be in the future$`), "Cette date ne peut pas être dans le futur."},
	{regexp.MustCompile(`^is not a dossier of this session$`), "Ce dossier n'est pas de cette séance."},
	{regexp.MustCompile(`^belongs to région (\S+), not (\S+)$`), "Ce département est de la région $1, pas de la région $2."},
	{regexp.MustCompile(`^must not be negative$`), "Un montant positif."},
	{regexp.MustCompile(`^must not be negative \(0 for no cap\)$`), "Un nombre positif (0 : aucun plafond)."},
	{regexp.MustCompile(`^must be between 1 and 100$`), "Entre 1 et 100."},
	{regexp.MustCompile(`^each weight must be between 0 and 100$`), "Chaque poids est entre 0 et 100."},
	{regexp.MustCompile(`^at least one weight must be positive$`), "Au moins un critère doit avoir un poids."},
	{regexp.MustCompile(`^is not a région code`), "Un code de région INSEE à deux chiffres."},
	{regexp.MustCompile(`^must be at most (\d+) items?$`), "Au plus $1 éléments."},
	{regexp.MustCompile(`^must be 1 to 63 lower-case letters, digits and dashes`), "De 1 à 63 lettres minuscules, chiffres et tirets, commençant par une lettre ou un chiffre."},
	{regexp.MustCompile(`^a CRTE covers at least one EPCI or commune$`), "Un CRTE couvre au moins un EPCI ou une commune."},
	{regexp.MustCompile(`^unknown to the registry as epci: (.+)$`), "Le répertoire ne connaît pas ces EPCI : $1."},
	{regexp.MustCompile(`^unknown to the registry as commune: (.+)$`), "Le répertoire ne connaît pas ces communes : $1."},
	{regexp.MustCompile(`^unknown to the registry: (.+)$`), "Le répertoire ne connaît pas la région $1."},
}

// juryWaitsFR are what a jury's decision still waits for (models.DecideJury's words), in French.
var juryWaitsFR = []struct {
	re *regexp.Regexp
	fr string
}{
	{regexp.MustCompile(`^(\d+) more vote\(s\) for the quorum of (\d+)$`), "Encore $1 vote(s) pour le quorum de $2."},
	{regexp.MustCompile(`^the other members' votes: a tie, and the chair is recused$`), "Les votes des autres membres : égalité, et la présidence est déportée."},
	{regexp.MustCompile(`^the chair's casting vote to break a tie$`), "La voix prépondérante de la présidence, pour départager."},
}

func juryWaitsForFR(msg string) string {
	for _, r := range juryWaitsFR {
		if m := r.re.FindStringSubmatchIndex(msg); m != nil {
			return string(r.re.ExpandString(nil, r.fr, msg, m))
		}
	}
	return msg
}

// fieldMessageFR is a field rule's message in French; a message without a translation is
// shown as the API words it rather than hidden.
func fieldMessageFR(msg string) string {
	for _, r := range fieldRulesFR {
		if m := r.re.FindStringSubmatchIndex(msg); m != nil {
			return string(r.re.ExpandString(nil, r.fr, msg, m))
		}
	}
	return msg
}

// errorTitles title a refused act by its code, over the domain's message.
var errorTitles = map[string]string{
	models.EInvalid: "Le formulaire contient des erreurs", models.EMalformed: "Requête illisible",
	models.ENotFound: "Introuvable", models.EConflict: "Action impossible dans l'état actuel",
	models.EForbidden: "Action non autorisée", models.EUnauthorized: "Connexion requise",
	models.EUnavailable: "Service momentanément indisponible", models.EInternal: "Erreur interne",
}

// refusalsFR are the domain's refusals a person meets on the pages (models.Errorf's and
// the workflows' Update validators' messages, in English for the API), in French: each
// names the problem as the English does, with the statuses, roles and dates in French.
var refusalsFR = []refusalRule{
	// Tasks: taken, given back, completed, cancelled under someone's feet.
	{regexp.MustCompile(`^task \S+ is already claimed by (.+)$`), say("Cette tâche est déjà prise en charge par %s.", 1)},
	{regexp.MustCompile(`^task \S+ is claimed by (.+), not by you$`), say("Cette tâche est prise en charge par %s, pas par vous.", 1)},
	{regexp.MustCompile(`^task \S+ is claimed by (.+)$`), say("Cette tâche est prise en charge par %s : elle seule peut la rendre.", 1)},
	{regexp.MustCompile(`^task \S+ is not claimed$`), say("Cette tâche n'est prise en charge par personne.")},
	{regexp.MustCompile(`^task \S+ is already (completed|done)$`), say("Cette tâche est déjà terminée.")},
	{regexp.MustCompile(`^task \S+ is (?:already )?cancelled$`), say("Cette tâche a été annulée.")},
	{regexp.MustCompile(`^task \S+ is already claimed$`), say("Cette tâche est déjà prise en charge par quelqu'un.")},
	{regexp.MustCompile(`^task \S+ is no longer open$`), say("Cette tâche n'est plus ouverte : le dossier a avancé entre-temps.")},
	{regexp.MustCompile(`^task \S+ is not open on this dossier$`), say("Cette tâche n'est plus ouverte sur ce dossier.")},
	{regexp.MustCompile(`^task \S+ was cancelled: the jury has decided$`), say("Cette tâche a été annulée : la décision du jury l'a devancée.")},
	{regexp.MustCompile(`^task \S+ was cancelled: the agreement was not signed in time$`), say("Cette tâche a été annulée : la convention n'a pas été signée à temps.")},
	{regexp.MustCompile(`^task \S+ was cancelled: no answer in time$`), say("Cette tâche a été annulée : le complément n'est pas arrivé à temps.")},
	{regexp.MustCompile(`^task \S+ was cancelled: the final statement was filed$`), say("Cette tâche a été annulée : l'état récapitulatif final a été déposé.")},
	{regexp.MustCompile(`^task \S+ was cancelled: no final statement before the deadline$`), say("Cette tâche a été annulée : aucun état récapitulatif final avant l'échéance.")},
	{regexp.MustCompile(`^task \S+ was cancelled: the selected services' budgets exceed what envelope (\S+) has left: nothing was reserved$`),
		say("Cette tâche a été annulée : l'enveloppe %s n'a plus de quoi couvrir les budgets des services sélectionnés, et rien n'a été réservé. Une nouvelle tâche de décision vous attend.", 1)},
	{regexp.MustCompile(`^task \S+ was cancelled: (.+)$`), say("Cette tâche a été annulée (%s).", 1)},
	{regexp.MustCompile(`^task \S+ is (.+)'s to complete$`), say("Cette tâche revient à %s : vous ne pouvez pas la terminer.", 1)},
	{regexp.MustCompile(`^task \S+ needs the (\w+) role for (.+)$`), func(m []string) string {
		return "Cette tâche revient au rôle « " + label(roleLabels, models.Role(m[1])) + " » pour le périmètre " + m[2] + ", qui n'est pas le vôtre."
	}},
	{regexp.MustCompile(`^task \S+ is a jury member's vote: `), say("Cette tâche est le vote d'un membre du jury : la collectivité voit la décision du jury, pas les votes.")},
	{regexp.MustCompile(`^task \S+ is the State's instruction: `), say("Cette tâche relève de l'instruction par l'État : la collectivité est informée de la décision et de sa motivation, pas de l'instruction.")},
	{regexp.MustCompile(`^a jury member's vote is personal: there is nothing to claim$`), say("Le vote d'un membre du jury lui est personnel : il n'y a rien à prendre en charge.")},
	{regexp.MustCompile(`^a jury member's vote is personal: it cannot be reassigned$`), say("Le vote d'un membre du jury lui est personnel : il ne peut pas être confié à un autre.")},
	{regexp.MustCompile(`^the préfet decides in the programming session`), say("Le préfet décide en séance de programmation, où se tiennent le classement et la motivation d'un écart.")},
	{regexp.MustCompile(`^no task \S+$`), say("Cette tâche n'existe pas.")},
	// Rights.
	{regexp.MustCompile(`^dossier \S+ is outside your scope$`), say("Ce dossier n'est pas dans votre périmètre.")},
	{regexp.MustCompile(`^this action needs the (.+) role$`), func(m []string) string {
		names := strings.Split(m[1], " or ")
		for i, n := range names {
			names[i] = "« " + label(roleLabels, models.Role(n)) + " »"
		}
		return "Cette action demande le rôle " + joinOr(names) + "."
	}},
	{regexp.MustCompile(`^only the applicant collectivité can change its application$`), say("Seule la collectivité candidate peut modifier sa candidature.")},
	{regexp.MustCompile(`^only the applicant collectivité can answer$`), say("Seule la collectivité candidate peut répondre.")},
	{regexp.MustCompile(`^only the applicant collectivité can amend its dossier$`), say("Seule la collectivité qui a déposé le dossier peut le compléter.")},
	{regexp.MustCompile(`^only an administrator can withdraw a dossier$`), say("Seul un administrateur peut retirer un dossier.")},
	{regexp.MustCompile(`^only an administrator can do this$`), say("Seul un administrateur peut le faire.")},
	{regexp.MustCompile(`^only the call's jury and the national roles`), say("Seuls le jury de l'appel et les rôles nationaux (administration, finances, instruction nationale) voient sa session.")},
	{regexp.MustCompile(`^only ANCT \(an administrator or a national instructor\), and a collectivité its own, reads the expressions of interest$`),
		say("Seules l'ANCT (administration ou instruction nationale) et chaque collectivité, pour la sienne, lisent les manifestations d'intérêt.")},
	{regexp.MustCompile(`^only the administrators and finance officers read the ledger$`), say("Seuls l'administration et les agents des finances lisent le grand livre.")},
	{regexp.MustCompile(`^only the State's agents \(administrators, finance officers, préfets, instructors\) read the programming sessions$`),
		say("Seuls les agents de l'État (administration, finances, préfets, instruction) lisent les séances de programmation.")},
	{regexp.MustCompile(`^only the State's agents \(administrators, finance officers, préfets, instructors\) read the régions' envelopes$`),
		say("Seuls les agents de l'État (administration, finances, préfets, instruction) lisent les enveloppes des régions.")},
	{regexp.MustCompile(`^only an administrator reads the split of (\S+)$`), say("Seul un administrateur lit la répartition de l'enveloppe %s.", 1)},
	// The dossier's state.
	{regexp.MustCompile(`^dossier is (\w+): only an incomplete dossier can be amended$`), func(m []string) string {
		return "Le dossier est « " + statusFR(m[1]) + " » : seul un dossier incomplet peut être complété."
	}},
	{regexp.MustCompile(`^dossier (?:\S+ )?is (\w+): it can no longer be withdrawn$`), func(m []string) string {
		return "Le dossier est « " + statusFR(m[1]) + " » : il ne peut plus être retiré."
	}},
	{regexp.MustCompile(`^dossier closed as (\w+) before the withdrawal took effect$`), func(m []string) string {
		return "Le dossier a été clos (« " + statusFR(m[1]) + " ») avant que le retrait ne prenne effet."
	}},
	{regexp.MustCompile(`^dossier \S+ is (\w+): only a draft can be edited$`), func(m []string) string {
		return "Le dossier est « " + statusFR(m[1]) + " » : seul un brouillon peut être modifié."
	}},
	{regexp.MustCompile(`^dossier \S+ is (\w+): no request for information awaits an answer$`), func(m []string) string {
		return "Le dossier est « " + statusFR(m[1]) + " » : aucune demande de complément n'attend de réponse."
	}},
	{regexp.MustCompile(`^dossier \S+ is already (\w+)$`), func(m []string) string { return "Le dossier est déjà « " + statusFR(m[1]) + " »." }},
	{regexp.MustCompile(`^dossier \S+ is not a guichet application: it has no checklist$`), say("Ce dossier n'est pas une demande au guichet : il n'a pas de liste de vérification.")},
	{regexp.MustCompile(`^dossier \S+ is not an application to a call$`), say("Ce dossier n'est pas une candidature à un appel à projets.")},
	{regexp.MustCompile(`^the dossier's process is closed: `), say("Le traitement de ce dossier est terminé : il ne reçoit plus d'action.")},
	{regexp.MustCompile(`^no dossier "?[^"]*"?$`), say("Ce dossier n'existe pas.")},
	// Dates, money, calls.
	{regexp.MustCompile(`^the guichet closed on (\S+): it accepts no more applications$`), func(m []string) string {
		return "Le guichet est fermé depuis le " + dateFR(m[1]) + " : il ne reçoit plus de demandes."
	}},
	{regexp.MustCompile(`^call \S+ is not open: it runs from (\S+) to (\S+)$`), func(m []string) string {
		return "L'appel n'est pas ouvert : il reçoit les candidatures du " + dateFR(m[1]) + " au " + dateFR(m[2]) + "."
	}},
	{regexp.MustCompile(`^call \S+ closed on (\S+)$`), func(m []string) string { return "L'appel est clos depuis le " + dateFR(m[1]) + "." }},
	{regexp.MustCompile(`^call \S+ opens on (\S+): save a draft until then$`), func(m []string) string {
		return "L'appel ouvre le " + dateFR(m[1]) + " : enregistrez un brouillon d'ici là."
	}},
	{regexp.MustCompile(`^the jury session of call \S+ is already open \(since (\S+)\)$`), func(m []string) string {
		return "La session du jury de cet appel est déjà ouverte (depuis le " + dateFR(m[1]) + ")."
	}},
	{regexp.MustCompile(`^strand (\S+) already has a call for round (\d+)$`), say("Ce volet a déjà un appel pour la vague %s.", 2)},
	{regexp.MustCompile(`^no call "?[^"]*"?$`), say("Cet appel n'existe pas.")},
	{regexp.MustCompile(`^this collectivité already holds its funding of this kind$`), say("Cette collectivité a déjà obtenu ce financement.")},
	{regexp.MustCompile(`^the envelope cannot cover this amount$`), say("L'enveloppe ne peut pas couvrir ce montant.")},
	// Axe 3: préfets, programming sessions, envelopes.
	{regexp.MustCompile(`^only the préfet deciding on (\S+) holds its programming sessions$`), say("Seul le préfet qui décide sur l'enveloppe %s tient ses séances de programmation.", 1)},
	{regexp.MustCompile(`^only the préfet of (.+), or of its région, sets its rules$`), say("Seul le préfet de %s, ou de sa région, en fixe les règles.", 1)},
	{regexp.MustCompile(`^only the préfet of région (\S+) delegates its envelope$`), say("Seul le préfet de la région %s délègue son enveloppe.", 1)},
	{regexp.MustCompile(`^programming session \S+ is (?:already )?closed$`), say("Cette séance de programmation est close.")},
	{regexp.MustCompile(`^a programming session is already open on (\S+): close it first$`), say("Une séance de programmation est déjà ouverte sur l'enveloppe %s : clôturez-la d'abord.", 1)},
	{regexp.MustCompile(`^dossier \S+ is not awaiting a decision in session \S+$`), say("Ce dossier n'attend pas de décision dans cette séance.")},
	{regexp.MustCompile(`^dossier \S+ has no decision awaiting in this session yet: try again in a moment$`), say("La décision de ce dossier n'est pas encore ouverte dans cette séance : réessayez dans un instant.")},
	{regexp.MustCompile(`^dossier \S+ is not an Axe 3 application$`), say("Ce dossier n'est pas une demande de subvention préfectorale (axe 3).")},
	{regexp.MustCompile(`^région (\S+) has no (?:Axe 3 )?envelope(?: yet)?: `), say("La région %s n'a pas encore d'enveloppe : l'administration répartit d'abord l'enveloppe territoriale.", 1)},
	{regexp.MustCompile(`^région (\S+) has (.+) delegated or engaged: its envelope cannot be (.+)$`), say("La région %s a %s délégués ou engagés : son enveloppe ne peut pas être de %s.", 1, 2, 3)},
	{regexp.MustCompile(`^the regional envelopes sum to (.+), not the (.+) of (\S+)$`), say("Les enveloppes régionales totalisent %s, et non les %s de %s.", 1, 2, 3)},
	{regexp.MustCompile(`^the regional envelope keeps (.+), of which (.+) engaged: it cannot delegate (.+) more$`), say("L'enveloppe régionale garde %s, dont %s engagés : elle ne peut pas déléguer %s de plus.", 1, 2, 3)},
	{regexp.MustCompile(`^envelope (\S+) has (.+) engaged: it cannot be (?:allocated|delegated) less$`), say("L'enveloppe %s a %s engagés : elle ne peut pas descendre en dessous.", 1, 2)},
	{regexp.MustCompile(`^envelope (\S+) would exceed its parent (\S+) \((.+) allocated, (.+) to the other sub-envelopes\)$`), say("L'enveloppe %s dépasserait sa parente %s (%s alloués, dont %s aux autres sous-enveloppes).", 1, 2, 3, 4)},
	{regexp.MustCompile(`^the registry does not know SIREN (\S+): `), say("Le répertoire ne connaît pas le SIREN %s : les subventions préfectorales vont aux collectivités et groupements qu'il liste.", 1)},
	// Outages.
	{regexp.MustCompile(`^the workflow service did not answer in time; try again$`), say("Le service de traitement n'a pas répondu à temps : réessayez.")},
	{regexp.MustCompile(`^the database is unavailable, retry shortly$`), say("La base de données est momentanément indisponible : réessayez dans quelques instants.")},
}

// refusalRule is a refusal's pattern, and its French from the pattern's submatches.
type refusalRule struct {
	re *regexp.Regexp
	fr func(m []string) string
}

// say is a French message, with the submatches named by groups in its %s.
func say(format string, groups ...int) func([]string) string {
	return func(m []string) string {
		args := make([]any, len(groups))
		for i, g := range groups {
			args[i] = m[g]
		}
		return fmt.Sprintf(format, args...)
	}
}

func statusFR(s string) string {
	if l := models.StatusOf(models.Status(s)).Label; l != "" {
		return l
	}
	return s
}

// dateFR is an RFC 3339 instant as the pages write dates, in Paris.
func dateFR(v string) string {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return v
	}
	return t.In(paris).Format("02/01/2006 à 15:04")
}

func joinOr(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " ou " + words[len(words)-1]
}

// refusalFR is a domain refusal's message in French; a message without a translation (one
// the pages already word in French, or one no page meets) is shown as it is.
func refusalFR(msg string) string {
	for _, r := range refusalsFR {
		if m := r.re.FindStringSubmatch(msg); m != nil {
			return r.fr(m)
		}
	}
	return msg
}

// problemFR is a refused act's title and reason, in French, as a form's alert shows it.
func problemFR(e *models.Error) string {
	return label(errorTitles, e.Code) + " : " + refusalFR(e.Message)
}

// addFieldErrorsFR adds the rules' field errors to a form's, in French.
func addFieldErrorsFR(dst, fields map[string]string) {
	for k, msg := range fields {
		dst[k] = fieldMessageFR(msg)
	}
}
