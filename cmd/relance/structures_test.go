package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/registry"
)

// runImportStructures runs `relance import-structures file` on a SQLite database under dir.
func runImportStructures(t *testing.T, dir, file string) (string, error) {
	t.Helper()
	t.Setenv("RELANCE_DATA_DIR", dir)
	t.Setenv("DATABASE_URL", "")
	t.Setenv("JWT_SECRET", strings.Repeat("s", 32))
	cmd := importStructuresCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs([]string{file})
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestImportStructuresCommand(t *testing.T) {
	dir := t.TempDir()
	fixture := filepath.Join(dir, "structures.csv")
	require.NoError(t, os.WriteFile(fixture, registry.StructuresFixture, 0o600))

	out, err := runImportStructures(t, dir, fixture)
	require.NoError(t, err, out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 12, out)
	require.Equal(t, "[1/12] line 7: 221300015 Bouches-du-Rhône (departement, Département): 119 communes, 2087658 inhabitants, whole département(s) 13", lines[0])
	require.Contains(t, out, "[9/12] line 15: 253514491 Syndicat mixte Mégalis Bretagne (structure, Syndicat mixte ouvert): ")
	require.Contains(t, out, "whole département(s) 22, 29, 35, 56\n")
	require.Contains(t, out, "[12/12] line 18: 200079994 PETR du Pays de Fougères (structure, Pôle d'équilibre territorial et rural (PETR)): 43 communes, 78104 inhabitants, no whole département")

	again, err := runImportStructures(t, dir, fixture)
	require.NoError(t, err)
	require.Equal(t, out, again, "importing again gives the same entries")

	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("siren,name,legal_form,communes\n130029994,GIP,7410,13022\n130029995,GIP bis,7410,13022\n"), 0o600))
	_, err = runImportStructures(t, dir, bad)
	require.ErrorContains(t, err, "line 3, column siren: must be a SIREN (9 digits with a valid check digit)")

	_, err = runImportStructures(t, dir, filepath.Join(dir, "missing.csv"))
	require.ErrorContains(t, err, "missing.csv")
}
