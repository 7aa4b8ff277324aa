package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

type auditExample struct{ action, detail, want string }

// auditExamples are events in the English form their writer stores (the workflows, the
// activities, the store, filing's refusals and reconciler), and as the history shows them.
var auditExamples = []auditExample{
	// Tasks.
	{models.AuditTaskOpened, "service_route task for the instructor role, due 2026-05-03",
		"Tâche ouverte — « Choix de la voie d'un service » pour le rôle Instruction, à rendre le 03/05/2026"},
	{models.AuditTaskOpened, "committee_opinions task for comite.amf", "Tâche ouverte — « Avis du comité de sélection » pour comite.amf"},
	{models.AuditTaskOpened, "preselection", "Tâche ouverte — « Présélection »"}, // the demonstration seed's
	{models.AuditTaskOpened, "", "Tâche ouverte"},
	{models.AuditTaskCompleted, "service_route: routed Aucun service existant ne répond.",
		"Tâche terminée — « Choix de la voie d'un service » : Voie choisie — Aucun service existant ne répond."},
	{models.AuditTaskCompleted, "service_payment: paid ", "Tâche terminée — « Paiement sur le budget d'un service » : Payé"},
	{models.AuditTaskCancelled, "service_payment: the service is delivered",
		"Tâche annulée — « Paiement sur le budget d'un service » — le service est livré"},
	{models.AuditTaskCancelled, "service_payment: a reason of tomorrow", "Tâche annulée — « Paiement sur le budget d'un service » — a reason of tomorrow"},
	{models.AuditTaskClaimed, "claimed by instructrice.anct", "Tâche prise — par instructrice.anct"},
	{models.AuditTaskUnclaimed, "released by admin", "Tâche rendue — par admin"},
	{models.AuditTaskReminded, "Reminder: service_beta task due 2026-06-01 (dossier 0190f3b4)",
		"Relance envoyée — « Jalon : bêta avec les territoires référents », à rendre le 01/06/2026"},
	{models.AuditTaskEscalated, "Overdue: service_beta task was due 2026-06-01 (dossier 0190f3b4)",
		"Retard signalé — « Jalon : bêta avec les territoires référents », attendue le 01/06/2026"},
	{models.AuditTaskReassigned, "reassigned from nobody to finance.bis by admin: finance.anct est en congé",
		"Tâche réattribuée — de personne à finance.bis, par admin — finance.anct est en congé"},
	{models.AuditTaskExtended, "service_delivery task due 2026-07-01T10:00:00Z (was 2026-06-01T10:00:00Z), moved by admin: attente du contrat",
		"Échéance reportée — « Livraison au Territoires Store » à rendre le 01/07/2026 à 12:00 au lieu du 01/06/2026 à 12:00, par admin — attente du contrat"},
	{models.AuditRefusedAttempt, "POST /taches/t1/prendre by agent.rennes [applicant,partner] refused, forbidden: this action needs the instructor role",
		"Tentative refusée — « POST /taches/t1/prendre » par agent.rennes (Collectivité, Partenaire) : Action non autorisée — " +
			refusalFR("this action needs the instructor role")},
	{models.AuditRefusedAttempt, "POST /taches/t1 by instr [instructor] refused, invalid: data.contact: must not be blank",
		"Tentative refusée — « POST /taches/t1 » par instr (Instruction) : Le formulaire contient des erreurs — data.contact : Ce champ ne peut pas rester vide."},
	{models.AuditRefusedAttempt, "POST /taches/t1 by instr [instructor] refused, invalid: invalid input",
		"Tentative refusée — « POST /taches/t1 » par instr (Instruction) : Le formulaire contient des erreurs — plusieurs champs sont à corriger"},

	// Filing, checks and closings of every kind.
	{models.AuditSubmitted, "franceconnect application filed for SIREN 213502388", "Dépôt — raccordement à FranceConnect, SIREN 213502388"},
	{models.AuditSubmitted, "api application filed for SIREN 213502388", "Dépôt — raccordement à une API nationale, SIREN 213502388"},
	{models.AuditSubmitted, "application to call 0190f3b4-0000-7000-8000-000000000001, 150 000,00 € requested",
		"Dépôt — candidature à l'appel 0190f3b4, 150 000,00 € demandés"},
	{models.AuditSubmitted, "prefectoral application, 40 000,00 € requested", "Dépôt — demande de subvention préfectorale, 40 000,00 € demandés"},
	{models.AuditSubmitted, "proposal to campaign 0190f3b4-0000-7000-8000-000000000002", "Dépôt — proposition à la campagne 0190f3b4"},
	{models.AuditSubmitted, "", "Dépôt"}, // the seed's
	{models.AuditEligible, "the applicant and its partners cover every commune of départements 22, 29 and 35, and 2,345,678 inhabitants (at least 500,000)",
		"Éligible — La collectivité et ses partenaires couvrent toutes les communes des départements 22, 29 et 35, et 2 345 678 habitants (au moins 500 000)."},
	{models.AuditEligible, "the applicant and its partners cover 620,000 inhabitants, at least 500,000",
		"Éligible — La collectivité et ses partenaires couvrent 620 000 habitants, au moins 500 000."},
	{models.AuditEligible, "the applicant and its partners cover every commune of département 35",
		"Éligible — La collectivité et ses partenaires couvrent toutes les communes du département 35."},
	{models.AuditEligible, "the applicant has 220,000 inhabitants (no population cap), every expense line is eligible, and public funding of 40 000,00 € is within 80% of the eligible cost of 50 000,00 €",
		"Éligible — La collectivité compte 220 000 habitants (pas de plafond de population), toutes les dépenses sont éligibles, et les financements publics de 40 000,00 € restent dans la limite de 80 % des dépenses éligibles de 50 000,00 €."},
	{models.AuditIncomplete, "2 item(s) missing", "Incomplet — 2 engagement(s) du cahier des charges manquant(s)"},
	{models.AuditAmended, "checklist amended", "Complété — engagements du cahier des charges complétés"},
	{models.AuditFunded, "5 000,00 € reserved on axe2.guichet", "Financé — 5 000,00 € réservés sur l'enveloppe axe2.guichet"},
	{models.AuditRefused, "not eligible: the applicant and its partners cover 12,000 inhabitants, fewer than 500,000; they cover no whole département: the closest is département 35, 12 of its 333 communes",
		"Refus — non éligible : La collectivité et ses partenaires couvrent 12 000 habitants, moins de 500 000. Ils ne couvrent aucun département entier : le plus proche est le département 35, 12 de ses 333 communes."},
	{models.AuditRefused, "not eligible: the applicant and its partners cover no commune of the registry, so neither 500,000 inhabitants nor a whole département; SIREN 200000172 is not a collectivité or structure of the registry",
		"Refus — non éligible : La collectivité et ses partenaires ne couvrent aucune commune du répertoire : ni 500 000 habitants, ni un département entier. Le SIREN 200000172 n'est pas une collectivité ou une structure du répertoire."},
	{models.AuditRefused, "not eligible: they cover no whole département", "Refus — non éligible : Ils ne couvrent aucun département entier."},
	{models.AuditRefused, "not eligible: the applicant has 250,000 inhabitants, more than the 100,000 its territory (53) set as the cap",
		"Refus — non éligible : La collectivité compte 250 000 habitants, plus que le plafond de 100 000 fixé pour son territoire (53)."},
	{models.AuditRefused, "the jury refused: 1 vote(s) to grant, 2 to refuse", "Refus — le jury a refusé (1 vote(s) pour attribuer, 2 pour refuser)"},
	{models.AuditRefused, "the jury refused: every member of the jury declared a conflict of interest",
		"Refus — le jury a refusé (tous les membres du jury se sont déportés)"},
	{models.AuditRefused, "not preselected: Projet hors du champ de l'appel.", "Refus — non présélectionné — Projet hors du champ de l'appel."},
	{models.AuditRefused, "inadmissible: Pièces justificatives absentes.", "Refus — irrecevable — Pièces justificatives absentes."},
	{models.AuditRefused, "refused by the préfet: Priorité aux projets mutualisés.", "Refus — refusé par le préfet — Priorité aux projets mutualisés."},
	{models.AuditRefused, "SIREN 213502388 is not a collectivité or grouping of the registry",
		"Refus — le SIREN 213502388 n'est pas une collectivité ou un groupement du répertoire"},
	{models.AuditRefused, "collectivité 213502388 already holds its franceconnect funding (dossier 0190f3b4-0000-7000-8000-000000000003)",
		"Refus — la collectivité 213502388 a déjà obtenu le financement du raccordement à FranceConnect (dossier 0190f3b4)"},
	{models.AuditRefused, "collectivité 213502388 already holds its api funding",
		"Refus — la collectivité 213502388 a déjà obtenu le financement du raccordement à une API nationale"},
	{models.AuditRefused, "the guichet envelope cannot cover 5 000,00 €", "Refus — l'enveloppe du guichet ne peut pas couvrir 5 000,00 €"},
	{models.AuditLapsed, "no amendment within 720h0m0s: closed without action", "Caducité — aucun complément dans le délai de 30 jours : classé sans suite"},
	{models.AuditLapsed, "no answer to the request for information within 336h0m0s",
		"Caducité — aucune réponse à la demande de complément dans le délai de 14 jours"},
	{models.AuditLapsed, "no answer to the request for information within 2s", "Caducité — aucune réponse à la demande de complément dans le délai de 2 secondes"},
	{models.AuditLapsed, "the financing agreement was not signed before its deadline; the grant went back to the envelope",
		"Caducité — la convention n'a pas été signée avant son échéance ; la subvention est revenue à l'enveloppe"},
	{models.AuditLapsed, "the agreement was not signed before its deadline; the grant went back to the envelope",
		"Caducité — la convention n'a pas été signée avant son échéance ; la subvention est revenue à l'enveloppe"},
	{models.AuditLapsed, "no final statement of expenses before the completion deadline; the grant went back to the envelope",
		"Caducité — aucun état récapitulatif final des dépenses avant l'échéance d'achèvement ; la subvention est revenue à l'enveloppe"},
	{models.AuditWithdrawn, "Demande en double.", "Retrait — Demande en double."},
	{models.AuditWithdrawn, "cancelled in Temporal", "Retrait — annulé dans Temporal"},
	{models.AuditWithdrawn, "Demande en double. (committed money kept: dossier 0190f3b4-0000-7000-8000-000000000003's grant is already commit: it cannot be released)",
		"Retrait — Demande en double. (l'argent engagé reste dû : la subvention a déjà son écriture « Engagement »)"},
	{actionProcessStarted, "process started by the reconciler", "Traitement démarré — par le réconciliateur"},

	// Calls for projects.
	{models.AuditPreselection, "waiting for the instructor's preselection", "En présélection — en attente de la présélection par l'instruction"},
	{models.AuditPreselection, "waiting for an ANCT instructor's review", "En présélection — en attente de l'examen par l'instruction de l'ANCT"},
	{models.AuditPreselected, "Projet solide.", "Présélection — Projet solide."},
	{models.AuditInfoRequested, "Merci de joindre le budget détaillé.", "Complément demandé — Merci de joindre le budget détaillé."},
	{models.AuditInfoProvided, "Budget joint.", "Complément fourni — Budget joint."},
	{models.AuditJury, "3 member(s), quorum 2", "Devant le jury — 3 membre(s), quorum de 2"},
	{models.AuditVoted, "grant Bon projet", "Vote — Attribuer — Bon projet"},
	{models.AuditVoted, "refuse ", "Vote — Refuser"},
	{models.AuditRecused, "recuse Élu au conseil de Paris", "Déport — Élu au conseil de Paris"},
	{models.AuditJuryDecided, "granted 120 000,00 € (2 vote(s) to grant, 0 to refuse)",
		"Décision du jury — attribution de 120 000,00 € (2 vote(s) pour attribuer, 0 pour refuser)"},
	{models.AuditJuryDecided, "granted 120 000,00 € (1 vote(s) to grant, 1 to refuse; the chair broke the tie)",
		"Décision du jury — attribution de 120 000,00 € (1 vote(s) pour attribuer, 1 pour refuser ; la présidence a départagé)"},
	{models.AuditJuryDecided, "refused (1 vote(s) to grant, 1 to refuse; a tie, and the chair is recused: no majority to grant)",
		"Décision du jury — refus (1 vote(s) pour attribuer, 1 pour refuser ; égalité, et la présidence est déportée : pas de majorité pour attribuer)"},
	{models.AuditWaitingList, "the envelope cannot cover 120 000,00 € yet", "Liste d'attente — l'enveloppe ne peut pas encore couvrir 120 000,00 €"},
	{models.AuditLaureate, "120 000,00 € reserved on axe2; agreement to sign by 2026-07-15",
		"Lauréat — 120 000,00 € réservés sur l'enveloppe axe2 ; convention à signer d'ici le 15/07/2026"},
	{models.AuditLaureate, "40 000,00 € reserved on axe3.territorial.53.35; ad hoc agreement: the applicant signs, then the State by 2026-07-15",
		"Lauréat — 40 000,00 € réservés sur l'enveloppe axe3.territorial.53.35 ; convention ad hoc, signée par la collectivité puis par l'État d'ici le 15/07/2026"},
	{models.AuditLaureate, "40 000,00 € reserved on axe3.lab; financial annex to CRTE de Rennes: the préfet signs by 2026-07-15",
		"Lauréat — 40 000,00 € réservés sur l'enveloppe axe3.lab ; annexe financière au contrat « CRTE de Rennes », signée par le préfet d'ici le 15/07/2026"},
	{models.AuditAgreementSigned, "120 000,00 € committed on axe2", "Convention signée — 120 000,00 € engagés sur l'enveloppe axe2"},
	{models.AuditPaymentRecorded, "120 000,00 € paid on 2026-08-01, reference VIR-AAP-0001",
		"Paiement enregistré — 120 000,00 € payés le 01/08/2026, référence VIR-AAP-0001"},
	{string(models.StatusPaid), "", "Payé"},

	// Axe 3 prefectoral dossiers.
	{string(models.StatusAdmissibility), "waiting for the prefecture's admissibility check",
		"En recevabilité — en attente de l'examen de recevabilité par la préfecture"},
	{models.AuditAdmissible, "Dossier complet.", "Recevable — Dossier complet."},
	{string(models.StatusScoring), "admissible: waiting for the scores", "En notation — recevable : en attente de la notation"},
	{models.AuditScored, "80/100 (criteria [20 15 18 12 15]), 40 000,00 € proposed",
		"Noté — 80/100 (notes par critère : 20, 15, 18, 12, 15), 40 000,00 € proposés"},
	{models.AuditScored, "80/100, 40 000,00 € proposed: waiting for a programming session on axe3.territorial.53.35",
		"Noté — 80/100, 40 000,00 € proposés : en attente d'une séance de programmation sur l'enveloppe axe3.territorial.53.35"},
	{models.AuditEnvelopeChanged, "axe3.territorial.53.35 was delegated after the filing: the dossier is scored on it, not on axe3.territorial.53.region",
		"Changement d'enveloppe — l'enveloppe axe3.territorial.53.35 a été déléguée après le dépôt : le dossier est noté sur elle, et non sur axe3.territorial.53.region"},
	{models.AuditJoinedSession, "session 0190f3b4-0000-7000-8000-000000000004", "En séance de programmation — séance 0190f3b4"},
	{models.AuditPostponed, "Attendre l'avis de la commission.", "Reporté — Attendre l'avis de la commission."},
	{models.AuditPostponed, "axe3.territorial.53.35 cannot cover 40 000,00 €: postponed to the next session",
		"Reporté — l'enveloppe axe3.territorial.53.35 ne peut pas couvrir 40 000,00 € : reporté à la séance suivante"},
	{models.AuditPostponed, "axe3.lab nor axe3.territorial.53.35 cannot cover 40 000,00 €: postponed to the next session",
		"Reporté — ni l'enveloppe axe3.lab ni l'enveloppe axe3.territorial.53.35 ne peut couvrir 40 000,00 € : reporté à la séance suivante"},
	{models.AuditGranted, "40 000,00 € reserved on axe3.territorial.53.35",
		"Subvention attribuée — 40 000,00 € réservés sur l'enveloppe axe3.territorial.53.35"},
	{models.AuditRankingDeparture, "session 0190f3b4-0000-7000-8000-000000000004: 40 000,00 € granted at rank 3, below a dossier refused or postponed: Projet prêt à démarrer.",
		"Écart au classement — séance 0190f3b4 : 40 000,00 € attribués au rang 3, au-dessous d'un dossier refusé ou reporté — Projet prêt à démarrer."},
	{string(models.StatusInProgress), "final statement due by 2027-07-01; advance up to 12 000,00 €",
		"Projet en cours — état récapitulatif final attendu d'ici le 01/07/2027 ; avance possible jusqu'à 12 000,00 €"},
	{string(models.StatusInProgress), "advance of 7 500,00 € paid; final statement due by 2027-07-01",
		"Projet en cours — avance de 7 500,00 € payée ; état récapitulatif final attendu d'ici le 01/07/2027"},
	{models.AuditAdvancePaid, "advance of 7 500,00 € paid on 2026-09-01, reference VIR-AV-1", "Avance payée — 7 500,00 € payés le 01/09/2026, référence VIR-AV-1"},
	{models.AuditStatementFiled, "actual eligible expenses 45 000,00 € of 50 000,00 € planned: grant 36 000,00 € of 40 000,00 €",
		"État final déposé — dépenses éligibles réalisées : 45 000,00 € sur 50 000,00 € prévus ; subvention finale de 36 000,00 € sur 40 000,00 € attribués"},
	{models.AuditBalancePaid, "balance of 28 500,00 € paid on 2027-08-01, reference VIR-SOLDE-1",
		"Solde payé — 28 500,00 € payés le 01/08/2027, référence VIR-SOLDE-1"},
	{models.AuditRemainderFreed, "4 000,00 € released to axe3.territorial.53.35", "Reliquat libéré — 4 000,00 € rendus à l'enveloppe axe3.territorial.53.35"},
	{models.AuditRecoveryOrdered, "2 500,00 € to recover", "Reversement ordonné — 2 500,00 € à reverser"},
	{models.AuditRecovered, "2 500,00 € recovered on 2027-09-01, reference OR-1", "Reversement encaissé — 2 500,00 € reversés le 01/09/2027, référence OR-1"},
	{string(models.StatusPaid), "grant of 36 000,00 € paid", "Payé — subvention de 36 000,00 € payée"},

	// Axe 1: campaigns, proposals and candidate services.
	{models.AuditCampaignCreated, "Services numériques, édition 2026, budget 5 000 000,00 € on axe1",
		"Campagne créée — « Services numériques, édition 2026 », budget de 5 000 000,00 € sur l'enveloppe axe1"},
	{models.AuditCampaignPhase, "collection (was scheduled)", "Changement de phase — « Recueil des propositions », après « Programmée »"},
	{models.AuditCampaignMoved, "collection 2026-03-01T09:00:00Z → 2026-04-01T08:00:00Z; vote 2026-04-01T08:00:00Z → 2026-05-01T08:00:00Z; " +
		"interest 2026-05-01T08:00:00Z → 2026-06-01T08:00:00Z; build 2026-06-01T08:00:00Z → 2027-06-01T08:00:00Z",
		"Dates déplacées — Recueil des propositions du 01/03/2026 à 10:00 au 01/04/2026 à 10:00 ; Vote des collectivités du 01/04/2026 à 10:00 au 01/05/2026 à 10:00 ; " +
			"Manifestations d'intérêt du 01/05/2026 à 10:00 au 01/06/2026 à 10:00 ; Construction et déploiement du 01/06/2026 à 10:00 au 01/06/2027 à 10:00"},
	{models.AuditCommitteeOpinion, "opinions on 3 service(s)", "Avis du comité — avis sur 3 service(s)"},
	{string(models.StatusAccepted), "Un besoin partagé.", "Retenue pour le vote — Un besoin partagé."},
	{string(models.StatusMerged), "merged into the candidate service of proposal 0190f3b4-0000-7000-8000-000000000005",
		"Regroupée — regroupée dans le service candidat de la proposition 0190f3b4"},
	{string(models.StatusOutOfScope), "Hors du champ de la campagne.", "Hors champ — Hors du champ de la campagne."},
	{string(models.StatusSelected), "selected with a budget of 400 000,00 €: Un besoin partagé.",
		"Sélectionnée — avec un budget de 400 000,00 € — Un besoin partagé."},
	{string(models.StatusSelected), "selected", "Sélectionnée"},
	{string(models.StatusNotSelected), "Des solutions existent déjà.", "Non sélectionnée — Des solutions existent déjà."},
	{string(models.StatusDelivered), "published in the Territoires Store", "Service livré — publié au Territoires Store"},
	{models.AuditServiceCreated, "Rendez-vous, en ligne, estimated at 350 000,00 €", "Service candidat créé — « Rendez-vous, en ligne », coût estimé à 350 000,00 €"},
	{models.AuditServiceMerged, "service 0190f3b4-0000-7000-8000-00000000000a merged into 0190f3b4-0000-7000-8000-00000000000b (2 proposal(s) moved)",
		"Services fusionnés — le service 0190f3b4 est fusionné dans le service 0190f3b4 (2 proposition(s) déplacée(s))"},
	{models.AuditServiceCost, "estimated at 250 000,00 €: deux devis", "Coût estimé — estimé à 250 000,00 € — deux devis"},
	{models.AuditServiceSelected, "selected with a budget of 400 000,00 €: Un besoin partagé.",
		"Service sélectionné — avec un budget de 400 000,00 € — Un besoin partagé."},
	{models.AuditServiceNotSelected, "Des solutions existent déjà.", "Service non sélectionné — Des solutions existent déjà."},
	{models.AuditServiceRouted, "incubator: Aucun service existant.",
		"Voie choisie — Construction d'un nouveau service à l'Incubateur des Territoires — Aucun service existant."},
	{models.AuditServiceVehicle, "scic SCIC Services des Territoires, funded with 50 000,00 €",
		"Structure porteuse financée — Société coopérative d'intérêt collectif (SCIC) « SCIC Services des Territoires », financée à hauteur de 50 000,00 €"},
	{models.AuditServicePaid, "12 500,50 € paid against the budget (payment/0), reference CHORUS-42",
		"Paiement sur le budget du service — 12 500,50 € payés sur le budget du service (paiement n° 1), référence CHORUS-42"},
	{models.AuditServicePaid, "50 000,00 € paid against the budget (vehicle), reference VIR-1",
		"Paiement sur le budget du service — 50 000,00 € payés sur le budget du service (financement de la structure porteuse), référence VIR-1"},
	{models.AuditServiceDelivered, "delivered: published in the Territoires Store; 337 499,50 € of its budget back to the envelope",
		"Service livré — publié au Territoires Store ; 337 499,50 € du budget rendus à l'enveloppe"},
	{models.AuditReferentConfirmed, "territoire référent: SIREN 213502388", "Territoire référent confirmé — SIREN 213502388"},
	{models.AuditProposalMoved, "grouped into service 0190f3b4-0000-7000-8000-00000000000a", "Proposition déplacée — regroupée dans le service 0190f3b4"},
	{models.AuditProposalMoved, "moved from service 0190f3b4-aaaa into service 0190f3b5-bbbb", "Proposition déplacée — du service 0190f3b4 au service 0190f3b5"},

	// The administrator's tables (the store's JSON of the entry before and after).
	{models.AuditPersonAdded, `{"before":null,"after":{"subject":"marie","name":"Marie Dupont","roles":["instructor"],"departements":["35"],"active":true}}`,
		"Fiche ajoutée — identifiant : marie ; nom : Marie Dupont ; rôles : Instruction ; départements : 35 ; compte actif : oui"},
	{models.AuditPersonChanged, `{"before":{"subject":"marie","name":"Marie Dupont","roles":["instructor"],"departements":["35"],"active":true},` +
		`"after":{"subject":"marie","name":"Marie Dupont","roles":["instructor","jury"],"departements":["35"],"active":false}}`,
		"Fiche modifiée — rôles : Instruction → Instruction, Jury ; compte actif : oui → non"},
	{models.AuditPersonRemoved, `{"before":{"subject":"agent.rennes","name":"Agent Rennes","roles":["applicant"],"siren":"213502388","active":true},"after":null}`,
		"Fiche supprimée — identifiant : agent.rennes ; nom : Agent Rennes ; rôles : Collectivité ; SIREN : 213502388 ; compte actif : oui"},
	{models.AuditLabPut, `{"before":null,"after":{"id":"lab-bretagne","name":"Lab Bretagne","region":"53"}}`,
		"Laboratoire enregistré — identifiant : lab-bretagne ; nom : Lab Bretagne ; région : 53"},
	{models.AuditCRTEPut, `{"before":{"id":"crte-rennes","name":"CRTE de Rennes","epcis":["243500139"],"signed_on":"2021-07-01T00:00:00Z"},` +
		`"after":{"id":"crte-rennes","name":"CRTE de Rennes","epcis":["243500139"],"communes":["213502388"],"signed_on":"2021-09-15T00:00:00Z"}}`,
		"CRTE enregistré — communes : — → 213502388 ; signé le : 01/07/2021 → 15/09/2021"},

	{models.AuditStructureSaved, `{"before":{"siren":"200079994","name":"SM Numérique","legal_form":"7354","epcis":["243500139"]},` +
		`"after":{"siren":"200079994","name":"SM Numérique","legal_form":"7354","epcis":["243500139","200039204"]}}`,
		"Structure enregistrée — EPCI : 243500139 → 243500139, 200039204"},
	{"an_action_of_tomorrow", "its detail", "an_action_of_tomorrow — its detail"},
}

