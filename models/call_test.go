package models_test

import (
	"errors"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

const (
	callSirenParis     = "217500016"
	callSirenRennes    = "213502388"
	callSirenMarseille = "211300553"
	callSirenInvalid   = "217500017"
)

// requireCallFields checks that err is an EInvalid *models.Error naming exactly fields
// (nil fields: err must be nil).
func requireCallFields(t *testing.T, err error, fields []string) {
	t.Helper()
	if fields == nil {
		require.NoError(t, err)
		return
	}
	require.Error(t, err)
	var e *models.Error
	require.True(t, errors.As(err, &e), "want *models.Error, got %T", err)
	require.Equal(t, models.EInvalid, e.Code)
	for f, msg := range e.Fields {
		require.NotEmpty(t, msg, "field %s", f)
	}
	require.ElementsMatch(t, fields, slices.Collect(maps.Keys(e.Fields)))
}

var (
	callOpens  = time.Date(2021, 3, 1, 9, 0, 0, 0, time.UTC)
	callCloses = time.Date(2021, 5, 31, 23, 59, 0, 0, time.UTC)
)

func validCall() models.Call {
	return models.Call{
		ID:           "call-dem-1",
		Strand:       models.StrandDematerialisation,
		Round:        1,
		Title:        "Dématérialisation de qualité, 1re relève",
		OpensAt:      callOpens,
		ClosesAt:     callCloses,
		EnvelopeCode: "axe2-dematerialisation",
		Jury: []models.JuryMember{
			{Subject: "prefet", Name: "Préfet", State: true},
			{Subject: "expert-1", Name: "Experte 1"},
			{Subject: "expert-2", Name: "Expert 2"},
		},
		Chair:  "prefet",
		Quorum: 2,
	}
}

func TestCallValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(c *models.Call)
		fields []string // nil means valid
	}{
		{"valid", func(*models.Call) {}, nil},
		{"valid donnees round 3", func(c *models.Call) { c.Strand, c.Round = models.StrandDonnees, 3 }, nil},
		{"valid cooperation round 2", func(c *models.Call) { c.Strand, c.Round = models.StrandCooperation, 2 }, nil},
		{"valid quorum of every member", func(c *models.Call) { c.Quorum = 3 }, nil},
		{"valid quorum of one", func(c *models.Call) { c.Quorum = 1 }, nil},
		{"valid single-member jury", func(c *models.Call) { c.Jury, c.Quorum = c.Jury[:1], 1 }, nil},
		{"valid 3-character title", func(c *models.Call) { c.Title = "été" }, nil},
		{"valid 200-character title", func(c *models.Call) { c.Title = strings.Repeat("é", 200) }, nil},
		{"unknown strand", func(c *models.Call) { c.Strand = "paper" }, []string{"strand"}},
		{"empty strand", func(c *models.Call) { c.Strand = "" }, []string{"strand"}},
		{"round 0", func(c *models.Call) { c.Round = 0 }, []string{"round"}},
		{"round 4", func(c *models.Call) { c.Round = 4 }, []string{"round"}},
		{"negative round", func(c *models.Call) { c.Round = -1 }, []string{"round"}},
		{"title too short", func(c *models.Call) { c.Title = "ab" }, []string{"title"}},
		{"title blank", func(c *models.Call) { c.Title = "     " }, []string{"title"}},
		{"title of 2 accented characters (4 bytes)", func(c *models.Call) { c.Title = "éé" }, []string{"title"}},
		{"title empty", func(c *models.Call) { c.Title = "" }, []string{"title"}},
		{"title too long", func(c *models.Call) { c.Title = strings.Repeat("é", 201) }, []string{"title"}},
		{"opens_at missing", func(c *models.Call) { c.OpensAt = time.Time{} }, []string{"opens_at"}},
		{"closes_at missing", func(c *models.Call) { c.ClosesAt = time.Time{} }, []string{"closes_at"}},
		{"both dates missing", func(c *models.Call) { c.OpensAt, c.ClosesAt = time.Time{}, time.Time{} }, []string{"opens_at", "closes_at"}},
		{"closes_at equal to opens_at", func(c *models.Call) { c.ClosesAt = c.OpensAt }, []string{"closes_at"}},
		{"closes_at before opens_at", func(c *models.Call) { c.ClosesAt = c.OpensAt.Add(-time.Second) }, []string{"closes_at"}},
		{"envelope_code missing", func(c *models.Call) { c.EnvelopeCode = "" }, []string{"envelope_code"}},
		{"jury empty", func(c *models.Call) { c.Jury = nil }, []string{"jury", "quorum"}},
		{"jury empty, quorum 0", func(c *models.Call) { c.Jury, c.Quorum = []models.JuryMember{}, 0 }, []string{"jury", "quorum"}},
		{"duplicate member", func(c *models.Call) { c.Jury[1].Subject = "prefet" }, []string{"jury[1].subject"}},
		{"duplicate member later", func(c *models.Call) { c.Jury[2].Subject = "expert-1" }, []string{"jury[2].subject"}},
		{"empty subject", func(c *models.Call) { c.Jury[2].Subject = "" }, []string{"jury[2].subject"}},
		{"blank subject", func(c *models.Call) { c.Jury[1].Subject = "   " }, []string{"jury[1].subject"}},
		{"chair not a member", func(c *models.Call) { c.Chair = "ministre" }, []string{"chair"}},
		{"chair missing", func(c *models.Call) { c.Chair = "" }, []string{"chair"}},
		{"chair not of the State", func(c *models.Call) { c.Chair = "expert-1" }, []string{"chair"}},
		{"no State member at all", func(c *models.Call) { c.Jury[0].State = false }, []string{"chair"}},
		{"valid State chair among State members", func(c *models.Call) { c.Jury[1].State, c.Jury[2].State = true, true }, nil},
		{"valid State chair not listed first", func(c *models.Call) { c.Jury[0].State, c.Jury[2].State, c.Chair = false, true, "expert-2" }, nil},
		{"quorum 0", func(c *models.Call) { c.Quorum = 0 }, []string{"quorum"}},
		{"quorum negative", func(c *models.Call) { c.Quorum = -1 }, []string{"quorum"}},
		{"quorum above the members", func(c *models.Call) { c.Quorum = 4 }, []string{"quorum"}},
		{"everything wrong", func(c *models.Call) {
			*c = models.Call{Round: 9, Title: "x", Quorum: 1}
		}, []string{"strand", "round", "title", "opens_at", "closes_at", "envelope_code", "jury", "chair", "quorum"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCall()
			tt.edit(&c)
			requireCallFields(t, c.Validate(), tt.fields)
		})
	}
}

