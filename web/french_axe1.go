package web

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/relance/relance/models"
)

// The French words of Axe 1's campaigns, beside french.go's tables: added to them at start.
func init() {
	kindLabels[models.KindCoConstruction] = "Proposition de co-construction"
	kindLabels[models.KindService] = "Service candidat (Axe 1)"
	taskLabels[models.TaskProposalReview] = "Examen d'une proposition"
	for k, v := range map[models.TaskType]string{
		models.TaskServiceRoute: "Choix de la voie d'un service", models.TaskServiceInvestigation: "Jalon : investigation",
		models.TaskServiceBeta: "Jalon : bêta avec les territoires référents", models.TaskServiceDeployment: "Jalon : déploiement",
		models.TaskServicePayment: "Paiement sur le budget d'un service", models.TaskServiceLegalStudy: "Étude juridique de la structure porteuse",
		models.TaskServiceVehicle: "Financement de la structure porteuse", models.TaskServiceDelivery: "Livraison au Territoires Store",
	} {
		taskLabels[k] = v
	}
	outcomeLabels[models.OutcomeRouted] = "Voie choisie"
	outcomeLabels[models.OutcomeReached] = "Jalon atteint"
	outcomeLabels[models.OutcomeStudied] = "Étude conclue"
	outcomeLabels[models.OutcomeDelivered] = "Service livré"
	outcomeLabels[models.OutcomeAccept] = "Retenir pour le vote"
	outcomeLabels[models.OutcomeMerge] = "Regrouper avec une autre proposition"
	outcomeLabels[models.OutcomeOutOfScope] = "Hors du champ de la campagne"
	outcomeLabels[models.OutcomeOpinions] = "Avis donné"
	outcomeLabels[models.OutcomeDecided] = "Décision enregistrée"
	for k, v := range map[string]string{
		models.AuditCampaignCreated: "Campagne créée", models.AuditCampaignPhase: "Changement de phase", models.AuditCampaignMoved: "Dates déplacées",
		models.AuditServiceCreated: "Service candidat créé", models.AuditProposalMoved: "Proposition déplacée", models.AuditServiceMerged: "Services fusionnés",
		models.AuditServiceCost: "Coût estimé", models.AuditServiceSelected: "Service sélectionné", models.AuditServiceNotSelected: "Service non sélectionné",
		models.AuditServiceDelivered: "Service livré", models.AuditReferentConfirmed: "Territoire référent confirmé",
		models.AuditCommitteeOpinion: "Avis du comité", models.AuditServiceRouted: "Voie choisie",
		models.AuditServiceVehicle: "Structure porteuse financée", models.AuditServicePaid: "Paiement sur le budget du service",
	} {
		auditLabels[k] = v
	}
	fieldRulesFR = append(fieldRulesFR, axe1RulesFR...)
	for _, r := range axe1RefusalsFR {
		refusalsFR = append(refusalsFR, refusalRule{r.re, expandFR(r.fr)})
	}
	for k, v := range map[string]any{
		"phase":            func(p models.Phase) string { return label(phaseLabels, p) },
		"serviceStatus":    func(s models.ServiceStatus) string { return label(serviceStatusLabels, s) },
		"category":         func(c string) string { return label(categoryLabels, c) },
		"policy":           func(p models.PriorityPolicy) string { return label(policyLabels, p) },
		"collectiviteType": func(t models.CollectiviteType) string { return label(collectiviteTypeLabels, t) },
		"proposalType":     func(t models.ProposalType) string { return label(proposalTypeLabels, t) },
		"firstDay":         firstDay,
		"lastDay":          lastDay,
		"serviceTitle":     serviceTitle,
		"answered":         answered,
		"population":       formatPopulation,
		"inc":              func(i int) int { return i + 1 },
		"withID":           func(id string, f inputField) inputField { f.ID = id; return f },
		"route":            func(r models.ServiceRoute) string { return label(routeLabels, r) },
		"vehicle":          func(v models.LegalVehicle) string { return label(vehicleLabels, v) },
		"dueDay":           dueDay,
	} {
		funcs[k] = v
	}
}

