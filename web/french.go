package web

import (
	"regexp"

	"github.com/relance/relance/models"
)

// The pages speak French; the API and the domain speak English. These tables give the
// French words for the domain's values, and the French for the field rules' messages
// (models.Validate's), so a form shows the same rules as the API, in French.

var statusLabels = map[models.Status]string{
	models.StatusDraft: "Brouillon", models.StatusSubmitted: "Déposé", models.StatusChecking: "En vérification",
	models.StatusIncomplete: "Incomplet", models.StatusRefused: "Refusé", models.StatusPreselection: "En présélection",
	models.StatusInfoRequested: "Complément demandé", models.StatusPreselected: "Présélectionné", models.StatusJury: "Devant le jury",
	models.StatusWaitingList: "Liste d'attente", models.StatusAwaitingSignature: "Convention à signer", models.StatusLapsed: "Caduc",
	models.StatusAwaitingPayment: "Paiement à effectuer", models.StatusPaid: "Payé",
	models.StatusClosedWithoutAction: "Classé sans suite", models.StatusWithdrawn: "Retiré",
	models.StatusAdmissibility: "En recevabilité", models.StatusScoring: "En notation", models.StatusScored: "Noté, en attente de séance",
	models.StatusInSession: "En séance de programmation", models.StatusInProgress: "Projet en cours", models.StatusRecovery: "Reversement demandé",
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
	models.AuditRefusedAttempt: "Tentative refusée",
	models.AuditAdmissible:     "Recevable", models.AuditScored: "Noté", models.AuditJoinedSession: "En séance de programmation",
	models.AuditPostponed: "Reporté", models.AuditGranted: "Subvention attribuée", models.AuditAdvancePaid: "Avance payée",
	models.AuditStatementFiled: "État final déposé", models.AuditBalancePaid: "Solde payé", models.AuditRemainderFreed: "Reliquat libéré",
	models.AuditRecoveryOrdered: "Reversement ordonné", models.AuditRecovered: "Reversement encaissé",
	models.AuditEnvelopeChanged: "Changement d'enveloppe",
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
	{regexp.MustCompile(`^must be a département code`), "Un code de département, par exemple 01, 2A ou 974."},
	{regexp.MustCompile(`^must be one of `), "Choisissez une valeur de la liste."},
	{regexp.MustCompile(`^must be a région's INSEE code`), "Un code de région INSEE à deux chiffres, par exemple 53."},
	{regexp.MustCompile(`^must not name the same value twice$`), "Cette valeur figure deux fois."},
	{regexp.MustCompile(`^is required for the applicant and partner roles$`), "Obligatoire pour les rôles Collectivité et Partenaire."},
	{regexp.MustCompile(`^must name a préfet's départements`), "Un préfet gouverne des départements nommés, pas tous."},
	{regexp.MustCompile(`^a préfet needs a département or a région$`), "Un préfet gouverne au moins un département ou une région."},
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
