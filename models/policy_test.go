package models_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestParseScope(t *testing.T) {
	valid := []struct {
		text string
		want models.Scope
	}{
		{"national", models.ScopeNational},
		{"departement:35", models.DepartementScope("35")},
		{"departement:2A", models.DepartementScope("2A")},
		{"departement:974", models.DepartementScope("974")},
		{"region:53", models.RegionScope("53")},
		{"collectivite:" + sirenRennes, models.CollectiviteScope(sirenRennes)},
		{sirenRennes, models.CollectiviteScope(sirenRennes)}, // as applicant tasks were stored before scopes had kinds
		{"person:juror.2", models.PersonScope("juror.2")},
		{"jury:0190c2a4-0000-7000-8000-000000000001", models.JuryScope("0190c2a4-0000-7000-8000-000000000001")},
		{"", models.Scope{}},
	}
	for _, tt := range valid {
		got, err := models.ParseScope(tt.text)
		require.NoError(t, err, tt.text)
		require.Equal(t, tt.want, got, tt.text)
		if tt.text != sirenRennes {
			require.Equal(t, tt.text, got.String(), "the text form round-trips")
		}
	}
	for _, text := range []string{"35", "*", "National", "national:x", "departement:national", "departement:20", "departement:",
		"region:5", "collectivite:217500017", "person:", "person: x", "jury:", "planet:earth", "213502389"} {
		_, err := models.ParseScope(text)
		require.Error(t, err, text)
	}
}

func TestTaskScopeJSON(t *testing.T) {
	b, err := json.Marshal(models.Task{ID: "t", Scope: models.CollectiviteScope(sirenRennes)})
	require.NoError(t, err)
	require.Contains(t, string(b), `"scope":"collectivite:`+sirenRennes+`"`)
	b, err = json.Marshal(models.Task{ID: "t"})
	require.NoError(t, err)
	require.NotContains(t, string(b), "scope", "no scope, no field")

	var task models.Task
	require.NoError(t, json.Unmarshal([]byte(`{"scope":"`+sirenRennes+`"}`), &task), "workflow histories hold the old form")
	require.Equal(t, models.CollectiviteScope(sirenRennes), task.Scope)
	require.NoError(t, json.Unmarshal([]byte(`{"scope":"national"}`), &task))
	require.Equal(t, models.ScopeNational, task.Scope)
	require.Error(t, json.Unmarshal([]byte(`{"scope":"departement:national"}`), &task))
}

func TestGrants(t *testing.T) {
	p := models.Principal{Subject: "u", Roles: []models.Role{models.RoleInstructor, models.RoleJury, models.RoleApplicant},
		Siren: sirenRennes, Departements: []string{"35", "*", "national"}, Regions: []string{"53"}, JuryOf: []string{"c1"}}
	require.ElementsMatch(t, []models.Grant{
		{Role: models.RoleInstructor, Scope: models.DepartementScope("35")},
		{Role: models.RoleInstructor, Scope: models.ScopeNational},
		{Role: models.RoleInstructor, Scope: models.RegionScope("53")},
		{Role: models.RoleJury, Scope: models.PersonScope("u")},
		{Role: models.RoleJury, Scope: models.JuryScope("c1")},
		{Role: models.RoleApplicant, Scope: models.CollectiviteScope(sirenRennes)},
	}, p.Grants(), `"national" in the département list grants nothing`)
	require.Empty(t, models.Principal{Subject: "u", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"national"}}.Grants())
	require.Empty(t, models.Principal{Roles: []models.Role{models.RoleApplicant}, Siren: "217500017"}.Grants())
	require.ElementsMatch(t, []models.Grant{
		{Role: models.RolePrefet, Scope: models.DepartementScope("35")},
		{Role: models.RolePrefet, Scope: models.RegionScope("53")},
	}, models.Principal{Subject: "p", Roles: []models.Role{models.RolePrefet}, Departements: []string{"35", "*"}, Regions: []string{"53"}}.Grants(),
		`"*" grants a préfet nothing`)
}

