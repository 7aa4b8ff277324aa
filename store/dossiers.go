package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/relance/relance/models"
)

type dossierRow struct {
	ID             string `gorm:"primaryKey"`
	Kind           string
	Status         string
	ApplicantSiren string
	ApplicantName  string
	Departement    string
	Region         string
	EnvelopeCode   string
	RequestedCents models.Cents
	GrantedCents   models.Cents
	Reason         string
	MissingItems   string
	Payload        string
	CreatedBy      string
	CallID         string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// ProcessStartedAt is set once the dossier's workflow is known to run.
	ProcessStartedAt *time.Time
}

func (dossierRow) TableName() string { return "dossiers" }

func (r dossierRow) model() models.Dossier {
	d := models.Dossier{ID: r.ID, Kind: models.DossierKind(r.Kind), Status: models.Status(r.Status),
		ApplicantSiren: r.ApplicantSiren, ApplicantName: r.ApplicantName, Departement: r.Departement, Region: r.Region,
		EnvelopeCode: r.EnvelopeCode, RequestedCents: r.RequestedCents, GrantedCents: r.GrantedCents, Reason: r.Reason,
		Payload: json.RawMessage(r.Payload), CreatedBy: r.CreatedBy, CallID: r.CallID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		ProcessStartedAt: r.ProcessStartedAt}
	if r.MissingItems != "" {
		_ = json.Unmarshal([]byte(r.MissingItems), &d.MissingItems) // written by us from the same type
	}
	return d
}

type idempotencyRow struct {
	Principal   string `gorm:"primaryKey"`
	Key         string `gorm:"primaryKey"`
	DossierID   string
	RequestHash string
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// IdempotencyKey is a client's Idempotency-Key in its scope (who, for whom, what kind of
// request), with the hash of the request it first came with.
type IdempotencyKey struct {
	Scope, Key, RequestHash string
}

// CreateDossier inserts a new dossier. With an idempotency key, the dossier already created
// under the same scope and key is returned instead (created reports which happened); the
// same key with another request is models.EIdempotencyKeyReused. admit, when not nil,
// may refuse a new dossier: a retry still gets the dossier it filed.
func (s *Store) CreateDossier(ctx context.Context, d models.Dossier, key IdempotencyKey, admit func() error) (out models.Dossier, created bool, err error) {
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		if key.Key != "" {
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).
				Create(&idempotencyRow{Principal: key.Scope, Key: key.Key, DossierID: d.ID, RequestHash: key.RequestHash, CreatedAt: s.now()})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				var prior idempotencyRow
				if err := tx.Where("principal = ? AND key = ?", key.Scope, key.Key).Take(&prior).Error; err != nil {
					return err
				}
				// Keys stored before request hashes were kept have none: they match any request.
				if prior.RequestHash != "" && prior.RequestHash != key.RequestHash {
					return models.Errorf(models.EIdempotencyKeyReused,
						"Idempotency-Key %q was used for a different request: use a new key for a new request", key.Key)
				}
				var row dossierRow
				if err := tx.Take(&row, "id = ?", prior.DossierID).Error; err != nil {
					return err
				}
				out = row.model()
				return nil
			}
		}
		if admit != nil {
			if err := admit(); err != nil {
				return err
			}
		}
		now := s.now()
		row := dossierRow{ID: d.ID, Kind: string(d.Kind), Status: string(d.Status), ApplicantSiren: d.ApplicantSiren,
			ApplicantName: d.ApplicantName, Departement: d.Departement, Region: d.Region, EnvelopeCode: d.EnvelopeCode,
			RequestedCents: d.RequestedCents, GrantedCents: d.GrantedCents, Payload: string(d.Payload),
			CreatedBy: d.CreatedBy, CallID: d.CallID, CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		out, created = row.model(), true
		return nil
	})
	return out, created, err
}

// MarkProcessStarted records that a dossier's workflow runs. Marking it twice is harmless.
func (s *Store) MarkProcessStarted(ctx context.Context, id string) error {
	return s.db.WithContext(ctx).Model(&dossierRow{}).Where("id = ? AND process_started_at IS NULL", id).
		Update("process_started_at", s.now()).Error
}

