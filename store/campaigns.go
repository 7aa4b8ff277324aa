package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/relance/relance/models"
)

type campaignRow struct {
	ID                  string `gorm:"primaryKey"`
	Title               string
	CollectionOpensAt   time.Time
	CollectionClosesAt  time.Time
	VoteOpensAt         time.Time
	VoteClosesAt        time.Time
	InterestOpensAt     time.Time
	InterestClosesAt    time.Time
	BuildOpensAt        time.Time
	BuildClosesAt       time.Time
	EnvelopeCode        string
	Committee           string
	Chair               string
	Quorum              int
	BallotSize          int
	ReferentsPerService int
	Categories          string
	Phase               string
	ProcessStartedAt    *time.Time
	CreatedBy           string
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

func (campaignRow) TableName() string { return "campaigns" }

func scheduleColumns(s models.Schedule) map[string]any {
	return map[string]any{
		"collection_opens_at": s.Collection.OpensAt.UTC(), "collection_closes_at": s.Collection.ClosesAt.UTC(),
		"vote_opens_at": s.Vote.OpensAt.UTC(), "vote_closes_at": s.Vote.ClosesAt.UTC(),
		"interest_opens_at": s.Interest.OpensAt.UTC(), "interest_closes_at": s.Interest.ClosesAt.UTC(),
		"build_opens_at": s.Build.OpensAt.UTC(), "build_closes_at": s.Build.ClosesAt.UTC(),
	}
}

func (r campaignRow) model(budget models.Cents) models.Campaign {
	c := models.Campaign{ID: r.ID, Title: r.Title, EnvelopeCode: r.EnvelopeCode, BudgetCents: budget, Chair: r.Chair, Quorum: r.Quorum,
		BallotSize: r.BallotSize, ReferentsPerService: r.ReferentsPerService, Phase: models.Phase(r.Phase), CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, Schedule: models.Schedule{
			Collection: models.Window{OpensAt: r.CollectionOpensAt, ClosesAt: r.CollectionClosesAt},
			Vote:       models.Window{OpensAt: r.VoteOpensAt, ClosesAt: r.VoteClosesAt},
			Interest:   models.Window{OpensAt: r.InterestOpensAt, ClosesAt: r.InterestClosesAt},
			Build:      models.Window{OpensAt: r.BuildOpensAt, ClosesAt: r.BuildClosesAt},
		}}
	// Both written by CreateCampaign from the same types.
	_ = json.Unmarshal([]byte(r.Committee), &c.Committee)
	_ = json.Unmarshal([]byte(r.Categories), &c.Categories)
	return c
}

// CreateCampaign records a campaign with its budget as a new sub-envelope of axe1, in one
// transaction: the envelope tree is locked, so two campaigns created at once never give
// axe1's sub-envelopes more than axe1 holds.
func (s *Store) CreateCampaign(ctx context.Context, c models.Campaign) (models.Campaign, error) {
	committee, err := json.Marshal(c.Committee)
	if err != nil {
		return c, err
	}
	categories, err := json.Marshal(c.Categories)
	if err != nil {
		return c, err
	}
	now, sch := s.now(), c.Schedule
	row := campaignRow{ID: c.ID, Title: c.Title, EnvelopeCode: c.EnvelopeCode, Committee: string(committee), Categories: string(categories), Chair: c.Chair,
		Quorum: c.Quorum, BallotSize: c.BallotSize, ReferentsPerService: c.ReferentsPerService, Phase: string(c.Schedule.PhaseAt(now)),
		CreatedBy: c.CreatedBy, CreatedAt: now, UpdatedAt: now,
		CollectionOpensAt: sch.Collection.OpensAt.UTC(), CollectionClosesAt: sch.Collection.ClosesAt.UTC(),
		VoteOpensAt: sch.Vote.OpensAt.UTC(), VoteClosesAt: sch.Vote.ClosesAt.UTC(),
		InterestOpensAt: sch.Interest.OpensAt.UTC(), InterestClosesAt: sch.Interest.ClosesAt.UTC(),
		BuildOpensAt: sch.Build.OpensAt.UTC(), BuildClosesAt: sch.Build.ClosesAt.UTC()}
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		var rows []envelopeRow
		if err := lockForUpdate(tx, s.sqlite).Order("code").Find(&rows).Error; err != nil {
			return err
		}
		var parent *models.Envelope
		tree := make([]models.Envelope, 0, len(rows)+1)
		for _, r := range rows {
			switch {
			case r.Code == c.EnvelopeCode:
				return models.FieldErrors(map[string]string{"envelope_code": "already exists: each campaign has its own envelope"})
			case r.Code == models.EnvelopeAxe1:
				p := r.model()
				parent = &p
			}
			tree = append(tree, r.model())
		}
		if parent == nil {
			return models.Errorf(models.EConflict, "envelope %s does not exist", models.EnvelopeAxe1)
		}
		if engaged, err := parent.Engaged(); err != nil || engaged > 0 {
			return models.Errorf(models.EConflict, "envelope %s holds money movements itself: it cannot get sub-envelopes", parent.Code)
		}
		// The campaign's envelope, empty, then given its budget by the tree's one rule.
		tree = append(tree, models.Envelope{Code: c.EnvelopeCode, ParentCode: models.EnvelopeAxe1})
		if err := models.CheckReallocation(tree, c.EnvelopeCode, c.BudgetCents); err != nil {
			return err
		}
		env := envelopeRow{Code: c.EnvelopeCode, ParentCode: models.EnvelopeAxe1, Label: "Axe 1 — " + c.Title,
			AllocatedCents: c.BudgetCents, UpdatedAt: now}
		if err := tx.Create(&env).Error; err != nil {
			return err
		}
		return tx.Create(&row).Error
	})
	if err != nil {
		return c, err
	}
	return s.Campaign(ctx, c.ID)
}

