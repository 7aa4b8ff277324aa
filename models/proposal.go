package models

import (
	"slices"
	"strings"
	"time"
)

// KindCoConstruction is an Axe 1 proposal to a consultation campaign: a need for a new
// service, or an existing service that has proven itself. Its dossier's CallID is the
// campaign's ID.
const KindCoConstruction DossierKind = "coconstruction"

// ProposalType says what a proposal brings.
type ProposalType string

const (
	ProposalNeed     ProposalType = "need"             // a need for a new service
	ProposalExisting ProposalType = "existing_service" // a service that runs already and has proven itself
)

// DefaultCategories are the categories a proposal chooses from when the campaign names none.
var DefaultCategories = []string{"relation_usagers", "participation_citoyenne", "outils_agents", "economie_locale", "services_urbains"}

// Statuses of a proposal, after the review. StatusInfoRequested is shared with the calls.
const (
	StatusReview      Status = "review"       // waiting for an ANCT instructor's review
	StatusAccepted    Status = "accepted"     // in the vote, as a candidate service of its own
	StatusMerged      Status = "merged"       // in the vote, merged into another proposal's candidate service
	StatusOutOfScope  Status = "out_of_scope" // closed: outside the campaign, with the reason
	StatusSelected    Status = "selected"     // its candidate service was selected by the committee
	StatusNotSelected Status = "not_selected" // closed: its candidate service was not selected
	StatusDelivered   Status = "delivered"    // closed: its service is delivered, in the Territoires Store
)

// TaskProposalReview is an ANCT instructor's review of a proposal.
const TaskProposalReview TaskType = "proposal_review"

// Outcomes of a proposal's review; OutcomeRequestInfo asks the proposer for more.
const (
	OutcomeAccept     = "accept"
	OutcomeMerge      = "merge"
	OutcomeOutOfScope = "out_of_scope"
)

// MergeCompletion merges a proposal into the candidate service of another, accepted
// proposal of the same campaign (which the workflow checks).
type MergeCompletion struct {
	Comment string     `json:"comment" validate:"max=2000"`
	Data    *MergeData `json:"data" validate:"required"`
}

// MergeData names the accepted proposal whose candidate service a proposal joins.
type MergeData struct {
	IntoDossierID string `json:"into_dossier_id" validate:"required,uuid"`
}

// ProposerKind says who proposed.
type ProposerKind string

const (
	ProposerCollectivite ProposerKind = "collectivite" // a collectivité or grouping of the registry
	ProposerPartner      ProposerKind = "partner"      // an association, company or public operator
)

// ExistingService describes a service that runs already: who runs it, for whom, where, under
// which licence, and what it has cost.
type ExistingService struct {
	Operator  string `json:"operator" validate:"notblank,max=200"`
	Users     string `json:"users" validate:"notblank,max=2000"`
	Address   string `json:"address" validate:"required,url,max=500"`
	Licence   string `json:"licence" validate:"notblank,max=100"`
	CostCents Cents  `json:"cost_cents" validate:"cents"`
}

// Proposal is what a collectivité, a grouping or a partner proposes to a campaign.
type Proposal struct {
	Type        ProposalType `json:"type" validate:"oneof=need existing_service"`
	Title       string       `json:"title" validate:"notblank,min=3,max=200"`
	Description string       `json:"description" validate:"notblank,min=20,max=10000"`
	Category    string       `json:"category" validate:"required"`
	// ProposerName names a partner, which the registry does not; a collectivité's name
	// comes from the registry.
	ProposerName string `json:"proposer_name" validate:"max=200"`
	// ProposerKind is set by the filing service, never by the client: a collectivité (or
	// grouping) of the registry, or a partner.
	ProposerKind ProposerKind     `json:"proposer_kind"`
	Existing     *ExistingService `json:"existing_service"`
}

// Validate checks a proposal to a campaign with the given categories: each field's rules
// (an existing service's among them), the category among the campaign's, the existing
// service described when (and only when) the proposal is one, and a partner's name.
func (p Proposal) Validate(categories []string, partner bool) error {
	fields := map[string]string{}
	if p.Category != "" && !slices.Contains(categories, p.Category) {
		fields["category"] = "must be " + quotedChoice(categories)
	}
	switch {
	case p.Type == ProposalExisting && p.Existing == nil:
		fields["existing_service"] = "is required for an existing service: who runs it, its users, its address, its licence and its cost"
	case p.Type == ProposalNeed && p.Existing != nil:
		fields["existing_service"] = "is only for a proposal of an existing service"
	}
	if partner && strings.TrimSpace(p.ProposerName) == "" {
		fields["proposer_name"] = "is required for a partner, which the registry of collectivités does not name"
	}
	return joinFieldErrors(Validate(p), fields)
}

// CollectionOpen refuses a proposal outside the campaign's collection window, with its dates.
func (c Campaign) CollectionOpen(now time.Time) error {
	w := c.Schedule.Collection
	if w.Contains(now) {
		return nil
	}
	return Errorf(EConflict, "campaign %s collects proposals from %s to %s", c.ID, w.OpensAt.UTC().Format(time.RFC3339),
		w.ClosesAt.UTC().Format(time.RFC3339))
}

// ServiceOutcome is what became of a proposal's candidate service, as the service tells its proposals.
type ServiceOutcome struct {
	Status Status `json:"status"` // StatusSelected, StatusNotSelected or StatusDelivered
	Reason string `json:"reason,omitempty"`
}

// proposalNotice is what a proposal's message says of a status: its subject and its text.
func proposalNotice(s Status) (string, string) {
	switch s {
	case StatusReview:
		return "proposition reçue", "Votre proposition est reçue : un instructeur de l'ANCT l'examine."
	case StatusAccepted:
		return "proposition retenue pour le vote", "Votre proposition est retenue : elle devient un service candidat, soumis au vote des collectivités."
	case StatusMerged:
		return "proposition regroupée", "Votre proposition rejoint un service candidat semblable, soumis au vote des collectivités."
	case StatusOutOfScope:
		return "proposition hors du champ de la campagne", "Votre proposition n'entre pas dans le champ de la campagne."
	case StatusSelected:
		return "service sélectionné", "Le comité a sélectionné le service candidat issu de votre proposition : il sera construit et déployé."
	case StatusNotSelected:
		return "service non sélectionné", "Le comité n'a pas sélectionné le service candidat issu de votre proposition."
	case StatusDelivered:
		return "service livré", "Le service issu de votre proposition est livré : il figure au Territoires Store."
	}
	return "", ""
}
