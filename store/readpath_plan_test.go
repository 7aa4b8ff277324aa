package store

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/relance/relance/models"
)

// sqlRecorder keeps the SQL of the statements a store runs, with their values inlined.
type sqlRecorder struct {
	logger.Interface
	sql *string
}

func (r sqlRecorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	*r.sql, _ = fc()
}

// planOf returns the plan the database chooses for the statement run, with sorting and
// whole-table scans discouraged: tables this small would otherwise be read whole, and
// what matters is that an index gives each page in its order.
func planOf(t *testing.T, st *Store, run func(st *Store) error) string {
	t.Helper()
	var sql string
	rec := *st
	rec.db = st.db.Session(&gorm.Session{Logger: sqlRecorder{logger.Default, &sql}})
	require.NoError(t, run(&rec))
	var lines []string
	err := st.db.Transaction(func(tx *gorm.DB) error {
		if st.sqlite {
			var rows []struct{ Detail string }
			err := tx.Raw("EXPLAIN QUERY PLAN " + sql).Scan(&rows).Error
			for _, r := range rows {
				lines = append(lines, r.Detail)
			}
			return err
		}
		for _, set := range []string{"enable_sort", "enable_seqscan", "enable_bitmapscan"} {
			if err := tx.Exec("SET LOCAL " + set + " = off").Error; err != nil {
				return err
			}
		}
		return tx.Raw("EXPLAIN " + sql).Scan(&lines).Error
	})
	require.NoError(t, err)
	return strings.Join(lines, "\n")
}

// analyzedTasks gives st 2,000 tasks of one dossier, of every role, spread over assignees,
// départements, statuses and due dates, and on PostgreSQL their statistics: with empty
// tables every index costs the same, and which one the planner takes is a tie.
func analyzedTasks(t *testing.T, st *Store) {
	t.Helper()
	now := time.Now().UTC()
	require.NoError(t, st.db.Exec(`INSERT INTO dossiers (id, kind, status, applicant_siren, departement, envelope_code, payload,
		created_by, created_at, updated_at) VALUES ('plan', 'guichet', 'submitted', '217500016', '75', 'axe2.guichet', '{}', 't', ?, ?)`, now, now).Error)
	roles := []models.Role{models.RoleInstructor, models.RoleFinance, models.RoleJury, models.RoleApplicant}
	statuses := []models.TaskStatus{models.TaskOpen, models.TaskClaimed, models.TaskDone}
	rows := make([]taskRow, 2000)
	for i := range rows {
		created := now.Add(-time.Duration(i) * time.Hour)
		due := created.Add(30 * 24 * time.Hour)
		rows[i] = taskRow{ID: fmt.Sprintf("plan.%d", i), DossierID: "plan", Type: string(models.TaskDisbursement),
			Role: string(roles[i%len(roles)]), Scope: "national", Status: string(statuses[i%len(statuses)]),
			Assignee: fmt.Sprintf("p%d", i%50), Departement: fmt.Sprintf("%02d", i%20+1), DueAt: &due, CreatedAt: created}
	}
	require.NoError(t, st.db.CreateInBatches(rows, 200).Error)
	if !st.sqlite {
		require.NoError(t, st.db.Exec("ANALYZE tasks").Error)
		require.NoError(t, st.db.Exec("ANALYZE dossiers").Error)
	}
}

