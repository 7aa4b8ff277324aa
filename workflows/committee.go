package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// Changes to the campaign's workflow, behind workflow.GetVersion: campaigns recorded before
// them replay unchanged.
const (
	// changePhaseSignals signals each transition to the campaign's candidate services. It is
	// asked at the first transition a run records: a run that recorded one before it keeps
	// not signalling until it continues as new.
	changePhaseSignals = "campaign-phase-signals"
	// changeCommittee sits the committee as human tasks once the vote has closed. It is asked
	// under a name per phase (changeCommittee/interest...), from the vote's closing on: a
	// campaign in flight whose vote closed before the change sits it at its next
	// transition, while the phases its history recorded replay as they ran.
	changeCommittee = "campaign-committee"
)

// CommitteeState is the committee's sitting, which a campaign carries when it continues as new.
type CommitteeState struct {
	// Facts are what it works on, read when the vote closed: the candidate services do not
	// change after the vote opens.
	Facts activities.Committee
	// Answered are the members whose opinions are recorded.
	Answered []string
	// Open are its tasks still waiting for a person.
	Open []CarriedTask
	// DecisionAttempt numbers the chair's decision tasks (a decision the envelope refused
	// opens another).
	DecisionAttempt int
}

// CarriedTask is an open task as a run leaves it to the next: its row (with its due date)
// and where its timers and claim stood.
type CarriedTask struct {
	Task       models.Task
	ClaimedBy  string `json:",omitempty"`
	Escalated  bool   `json:",omitempty"`
	Extensions int    `json:",omitempty"`
}

// committee runs the committee's tasks beside the campaign's phase loop.
type committee struct {
	c     *campaign
	state CommitteeState
	// members and chair are the open tasks, by member; chair is nil until the quorum answers.
	members map[string]*openTask
	chair   *openTask
	// busy is set while a completion is being acted on: the campaign does not continue as
	// new meanwhile.
	busy bool
}

// Default due dates of the committee's tasks, counted from when each opens.
func (d Deadlines) committeeOpinions() time.Duration { return orDefault(d.CommitteeOpinions, 15*day) }
func (d Deadlines) committeeDecision() time.Duration { return orDefault(d.CommitteeDecision, 15*day) }

