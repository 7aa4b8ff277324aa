package models

import (
	"slices"
	"strings"
	"time"
)

// The access policy, written once: who sees which dossier, task, vote and audit event, and
// who acts on which task. A principal's claims become grants (a role over a typed scope);
// each question about one object is a predicate over them, and each list is an access value
// (plain data) that the store turns into SQL. The predicates evaluate those same values in
// Go, and the store's tests check that its SQL agrees with them on every combination.

// Grant is a role held over a scope.
type Grant struct {
	Role  Role
	Scope Scope
}

// own reports whether g is a proposer's grant over its own dossiers (an applicant's or a
// partner's), which shows decisions, never deliberations.
func (g Grant) own() bool { return g.Role == RoleApplicant || g.Role == RolePartner }

// Grants lists what p's claims, and the juries it sits on, grant. A claim that does not
// parse grants nothing (Validate refuses such a token): nothing widens a scope.
func (p Principal) Grants() []Grant {
	var out []Grant
	add := func(r Role, s Scope) {
		if s.Valid() {
			out = append(out, Grant{r, s})
		}
	}
	for _, r := range p.Roles {
		switch r {
		case RoleAdmin, RoleFinance:
			add(r, ScopeNational)
		case RoleInstructor:
			for _, code := range p.Departements {
				if code == AllDepartements {
					add(r, ScopeNational)
				} else {
					add(r, DepartementScope(code))
				}
			}
			for _, code := range p.Regions {
				add(r, RegionScope(code))
			}
		case RolePrefet:
			// "*" grants a préfet nothing (Validate refuses it): préfets are territorial.
			for _, code := range p.Departements {
				add(r, DepartementScope(code))
			}
			for _, code := range p.Regions {
				add(r, RegionScope(code))
			}
		case RoleApplicant, RolePartner:
			// A partner's SIREN scopes its own proposals as a collectivité's does its dossiers.
			add(r, CollectiviteScope(p.Siren))
		case RoleJury:
			add(r, PersonScope(p.Subject))
			for _, id := range p.JuryOf {
				add(r, JuryScope(id))
			}
		}
	}
	return out
}

// DossierAccess is a set of dossiers, as plain data the store turns into SQL: every dossier
// (All), or those of the listed départements, régions and applicant SIRENs, and those of the
// listed calls once before their jury (JuryStatuses).
type DossierAccess struct {
	All          bool
	Departements []string
	Regions      []string
	Sirens       []string
	JuryCalls    []string
}

// Allows reports whether d is in the set.
func (a DossierAccess) Allows(d Dossier) bool {
	return a.All || slices.Contains(a.Departements, d.Departement) || slices.Contains(a.Regions, d.Region) ||
		slices.Contains(a.Sirens, d.ApplicantSiren) || (slices.Contains(a.JuryCalls, d.CallID) && ReachedJury(d.Status))
}

func dossierAccess(grants []Grant) DossierAccess {
	var a DossierAccess
	for _, g := range grants {
		switch g.Scope.Kind {
		case ScopeKindNational:
			return DossierAccess{All: true}
		case ScopeKindDepartement:
			a.Departements = append(a.Departements, g.Scope.Value)
		case ScopeKindRegion:
			a.Regions = append(a.Regions, g.Scope.Value)
		case ScopeKindCollectivite:
			a.Sirens = append(a.Sirens, g.Scope.Value)
		case ScopeKindJury:
			a.JuryCalls = append(a.JuryCalls, g.Scope.Value)
		}
		// A person scope reaches that person's own tasks, not dossiers.
	}
	return a
}

// DossierAccess is the set of dossiers p may read: all of them for the national roles
// (admin, finance, a national instructor); an instructor's départements and régions; an
// applicant's own; and a jury member's calls' dossiers once they reach the jury.
func (p Principal) DossierAccess() DossierAccess { return dossierAccess(p.Grants()) }

// CanSeeDossier reports whether p may read d.
func (p Principal) CanSeeDossier(d Dossier) bool { return p.DossierAccess().Allows(d) }

// SeesInternals reports whether p may read the internal work on d: the jury's
// deliberations (each member's vote, comment and recusal) and the State's instruction
// (IsInstruction): whoever reads d through a grant other than an applicant's. Who reads a
// dossier only as its applicant sees the decisions and their motivation, not how each
// member voted nor how the instructor scored, whatever roles they hold elsewhere.
func (p Principal) SeesInternals(d Dossier) bool {
	return dossierAccess(slices.DeleteFunc(p.Grants(), Grant.own)).Allows(d)
}

// CanSeeJurySession reports whether p may read a call's jury session, every vote of it:
// its jury members and the national roles, who see the deliberations of every dossier it judges.
func (p Principal) CanSeeJurySession(call Call) bool {
	return slices.ContainsFunc(p.Grants(), func(g Grant) bool {
		return !g.own() && (g.Scope == ScopeNational || g.Scope == call.JuryScope())
	})
}

// IsDeliberation reports whether t is a jury member's vote.
func (t Task) IsDeliberation() bool { return t.Type == TaskJuryDecision }