// TestReadPathPlans checks that each inbox sort and the dossier list's call and région
// filters read their page from an index, in order, on both dialects (the figures at scale
// come from BenchmarkReadPath).
func TestReadPathPlans(t *testing.T) {
	ctx := context.Background()
	instructor := models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"*"}}
	finance := models.Principal{Subject: "f", Roles: []models.Role{models.RoleFinance}}
	juror := models.Principal{Subject: "j", Roles: []models.Role{models.RoleJury}}
	admin := models.Principal{Subject: "a", Roles: []models.Role{models.RoleAdmin}}
	after := &TaskCursor{Key: time.Now(), ID: "x"}
	inbox := func(p models.Principal, f TaskFilter) func(st *Store) error {
		f.Limit = 50
		return func(st *Store) error { _, err := st.Inbox(ctx, p, f); return err }
	}
	list := func(f DossierFilter) func(st *Store) error {
		f.Limit = 50
		return func(st *Store) error { _, err := st.ListDossiers(ctx, admin, f); return err }
	}
	cases := []struct {
		name, index string
		run         func(st *Store) error
	}{
		{"inbox newest", "tasks_open_newest_due", inbox(instructor, TaskFilter{})},
		{"inbox newest, next page", "tasks_open_newest_due", inbox(instructor, TaskFilter{After: after})},
		{"inbox by due", "tasks_open_role_due", inbox(finance, TaskFilter{ByDue: true})},
		{"inbox by due, next page", "tasks_open_role_due", inbox(finance, TaskFilter{ByDue: true, After: after})},
		{"a juror's votes by due", "tasks_open_assignee_due", inbox(juror, TaskFilter{ByDue: true})},
		// A principal without roles reads only its committee tasks; anyone else reads them by
		// this same query before its roles' (the statement recorded is the last one). Newest
		// first, either the assignee's index or the role's serves it: the open tasks of role
		// committee are a few per campaign.
		{"a committee member's tasks", "tasks_open_", inbox(models.Principal{Subject: "m"}, TaskFilter{})},
		{"a committee member's tasks by due", "tasks_open_assignee_due", inbox(models.Principal{Subject: "m"}, TaskFilter{ByDue: true})},
		{"claimed by me", "tasks_open_assignee_newest", inbox(finance, TaskFilter{Assigned: "me"})},
		{"overdue by due", "tasks_overdue_due", inbox(finance, TaskFilter{Overdue: true, ByDue: true})},
		{"overdue newest", "tasks_overdue_newest", inbox(finance, TaskFilter{Overdue: true})},
		{"a département's tasks", "tasks_open_departement_newest", inbox(instructor, TaskFilter{Departement: "62"})},
		{"a département's tasks by due", "tasks_open_departement_due", inbox(finance, TaskFilter{Departement: "62", ByDue: true})},
		{"dossiers of a call", "dossiers_call_id", list(DossierFilter{Call: "c"})},
		{"dossiers of a région", "dossiers_region", list(DossierFilter{Region: "11"})},
		{"dossiers of a département in a status", "dossiers_departement_status", list(DossierFilter{Departement: "62", Status: "jury"})},
	}
	forEachStore(t, func(t *testing.T, st *Store) {
		analyzedTasks(t, st)
		for _, c := range cases {
			plan := planOf(t, st, c.run)
			require.Contains(t, plan, c.index, "%s:\n%s", c.name, plan)
			require.NotContains(t, plan, "TEMP B-TREE", "%s sorts every row:\n%s", c.name, plan)
			require.NotContains(t, plan, "Sort", "%s sorts every row:\n%s", c.name, plan)
		}
	})
}

// TestTasksTakeTheirDossiersDepartement checks that the migration adding tasks.departement
// fills it for the tasks already there, and that new tasks get their dossier's.
func TestTasksTakeTheirDossiersDepartement(t *testing.T) {
	ctx := context.Background()
	for name, url := range emptyStores(t) {
		t.Run(name, func(t *testing.T) {
			st := openEmpty(t, url)
			migrateUpToBefore(t, st, "read_path_indexes")
			now := time.Now().UTC()
			require.NoError(t, st.db.Exec(`INSERT INTO dossiers (id, kind, status, applicant_siren, departement, envelope_code, payload,
				created_by, created_at, updated_at) VALUES ('d1', 'guichet', 'submitted', '217500016', '75', 'axe2.guichet', '{}', 't', ?, ?)`, now, now).Error)
			require.NoError(t, st.db.Exec(`INSERT INTO tasks (id, dossier_id, type, role, scope, status, created_at)
				VALUES ('d1.disbursement.0', 'd1', 'disbursement', 'finance', 'national', 'open', ?)`, now).Error)

			require.NoError(t, st.Migrate(ctx))
			require.NoError(t, st.CreateTask(ctx, models.Task{ID: "d1.preselection.0", DossierID: "d1", Type: models.TaskPreselection,
				Role: models.RoleInstructor, Scope: models.ScopeNational}))
			var depts []string
			require.NoError(t, st.db.Raw("SELECT departement FROM tasks ORDER BY id").Scan(&depts).Error)
			require.Equal(t, []string{"75", "75"}, depts)
		})
	}
}