// TestGovernsTerritory: who acts for the State over a région and a département.
func TestGovernsTerritory(t *testing.T) {
	prefet := func(deps, regions []string) models.Principal {
		return models.Principal{Subject: "p", Roles: []models.Role{models.RolePrefet}, Departements: deps, Regions: regions}
	}
	tests := []struct {
		name            string
		p               models.Principal
		region53, dep35 bool // Bretagne; Ille-et-Vilaine, in Bretagne
		region11, dep75 bool // Île-de-France; Paris
		admin           bool
	}{
		{"admin", models.Principal{Subject: "a", Roles: []models.Role{models.RoleAdmin}}, true, true, true, true, true},
		{"préfet de Bretagne", prefet(nil, []string{"53"}), true, true, false, false, false},
		{"préfet d'Ille-et-Vilaine", prefet([]string{"35"}, nil), false, true, false, false, false},
		{"préfet de Paris", prefet([]string{"75"}, nil), false, false, false, true, false},
		{"national instructor", models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"*"}}, false, false, false, false, false},
		{"instructor of Bretagne", models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Regions: []string{"53"}}, false, false, false, false, false},
		{"finance", models.Principal{Subject: "f", Roles: []models.Role{models.RoleFinance}}, false, false, false, false, false},
		{"préfet claiming all", prefet([]string{"*"}, nil), false, false, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.region53, tt.p.GovernsRegion("53"))
			require.Equal(t, tt.dep35, tt.p.GovernsDepartement("35", "53"))
			require.Equal(t, tt.region11, tt.p.GovernsRegion("11"))
			require.Equal(t, tt.dep75, tt.p.GovernsDepartement("75", "11"))
			require.Equal(t, tt.admin, tt.p.IsAdmin())
		})
	}
}

// TestGovernsEnvelope: a programming session is held by the préfet deciding on its
// envelope, never by an administrator, and only on a département's envelope or a région's
// kept part.
func TestGovernsEnvelope(t *testing.T) {
	prefet := func(deps, regions []string) models.Principal {
		return models.Principal{Subject: "p", Roles: []models.Role{models.RolePrefet}, Departements: deps, Regions: regions}
	}
	dep35, kept53 := "axe3.territorial.53.35", models.KeptEnvelope("53")
	tests := []struct {
		name          string
		p             models.Principal
		dep35, kept53 bool
	}{
		{"préfet de Bretagne", prefet(nil, []string{"53"}), true, true},
		{"préfet d'Ille-et-Vilaine", prefet([]string{"35"}, nil), true, false},
		{"préfet du Finistère", prefet([]string{"29"}, nil), false, false},
		{"préfet d'Île-de-France", prefet(nil, []string{"11"}), false, false},
		{"admin", models.Principal{Subject: "a", Roles: []models.Role{models.RoleAdmin}}, false, false},
		{"instructor of Bretagne", models.Principal{Subject: "i", Roles: []models.Role{models.RoleInstructor}, Regions: []string{"53"}}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.dep35, tt.p.GovernsEnvelope(dep35))
			require.Equal(t, tt.kept53, tt.p.GovernsEnvelope(kept53))
			require.False(t, tt.p.GovernsEnvelope(models.RegionEnvelope("53")), "a région's whole envelope has no sessions")
			require.False(t, tt.p.GovernsEnvelope("axe3.lab"))
		})
	}
}

