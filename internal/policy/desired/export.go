package desired

import (
	"context"
	"strings"

	"github.com/tipgate/tipgate/internal/policy"
)

// Export files, in the order they are applied when read back.
const (
	fileRoles       = "10-roles.sql"
	filePolicies    = "20-policies.sql"
	fileGrants      = "30-grants.sql"
	fileAttachments = "40-attachments.sql"
	fileTables      = "50-tables.sql"
)

var exportHeaders = map[string]string{
	fileRoles:       "-- Roles.",
	filePolicies:    "-- RLS and masking policies, and the lookup tables their predicates may read.",
	fileGrants:      "-- Role memberships, table and column privileges, IGNORE RLS / EXPLAIN privileges.",
	fileAttachments: "-- Which policies apply to whom on which table.",
	fileTables:      "-- Row level security switches of tables.",
}

// ExportNames are the files Export writes.
func ExportNames() []string {
	return []string{fileRoles, filePolicies, fileGrants, fileAttachments, fileTables}
}

// Export writes c's policy state as policy files: the plan from c's Base to
// c, split by kind. Reading them back (Load) builds c's state again, so a
// plan from the exported files against c is empty.
func Export(ctx context.Context, c *policy.Catalog, an policy.Analyzer) ([]Source, error) {
	base, err := Base(c)
	if err != nil {
		return nil, err
	}
	steps, err := Diff(ctx, base, c, an)
	if err != nil {
		return nil, err
	}
	body := map[string]*strings.Builder{}
	for _, f := range ExportNames() {
		body[f] = &strings.Builder{}
		body[f].WriteString(exportHeaders[f] + "\n\n")
	}
	for _, s := range steps {
		f := exportFile(s)
		body[f].WriteString(s.SQL + ";\n")
		if strings.Contains(s.SQL, "\n") {
			body[f].WriteString("\n")
		}
	}
	var out []Source
	for _, f := range ExportNames() {
		out = append(out, Source{Name: f, Text: body[f].String()})
	}
	return out, nil
}

func exportFile(s Step) string {
	switch {
	case strings.HasPrefix(s.SQL, "CREATE ROLE "):
		return fileRoles
	case s.Phase == PhaseCreate, strings.Contains(s.SQL, " RLS POLICY ") && !strings.HasPrefix(s.SQL, "ATTACH "):
		return filePolicies
	case s.Phase == PhaseAttach:
		return fileAttachments
	case s.Phase == PhaseSwitch, s.Phase == PhasePrepare:
		return fileTables
	}
	return fileGrants
}
