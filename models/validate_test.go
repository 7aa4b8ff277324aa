package models_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

// requireFields checks that err is an EInvalid *models.Error with exactly these fields and
// messages (nil: err must be nil).
func requireFields(t *testing.T, err error, want map[string]string) {
	t.Helper()
	if want == nil {
		require.NoError(t, err)
		return
	}
	var e *models.Error
	require.True(t, errors.As(err, &e), "want *models.Error, got %T: %v", err, err)
	require.Equal(t, models.EInvalid, e.Code)
	require.Equal(t, want, e.Fields)
}

// customRules exercises each custom validation and the message it gives.
type customRules struct {
	Siren       string       `json:"siren" validate:"siren"`
	Cents       models.Cents `json:"cents" validate:"cents"`
	Departement string       `json:"departement" validate:"departement"`
	Strand      string       `json:"strand" validate:"strand"`
	Nested      struct {
		Codes []string `json:"codes" validate:"max=2,dive,departement"`
	} `json:"nested"`
}

func TestCustomValidations(t *testing.T) {
	valid := func() customRules {
		c := customRules{Siren: "217500016", Cents: 0, Departement: "2A", Strand: "donnees"}
		c.Nested.Codes = []string{"974", "01"}
		return c
	}
	tests := []struct {
		name string
		edit func(c *customRules)
		want map[string]string
	}{
		{"valid", func(*customRules) {}, nil},
		{"largest amount", func(c *customRules) { c.Cents = models.MaxCents }, nil},
		{"SIREN with a wrong check digit", func(c *customRules) { c.Siren = "217500017" },
			map[string]string{"siren": "must be a SIREN (9 digits with a valid check digit)"}},
		{"SIREN of 8 digits", func(c *customRules) { c.Siren = "21750001" },
			map[string]string{"siren": "must be a SIREN (9 digits with a valid check digit)"}},
		{"negative amount", func(c *customRules) { c.Cents = -1 },
			map[string]string{"cents": models.CentsRange}},
		{"amount above the bound", func(c *customRules) { c.Cents = models.MaxCents + 1 },
			map[string]string{"cents": models.CentsRange}},
		{"département of 3 digits", func(c *customRules) { c.Departement = "999" },
			map[string]string{"departement": "must be a département code such as 01, 2A or 974"}},
		{"département 2C", func(c *customRules) { c.Departement = "2C" },
			map[string]string{"departement": "must be a département code such as 01, 2A or 974"}},
		{"unknown strand", func(c *customRules) { c.Strand = "culture" },
			map[string]string{"strand": `must be "dematerialisation", "donnees" or "cooperation"`}},
		{"nested list item", func(c *customRules) { c.Nested.Codes[1] = "1" },
			map[string]string{"nested.codes[1]": "must be a département code such as 01, 2A or 974"}},
		{"nested list too long", func(c *customRules) { c.Nested.Codes = []string{"01", "02", "03"} },
			map[string]string{"nested.codes": "must be at most 2 items"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.edit(&c)
			requireFields(t, models.Validate(c), tt.want)
		})
	}
}

// completion builds a completion with data marshalled to JSON (nil: none).
func completion(outcome, comment string, data any) models.Completion {
	c := models.Completion{Outcome: outcome, Comment: comment}
	if data != nil {
		c.Data, _ = json.Marshal(data)
	}
	return c
}

