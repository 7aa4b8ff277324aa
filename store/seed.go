package store

import (
	"context"
	"encoding/json"
	"strconv"

	"gorm.io/gorm"

	"github.com/relance/relance/models"
)

// SeedCreator is the created_by of every seeded dossier and the actor of its audit events:
// what tells seeded rows from real ones.
const SeedCreator = "seed"

// seedBatchRows bounds the rows of one multi-row INSERT: PostgreSQL takes at most 65,535
// parameters in a statement, and a dossier row has 19 columns.
const seedBatchRows = 1000

// SeedBatch is a set of seeded rows written together.
type SeedBatch struct {
	Dossiers []models.Dossier
	Tasks    []models.Task
	Events   []models.AuditEvent
}

// InsertSeed writes a batch of seeded dossiers, their tasks (each of a dossier of the batch)
// and audit events in one transaction, as multi-row INSERTs. Each dossier must be created by SeedCreator: the
// store writes no other dossier this way.
func (s *Store) InsertSeed(ctx context.Context, b SeedBatch) error {
	dossiers := make([]dossierRow, len(b.Dossiers))
	for i, d := range b.Dossiers {
		if d.CreatedBy != SeedCreator {
			return models.Errorf(models.EInvalid, "seeded dossier %s must be created by %q", d.ID, SeedCreator)
		}
		missing := ""
		if len(d.MissingItems) > 0 {
			b, err := json.Marshal(d.MissingItems)
			if err != nil {
				return err
			}
			missing = string(b)
		}
		dossiers[i] = dossierRow{ID: d.ID, Kind: string(d.Kind), Status: string(d.Status), ApplicantSiren: d.ApplicantSiren,
			ApplicantName: d.ApplicantName, Departement: d.Departement, Region: d.Region, EnvelopeCode: d.EnvelopeCode,
			RequestedCents: d.RequestedCents, GrantedCents: d.GrantedCents, Reason: d.Reason, MissingItems: missing,
			Payload: string(d.Payload), CreatedBy: d.CreatedBy, CallID: d.CallID, CreatedAt: d.CreatedAt.UTC(),
			UpdatedAt: d.UpdatedAt.UTC(), ProcessStartedAt: d.ProcessStartedAt}
	}
	departements := make(map[string]string, len(b.Dossiers))
	for _, d := range b.Dossiers {
		departements[d.ID] = d.Departement
	}
	tasks := make([]taskRow, len(b.Tasks))
	for i, t := range b.Tasks {
		tasks[i] = taskRow{ID: t.ID, DossierID: t.DossierID, Type: string(t.Type), Role: string(t.Role), Scope: t.Scope.String(),
			Status: string(t.Status), Assignee: t.Assignee, DueAt: t.DueAt, Outcome: t.Outcome, Comment: t.Comment,
			Data: string(t.Data), ClosedBy: t.ClosedBy, CreatedAt: t.CreatedAt.UTC(), ClosedAt: t.ClosedAt,
			RemindedAt: t.RemindedAt, EscalatedAt: t.EscalatedAt, Departement: departements[t.DossierID]}
	}
	events := make([]auditRow, len(b.Events))
	for i, e := range b.Events {
		events[i] = auditRow{DossierID: e.DossierID, StepKey: "seed/" + e.DossierID + "/" + strconv.Itoa(i), At: e.At.UTC(),
			Actor: e.Actor, Action: e.Action, Detail: e.Detail}
	}
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if len(dossiers) > 0 {
			if err := tx.CreateInBatches(dossiers, seedBatchRows).Error; err != nil {
				return err
			}
		}
		if len(tasks) > 0 {
			if err := tx.CreateInBatches(tasks, seedBatchRows).Error; err != nil {
				return err
			}
		}
		if len(events) > 0 {
			return tx.CreateInBatches(events, seedBatchRows).Error
		}
		return nil
	})
}

// DossierCounts counts the seeded dossiers and the others (real ones).
func (s *Store) DossierCounts(ctx context.Context) (seeded, real int64, err error) {
	var rows []struct {
		Seeded bool
		N      int64
	}
	err = s.db.WithContext(ctx).Raw("SELECT created_by = ? AS seeded, COUNT(*) AS n FROM dossiers GROUP BY 1", SeedCreator).Scan(&rows).Error
	for _, r := range rows {
		if r.Seeded {
			seeded = r.N
		} else {
			real = r.N
		}
	}
	return seeded, real, err
}

// AfterBulkLoad refreshes the planner's statistics after a bulk load and, on PostgreSQL, vacuums
// the tables loaded, as autovacuum would soon: their visibility maps let the read path's
// index-only scans skip the heap.
func (s *Store) AfterBulkLoad(ctx context.Context) error {
	if s.sqlite {
		return s.db.WithContext(ctx).Exec("ANALYZE").Error
	}
	return s.db.WithContext(ctx).Exec("VACUUM (ANALYZE) dossiers, tasks, audit_events").Error
}
