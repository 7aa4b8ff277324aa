package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/relance/relance/activities"
	"github.com/relance/relance/models"
)

// CampaignWorkflowName is the registered name of an Axe 1 consultation campaign's workflow.
const CampaignWorkflowName = "Campaign"

// UpdateMoveSchedule moves the dates of a campaign's phases that have not closed.
const UpdateMoveSchedule = "move_schedule"

// KindCampaign is the DossierKind search attribute of a campaign's workflow; its
// DossierStatus is the campaign's phase. Reusing the two keeps the namespace's few custom
// attributes for dossiers.
const KindCampaign = "campaign"

// campaignMaxEvents is the history length past which a campaign continues as new, well
// below the server's own suggestion. A campaign's history holds only its phase changes
// and date moves (ballots and proposals live in the database and in their own
// workflows), so only many moves ever reach it.
const campaignMaxEvents = 2000

// CampaignInput starts (or continues) a campaign's process.
type CampaignInput struct {
	CampaignID string
	Schedule   models.Schedule
	// Phase is the phase already recorded, and Moves the schedule moves made, by the runs
	// before this one: a run continued as new neither records them again nor reuses their keys.
	Phase models.Phase
	Moves int
	// Committee is the committee's sitting a run left to the next, and CommitteeDone says
	// the chair has decided.
	Committee     *CommitteeState `json:",omitempty"`
	CommitteeDone bool            `json:",omitempty"`
	// Deadlines are the due dates of the committee's tasks (zero: the defaults).
	Deadlines Deadlines
}

// MoveScheduleRequest is an administrator's new schedule for a campaign.
type MoveScheduleRequest struct {
	Actor    models.Principal
	Schedule models.Schedule
}

// MoveScheduleResult is the schedule in force after a move, and the phase it gives.
type MoveScheduleResult struct {
	Schedule models.Schedule
	Phase    models.Phase
}

// campaign is the state of one campaign's process.
type campaign struct {
	in CampaignInput
	// moved wakes the phase loop: the schedule changed, its timer must follow.
	moved bool
	// board holds the committee's tasks; process is what it answers people with (a
	// campaign's status is its phase).
	board   *taskBoard
	process *dossierProcess
	// committee sits once the vote has closed (noCommittee: nothing for it to decide);
	// failed is what stopped it.
	committee   *committee
	noCommittee bool
	failed      error
}

// CampaignWorkflow runs a consultation campaign through its dated phases. It sleeps on one
// durable timer until the next opening or closing date, records the phase it enters (read
// model, audit trail, search attributes), and wakes early when an administrator moves the
// dates so that its timer follows them. It ends when build and deploy closes.
func CampaignWorkflow(ctx workflow.Context, in CampaignInput) error {
	ctx = withActivityOptions(ctx)
	c := &campaign{in: in, process: &dossierProcess{id: in.CampaignID, status: models.Status(in.Phase)}}
	// Registering the task board's handlers adds no command: histories from before it replay.
	board, err := newTaskBoard(ctx, c.process)
	if err != nil {
		return err
	}
	c.board = board
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateMoveSchedule, c.move,
		workflow.UpdateHandlerOptions{Validator: c.validateMove}); err != nil {
		return err
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchKind.ValueSet(KindCampaign)); err != nil {
		return err
	}
	for {
		now := workflow.Now(ctx)
		if phase := c.in.Schedule.PhaseAt(now); phase != c.in.Phase {
			if err := c.enter(ctx, phase, now); err != nil {
				return err
			}
		}
		if err := c.maybeSit(ctx, now); err != nil {
			return err
		}
		next, ok := c.in.Schedule.NextChange(now)
		if !ok {
			return c.adjourn(ctx)
		}
		workflow.SetCurrentDetails(ctx, fmt.Sprintf("Phase %s; next change on %s", c.in.Phase, next.UTC().Format(time.RFC3339)))
		info := workflow.GetInfo(ctx)
		if info.GetCurrentHistoryLength() >= campaignMaxEvents || info.GetContinueAsNewSuggested() {
			// A move being recorded, or a completion being acted on, finishes in this run; the
			// next starts from what it left, the committee's open tasks included.
			if err := workflow.Await(ctx, func() bool {
				return c.failed != nil || workflow.AllHandlersFinished(ctx) && (c.committee == nil || !c.committee.busy)
			}); err != nil {
				return err
			}
			if c.failed != nil {
				return c.failed
			}
			if c.committee != nil && !c.in.CommitteeDone {
				c.in.Committee = c.committee.carry()
			} else {
				c.in.Committee = nil
			}
			return workflow.NewContinueAsNewError(ctx, CampaignWorkflowName, c.in)
		}
		c.moved = false
		if _, err := workflow.AwaitWithTimeout(ctx, next.Sub(now), func() bool { return c.moved || c.wakeForCommittee(ctx) }); err != nil {
			return err
		}
		if c.failed != nil {
			return c.failed
		}
	}
}

