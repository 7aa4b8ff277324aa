package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/go-playground/validator/v10"
	"github.com/go-playground/validator/v10/non-standard/validators"
)

// fieldRules is the one validator of request fields: the API's (as Echo's Validator) and
// the workflows' Update validators. Strings are measured in characters (runes), never bytes.
var fieldRules = newFieldRules()

func newFieldRules() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Errors name fields by their JSON path, as the client wrote them.
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	must := func(err error) {
		if err != nil {
			panic(err) // a rule registered twice or misnamed: a programming error, found at start
		}
	}
	must(v.RegisterValidation("notblank", validators.NotBlank))
	must(v.RegisterValidation("siren", func(fl validator.FieldLevel) bool { return ValidSiren(fl.Field().String()) }))
	must(v.RegisterValidation("cents", func(fl validator.FieldLevel) bool { return ValidCents(Cents(fl.Field().Int())) }))
	must(v.RegisterValidation("departement", func(fl validator.FieldLevel) bool { return ValidDepartement(fl.Field().String()) }))
	must(v.RegisterValidation("role", func(fl validator.FieldLevel) bool { return Role(fl.Field().String()).Valid() }))
	must(v.RegisterValidation("departement_scope", func(fl validator.FieldLevel) bool {
		d := fl.Field().String()
		return d == AllDepartements || ValidDepartement(d)
	}))
	must(v.RegisterValidation("region", func(fl validator.FieldLevel) bool { return ValidRegion(fl.Field().String()) }))
	must(v.RegisterValidation("strand", func(fl validator.FieldLevel) bool {
		return slices.Contains(Strands, Strand(fl.Field().String()))
	}))
	must(v.RegisterValidation("legal_form", func(fl validator.FieldLevel) bool {
		_, ok := LegalFormOf(fl.Field().String())
		return ok
	}))
	for tag, codes := range territoryCodes {
		must(v.RegisterValidation(tag, func(fl validator.FieldLevel) bool {
			list, _ := fl.Field().Interface().([]string)
			return len(codes.malformed(list)) == 0
		}))
	}
	// An applicant's answer to a request for information, whichever way it comes.
	v.RegisterAlias("answer", "notblank,min=3,max=10000")
	return v
}

// Validate checks v's field rules, declared as `validate` tags on its type, and names each
// field at fault by its JSON path ("data.amount_cents", "checklist.x", "partner_sirens[0]").
// Rules that tie fields to each other or to a dossier's state are the types' own functions.
func Validate(v any) error {
	err := fieldRules.Struct(v)
	var invalid validator.ValidationErrors
	if err == nil || !errors.As(err, &invalid) {
		return err
	}
	fields := make(map[string]string, len(invalid))
	for _, fe := range invalid {
		_, path, _ := strings.Cut(fe.Namespace(), ".") // without the validated type's name
		path = JSONPath(path)
		if _, seen := fields[path]; !seen {
			fields[path] = fieldMessage(fe)
		}
	}
	return FieldErrors(fields)
}

// CheckDepartement, CheckRegion and CheckSiren check a code given outside a request's body
// (a path or query parameter, a page's field) by the field rule of the same name, with its
// message, naming it field.
func CheckDepartement(field, code string) error { return checkValue(field, code, "departement") }
func CheckRegion(field, code string) error      { return checkValue(field, code, "region") }
func CheckSiren(field, siren string) error      { return checkValue(field, siren, "siren") }

func checkValue(field string, value any, rule string) error {
	if msg := ruleMessage(value, rule); msg != "" {
		return FieldErrors(map[string]string{field: msg})
	}
	return nil
}

// ruleMessage is what value misses of a field rule (validator tags), empty when it keeps it.
func ruleMessage(value any, rule string) string {
	var invalid validator.ValidationErrors
	if err := fieldRules.Var(value, rule); errors.As(err, &invalid) {
		return fieldMessage(invalid[0])
	}
	return ""
}

// addRuleMessage adds to fields what value misses of a field rule, under field.
func addRuleMessage(fields map[string]string, field string, value any, rule string) {
	if msg := ruleMessage(value, rule); msg != "" {
		fields[field] = msg
	}
}

var indexOrKey = regexp.MustCompile(`\[([^\]]*)\]`)

// JSONPath turns the path to a field that the JSON decoder or the validator gives into
// the request's JSON path: without the Go names of embedded structs ("AAPApplication.title"
// → "title": JSON names are lower case, Go type names are not), map keys after a dot
// ("strand_fields[x]" → "strand_fields.x"), list indexes in brackets.
func JSONPath(path string) string {
	path = indexOrKey.ReplaceAllStringFunc(path, func(m string) string {
		key := m[1 : len(m)-1]
		if key != "" && strings.Trim(key, "0123456789") == "" {
			return m
		}
		return "." + key
	})
	parts := strings.Split(path, ".")
	for len(parts) > 1 && parts[0] != "" && unicode.IsUpper(rune(parts[0][0])) {
		parts = parts[1:]
	}
	return strings.Join(parts, ".")
}

