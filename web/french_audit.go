package web

import (
	"cmp"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/relance/relance/models"
)

// A dossier's history in French. The audit trail is stored as the workflows, activities and
// store wrote it, its details in English, and stays so (workflows are shipped, and the trail
// is evidence): each event is put into French as the page shows it, its action by
// auditLabelFR, its detail by the rule of its action below, which reads the detail's English
// form. A detail no rule reads (free text, such as a committee's reason) is shown as stored.

// auditRule reads one English form of an action's detail and writes it in French.
type auditRule struct {
	re *regexp.Regexp
	fr func(m []string) string
}

// auditDetailsFR are the rules of each action's detail, tried in order.
var auditDetailsFR = map[string][]auditRule{
	models.AuditTaskOpened: {
		{regexp.MustCompile(`^(\w+) task for (.+?)(?:, due (\d{4}-\d\d-\d\d))?$`), func(m []string) string {
			out := taskFR(m[1]) + " pour " + assigneeFR(m[2])
			if m[3] != "" {
				out += ", à rendre le " + dayFR(m[3])
			}
			return out
		}},
		{regexp.MustCompile(`^\w+$`), func(m []string) string { return taskFR(m[0]) }}, // the demonstration seed's: the type alone
	},
	models.AuditTaskCompleted: {{regexp.MustCompile(`(?s)^(\w+): (\w+) ?(.*)$`), func(m []string) string {
		return withText(taskFR(m[1])+" : "+label(outcomeLabels, m[2]), m[3])
	}}},
	models.AuditTaskCancelled: {{regexp.MustCompile(`(?s)^(\w+): (.*)$`), func(m []string) string {
		return withText(taskFR(m[1]), label(cancellationsFR, m[2]))
	}}},
	models.AuditTaskClaimed:   {{regexp.MustCompile(`^claimed by (.+)$`), func(m []string) string { return "par " + m[1] }}},
	models.AuditTaskUnclaimed: {{regexp.MustCompile(`^released by (.+)$`), func(m []string) string { return "par " + m[1] }}},
	models.AuditTaskReminded: {{regexp.MustCompile(`^Reminder: (\w+) task due (\S*) \(dossier \S+\)$`), func(m []string) string {
		return taskFR(m[1]) + dueFR(", à rendre le ", m[2])
	}}},
	models.AuditTaskEscalated: {{regexp.MustCompile(`^Overdue: (\w+) task was due (\S*) \(dossier \S+\)$`), func(m []string) string {
		return taskFR(m[1]) + dueFR(", attendue le ", m[2])
	}}},
	models.AuditTaskReassigned: {{regexp.MustCompile(`(?s)^reassigned from (.+?) to (.+?) by (\S+): (.*)$`), func(m []string) string {
		was := m[1]
		if was == "nobody" {
			was = "personne"
		}
		return withText("de "+was+" à "+m[2]+", par "+m[3], m[4])
	}}},
	models.AuditTaskExtended: {{regexp.MustCompile(`(?s)^(\w+) task due (\S+) \(was (\S+)\), moved by (\S+): (.*)$`), func(m []string) string {
		return withText(taskFR(m[1])+" à rendre le "+dateFR(m[2])+" au lieu du "+dateFR(m[3])+", par "+m[4], m[5])
	}}},
	models.AuditRefusedAttempt: {{regexp.MustCompile(`(?s)^(.+) by (\S+) \[([^\]]*)\] refused, (\w+): (.*)$`), func(m []string) string {
		var roles []string
		for _, r := range strings.Split(m[3], ",") {
			if r != "" {
				roles = append(roles, label(roleLabels, models.Role(r)))
			}
		}
		return "« " + m[1] + " » par " + m[2] + " (" + strings.Join(roles, ", ") + ") : " +
			label(errorTitles, m[4]) + " — " + refusedBecauseFR(m[4], m[5])
	}}},
	models.AuditServiceCreated: {{regexp.MustCompile(`(?s)^(.*), estimated at (.+)$`), func(m []string) string {
		return "« " + m[1] + " », coût estimé à " + m[2]
	}}},
	models.AuditServiceMerged: {{regexp.MustCompile(`^service (\S+) merged into (\S+) \((\d+) proposal\(s\) moved\)$`), func(m []string) string {
		return "le service " + shortID(m[1]) + " est fusionné dans le service " + shortID(m[2]) + " (" + m[3] + " proposition(s) déplacée(s))"
	}}},
	models.AuditServiceCost: {{regexp.MustCompile(`(?s)^estimated at (.+?): (.*)$`), func(m []string) string {
		return withText("estimé à "+m[1], m[2])
	}}},
	models.AuditServiceSelected: {{regexp.MustCompile(`(?s)^selected with a budget of (.+?): (.*)$`), func(m []string) string {
		return withText("avec un budget de "+m[1], m[2])
	}}},
	models.AuditServiceRouted: {{regexp.MustCompile(`(?s)^(\w+): (.*)$`), func(m []string) string {
		return withText(label(routeLabels, models.ServiceRoute(m[1])), m[2])
	}}},
	models.AuditServiceVehicle: {{regexp.MustCompile(`(?s)^(\w+) (.*), funded with (.+)$`), func(m []string) string {
		return label(vehicleLabels, models.LegalVehicle(m[1])) + " « " + m[2] + " », financée à hauteur de " + m[3]
	}}},
	models.AuditServicePaid: {{regexp.MustCompile(`(?s)^(.+) paid against the budget \((\S+)\), reference (.*)$`), func(m []string) string {
		return m[1] + " payés sur le budget du service (" + paymentPartFR(m[2]) + "), référence " + m[3]
	}}},
	models.AuditServiceDelivered: {{regexp.MustCompile(`^delivered: published in the Territoires Store; (.+) of its budget back to the envelope$`), func(m []string) string {
		return "publié au Territoires Store ; " + m[1] + " du budget rendus à l'enveloppe"
	}}},
	models.AuditReferentConfirmed: {{regexp.MustCompile(`^territoire référent: SIREN (\S+)$`), func(m []string) string { return "SIREN " + m[1] }}},
	models.AuditProposalMoved: {
		{regexp.MustCompile(`^grouped into service (\S+)$`), func(m []string) string { return "regroupée dans le service " + shortID(m[1]) }},
		{regexp.MustCompile(`^moved from service (\S+) into service (\S+)$`), func(m []string) string {
			return "du service " + shortID(m[1]) + " au service " + shortID(m[2])
		}},
	},

	// A dossier's filing and checks, every kind.
	models.AuditSubmitted: {
		{regexp.MustCompile(`^(\w+) application filed for SIREN (\S+)$`), func(m []string) string {
			return "raccordement à " + label(guichetKindLabels, models.GuichetKind(m[1])) + ", SIREN " + m[2]
		}},
		{regexp.MustCompile(`^application to call (\S+), (.+) requested$`), func(m []string) string {
			return "candidature à l'appel " + shortID(m[1]) + ", " + m[2] + " demandés"
		}},
		{regexp.MustCompile(`^prefectoral application, (.+) requested$`), say("demande de subvention préfectorale, %s demandés", 1)},
		{regexp.MustCompile(`^proposal to campaign (\S+)$`), func(m []string) string { return "proposition à la campagne " + shortID(m[1]) }},
	},
	models.AuditEligible:   {{regexp.MustCompile(`(?s)^.+$`), func(m []string) string { return eligibilityReasonsFR(m[0]) }}},
	models.AuditIncomplete: {{regexp.MustCompile(`^(\d+) item\(s\) missing$`), say("%s engagement(s) du cahier des charges manquant(s)", 1)}},
	models.AuditAmended:    {{regexp.MustCompile(`^checklist amended$`), say("engagements du cahier des charges complétés")}},
	models.AuditFunded:     {reservedOn},
	models.AuditRefused: {
		{regexp.MustCompile(`(?s)^not eligible: (.*)$`), func(m []string) string { return "non éligible : " + eligibilityReasonsFR(m[1]) }},
		{regexp.MustCompile(`^the jury refused: (.*)$`), func(m []string) string { return "le jury a refusé (" + readFR(juryReasonsFR, m[1]) + ")" }},
		{regexp.MustCompile(`(?s)^not preselected: (.*)$`), func(m []string) string { return withText("non présélectionné", m[1]) }},
		{regexp.MustCompile(`(?s)^` + regexp.QuoteMeta(models.ReasonInadmissible) + `(.*)$`), func(m []string) string { return withText("irrecevable", m[1]) }},
		{regexp.MustCompile(`(?s)^` + regexp.QuoteMeta(models.ReasonRefusedByPrefet) + `(.*)$`), func(m []string) string { return withText("refusé par le préfet", m[1]) }},
		{regexp.MustCompile(`^SIREN (\S+) is not a collectivité or grouping of the registry$`),
			say("le SIREN %s n'est pas une collectivité ou un groupement du répertoire", 1)},
		{regexp.MustCompile(`^collectivité (\S+) already holds its (\w+) funding(?: \(dossier (\S+)\))?$`), func(m []string) string {
			out := "la collectivité " + m[1] + " a déjà obtenu le financement du raccordement à " + label(guichetKindLabels, models.GuichetKind(m[2]))
			if m[3] != "" {
				out += " (dossier " + shortID(m[3]) + ")"
			}
			return out
		}},
		{regexp.MustCompile(`^the guichet envelope cannot cover (.+)$`), say("l'enveloppe du guichet ne peut pas couvrir %s", 1)},
	},
	models.AuditLapsed: {
		{regexp.MustCompile(`^no amendment within (\S+): closed without action$`), func(m []string) string {
			return "aucun complément dans le délai de " + durationFR(m[1]) + " : classé sans suite"
		}},
		{regexp.MustCompile(`^no answer to the request for information within (\S+)$`), func(m []string) string {
			return "aucune réponse à la demande de complément dans le délai de " + durationFR(m[1])
		}},
		{regexp.MustCompile(`^the (?:financing )?agreement was not signed before its deadline; the grant went back to the envelope$`),
			say("la convention n'a pas été signée avant son échéance ; la subvention est revenue à l'enveloppe")},
		{regexp.MustCompile(`^no final statement of expenses before the completion deadline; the grant went back to the envelope$`),
			say("aucun état récapitulatif final des dépenses avant l'échéance d'achèvement ; la subvention est revenue à l'enveloppe")},
	},
	models.AuditWithdrawn: {{regexp.MustCompile(`(?s)^(.*?)(?: \(committed money kept: dossier \S+'s grant is already (\w+): it cannot be released\))?$`),
		func(m []string) string {
			out := label(map[string]string{"cancelled in Temporal": "annulé dans Temporal"}, m[1])
			if m[2] != "" {
				out += " (l'argent engagé reste dû : la subvention a déjà son écriture « " + label(ledgerKindLabels, m[2]) + " »)"
			}
			return out
		}}},
	// The process started again by filing's reconciler (filing/reconciler.go).
	actionProcessStarted: {{regexp.MustCompile(`^process started by the reconciler$`), say("par le réconciliateur")}},

	// Calls for projects (Axe 2), and a proposal's review (Axe 1).
	models.AuditPreselection: {
		{regexp.MustCompile(`^waiting for the instructor's preselection$`), say("en attente de la présélection par l'instruction")},
		{regexp.MustCompile(`^waiting for an ANCT instructor's review$`), say("en attente de l'examen par l'instruction de l'ANCT")},
	},
	models.AuditJury:    {{regexp.MustCompile(`^(\d+) member\(s\), quorum (\d+)$`), say("%s membre(s), quorum de %s", 1, 2)}},
	models.AuditVoted:   {{regexp.MustCompile(`(?s)^(\w+) ?(.*)$`), func(m []string) string { return withText(label(outcomeLabels, m[1]), m[2]) }}},
	models.AuditRecused: {{regexp.MustCompile(`(?s)^recuse ?(.*)$`), func(m []string) string { return m[1] }}},
	models.AuditJuryDecided: {
		{regexp.MustCompile(`^granted (.+?) \((.*)\)$`), func(m []string) string {
			return "attribution de " + m[1] + " (" + readFR(juryReasonsFR, m[2]) + ")"
		}},
		{regexp.MustCompile(`^refused \((.*)\)$`), func(m []string) string { return "refus (" + readFR(juryReasonsFR, m[1]) + ")" }},
	},
	models.AuditWaitingList: {{regexp.MustCompile(`^the envelope cannot cover (.+) yet$`), say("l'enveloppe ne peut pas encore couvrir %s", 1)}},
	models.AuditLaureate: {
		{regexp.MustCompile(`^(.+?) reserved on (\S+); agreement to sign by (\S+)$`), func(m []string) string {
			return m[1] + " réservés sur l'enveloppe " + m[2] + " ; convention à signer d'ici le " + dayFR(m[3])
		}},
		{regexp.MustCompile(`^(.+?) reserved on (\S+); ad hoc agreement: the applicant signs, then the State by (\S+)$`), func(m []string) string {
			return m[1] + " réservés sur l'enveloppe " + m[2] + " ; convention ad hoc, signée par la collectivité puis par l'État d'ici le " + dayFR(m[3])
		}},
		{regexp.MustCompile(`^(.+?) reserved on (\S+); financial annex to (.+): the préfet signs by (\S+)$`), func(m []string) string {
			return m[1] + " réservés sur l'enveloppe " + m[2] + " ; annexe financière au contrat « " + m[3] + " », signée par le préfet d'ici le " + dayFR(m[4])
		}},
	},
	models.AuditAgreementSigned: {{regexp.MustCompile(`^(.+) committed on (\S+)$`), say("%s engagés sur l'enveloppe %s", 1, 2)}},
	models.AuditPaymentRecorded: {paidOn},

	// Axe 3 prefectoral dossiers; the actions named by the status they enter are the workflow's.
	string(models.StatusAdmissibility): {{regexp.MustCompile(`^waiting for the prefecture's admissibility check$`),
		say("en attente de l'examen de recevabilité par la préfecture")}},
	string(models.StatusScoring): {{regexp.MustCompile(`^admissible: waiting for the scores$`), say("recevable : en attente de la notation")}},
	models.AuditScored: {
		{regexp.MustCompile(`^(\d+)/100 \(criteria \[([\d ]*)\]\), (.+) proposed$`), func(m []string) string {
			return m[1] + "/100 (notes par critère : " + strings.Join(strings.Fields(m[2]), ", ") + "), " + m[3] + " proposés"
		}},
		{regexp.MustCompile(`^(\d+)/100, (.+) proposed: waiting for a programming session on (\S+)$`),
			say("%s/100, %s proposés : en attente d'une séance de programmation sur l'enveloppe %s", 1, 2, 3)},
	},
	models.AuditEnvelopeChanged: {{regexp.MustCompile(`^(\S+) was delegated after the filing: the dossier is scored on it, not on (\S+)$`),
		say("l'enveloppe %s a été déléguée après le dépôt : le dossier est noté sur elle, et non sur %s", 1, 2)}},
	models.AuditJoinedSession: {{regexp.MustCompile(`^session (\S+)$`), func(m []string) string { return "séance " + shortID(m[1]) }}},
	models.AuditPostponed: {{regexp.MustCompile(`^(.+) cannot cover (.+): postponed to the next session$`), func(m []string) string {
		envelopes := strings.Split(m[1], " nor ")
		if len(envelopes) == 1 {
			return "l'enveloppe " + m[1] + " ne peut pas couvrir " + m[2] + " : reporté à la séance suivante"
		}
		return "ni l'enveloppe " + strings.Join(envelopes, " ni l'enveloppe ") + " ne peut couvrir " + m[2] + " : reporté à la séance suivante"
	}}},
	models.AuditGranted: {reservedOn},
	models.AuditRankingDeparture: {{regexp.MustCompile(`(?s)^session (\S+): (.+?) granted at rank (\d+), below a dossier refused or postponed: (.*)$`),
		func(m []string) string {
			return withText("séance "+shortID(m[1])+" : "+m[2]+" attribués au rang "+m[3]+", au-dessous d'un dossier refusé ou reporté", m[4])
		}}},
	string(models.StatusInProgress): {
		{regexp.MustCompile(`^final statement due by (\S+); advance up to (.+)$`), func(m []string) string {
			return "état récapitulatif final attendu d'ici le " + dayFR(m[1]) + " ; avance possible jusqu'à " + m[2]
		}},
		{regexp.MustCompile(`^advance of (.+) paid; final statement due by (\S+)$`), func(m []string) string {
			return "avance de " + m[1] + " payée ; état récapitulatif final attendu d'ici le " + dayFR(m[2])
		}},
	},
	models.AuditAdvancePaid: {paidOn},
	models.AuditBalancePaid: {paidOn},
	models.AuditStatementFiled: {{regexp.MustCompile(`^actual eligible expenses (.+?) of (.+?) planned: grant (.+?) of (.+)$`),
		say("dépenses éligibles réalisées : %s sur %s prévus ; subvention finale de %s sur %s attribués", 1, 2, 3, 4)}},
	models.AuditRemainderFreed:  {{regexp.MustCompile(`^(.+) released to (\S+)$`), say("%s rendus à l'enveloppe %s", 1, 2)}},
	models.AuditRecoveryOrdered: {{regexp.MustCompile(`^(.+) to recover$`), say("%s à reverser", 1)}},
	models.AuditRecovered: {{regexp.MustCompile(`^(.+?) recovered on (\S+), reference (.*)$`), func(m []string) string {
		return m[1] + " reversés le " + dayFR(m[2]) + ", référence " + m[3]
	}}},
	string(models.StatusPaid): {{regexp.MustCompile(`^grant of (.+) paid$`), say("subvention de %s payée", 1)}},

	// Axe 1: campaigns, and the proposals' steps named by the status they enter.
	models.AuditCampaignCreated: {{regexp.MustCompile(`(?s)^(.*), budget (.+?) on (\S+)$`), say("« %s », budget de %s sur l'enveloppe %s", 1, 2, 3)}},
	models.AuditCampaignPhase: {{regexp.MustCompile(`^(\w+) \(was (\w+)\)$`), func(m []string) string {
		return "« " + label(phaseLabels, models.Phase(m[1])) + " », après « " + label(phaseLabels, models.Phase(m[2])) + " »"
	}}},
	models.AuditCampaignMoved: {{regexp.MustCompile(`^\w+ \S+ → [^\s;]+(?:; \w+ \S+ → [^\s;]+)*$`), func(m []string) string {
		var windows []string
		for _, w := range phaseWindow.FindAllStringSubmatch(m[0], -1) {
			windows = append(windows, label(phaseLabels, models.Phase(w[1]))+" du "+dateFR(w[2])+" au "+dateFR(w[3]))
		}
		return strings.Join(windows, " ; ")
	}}},
	models.AuditCommitteeOpinion: {{regexp.MustCompile(`^opinions on (\d+) service\(s\)$`), say("avis sur %s service(s)", 1)}},
	string(models.StatusMerged): {{regexp.MustCompile(`^merged into the candidate service of proposal (\S+)$`), func(m []string) string {
		return "regroupée dans le service candidat de la proposition " + shortID(m[1])
	}}},
	string(models.StatusSelected): {
		selectedWithBudget,
		{regexp.MustCompile(`^selected$`), say("")}, // found by the proposal's daily check, which has no reason to give
	},
	string(models.StatusDelivered): {{regexp.MustCompile(`^published in the Territoires Store$`), say("publié au Territoires Store")}},

	// The administrator's tables: a change is stored as the entry before and after (JSON).
	models.AuditPersonAdded:    {entryChange},
	models.AuditPersonChanged:  {entryChange},
	models.AuditPersonRemoved:  {entryChange},
	models.AuditLabPut:         {entryChange},
	models.AuditCRTEPut:        {entryChange},
	models.AuditStructureSaved: {entryChange},
}