func TestCallValidateMessages(t *testing.T) {
	c := validCall()
	c.Jury[1].Subject = "prefet"
	var e *models.Error
	require.ErrorAs(t, c.Validate(), &e)
	require.Equal(t, "appears twice", e.Fields["jury[1].subject"])
	require.Equal(t, "jury[1].subject: appears twice", e.Message)

	c = validCall()
	c.ClosesAt = c.OpensAt
	require.ErrorAs(t, c.Validate(), &e)
	require.Equal(t, "must be after opens_at", e.Fields["closes_at"])

	c = validCall()
	c.Quorum = 4
	require.ErrorAs(t, c.Validate(), &e)
	require.Contains(t, e.Fields["quorum"], "(3)")

	c = validCall()
	c.Chair = "expert-1"
	require.ErrorAs(t, c.Validate(), &e)
	require.Equal(t, `chair: must be a State representative: the jury is chaired by the State, and expert-1 is not marked "state": true`, e.Message)
}

func TestCallIsMember(t *testing.T) {
	c := validCall()
	for _, s := range []string{"prefet", "expert-1", "expert-2"} {
		require.True(t, c.IsMember(s), s)
	}
	for _, s := range []string{"", "ministre", "Prefet", "prefet ", "expert"} {
		require.False(t, c.IsMember(s), "%q", s)
	}
	require.False(t, models.Call{}.IsMember(""))
}

