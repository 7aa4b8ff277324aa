package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/relance/relance/models"
	"github.com/relance/relance/registry"
	"github.com/relance/relance/store"
)

// structuresImporter is who the audit trail says saved the entries of a structures file.
const structuresImporter = "relance import-structures"

// maxReportedLines bounds the invalid lines one import reports.
const maxReportedLines = 20

// StructureSaved is one line of a structures file, saved.
type StructureSaved struct {
	Line     int
	Done     int
	Total    int
	Entry    models.Collectivite
	Coverage models.Coverage
}

// ImportStructures reads a structures file (see registry.StructureColumns) and saves each
// entry, upserting by SIREN, so running it again changes nothing. Every line is checked
// before anything is written: a file with invalid lines is refused whole, each error
// naming its line and column. A code the registry does not hold stops the import at its
// line; the lines before it are saved, and running the corrected file again completes it.
// progress, when set, hears of each saved line.
func ImportStructures(ctx context.Context, st *store.Store, r io.Reader, progress func(StructureSaved)) error {
	lines, err := registry.ReadStructures(r)
	if err != nil {
		return err
	}
	var errs []error
	firstLine := map[string]int{}
	for i := range lines {
		l := &lines[i]
		l.Entry.Normalize()
		err := l.Entry.Validate()
		if prev, dup := firstLine[l.Entry.Siren]; dup && err == nil {
			err = models.FieldErrors(map[string]string{"siren": fmt.Sprintf("SIREN %s is already on line %d", l.Entry.Siren, prev)})
		}
		if _, seen := firstLine[l.Entry.Siren]; !seen {
			firstLine[l.Entry.Siren] = l.Line
		}
		if err != nil {
			errs = append(errs, &registry.LineError{Line: l.Line, Err: err})
		}
		if len(errs) == maxReportedLines {
			errs = append(errs, errors.New("further lines not checked"))
			break
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("nothing imported:\n%w", errors.Join(errs...))
	}
	for i, l := range lines {
		entry, cov, err := st.SaveStructure(ctx, l.Entry, structuresImporter)
		if err != nil {
			return fmt.Errorf("stopped at line %d, %d of %d entries imported:\n%w", l.Line, i, len(lines), &registry.LineError{Line: l.Line, Err: err})
		}
		if progress != nil {
			progress(StructureSaved{Line: l.Line, Done: i + 1, Total: len(lines), Entry: entry, Coverage: cov})
		}
	}
	return nil
}

// ImportStructuresFixture loads registry.StructuresFixture, for the demo's first start.
func ImportStructuresFixture(ctx context.Context, st *store.Store) error {
	has, err := st.HasStructures(ctx)
	if err != nil || has {
		return err
	}
	return ImportStructures(ctx, st, bytes.NewReader(registry.StructuresFixture), nil)
}
