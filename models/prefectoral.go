package models

import (
	"fmt"
	"slices"
	"strings"
)

// The prefectoral grant (Axe 3, guichet territorial): the application a collectivité files
// with its préfecture, and its eligibility.

// ProjectType is what an Axe 3 project does (DOMAIN.md, "Prefectoral grant").
type ProjectType string

const (
	ProjectOnlineService  ProjectType = "online_service"  // an online service created or improved, agents' training included
	ProjectLocalProcedure ProjectType = "local_procedure" // a local procedure put online
	ProjectTelephony      ProjectType = "telephony"       // a telephony platform or interactive voice server modernised
	ProjectStudy          ProjectType = "study"           // a needs or feasibility study
)

// ProjectTypes lists the project types.
var ProjectTypes = []ProjectType{ProjectOnlineService, ProjectLocalProcedure, ProjectTelephony, ProjectStudy}

// ExpenseCategory is the kind of an expense line.
type ExpenseCategory string

// The eligible categories (the seed's eligible services), then those the form accepts so
// that an applicant can state its whole budget, which are not eligible.
const (
	ExpenseStudies     ExpenseCategory = "studies"     // studies, diagnostics and master plans
	ExpenseSupport     ExpenseCategory = "support"     // specialist support: service design, technical work, change management
	ExpenseTraining    ExpenseCategory = "training"    // training and certification in digital skills
	ExpenseOmnichannel ExpenseCategory = "omnichannel" // expertise in omnichannel user relations
	ExpenseEquipment   ExpenseCategory = "equipment"   // hardware
	ExpenseStaff       ExpenseCategory = "staff"       // the collectivité's own staff
	ExpenseOther       ExpenseCategory = "other"
)

// EligibleExpenseCategories are the categories Axe 3 funds.
var EligibleExpenseCategories = []ExpenseCategory{ExpenseStudies, ExpenseSupport, ExpenseTraining, ExpenseOmnichannel}

// ExpenseCategories are the categories an expense line may have.
var ExpenseCategories = append(slices.Clone(EligibleExpenseCategories), ExpenseEquipment, ExpenseStaff, ExpenseOther)

// ExpenseLine is one line of a project's budget.
type ExpenseLine struct {
	Category    ExpenseCategory `json:"category" validate:"oneof=studies support training omnichannel equipment staff other"`
	Label       string          `json:"label" validate:"notblank,max=200"`
	AmountCents Cents           `json:"amount_cents" validate:"min=1,cents"`
}

// Backing is the carrying authority's commitment to the project (criterion 1).
type Backing struct {
	// Deliberation is what the council decided, e.g. "délibération n° 2021-14 du conseil municipal".
	Deliberation string `json:"deliberation" validate:"omitempty,notblank,max=1000"`
	// DeliberationDate is its date, YYYY-MM-DD.
	DeliberationDate string `json:"deliberation_date" validate:"omitempty,datetime=2006-01-02"`
}

// TeamMember is a member of the project's team (criterion 2).
type TeamMember struct {
	Name string `json:"name" validate:"notblank,max=200"`
	Role string `json:"role" validate:"notblank,max=200"`
}

// PrefectoralApplication is an application for a prefectoral grant. A draft may leave
// fields empty; those it fills follow the same rules.
type PrefectoralApplication struct {
	Title       string      `json:"title" validate:"omitempty,notblank,min=3,max=200"`
	Description string      `json:"description" validate:"omitempty,notblank,min=20,max=5000"`
	ProjectType ProjectType `json:"project_type" validate:"omitempty,oneof=online_service local_procedure telephony study"`
	// Expenses are the project's budget lines; the eligible cost is the sum of the eligible ones.
	Expenses []ExpenseLine `json:"expenses" validate:"max=50,dive"`
	// OtherPublicFundingCents is the project's other public co-funding (State, région, EU...).
	OtherPublicFundingCents Cents `json:"other_public_funding_cents" validate:"cents"`
	RequestedCents          Cents `json:"requested_cents" validate:"cents"`
	// LabID is the territorial innovation lab involved, if any.
	LabID string `json:"lab_id,omitempty" validate:"omitempty,max=63"`
	// The facts behind the five criteria.
	Backing       Backing      `json:"backing"`
	Team          []TeamMember `json:"team" validate:"max=30,dive"`
	TargetUsers   int64        `json:"target_users" validate:"min=0,max=100000000"`
	EconomicModel string       `json:"economic_model" validate:"omitempty,notblank,max=5000"`
	Impact        string       `json:"impact" validate:"omitempty,notblank,max=5000"`
	Indicators    []string     `json:"indicators" validate:"max=20,dive,notblank,max=200"`
	// CRTEID is the CRTE the project belongs to, if any.
	CRTEID string `json:"crte_id,omitempty" validate:"omitempty,max=63"`
}

// CostCents is the project's whole budget.
func (a PrefectoralApplication) CostCents() Cents {
	var sum Cents
	for _, l := range a.Expenses {
		sum += l.AmountCents
	}
	return sum
}

// EligibleCostCents is the sum of the project's eligible expense lines.
func (a PrefectoralApplication) EligibleCostCents() Cents {
	var sum Cents
	for _, l := range a.Expenses {
		if slices.Contains(EligibleExpenseCategories, l.Category) {
			sum += l.AmountCents
		}
	}
	return sum
}