// maybeSit sits the committee once the vote has closed, the first time the campaign sees it
// closed: it opens each member's task (or, after a continue-as-new, takes back the tasks
// still open), then acts on their completions beside the phase loop.
func (c *campaign) maybeSit(ctx workflow.Context, now time.Time) error {
	if c.committee != nil || c.noCommittee || c.in.CommitteeDone || !c.in.Schedule.VoteClosed(now) || c.in.Phase == models.PhaseClosed {
		return nil
	}
	if workflow.GetVersion(ctx, changeCommittee+"/"+string(c.in.Phase), workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	cm := &committee{c: c, members: map[string]*openTask{}}
	if carried := c.in.Committee; carried != nil {
		cm.state = *carried
		if err := cm.resume(ctx); err != nil {
			return err
		}
	} else {
		if err := local(ctx, "Read the committee's campaign and services", acts.CampaignCommittee, c.in.CampaignID).Get(ctx, &cm.state.Facts); err != nil {
			return err
		}
		if !slices.ContainsFunc(cm.state.Facts.Services, func(s models.CandidateService) bool { return s.Status == models.ServiceCandidate }) {
			c.noCommittee = true // nothing to decide (or decided through the API before it sat as tasks)
			return nil
		}
		for i, m := range cm.state.Facts.Campaign.Committee {
			t, err := c.board.openTask(ctx, cm.memberSpec(models.CommitteeTask(c.in.CampaignID, models.TaskCommitteeOpinions, m.Subject, i)))
			if err != nil {
				return err
			}
			cm.members[m.Subject] = t
		}
	}
	c.committee = cm
	workflow.Go(ctx, func(ctx workflow.Context) {
		if err := cm.run(ctx); err != nil {
			c.failed = err
		}
	})
	return nil
}

func (cm *committee) memberSpec(t models.Task) taskSpec {
	return taskSpec{task: t, due: cm.c.in.Deadlines.committeeOpinions(), remindBefore: cm.c.in.Deadlines.reminder(),
		validate: func(_ workflow.Context, payload any) error {
			return payload.(*models.OpinionsCompletion).Check(cm.state.Facts.Campaign, cm.state.Facts.Services)
		}}
}

func (cm *committee) chairSpec(t models.Task) taskSpec {
	return taskSpec{task: t, due: cm.c.in.Deadlines.committeeDecision(), remindBefore: cm.c.in.Deadlines.reminder(),
		validate: func(_ workflow.Context, payload any) error {
			facts := cm.state.Facts
			return payload.(*models.DecisionCompletion).Check(facts.Campaign, facts.Services, facts.AvailableCents)
		}}
}

// run waits for the members' opinions, opens the chair's task once the quorum has
// answered, and ends with the chair's decision.
func (cm *committee) run(ctx workflow.Context) error {
	facts := cm.state.Facts
	for {
		if cm.chair == nil && facts.Campaign.QuorumMissing(cm.state.Answered) == 0 {
			t, err := cm.c.board.openTask(ctx, cm.chairSpec(models.CommitteeTask(cm.c.in.CampaignID, models.TaskCommitteeDecision,
				facts.Campaign.Chair, cm.state.DecisionAttempt)))
			if err != nil {
				return err
			}
			cm.chair = t
		}
		done, req, answer, err := cm.c.board.next(ctx, 0, cm.open()...)
		if err != nil {
			return err
		}
		cm.busy = true
		if done.task.Type == models.TaskCommitteeOpinions {
			var opinions models.OpinionsRequest
			decodeData(req.Data, &opinions)
			err := local(ctx, "Record the opinions of "+req.Actor.Subject, acts.RecordCommitteeOpinions, activities.OpinionsInput{
				CampaignID: cm.c.in.CampaignID, Member: done.task.Assignee, Opinions: opinions.Opinions}).Get(ctx, nil)
			if err != nil {
				return err
			}
			delete(cm.members, done.task.Assignee)
			cm.state.Answered = append(cm.state.Answered, done.task.Assignee)
			answer()
			cm.busy = false
			continue
		}
		var d models.CommitteeDecision
		decodeData(req.Data, &d)
		err = local(ctx, "Record the committee's decision", acts.RecordCommitteeDecision, activities.DecisionInput{
			CampaignID: cm.c.in.CampaignID, Decision: d, Actor: req.Actor.Subject}).Get(ctx, nil)
		var refused *temporal.ApplicationError
		if asRefusal(err, &refused) {
			// The envelope moved since the vote closed: nothing was reserved. The chair is told
			// why, and gets a new task.
			done.cancelled = refused.Message()
			delete(cm.c.board.unanswered, done.task.ID)
			cm.chair = nil
			cm.state.DecisionAttempt++
			cm.busy = false
			continue
		}
		if err != nil {
			return err
		}
		if err := cm.c.board.cancel(ctx, "the chair has recorded the committee's decision", cm.open()...); err != nil {
			return err
		}
		cm.members = map[string]*openTask{}
		cm.chair = nil
		signals := make([]activities.ServiceSignal, len(d.Services))
		for i, sd := range d.Services {
			o := models.ServiceOutcome{Status: models.StatusNotSelected, Reason: sd.Reason}
			if sd.Selected {
				o.Status = models.StatusSelected
			}
			signals[i] = activities.ServiceSignal{ServiceID: sd.ServiceID, Arg: o}
		}
		if err := local(ctx, "Tell each service the committee's decision", acts.SignalServices, SignalServiceDecision, signals).Get(ctx, nil); err != nil {
			return err
		}
		cm.state.Facts.Services = nil // decided: nothing left to carry
		answer()
		cm.busy = false
		cm.c.in.CommitteeDone = true
		return nil
	}
}

// asRefusal reports whether err is an activity's refusal of the decision as it stands (a
// conflict: the envelope has not enough left), as opposed to a failure.
func asRefusal(err error, refused **temporal.ApplicationError) bool {
	return err != nil && errors.As(err, refused) && (*refused).Type() == models.EConflict
}

// open lists the committee's open tasks: the members' in the committee's order, then the chair's.
func (cm *committee) open() []*openTask {
	var out []*openTask
	for _, m := range cm.state.Facts.Campaign.Committee {
		if t, ok := cm.members[m.Subject]; ok {
			out = append(out, t)
		}
	}
	if cm.chair != nil {
		out = append(out, cm.chair)
	}
	return out
}

// carry is the sitting as the next run takes it over.
func (cm *committee) carry() *CommitteeState {
	s := cm.state
	s.Open = nil
	for _, t := range cm.open() {
		s.Open = append(s.Open, CarriedTask{Task: t.task, ClaimedBy: t.claimedBy, Escalated: t.escalated, Extensions: t.extensions})
	}
	return &s
}

// resume takes back the tasks a previous run left open, with their due dates, claims and
// escalations: their rows are there already.
func (cm *committee) resume(ctx workflow.Context) error {
	for _, ct := range cm.state.Open {
		spec := cm.memberSpec(ct.Task)
		if ct.Task.Type == models.TaskCommitteeDecision {
			spec = cm.chairSpec(ct.Task)
		}
		t, err := cm.c.board.adopt(ctx, spec, ct)
		if err != nil {
			return err
		}
		if ct.Task.Type == models.TaskCommitteeDecision {
			cm.chair = t
		} else {
			cm.members[ct.Task.Assignee] = t
		}
	}
	cm.state.Open = nil
	return nil
}

// adopt takes back a task a previous run of the workflow opened (its row exists): its
// timers run to the due date it has, and an escalated one stays overdue.
func (b *taskBoard) adopt(ctx workflow.Context, spec taskSpec, ct CarriedTask) (*openTask, error) {
	t := &openTask{task: ct.Task, validate: spec.validate, parent: ctx, remindBefore: spec.remindBefore,
		claimedBy: ct.ClaimedBy, escalated: ct.Escalated, extensions: ct.Extensions}
	b.open[t.task.ID] = t
	updates := []temporal.SearchAttributeUpdate{SearchPendingTask.ValueSet(string(t.task.Type))}
	switch {
	case t.escalated:
		b.overdue++
		updates = append(updates, SearchOverdueTask.ValueSet(string(t.task.Type)))
	case t.task.DueAt != nil:
		b.startTimers(t, max(t.task.DueAt.Sub(workflow.Now(ctx)), time.Millisecond))
	}
	return t, workflow.UpsertTypedSearchAttributes(ctx, updates...)
}

// signalPhase tells the campaign's services still in play the phase it entered.
func (c *campaign) signalPhase(ctx workflow.Context, phase models.Phase) error {
	if workflow.GetVersion(ctx, changePhaseSignals, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	return local(ctx, fmt.Sprintf("Tell the services the campaign entered %s", phase), acts.SignalCampaignServices,
		activities.CampaignPhaseSignal{CampaignID: c.in.CampaignID, Signal: SignalCampaignPhase, Phase: phase}).Get(ctx, nil)
}