// UnstartedDossiers returns, oldest first, up to limit submitted dossiers whose workflow
// is not recorded as started and that have not changed since before: the reconciler's
// work list, read through a partial index that holds only such rows.
func (s *Store) UnstartedDossiers(ctx context.Context, before time.Time, limit int) ([]models.Dossier, error) {
	var rows []dossierRow
	// The literal matches the partial index's predicate: a bound parameter could not use it.
	err := s.db.WithContext(ctx).Where("process_started_at IS NULL AND status <> 'draft' AND updated_at < ?", before).
		Order("updated_at").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]models.Dossier, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// DeleteDossier removes a dossier whose workflow could not be started, with its idempotency key,
// so that a failed submission leaves nothing half-written.
func (s *Store) DeleteDossier(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("dossier_id = ?", id).Delete(&idempotencyRow{}).Error; err != nil {
			return err
		}
		return tx.Where("id = ?", id).Delete(&dossierRow{}).Error
	})
}

// Dossier returns one dossier.
func (s *Store) Dossier(ctx context.Context, id string) (models.Dossier, error) {
	var row dossierRow
	if err := s.db.WithContext(ctx).Take(&row, "id = ?", id).Error; err != nil {
		return models.Dossier{}, notFound(err, "no dossier %s", id)
	}
	return row.model(), nil
}

// DossiersByID loads the dossiers of ids in one query, by ID: the dossiers of a list of
// tasks the caller was already allowed to see.
func (s *Store) DossiersByID(ctx context.Context, ids []string) (map[string]models.Dossier, error) {
	out := make(map[string]models.Dossier, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []dossierRow
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.model()
	}
	return out, nil
}

// TaskLine is a task with its dossier, as lists of tasks show it.
type TaskLine struct {
	models.Task
	Dossier models.Dossier
}

// TaskLines gives each task its dossier, read in one query: tasks the caller was already
// allowed to see.
func (s *Store) TaskLines(ctx context.Context, tasks []models.Task) ([]TaskLine, error) {
	ids := make([]string, len(tasks))
	for i, t := range tasks {
		ids[i] = t.DossierID
	}
	dossiers, err := s.DossiersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]TaskLine, len(tasks))
	for i, t := range tasks {
		out[i] = TaskLine{Task: t, Dossier: dossiers[t.DossierID]}
	}
	return out, nil
}

// StatusChange is what a workflow step writes to a dossier's read model, with its audit
// event and, when the applicant must hear of it, their message.
type StatusChange struct {
	Status       models.Status
	Reason       string
	MissingItems []models.ChecklistItem
	// GrantedCents, when not nil, records the amount granted.
	GrantedCents *models.Cents
	// StepKey makes the audit event and the message idempotent: a retried step writes each once.
	StepKey string
	// Audit, when its Action is set, is the step's audit event.
	Audit models.AuditEvent
	// Notice composes the applicant's message from the change; false when there is none.
	Notice func(models.Decision) (models.Notification, bool)
}

// SetDossierStatus records a status in the read model, its audit event and its message in
// the outbox, in one transaction. Writing the same change twice is harmless.
func (s *Store) SetDossierStatus(ctx context.Context, id string, c StatusChange) error {
	missing := ""
	if len(c.MissingItems) > 0 {
		b, err := json.Marshal(c.MissingItems)
		if err != nil {
			return err
		}
		missing = string(b)
	}
	updates := map[string]any{"status": string(c.Status), "reason": c.Reason, "missing_items": missing, "updated_at": s.now()}
	if c.GrantedCents != nil {
		updates["granted_cents"] = *c.GrantedCents
	}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		var before dossierRow
		if err := tx.Take(&before, "id = ?", id).Error; err != nil {
			return notFound(err, "no dossier %s", id)
		}
		if err := tx.Model(&dossierRow{}).Where("id = ?", id).Updates(updates).Error; err != nil {
			return err
		}
		if c.Audit.Action != "" {
			c.Audit.DossierID = id
			if err := s.auditTx(tx, c.StepKey, c.Audit); err != nil {
				return err
			}
		}
		if c.Notice == nil {
			return nil
		}
		var after dossierRow
		if err := tx.Take(&after, "id = ?", id).Error; err != nil {
			return err
		}
		dec := models.Decision{Before: before.model(), After: after.model()}
		// The applicant's open task (an answer, a signature) opened just before this step.
		var due []taskRow
		err := tx.Where("dossier_id = ? AND role = ? AND status IN ? AND due_at IS NOT NULL", id, string(models.RoleApplicant),
			models.OpenTaskStatuses).Order("due_at").Limit(1).Find(&due).Error
		if err != nil {
			return err
		}
		if len(due) > 0 {
			dec.Deadline = due[0].DueAt
		}
		n, ok := c.Notice(dec)
		if !ok {
			return nil
		}
		return s.queueTx(tx, c.StepKey, n)
	})
}

