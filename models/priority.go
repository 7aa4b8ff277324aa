package models

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// PriorityPolicy is a government programme whose collectivités ANCT supports first.
type PriorityPolicy string

const (
	PolicyPetitesVilles PriorityPolicy = "pvd"          // Petites Villes de Demain
	PolicyCoeurDeVille  PriorityPolicy = "acv"          // Action cœur de ville
	PolicyQuartiers     PriorityPolicy = "qpv"          // quartiers prioritaires de la politique de la ville
	PolicyAgendaRural   PriorityPolicy = "agenda_rural" // agenda rural
)

// PriorityPolicies lists the priority policies.
var PriorityPolicies = []PriorityPolicy{PolicyPetitesVilles, PolicyCoeurDeVille, PolicyQuartiers, PolicyAgendaRural}

// PriorityMembership is one line of a priority policy import: a collectivité, by SIREN
// or by INSEE commune code, and the policy it belongs to.
type PriorityMembership struct {
	Line   int
	Code   string // a SIREN, or an INSEE commune code
	Policy PriorityPolicy
}

// IsSiren reports whether the membership names its collectivité by SIREN (else by INSEE code).
func (m PriorityMembership) IsSiren() bool { return len(m.Code) == 9 }

var inseeCommune = regexp.MustCompile(`^(\d{5}|2[AB]\d{3})$`)

// ParsePriorityCSV reads a priority policy import: a header line "code,policy", then one
// membership a line, the code a SIREN (9 digits) or an INSEE commune code (5 characters,
// 2A/2B for Corsica), the policy one of PriorityPolicies. Every line at fault is named
// ("line 3"), and nothing is imported unless all are right.
func ParsePriorityCSV(r io.Reader) ([]PriorityMembership, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 2
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, FieldErrors(map[string]string{"csv": "must start with the header line code,policy"})
	}
	if strings.TrimPrefix(strings.ToLower(strings.Join(header, ",")), "\ufeff") != "code,policy" {
		return nil, FieldErrors(map[string]string{"csv": fmt.Sprintf("header must be code,policy, not %s", strings.Join(header, ","))})
	}
	var out []PriorityMembership
	fields := map[string]string{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		key := fmt.Sprintf("line %d", line)
		if err != nil {
			fields[key] = "must hold two fields, code and policy"
			if len(fields) > 50 {
				break
			}
			continue
		}
		m := PriorityMembership{Line: line, Code: strings.ToUpper(strings.TrimSpace(rec[0])), Policy: PriorityPolicy(strings.TrimSpace(rec[1]))}
		switch {
		case !ValidSiren(m.Code) && !inseeCommune.MatchString(m.Code):
			fields[key] = fmt.Sprintf("code %q is neither a SIREN nor an INSEE commune code", rec[0])
		case !slices.Contains(PriorityPolicies, m.Policy):
			fields[key] = fmt.Sprintf("policy %q must be %s", rec[1], quotedChoice(PriorityPolicies))
		default:
			out = append(out, m)
		}
	}
	if len(fields) > 0 {
		return nil, FieldErrors(fields)
	}
	if len(out) == 0 {
		return nil, FieldErrors(map[string]string{"csv": "holds no membership"})
	}
	return out, nil
}