// Principals and dossiers for the policy tables: every role, with each kind of scope.
var (
	callA, callB = "0190c2a4-0000-7000-8000-00000000000a", "0190c2a4-0000-7000-8000-00000000000b"

	policyPrincipals = []struct {
		name string
		p    models.Principal
	}{
		{"admin", models.Principal{Subject: "admin", Roles: []models.Role{models.RoleAdmin}}},
		{"finance", models.Principal{Subject: "fin", Roles: []models.Role{models.RoleFinance}}},
		{"national instructor", models.Principal{Subject: "i0", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"*"}}},
		{"instructor 35", models.Principal{Subject: "i35", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"35"}}},
		{"instructor 69 and 75", models.Principal{Subject: "i69", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"69", "75"}}},
		{"instructor of Bretagne", models.Principal{Subject: "i53", Roles: []models.Role{models.RoleInstructor}, Regions: []string{"53"}}},
		{`instructor of "national"`, models.Principal{Subject: "ix", Roles: []models.Role{models.RoleInstructor}, Departements: []string{"national"}}},
		{"instructor without scope", models.Principal{Subject: "in", Roles: []models.Role{models.RoleInstructor}}},
		{"applicant Rennes", models.Principal{Subject: "maire.rennes", Roles: []models.Role{models.RoleApplicant}, Siren: sirenRennes}},
		{"applicant Paris", models.Principal{Subject: "maire.paris", Roles: []models.Role{models.RoleApplicant}, Siren: sirenParis}},
		{"juror of call A", models.Principal{Subject: "j1", Roles: []models.Role{models.RoleJury}, JuryOf: []string{callA}}},
		{"juror of no call", models.Principal{Subject: "j2", Roles: []models.Role{models.RoleJury}}},
		{"applicant Rennes, juror of call B", models.Principal{Subject: "rj", Roles: []models.Role{models.RoleApplicant, models.RoleJury}, Siren: sirenRennes, JuryOf: []string{callB}}},
		{"applicant Rennes, juror of call A", models.Principal{Subject: "ra", Roles: []models.Role{models.RoleApplicant, models.RoleJury}, Siren: sirenRennes, JuryOf: []string{callA}}},
		{"applicant Rennes, instructor 35", models.Principal{Subject: "r35", Roles: []models.Role{models.RoleApplicant, models.RoleInstructor}, Siren: sirenRennes, Departements: []string{"35"}}},
		{"siren and départements without the roles", models.Principal{Subject: "x", Roles: []models.Role{models.RoleJury}, Siren: sirenRennes, Departements: []string{"*"}}},
		{"préfet 35", models.Principal{Subject: "p35", Roles: []models.Role{models.RolePrefet}, Departements: []string{"35"}}},
		{"préfet of Île-de-France", models.Principal{Subject: "p11", Roles: []models.Role{models.RolePrefet}, Regions: []string{"11"}}},
		{"no roles", models.Principal{Subject: "nobody"}},
	}

	policyDossiers = []models.Dossier{
		{ID: "guichet-rennes", Kind: models.KindGuichet, Status: models.StatusSubmitted, ApplicantSiren: sirenRennes, Departement: "35", Region: "53"},
		{ID: "aap-rennes-A-jury", Kind: models.KindAAP, Status: models.StatusJury, ApplicantSiren: sirenRennes, Departement: "35", Region: "53", CallID: callA},
		{ID: "aap-rennes-A-preselection", Kind: models.KindAAP, Status: models.StatusPreselection, ApplicantSiren: sirenRennes, Departement: "35", Region: "53", CallID: callA},
		{ID: "aap-paris-A-paid", Kind: models.KindAAP, Status: models.StatusPaid, ApplicantSiren: sirenParis, Departement: "75", Region: "11", CallID: callA},
		{ID: "aap-paris-B-jury", Kind: models.KindAAP, Status: models.StatusJury, ApplicantSiren: sirenParis, Departement: "75", Region: "11", CallID: callB},
		{ID: "aap-paris-B-draft", Kind: models.KindAAP, Status: models.StatusDraft, ApplicantSiren: sirenParis, Departement: "75", Region: "11", CallID: callB},
		{ID: "unplaced", Kind: models.KindGuichet, Status: models.StatusSubmitted, ApplicantSiren: "200058014"},
	}
)

// TestDossierPolicy: for every principal and dossier, whether it is read, and whether the
// internal work on it (the jury's deliberations, the State's instruction) is: D reads it
// with them, A reads it as its applicant only (without them), - does not read it. The access value agrees with the predicate.
func TestDossierPolicy(t *testing.T) {
	want := map[string]string{
		"admin":                                    "DDDDDDD",
		"finance":                                  "DDDDDDD",
		"national instructor":                      "DDDDDDD",
		"instructor 35":                            "DDD----",
		"instructor 69 and 75":                     "---DDD-",
		"instructor of Bretagne":                   "DDD----",
		`instructor of "national"`:                 "-------",
		"instructor without scope":                 "-------",
		"applicant Rennes":                         "AAA----",
		"applicant Paris":                          "---AAA-",
		"juror of call A":                          "-D-D---",
		"juror of no call":                         "-------",
		"applicant Rennes, juror of call B":        "AAA-D--",
		"applicant Rennes, juror of call A":        "ADAD---",
		"applicant Rennes, instructor 35":          "DDD----",
		"siren and départements without the roles": "-------",
		"préfet 35":                                "DDD----",
		"préfet of Île-de-France":                  "---DDD-",
		"no roles":                                 "-------",
	}
	require.Len(t, want, len(policyPrincipals))
	for _, pp := range policyPrincipals {
		t.Run(pp.name, func(t *testing.T) {
			access := pp.p.DossierAccess()
			got := make([]byte, len(policyDossiers))
			for i, d := range policyDossiers {
				see, deliberations := pp.p.CanSeeDossier(d), pp.p.SeesInternals(d)
				require.Equal(t, see, access.Allows(d), d.ID)
				switch {
				case deliberations:
					require.True(t, see, "deliberations of a dossier one does not read: %s", d.ID)
					got[i] = 'D'
				case see:
					got[i] = 'A'
				default:
					got[i] = '-'
				}
			}
			require.Equal(t, want[pp.name], string(got), "dossiers in order: %v", dossierIDs(policyDossiers))
		})
	}
}

