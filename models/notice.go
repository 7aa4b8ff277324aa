package models

import (
	"fmt"
	"strings"
	"time"
)

// ApplicantRecipient is where messages to a dossier's applicant go: the person who filed
// it when their subject is an e-mail address, else the applicant mailbox (the notifier's
// role mailbox "applicant", NOTIFY_ROLE_MAILBOXES applicant=…).
func ApplicantRecipient(d Dossier) string {
	if strings.Contains(d.CreatedBy, "@") {
		return "user:" + d.CreatedBy
	}
	return "role:" + string(RoleApplicant) + ":" + d.ApplicantSiren
}

// Decision is a change of a dossier's status, as the applicant's message tells it.
type Decision struct {
	Before, After Dossier
	// Deadline is when the applicant must act (answer, sign, file a statement), when a task
	// of theirs has one.
	Deadline *time.Time
	// CRTE names the contract whose financial annex carries a prefectoral grant; empty for
	// a grant with an ad hoc agreement.
	CRTE string
	// PaidCents is what the applicant has been paid on the dossier so far.
	PaidCents Cents
}

// DecisionNotice is the e-mail, in French, telling a dossier's applicant of a decision on
// it with its specifics (missing items, reason, amount, deadline). It is false for a
// status that is a step of the instruction rather than a decision (checking, jury…).
func DecisionNotice(dec Decision) (Notification, bool) {
	d := dec.After
	amount := FormatEuros(d.GrantedCents)
	reason := ""
	if d.Reason != "" {
		reason = "\n\nMotif : " + d.Reason
	}
	deadline := ""
	if dec.Deadline != nil {
		deadline = dec.Deadline.Format("02/01/2006")
	}
	var what, body string
	if d.Kind == KindPrefectoral {
		var handled, decision bool
		if what, body, handled, decision = prefectoralNotice(dec); handled && !decision {
			return Notification{}, false
		}
		if handled {
			return noticeOf(d, what, body), true
		}
	}
	switch d.Status {
	case StatusIncomplete:
		items := make([]string, len(d.MissingItems))
		for i, it := range d.MissingItems {
			items[i] = fmt.Sprintf("- %s (%s)", it.Label, it.Key)
		}
		what = "dossier incomplet"
		body = "Votre dossier est incomplet. Les pièces ou engagements suivants manquent :\n" + strings.Join(items, "\n") +
			"\n\nComplétez la liste de contrôle du dossier pour qu'il soit instruit ; sans complément, il sera classé sans suite."
	case StatusRefused:
		what = "demande refusée"
		switch dec.Before.Status {
		case StatusPreselection:
			what = "dossier non présélectionné"
		case StatusJury:
			what = "dossier non retenu par le jury"
		}
		body = "Votre demande de subvention n'est pas retenue." + reason
	case StatusInfoRequested:
		what = "demande d'informations"
		body = "L'instructeur de votre dossier vous demande des informations complémentaires :\n\n" + d.Reason
		if deadline != "" {
			body += "\n\nRépondez avant le " + deadline + " ; sans réponse, le dossier sera classé sans suite."
		}
	case StatusPreselected:
		what = "dossier présélectionné"
		body = "Votre dossier est présélectionné : il sera examiné par le jury de l'appel à projets lors de sa session."
	case StatusWaitingList:
		what = "lauréat, sur liste d'attente"
		body = fmt.Sprintf("Le jury a retenu votre dossier pour une subvention de %s. L'enveloppe ne permet pas encore de la "+
			"financer : votre dossier est sur liste d'attente, dans l'ordre du classement du jury, et sera financé dès que "+
			"des crédits se libèrent.", amount)
	case StatusAwaitingSignature:
		what = "lauréat, convention à signer"
		body = fmt.Sprintf("Le jury a retenu votre dossier : une subvention de %s lui est réservée. La convention de "+
			"financement doit être signée par votre collectivité et par l'État", amount)
		if deadline != "" {
			body += " avant le " + deadline
		}
		body += " ; faute de signature, la subvention devient caduque."
	case StatusAwaitingPayment:
		what = "subvention accordée"
		body = fmt.Sprintf("Une subvention de %s est accordée à votre dossier ; elle sera versée par l'agent comptable.", amount)
		if d.Kind == KindAAP {
			what = "convention signée"
			body = fmt.Sprintf("La convention de financement est signée : la subvention de %s sera versée par l'agent comptable.", amount)
		}
	case StatusLapsed:
		what = "subvention caduque"
		body = "La convention de financement n'a pas été signée à temps : la subvention est caduque." + reason
	case StatusClosedWithoutAction:
		what = "dossier classé sans suite"
		body = "Votre dossier est classé sans suite." + reason
	case StatusPaid:
		what = "subvention versée"
		body = fmt.Sprintf("La subvention de %s a été versée à votre collectivité.", amount)
	case StatusReview, StatusAccepted, StatusMerged, StatusOutOfScope, StatusSelected, StatusNotSelected, StatusDelivered:
		what, body = proposalNotice(d.Status)
		body += reason
	case StatusWithdrawn:
		what = "dossier retiré"
		body = "Un administrateur a retiré votre dossier ; les crédits qui lui étaient réservés sont libérés." + reason
	default:
		return Notification{}, false
	}
	return noticeOf(d, what, body), true
}

// noticeOf is the applicant's message of a decision on d: what in the subject, body in the text.
func noticeOf(d Dossier, what, body string) Notification {
	name := d.ApplicantName
	if name == "" {
		name = "SIREN " + d.ApplicantSiren
	}
	return Notification{
		DossierID: d.ID,
		Recipient: ApplicantRecipient(d),
		Subject:   fmt.Sprintf("Dossier %s (%s) : %s", d.ID, name, what),
		Body: fmt.Sprintf("Bonjour,\n\nDossier %s de %s.\n\n%s\n\nConsultez le dossier dans relance pour le détail.\n\n"+
			"L'équipe du fonds de relance", d.ID, name, body),
	}
}
