package models

import "slices"

// StatusInfo is what a dossier status means to the rules that read it. Each status has one
// row in statusTable; the lists and predicates below derive from it, so a new status is
// added in one place.
type StatusInfo struct {
	Status Status
	// Label is the status as French readers see it, lower-case (the workspace's tags and
	// sentences).
	Label string
	// Terminal statuses end the process: nothing changes the dossier any more.
	Terminal bool
	// AwaitsSomeone is a status where the dossier waits on a person (or on money) rather
	// than on a step the workflow runs by itself, so AwaitingSince tells how long it has
	// been stuck.
	AwaitsSomeone bool
	// HoldsMoney is a status where the dossier holds money of its envelope, reserved or
	// committed: money it gives back if it ends otherwise than paid.
	HoldsMoney bool
	// Withdrawable statuses may still be withdrawn by an administrator: once a grant is
	// committed by a signed agreement, it must be paid.
	Withdrawable bool
	// JuryVisible is a status of a dossier that is, or was, before a jury: what a jury
	// member may read of its call.
	JuryVisible bool
}

// statusTable is every status with its flags, in the order of a dossier's life. The string
// values are recorded in workflow histories and the database: they never change.
var statusTable = []StatusInfo{
	{Status: StatusDraft, Label: "brouillon"},
	{Status: StatusSubmitted, Label: "déposé", Withdrawable: true},
	{Status: StatusChecking, Label: "en vérification", Withdrawable: true},
	{Status: StatusIncomplete, Label: "incomplet", AwaitsSomeone: true, Withdrawable: true},
	{Status: StatusPreselection, Label: "en présélection", AwaitsSomeone: true, Withdrawable: true},
	{Status: StatusInfoRequested, Label: "complément demandé", AwaitsSomeone: true, Withdrawable: true},
	{Status: StatusPreselected, Label: "présélectionné", AwaitsSomeone: true, Withdrawable: true},
	{Status: StatusJury, Label: "devant le jury", AwaitsSomeone: true, Withdrawable: true, JuryVisible: true},
	{Status: StatusWaitingList, Label: "liste d'attente", AwaitsSomeone: true, Withdrawable: true, JuryVisible: true},
	{Status: StatusAwaitingSignature, Label: "convention à signer", AwaitsSomeone: true, HoldsMoney: true, Withdrawable: true, JuryVisible: true},
	{Status: StatusLapsed, Label: "caduc", Terminal: true, JuryVisible: true},
	{Status: StatusRefused, Label: "refusé", Terminal: true, JuryVisible: true},
	{Status: StatusAwaitingPayment, Label: "paiement à effectuer", AwaitsSomeone: true, HoldsMoney: true, JuryVisible: true},
	{Status: StatusPaid, Label: "payé", Terminal: true, JuryVisible: true},
	{Status: StatusClosedWithoutAction, Label: "classé sans suite", Terminal: true},
	{Status: StatusWithdrawn, Label: "retiré", Terminal: true},
	// A prefectoral grant's own steps (Axe 3).
	{Status: StatusAdmissibility, Label: "en recevabilité", AwaitsSomeone: true, Withdrawable: true},
	{Status: StatusScoring, Label: "en notation", AwaitsSomeone: true, Withdrawable: true},
	{Status: StatusScored, Label: "noté, en attente de séance", AwaitsSomeone: true, Withdrawable: true},
	{Status: StatusInSession, Label: "en séance de programmation", AwaitsSomeone: true, Withdrawable: true},
	{Status: StatusInProgress, Label: "projet en cours", AwaitsSomeone: true, HoldsMoney: true},
	{Status: StatusRecovery, Label: "reversement demandé", AwaitsSomeone: true},
	// A co-construction proposal's own steps (Axe 1). AwaitsSomeone stays false: their
	// workflows' recorded histories set no AwaitingSince for them.
	{Status: StatusReview, Label: "en examen"},
	{Status: StatusAccepted, Label: "retenue pour le vote"},
	{Status: StatusMerged, Label: "regroupée"},
	{Status: StatusOutOfScope, Label: "hors champ", Terminal: true},
	{Status: StatusSelected, Label: "sélectionnée"},
	{Status: StatusNotSelected, Label: "non sélectionnée", Terminal: true},
	{Status: StatusDelivered, Label: "service livré", Terminal: true},
	// A candidate service's reference row (Axe 1), merged into another: its process is over.
	{Status: StatusServiceMerged, Label: "service fusionné", Terminal: true},
}

// statusesWhere lists the statuses whose row satisfies keep, in the table's order.
func statusesWhere(keep func(StatusInfo) bool) []Status {
	var out []Status
	for _, i := range statusTable {
		if keep(i) {
			out = append(out, i.Status)
		}
	}
	return out
}

var (
	// Statuses lists every status, for validating filters.
	Statuses = statusesWhere(func(StatusInfo) bool { return true })
	// ClosedStatuses end a dossier's process: its workflow has finished.
	ClosedStatuses = statusesWhere(func(i StatusInfo) bool { return i.Terminal })
	// JuryStatuses are the statuses of a dossier that is, or was, before a jury.
	JuryStatuses = statusesWhere(func(i StatusInfo) bool { return i.JuryVisible })
)

// StatusOf returns the row of status s; an unknown status has every flag false.
func StatusOf(s Status) StatusInfo {
	if i := slices.IndexFunc(statusTable, func(i StatusInfo) bool { return i.Status == s }); i >= 0 {
		return statusTable[i]
	}
	return StatusInfo{Status: s}
}

// Withdrawable reports whether a dossier in status s may still be withdrawn.
func Withdrawable(s Status) bool { return StatusOf(s).Withdrawable }

// ReachedJury reports whether a dossier in status s is, or was, before a jury.
func ReachedJury(s Status) bool { return StatusOf(s).JuryVisible }

// AwaitsSomeone reports whether a dossier in status s waits on a person or on money.
func AwaitsSomeone(s Status) bool { return StatusOf(s).AwaitsSomeone }