// Campaign returns one campaign, its budget read from its envelope.
func (s *Store) Campaign(ctx context.Context, id string) (models.Campaign, error) {
	var row campaignRow
	if err := s.db.WithContext(ctx).Take(&row, "id = ?", id).Error; err != nil {
		return models.Campaign{}, notFound(err, "no campaign %s", id)
	}
	var env envelopeRow
	if err := s.db.WithContext(ctx).Take(&env, "code = ?", row.EnvelopeCode).Error; err != nil {
		return models.Campaign{}, err
	}
	return row.model(env.AllocatedCents), nil
}

// Campaigns lists every campaign, the latest to open first.
func (s *Store) Campaigns(ctx context.Context) ([]models.Campaign, error) {
	var rows []campaignRow
	if err := s.db.WithContext(ctx).Order("collection_opens_at DESC, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	var envs []envelopeRow
	if err := s.db.WithContext(ctx).Where("parent_code = ?", models.EnvelopeAxe1).Find(&envs).Error; err != nil {
		return nil, err
	}
	budgets := map[string]models.Cents{}
	for _, e := range envs {
		budgets[e.Code] = e.AllocatedCents
	}
	out := make([]models.Campaign, len(rows))
	for i, r := range rows {
		out[i] = r.model(budgets[r.EnvelopeCode])
	}
	return out, nil
}

// SetCampaignSchedule records a campaign's moved dates, with the audit event keyed by
// stepKey: a retried write changes nothing more.
func (s *Store) SetCampaignSchedule(ctx context.Context, id string, sch models.Schedule, stepKey string, e models.AuditEvent) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		cols := scheduleColumns(sch)
		cols["updated_at"] = s.now()
		res := tx.Model(&campaignRow{}).Where("id = ?", id).Updates(cols)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.ENotFound, "no campaign %s", id)
		}
		return s.auditTx(tx, stepKey, e)
	})
}

// SetCampaignPhase records the phase a campaign's process entered, with its audit event.
func (s *Store) SetCampaignPhase(ctx context.Context, id string, phase models.Phase, stepKey string, e models.AuditEvent) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&campaignRow{}).Where("id = ?", id).Updates(map[string]any{"phase": string(phase), "updated_at": s.now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.ENotFound, "no campaign %s", id)
		}
		return s.auditTx(tx, stepKey, e)
	})
}

// MarkCampaignStarted records that a campaign's workflow runs.
func (s *Store) MarkCampaignStarted(ctx context.Context, id string) error {
	return s.db.WithContext(ctx).Model(&campaignRow{}).Where("id = ? AND process_started_at IS NULL", id).
		Update("process_started_at", s.now()).Error
}

// UnstartedCampaigns returns, oldest first, up to limit campaigns created before before
// whose workflow is not recorded as started: the reconciler's work list.
func (s *Store) UnstartedCampaigns(ctx context.Context, before time.Time, limit int) ([]models.Campaign, error) {
	var rows []campaignRow
	if err := s.db.WithContext(ctx).Where("process_started_at IS NULL AND created_at < ?", before).
		Order("created_at").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.Campaign, 0, len(rows))
	for _, r := range rows {
		c, err := s.Campaign(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