func TestCallAcceptsApplications(t *testing.T) {
	c := validCall()
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{"long before opening", callOpens.AddDate(0, -1, 0), false},
		{"just before opening", callOpens.Add(-time.Nanosecond), false},
		{"at opening", callOpens, true},
		{"during", callOpens.Add(24 * time.Hour), true},
		{"just before closing", callCloses.Add(-time.Nanosecond), true},
		{"at the closing instant", callCloses, false},
		{"after closing", callCloses.Add(time.Second), false},
		{"at closing, in another zone", callCloses.In(time.FixedZone("CEST", 2*3600)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, c.AcceptsApplications(tt.now))
		})
	}
}

func TestCallJuryScope(t *testing.T) {
	require.Equal(t, "jury:call-dem-1", validCall().JuryScope().String())
	require.Equal(t, models.JuryScope("abc"), models.Call{ID: "abc"}.JuryScope())
	require.NotEqual(t, models.Call{ID: "a"}.JuryScope(), models.Call{ID: "b"}.JuryScope())
}

func TestStrandFields(t *testing.T) {
	require.Equal(t, []models.Strand{models.StrandDematerialisation, models.StrandDonnees, models.StrandCooperation}, models.Strands)
	seen := map[string]models.Strand{}
	for _, s := range models.Strands {
		keys := models.StrandFields(s)
		require.Len(t, keys, 2, s)
		for _, k := range keys {
			require.NotEmpty(t, k)
			other, dup := seen[k]
			require.False(t, dup, "field %s of %s is also a field of %s", k, s, other)
			seen[k] = s
		}
	}
	require.Equal(t, []string{"procedures", "accessibility"}, models.StrandFields(models.StrandDematerialisation))
	require.Equal(t, []string{"datasets", "data_governance"}, models.StrandFields(models.StrandDonnees))
	require.Equal(t, []string{"ecosystem_partners", "citizen_role"}, models.StrandFields(models.StrandCooperation))
	require.Empty(t, models.StrandFields("paper"))
}

// completeStrandFields fills every field strand requires.
func completeStrandFields(s models.Strand) map[string]string {
	m := map[string]string{}
	for _, k := range models.StrandFields(s) {
		m[k] = "Une description de " + k
	}
	return m
}

func validAAP(s models.Strand) models.AAPApplication {
	return models.AAPApplication{
		Title:             "Portail citoyen accessible",
		Summary:           "Un portail unique pour les démarches de la ville, accessible RGAA.",
		StrandFields:      completeStrandFields(s),
		EligibleCostCents: models.Euros(400_000),
		RequestedCents:    models.Euros(200_000),
		PartnerSirens:     []string{callSirenRennes, callSirenMarseille},
	}
}