// dossierAccessSQL is the SQL condition of the policy's dossier set, on the dossiers table:
// the one place it is turned into SQL.
func dossierAccessSQL(a models.DossierAccess) clause.Expr {
	if a.All {
		return clause.Expr{SQL: "1 = 1"}
	}
	var conds []string
	var args []any
	add := func(cond string, vals ...any) { conds, args = append(conds, cond), append(args, vals...) }
	if len(a.Departements) > 0 {
		add("dossiers.departement IN ?", a.Departements)
	}
	if len(a.Regions) > 0 {
		add("dossiers.region IN ?", a.Regions)
	}
	if len(a.Sirens) > 0 {
		add("dossiers.applicant_siren IN ?", a.Sirens)
	}
	if len(a.JuryCalls) > 0 {
		add("(dossiers.call_id IN ? AND dossiers.status IN ?)", a.JuryCalls, models.JuryStatuses)
	}
	if len(conds) == 0 {
		return clause.Expr{SQL: "1 = 0"}
	}
	return clause.Expr{SQL: "(" + strings.Join(conds, " OR ") + ")", Vars: args}
}

// DossierFilter narrows a dossier list.
type DossierFilter struct {
	Kind, Status, Applicant, Departement, Region, Call string
	// After is the cursor: the ID of the last dossier of the previous page. IDs are
	// time-ordered, so pages run newest first.
	After string
	Limit int
}

// ListDossiers lists the dossiers p may read (as the policy says) matching f, newest first.
func (s *Store) ListDossiers(ctx context.Context, p models.Principal, f DossierFilter) ([]models.Dossier, error) {
	a := p.DossierAccess()
	if !a.All && len(a.Departements) > 1 && len(a.Regions)+len(a.Sirens)+len(a.JuryCalls) == 0 && f.Departement == "" {
		return s.listByDepartement(ctx, a.Departements, f)
	}
	return s.dossierPage(ctx, dossierAccessSQL(a), f)
}

// dossierPage reads a page of the dossiers within access matching f, newest first.
func (s *Store) dossierPage(ctx context.Context, access clause.Expr, f DossierFilter) ([]models.Dossier, error) {
	q := s.db.WithContext(ctx).Model(&dossierRow{}).Where(access)
	for col, val := range map[string]string{"kind": f.Kind, "status": f.Status, "applicant_siren": f.Applicant,
		"departement": f.Departement, "region": f.Region, "call_id": f.Call} {
		if val != "" {
			q = q.Where(col+" = ?", val)
		}
	}
	if f.After != "" {
		q = q.Where("id < ?", f.After)
	}
	var rows []dossierRow
	if err := q.Order("id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.Dossier, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// listByDepartement lists the dossiers of someone who reads several départements: each
// département's page comes from its own index in order, and the pages are merged. One
// query over the départements together would read every match to sort them, a cost that
// grows with the data.
func (s *Store) listByDepartement(ctx context.Context, departements []string, f DossierFilter) ([]models.Dossier, error) {
	var out []models.Dossier
	for _, dep := range departements {
		page := f
		page.Departement = dep // one of the départements the access allows: no other condition
		ds, err := s.dossierPage(ctx, clause.Expr{SQL: "1 = 1"}, page)
		if err != nil {
			return nil, err
		}
		out = append(out, ds...)
	}
	slices.SortFunc(out, func(x, y models.Dossier) int { return strings.Compare(y.ID, x.ID) })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// FundGuichet takes the collectivité's one funding of this kind and reserves the grant, in
// one transaction: either both happen or neither. Keyed by dossier, so a retry is a no-op.
// It fails with models.ErrCapReached or models.ErrEnvelopeExhausted.
func (s *Store) FundGuichet(ctx context.Context, dossierID, siren string, kind models.GuichetKind, envelope string, amount models.Cents) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Exec("INSERT INTO guichet_grants (siren, kind, dossier_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			siren, string(kind), dossierID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			holder, err := guichetGrantHolder(tx, siren, kind)
			if err != nil {
				return err
			}
			if holder != dossierID {
				return fmt.Errorf("%w (dossier %s)", models.ErrCapReached, holder)
			}
		}
		return s.reserveTx(tx, dossierID, envelope, amount)
	})
}