// actionProcessStarted is the action filing's reconciler records when it starts a dossier's
// missing process.
const actionProcessStarted = "process_started"

// Rules several actions share.
var (
	reservedOn = auditRule{regexp.MustCompile(`^(.+) reserved on (\S+)$`), say("%s réservés sur l'enveloppe %s", 1, 2)}
	// paidOn reads a payment ("…") and a prefectoral grant's part ("advance of …").
	paidOn = auditRule{regexp.MustCompile(`^(?:\w+ of )?(.+?) paid on (\S+), reference (.*)$`), func(m []string) string {
		return m[1] + " payés le " + dayFR(m[2]) + ", référence " + m[3]
	}}
	selectedWithBudget = auditRule{regexp.MustCompile(`(?s)^selected with a budget of (.+?): (.*)$`), func(m []string) string {
		return withText("avec un budget de "+m[1], m[2])
	}}
	entryChange = auditRule{regexp.MustCompile(`(?s)^\{.*\}$`), func(m []string) string { return entryChangeFR(m[0]) }}
	// phaseWindow is one phase's window of a campaign's schedule (workflows' describeSchedule).
	phaseWindow = regexp.MustCompile(`(\w+) (\S+) → ([^\s;]+)`)
)

// juryReasonsFR are the reasons of a jury's decision (models.DecideJury's words).
var juryReasonsFR = []auditRule{
	{regexp.MustCompile(`^every member of the jury declared a conflict of interest$`), say("tous les membres du jury se sont déportés")},
	{regexp.MustCompile(`^(\d+) vote\(s\) to grant, (\d+) to refuse$`), say("%s vote(s) pour attribuer, %s pour refuser", 1, 2)},
	{regexp.MustCompile(`^(\d+) vote\(s\) to grant, (\d+) to refuse; a tie, and the chair is recused: no majority to grant$`),
		say("%s vote(s) pour attribuer, %s pour refuser ; égalité, et la présidence est déportée : pas de majorité pour attribuer", 1, 2)},
	{regexp.MustCompile(`^(\d+) vote\(s\) to grant, (\d+) to refuse; the chair broke the tie$`),
		say("%s vote(s) pour attribuer, %s pour refuser ; la présidence a départagé", 1, 2)},
}