func TestAAPApplicationValidateComplete(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(a *models.AAPApplication, k []string) // k: the strand's own field keys
		fields []string
	}{
		{"valid", func(*models.AAPApplication, []string) {}, nil},
		{"valid without partners", func(a *models.AAPApplication, k []string) { a.PartnerSirens = nil }, nil},
		{"valid at exactly 50%", func(a *models.AAPApplication, k []string) { a.EligibleCostCents, a.RequestedCents = 1_000_001, 500_000 }, nil},
		{"valid at exactly 50%, even cost", func(a *models.AAPApplication, k []string) { a.EligibleCostCents, a.RequestedCents = 1_000_000, 500_000 }, nil},
		{"valid below 50%", func(a *models.AAPApplication, k []string) { a.RequestedCents = 1 }, nil},
		{"valid title of 3", func(a *models.AAPApplication, k []string) { a.Title = "été" }, nil},
		{"valid summary of 20", func(a *models.AAPApplication, k []string) { a.Summary = strings.Repeat("é", 20) }, nil},
		{"title empty", func(a *models.AAPApplication, k []string) { a.Title = "" }, []string{"title"}},
		{"title too short", func(a *models.AAPApplication, k []string) { a.Title = "ab" }, []string{"title"}},
		{"title blank", func(a *models.AAPApplication, k []string) { a.Title = "    " }, []string{"title"}},
		{"title too long", func(a *models.AAPApplication, k []string) { a.Title = strings.Repeat("a", 201) }, []string{"title"}},
		{"summary empty", func(a *models.AAPApplication, k []string) { a.Summary = "" }, []string{"summary"}},
		{"summary too short", func(a *models.AAPApplication, k []string) { a.Summary = strings.Repeat("é", 19) }, []string{"summary"}},
		{"summary too long", func(a *models.AAPApplication, k []string) { a.Summary = strings.Repeat("a", 5001) }, []string{"summary"}},
		{"strand fields missing", func(a *models.AAPApplication, k []string) { a.StrandFields = nil },
			[]string{"strand_fields.procedures", "strand_fields.accessibility"}},
		{"procedures missing", func(a *models.AAPApplication, k []string) { delete(a.StrandFields, k[0]) }, []string{"strand_fields.procedures"}},
		{"accessibility blank", func(a *models.AAPApplication, k []string) { a.StrandFields[k[1]] = "  \n" }, []string{"strand_fields.accessibility"}},
		{"strand field too long", func(a *models.AAPApplication, k []string) { a.StrandFields[k[0]] = strings.Repeat("é", 5001) }, []string{"strand_fields.procedures"}},
		// Fields of the other strands: TestAAPApplicationValidateEachStrandField.
		{"unknown field", func(a *models.AAPApplication, k []string) { a.StrandFields["budget"] = "x" }, []string{"strand_fields.budget"}},
		{"eligible cost zero", func(a *models.AAPApplication, k []string) { a.EligibleCostCents = 0 }, []string{"eligible_cost_cents", "requested_cents"}},
		// A cost out of range makes "50% of the cost" meaningless: only the cost is named.
		{"eligible cost negative", func(a *models.AAPApplication, k []string) { a.EligibleCostCents = -1 }, []string{"eligible_cost_cents"}},
		{"eligible cost of int64's max", func(a *models.AAPApplication, k []string) { a.EligibleCostCents = math.MaxInt64 }, []string{"eligible_cost_cents"}},
		{"eligible cost of int64's min", func(a *models.AAPApplication, k []string) { a.EligibleCostCents = math.MinInt64 }, []string{"eligible_cost_cents"}},
		{"requested of int64's max", func(a *models.AAPApplication, k []string) { a.RequestedCents = math.MaxInt64 }, []string{"requested_cents"}},
		{"eligible cost above 100 M€", func(a *models.AAPApplication, k []string) { a.EligibleCostCents = 10_000_000_001 }, []string{"eligible_cost_cents"}},
		{"requested zero", func(a *models.AAPApplication, k []string) { a.RequestedCents = 0 }, []string{"requested_cents"}},
		{"requested negative", func(a *models.AAPApplication, k []string) { a.RequestedCents = -100 }, []string{"requested_cents"}},
		{"requested one cent above 50%", func(a *models.AAPApplication, k []string) { a.EligibleCostCents, a.RequestedCents = 1_000_000, 500_001 }, []string{"requested_cents"}},
		{"requested one cent above 50%, odd cost", func(a *models.AAPApplication, k []string) { a.EligibleCostCents, a.RequestedCents = 1_000_001, 500_001 }, []string{"requested_cents"}},
		{"requested the whole cost", func(a *models.AAPApplication, k []string) { a.RequestedCents = a.EligibleCostCents }, []string{"requested_cents"}},
		{"partner invalid SIREN", func(a *models.AAPApplication, k []string) { a.PartnerSirens[1] = callSirenInvalid }, []string{"partner_sirens[1]"}},
		{"partner not a SIREN", func(a *models.AAPApplication, k []string) { a.PartnerSirens[0] = "21750001" }, []string{"partner_sirens[0]"}},
		{"partner empty", func(a *models.AAPApplication, k []string) { a.PartnerSirens[0] = "" }, []string{"partner_sirens[0]"}},
		{"partner is the applicant", func(a *models.AAPApplication, k []string) { a.PartnerSirens[1] = callSirenParis }, []string{"partner_sirens[1]"}},
		{"partner duplicate", func(a *models.AAPApplication, k []string) {
			a.PartnerSirens = []string{callSirenRennes, callSirenMarseille, callSirenRennes}
		}, []string{"partner_sirens[2]"}},
		{"too many partners", func(a *models.AAPApplication, k []string) {
			a.PartnerSirens = nil
			for i := range 201 {
				a.PartnerSirens = append(a.PartnerSirens, aapLuhnSiren(i))
			}
		}, []string{"partner_sirens"}},
	}
	for _, s := range models.Strands {
		for _, tt := range tests {
			t.Run(string(s)+"/"+tt.name, func(t *testing.T) {
				a := validAAP(s)
				tt.edit(&a, models.StrandFields(s))
				// The dematerialisation cases name its fields; translate them for the strand.
				want := aapTranslateFields(tt.fields, s)
				requireCallFields(t, a.Validate(s, callSirenParis, true), want)
			})
		}
	}
}

