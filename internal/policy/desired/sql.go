package desired

import (
	"fmt"
	"strings"

	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// The statements a plan and an export are made of, in the spelling the
// ddl grammar reads back to the same statement.

func q(name string) string { return ddl.QuoteName(name) }

func roleName(name string) string {
	if policy.IsSystemRole(name) {
		return name // Redshift's own spelling, which ddl reads unquoted
	}
	return q(name)
}

func granteeSQL(g policy.Grantee) string {
	switch g.Kind {
	case policy.KindPublic:
		return "PUBLIC"
	case policy.KindRole:
		return "ROLE " + roleName(g.Name)
	}
	return q(g.Name)
}

func names(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = q(c)
	}
	return strings.Join(out, ", ")
}

func typedColumns(cols []policy.Column) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = q(c.Name) + " " + c.Type
	}
	return strings.Join(out, ", ")
}

func createRole(r policy.Role) string {
	s := "CREATE ROLE " + roleName(r.Name)
	if r.ExternalID != "" {
		s += " EXTERNALID " + sqlscan.QuoteString(r.ExternalID)
	}
	return s
}

func dropRole(name string) string { return "DROP ROLE " + roleName(name) }

func grantRole(m policy.Membership, revoke bool) string {
	if revoke {
		return fmt.Sprintf("REVOKE ROLE %s FROM %s", roleName(m.Role), granteeSQL(m.Grantee))
	}
	s := fmt.Sprintf("GRANT ROLE %s TO %s", roleName(m.Role), granteeSQL(m.Grantee))
	if m.Admin {
		s += " WITH ADMIN OPTION"
	}
	return s
}

func tableGrant(table, priv string, cols []string, g policy.Grantee, revoke bool) string {
	p := strings.ToUpper(priv)
	if cols != nil {
		p += " (" + names(cols) + ")"
	}
	if revoke {
		return fmt.Sprintf("REVOKE %s ON TABLE %s FROM %s", p, q(table), granteeSQL(g))
	}
	return fmt.Sprintf("GRANT %s ON TABLE %s TO %s", p, q(table), granteeSQL(g))
}

func systemGrant(g policy.SystemGrant, revoke bool) string {
	if revoke {
		return fmt.Sprintf("REVOKE %s FROM %s", strings.ToUpper(g.Privilege), granteeSQL(g.Grantee))
	}
	return fmt.Sprintf("GRANT %s TO %s", strings.ToUpper(g.Privilege), granteeSQL(g.Grantee))
}

func lookupGrant(g policy.LookupGrant, revoke bool) string {
	if revoke {
		return fmt.Sprintf("REVOKE SELECT ON TABLE %s FROM RLS POLICY %s", q(g.Table), q(g.Policy))
	}
	return fmt.Sprintf("GRANT SELECT ON TABLE %s TO RLS POLICY %s", q(g.Table), q(g.Policy))
}

func createRLS(p policy.RLSPolicy) string {
	s := "CREATE RLS POLICY " + q(p.Name)
	if len(p.With) > 0 {
		s += "\nWITH (" + typedColumns(p.With) + ")"
		if p.Alias != "" {
			s += " AS " + q(p.Alias)
		}
	}
	return s + "\nUSING (" + p.Using + ")"
}

func alterRLS(p policy.RLSPolicy) string {
	return "ALTER RLS POLICY " + q(p.Name) + "\nUSING (" + p.Using + ")"
}

func dropRLS(name string) string { return "DROP RLS POLICY " + q(name) }

func attachRLS(a policy.RLSAttachment, detach bool) string {
	if detach {
		return fmt.Sprintf("DETACH RLS POLICY %s ON TABLE %s FROM %s", q(a.Policy), q(a.Table), granteeSQL(a.Grantee))
	}
	return fmt.Sprintf("ATTACH RLS POLICY %s ON TABLE %s TO %s", q(a.Policy), q(a.Table), granteeSQL(a.Grantee))
}

func createMask(p policy.MaskingPolicy) string {
	return "CREATE MASKING POLICY " + q(p.Name) + "\nWITH (" + typedColumns(p.Inputs) + ")\nUSING (" + strings.Join(p.Using, ", ") + ")"
}

func alterMask(p policy.MaskingPolicy) string {
	return "ALTER MASKING POLICY " + q(p.Name) + "\nUSING (" + strings.Join(p.Using, ", ") + ")"
}

func dropMask(name string) string { return "DROP MASKING POLICY " + q(name) }

func attachMask(a policy.MaskAttachment, detach bool) string {
	if detach {
		return fmt.Sprintf("DETACH MASKING POLICY %s ON %s (%s) FROM %s", q(a.Policy), q(a.Table), names(a.Outputs), granteeSQL(a.Grantee))
	}
	s := fmt.Sprintf("ATTACH MASKING POLICY %s ON %s (%s)", q(a.Policy), q(a.Table), names(a.Outputs))
	if len(a.Inputs) > 0 {
		s += " USING (" + names(a.Inputs) + ")"
	}
	s += " TO " + granteeSQL(a.Grantee)
	if a.Priority != 0 {
		s += fmt.Sprintf(" PRIORITY %d", a.Priority)
	}
	return s
}

func tableSwitch(table string, on bool, conjunction string, datashares bool) string {
	s := "ALTER TABLE " + q(table) + " ROW LEVEL SECURITY "
	if on {
		s += "ON"
	} else {
		s += "OFF"
	}
	s += " CONJUNCTION TYPE " + strings.ToUpper(conj(conjunction))
	if datashares {
		s += " FOR DATASHARES"
	}
	return s
}