// aapEligibilityFR are the reasons of the Axe 2 eligibility (models.CheckEligibility's and
// the registry check's words); Axe 3's are eligibilityFR's.
var aapEligibilityFR = []auditRule{
	{regexp.MustCompile(`^the applicant and its partners cover no commune of the registry, so neither (.+) inhabitants nor a whole département$`),
		say("La collectivité et ses partenaires ne couvrent aucune commune du répertoire : ni %s habitants, ni un département entier.", 1)},
	{regexp.MustCompile(`^the applicant and its partners cover every commune of (.+), and (.+) inhabitants \(at least (.+)\)$`), func(m []string) string {
		return "La collectivité et ses partenaires couvrent toutes les communes " + departementsFR(m[1]) + ", et " + m[2] + " habitants (au moins " + m[3] + ")."
	}},
	{regexp.MustCompile(`^the applicant and its partners cover (.+) inhabitants, at least (.+)$`),
		say("La collectivité et ses partenaires couvrent %s habitants, au moins %s.", 1, 2)},
	{regexp.MustCompile(`^the applicant and its partners cover (.+) inhabitants, fewer than (.+)$`),
		say("La collectivité et ses partenaires couvrent %s habitants, moins de %s.", 1, 2)},
	{regexp.MustCompile(`^the applicant and its partners cover every commune of (.+)$`), func(m []string) string {
		return "La collectivité et ses partenaires couvrent toutes les communes " + departementsFR(m[1]) + "."
	}},
	{regexp.MustCompile(`^they cover no whole département$`), say("Ils ne couvrent aucun département entier.")},
	{regexp.MustCompile(`^they cover no whole département: the closest is département (\S+), (.+) of its (.+) communes$`),
		say("Ils ne couvrent aucun département entier : le plus proche est le département %s, %s de ses %s communes.", 1, 2, 3)},
	{regexp.MustCompile(`^SIREN (\S+) is not a collectivité or structure of the registry$`),
		say("Le SIREN %s n'est pas une collectivité ou une structure du répertoire.", 1)},
}