func dossierIDs(ds []models.Dossier) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

var policyTasks = []models.Task{
	{ID: "preselection", Type: models.TaskPreselection, Role: models.RoleInstructor, Scope: models.ScopeNational},
	{ID: "instruction-35", Type: models.TaskPreselection, Role: models.RoleInstructor, Scope: models.DepartementScope("35")},
	{ID: "instruction-bretagne", Type: models.TaskPreselection, Role: models.RoleInstructor, Scope: models.RegionScope("53")},
	{ID: "information-rennes", Type: models.TaskInformation, Role: models.RoleApplicant, Scope: models.CollectiviteScope(sirenRennes)},
	{ID: "signature-paris", Type: models.TaskConventionSignature, Role: models.RoleApplicant, Scope: models.CollectiviteScope(sirenParis)},
	{ID: "signature-finance", Type: models.TaskConventionSignature, Role: models.RoleFinance, Scope: models.ScopeNational},
	{ID: "vote-j1", Type: models.TaskJuryDecision, Role: models.RoleJury, Scope: models.JuryScope(callA), Assignee: "j1"},
	{ID: "vote-rj", Type: models.TaskJuryDecision, Role: models.RoleJury, Scope: models.JuryScope(callB), Assignee: "rj"},
	// A claimed instructor task carries its claimant as assignee: the scope still decides.
	{ID: "claimed-by-i35", Type: models.TaskPreselection, Role: models.RoleInstructor, Scope: models.ScopeNational, Assignee: "i35"},
	// A préfet signs for its own département only.
	{ID: "annex-prefet-35", Type: models.TaskConventionSignature, Role: models.RolePrefet, Scope: models.DepartementScope("35")},
}

// TestTaskPolicy: for every principal and task, whether it may act on it (X) or not (-).
// The access value agrees with the predicate.
func TestTaskPolicy(t *testing.T) {
	want := map[string]string{
		"admin":                                    "----------",
		"finance":                                  "-----X----",
		"national instructor":                      "XXX-----X-",
		"instructor 35":                            "-X--------",
		"instructor 69 and 75":                     "----------",
		"instructor of Bretagne":                   "--X-------",
		`instructor of "national"`:                 "----------",
		"instructor without scope":                 "----------",
		"applicant Rennes":                         "---X------",
		"applicant Paris":                          "----X-----",
		"juror of call A":                          "------X---",
		"juror of no call":                         "----------",
		"applicant Rennes, juror of call B":        "---X---X--",
		"applicant Rennes, juror of call A":        "---X------",
		"applicant Rennes, instructor 35":          "-X-X------",
		"siren and départements without the roles": "----------",
		"préfet 35":                                "---------X",
		"préfet of Île-de-France":                  "----------",
		"no roles":                                 "----------",
	}
	require.Len(t, want, len(policyPrincipals))
	for _, pp := range policyPrincipals {
		t.Run(pp.name, func(t *testing.T) {
			access := pp.p.TaskAccess()
			got := make([]byte, len(policyTasks))
			for i, task := range policyTasks {
				can := pp.p.CanAct(task)
				require.Equal(t, can, access.Allows(task), task.ID)
				got[i] = map[bool]byte{true: 'X', false: '-'}[can]
			}
			require.Equal(t, want[pp.name], string(got), "tasks in order")
		})
	}
	// A vote is its member's, whatever jury they sit on.
	j1 := models.Principal{Subject: "j1", Roles: []models.Role{models.RoleJury}}
	require.True(t, j1.CanAct(policyTasks[6]))
	require.False(t, models.Principal{Subject: "j2", Roles: []models.Role{models.RoleJury}, JuryOf: []string{callA}}.CanAct(policyTasks[6]))
	require.False(t, models.Principal{Subject: "j1", Roles: []models.Role{models.RoleFinance}}.CanAct(policyTasks[6]), "the subject without the role")
}

