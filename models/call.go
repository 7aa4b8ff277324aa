package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
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
	Subject string `json:"subject"`
	Name    string `json:"name"`
}

// Call is a call for projects of one strand and round, with its jury.
type Call struct {
	ID           string       `json:"id"`
	Strand       Strand       `json:"strand"`
	Round        int          `json:"round"`
	Title        string       `json:"title"`
	OpensAt      time.Time    `json:"opens_at"`
	ClosesAt     time.Time    `json:"closes_at"`
	EnvelopeCode string       `json:"envelope_code"`
	Jury         []JuryMember `json:"jury"`
	// Chair is the subject of the jury member who chairs for the State and decides ties.
	Chair        string     `json:"chair"`
	Quorum       int        `json:"quorum"`
	JuryOpenedAt *time.Time `json:"jury_opened_at,omitempty"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
}

// Validate checks a call as an administrator defines it.
func (c Call) Validate() error {
	fields := map[string]string{}
	if !slices.Contains(Strands, c.Strand) {
		fields["strand"] = "must be one of dematerialisation, donnees, cooperation"
	}
	if c.Round < 1 || c.Round > 3 {
		fields["round"] = "must be 1, 2 or 3"
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(c.Title)); n < 3 || n > 200 {
		fields["title"] = "must be 3 to 200 characters"
	}
	if c.OpensAt.IsZero() {
		fields["opens_at"] = "is required (RFC 3339)"
	}
	if c.ClosesAt.IsZero() {
		fields["closes_at"] = "is required (RFC 3339)"
	} else if !c.ClosesAt.After(c.OpensAt) {
		fields["closes_at"] = "must be after opens_at"
	}
	if c.EnvelopeCode == "" {
		fields["envelope_code"] = "is required"
	}
	seen := map[string]bool{}
	for i, m := range c.Jury {
		if strings.TrimSpace(m.Subject) == "" {
			fields[fmt.Sprintf("jury[%d].subject", i)] = "is required"
		} else if seen[m.Subject] {
			fields[fmt.Sprintf("jury[%d].subject", i)] = "appears twice"
		}
		seen[m.Subject] = true
	}
	switch {
	case len(c.Jury) == 0:
		fields["jury"] = "needs at least one member"
	case !seen[c.Chair]:
		fields["chair"] = "must be one of the jury's members"
	}
	if c.Quorum < 1 || c.Quorum > len(c.Jury) {
		fields["quorum"] = fmt.Sprintf("must be between 1 and the number of members (%d)", len(c.Jury))
	}
	if len(fields) > 0 {
		return FieldErrors(fields)
	}
	return nil
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
func (c Call) JuryScope() string { return "jury:" + c.ID }

// AAPApplication is an application to a call for projects (appel à projets).
type AAPApplication struct {
	Title             string            `json:"title"`
	Summary           string            `json:"summary"`
	StrandFields      map[string]string `json:"strand_fields"`
	EligibleCostCents Cents             `json:"eligible_cost_cents"`
	RequestedCents    Cents             `json:"requested_cents"`
	// PartnerSirens are the collectivités carrying the project with the applicant.
	PartnerSirens []string `json:"partner_sirens"`
}

// AAPFundingRate is the share of a project's eligible cost the fund pays: 50%.
const AAPFundingRate = 50

// Validate checks an application's form for a strand. A draft may be incomplete; a
// submitted application may not (complete says which).
func (a AAPApplication) Validate(strand Strand, applicantSiren string, complete bool) error {
	fields := map[string]string{}
	if n := utf8.RuneCountInString(strings.TrimSpace(a.Title)); (complete || n > 0) && (n < 3 || n > 200) {
		fields["title"] = "must be 3 to 200 characters"
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(a.Summary)); (complete || n > 0) && (n < 20 || n > 5000) {
		fields["summary"] = "must be 20 to 5000 characters"
	}
	wanted := StrandFields(strand)
	for key, v := range a.StrandFields {
		if !slices.Contains(wanted, key) {
			fields["strand_fields."+key] = fmt.Sprintf("is not a field of strand %s (%s)", strand, strings.Join(wanted, ", "))
		} else if utf8.RuneCountInString(v) > 5000 {
			fields["strand_fields."+key] = "must be at most 5000 characters"
		}
	}
	if complete {
		for _, key := range wanted {
			if strings.TrimSpace(a.StrandFields[key]) == "" {
				fields["strand_fields."+key] = "is required for strand " + string(strand)
			}
		}
	}
	eligibleValid := ValidCents(a.EligibleCostCents) && a.EligibleCostCents <= maxProjectCostCents*10
	if !eligibleValid || (complete && a.EligibleCostCents == 0) {
		fields["eligible_cost_cents"] = fmt.Sprintf("must be between 1 and %d cents", maxProjectCostCents*10)
	}
	switch {
	case a.RequestedCents < 0 || (complete && a.RequestedCents == 0):
		fields["requested_cents"] = "must be positive"
	case !ValidCents(a.RequestedCents):
		fields["requested_cents"] = CentsRange
	case eligibleValid && a.RequestedCents > a.EligibleCostCents*AAPFundingRate/100 && (complete || a.EligibleCostCents > 0):
		fields["requested_cents"] = fmt.Sprintf("must be at most %d%% of the eligible cost (%s)", AAPFundingRate,
			FormatEuros(a.EligibleCostCents*AAPFundingRate/100))
	}
	seen := map[string]bool{applicantSiren: true}
	for i, s := range a.PartnerSirens {
		key := fmt.Sprintf("partner_sirens[%d]", i)
		switch {
		case !ValidSiren(s):
			fields[key] = "must be a SIREN (9 digits with a valid check digit)"
		case s == applicantSiren:
			fields[key] = "is the applicant itself"
		case seen[s]:
			fields[key] = "appears twice"
		}
		seen[s] = true
	}
	if len(a.PartnerSirens) > 200 {
		fields["partner_sirens"] = "must list at most 200 partners"
	}
	if len(fields) > 0 {
		return FieldErrors(fields)
	}
	return nil
}
