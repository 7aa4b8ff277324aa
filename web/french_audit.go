package web

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/relance/relance/models"
)

// A dossier's history in French. The audit trail is stored as the workflows, activities and
// store wrote it, its details in English, and stays so (workflows are shipped, and the trail
// is evidence): each event is put into French as the page shows it, its action by
// auditLabels, its detail by the rule of its action below, which reads the detail's English
// form. A detail no rule reads (free text, such as a committee's reason) is shown as stored.

// auditRule reads one English form of an action's detail and writes it in French.
type auditRule struct {
	re *regexp.Regexp
	fr func(m []string) string
}

// auditDetailsFR are the rules of each action's detail, tried in order.
var auditDetailsFR = map[string][]auditRule{
	models.AuditTaskOpened: {{regexp.MustCompile(`^(\w+) task for (.+?)(?:, due (\d{4}-\d\d-\d\d))?$`), func(m []string) string {
		out := taskFR(m[1]) + " pour " + assigneeFR(m[2])
		if m[3] != "" {
			out += ", à rendre le " + dayFR(m[3])
		}
		return out
	}}},
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
	detail := e.Detail
	for _, r := range auditDetailsFR[e.Action] {
		if m := r.re.FindStringSubmatch(e.Detail); m != nil {
			detail = r.fr(m)
			break
		}
	}
	return withText(label(auditLabels, e.Action), detail)
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