// TestDeliberationsHiddenFromApplicants: who is an applicant and a juror elsewhere reads its
// own dossier as its applicant: no individual vote, in its tasks or its audit trail.
func TestDeliberationsHiddenFromApplicants(t *testing.T) {
	own := policyDossiers[1] // Rennes, before the jury of call A
	vote := models.Task{ID: "v", DossierID: own.ID, Type: models.TaskJuryDecision, Role: models.RoleJury, Scope: models.JuryScope(callA), Assignee: "j1"}
	signature := models.Task{ID: "s", DossierID: own.ID, Type: models.TaskConventionSignature, Role: models.RoleFinance, Scope: models.ScopeNational}
	voted := models.AuditEvent{DossierID: own.ID, Actor: "j1", Action: "voted", Detail: "grant"}
	recused := models.AuditEvent{DossierID: own.ID, Actor: "j3", Action: "recused"}
	completed := models.AuditEvent{DossierID: own.ID, Actor: "j1", Action: "task_completed", Detail: "jury_decision: grant Favorable"}
	opened := models.AuditEvent{DossierID: own.ID, Actor: "system", Action: "task_opened", Detail: "convention_signature task for the finance role"}
	decided := models.AuditEvent{DossierID: own.ID, Actor: "system", Action: "jury_decided", Detail: "laureate"}

	for _, name := range []string{"applicant Rennes", "applicant Rennes, juror of call B"} {
		p := principalNamed(t, name)
		require.True(t, p.CanSeeDossier(own), name)
		require.False(t, p.CanSeeTask(own, vote), name)
		require.True(t, p.CanSeeTask(own, signature), name)
		for _, e := range []models.AuditEvent{voted, recused, completed} {
			require.False(t, p.CanSeeAuditEvent(own, e), "%s sees %s", name, e.Action)
		}
		require.True(t, p.CanSeeAuditEvent(own, opened), name)
		require.True(t, p.CanSeeAuditEvent(own, decided), "%s sees the jury's decision", name)
	}
	for _, name := range []string{"juror of call A", "applicant Rennes, juror of call A", "admin", "finance", "instructor 35"} {
		p := principalNamed(t, name)
		require.True(t, p.CanSeeTask(own, vote), name)
		require.True(t, p.CanSeeAuditEvent(own, voted), name)
	}
	// Its own vote a person sees, even on a dossier it does not read.
	require.True(t, models.Principal{Subject: "j1", Roles: []models.Role{models.RoleJury}}.CanSeeTask(own, vote))
	outsider := principalNamed(t, "applicant Paris")
	require.False(t, outsider.CanSeeTask(own, signature))
	require.False(t, outsider.CanSeeAuditEvent(own, opened))
}

// TestInstructionHiddenFromApplicants: the applicant of an Axe 3 dossier is told the
// decision and its motivation, not the State's instruction: neither the admissibility,
// scoring and decision tasks nor the score and amount proposed, in its tasks or its audit
// trail, whatever roles it holds elsewhere.
func TestInstructionHiddenFromApplicants(t *testing.T) {
	own := models.Dossier{ID: "axe3-rennes", Kind: models.KindPrefectoral, Status: models.StatusScored, ApplicantSiren: sirenRennes,
		Departement: "35", Region: "53"}
	task := func(typ models.TaskType, role models.Role, scope models.Scope) models.Task {
		return models.Task{ID: string(typ), DossierID: own.ID, Type: typ, Role: role, Scope: scope, Status: models.TaskDone}
	}
	dep35 := models.DepartementScope("35")
	instruction := []models.Task{task(models.TaskAdmissibility, models.RoleInstructor, dep35),
		task(models.TaskScoring, models.RoleInstructor, dep35), task(models.TaskProgramming, models.RolePrefet, dep35)}
	information := task(models.TaskInformation, models.RoleApplicant, models.CollectiviteScope(sirenRennes))
	signature := task(models.TaskConventionSignature, models.RoleApplicant, models.CollectiviteScope(sirenRennes))
	event := func(action, detail string) models.AuditEvent {
		return models.AuditEvent{DossierID: own.ID, Actor: "i35", Action: action, Detail: detail}
	}
	scoring := []models.AuditEvent{
		event(models.AuditScored, "72/100 (criteria [4 3 5 2 1]), 25 000,00 € proposed"),
		event(string(models.StatusScored), "72/100, 25 000,00 € proposed: waiting for a programming session on axe3.territorial.53.35"),
		event(models.AuditTaskCompleted, "scoring: scored Équipe solide, impact mesuré"),
		event(models.AuditTaskOpened, "admissibility task for instructor departement:35, due 2021-05-01"),
	}
	told := []models.AuditEvent{event(models.AuditSubmitted, ""), event(models.AuditAdmissible, "Dossier complet"),
		event(models.AuditGranted, ""), event(models.AuditTaskOpened, "information task for applicant collectivite:"+sirenRennes)}

	for _, name := range []string{"applicant Rennes", "applicant Rennes, juror of call B"} {
		p := principalNamed(t, name)
		require.True(t, p.CanSeeDossier(own), name)
		require.False(t, p.SeesInternals(own), name)
		for _, tk := range instruction {
			require.False(t, p.CanSeeTask(own, tk), "%s sees the %s task", name, tk.Type)
		}
		require.True(t, p.CanSeeTask(own, information), name)
		require.True(t, p.CanSeeTask(own, signature), name)
		for _, e := range scoring {
			require.False(t, p.CanSeeAuditEvent(own, e), "%s sees %s %q", name, e.Action, e.Detail)
		}
		for _, e := range told {
			require.True(t, p.CanSeeAuditEvent(own, e), "%s is told %s", name, e.Action)
		}
	}
	for _, name := range []string{"instructor 35", "préfet 35", "admin", "finance", "applicant Rennes, instructor 35"} {
		p := principalNamed(t, name)
		require.True(t, p.SeesInternals(own), name)
		for _, tk := range instruction {
			require.True(t, p.CanSeeTask(own, tk), "%s reads the %s task", name, tk.Type)
		}
		for _, e := range scoring {
			require.True(t, p.CanSeeAuditEvent(own, e), "%s reads %s", name, e.Action)
		}
	}
	require.False(t, principalNamed(t, "applicant Paris").CanSeeTask(own, information))
}