// TestAuditEventsInFrench reads each detail in the English form its writer stores and writes
// the event in French; a detail no rule reads is shown as stored.
func TestAuditEventsInFrench(t *testing.T) {
	for _, tt := range auditExamples {
		require.Equal(t, tt.want, auditEventFR(models.AuditEvent{Action: tt.action, Detail: tt.detail}), "%s: %s", tt.action, tt.detail)
	}
}

// TestEveryAuditActionInFrench reads the models' audit actions from their source, so that an
// action added there fails here until it has a French label and an example above; so do the
// actions the workflows name by a status, and the reconciler's.
func TestEveryAuditActionInFrench(t *testing.T) {
	files, err := filepath.Glob("../models/*.go")
	require.NoError(t, err)
	var actions []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			if spec, ok := n.(*ast.ValueSpec); ok && len(spec.Values) == len(spec.Names) {
				for i, name := range spec.Names {
					if lit, ok := spec.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.HasPrefix(name.Name, "Audit") {
						action, err := strconv.Unquote(lit.Value)
						require.NoError(t, err)
						actions = append(actions, action)
					}
				}
			}
			return true
		})
	}
	require.Len(t, actions, 64, "the models' audit actions, as read from their source")
	actions = append(actions, actionProcessStarted)
	for _, s := range []models.Status{models.StatusAdmissibility, models.StatusScoring, models.StatusInProgress, models.StatusPaid,
		models.StatusAccepted, models.StatusMerged, models.StatusSelected, models.StatusOutOfScope, models.StatusNotSelected, models.StatusDelivered} {
		actions = append(actions, string(s))
	}
	for _, a := range actions {
		require.NotEqual(t, a, auditLabelFR(a), "action %q has no French label", a)
		require.True(t, slices.ContainsFunc(auditExamples, func(e auditExample) bool { return e.action == a }), "action %q has no example", a)
	}
}
