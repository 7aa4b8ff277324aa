package models

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// EligibilityPopulation is the number of inhabitants an Axe 2 call-for-projects
// application must cover when it covers no whole département.
const EligibilityPopulation int64 = 500_000

// Eligibility is the outcome of the Axe 2 call-for-projects eligibility rule for an
// applicant and its partners, with the reasons a person reads.
type Eligibility struct {
	Eligible   bool  `json:"eligible"`
	Population int64 `json:"population"`
	// WholeDepartements are the codes of the départements all of whose communes are covered, sorted.
	WholeDepartements []string `json:"whole_departements"`
	// Reasons explain a refusal (one sentence per unmet condition) or the grant (one sentence).
	Reasons []string `json:"reasons"`
}

// CheckEligibility applies the Axe 2 rule: the communes covered by the applicant and its
// partners must, together, include every commune of at least one département, or number at
// least EligibilityPopulation inhabitants. covered are the communes covered (a commune
// covered twice counts once); communesPerDepartement is the registry's number of communes
// in each département. Entries of another type than commune are ignored: an EPCI's
// population would count its members twice.
func CheckEligibility(covered []Collectivite, communesPerDepartement map[string]int) Eligibility {
	cov, perDept := coverageOf(covered, communesPerDepartement)
	e := Eligibility{Population: cov.Population, WholeDepartements: cov.WholeDepartements, Reasons: []string{}}
	if cov.Communes == 0 {
		e.Reasons = append(e.Reasons, fmt.Sprintf("the applicant and its partners cover no commune of the registry, "+
			"so neither %s inhabitants nor a whole département", groupDigits(EligibilityPopulation)))
		return e
	}

	// closest is the département with the highest covered share, ties going to the lower code.
	var closest string
	for _, d := range slices.Sorted(maps.Keys(perDept)) {
		total := communesPerDepartement[d]
		if total <= 0 {
			continue // unknown to the registry's counts: cannot be whole
		}
		// perDept[d]/total > perDept[closest]/communesPerDepartement[closest], without division.
		if closest == "" || perDept[d]*communesPerDepartement[closest] > perDept[closest]*total {
			closest = d
		}
	}

	bigEnough := e.Population >= EligibilityPopulation
	e.Eligible = bigEnough || len(e.WholeDepartements) > 0
	switch {
	case bigEnough && len(e.WholeDepartements) > 0:
		e.Reasons = append(e.Reasons, fmt.Sprintf("the applicant and its partners cover every commune of %s, and %s inhabitants (at least %s)",
			departementList(e.WholeDepartements), groupDigits(e.Population), groupDigits(EligibilityPopulation)))
	case bigEnough:
		e.Reasons = append(e.Reasons, fmt.Sprintf("the applicant and its partners cover %s inhabitants, at least %s",
			groupDigits(e.Population), groupDigits(EligibilityPopulation)))
	case len(e.WholeDepartements) > 0:
		e.Reasons = append(e.Reasons, fmt.Sprintf("the applicant and its partners cover every commune of %s",
			departementList(e.WholeDepartements)))
	default:
		e.Reasons = append(e.Reasons, fmt.Sprintf("the applicant and its partners cover %s inhabitants, fewer than %s",
			groupDigits(e.Population), groupDigits(EligibilityPopulation)))
		if closest == "" {
			e.Reasons = append(e.Reasons, "they cover no whole département")
		} else {
			e.Reasons = append(e.Reasons, fmt.Sprintf("they cover no whole département: the closest is département %s, %s of its %s communes",
				closest, groupDigits(int64(perDept[closest])), groupDigits(int64(communesPerDepartement[closest]))))
		}
	}
	return e
}

// departementList names sorted codes as "département 35" or "départements 22, 29 and 35".
func departementList(codes []string) string {
	if len(codes) == 1 {
		return "département " + codes[0]
	}
	return "départements " + strings.Join(codes[:len(codes)-1], ", ") + " and " + codes[len(codes)-1]
}

// groupDigits writes n with a comma every three digits, as in "123,456".
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String()
}
