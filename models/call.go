package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Strand is one of the three strands of Axe 2's calls for projects.
type Strand string

const (
	StrandDematerialisation Strand = "dematerialisation" // dématérialisation de qualité
	StrandDonnees           Strand = "donnees"           // cycle de vie de la donnée
	StrandCooperation       Strand = "cooperation"       // coopération avec les écosystèmes
)

// Strands lists the strands in the government's order.
var Strands = []Strand{StrandDematerialisation, StrandDonnees, StrandCooperation}

// strandFields are the strand-specific descriptions an application must give.
var strandFields = map[Strand][]string{
	StrandDematerialisation: {"procedures", "accessibility"},        // the procedures put online, and how they are made accessible
	StrandDonnees:           {"datasets", "data_governance"},        // the data opened or exchanged, and who governs it
	StrandCooperation:       {"ecosystem_partners", "citizen_role"}, // the partners allied with, and the citizens' part
}

// StrandFields returns the strand-specific fields an application must fill.
func StrandFields(s Strand) []string { return strandFields[s] }

// JuryMember is a person sitting on a call's jury.
type JuryMember struct {
	Subject string `json:"subject" validate:"notblank"`
	Name    string `json:"name"`
	// State marks a representative of the State (préfecture, ministry, DINUM): the jury is
	// chaired by one.
	State bool `json:"state"`
}