// commaThousands are numbers grouped the English way ("500,000"), as the Axe 2 reasons write them.
var commaThousands = regexp.MustCompile(`\d{1,3}(?:,\d{3})+\b`)

// eligibilityReasonsFR are an eligibility's reasons, joined by "; " in the trail, in French.
func eligibilityReasonsFR(reasons string) string {
	var out []string
	for _, r := range strings.Split(reasons, "; ") {
		if fr := eligibilityFR(r); fr != r {
			out = append(out, fr)
			continue
		}
		r = commaThousands.ReplaceAllStringFunc(r, func(n string) string { return strings.ReplaceAll(n, ",", " ") })
		out = append(out, readFR(aapEligibilityFR, r))
	}
	return strings.Join(out, " ")
}

// departementsFR is "département 35" or "départements 22, 29 and 35" after "every commune of".
func departementsFR(list string) string {
	if strings.HasPrefix(list, "départements ") {
		return "des " + strings.Replace(list, " and ", " et ", 1)
	}
	return "du " + list
}

// entryFields name the fields of the administrator's tables (people, labs, CRTE) as their
// trail's JSON has them, in the order a change lists them.
var entryFields = []struct{ key, fr string }{
	{"subject", "identifiant"}, {"id", "identifiant"}, {"name", "nom"}, {"roles", "rôles"}, {"siren", "SIREN"},
	{"departements", "départements"}, {"regions", "régions"}, {"region", "région"}, {"epcis", "EPCI"},
	{"communes", "communes"}, {"signed_on", "signé le"}, {"active", "compte actif"}, {"legal_form", "forme juridique"},
}

