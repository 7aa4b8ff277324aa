package models

// Audit actions: what each event of a dossier's trail records. The values are stored and
// travel in workflow histories, so they never change.
const (
	AuditSubmitted       = "submitted"
	AuditEligible        = "eligible"
	AuditIncomplete      = "incomplete"
	AuditAmended         = "amended"
	AuditFunded          = "funded"
	AuditRefused         = "refused"
	AuditLapsed          = "lapsed"
	AuditPreselection    = "preselection"
	AuditPreselected     = "preselected"
	AuditInfoRequested   = "info_requested"
	AuditInfoProvided    = "info_provided"
	AuditJury            = "jury"
	AuditVoted           = "voted"
	AuditRecused         = "recused"
	AuditJuryDecided     = "jury_decided"
	AuditWaitingList     = "waiting_list"
	AuditLaureate        = "laureate"
	AuditAgreementSigned = "agreement_signed"
	AuditPaymentRecorded = "payment_recorded"
	AuditWithdrawn       = "withdrawn"
	AuditTaskOpened      = "task_opened"
	AuditTaskCompleted   = "task_completed"
	AuditTaskCancelled   = "task_cancelled"
	AuditTaskClaimed     = "task_claimed"
	AuditTaskUnclaimed   = "task_unclaimed"
	AuditTaskReminded    = "task_reminded"
	AuditTaskEscalated   = "task_escalated"
	// AuditTaskReassigned and AuditTaskExtended are an administrator's unsticking of a task,
	// with the reason.
	AuditTaskReassigned = "task_reassigned"
	AuditTaskExtended   = "task_extended"
	// A campaign's events, recorded under its ID.
	AuditCampaignCreated = "campaign_created"
	AuditCampaignPhase   = "campaign_phase"
	AuditCampaignMoved   = "campaign_moved"
	// Candidate services' events, recorded under the service's ID and its proposals'.
	AuditServiceCreated     = "service_created"
	AuditProposalMoved      = "proposal_moved"
	AuditServiceMerged      = "service_merged"
	AuditServiceCost        = "service_cost"
	AuditServiceSelected    = "service_selected"
	AuditServiceNotSelected = "service_not_selected"
	AuditServiceDelivered   = "service_delivered"
	AuditServiceRouted      = "service_routed"
	AuditServiceVehicle     = "service_vehicle"
	AuditServicePaid        = "service_paid"
	AuditReferentConfirmed  = "referent_confirmed"
	AuditCommitteeOpinion   = "committee_opinion"
	// AuditRankingDeparture is a préfet's grant below a dossier of the session's ranking they
	// refused or postponed, with its motivation.
	AuditRankingDeparture = "ranking_departure"
	// The administrator's table of people, recorded under PersonTrailID(subject): who added,
	// changed or removed an entry, with the entry before and after (JSON).
	AuditPersonAdded   = "person_added"
	AuditPersonChanged = "person_changed"
	AuditPersonRemoved = "person_removed"
	// The administrator's Axe 3 reference lists, recorded under LabTrailID(id) and
	// CRTETrailID(id): who created or replaced an entry, with the entry before (none when
	// created) and after (JSON).
	AuditLabPut  = "lab_put"
	AuditCRTEPut = "crte_put"
	// AuditStructureSaved is an administrator's entry for a structure, a département or a
	// région (its SIREN, legal form and territory), recorded under StructureTrailID(siren)
	// with the entry before (none when new) and after (JSON), when it changed.
	AuditStructureSaved = "structure_saved"
	// AuditRefusedAttempt is an act on the dossier the system refused (403, 409, 422): who tried
	// what, and why it was refused.
	AuditRefusedAttempt = "refused_attempt"
)

// PersonTrailID is the audit trail of subject's entry in the table of people: no dossier's
// ID (those are UUIDs) starts with "person:".
func PersonTrailID(subject string) string { return "person:" + subject }

// LabTrailID is the audit trail of lab id, and CRTETrailID of CRTE id: like PersonTrailID,
// no dossier's ID starts with their prefixes.
func LabTrailID(id string) string { return "lab:" + id }

// CRTETrailID is the audit trail of CRTE id (see LabTrailID).
func CRTETrailID(id string) string { return "crte:" + id }

// StructureTrailID is the audit trail of the administrator's entry for SIREN siren (see
// LabTrailID).
func StructureTrailID(siren string) string { return "structure:" + siren }
