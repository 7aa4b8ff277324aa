package store

import (
	"context"
	"strings"
	"time"

	"github.com/relance/relance/models"
)

// OverdueTask is an open task past its due date, with its dossier.
type OverdueTask struct {
	Task    models.Task
	Dossier models.Dossier
}

// OverdueTasks returns up to limit open tasks whose due date is before now, the most
// overdue first, after the cursor (the due date and ID of the last one of a previous page).
func (s *Store) OverdueTasks(ctx context.Context, now time.Time, after *TaskCursor, limit int) ([]OverdueTask, error) {
	// The literals match the partial index's predicate: bound parameters could not use it.
	q := s.db.WithContext(ctx).Where("status IN ('open', 'claimed') AND due_at IS NOT NULL AND due_at < ?", now.UTC())
	if after != nil {
		// A row comparison: the index's keys, so the cursor is an index condition.
		q = q.Where("(due_at, id) > (?, ?)", after.Key.UTC(), after.ID)
	}
	var rows []taskRow
	if err := q.Order("due_at, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.DossierID
	}
	var dossiers []dossierRow
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&dossiers).Error; err != nil {
		return nil, err
	}
	byID := make(map[string]models.Dossier, len(dossiers))
	for _, d := range dossiers {
		byID[d.ID] = d.model()
	}
	out := make([]OverdueTask, len(rows))
	for i, r := range rows {
		out[i] = OverdueTask{Task: r.model(), Dossier: byID[r.DossierID]}
	}
	return out, nil
}

// DossiersInProcess returns, in ID order after afterID, up to limit dossiers whose process
// should be running (neither draft nor closed), for a batched check against Temporal.
func (s *Store) DossiersInProcess(ctx context.Context, afterID string, limit int) ([]models.Dossier, error) {
	var rows []dossierRow
	err := s.db.WithContext(ctx).Where(inProcessSQL+" AND id > ?", afterID).Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]models.Dossier, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// inProcessSQL is models.InProcess on the dossiers table, in literals that match the
// partial index dossiers_in_process.
var inProcessSQL = func() string {
	statuses := []string{"'" + string(models.StatusDraft) + "'"}
	for _, st := range models.ClosedStatuses {
		statuses = append(statuses, "'"+string(st)+"'")
	}
	return "status NOT IN (" + strings.Join(statuses, ", ") + ")"
}()

// ExtendTask moves an open task's due date and clears its reminder and escalation, which
// go out again before and at the new date. Moving it again to the same date changes nothing.
func (s *Store) ExtendTask(ctx context.Context, id string, due time.Time) (models.Task, error) {
	res := s.db.WithContext(ctx).Model(&taskRow{}).
		Where("id = ? AND status IN ?", id, []string{string(models.TaskOpen), string(models.TaskClaimed)}).
		Updates(map[string]any{"due_at": due.UTC(), "reminded_at": nil, "escalated_at": nil})
	if res.Error != nil {
		return models.Task{}, res.Error
	}
	t, err := s.Task(ctx, id)
	if err == nil && res.RowsAffected == 0 {
		return t, models.Errorf(models.EConflict, "task %s is %s", id, t.Status)
	}
	return t, err
}