var phaseLabels = map[models.Phase]string{
	models.PhaseScheduled: "Programmée", models.PhaseCollection: "Recueil des propositions", models.PhaseVote: "Vote des collectivités",
	models.PhaseInterest: "Manifestations d'intérêt", models.PhaseBuild: "Construction et déploiement", models.PhaseClosed: "Terminée",
	models.PhaseBetween: "Entre deux phases",
}

var serviceStatusLabels = map[models.ServiceStatus]string{
	models.ServiceCandidate: "Candidat", models.ServiceMerged: "Fusionné", models.ServiceSelected: "Sélectionné",
	models.ServiceNotSelected: "Non sélectionné", models.ServiceDelivered: "Livré",
}

var routeLabels = map[models.ServiceRoute]string{
	models.RouteDeployExisting: "Déploiement d'un service existant, pérennisé par une gouvernance des collectivités",
	models.RouteIncubator:      "Construction d'un nouveau service à l'Incubateur des Territoires",
	models.RouteStateService:   "Ouverture d'un service existant de l'État aux collectivités",
}

var vehicleLabels = map[models.LegalVehicle]string{
	models.VehicleSMO: "Syndicat mixte ouvert (SMO)", models.VehicleGIP: "Groupement d'intérêt public (GIP)",
	models.VehicleSCIC: "Société coopérative d'intérêt collectif (SCIC)", models.VehicleOther: "Autre structure",
}

var categoryLabels = map[string]string{
	"relation_usagers": "Relation aux usagers", "participation_citoyenne": "Participation citoyenne", "outils_agents": "Outils des agents",
	"economie_locale": "Économie locale", "services_urbains": "Services urbains",
}

var policyLabels = map[models.PriorityPolicy]string{
	models.PolicyPetitesVilles: "Petites Villes de Demain", models.PolicyCoeurDeVille: "Action cœur de ville",
	models.PolicyQuartiers: "Quartiers prioritaires", models.PolicyAgendaRural: "Agenda rural",
}

var collectiviteTypeLabels = map[models.CollectiviteType]string{
	models.TypeCommune: "Commune", models.TypeEPCI: "EPCI", models.TypeDepartement: "Département", models.TypeRegion: "Région",
	models.TypeStructure: "Structure",
}

var proposalTypeLabels = map[models.ProposalType]string{models.ProposalNeed: "Un besoin de nouveau service", models.ProposalExisting: "Un service existant"}