func TestCanSeeJurySession(t *testing.T) {
	call := models.Call{ID: callA}
	for name, see := range map[string]bool{"admin": true, "finance": true, "national instructor": true, "instructor 35": false,
		"juror of call A": true, "juror of no call": false, "applicant Rennes, juror of call B": false,
		"applicant Rennes, juror of call A": true, "applicant Rennes": false, `instructor of "national"`: false} {
		require.Equal(t, see, principalNamed(t, name).CanSeeJurySession(call), name)
	}
}

func TestActsFor(t *testing.T) {
	require.True(t, principalNamed(t, "applicant Rennes").ActsFor(sirenRennes))
	require.False(t, principalNamed(t, "applicant Rennes").ActsFor(sirenParis))
	require.False(t, principalNamed(t, "siren and départements without the roles").ActsFor(sirenRennes), "a SIREN without the role")
	require.False(t, principalNamed(t, "admin").ActsFor(sirenRennes))
}

func principalNamed(t *testing.T, name string) models.Principal {
	t.Helper()
	for _, pp := range policyPrincipals {
		if pp.name == name {
			return pp.p
		}
	}
	t.Fatalf("no principal %q", name)
	return models.Principal{}
}

// TestInterestsPolicy: ANCT reads every expression of interest; a collectivité its own.
func TestInterestsPolicy(t *testing.T) {
	rennes, paris := models.Interest{Siren: sirenRennes}, models.Interest{Siren: sirenParis}
	for name, want := range map[string]string{"admin": "RR", "national instructor": "RR", "applicant Rennes": "R-",
		"applicant Paris": "-R", "applicant Rennes, instructor 35": "R-", "instructor 35": "", "finance": "", "préfet 35": "",
		"siren and départements without the roles": ""} {
		p := principalNamed(t, name)
		got := ""
		if p.CanReadInterests() {
			for _, in := range []models.Interest{rennes, paris} {
				got += map[bool]string{true: "R", false: "-"}[p.CanSeeInterest(in)]
			}
		} else {
			require.False(t, p.CanSeeInterest(rennes) || p.CanSeeInterest(paris), name)
		}
		require.Equal(t, want, got, name)
	}
}

// TestReadersOfTheMoneyAndProgramming: who reads the ledger (L), the programming sessions
// (S) and the régions' envelopes (R).
func TestReadersOfTheMoneyAndProgramming(t *testing.T) {
	want := map[string]string{"admin": "LSR", "finance": "LSR", "national instructor": "-SR", "instructor 35": "-SR",
		"instructor without scope": "-SR", "préfet 35": "-SR", "préfet of Île-de-France": "-SR", "applicant Rennes": "---",
		"applicant Rennes, instructor 35": "-SR", "juror of call A": "---", "siren and départements without the roles": "---",
		"no roles": "---"}
	for name, w := range want {
		p := principalNamed(t, name)
		got := ""
		for i, can := range []bool{p.CanReadLedger(), p.CanReadSessions(), p.CanReadRegion()} {
			got += map[bool]string{true: string("LSR"[i]), false: "-"}[can]
		}
		require.Equal(t, w, got, name)
	}
}