// entryChangeFR is a change to an entry of the administrator's tables: the entry added or
// removed, or the fields changed, from before to after.
func entryChangeFR(detail string) string {
	var c struct{ Before, After map[string]any }
	if json.Unmarshal([]byte(detail), &c) != nil {
		return detail
	}
	var parts []string
	for _, f := range entryFields {
		before, after := entryValueFR(f.key, c.Before[f.key]), entryValueFR(f.key, c.After[f.key])
		switch {
		case c.Before == nil || c.After == nil:
			if v := before + after; v != "" {
				parts = append(parts, f.fr+" : "+v)
			}
		case before != after:
			parts = append(parts, f.fr+" : "+cmp.Or(before, "—")+" → "+cmp.Or(after, "—"))
		}
	}
	return strings.Join(parts, " ; ")
}

func entryValueFR(key string, v any) string {
	switch v := v.(type) {
	case bool:
		if v {
			return "oui"
		}
		return "non"
	case []any:
		values := make([]string, len(v))
		for i, x := range v {
			values[i] = entryValueFR(key, x)
		}
		return strings.Join(values, ", ")
	case string:
		switch key {
		case "roles":
			return label(roleLabels, models.Role(v))
		case "signed_on":
			day, _, _ := strings.Cut(v, "T")
			return dayFR(day)
		}
		return v
	}
	return ""
}

