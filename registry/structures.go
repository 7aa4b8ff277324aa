package registry

import (
	"bufio"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/relance/relance/models"
)

// StructuresFixture is a small file of structures for tests and the demo: départements
// and régions with their real SIRENs, a syndicat mixte, the Collectivité de Corse, and a
// GIP and a PETR with illustrative SIRENs over real territories. The real file comes from
// the administrator.
//
//go:embed data/structures-fixture.csv
var StructuresFixture []byte

// StructureColumns are the columns of a structures file, named in its header line in any
// order; siren, name and legal_form are required. Lists are separated by ";".
var StructureColumns = []string{"siren", "name", "legal_form", "communes", "epcis", "departements", "regions"}

// StructureLine is one entry of a structures file and the line it was read from.
type StructureLine struct {
	Line  int
	Entry models.StructureEntry
}

// LineError is what is wrong with one line of a structures file.
type LineError struct {
	Line int
	Err  error
}

// Error names the line and, for invalid fields, each column at fault.
func (e *LineError) Error() string {
	var me *models.Error
	if errors.As(e.Err, &me) && len(me.Fields) > 0 {
		msgs := make([]string, 0, len(me.Fields))
		for _, col := range slices.Sorted(maps.Keys(me.Fields)) {
			msgs = append(msgs, fmt.Sprintf("line %d, column %s: %s", e.Line, col, me.Fields[col]))
		}
		return strings.Join(msgs, "\n")
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// ReadStructures parses a structures file: CSV with a header line, UTF-8 (a leading BOM is
// skipped), lines starting with # ignored. It checks the file's shape, not the entries.
func ReadStructures(r io.Reader) ([]StructureLine, error) {
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(3); string(bom) == "\uFEFF" {
		_, _ = br.Discard(3) // spreadsheets write one
	}
	cr := csv.NewReader(br)
	cr.Comment = '#'
	cr.FieldsPerRecord = 0 // every line has the header's number of fields
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("the file is empty: its first line must name the columns " + strings.Join(StructureColumns, ","))
	}
	if err != nil {
		return nil, csvError(err)
	}
	col := map[string]int{}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(name))
		if !slices.Contains(StructureColumns, name) {
			line, _ := cr.FieldPos(i)
			return nil, fmt.Errorf("line %d: unknown column %q; the columns are %s", line, name, strings.Join(StructureColumns, ", "))
		}
		if _, dup := col[name]; dup {
			line, _ := cr.FieldPos(i)
			return nil, fmt.Errorf("line %d: column %q appears twice", line, name)
		}
		col[name] = i
	}
	for _, required := range StructureColumns[:3] {
		if _, ok := col[required]; !ok {
			return nil, fmt.Errorf("the header line lacks the column %q; the columns are %s", required, strings.Join(StructureColumns, ", "))
		}
	}

	var out []StructureLine
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		field := func(name string) string {
			if i, ok := col[name]; ok {
				return rec[i]
			}
			return ""
		}
		list := func(name string) []string {
			if v := strings.TrimSpace(field(name)); v != "" {
				return strings.Split(v, ";")
			}
			return nil
		}
		out = append(out, StructureLine{Line: line, Entry: models.StructureEntry{
			Siren: field("siren"), Name: field("name"), LegalForm: field("legal_form"),
			Territory: models.Territory{Communes: list("communes"), EPCIs: list("epcis"),
				Departements: list("departements"), Regions: list("regions")},
		}})
	}
}

// csvError restates a CSV syntax error with its line first.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d, character %d: %v", pe.Line, pe.Column, pe.Err)
	}
	return err
}