// Validate checks an application's form: each field's rules (its tags), then those that tie
// fields together: no more requested than the project costs, lab and CRTE IDs of the
// administrator's form, and, for a submission (complete), every fact of the five criteria
// given. Eligibility is not the form's business: CheckPrefectoralEligibility explains it.
func (a PrefectoralApplication) Validate(complete bool) error {
	fields := map[string]string{}
	if complete {
		for field, empty := range map[string]bool{
			"title": a.Title == "", "description": a.Description == "", "project_type": a.ProjectType == "",
			"expenses": len(a.Expenses) == 0, "requested_cents": a.RequestedCents == 0,
			"backing.deliberation": a.Backing.Deliberation == "", "backing.deliberation_date": a.Backing.DeliberationDate == "",
			"team": len(a.Team) == 0, "target_users": a.TargetUsers == 0, "economic_model": a.EconomicModel == "",
			"impact": a.Impact == "", "indicators": len(a.Indicators) == 0,
		} {
			if empty {
				fields[field] = "is required to submit"
			}
		}
	}
	if cost := a.CostCents(); a.RequestedCents > cost && (complete || len(a.Expenses) > 0) {
		fields["requested_cents"] = fmt.Sprintf("must be at most the project's cost (%s)", FormatEuros(cost))
	}
	for field, id := range map[string]string{"lab_id": a.LabID, "crte_id": a.CRTEID} {
		if id != "" && !ValidReferenceID(id) {
			fields[field] = "is not the ID of a lab or CRTE: lower-case letters, digits and dashes"
		}
	}
	return joinFieldErrors(Validate(a), fields)
}

// PrefectoralEligibility is the outcome of the Axe 3 eligibility rules for an application,
// with the figures they used and the reasons a person reads.
type PrefectoralEligibility struct {
	Eligible bool `json:"eligible"`
	// Population is the applicant's, from the registry (an EPCI's is its members').
	Population    int64 `json:"population"`
	PopulationCap int64 `json:"population_cap"`
	// EligibleCostCents is the sum of the eligible expense lines.
	EligibleCostCents Cents `json:"eligible_cost_cents"`
	// MaxPublicRatePercent is the territory's ceiling of public funding.
	MaxPublicRatePercent int `json:"max_public_rate_percent"`
	// PublicFundingCents is the grant requested plus the other public co-funding.
	PublicFundingCents Cents `json:"public_funding_cents"`
	// MaxGrantCents is the most the grant may be: the request, within the rate ceiling less
	// the other public funding.
	MaxGrantCents Cents    `json:"max_grant_cents"`
	Reasons       []string `json:"reasons"`
}

// CheckPrefectoralEligibility applies the Axe 3 rules to an application of a collectivité
// of this population under its territory's rules: the population within the cap, if any;
// public funding within the maximum rate of the eligible cost; every expense line of an
// eligible category.
func CheckPrefectoralEligibility(a PrefectoralApplication, population int64, rules Axe3Rules) PrefectoralEligibility {
	e := PrefectoralEligibility{Eligible: true, Population: population, PopulationCap: rules.PopulationCap,
		EligibleCostCents: a.EligibleCostCents(), MaxPublicRatePercent: rules.MaxPublicRatePercent,
		PublicFundingCents: a.RequestedCents + a.OtherPublicFundingCents, Reasons: []string{}}
	fail := func(format string, args ...any) {
		e.Eligible = false
		e.Reasons = append(e.Reasons, fmt.Sprintf(format, args...))
	}
	if rules.PopulationCap > 0 && population > rules.PopulationCap {
		fail("the applicant has %s inhabitants, more than the %s its territory (%s) set as the cap", groupDigits(population),
			groupDigits(rules.PopulationCap), rules.Scope)
	}
	var ineligible []string
	for i, l := range a.Expenses {
		if !slices.Contains(EligibleExpenseCategories, l.Category) {
			ineligible = append(ineligible, fmt.Sprintf("line %d (%s, %s)", i+1, l.Category, FormatEuros(l.AmountCents)))
		}
	}
	if len(ineligible) > 0 {
		fail("%s: not of an eligible category (%s)", strings.Join(ineligible, ", "), quotedChoice(EligibleExpenseCategories))
	}
	ceiling := e.EligibleCostCents * Cents(rules.MaxPublicRatePercent) / 100
	e.MaxGrantCents = max(0, min(a.RequestedCents, ceiling-a.OtherPublicFundingCents))
	if e.PublicFundingCents > ceiling {
		fail("public funding of %s (%s requested and %s of other public funding) exceeds %d%% of the eligible cost of %s, that is %s",
			FormatEuros(e.PublicFundingCents), FormatEuros(a.RequestedCents), FormatEuros(a.OtherPublicFundingCents),
			rules.MaxPublicRatePercent, FormatEuros(e.EligibleCostCents), FormatEuros(ceiling))
	}
	if e.Eligible {
		capText := "no population cap"
		if rules.PopulationCap > 0 {
			capText = "at most " + groupDigits(rules.PopulationCap) + " inhabitants"
		}
		e.Reasons = append(e.Reasons, fmt.Sprintf("the applicant has %s inhabitants (%s), every expense line is eligible, and public funding of %s is within %d%% of the eligible cost of %s",
			groupDigits(population), capText, FormatEuros(e.PublicFundingCents), rules.MaxPublicRatePercent, FormatEuros(e.EligibleCostCents)))
	}
	return e
}