// enter records the phase the campaign enters.
func (c *campaign) enter(ctx workflow.Context, phase models.Phase, now time.Time) error {
	err := workflow.ExecuteLocalActivity(ctx, acts.RecordCampaignPhase, activities.CampaignPhaseInput{CampaignID: c.in.CampaignID,
		Phase: phase, Audit: activities.Audit{Key: fmt.Sprintf("phase/%s/%d", phase, now.Unix()), Actor: "system",
			Action: models.AuditCampaignPhase, Detail: fmt.Sprintf("%s (was %s)", phase, c.in.Phase)}}).Get(ctx, nil)
	if err != nil {
		return err
	}
	c.in.Phase = phase
	c.process.status = models.Status(phase)
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchStatus.ValueSet(string(phase))); err != nil {
		return err
	}
	return c.signalPhase(ctx, phase)
}

// wakeForCommittee wakes the phase loop when the committee failed, or when its tasks have
// grown the history past the limit while no phase changes: the loop continues as new.
func (c *campaign) wakeForCommittee(ctx workflow.Context) bool {
	if c.committee == nil || c.in.CommitteeDone {
		return false
	}
	return c.failed != nil || workflow.GetInfo(ctx).GetCurrentHistoryLength() >= campaignMaxEvents
}

// adjourn closes the committee's tasks still open when the campaign ends undecided.
func (c *campaign) adjourn(ctx workflow.Context) error {
	if c.committee == nil || c.in.CommitteeDone {
		return nil
	}
	return c.board.cancel(ctx, "the campaign has closed", c.committee.open()...)
}

// validateMove refuses, before anything is written to history, a move by someone other
// than an administrator, a schedule out of order, or a change to a phase that has closed
// (or to the opening of one that has opened).
func (c *campaign) validateMove(ctx workflow.Context, req MoveScheduleRequest) error {
	if !req.Actor.HasRole(models.RoleAdmin) {
		return temporal.NewApplicationError("only an administrator moves a campaign's dates", models.EForbidden)
	}
	if err := models.Validate(req.Schedule); err != nil {
		return asApplicationError(err)
	}
	return asApplicationError(c.in.Schedule.CheckMove(req.Schedule, workflow.Now(ctx)))
}

// move records the new schedule, then wakes the phase loop so that its timer follows.
func (c *campaign) move(ctx workflow.Context, req MoveScheduleRequest) (MoveScheduleResult, error) {
	ctx = withActivityOptions(ctx)
	// Checked again: an earlier move accepted at the same time may have changed the schedule.
	if err := c.in.Schedule.CheckMove(req.Schedule, workflow.Now(ctx)); err != nil {
		return MoveScheduleResult{}, asApplicationError(err)
	}
	c.in.Schedule = req.Schedule
	c.in.Moves++
	err := workflow.ExecuteLocalActivity(ctx, acts.SaveCampaignSchedule, activities.CampaignScheduleInput{CampaignID: c.in.CampaignID,
		Schedule: req.Schedule, Audit: activities.Audit{Key: fmt.Sprintf("moved/%d", c.in.Moves), Actor: req.Actor.Subject,
			Action: models.AuditCampaignMoved, Detail: describeSchedule(req.Schedule)}}).Get(ctx, nil)
	if err != nil {
		return MoveScheduleResult{}, err
	}
	c.moved = true
	return MoveScheduleResult{Schedule: req.Schedule, Phase: req.Schedule.PhaseAt(workflow.Now(ctx))}, nil
}

// describeSchedule is the audit trail's account of a schedule.
func describeSchedule(s models.Schedule) string {
	out := ""
	for i, p := range models.CampaignPhases {
		w := s.Window(p)
		if i > 0 {
			out += "; "
		}
		out += fmt.Sprintf("%s %s → %s", p, w.OpensAt.UTC().Format(time.RFC3339), w.ClosesAt.UTC().Format(time.RFC3339))
	}
	return out
}