// TestDueBeforeNewestPlan checks the inbox filtered by due date and sorted newest first:
// the page's ids come from walking tasks_open_newest_due alone (an index-only scan, the
// due date read from the index), and only the page's rows are read from the table. The
// plan it replaces walked the newest-first index reading every passed task's row for its
// due date, 14,000 rows at 100,000 dossiers when the matching tasks are the oldest.
func TestDueBeforeNewestPlan(t *testing.T) {
	ctx := context.Background()
	finance := models.Principal{Subject: "f", Roles: []models.Role{models.RoleFinance}}
	week := time.Now().Add(7 * 24 * time.Hour)
	forEachStore(t, func(t *testing.T, st *Store) {
		analyzedTasks(t, st)
		for name, f := range map[string]TaskFilter{"first page": {DueBefore: &week},
			"next page": {DueBefore: &week, After: &TaskCursor{Key: time.Now(), ID: "x"}}} {
			f.Limit = 50
			plan := planOf(t, st, func(st *Store) error { _, err := st.Inbox(ctx, finance, f); return err })
			want := "Index Only Scan Backward using tasks_open_due_day_newest"
			if st.sqlite {
				want = "USING COVERING INDEX tasks_open_newest_due"
			}
			require.Contains(t, plan, want, "%s:\n%s", name, plan)
			t.Logf("%s:\n%s", name, plan)
		}
	})
}

// TestDueBeforeNewestPages pages through an inbox filtered by due date and sorted newest
// first, and compares it with the same list sorted in Go: the due-day merge must give
// exactly the walk's answer, with tasks due on the date's own day, undated and closed
// tasks, tasks of another role, due dates before their creation, and, past maxDueDays due
// days, the walk it falls back to.
func TestDueBeforeNewestPages(t *testing.T) {
	ctx := context.Background()
	finance := models.Principal{Subject: "f", Roles: []models.Role{models.RoleFinance}}
	for name, spreadDays := range map[string]int{"few due days": 20, "more than maxDueDays": 3 * maxDueDays} {
		t.Run(name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, st *Store) {
				now := time.Now().UTC().Truncate(time.Second)
				require.NoError(t, st.db.Exec(`INSERT INTO dossiers (id, kind, status, applicant_siren, departement, envelope_code, payload,
					created_by, created_at, updated_at) VALUES ('pages', 'guichet', 'submitted', '217500016', '75', 'axe2.guichet', '{}', 't', ?, ?)`, now, now).Error)
				rnd := rand.New(rand.NewPCG(1, uint64(spreadDays)))
				roles := []models.Role{models.RoleFinance, models.RoleFinance, models.RoleInstructor}
				statuses := []models.TaskStatus{models.TaskOpen, models.TaskClaimed, models.TaskOpen, models.TaskDone}
				before := now.Add(7 * 24 * time.Hour)
				rows := make([]taskRow, 500)
				var want []string
				for i := range rows {
					created := now.Add(-time.Duration(rnd.IntN(spreadDays*24*60)) * time.Minute)
					due := created.Add(time.Duration(rnd.IntN(40*24)-5*24) * time.Hour)
					if i%10 == 0 { // several tasks created at once: the id breaks the tie
						created = now.Add(-48 * time.Hour)
					}
					rows[i] = taskRow{ID: fmt.Sprintf("pages.%03d", i), DossierID: "pages", Type: string(models.TaskDisbursement),
						Role: string(roles[i%len(roles)]), Scope: "national", Status: string(statuses[rnd.IntN(len(statuses))]),
						DueAt: &due, CreatedAt: created}
					if i%17 == 0 {
						rows[i].DueAt = nil
					}
					r := rows[i]
					if r.Role == string(models.RoleFinance) && models.TaskStatus(r.Status).Open() && r.DueAt != nil && r.DueAt.Before(before) {
						want = append(want, r.ID)
					}
				}
				require.NoError(t, st.db.CreateInBatches(rows, 100).Error)
				byID := map[string]taskRow{}
				for _, r := range rows {
					byID[r.ID] = r
				}
				slices.SortFunc(want, func(a, b string) int {
					return -cmp.Or(byID[a].CreatedAt.Compare(byID[b].CreatedAt), strings.Compare(a, b))
				})
				require.Greater(t, len(want), 100)

				var got []string
				f := TaskFilter{DueBefore: &before, Limit: 7}
				for {
					page, err := st.Inbox(ctx, finance, f)
					require.NoError(t, err)
					for _, task := range page {
						got = append(got, task.ID)
					}
					if len(page) < f.Limit {
						break
					}
					last := page[len(page)-1]
					f.After = &TaskCursor{Key: f.SortKey(last), ID: last.ID}
				}
				require.Equal(t, want, got)
			})
		})
	}
}