// axe1RulesFR are the French of Axe 1's rules' messages (models' campaign, proposal, ballot
// and import rules).
var axe1RulesFR = []struct {
	re *regexp.Regexp
	fr string
}{
	{regexp.MustCompile(`^must be in the future$`), "Une date à venir."},
	{regexp.MustCompile(`^must be at least (\d+) items?$`), "Choisissez-en au moins $1."},
	{regexp.MustCompile(`^must be at most (\d+) items?$`), "Au plus $1."},
	{regexp.MustCompile(`^must be after \w+\.opens_at$`), "La phase se termine après son ouverture."},
	{regexp.MustCompile(`^must not be before (\w+)\.closes_at`), "Les phases se suivent : celle-ci ouvre après la fin de la précédente."},
	{regexp.MustCompile(`^must not be in the past$`), "Une date à venir."},
	{regexp.MustCompile(`^closed on .*: its dates can no longer move$`), "Cette phase est close : ses dates ne bougent plus."},
	{regexp.MustCompile(`^the phase opened on .*: only its closing date can move$`), "La phase est ouverte : seule sa date de fin peut changer."},
	{regexp.MustCompile(`^must be a new sub-envelope of axe1, such as (.*)$`), "Une nouvelle sous-enveloppe de l'axe 1, par exemple $1."},
	{regexp.MustCompile(`^must be one of the committee's members$`), "La présidence revient à l'un des membres du comité."},
	{regexp.MustCompile(`^must be an ANCT member`), "L'ANCT préside le comité : cochez « ANCT » pour ce membre ou choisissez-en un autre."},
	{regexp.MustCompile(`^is required for an existing service`), "À décrire pour un service existant : qui le porte, ses usagers, son adresse, sa licence et son coût."},
	{regexp.MustCompile(`^is only for a proposal of an existing service$`), "Seulement pour un service existant."},
	{regexp.MustCompile(`^is required for a partner`), "Obligatoire pour un partenaire, que le répertoire des collectivités ne nomme pas."},
	{regexp.MustCompile(`^does not satisfy the rule url$`), "Une adresse web, par exemple https://exemple.fr."},
	{regexp.MustCompile(`^must name at most (\d+) services`), "Au plus $1 services (la taille du bulletin de la campagne)."},
	{regexp.MustCompile(`^is not a candidate service of this campaign$`), "Ce service n'est pas candidat dans cette campagne."},
	{regexp.MustCompile(`^is \w+: only candidate services are voted for$`), "Seuls les services candidats reçoivent des voix."},
	{regexp.MustCompile(`^must start with the header line code,policy$`), "Le fichier commence par la ligne d'en-tête code,policy."},
	{regexp.MustCompile(`^header must be code,policy, not (.*)$`), "L'en-tête doit être code,policy, et non $1."},
	{regexp.MustCompile(`^holds no membership$`), "Le fichier ne contient aucune ligne d'adhésion."},
	{regexp.MustCompile(`^must hold two fields, code and policy$`), "Deux champs attendus : code et policy."},
	{regexp.MustCompile(`^code "(.*)" is neither a SIREN nor an INSEE commune code$`), "« $1 » n'est ni un SIREN ni un code commune INSEE."},
	{regexp.MustCompile(`^policy "(.*)" must be `), "La politique « $1 » doit être pvd, acv, qpv ou agenda_rural."},
	{regexp.MustCompile(`^is not a dossier$`), "Aucune proposition ne porte cet identifiant."},
	{regexp.MustCompile(`^is not a proposal of the same campaign$`), "Cette proposition n'est pas de la même campagne."},
	{regexp.MustCompile(`^is this proposal itself$`), "C'est la proposition examinée elle-même."},
	{regexp.MustCompile(`^must be "[^"]*"(, "[^"]*")* or "[^"]*"$`), "Choisissez une valeur de la liste."},
	{regexp.MustCompile(`^must come after data\.investigation_due$`), "Après l'échéance de l'investigation."},
	{regexp.MustCompile(`^must come after data\.beta_due$`), "Après l'échéance de la bêta."},
	{regexp.MustCompile(`^must be at most the (.*) the service's budget has left$`), "Au plus ce qu'il reste du budget du service : $1."},
	{regexp.MustCompile(`^is \w+: only an accepted proposal has a candidate service of its own$`), "Seule une proposition retenue pour le vote a son propre service candidat."},
	{regexp.MustCompile(`^is required for a selected service$`), "Un service sélectionné a un budget."},
	{regexp.MustCompile(`^must be 0 for a service not selected$`), "Pas de budget pour un service non sélectionné."},
	{regexp.MustCompile(`^must decide on every candidate service: \S+ \((.*)\) is missing$`), "Décidez de chaque service candidat : « $1 » manque."},
}

// firstDay is the day a window opens, in Paris.
func firstDay(w models.Window) string {
	if w.OpensAt.IsZero() {
		return "—"
	}
	return w.OpensAt.In(paris).Format("02/01/2006")
}

// lastDay is the last day of a window closing at the start of the next day, as the forms type it.
func lastDay(w models.Window) string {
	if w.ClosesAt.IsZero() {
		return "—"
	}
	return w.ClosesAt.Add(-1).In(paris).Format("02/01/2006")
}

// dueDay is the day of a milestone's due date, which falls at the end of its day in UTC
// (models.RouteData.Dues): the day ANCT typed, not Paris's next morning.
func dueDay(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.UTC().Format("02/01/2006")
}

