// Package seed fills a database with realistic, clearly labelled dossiers, tasks and audit
// events, to measure the read path at scale. Seeded dossiers are created by
// store.SeedCreator, their audit events are by the same actor, and their titles start with
// "[seed]"; Run refuses a database that holds any other dossier, so it never mixes with
// real data. Seeded dossiers have no workflow: they are for reading, not for acting on.
package seed

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/relance/relance/models"
	"github.com/relance/relance/registry"
	"github.com/relance/relance/store"
)

// Options says what to seed.
type Options struct {
	Dossiers int
	// Seed makes a run reproducible: the same seed gives the same rows (but new IDs' times
	// follow Now).
	Seed uint64
	// Now is the end of the seeded period; dossiers are created over the year before it.
	Now time.Time
	// Batch is the number of dossiers written per transaction (1,000 when zero).
	Batch int
	// Progress, when not nil, is told after each batch.
	Progress func(done, total int)
}

// Result counts the rows written.
type Result struct {
	Dossiers, Tasks, Events int
}

// JuryMembers are the subjects sitting on the seeded calls' juries.
var JuryMembers = []string{"seed-jury-1", "seed-jury-2", "seed-jury-3"}

// Run seeds opts.Dossiers dossiers with about three tasks each and their audit events. It
// refuses a database that holds dossiers not created by the seed, and may be run again to
// add more.
func Run(ctx context.Context, st *store.Store, opts Options) (Result, error) {
	if opts.Dossiers < 1 {
		return Result{}, models.FieldErrors(map[string]string{"dossiers": "must be at least 1"})
	}
	_, real, err := st.DossierCounts(ctx)
	if err != nil {
		return Result{}, err
	}
	if real > 0 {
		return Result{}, models.Errorf(models.EConflict,
			"the database holds %d dossiers that were not seeded: seed only an empty or seeded database, never production", real)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	g, err := newGenerator(ctx, st, opts)
	if err != nil {
		return Result{}, err
	}
	var res Result
	for done := 0; done < opts.Dossiers; {
		n := min(opts.Batch, opts.Dossiers-done)
		var b store.SeedBatch
		for i := range n {
			g.dossier(&b, done+i)
		}
		if err := st.InsertSeed(ctx, b); err != nil {
			return res, fmt.Errorf("seed: %w", err)
		}
		done += n
		res.Dossiers, res.Tasks, res.Events = res.Dossiers+len(b.Dossiers), res.Tasks+len(b.Tasks), res.Events+len(b.Events)
		if opts.Progress != nil {
			opts.Progress(done, opts.Dossiers)
		}
	}
	return res, st.AfterBulkLoad(ctx)
}

type generator struct {
	opts  Options
	rng   *rand.Rand
	coll  []models.Collectivite // those with a SIREN and a département
	calls []models.Call
	span  time.Duration
}

func newGenerator(ctx context.Context, st *store.Store, opts Options) (*generator, error) {
	all, err := registry.Load()
	if err != nil {
		return nil, err
	}
	g := &generator{opts: opts, rng: rand.New(rand.NewPCG(opts.Seed, 0x5eed)), span: 365 * 24 * time.Hour}
	for _, c := range all {
		if c.Siren != "" && c.Departement != "" {
			g.coll = append(g.coll, c)
		}
	}
	if g.calls, err = seedCalls(ctx, st, opts.Now); err != nil {
		return nil, err
	}
	return g, nil
}

// seedCalls returns the calls the seeded applications answer: the database's own, or one
// seeded call per strand when there is none.
func seedCalls(ctx context.Context, st *store.Store, now time.Time) ([]models.Call, error) {
	calls, err := st.Calls(ctx)
	if err != nil || len(calls) > 0 {
		return calls, err
	}
	var jury []models.JuryMember
	for i, s := range JuryMembers {
		jury = append(jury, models.JuryMember{Subject: s, Name: fmt.Sprintf("Juré seed %d", i+1), State: i == 0})
	}
	for _, strand := range models.Strands {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, err
		}
		c, err := st.CreateCall(ctx, models.Call{ID: id.String(), Strand: strand, Round: 1, Title: "[seed] Appel " + string(strand),
			OpensAt: now.AddDate(-1, 0, 0), ClosesAt: now.AddDate(1, 0, 0), EnvelopeCode: models.EnvelopeAxe2, Jury: jury,
			Chair: JuryMembers[0], Quorum: 2, CreatedBy: store.SeedCreator})
		if err != nil {
			return nil, err
		}
		calls = append(calls, c)
	}
	return calls, nil
}