// aapTranslateFields maps the dematerialisation strand's field names in fields to strand s's.
func aapTranslateFields(fields []string, s models.Strand) []string {
	if fields == nil {
		return nil
	}
	dem, own := models.StrandFields(models.StrandDematerialisation), models.StrandFields(s)
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f
		for j, k := range dem {
			if f == "strand_fields."+k {
				out[i] = "strand_fields." + own[j]
			}
		}
	}
	return out
}

// aapLuhnSiren returns a valid SIREN derived from i.
func aapLuhnSiren(i int) string {
	base := []byte("21" + strings.Repeat("0", 6))
	for p, n := 7, i; n > 0; p, n = p-1, n/10 {
		base[p] = byte('0' + n%10)
	}
	for d := byte('0'); d <= '9'; d++ {
		if s := string(base) + string(d); models.ValidSiren(s) {
			return s
		}
	}
	panic("unreachable")
}

func TestAAPApplicationValidateEachStrandField(t *testing.T) {
	for _, s := range models.Strands {
		for _, key := range models.StrandFields(s) {
			a := validAAP(s)
			delete(a.StrandFields, key)
			requireCallFields(t, a.Validate(s, callSirenParis, true), []string{"strand_fields." + key})
			// A draft may leave it out.
			requireCallFields(t, a.Validate(s, callSirenParis, false), nil)
		}
		// Every field of every other strand is refused.
		for _, other := range models.Strands {
			if other == s {
				continue
			}
			for _, key := range models.StrandFields(other) {
				a := validAAP(s)
				a.StrandFields[key] = "hors sujet"
				requireCallFields(t, a.Validate(s, callSirenParis, true), []string{"strand_fields." + key})
				requireCallFields(t, a.Validate(s, callSirenParis, false), []string{"strand_fields." + key})
			}
		}
	}
}