// TestCompletionRules covers every outcome's rules: the API's and the workflows' Update
// validators' (both call Completion.Payload).
func TestCompletionRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // 2 bytes each: lengths count characters
	tests := []struct {
		name string
		task models.TaskType
		c    models.Completion
		want map[string]string
	}{
		{"no outcome", models.TaskPreselection, completion("", "", nil), map[string]string{"outcome": "is required"}},
		{"another task's outcome", models.TaskPreselection, completion("paid", "", nil),
			map[string]string{"outcome": `must be "preselect", "reject" or "request_info" for a task of type preselection`}},
		{"preselect", models.TaskPreselection, completion("preselect", "", nil), nil},
		{"preselect, comment of 2000 characters", models.TaskPreselection, completion("preselect", long(2000), nil), nil},
		{"preselect, comment of 2001 characters", models.TaskPreselection, completion("preselect", long(2001), nil),
			map[string]string{"comment": "must be at most 2000 characters"}},
		{"preselect with data", models.TaskPreselection, completion("preselect", "", map[string]int{"x": 1}),
			map[string]string{"data": "must be absent for outcome preselect"}},
		{"preselect with null data", models.TaskPreselection, models.Completion{Outcome: "preselect", Data: json.RawMessage("null")}, nil},
		{"reject without motivation", models.TaskPreselection, completion("reject", "", nil), map[string]string{"comment": "must not be blank"}},
		{"reject, blank motivation", models.TaskPreselection, completion("reject", "          ", nil), map[string]string{"comment": "must not be blank"}},
		{"reject, 9 characters", models.TaskPreselection, completion("reject", long(9), nil),
			map[string]string{"comment": "must be at least 10 characters"}},
		{"reject, 10 characters", models.TaskPreselection, completion("reject", long(10), nil), nil},
		{"request_info, 10 characters", models.TaskPreselection, completion("request_info", "Précisez ?", nil), nil},
		{"request_info, too short", models.TaskPreselection, completion("request_info", "Pourquoi", nil),
			map[string]string{"comment": "must be at least 10 characters"}},
		{"answer", models.TaskInformation, completion("answered", "oui", nil), nil},
		{"answer of 10000 characters", models.TaskInformation, completion("answered", long(10_000), nil), nil},
		{"answer of 10001 characters", models.TaskInformation, completion("answered", long(10_001), nil),
			map[string]string{"comment": "must be at most 10000 characters"}},
		{"answer of 2 characters", models.TaskInformation, completion("answered", "ok", nil),
			map[string]string{"comment": "must be at least 3 characters"}},
		{"answer blank", models.TaskInformation, completion("answered", "   ", nil), map[string]string{"comment": "must not be blank"}},
		{"answer with the wrong outcome", models.TaskInformation, completion("preselect", "oui", nil),
			map[string]string{"outcome": `must be "answered" for a task of type information`}},
		{"grant", models.TaskJuryDecision, completion("grant", "solide", map[string]any{"amount_cents": 1}), nil},
		{"grant without data", models.TaskJuryDecision, completion("grant", "solide", nil), map[string]string{"data": "is required"}},
		{"grant without amount", models.TaskJuryDecision, completion("grant", "solide", map[string]any{}),
			map[string]string{"data.amount_cents": "is required"}},
		{"grant of a negative amount", models.TaskJuryDecision, completion("grant", "solide", map[string]any{"amount_cents": -1}),
			map[string]string{"data.amount_cents": models.CentsRange}},
		{"grant of an amount that is not a number", models.TaskJuryDecision, completion("grant", "solide", map[string]any{"amount_cents": "1"}),
			map[string]string{"data.amount_cents": "must be int64"}},
		{"grant with an unknown field", models.TaskJuryDecision, completion("grant", "solide", map[string]any{"amount": 1}),
			map[string]string{"data": `is invalid for outcome grant: json: unknown field "amount"`}},
		{"grant without comment", models.TaskJuryDecision, completion("grant", "", map[string]any{"amount_cents": 1}),
			map[string]string{"comment": "must not be blank"}},
		{"refuse, comment of 3", models.TaskJuryDecision, completion("refuse", "non", nil), nil},
		{"refuse, comment of 2", models.TaskJuryDecision, completion("refuse", "no", nil), map[string]string{"comment": "must be at least 3 characters"}},
		{"recuse without conflict", models.TaskJuryDecision, completion("recuse", "", nil), map[string]string{"comment": "must not be blank"}},
		{"signed", models.TaskConventionSignature, completion("signed", "", map[string]any{"signed_on": "2021-03-15"}), nil},
		{"signed without date", models.TaskConventionSignature, completion("signed", "", nil), map[string]string{"data": "is required"}},
		{"signed, French date", models.TaskConventionSignature, completion("signed", "", map[string]any{"signed_on": "15/03/2021"}),
			map[string]string{"data.signed_on": "must be a date as YYYY-MM-DD"}},
		{"paid", models.TaskDisbursement, completion("paid", "", models.Payment{PaidOn: "2021-03-15", Reference: "VIR-1"}), nil},
		{"paid, reference of 64 characters", models.TaskDisbursement, completion("paid", "", models.Payment{PaidOn: "2021-03-15", Reference: long(64)}), nil},
		{"paid, reference of 65 characters", models.TaskDisbursement, completion("paid", "", models.Payment{PaidOn: "2021-03-15", Reference: long(65)}),
			map[string]string{"data.reference": "must be at most 64 characters"}},
		{"paid, everything wrong", models.TaskDisbursement, completion("paid", long(2001), models.Payment{PaidOn: "soon", Reference: "x"}),
			map[string]string{"comment": "must be at most 2000 characters", "data.paid_on": "must be a date as YYYY-MM-DD",
				"data.reference": "must be at least 3 characters"}},
		{"paid with the wrong outcome", models.TaskDisbursement, completion("signed", "", nil),
			map[string]string{"outcome": `must be "paid" for a task of type disbursement`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload, err := tt.c.Payload(tt.task)
			requireFields(t, err, tt.want)
			if tt.want == nil {
				require.NotNil(t, payload)
			}
		})
	}
}