// durationFR is a Go duration ("720h0m0s") in the largest unit that measures it exactly.
func durationFR(v string) string {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return v
	}
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "jour"}, {time.Hour, "heure"}, {time.Minute, "minute"}, {time.Second, "seconde"}} {
		if d%u.d == 0 {
			n := int64(d / u.d)
			if n > 1 {
				return strconv.FormatInt(n, 10) + " " + u.name + "s"
			}
			return "1 " + u.name
		}
	}
	return v
}

// cancellationsFR are the reasons the workflows give for cancelling a task.
var cancellationsFR = map[string]string{
	"the jury has decided":                            "le jury a décidé",
	"the agreement was not signed in time":            "la convention n'a pas été signée à temps",
	"the campaign has closed":                         "la campagne est close",
	"the chair has recorded the committee's decision": "la présidence a enregistré la décision du comité",
	"no answer in time":                               "pas de réponse dans le délai",
	"the final statement was filed":                   "l'état final est déposé",
	"no final statement before the deadline":          "pas d'état final avant l'échéance",
	"the budget left is the legal vehicle's funding":  "le budget restant finance la structure porteuse",
	"the service is delivered":                        "le service est livré",
}

// auditEventFR is an event of a dossier's history as the page shows it, in French.
func auditEventFR(e models.AuditEvent) string {
	return withText(auditLabelFR(e.Action), readFR(auditDetailsFR[e.Action], e.Detail))
}

