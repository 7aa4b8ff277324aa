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
	// AuditRefusedAttempt is an act on the dossier the system refused (403, 409, 422): who tried
	// what, and why it was refused.
	AuditRefusedAttempt = "refused_attempt"
)