// IsDeliberation reports whether e records a jury member's vote, comment or recusal.
func (e AuditEvent) IsDeliberation() bool {
	return e.Action == "voted" || e.Action == "recused" || strings.Contains(e.Detail, string(TaskJuryDecision))
}

// instructionTasks are the State's instruction of an Axe 3 dossier: the prefecture's
// admissibility check, the instructor's scoring (each criterion's score and the amount
// proposed) and the préfet's decision task. Its applicant is told the decision and its
// motivation (the dossier's status and reason, and the notices), not the instruction.
var instructionTasks = []TaskType{TaskAdmissibility, TaskScoring, TaskProgramming}

// IsInstruction reports whether t is a task of the State's instruction.
func (t Task) IsInstruction() bool { return slices.Contains(instructionTasks, t.Type) }

// IsInstruction reports whether e records the State's instruction: the score and the
// amount proposed, or an instruction task's life.
func (e AuditEvent) IsInstruction() bool {
	return e.Action == AuditScored || strings.HasPrefix(e.Action, "task_") &&
		slices.ContainsFunc(instructionTasks, func(t TaskType) bool { return strings.Contains(e.Detail, string(t)) })
}

// internal reports whether t is internal work on its dossier, a vote or the instruction,
// which those who see the internals read (SeesInternals).
func (t Task) internal() bool { return t.IsDeliberation() || t.IsInstruction() }

// internal reports whether e records internal work on its dossier, a vote or the instruction.
func (e AuditEvent) internal() bool { return e.IsDeliberation() || e.IsInstruction() }

// CanSeeTask reports whether p may read task t of dossier d: a task it may act on, or one
// of a dossier it reads, internal work only for those who see it.
func (p Principal) CanSeeTask(d Dossier, t Task) bool {
	return p.CanAct(t) || (p.CanSeeDossier(d) && (!t.internal() || p.SeesInternals(d)))
}

// CanSeeAuditEvent reports whether p may read event e of dossier d's audit trail.
//
// Refused attempts are internal: administrators and instructors, who answer for the
// process, see them; applicants, jury members and finance officers do not.
func (p Principal) CanSeeAuditEvent(d Dossier, e AuditEvent) bool {
	if e.Action == AuditRefusedAttempt && !p.HasRole(RoleAdmin) && !p.HasRole(RoleInstructor) {
		return false
	}
	return p.CanSeeDossier(d) && (!e.internal() || p.SeesInternals(d))
}

// TaskAccess is a set of tasks, as plain data the store turns into SQL: a task is in it
// when one of its clauses matches.
type TaskAccess []TaskClause

// TaskClause matches the tasks of Role: every one (AnyScope), those whose scope is one of
// Scopes, or, when Assignee is set, those assigned to that person.
type TaskClause struct {
	Role     Role
	AnyScope bool
	Scopes   []Scope
	Assignee string
}

// Allows reports whether t is in the set.
func (a TaskAccess) Allows(t Task) bool {
	return slices.ContainsFunc(a, func(c TaskClause) bool {
		switch {
		case c.Role != t.Role:
			return false
		case c.Assignee != "":
			return t.Assignee == c.Assignee
		}
		return c.AnyScope || slices.Contains(c.Scopes, t.Scope)
	})
}

// TaskAccess is the set of tasks p may act on. A jury member's vote is that member's alone
// (a person scope; sitting on a call's jury lets one read its dossiers, not cast others'
// votes); a national grant acts on every task of its role (a national instructor on a
// département's too); any other grant on the tasks of its own scope. A département, even
// one spelled "national", never reaches a national task.
//
// Whoever p is, it acts on its own committee tasks (a campaign's committee names people,
// whatever their roles).
func (p Principal) TaskAccess() TaskAccess {
	var a TaskAccess
	if p.Subject != "" {
		a = append(a, TaskClause{Role: RoleCommittee, Assignee: p.Subject})
	}
	scoped := map[Role]int{} // a role's clause of scopes, by index in a
	for _, g := range p.Grants() {
		switch g.Scope.Kind {
		case ScopeKindPerson:
			a = append(a, TaskClause{Role: g.Role, Assignee: g.Scope.Value})
		case ScopeKindJury:
		case ScopeKindNational:
			a = append(a, TaskClause{Role: g.Role, AnyScope: true})
		default:
			i, ok := scoped[g.Role]
			if !ok {
				i, scoped[g.Role] = len(a), len(a)
				a = append(a, TaskClause{Role: g.Role})
			}
			a[i].Scopes = append(a[i].Scopes, g.Scope)
		}
	}
	return a
}

// CanAct reports whether p may act on (claim, complete) task t.
func (p Principal) CanAct(t Task) bool { return p.TaskAccess().Allows(t) }

// ActsFor reports whether p acts as the applicant collectivité with this SIREN (to amend
// or submit its application).
func (p Principal) ActsFor(siren string) bool {
	return slices.Contains(p.Grants(), Grant{RoleApplicant, CollectiviteScope(siren)})
}