// weighted picks one of choices with the weights given.
func weighted[T any](rng *rand.Rand, choices []T, weights []int) T {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := rng.IntN(total)
	for i, w := range weights {
		if n < w {
			return choices[i]
		}
		n -= w
	}
	return choices[len(choices)-1]
}

var (
	guichetStatuses = []models.Status{models.StatusSubmitted, models.StatusChecking, models.StatusIncomplete, models.StatusRefused,
		models.StatusAwaitingPayment, models.StatusPaid, models.StatusClosedWithoutAction, models.StatusWithdrawn}
	guichetWeights = []int{3, 4, 10, 7, 30, 36, 5, 5}
	aapStatuses    = []models.Status{models.StatusDraft, models.StatusSubmitted, models.StatusPreselection, models.StatusInfoRequested,
		models.StatusPreselected, models.StatusJury, models.StatusWaitingList, models.StatusAwaitingSignature,
		models.StatusAwaitingPayment, models.StatusPaid, models.StatusRefused, models.StatusLapsed, models.StatusWithdrawn}
	aapWeights = []int{4, 3, 15, 8, 4, 15, 5, 10, 10, 16, 7, 2, 1}
)

// uuidAt is a version 7 UUID of time t, as the API makes them: the dossier list pages by
// ID, newest first, so seeded IDs follow their creation times.
func (g *generator) uuidAt(t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[8:], g.rng.Uint64())
	binary.BigEndian.PutUint64(b[0:], uint64(t.UnixMilli())<<16|uint64(g.rng.Uint32()&0xffff))
	b[6] = 0x70 | b[6]&0x0f
	b[8] = 0x80 | b[8]&0x3f
	return uuid.UUID(b).String()
}

// dossier appends the i-th dossier, its tasks and its events to b.
func (g *generator) dossier(b *store.SeedBatch, i int) {
	rng, now := g.rng, g.opts.Now
	// Created evenly over the year, in order, with a little jitter.
	created := now.Add(-g.span + time.Duration(float64(g.span)*float64(i)/float64(g.opts.Dossiers)) + time.Duration(rng.IntN(1000))*time.Millisecond)
	if created.After(now) {
		created = now
	}
	c := g.coll[rng.IntN(len(g.coll))]
	d := models.Dossier{ID: g.uuidAt(created), ApplicantSiren: c.Siren, ApplicantName: c.Name, Departement: c.Departement,
		Region: c.Region, CreatedBy: store.SeedCreator, CreatedAt: created}
	var stage []stageStep
	if rng.IntN(4) == 0 { // a quarter guichet, whose dossiers have fewer tasks: about three tasks a dossier in all
		d.Kind, d.Status, d.EnvelopeCode = models.KindGuichet, weighted(rng, guichetStatuses, guichetWeights), models.EnvelopeGuichet
		kind := weighted(rng, []models.GuichetKind{models.GuichetFranceConnect, models.GuichetAPI}, []int{2, 1})
		app := models.GuichetApplication{Kind: kind, ProjectCostCents: models.Cents(100_000 + rng.IntN(900_000)), Checklist: map[string]bool{}}
		if kind == models.GuichetAPI {
			app.APIName = "api_entreprise"
		}
		spec, _ := models.ChecklistFor(kind)
		app.ChecklistVersion = spec.Version
		for _, item := range spec.Items {
			app.Checklist[item.Key] = d.Status != models.StatusIncomplete || rng.IntN(2) == 0
		}
		d.Payload, _ = json.Marshal(app)
		d.RequestedCents = app.GrantCents()
		stage = guichetStages(d.Status)
	} else {
		call := g.calls[rng.IntN(len(g.calls))]
		d.Kind, d.Status, d.EnvelopeCode, d.CallID = models.KindAAP, weighted(rng, aapStatuses, aapWeights), call.EnvelopeCode, call.ID
		cost := models.Cents(1_000_000 + rng.IntN(50_000_000))
		app := models.AAPApplication{Title: fmt.Sprintf("[seed] Projet numérique n°%d de %s", i+1, c.Name),
			Summary:      "Dossier de démonstration créé par relance seed pour mesurer la lecture à grande échelle.",
			StrandFields: map[string]string{}, EligibleCostCents: cost, RequestedCents: cost * models.AAPFundingRate / 100}
		d.Payload, _ = json.Marshal(app)
		d.RequestedCents = app.RequestedCents
		stage = aapStages(d.Status)
	}
	switch d.Status {
	case models.StatusAwaitingSignature, models.StatusAwaitingPayment, models.StatusPaid, models.StatusLapsed:
		d.GrantedCents = d.RequestedCents
	case models.StatusRefused, models.StatusClosedWithoutAction, models.StatusWithdrawn:
		d.Reason = "[seed] motif de démonstration"
	case models.StatusIncomplete:
		d.MissingItems = []models.ChecklistItem{{Key: "guide", Label: "[seed] pièce manquante"}}
	}
	if d.Status != models.StatusDraft {
		b.Events = append(b.Events, models.AuditEvent{DossierID: d.ID, At: created, Actor: store.SeedCreator, Action: models.AuditSubmitted})
		started := created.Add(time.Second)
		d.ProcessStartedAt = &started
	}
	// Steps run from creation to now: the last ones (the open tasks) are recent.
	at := created
	for k, s := range stage {
		last := k == len(stage)-1
		at = g.stepTime(at, last)
		for n, t := range s.tasks {
			b.Tasks = append(b.Tasks, g.task(&d, t, n, at, last))
			b.Events = append(b.Events, models.AuditEvent{DossierID: d.ID, At: at, Actor: store.SeedCreator,
				Action: models.AuditTaskOpened, Detail: string(t.typ)})
		}
		if s.action != "" {
			b.Events = append(b.Events, models.AuditEvent{DossierID: d.ID, At: at, Actor: store.SeedCreator, Action: s.action})
		}
	}
	d.UpdatedAt = at
	b.Dossiers = append(b.Dossiers, d)
}