func TestCompletionPayloadTypes(t *testing.T) {
	p, err := completion("grant", "solide", map[string]any{"amount_cents": 42}).Payload(models.TaskJuryDecision)
	require.NoError(t, err)
	grant, ok := p.(*models.GrantCompletion)
	require.True(t, ok, "%T", p)
	require.Equal(t, models.Cents(42), grant.Data.AmountCents)
	requireFields(t, grant.Data.Check(41), map[string]string{"data.amount_cents": "must be at most the 41 cents requested"})
	require.NoError(t, grant.Data.Check(42))
}

func TestRequestRules(t *testing.T) {
	cents := func(c models.Cents) *models.Cents { return &c }
	tests := []struct {
		name string
		v    any
		want map[string]string
	}{
		{"withdrawal", models.Withdrawal{Reason: "abandon du projet"}, nil},
		{"withdrawal, 5 accented characters", models.Withdrawal{Reason: "ééééé"}, nil},
		{"withdrawal, 4 characters", models.Withdrawal{Reason: "éééé"}, map[string]string{"reason": "must be at least 5 characters"}},
		{"withdrawal, blank", models.Withdrawal{Reason: "       "}, map[string]string{"reason": "must not be blank"}},
		{"withdrawal, too long", models.Withdrawal{Reason: strings.Repeat("a", 2001)}, map[string]string{"reason": "must be at most 2000 characters"}},
		{"answer", models.InformationAnswer{Answer: "Hébergement SecNumCloud."}, nil},
		{"answer of 10000 accented characters (20000 bytes)", models.InformationAnswer{Answer: strings.Repeat("é", 10_000)}, nil},
		{"answer of 10001 characters", models.InformationAnswer{Answer: strings.Repeat("é", 10_001)},
			map[string]string{"answer": "must be at most 10000 characters"}},
		{"answer of 2 characters", models.InformationAnswer{Answer: "ok"}, map[string]string{"answer": "must be at least 3 characters"}},
		{"answer blank", models.InformationAnswer{Answer: " \n "}, map[string]string{"answer": "must not be blank"}},
		{"merge into something that is no ID", models.MergeServiceRequest{IntoServiceID: "service-b"},
			map[string]string{"into_service_id": "must be an ID as relance gives them (a UUID)"}},
		{"amendment", models.ChecklistAmendment{Checklist: map[string]bool{}}, nil},
		{"amendment without checklist", models.ChecklistAmendment{}, map[string]string{"checklist": "is required"}},
		{"application, 2 errors at once", models.GuichetApplication{Kind: "sms", ProjectCostCents: 0, Checklist: map[string]bool{}},
			map[string]string{"kind": `must be "franceconnect" or "api"`, "project_cost_cents": "must be at least 1"}},
		{"application, map key path", models.AAPApplication{StrandFields: map[string]string{"procedures": strings.Repeat("é", 5001)}},
			map[string]string{"strand_fields.procedures": "must be at most 5000 characters"}},
		{"application, list index path", models.AAPApplication{PartnerSirens: []string{"217500016", "1"}},
			map[string]string{"partner_sirens[1]": "must be a SIREN (9 digits with a valid check digit)"}},
		{"allocation of nothing", models.AllocationRequest{AllocatedCents: cents(0)}, nil},
		{"allocation missing", models.AllocationRequest{}, map[string]string{"allocated_cents": "is required"}},
		{"allocation negative", models.AllocationRequest{AllocatedCents: cents(-1)}, map[string]string{"allocated_cents": models.CentsRange}},
		{"allocation of the largest int64", models.AllocationRequest{AllocatedCents: cents(9223372036854775807)},
			map[string]string{"allocated_cents": models.CentsRange}},
		{"delegation of nothing", models.DelegationRequest{AmountCents: cents(0)}, nil},
		{"delegation missing", models.DelegationRequest{}, map[string]string{"amount_cents": "is required"}},
		{"delegation negative", models.DelegationRequest{AmountCents: cents(-1)}, map[string]string{"amount_cents": models.CentsRange}},
		{"session", models.OpenSessionRequest{EnvelopeCode: "axe3.territorial.53.35"}, nil},
		{"session without envelope", models.OpenSessionRequest{}, map[string]string{"envelope_code": "is required"}},
		{"session, envelope too long", models.OpenSessionRequest{EnvelopeCode: strings.Repeat("a", 101)},
			map[string]string{"envelope_code": "must be at most 100 characters"}},
		{"move", models.MoveProposalRequest{DossierID: "0190f3b4-0000-7000-8000-000000000001"}, nil},
		{"move without a dossier", models.MoveProposalRequest{}, map[string]string{"dossier_id": "is required"}},
		{"move, dossier not a UUID", models.MoveProposalRequest{DossierID: "p1"}, map[string]string{"dossier_id": "must be an ID as relance gives them (a UUID)"}},
		{"merge", models.MergeServiceRequest{IntoServiceID: "0190f3b4-0000-7000-8000-000000000001"}, nil},
		{"merge without a service", models.MergeServiceRequest{}, map[string]string{"into_service_id": "is required"}},
		{"referent", models.ReferentRequest{Siren: "217500016"}, nil},
		{"referent, bad SIREN", models.ReferentRequest{Siren: "123"}, map[string]string{"siren": "must be a SIREN (9 digits with a valid check digit)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireFields(t, models.Validate(tt.v), tt.want)
		})
	}
}

