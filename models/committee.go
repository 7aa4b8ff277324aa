package models

import "errors"

// The committee of an Axe 1 campaign works through two human tasks, which its campaign's
// workflow (not a dossier's) opens once the vote has closed: each member's opinions, then
// the chair's decision once the quorum has answered.
const (
	// TaskCommitteeOpinions is a committee member's opinion on each candidate service.
	TaskCommitteeOpinions TaskType = "committee_opinions"
	// TaskCommitteeDecision is the chair's decision on every candidate service.
	TaskCommitteeDecision TaskType = "committee_decision"
)

// RoleCommittee is the role of a committee's tasks. No token holds it: a committee task is
// personal (its Assignee), and whoever that person is acts on it, whatever their roles.
const RoleCommittee Role = "committee"

// Outcomes of the committee's tasks.
const (
	OutcomeOpinions = "opinions"
	OutcomeDecided  = "decided"
)

// OpinionsCompletion is a member's completion of an opinions task: the opinions as data.
type OpinionsCompletion struct {
	Comment string           `json:"comment" validate:"max=2000"`
	Data    *OpinionsRequest `json:"data" validate:"required"`
}

// DecisionCompletion is the chair's completion of the decision task: the decision as data.
type DecisionCompletion struct {
	Comment string             `json:"comment" validate:"max=2000"`
	Data    *CommitteeDecision `json:"data" validate:"required"`
}

// IsCampaignTask reports whether t is a task of a campaign's process, whose DossierID is
// then the campaign's ID.
func (t Task) IsCampaignTask() bool {
	return t.Type == TaskCommitteeOpinions || t.Type == TaskCommitteeDecision
}

// CommitteeTask is the task of a committee's member: personal, and due after due.
func CommitteeTask(campaignID string, typ TaskType, member string, attempt int) Task {
	return Task{ID: TaskID(campaignID, typ, attempt), DossierID: campaignID, Type: typ, Role: RoleCommittee,
		Scope: PersonScope(member), Assignee: member}
}

// CheckBudgets refuses a decision whose selected services' budgets exceed what the
// campaign's envelope has left (the reservation checks it again, atomically).
func (d CommitteeDecision) CheckBudgets(available Cents) error {
	var total Cents
	for _, s := range d.Services {
		var err error
		if total, err = AddCents(total, s.BudgetCents); err != nil {
			return FieldErrors(map[string]string{"services": err.Error()})
		}
	}
	if total > available {
		return Errorf(EConflict, "the selected services' budgets (%s) exceed what the campaign's envelope has left (%s)",
			FormatEuros(total), FormatEuros(available))
	}
	return nil
}

// CanSeeCampaignTask reports whether p may read task t of campaign c: its member, the
// committee's other members, and ANCT.
func (p Principal) CanSeeCampaignTask(c Campaign, t Task) bool {
	return p.CanAct(t) || c.IsCommitteeMember(p.Subject) || p.ActsForANCT()
}

// Check checks a member's opinions against the campaign's candidate services, naming the
// fields at fault as in the task's payload (data.opinions[i]…).
func (o OpinionsCompletion) Check(c Campaign, services []CandidateService) error {
	return underData(c.CheckOpinions(*o.Data, services))
}

// Check checks the chair's decision against the campaign's candidate services and what its
// envelope has left, naming the fields at fault as in the task's payload (data.services[i]…).
func (d DecisionCompletion) Check(c Campaign, services []CandidateService, available Cents) error {
	if err := c.CheckDecision(*d.Data, services); err != nil {
		return underData(err)
	}
	return d.Data.CheckBudgets(available)
}

// underData names the fields of a payload's error under data.
func underData(err error) error {
	var e *Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	fields := make(map[string]string, len(e.Fields))
	for f, msg := range e.Fields {
		fields["data."+f] = msg
	}
	return FieldErrors(fields)
}
