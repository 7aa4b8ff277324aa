package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

const (
	sirenA, sirenB = "217500016", "213502388"
	callA, callB   = "0190c2a4-0000-7000-8000-00000000000a", "0190c2a4-0000-7000-8000-00000000000b"
)

// policyPrincipals is every combination of role set, subject and claims the policy reads.
func policyPrincipals() []models.Principal {
	roleSets := [][]models.Role{{}, {models.RoleAdmin}, {models.RoleFinance}, {models.RoleInstructor}, {models.RoleApplicant},
		{models.RoleJury}, {models.RoleApplicant, models.RoleJury}, {models.RoleApplicant, models.RoleInstructor},
		{models.RoleInstructor, models.RoleJury}, {models.RolePrefet}}
	var out []models.Principal
	for _, roles := range roleSets {
		for _, subject := range []string{"s1", "s2"} {
			for _, deps := range [][]string{nil, {"*"}, {"35"}, {"35", "75"}, {"national"}} {
				for _, regions := range [][]string{nil, {"53"}} {
					for _, siren := range []string{"", sirenA} {
						for _, juryOf := range [][]string{nil, {callA}} {
							out = append(out, models.Principal{Subject: subject, Roles: roles, Departements: deps, Regions: regions,
								Siren: siren, JuryOf: juryOf})
						}
					}
				}
			}
		}
	}
	return out
}

// policyDossiers is every combination of the dossier fields the policy reads.
func policyDossiers() []models.Dossier {
	var out []models.Dossier
	statuses := []models.Status{models.StatusDraft, models.StatusPreselection, models.StatusJury, models.StatusRefused, models.StatusPaid}
	for _, status := range statuses {
		for _, dep := range []string{"", "35", "75", "69"} {
			for _, region := range []string{"", "53", "11"} {
				for _, siren := range []string{sirenA, sirenB} {
					for _, call := range []string{"", callA, callB} {
						out = append(out, models.Dossier{ID: fmt.Sprintf("%04d", len(out)), Kind: models.KindAAP, Status: status,
							ApplicantSiren: siren, Departement: dep, Region: region, CallID: call, EnvelopeCode: models.EnvelopeGuichet,
							Payload: []byte(`{}`), CreatedBy: "test"})
					}
				}
			}
		}
	}
	return out
}

// policyTasks is every combination of role, scope and assignee a task row may hold.
func policyTasks(dossierID string) []models.Task {
	scopes := []models.Scope{{}, models.ScopeNational, models.DepartementScope("35"), models.DepartementScope("69"),
		models.RegionScope("53"), models.CollectiviteScope(sirenA), models.CollectiviteScope(sirenB), models.JuryScope(callA),
		models.JuryScope(callB), models.PersonScope("s1")}
	var out []models.Task
	for _, role := range []models.Role{models.RoleAdmin, models.RoleFinance, models.RoleInstructor, models.RoleApplicant, models.RoleJury, models.RolePrefet} {
		for _, scope := range scopes {
			for _, assignee := range []string{"", "s1", "s2"} {
				out = append(out, models.Task{ID: fmt.Sprintf("t%03d", len(out)), DossierID: dossierID, Type: models.TaskPreselection,
					Role: role, Scope: scope, Assignee: assignee})
			}
		}
	}
	return out
}

// TestPolicySQLAgreesWithPredicates runs the SQL the store makes of the policy's access
// values against real rows, for every principal, dossier and task combination, and checks
// it finds exactly what the Go predicates allow.
func TestPolicySQLAgreesWithPredicates(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		dossiers := policyDossiers()
		rows := make([]dossierRow, len(dossiers))
		for i, d := range dossiers {
			rows[i] = dossierRow{ID: d.ID, Kind: string(d.Kind), Status: string(d.Status), ApplicantSiren: d.ApplicantSiren,
				Departement: d.Departement, Region: d.Region, EnvelopeCode: d.EnvelopeCode, Payload: string(d.Payload),
				CreatedBy: d.CreatedBy, CallID: d.CallID, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		}
		require.NoError(t, st.db.CreateInBatches(rows, 100).Error)
		tasks := policyTasks(dossiers[0].ID)
		for _, task := range tasks {
			require.NoError(t, st.CreateTask(ctx, task))
		}

		principals := policyPrincipals()
		seen, acted := 0, 0
		for _, p := range principals {
			want := []string{}
			for _, d := range dossiers {
				if p.CanSeeDossier(d) {
					want = append(want, d.ID)
				}
			}
			list, err := st.ListDossiers(ctx, p, DossierFilter{Limit: len(dossiers) + 1})
			require.NoError(t, err)
			got := make([]string, len(list))
			for i, d := range list {
				got[i] = d.ID
			}
			slices.Reverse(got) // newest first
			require.Equal(t, want, got, "dossiers of %+v", p)
			seen += len(got)

			want = []string{}
			for _, task := range tasks {
				if p.CanAct(task) {
					want = append(want, task.ID)
				}
			}
			inbox, err := st.Inbox(ctx, p, TaskFilter{Limit: len(tasks) + 1})
			require.NoError(t, err)
			got = make([]string, len(inbox))
			for i, task := range inbox {
				got[i] = task.ID
			}
			slices.Sort(got)
			require.Equal(t, want, got, "tasks of %+v", p)
			acted += len(got)
		}
		// The combinations are not all empty or all full: the test compares real sets.
		require.Greater(t, seen, 0)
		require.Less(t, seen, len(principals)*len(dossiers))
		require.Greater(t, acted, 0)
		require.Less(t, acted, len(principals)*len(tasks))
		t.Logf("%d principals × %d dossiers and %d tasks: %d dossiers read, %d tasks actionable", len(principals), len(dossiers),
			len(tasks), seen, acted)
	})
}

// TestTypedScopesMigration: an applicant task stored with a bare SIREN gets its kind, so
// the SQL of the policy finds it.
func TestTypedScopesMigration(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		d := newDossier(t, st, "d1", sirenA, "75")
		for id, scope := range map[string]string{"legacy": sirenA, "national": "national", "jury": "jury:" + callA} {
			role := models.RoleApplicant
			if id != "legacy" {
				role = models.RoleFinance
			}
			require.NoError(t, st.db.Exec("INSERT INTO tasks (id, dossier_id, type, role, scope, status, assignee, outcome, comment, data, closed_by, created_at) "+
				"VALUES (?, ?, ?, ?, ?, 'open', '', '', '', '', '', ?)", id, d.ID, string(models.TaskInformation), string(role), scope, time.Now()).Error)
		}
		sql, err := migrationFiles.ReadFile("migrations/00004_typed_task_scopes.sql")
		require.NoError(t, err)
		require.NoError(t, st.db.Exec(string(sql)).Error)
		for id, want := range map[string]string{"legacy": "collectivite:" + sirenA, "national": "national", "jury": "jury:" + callA} {
			var scope string
			require.NoError(t, st.db.Table("tasks").Select("scope").Where("id = ?", id).Take(&scope).Error)
			require.Equal(t, want, scope)
		}
		inbox, err := st.Inbox(ctx, models.Principal{Subject: "m", Roles: []models.Role{models.RoleApplicant}, Siren: sirenA}, TaskFilter{Limit: 10})
		require.NoError(t, err)
		require.Len(t, inbox, 1)
		require.Equal(t, models.CollectiviteScope(sirenA), inbox[0].Scope)
	})
}
