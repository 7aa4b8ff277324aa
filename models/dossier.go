package models

import (
	"encoding/json"
	"slices"
	"time"
)

// DossierKind is one of the four kinds of dossier of the fund.
type DossierKind string

const (
	KindGuichet DossierKind = "guichet" // Axe 2, FranceConnect and national APIs
	KindAAP     DossierKind = "aap"     // Axe 2, call-for-projects application
	// KindPrefectoral is an Axe 3 application for a prefectoral grant.
	KindPrefectoral DossierKind = "prefectoral"
)

// Kinds lists the dossier kinds, for validating filters.
var Kinds = []DossierKind{KindGuichet, KindAAP, KindPrefectoral, KindCoConstruction, KindService}

// Status is where a dossier stands in its process. The workflow owns it; the database
// holds a copy (the read model) for lists.
type Status string

const (
	StatusDraft             Status = "draft"
	StatusSubmitted         Status = "submitted"
	StatusChecking          Status = "checking"
	StatusIncomplete        Status = "incomplete"
	StatusRefused           Status = "refused"
	StatusPreselection      Status = "preselection"
	StatusInfoRequested     Status = "info_requested"
	StatusPreselected       Status = "preselected"
	StatusJury              Status = "jury"
	StatusWaitingList       Status = "waiting_list"
	StatusAwaitingSignature Status = "awaiting_signature"
	// StatusLapsed is a grant whose agreement went unsigned: its money went back.
	StatusLapsed          Status = "lapsed"
	StatusAwaitingPayment Status = "awaiting_payment"
	StatusPaid            Status = "paid"
	// StatusClosedWithoutAction is "classé sans suite": the applicant never completed it.
	StatusClosedWithoutAction Status = "closed_without_action"
	// StatusWithdrawn is a dossier an administrator stopped; it gave back what it held.
	StatusWithdrawn Status = "withdrawn"
)

// Withdrawal is an administrator's withdrawal of a dossier, as the API receives it and the
// workflow's Update validator checks it.
type Withdrawal struct {
	Reason string `json:"reason" validate:"notblank,min=5,max=2000"`
}

// Dossier is a case filed by a collectivité.
type Dossier struct {
	ID             string      `json:"id"`
	Kind           DossierKind `json:"kind"`
	Status         Status      `json:"status"`
	ApplicantSiren string      `json:"applicant_siren"`
	ApplicantName  string      `json:"applicant_name,omitempty"`
	Departement    string      `json:"departement,omitempty"`
	Region         string      `json:"region,omitempty"`
	EnvelopeCode   string      `json:"envelope_code"`
	RequestedCents Cents       `json:"requested_cents"`
	GrantedCents   Cents       `json:"granted_cents"`
	// Reason explains a refusal or a closure.
	Reason string `json:"reason,omitempty"`
	// MissingItems lists what an incomplete dossier still lacks.
	MissingItems []ChecklistItem `json:"missing_items,omitempty"`
	// Payload is the kind-specific application (e.g. GuichetApplication).
	Payload   json.RawMessage `json:"payload"`
	CreatedBy string          `json:"created_by"`
	// CallID is the call for projects an application answers, or the campaign a proposal does.
	CallID    string    `json:"call_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// ProcessStartedAt is when its workflow was known to run; nil for a draft, or for a
	// dossier whose start is not confirmed yet (the reconciler's work).
	ProcessStartedAt *time.Time `json:"-"`
}

// WorkflowID is the Temporal workflow that runs the dossier's process.
func (d Dossier) WorkflowID() string {
	if d.Kind == KindService {
		return ServiceWorkflowID(d.ID)
	}
	return DossierWorkflowID(d.ID)
}

// DossierWorkflowID derives the workflow ID from a dossier ID.
func DossierWorkflowID(id string) string { return "dossier-" + id }

// AuditEvent is one line of the business audit trail: who did what, when, why.
type AuditEvent struct {
	ID        int64     `json:"id"`
	DossierID string    `json:"dossier_id"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	Action    string    `json:"action"`
	Detail    string    `json:"detail,omitempty"`
}

// LedgerEntry is one money movement of a dossier on an envelope.
type LedgerEntry struct {
	ID           int64     `json:"id"`
	EnvelopeCode string    `json:"envelope_code"`
	DossierID    string    `json:"dossier_id"`
	Kind         string    `json:"kind"`
	AmountCents  Cents     `json:"amount_cents"`
	Reference    string    `json:"reference,omitempty"`
	At           time.Time `json:"at"`
}

// DossierFilterErrors checks the dossier filters that the dossier list, the task inbox and
// the workspace share, each left empty for all: a dossier kind and status, a département,
// an applicant's SIREN.
func DossierFilterErrors(kind, status, departement, applicant string) map[string]string {
	fields := map[string]string{}
	if kind != "" && !slices.Contains(Kinds, DossierKind(kind)) {
		fields["kind"] = "must be " + quotedChoice(Kinds)
	}
	if status != "" && !slices.Contains(Statuses, Status(status)) {
		fields["status"] = "is not a dossier status"
	}
	if departement != "" {
		addRuleMessage(fields, "departement", departement, "departement")
	}
	if applicant != "" {
		addRuleMessage(fields, "applicant", applicant, "siren")
	}
	return fields
}