// GuichetGrantHolder returns the dossier holding the SIREN's funding of that kind, or "".
func (s *Store) GuichetGrantHolder(ctx context.Context, siren string, kind models.GuichetKind) (string, error) {
	return guichetGrantHolder(s.db.WithContext(ctx), siren, kind)
}

func guichetGrantHolder(tx *gorm.DB, siren string, kind models.GuichetKind) (string, error) {
	var holder string
	err := tx.Table("guichet_grants").Select("dossier_id").Where("siren = ? AND kind = ?", siren, string(kind)).Take(&holder).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	return holder, err
}

// SetGuichetApplication replaces a guichet dossier's application (an amended checklist).
func (s *Store) SetGuichetApplication(ctx context.Context, id string, app models.GuichetApplication) error {
	b, err := json.Marshal(app)
	if err != nil {
		return err
	}
	res := s.db.WithContext(ctx).Model(&dossierRow{}).Where("id = ?", id).
		Updates(map[string]any{"payload": string(b), "updated_at": s.now()})
	if res.Error == nil && res.RowsAffected == 0 {
		return models.Errorf(models.ENotFound, "no dossier %s", id)
	}
	return res.Error
}

// UpdateDraft replaces a draft's application and requested amount.
func (s *Store) UpdateDraft(ctx context.Context, id string, payload json.RawMessage, requested models.Cents) (models.Dossier, error) {
	res := s.db.WithContext(ctx).Model(&dossierRow{}).Where("id = ? AND status = ?", id, string(models.StatusDraft)).
		Updates(map[string]any{"payload": string(payload), "requested_cents": requested, "updated_at": s.now()})
	if res.Error != nil {
		return models.Dossier{}, res.Error
	}
	d, err := s.Dossier(ctx, id)
	if err == nil && res.RowsAffected == 0 {
		return d, models.Errorf(models.EConflict, "dossier %s is %s: only a draft can be edited", id, d.Status)
	}
	return d, err
}

// SubmitDraft marks a draft submitted, once: a second submission, or an edit racing it, finds it no longer a draft.
func (s *Store) SubmitDraft(ctx context.Context, id string) (models.Dossier, error) {
	res := s.db.WithContext(ctx).Model(&dossierRow{}).Where("id = ? AND status = ?", id, string(models.StatusDraft)).
		Updates(map[string]any{"status": string(models.StatusSubmitted), "updated_at": s.now()})
	if res.Error != nil {
		return models.Dossier{}, res.Error
	}
	d, err := s.Dossier(ctx, id)
	if err == nil && res.RowsAffected == 0 {
		return d, models.Errorf(models.EConflict, "dossier %s is already %s", id, d.Status)
	}
	return d, err
}

// ReturnToDraft undoes a submission whose workflow could not be started.
func (s *Store) ReturnToDraft(ctx context.Context, id string) error {
	return s.db.WithContext(ctx).Model(&dossierRow{}).Where("id = ? AND status = ?", id, string(models.StatusSubmitted)).
		Update("status", string(models.StatusDraft)).Error
}
