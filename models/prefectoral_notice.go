package models

import (
	"fmt"
	"strings"
)

// Prefixes of the reasons a prefectoral dossier is refused with: the applicant's message
// gives the motivation without them.
const (
	ReasonInadmissible    = "inadmissible: "
	ReasonRefusedByPrefet = "refused by the préfet: "
	// ReasonPostponedByPrefet prefixes the préfet's motivation for postponing a dossier.
	ReasonPostponedByPrefet = "postponed by the préfet: "
	// ReasonEnvelopeShort is why a dossier granted in session waits for the next one: no
	// envelope it may draw on could cover the grant.
	ReasonEnvelopeShort = "the envelope cannot cover the grant: postponed to the next session"
)

// prefectoralNotice is the subject line and body telling an Axe 3 applicant of a decision
// on its dossier; handled is false for the statuses whose wording all dossiers share, and
// decision false for a step that is no decision (checking, in a session).
func prefectoralNotice(dec Decision) (what, body string, handled, decision bool) {
	d := dec.After
	amount := FormatEuros(d.GrantedCents)
	due := ""
	if dec.Deadline != nil {
		due = dec.Deadline.Format("02/01/2006")
	}
	motive := func(prefix string) string {
		if m := strings.TrimPrefix(d.Reason, prefix); m != "" {
			return "\n\nMotif : " + m
		}
		return ""
	}
	switch d.Status {
	case StatusChecking, StatusAdmissibility, StatusInSession:
		return "", "", true, false
	case StatusScoring:
		what = "dossier recevable"
		body = "La préfecture déclare votre dossier recevable. L'instructeur va maintenant le noter sur les cinq critères " +
			"(portage par l'autorité, équipe, usagers ciblés, modèle économique, impact attendu) et proposer un montant de subvention."
	case StatusRefused:
		switch dec.Before.Status {
		case StatusAdmissibility:
			what = "dossier irrecevable"
			body = "La préfecture déclare votre dossier irrecevable." + motive(ReasonInadmissible)
		case StatusInSession:
			what = "demande refusée par le préfet"
			body = "Le préfet a refusé votre demande lors de la séance de programmation." + motive(ReasonRefusedByPrefet)
		default:
			return "", "", false, false
		}
	case StatusScored:
		what = "dossier noté, en attente de programmation"
		body = "L'instructeur a noté votre dossier et proposé un montant. Le dossier sera présenté au préfet lors de la " +
			"prochaine séance de programmation de l'enveloppe, qui classe les dossiers par note."
		switch {
		case dec.Before.Status != StatusInSession:
		case d.Reason == ReasonEnvelopeShort:
			what = "dossier ajourné"
			body = "Le préfet a retenu votre dossier, mais l'enveloppe ne peut plus couvrir le montant accordé : il sera présenté " +
				"à nouveau lors de la prochaine séance de programmation."
		default:
			what = "dossier ajourné"
			body = "Le préfet a ajourné votre dossier : il sera présenté à nouveau lors de la prochaine séance de programmation." + motive(ReasonPostponedByPrefet)
		}
	case StatusAwaitingSignature:
		what = "subvention accordée"
		if dec.CRTE != "" {
			body = fmt.Sprintf("Le préfet accorde à votre dossier une subvention de %s. Elle est inscrite en annexe financière "+
				"du CRTE « %s », que le préfet signe : aucune convention n'est à signer par votre collectivité.", amount, dec.CRTE)
			break
		}
		what = "subvention accordée, convention à signer"
		body = fmt.Sprintf("Le préfet accorde à votre dossier une subvention de %s, qui lui est réservée. La convention "+
			"attributive doit être signée par votre collectivité, puis par l'État", amount)
		if due != "" {
			body += " avant le " + due
		}
		body += " ; faute de signature, la subvention devient caduque."
	case StatusInProgress:
		what = "convention signée, projet en cours"
		body = fmt.Sprintf("La convention est signée : la subvention de %s est engagée et votre projet peut se dérouler. "+
			"Vous pouvez demander une avance dans relance.", amount)
		if dec.Before.Status == StatusInProgress {
			what = "avance versée"
			body = fmt.Sprintf("Une avance de %s sur la subvention de %s a été versée à votre collectivité.", FormatEuros(dec.PaidCents), amount)
		}
		if due != "" {
			body += " Déposez l'état récapitulatif final des dépenses avant le " + due +
				" ; sans lui, la subvention sera caduque et l'avance éventuellement versée reversée."
		}
	case StatusRecovery:
		what = "ordre de reversement"
		body = fmt.Sprintf("L'avance de %s versée à votre collectivité dépasse ce qui lui reste dû : l'agent comptable émet "+
			"un ordre de reversement du trop-perçu.", FormatEuros(dec.PaidCents))
	case StatusPaid:
		what = "subvention soldée"
		body = fmt.Sprintf("Le solde de votre subvention a été versé : au vu de l'état final des dépenses, la subvention est arrêtée à %s.", amount)
		if d.GrantedCents < dec.Before.GrantedCents {
			body = fmt.Sprintf("Votre subvention est soldée : vos dépenses éligibles réelles étant inférieures aux dépenses prévues, "+
				"elle est recalculée au prorata à %s (au lieu des %s accordés) ; le reste revient à l'enveloppe.", amount, FormatEuros(dec.Before.GrantedCents))
		}
	case StatusLapsed:
		if dec.Before.Status == StatusAwaitingSignature {
			return "", "", false, false // the agreement was not signed: the shared wording
		}
		what = "subvention caduque"
		body = "Aucun état récapitulatif final des dépenses n'a été déposé avant l'échéance : la subvention est caduque " +
			"et ses crédits non versés reviennent à l'enveloppe."
		if dec.PaidCents > 0 {
			body += fmt.Sprintf(" L'avance de %s versée à votre collectivité fait l'objet d'un ordre de reversement.", FormatEuros(dec.PaidCents))
		}
	default:
		return "", "", false, false
	}
	return what, body, true, true
}