// Call is a call for projects of one strand and round, with its jury.
type Call struct {
	ID           string       `json:"id"`
	Strand       Strand       `json:"strand" validate:"strand"`
	Round        int          `json:"round" validate:"min=1,max=3"`
	Title        string       `json:"title" validate:"notblank,min=3,max=200"`
	OpensAt      time.Time    `json:"opens_at" validate:"required"`
	ClosesAt     time.Time    `json:"closes_at" validate:"required"`
	EnvelopeCode string       `json:"envelope_code" validate:"required"`
	Jury         []JuryMember `json:"jury" validate:"min=1,dive"`
	// Chair is the subject of the jury member who chairs for the State and decides ties.
	Chair        string     `json:"chair" validate:"required"`
	Quorum       int        `json:"quorum" validate:"min=1"`
	JuryOpenedAt *time.Time `json:"jury_opened_at,omitempty"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
}

// Validate checks a call as an administrator defines it: each field's rules (its tags),
// then the rules that tie fields together: it closes after it opens; its jury names each
// member once, and its chair and quorum fit the jury.
func (c Call) Validate() error {
	fields := map[string]string{}
	if !c.ClosesAt.After(c.OpensAt) {
		fields["closes_at"] = "must be after opens_at"
	}
	seen := map[string]bool{}
	for i, m := range c.Jury {
		if seen[m.Subject] {
			fields[fmt.Sprintf("jury[%d].subject", i)] = "appears twice"
		}
		seen[m.Subject] = true
	}
	if len(c.Jury) > 0 {
		if msg := chairRule(c.Jury, c.Chair); msg != "" {
			fields["chair"] = msg
		}
	}
	if c.Quorum > len(c.Jury) {
		fields["quorum"] = fmt.Sprintf("must be between 1 and the number of members (%d)", len(c.Jury))
	}
	return joinFieldErrors(Validate(c), fields)
}

// CallRequest is a new call for projects, as an administrator describes it.
type CallRequest struct {
	Strand       Strand       `json:"strand"`
	Round        int          `json:"round"`
	Title        string       `json:"title"`
	OpensAt      time.Time    `json:"opens_at"`
	ClosesAt     time.Time    `json:"closes_at"`
	EnvelopeCode string       `json:"envelope_code"`
	Jury         []JuryMember `json:"jury"`
	Chair        string       `json:"chair"`
	Quorum       int          `json:"quorum"`
}

// Call is the call the request describes, created by createdBy under id, on its strand's
// envelope when it names none; its rules are checked by Call.Validate.
func (r CallRequest) Call(id, createdBy string) Call {
	c := Call{ID: id, Strand: r.Strand, Round: r.Round, Title: strings.TrimSpace(r.Title), OpensAt: r.OpensAt,
		ClosesAt: r.ClosesAt, EnvelopeCode: r.EnvelopeCode, Jury: r.Jury, Chair: r.Chair, Quorum: r.Quorum, CreatedBy: createdBy}
	if c.EnvelopeCode == "" && r.Strand != "" {
		c.EnvelopeCode = "axe2." + string(r.Strand) // each strand has its envelope by default
	}
	return c
}

// chairRule says what is wrong with the jury's chair, "" when nothing: the jury is
// "présidé par l'État", so its chair is a member representing the State.
func chairRule(jury []JuryMember, chair string) string {
	i := slices.IndexFunc(jury, func(m JuryMember) bool { return m.Subject == chair })
	switch {
	case strings.TrimSpace(chair) == "" || i < 0:
		return "must be one of the jury's members"
	case !jury[i].State:
		return fmt.Sprintf("must be a State representative: the jury is chaired by the State, and %s is not marked \"state\": true", chair)
	}
	return ""
}

// IsMember reports whether subject sits on the call's jury.
func (c Call) IsMember(subject string) bool {
	return slices.ContainsFunc(c.Jury, func(m JuryMember) bool { return m.Subject == subject })
}

// AcceptsApplications reports whether the call is open at now.
func (c Call) AcceptsApplications(now time.Time) bool {
	return !now.Before(c.OpensAt) && now.Before(c.ClosesAt)
}

// JuryScope is the task scope of a call's jury.
func (c Call) JuryScope() Scope { return JuryScope(c.ID) }

// AAPApplication is an application to a call for projects (appel à projets).
// A draft may leave fields empty; those it fills follow the same rules. A project's
// eligible cost is at most 100 M€.
type AAPApplication struct {
	Title             string            `json:"title" validate:"omitempty,notblank,min=3,max=200"`
	Summary           string            `json:"summary" validate:"omitempty,notblank,min=20,max=5000"`
	StrandFields      map[string]string `json:"strand_fields" validate:"dive,max=5000"`
	EligibleCostCents Cents             `json:"eligible_cost_cents" validate:"min=0,max=10000000000"`
	RequestedCents    Cents             `json:"requested_cents" validate:"cents"`
	// PartnerSirens are the collectivités carrying the project with the applicant.
	PartnerSirens []string `json:"partner_sirens" validate:"max=200,dive,siren"`
}

// AAPFundingRate is the share of a project's eligible cost the fund pays: 50%.
const AAPFundingRate = 50

// Validate checks an application's form for a strand: each field's rules (its tags), then
// those that tie it to its call and applicant: the strand's own fields, the 50 % rate,
// partners other than the applicant and each named once, and, for a submission
// (complete), every field filled. A draft may be incomplete.
func (a AAPApplication) Validate(strand Strand, applicantSiren string, complete bool) error {
	fields := map[string]string{}
	if complete {
		for field, empty := range map[string]bool{"title": a.Title == "", "summary": a.Summary == "",
			"eligible_cost_cents": a.EligibleCostCents == 0, "requested_cents": a.RequestedCents == 0} {
			if empty {
				fields[field] = "is required to submit"
			}
		}
	}
	wanted := StrandFields(strand)
	for key := range a.StrandFields {
		if !slices.Contains(wanted, key) {
			fields["strand_fields."+key] = fmt.Sprintf("is not a field of strand %s (%s)", strand, strings.Join(wanted, ", "))
		}
	}
	if complete {
		for _, key := range wanted {
			if strings.TrimSpace(a.StrandFields[key]) == "" {
				fields["strand_fields."+key] = "is required for strand " + string(strand)
			}
		}
	}
	if ValidCents(a.EligibleCostCents) && a.RequestedCents > a.EligibleCostCents*AAPFundingRate/100 && (complete || a.EligibleCostCents > 0) {
		fields["requested_cents"] = fmt.Sprintf("must be at most %d%% of the eligible cost (%s)", AAPFundingRate,
			FormatEuros(a.EligibleCostCents*AAPFundingRate/100))
	}
	seen := map[string]bool{applicantSiren: true}
	for i, s := range a.PartnerSirens {
		key := fmt.Sprintf("partner_sirens[%d]", i)
		switch {
		case s == applicantSiren:
			fields[key] = "is the applicant itself"
		case seen[s]:
			fields[key] = "appears twice"
		}
		seen[s] = true
	}
	return joinFieldErrors(Validate(a), fields)
}