func TestAAPApplicationValidateDraft(t *testing.T) {
	tests := []struct {
		name   string
		app    models.AAPApplication
		fields []string
	}{
		{"empty draft", models.AAPApplication{}, nil},
		{"title only", models.AAPApplication{Title: "Portail"}, nil},
		{"blank title and summary", models.AAPApplication{Title: "   ", Summary: "  "}, []string{"title", "summary"}},
		{"one strand field only", models.AAPApplication{StrandFields: map[string]string{"procedures": "x"}}, nil},
		{"requested without eligible cost", models.AAPApplication{RequestedCents: 900_000}, nil},
		{"eligible cost without request", models.AAPApplication{EligibleCostCents: 1_000_000}, nil},
		{"exactly 50%", models.AAPApplication{EligibleCostCents: 1_000_000, RequestedCents: 500_000}, nil},
		{"partners only", models.AAPApplication{PartnerSirens: []string{callSirenRennes}}, nil},
		{"title too short", models.AAPApplication{Title: "ab"}, []string{"title"}},
		{"title too long", models.AAPApplication{Title: strings.Repeat("a", 201)}, []string{"title"}},
		{"summary too short", models.AAPApplication{Summary: "trop court"}, []string{"summary"}},
		{"field of another strand", models.AAPApplication{StrandFields: map[string]string{"citizen_role": "x"}}, []string{"strand_fields.citizen_role"}},
		{"strand field too long", models.AAPApplication{StrandFields: map[string]string{"accessibility": strings.Repeat("a", 5001)}}, []string{"strand_fields.accessibility"}},
		{"eligible cost negative", models.AAPApplication{EligibleCostCents: -1}, []string{"eligible_cost_cents"}},
		{"requested negative", models.AAPApplication{RequestedCents: -1}, []string{"requested_cents"}},
		{"requested above the bound of amounts", models.AAPApplication{RequestedCents: models.MaxCents + 1}, []string{"requested_cents"}},
		{"requested of int64's max", models.AAPApplication{RequestedCents: math.MaxInt64}, []string{"requested_cents"}},
		{"eligible cost of int64's max", models.AAPApplication{EligibleCostCents: math.MaxInt64, RequestedCents: 1}, []string{"eligible_cost_cents"}},
		{"requested above 50%", models.AAPApplication{EligibleCostCents: 1_000_000, RequestedCents: 500_001}, []string{"requested_cents"}},
		{"invalid partner", models.AAPApplication{PartnerSirens: []string{callSirenInvalid}}, []string{"partner_sirens[0]"}},
		{"partner is the applicant", models.AAPApplication{PartnerSirens: []string{callSirenRennes, callSirenParis}}, []string{"partner_sirens[1]"}},
		{"duplicate partner", models.AAPApplication{PartnerSirens: []string{callSirenMarseille, callSirenMarseille}}, []string{"partner_sirens[1]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireCallFields(t, tt.app.Validate(models.StrandDematerialisation, callSirenParis, false), tt.fields)
		})
	}
}

func TestAAPApplicationValidateMessages(t *testing.T) {
	a := validAAP(models.StrandDonnees)
	a.EligibleCostCents, a.RequestedCents = models.Euros(1000), models.Euros(501)
	var e *models.Error
	require.ErrorAs(t, a.Validate(models.StrandDonnees, callSirenParis, true), &e)
	require.Equal(t, "must be at most 50% of the eligible cost (500,00 €)", e.Fields["requested_cents"])

	a = models.AAPApplication{RequestedCents: math.MaxInt64}
	require.ErrorAs(t, a.Validate(models.StrandDonnees, callSirenParis, false), &e)
	require.Equal(t, models.CentsRange, e.Fields["requested_cents"])

	a = validAAP(models.StrandDonnees)
	a.PartnerSirens = []string{callSirenParis}
	require.ErrorAs(t, a.Validate(models.StrandDonnees, callSirenParis, true), &e)
	require.Equal(t, "partner_sirens[0]: is the applicant itself", e.Message)

	a = validAAP(models.StrandDonnees)
	delete(a.StrandFields, "datasets")
	require.ErrorAs(t, a.Validate(models.StrandDonnees, callSirenParis, true), &e)
	require.Contains(t, e.Fields["strand_fields.datasets"], "donnees")
}

func TestCallSirenFixtures(t *testing.T) {
	for _, s := range []string{callSirenParis, callSirenRennes, callSirenMarseille} {
		require.True(t, models.ValidSiren(s), s)
	}
	require.False(t, models.ValidSiren(callSirenInvalid))
}