// NeedRole refuses p unless it holds one of roles, naming them: each act checks it, for the
// API and the workspace alike.
func (p Principal) NeedRole(roles ...Role) error {
	if slices.ContainsFunc(roles, p.HasRole) {
		return nil
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return Errorf(EForbidden, "this action needs the %s role", strings.Join(names, " or "))
}

// CanReleaseAnyClaim reports whether p may give back a task whoever claimed it, even one it
// may not act on: an administrator, to free the work of someone absent.
func (p Principal) CanReleaseAnyClaim() bool { return p.IsAdmin() }

// IsAdmin reports whether p holds the national administrator's grant (the regional split
// of Axe 3, the lists of labs and CRTE).
func (p Principal) IsAdmin() bool {
	return slices.Contains(p.Grants(), Grant{RoleAdmin, ScopeNational})
}

// CanReadLedger reports whether p may read the ledger, every movement of money on every
// envelope: an administrator or a finance officer, who answer for the money.
func (p Principal) CanReadLedger() bool { return p.HasRole(RoleAdmin) || p.HasRole(RoleFinance) }

// worksForState reports whether p works for the State on the dossiers and their money,
// whatever its territory: an administrator, a finance officer, a préfet or an instructor.
func (p Principal) worksForState() bool {
	return slices.ContainsFunc([]Role{RoleAdmin, RoleFinance, RolePrefet, RoleInstructor}, p.HasRole)
}

// CanReadSessions reports whether p may read the préfets' Axe 3 programming sessions, their
// ranking, proposed amounts and decisions: whoever works for the State; an applicant hears
// of its own dossier's decision, not the session's ranking.
func (p Principal) CanReadSessions() bool { return p.worksForState() }

// CanReadRegion reports whether p may read a région's Axe 3 envelope, its delegations to
// its départements and the acts on them: whoever works for the State, any région's.
func (p Principal) CanReadRegion() bool { return p.worksForState() }

// GovernsRegion reports whether p may act for the State over région: its préfet de région
// (to delegate the regional envelope, or set the région's rules), or an administrator.
func (p Principal) GovernsRegion(region string) bool {
	return p.IsAdmin() || slices.Contains(p.Grants(), Grant{RolePrefet, RegionScope(region)})
}

// GovernsDepartement reports whether p may act for the State over the département code,
// which belongs to région: its préfet de département, the préfet of its région, or an
// administrator (to set the département's population cap and criterion weights).
func (p Principal) GovernsDepartement(code, region string) bool {
	return p.GovernsRegion(region) || slices.Contains(p.Grants(), Grant{RolePrefet, DepartementScope(code)})
}

// GovernsEnvelope reports whether p is the préfet who decides on Axe 3 envelope code, and
// so holds its programming sessions: the département's préfet (or its région's) for a
// département's envelope, the préfet de région for the région's kept part.
func (p Principal) GovernsEnvelope(code string) bool {
	region, dep, ok := EnvelopeTerritory(code)
	return ok && p.HasRole(RolePrefet) && (dep == "" && p.GovernsRegion(region) || dep != "" && p.GovernsDepartement(dep, region))
}

// CanSeeResults reports whether p may read a campaign's vote results at now: ANCT's
// national roles during the vote, everyone once it has closed.
func (p Principal) CanSeeResults(c Campaign, now time.Time) bool {
	return c.VoteClosed(now) || p.ActsForANCT()
}

// CanSeeBallots reports whether p may read a campaign's ballots one by one at now: whoever
// may read its results. The vote is no secret ballot: collectivités, public bodies, say
// which services meet their needs, and the committee selects on the basis of the votes.
func (p Principal) CanSeeBallots(c Campaign, now time.Time) bool { return p.CanSeeResults(c, now) }

// SeenBy is the ballot as p may read it: the agent who cast it is a person, named to ANCT
// alone, which runs the vote; others read the collectivité's choice.
func (b BallotEntry) SeenBy(p Principal) BallotEntry {
	if !p.ActsForANCT() {
		b.CastBy = ""
	}
	return b
}

// ActsForANCT reports whether p acts for ANCT in an Axe 1 campaign (grouping proposals
// into candidate services, reading the vote as it goes): an administrator or a national
// instructor.
func (p Principal) ActsForANCT() bool {
	return slices.ContainsFunc(p.Grants(), func(g Grant) bool {
		return g.Scope == ScopeNational && (g.Role == RoleAdmin || g.Role == RoleInstructor)
	})
}

// CanReadInterests reports whether p may read a selected service's expressions of interest:
// ANCT, which confirms the territoires référents among them, or a collectivité's agent,
// who reads its own (CanSeeInterest).
func (p Principal) CanReadInterests() bool {
	return p.ActsForANCT() || slices.ContainsFunc(p.Grants(), func(g Grant) bool { return g.Role == RoleApplicant })
}

// CanSeeInterest reports whether p may read expression of interest in: ANCT reads every
// collectivité's, référents first then the waiting list; a collectivité its own, to know
// whether it pilots the service or waits on the list, not its neighbours'.
func (p Principal) CanSeeInterest(in Interest) bool { return p.ActsForANCT() || p.ActsFor(in.Siren) }