func TestJSONPath(t *testing.T) {
	for in, want := range map[string]string{
		"title":                       "title",
		"AAPApplication.title":        "title",
		"strand_fields[procedures]":   "strand_fields.procedures",
		"partner_sirens[12]":          "partner_sirens[12]",
		"jury[0].subject":             "jury[0].subject",
		"data.amount_cents":           "data.amount_cents",
		"AAPApplication.checklist[x]": "checklist.x",
	} {
		require.Equal(t, want, models.JSONPath(in), in)
	}
}

// TestEveryTaskTypeHasOutcomes: a task nobody could complete would block its dossier.
func TestEveryTaskTypeHasOutcomes(t *testing.T) {
	for _, typ := range models.TaskTypes {
		_, err := models.Completion{Outcome: "?"}.Payload(typ)
		var e *models.Error
		require.ErrorAs(t, err, &e, typ)
		require.Contains(t, e.Fields["outcome"], `"`, "task type %s lists its outcomes", typ)
	}
}

// TestCheckCodes checks the codes given outside a request's body by the field rules of the
// same name, with their messages.
func TestCheckCodes(t *testing.T) {
	requireFields(t, models.CheckDepartement("departement", "2A"), nil)
	requireFields(t, models.CheckDepartement("dep", "999"), map[string]string{"dep": "must be a département code such as 01, 2A or 974"})
	requireFields(t, models.CheckRegion("region", "53"), nil)
	requireFields(t, models.CheckRegion("region", "5"), map[string]string{"region": "must be a région's INSEE code (two digits, such as 53)"})
	requireFields(t, models.CheckSiren("siren", "217500016"), nil)
	requireFields(t, models.CheckSiren("siren", "217500017"), map[string]string{"siren": "must be a SIREN (9 digits with a valid check digit)"})
}

// TestFilterErrors checks the lists' filters: empty filters all, each rule names its field.
func TestFilterErrors(t *testing.T) {
	require.Empty(t, models.DossierFilterErrors("", "", "", ""))
	require.Empty(t, models.DossierFilterErrors("coconstruction", "paid", "2A", "217500016"))
	require.Equal(t, map[string]string{
		"kind":        `must be "guichet", "aap", "prefectoral", "coconstruction" or "service"`,
		"status":      "is not a dossier status",
		"departement": "must be a département code such as 01, 2A or 974",
		"applicant":   "must be a SIREN (9 digits with a valid check digit)",
	}, models.DossierFilterErrors("axe9", "lost", "999", "12"))

	require.Empty(t, models.TaskFilterErrors("", "", "", "", ""))
	require.Empty(t, models.TaskFilterErrors("committee_opinions", "aap", "jury", "35", "me"))
	require.Equal(t, map[string]string{"type": "is not a task type", "assigned": `must be "me" or "unassigned"`,
		"departement": "must be a département code such as 01, 2A or 974"}, models.TaskFilterErrors("committee", "", "", "1", "them"))

	require.Empty(t, models.CollectiviteFilterErrors("", "", ""))
	require.Empty(t, models.CollectiviteFilterErrors("epci", "974", strings.Repeat("é", 100)))
	require.Equal(t, map[string]string{"type": `must be "commune", "epci", "departement", "region" or "structure"`,
		"departement": "must be a département code such as 01, 2A or 974", "q": "must be at most 100 characters"},
		models.CollectiviteFilterErrors("ville", "0", strings.Repeat("é", 101)))

	require.Empty(t, models.StuckFilterErrors(""))
	require.Empty(t, models.StuckFilterErrors(models.TroubleRetrying))
	require.Equal(t, map[string]string{"trouble": `must be "overdue_task", "retrying", "status_mismatch" or "no_workflow"`},
		models.StuckFilterErrors("stalled"))
}
