package registry

import (
	"strings"
	"testing"

	"github.com/relance/relance/models"
)

func TestReadStructures(t *testing.T) {
	lines, err := ReadStructures(strings.NewReader("\uFEFF# a comment\nregions,SIREN,name,legal_form\n53,233500016,Région Bretagne,7230\n\n" +
		"\" 22;29 \",253514491,\"Mégalis, Bretagne\",7355\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || lines[0].Line != 3 || lines[1].Line != 5 {
		t.Fatalf("lines = %+v, want lines 3 and 5", lines)
	}
	if e := lines[0].Entry; e.Siren != "233500016" || e.LegalForm != "7230" || len(e.Regions) != 1 || e.Regions[0] != "53" {
		t.Errorf("line 3 = %+v", e)
	}
	if e := lines[1].Entry; e.Name != "Mégalis, Bretagne" || strings.Join(e.Regions, "|") != "22|29" {
		t.Errorf("line 5 = %+v", e)
	}

	for _, tt := range []struct{ file, want string }{
		{"", "the file is empty: its first line must name the columns siren,name,legal_form,communes,epcis,departements,regions"},
		{"siren,name\n", `the header line lacks the column "legal_form"; the columns are siren, name, legal_form, communes, epcis, departements, regions`},
		{"siren,name,legal_form,population\n", `line 1: unknown column "population"; the columns are siren, name, legal_form, communes, epcis, departements, regions`},
		{"siren,name,legal_form,siren\n", `line 1: column "siren" appears twice`},
		{"siren,name,legal_form\n221300015,BdR\n", "line 2, character 1: wrong number of fields"},
		{"siren,name,legal_form\n221300015,\"BdR\"x,7220\n", `line 2, character 15: extraneous or missing " in quoted-field`},
	} {
		_, err := ReadStructures(strings.NewReader(tt.file))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: error %v, want %q", tt.file, err, tt.want)
		}
	}
}

func TestLineError(t *testing.T) {
	err := &LineError{Line: 4, Err: models.FieldErrors(map[string]string{"siren": "bad", "communes": "unknown"})}
	if got, want := err.Error(), "line 4, column communes: unknown\nline 4, column siren: bad"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	err = &LineError{Line: 2, Err: models.Errorf(models.EConflict, "SIREN taken")}
	if got := err.Error(); got != "line 2: SIREN taken" {
		t.Errorf("got %q", got)
	}
}

func TestStructuresFixtureIsValid(t *testing.T) {
	lines, err := ReadStructures(strings.NewReader(string(StructuresFixture)))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		l.Entry.Normalize()
		if err := l.Entry.Validate(); err != nil {
			t.Errorf("%v", &LineError{Line: l.Line, Err: err})
		}
	}
}