// JSONTypeError names the field that holds a JSON value of the wrong type, and the type it
// must have: a basic type by its kind, so that a defined type such as Cents reads as the
// JSON number it is ("must be int64"), other types by their Go name.
func JSONTypeError(err *json.UnmarshalTypeError) (field, mustBe string) {
	if k := err.Type.Kind(); k <= reflect.Complex128 || k == reflect.String {
		return JSONPath(err.Field), "must be " + k.String()
	}
	return JSONPath(err.Field), "must be " + err.Type.String()
}

// fieldMessage says what a failed rule asks for, in the API's words.
func fieldMessage(fe validator.FieldError) string {
	param := fe.Param()
	switch fe.ActualTag() {
	case "required":
		return "is required"
	case "notblank":
		return "must not be blank"
	case "min", "gte":
		return "must be at least " + param + unit(fe.Kind(), param)
	case "max", "lte":
		return "must be at most " + param + unit(fe.Kind(), param)
	case "len":
		return "must be exactly " + param + unit(fe.Kind(), param)
	case "oneof":
		return "must be " + quotedChoice(strings.Fields(param))
	case "siren":
		return "must be a SIREN (9 digits with a valid check digit)"
	case "cents":
		return CentsRange
	case "departement":
		return "must be a département code such as 01, 2A or 974"
	case "role":
		return fmt.Sprintf("%q is not a role; roles: %s", fe.Value(), strings.Join(roleNames(), ", "))
	case "departement_scope":
		return "must be a département code such as 01, 2A or 974, or " + AllDepartements + " for all"
	case "region":
		return "must be a région's INSEE code (two digits, such as 53)"
	case "strand":
		return "must be " + quotedChoice(Strands)
	case "datetime":
		if param == "2006-01-02" {
			return "must be a date as YYYY-MM-DD"
		}
		return "must be a time as " + param
	case "legal_form":
		return fmt.Sprintf("%q is not an accepted INSEE legal form; accepted: %s (communes and EPCI come from the Etalab registry)",
			fe.Value(), acceptedLegalForms())
	case "commune_codes", "siren_codes", "departement_codes", "region_codes":
		codes := territoryCodes[fe.ActualTag()]
		list, _ := fe.Value().([]string)
		return fmt.Sprintf("must be %s, not %s", codes.what, strings.Join(codes.malformed(list), ", "))
	case "unique":
		return "must not name the same value twice"
	case "uuid":
		return "must be an ID as relance gives them (a UUID)"
	}
	return "does not satisfy the rule " + fe.ActualTag()
}

// codeList is a rule for every code of a list, and what it asks for.
type codeList struct {
	valid func(string) bool
	what  string
}

// malformed quotes the codes of list that break the rule.
func (c codeList) malformed(list []string) []string {
	var bad []string
	for _, code := range list {
		if !c.valid(code) {
			bad = append(bad, fmt.Sprintf("%q", code))
		}
	}
	return bad
}

// territoryCodes are the rules of a territory's lists, by their tag.
var territoryCodes = map[string]codeList{
	"commune_codes":     {func(s string) bool { return communeCode.MatchString(s) }, "commune INSEE codes such as 35238 or 2A004"},
	"siren_codes":       {ValidSiren, "EPCI SIRENs (9 digits with a valid check digit)"},
	"departement_codes": {ValidDepartement, "département codes such as 01, 2A or 974"},
	"region_codes":      {ValidRegion, "région codes such as 53"},
}

// unit names what a length bound counts: characters of a string, items of a list.
func unit(k reflect.Kind, n string) string {
	plural := "s"
	if n == "1" {
		plural = ""
	}
	switch k {
	case reflect.String:
		return " character" + plural
	case reflect.Slice, reflect.Array, reflect.Map:
		return " item" + plural
	}
	return ""
}

// quotedChoice renders choices as `"a", "b" or "c"`.
func quotedChoice[S ~string](choices []S) string {
	quoted := make([]string, len(choices))
	for i, c := range choices {
		quoted[i] = fmt.Sprintf("%q", c)
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

// joinFieldErrors merges an invalid-input error from the field rules with the fields a
// type's own rules found at fault: one message a field, the field rule's first. An error
// of another kind is returned as it is.
func joinFieldErrors(err error, fields map[string]string) error {
	var e *Error
	if err != nil && (!errors.As(err, &e) || e.Code != EInvalid) {
		return err
	}
	if e != nil {
		for f, msg := range e.Fields {
			fields[f] = msg
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return FieldErrors(fields)
}
