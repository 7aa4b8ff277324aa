package models

import (
	"fmt"
	"slices"
	"time"
)

// ServiceStatus is where a candidate service stands.
type ServiceStatus string

const (
	ServiceCandidate   ServiceStatus = "candidate"    // in the vote
	ServiceMerged      ServiceStatus = "merged"       // merged into another candidate service, its proposals moved there
	ServiceSelected    ServiceStatus = "selected"     // selected by the committee, with its budget
	ServiceNotSelected ServiceStatus = "not_selected" // closed by the committee, with the reason
	ServiceDelivered   ServiceStatus = "delivered"    // published in the Territoires Store
)

// CandidateService groups similar proposals of a campaign into one service put to the vote.
type CandidateService struct {
	ID          string        `json:"id"`
	CampaignID  string        `json:"campaign_id"`
	Title       string        `json:"title" validate:"notblank,min=3,max=200"`
	Description string        `json:"description" validate:"notblank,min=20,max=10000"`
	Status      ServiceStatus `json:"status"`
	// EstimatedCostCents is ANCT's estimate of what building and deploying it costs, with its note.
	EstimatedCostCents Cents  `json:"estimated_cost_cents" validate:"cents"`
	CostNote           string `json:"cost_note" validate:"max=5000"`
	// MergedInto is the service this one was merged into.
	MergedInto string `json:"merged_into,omitempty"`
	// BudgetCents is a selected service's budget, reserved on the campaign's envelope;
	// DecisionReason the committee's reason, for either decision.
	BudgetCents    Cents  `json:"budget_cents"`
	DecisionReason string `json:"decision_reason,omitempty"`
	// Route is how a selected service is built and deployed; HowToJoin and Contact how a
	// collectivité joins it once delivered.
	Route     ServiceRoute `json:"route,omitempty"`
	HowToJoin string       `json:"how_to_join,omitempty"`
	Contact   string       `json:"contact,omitempty"`
	// ProposalIDs are the proposals (dossier IDs) it groups.
	ProposalIDs []string  `json:"proposal_ids"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ServiceDecision is the committee's decision on one candidate service.
type ServiceDecision struct {
	ServiceID string `json:"service_id" validate:"required,uuid"`
	Selected  bool   `json:"selected"`
	// BudgetCents is a selected service's budget; zero for one not selected.
	BudgetCents Cents  `json:"budget_cents" validate:"cents"`
	Reason      string `json:"reason" validate:"notblank,min=5,max=2000"`
}

// CommitteeDecision is the decision the committee's chair records: one line per candidate service.
type CommitteeDecision struct {
	Services []ServiceDecision `json:"services" validate:"min=1,max=1000,dive"`
}

// CheckDecision checks a committee decision against the campaign's candidate services: it
// decides on each once, and only on those; a selected service gets a budget, one not
// selected none. The budgets' total is checked against the envelope when reserved.
func (c Campaign) CheckDecision(d CommitteeDecision, services []CandidateService) error {
	fields := map[string]string{}
	seen := map[string]bool{}
	for i, s := range d.Services {
		key := fmt.Sprintf("services[%d]", i)
		j := slices.IndexFunc(services, func(cs CandidateService) bool { return cs.ID == s.ServiceID })
		switch {
		case seen[s.ServiceID]:
			fields[key+".service_id"] = "appears twice"
		case j < 0 || services[j].Status != ServiceCandidate:
			fields[key+".service_id"] = "is not a candidate service of this campaign"
		case s.Selected && s.BudgetCents <= 0:
			fields[key+".budget_cents"] = "is required for a selected service"
		case !s.Selected && s.BudgetCents != 0:
			fields[key+".budget_cents"] = "must be 0 for a service not selected"
		}
		seen[s.ServiceID] = true
	}
	for _, s := range services {
		if s.Status == ServiceCandidate && !seen[s.ID] {
			fields["services"] = fmt.Sprintf("must decide on every candidate service: %s (%s) is missing", s.ID, s.Title)
			break
		}
	}
	return joinFieldErrors(Validate(d), fields)
}

// DecisionOpen refuses a committee decision before the vote has closed, or by anyone but the chair.
func (c Campaign) DecisionOpen(p Principal, now time.Time) error {
	if p.Subject != c.Chair {
		return Errorf(EForbidden, "only the committee's chair (%s) records its decision", c.Chair)
	}
	if !c.VoteClosed(now) {
		return Errorf(EConflict, "the committee decides once the vote has closed, on %s", c.Schedule.Vote.ClosesAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// Groupable reports whether a proposal in status s may be grouped into a candidate
// service: once the review has let it into the vote.
func Groupable(s Status) bool { return s == StatusAccepted || s == StatusMerged }

// GroupingOpen refuses a change to the campaign's candidate services once its vote has
// opened: ballots name them.
func (c Campaign) GroupingOpen(now time.Time) error {
	if now.Before(c.Schedule.Vote.OpensAt) {
		return nil
	}
	return Errorf(EConflict, "campaign %s's vote opened on %s: its candidate services no longer change", c.ID,
		c.Schedule.Vote.OpensAt.UTC().Format(time.RFC3339))
}

// ServiceRequest is ANCT's grouping of proposals into a candidate service; taking
// proposals from another service splits it.
type ServiceRequest struct {
	Title              string   `json:"title" validate:"notblank,min=3,max=200"`
	Description        string   `json:"description" validate:"notblank,min=20,max=10000"`
	ProposalIDs        []string `json:"proposal_ids" validate:"min=1,max=500,unique,dive,uuid"`
	EstimatedCostCents Cents    `json:"estimated_cost_cents" validate:"cents"`
	CostNote           string   `json:"cost_note" validate:"max=5000"`
}

// MoveProposalRequest names the proposal moved into a candidate service, from the one it was in.
type MoveProposalRequest struct {
	DossierID string `json:"dossier_id" validate:"required,uuid"`
}

// MergeServiceRequest names the candidate service another is merged into.
type MergeServiceRequest struct {
	IntoServiceID string `json:"into_service_id" validate:"required,uuid"`
}

// ReferentRequest names the collectivité ANCT confirms as a service's territoire référent.
type ReferentRequest struct {
	Siren string `json:"siren" validate:"siren"`
}

// ServiceCostRequest is a candidate service's estimated cost, with its note: an estimate
// costs something (required: more than zero, as a number).
type ServiceCostRequest struct {
	EstimatedCostCents Cents  `json:"estimated_cost_cents" validate:"required,cents"`
	CostNote           string `json:"cost_note" validate:"notblank,max=5000"`
}

// Ballot is a collectivité's vote in a campaign: up to the campaign's ballot size of
// candidate services that match its needs. A later ballot replaces the earlier.
type Ballot struct {
	CampaignID string    `json:"campaign_id"`
	Siren      string    `json:"siren"`
	ServiceIDs []string  `json:"service_ids"`
	CastBy     string    `json:"cast_by"`
	CastAt     time.Time `json:"cast_at"`
}

// BallotEntry is one collectivité's ballot in the list of a campaign's ballots: the
// collectivité as the registry names it, its choices, the priority policies it belongs to,
// and when and by whom the ballot was cast.
type BallotEntry struct {
	Siren       string           `json:"siren"`
	Name        string           `json:"name"`
	Type        CollectiviteType `json:"type"`
	Departement string           `json:"departement"`
	// Services are the services chosen, in the order the ballot listed them.
	Services         []ChosenService  `json:"services"`
	PriorityPolicies []PriorityPolicy `json:"priority_policies"`
	// CastBy is the agent who cast it: shown to ANCT alone (BallotEntry.SeenBy).
	CastBy string    `json:"cast_by,omitempty"`
	CastAt time.Time `json:"cast_at"`
	// Replacements counts the collectivité's earlier ballots this one replaced.
	Replacements int `json:"replacements"`
}

// ChosenService is a service a ballot chose.
type ChosenService struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// BallotRequest is a ballot as a collectivité's agent casts it.
type BallotRequest struct {
	ServiceIDs []string `json:"service_ids" validate:"min=1,unique,dive,required"`
}

// CheckBallot checks a ballot's choices against the campaign: at most its ballot size, each
// a candidate service of the campaign still in the vote.
func (c Campaign) CheckBallot(req BallotRequest, services []CandidateService) error {
	fields := map[string]string{}
	if len(req.ServiceIDs) > c.BallotSize {
		fields["service_ids"] = fmt.Sprintf("must name at most %d services (the campaign's ballot size)", c.BallotSize)
	}
	for i, id := range req.ServiceIDs {
		j := slices.IndexFunc(services, func(s CandidateService) bool { return s.ID == id })
		switch {
		case j < 0:
			fields[fmt.Sprintf("service_ids[%d]", i)] = "is not a candidate service of this campaign"
		case services[j].Status != ServiceCandidate:
			fields[fmt.Sprintf("service_ids[%d]", i)] = fmt.Sprintf("is %s: only candidate services are voted for", services[j].Status)
		}
	}
	return joinFieldErrors(Validate(req), fields)
}

// VoteOpen refuses a ballot outside the campaign's vote window, with its dates.
func (c Campaign) VoteOpen(now time.Time) error {
	w := c.Schedule.Vote
	if w.Contains(now) {
		return nil
	}
	return Errorf(EConflict, "campaign %s takes ballots from %s to %s", c.ID, w.OpensAt.UTC().Format(time.RFC3339),
		w.ClosesAt.UTC().Format(time.RFC3339))
}

// ServiceResult is a candidate service's count in the vote.
type ServiceResult struct {
	ServiceID string `json:"service_id"`
	Title     string `json:"title"`
	Ballots   int    `json:"ballots"`
	// Population is the population the collectivités that chose it represent (from the registry).
	Population int64 `json:"population"`
	// PriorityVoters counts the voters that belong to a priority policy.
	PriorityVoters int `json:"priority_voters"`
}

// SortResults orders results as the committee reads them: most ballots first, then most
// population, then by service ID for a stable order.
func SortResults(rs []ServiceResult) {
	slices.SortFunc(rs, func(a, b ServiceResult) int {
		switch {
		case a.Ballots != b.Ballots:
			return b.Ballots - a.Ballots
		case a.Population != b.Population:
			if b.Population > a.Population {
				return 1
			}
			return -1
		}
		if a.ServiceID < b.ServiceID {
			return -1
		}
		if a.ServiceID > b.ServiceID {
			return 1
		}
		return 0
	})
}

// InterestRequest is a collectivité's wish to pilot a selected service and be among the
// first to get it: whom to contact, and its use case.
type InterestRequest struct {
	Contact string `json:"contact" validate:"notblank,max=200"`
	UseCase string `json:"use_case" validate:"notblank,min=10,max=5000"`
}

// Interest is a collectivité's expression of interest in a selected service; ANCT confirms
// some as territoires référents, the others wait on the list in the order they came.
type Interest struct {
	ServiceID string           `json:"service_id"`
	Siren     string           `json:"siren"`
	Name      string           `json:"name"`
	Contact   string           `json:"contact"`
	UseCase   string           `json:"use_case"`
	CastBy    string           `json:"cast_by"`
	At        time.Time        `json:"at"`
	Referent  bool             `json:"referent"`
	Policies  []PriorityPolicy `json:"priority_policies"`
}

// InterestOpen refuses an expression of interest outside the campaign's interest window, with its dates.
func (c Campaign) InterestOpen(now time.Time) error {
	w := c.Schedule.Interest
	if w.Contains(now) {
		return nil
	}
	return Errorf(EConflict, "campaign %s takes expressions of interest from %s to %s", c.ID, w.OpensAt.UTC().Format(time.RFC3339),
		w.ClosesAt.UTC().Format(time.RFC3339))
}

// ServiceOpinion is a committee member's proposal on one candidate service: select it or
// not, with a comment.
type ServiceOpinion struct {
	ServiceID string `json:"service_id" validate:"required,uuid"`
	Select    bool   `json:"select"`
	Comment   string `json:"comment" validate:"notblank,min=3,max=2000"`
}

// OpinionsRequest is a committee member's opinions, one on each candidate service.
type OpinionsRequest struct {
	Opinions []ServiceOpinion `json:"opinions" validate:"min=1,max=1000,dive"`
}

// MemberOpinion is a recorded opinion, with who gave it and when.
type MemberOpinion struct {
	ServiceOpinion
	Member string    `json:"member"`
	At     time.Time `json:"at"`
}

// CheckOpinions checks a member's opinions: one on each candidate service of the campaign, and only on those.
func (c Campaign) CheckOpinions(req OpinionsRequest, services []CandidateService) error {
	fields := map[string]string{}
	seen := map[string]bool{}
	for i, o := range req.Opinions {
		j := slices.IndexFunc(services, func(cs CandidateService) bool { return cs.ID == o.ServiceID })
		switch {
		case seen[o.ServiceID]:
			fields[fmt.Sprintf("opinions[%d].service_id", i)] = "appears twice"
		case j < 0 || services[j].Status != ServiceCandidate:
			fields[fmt.Sprintf("opinions[%d].service_id", i)] = "is not a candidate service of this campaign"
		}
		seen[o.ServiceID] = true
	}
	for _, s := range services {
		if s.Status == ServiceCandidate && !seen[s.ID] {
			fields["opinions"] = fmt.Sprintf("must give an opinion on every candidate service: %s (%s) is missing", s.ID, s.Title)
			break
		}
	}
	return joinFieldErrors(Validate(req), fields)
}

// OpinionsOpen refuses opinions from anyone but a committee member, or before the vote has closed.
func (c Campaign) OpinionsOpen(p Principal, now time.Time) error {
	if !c.IsCommitteeMember(p.Subject) {
		return Errorf(EForbidden, "only the campaign's committee members give their opinion")
	}
	if !c.VoteClosed(now) {
		return Errorf(EConflict, "the committee sits once the vote has closed, on %s", c.Schedule.Vote.ClosesAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// QuorumMissing says how many more members must give their opinions before the chair
// decides: 0 once the quorum has answered.
func (c Campaign) QuorumMissing(answered []string) int {
	n := 0
	for _, m := range c.Committee {
		if slices.Contains(answered, m.Subject) {
			n++
		}
	}
	return max(0, c.Quorum-n)
}

// OutcomeOf is what a candidate service's state tells its proposals: nothing while it is
// undecided, else selected (with its budget), not selected, or delivered.
func OutcomeOf(s CandidateService) ServiceOutcome {
	switch s.Status {
	case ServiceSelected:
		return ServiceOutcome{Status: StatusSelected, Reason: fmt.Sprintf("selected with a budget of %s: %s", FormatEuros(s.BudgetCents), s.DecisionReason)}
	case ServiceNotSelected:
		return ServiceOutcome{Status: StatusNotSelected, Reason: s.DecisionReason}
	case ServiceDelivered:
		return ServiceOutcome{Status: StatusDelivered, Reason: "published in the Territoires Store"}
	}
	return ServiceOutcome{}
}

// ServiceWorkflowID is the ID of a candidate service's workflow.
func ServiceWorkflowID(id string) string { return "service-" + id }

// RepresentedPopulation is the population the voters of a service represent together,
// each inhabitant once: a commune counts unless an EPCI it belongs to, its département or
// its région votes too; a département counts unless its région votes too.
func RepresentedPopulation(voters []Collectivite) int64 {
	epciMembers, departements, regions := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, v := range voters {
		switch v.Type {
		case TypeEPCI:
			for _, m := range v.Members {
				epciMembers[m] = true
			}
		case TypeDepartement:
			departements[v.Code] = true
		case TypeRegion:
			regions[v.Code] = true
		}
	}
	var n int64
	for _, v := range voters {
		switch {
		case v.Type == TypeCommune && (epciMembers[v.Siren] || departements[v.Departement] || regions[v.Region]):
		case v.Type == TypeDepartement && regions[v.Region]:
		default:
			n += v.Population
		}
	}
	return n
}