// stepTime is when the next step after prev happened: days later, and, for the open
// step, within the last six weeks (so that about a third of open tasks are overdue).
func (g *generator) stepTime(prev time.Time, last bool) time.Time {
	t := prev.Add(time.Duration(1+g.rng.IntN(20)) * 24 * time.Hour)
	if recent := g.opts.Now.Add(-time.Duration(g.rng.IntN(42*24)) * time.Hour); last && t.Before(recent) {
		t = recent
	}
	if t.After(g.opts.Now) {
		t = g.opts.Now
	}
	if t.Before(prev) {
		t = prev
	}
	return t
}

// taskSpec is a task a step opens; state is how it ended when the step is over.
type taskSpec struct {
	typ   models.TaskType
	role  models.Role
	jury  bool // the scope is the call's jury, the assignee one member
	due   bool
	state models.TaskStatus // for a step that is over; "" means done
}

// stageStep is a step of a dossier's process: the tasks it opened and its audit action.
type stageStep struct {
	tasks  []taskSpec
	action string
}

var (
	preselection = taskSpec{typ: models.TaskPreselection, role: models.RoleInstructor, due: true}
	information  = taskSpec{typ: models.TaskInformation, role: models.RoleApplicant, due: true}
	juryVote     = taskSpec{typ: models.TaskJuryDecision, role: models.RoleJury, jury: true, due: true}
	signApplic   = taskSpec{typ: models.TaskConventionSignature, role: models.RoleApplicant, due: true}
	signFinance  = taskSpec{typ: models.TaskConventionSignature, role: models.RoleFinance, due: true}
	disbursement = taskSpec{typ: models.TaskDisbursement, role: models.RoleFinance}
)

func cancelled(t taskSpec) taskSpec { t.state = models.TaskCancelled; return t }

// guichetStages are the steps a guichet dossier in status s went through.
func guichetStages(s models.Status) []stageStep {
	switch s {
	case models.StatusAwaitingPayment:
		return []stageStep{{action: models.AuditFunded}, {tasks: []taskSpec{disbursement}}}
	case models.StatusPaid:
		return []stageStep{{action: models.AuditFunded}, {tasks: []taskSpec{disbursement}}, {action: models.AuditPaymentRecorded}}
	case models.StatusIncomplete:
		return []stageStep{{action: models.AuditIncomplete}}
	case models.StatusRefused:
		return []stageStep{{action: models.AuditRefused}}
	case models.StatusWithdrawn:
		return []stageStep{{action: models.AuditWithdrawn}}
	}
	return nil
}