// formatPopulation writes a population with the French thousands separator.
func formatPopulation(n int64) string {
	s := itoa(int(n))
	out := ""
	for len(s) > 3 {
		out = "\u202f" + s[len(s)-3:] + out
		s = s[:len(s)-3]
	}
	return s + out
}

// axe1RefusalsFR are the French of the campaigns' refusals (models' windows, the policy's
// roles, the store's référent limit); a date the message gives is shown as a Paris date.
var axe1RefusalsFR = []struct {
	re *regexp.Regexp
	fr string
}{
	{regexp.MustCompile(`^campaign \S+ collects proposals from (\S+) to (\S+)$`), "La campagne reçoit les propositions du $1 au $2."},
	{regexp.MustCompile(`^campaign \S+ takes ballots from (\S+) to (\S+)$`), "La campagne reçoit les bulletins du $1 au $2."},
	{regexp.MustCompile(`^campaign \S+ takes expressions of interest from (\S+) to (\S+)$`), "La campagne reçoit les manifestations d'intérêt du $1 au $2."},
	{regexp.MustCompile(`^campaign \S+ closed on (\S+): its dates can no longer move$`), "La campagne s'est terminée le $1 : ses dates ne bougent plus."},
	{regexp.MustCompile(`^campaign \S+'s vote opened on (\S+): its candidate services no longer change$`), "Le vote a ouvert le $1 : les services candidats ne changent plus."},
	{regexp.MustCompile(`^SIREN \S+ is not a collectivité of the registry: only collectivités (vote|pilot services)$`), "Seules les collectivités du répertoire votent et pilotent des services."},
	{regexp.MustCompile(`^SIREN \S+ is a collectivité of the registry`), "Votre SIREN est celui d'une collectivité du répertoire : ses agents proposent au nom de la collectivité."},
	{regexp.MustCompile(`^SIREN \S+ is not in the registry of collectivités`), "Votre SIREN n'est pas au répertoire des collectivités : proposez avec le rôle Partenaire."},
	{regexp.MustCompile(`^only ANCT \(an administrator or a national instructor\)`), "Réservé à l'ANCT (un administrateur ou un instructeur national)."},
	{regexp.MustCompile(`^only the committee's members and ANCT see its session$`), "La séance du comité est réservée à ses membres et à l'ANCT."},
	{regexp.MustCompile(`^service \S+ has its (\d+) territoires référents already$`), "Ce service a déjà ses $1 territoires référents : la collectivité reste sur la liste."},
	{regexp.MustCompile(`^service \S+ is \w+: interest is expressed in selected services$`), "Seuls les services sélectionnés reçoivent des manifestations d'intérêt."},
	{regexp.MustCompile(`^the results are ANCT's until the vote closes on (\S+)$`), "Les résultats sont réservés à l'ANCT jusqu'à la clôture du vote, le $1."},
	{regexp.MustCompile(`^the ballots are ANCT's until the vote closes on (\S+)$`), "Les bulletins sont réservés à l'ANCT jusqu'à la clôture du vote, le $1."},
	{regexp.MustCompile(`^task \S+ is the committee's of campaign \S+$`), "Cette tâche est celle du comité de sélection d'une campagne : elle est réservée à ses membres et à l'ANCT."},
	{regexp.MustCompile(`^the selected services' budgets \((.+)\) exceed what the campaign's envelope has left \((.+)\)$`),
		"Les budgets des services sélectionnés ($1) dépassent ce qu'il reste sur l'enveloppe de la campagne ($2)."},
}

var rfc3339 = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)

// expandFR is a French message whose $1, $2… are the pattern's submatches, the dates among
// them (RFC 3339) written as Paris's.
func expandFR(fr string) func(m []string) string {
	return func(m []string) string {
		out := fr
		for i := len(m) - 1; i >= 1; i-- {
			out = strings.ReplaceAll(out, "$"+strconv.Itoa(i), m[i])
		}
		return rfc3339.ReplaceAllStringFunc(out, dateFR)
	}
}