// auditLabelFR names an action; the workflows name some steps by the status they enter
// ("paid", "in_progress"), which read as that status.
func auditLabelFR(action string) string {
	if l, ok := auditLabels[action]; ok {
		return l
	}
	return statusLabel(models.Status(action))
}

// readFR is s in French by the first rule that reads it, or s as it is.
func readFR(rules []auditRule, s string) string {
	for _, r := range rules {
		if m := r.re.FindStringSubmatch(s); m != nil {
			return r.fr(m)
		}
	}
	return s
}

// fieldRefusal is the message of a refusal for one field at fault (models.FieldErrors').
var fieldRefusal = regexp.MustCompile(`^([\w.\[\]]+): (.+)$`)

// refusedBecauseFR is why an act was refused, in French: the rule of the field at fault, or
// the refusal's message.
func refusedBecauseFR(code, msg string) string {
	if code == models.EInvalid {
		if msg == "invalid input" { // models.FieldErrors' message for several fields
			return "plusieurs champs sont à corriger"
		}
		if m := fieldRefusal.FindStringSubmatch(msg); m != nil {
			return m[1] + " : " + fieldMessageFR(m[2])
		}
	}
	return refusalFR(msg)
}

// withText is s followed by a free text (a comment, a reason, a note), when there is one.
func withText(s, text string) string {
	if text = strings.TrimSpace(text); text != "" {
		return s + " — " + text
	}
	return s
}

func taskFR(t string) string { return "« " + label(taskLabels, models.TaskType(t)) + " »" }

// assigneeFR is who a task was opened for: a role ("the instructor role") or a person.
func assigneeFR(who string) string {
	if role, ok := strings.CutPrefix(who, "the "); ok {
		if role, ok = strings.CutSuffix(role, " role"); ok {
			return "le rôle " + label(roleLabels, models.Role(role))
		}
	}
	return who
}

// dayFR writes a day stored as YYYY-MM-DD as the pages do.
func dayFR(day string) string {
	if t, err := time.Parse(time.DateOnly, day); err == nil {
		return t.Format("02/01/2006")
	}
	return day
}

func dueFR(prefix, day string) string {
	if day == "" {
		return ""
	}
	return prefix + dayFR(day)
}

// paymentPartFR names a payment against a service's budget: the n-th payment ("payment/0"
// is the first) or the legal vehicle's funding.
func paymentPartFR(part string) string {
	if part == "vehicle" {
		return "financement de la structure porteuse"
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(part, "payment/")); err == nil {
		return "paiement n° " + strconv.Itoa(n+1)
	}
	return part
}