// aapStages are the steps a call-for-projects dossier in status s went through; the last
// step's tasks are still open unless the dossier is settled.
func aapStages(s models.Status) []stageStep {
	pre := stageStep{tasks: []taskSpec{preselection}, action: models.AuditPreselection}
	jury := stageStep{tasks: []taskSpec{juryVote, juryVote, juryVote}, action: models.AuditJury}
	sign := stageStep{tasks: []taskSpec{signApplic, signFinance}, action: models.AuditLaureate}
	pay := stageStep{tasks: []taskSpec{disbursement}, action: models.AuditAgreementSigned}
	switch s {
	case models.StatusPreselection:
		return []stageStep{pre}
	case models.StatusInfoRequested:
		return []stageStep{pre, {tasks: []taskSpec{information}, action: models.AuditInfoRequested}}
	case models.StatusPreselected:
		return []stageStep{pre, {action: models.AuditPreselected}}
	case models.StatusJury:
		return []stageStep{pre, jury}
	case models.StatusWaitingList:
		return []stageStep{pre, jury, {action: models.AuditWaitingList}}
	case models.StatusAwaitingSignature:
		return []stageStep{pre, jury, sign}
	case models.StatusAwaitingPayment:
		return []stageStep{pre, jury, sign, pay}
	case models.StatusPaid:
		return []stageStep{pre, jury, sign, pay, {action: models.AuditPaymentRecorded}}
	case models.StatusRefused:
		return []stageStep{pre, {action: models.AuditRefused}}
	case models.StatusLapsed:
		return []stageStep{pre, jury, {tasks: []taskSpec{cancelled(signApplic), cancelled(signFinance)}, action: models.AuditLaureate},
			{action: models.AuditLapsed}}
	case models.StatusWithdrawn:
		return []stageStep{{tasks: []taskSpec{cancelled(preselection)}, action: models.AuditPreselection}, {action: models.AuditWithdrawn}}
	}
	return nil
}

// task builds the n-th task of a step opened at at; open says the step is the dossier's
// current one, whose tasks are still to be done (some claimed, some overdue and escalated).
func (g *generator) task(d *models.Dossier, s taskSpec, n int, at time.Time, open bool) models.Task {
	rng := g.rng
	attempt := 0
	if s.jury || s.role == models.RoleFinance && s.typ == models.TaskConventionSignature {
		attempt = n
	}
	t := models.Task{ID: models.TaskID(d.ID, s.typ, attempt), DossierID: d.ID, Type: s.typ, Role: s.role, CreatedAt: at,
		Status: models.TaskOpen}
	switch {
	case s.jury:
		t.Scope, t.Assignee = models.JuryScope(d.CallID), JuryMembers[n%len(JuryMembers)]
	case s.role == models.RoleApplicant:
		t.Scope = models.CollectiviteScope(d.ApplicantSiren)
	default:
		t.Scope = models.ScopeNational
	}
	if s.due {
		due := at.Add(30 * 24 * time.Hour)
		t.DueAt = &due
	}
	switch {
	case s.state != "":
		t.Status, t.ClosedAt = s.state, &at
		return t
	case !open:
		closed := at.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
		t.Status, t.ClosedAt, t.ClosedBy, t.Outcome = models.TaskDone, &closed, g.actor(d, s), "done"
		if t.Assignee == "" {
			t.Assignee = t.ClosedBy
		}
		return t
	}
	if !s.jury && rng.IntN(10) < 3 {
		t.Status, t.Assignee = models.TaskClaimed, g.actor(d, s)
	}
	if t.DueAt != nil {
		if remind := t.DueAt.Add(-7 * 24 * time.Hour); remind.Before(g.opts.Now) {
			t.RemindedAt = &remind
		}
		if due := *t.DueAt; due.Before(g.opts.Now) {
			t.EscalatedAt = &due
		}
	}
	return t
}

// actor is who works on a task of this spec: one of a few seeded agents per role.
func (g *generator) actor(d *models.Dossier, s taskSpec) string {
	if s.role == models.RoleApplicant {
		return "seed-applicant-" + d.ApplicantSiren
	}
	return fmt.Sprintf("seed-%s-%d", s.role, 1+g.rng.IntN(20))
}
