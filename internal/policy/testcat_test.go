package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// lexAnalyzer accepts any expression the lexer accepts. It reports the
// relations named after FROM or JOIN inside a SELECT as the tables the
// expression reads (so lookup tables are recorded) and no column
// references, which the catalog's column checks then accept.
type lexAnalyzer struct{}

func (lexAnalyzer) AnalyzeExpr(_ context.Context, expr string) (ExprInfo, error) {
	toks, err := sqlscan.Tokens(expr)
	if err != nil {
		return ExprInfo{}, err
	}
	var info ExprInfo
	selectAt := []bool{false}
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		switch {
		case tk.Kind == sqlscan.LParen:
			selectAt = append(selectAt, false)
		case tk.Kind == sqlscan.RParen && len(selectAt) > 1:
			selectAt = selectAt[:len(selectAt)-1]
		case tk.Is("select"):
			selectAt[len(selectAt)-1] = true
		case (tk.Is("from") || tk.Is("join")) && selectAt[len(selectAt)-1] && i+1 < len(toks):
			j := i + 1
			if toks[j].Kind != sqlscan.Ident && toks[j].Kind != sqlscan.QuotedIdent {
				continue
			}
			name := toks[j].Value
			for j+2 < len(toks) && toks[j+1].Kind == sqlscan.Dot {
				j += 2
				name = toks[j].Value
			}
			if name = strings.ToLower(name); !slices.Contains(info.Tables, name) {
				info.Tables = append(info.Tables, name)
			}
			i = j
		}
	}
	return info, nil
}

// loadStmt applies one statement the policy package can apply itself:
// security DDL through Apply (as actor), CREATE TABLE, DROP TABLE and the
// ALTER TABLE forms through the catalog's table methods. It reports
// whether the statement is of a kind it handles; err is the statement's
// own failure.
func loadStmt(c *Catalog, sql string, actor Subject) (next *Catalog, handled bool, err error) {
	st, err := ddl.Parse(sql)
	if err != nil {
		return nil, false, err
	}
	switch s := st.(type) {
	case *ddl.CreateTable:
		if s.AsQuery != "" || (s.Table.Schema != "" && !isPublicSchema(s.Table.Schema)) {
			return nil, false, nil
		}
		if _, ok := c.Table(s.Table.Name); ok && s.IfNotExists {
			return c, true, nil
		}
		cols := make([]Column, 0, len(s.Columns))
		for _, d := range s.Columns {
			cols = append(cols, Column{Name: strings.ToLower(d.Name), Type: d.Type})
		}
		n, err := c.AddTable(s.Table.Name, actor.User, cols)
		return n, true, err
	case *ddl.DropTable:
		n := c
		for _, tn := range s.Tables {
			if _, ok := n.Table(tn.Name); !ok {
				if s.IfExists {
					continue
				}
				return nil, true, fmt.Errorf("no table %s", tn.Name)
			}
			if n, err = n.DropTable(tn.Name); err != nil {
				return nil, true, err
			}
		}
		return n, true, nil
	case *ddl.AlterTable:
		t, ok := c.Table(s.Table.Name)
		if !ok {
			return nil, true, fmt.Errorf("no table %s", s.Table.Name)
		}
		cols := slices.Clone(t.Columns)
		idx := slices.IndexFunc(cols, func(col Column) bool { return strings.EqualFold(col.Name, s.Column) })
		switch s.Action {
		case "rename":
			n, err := c.RenameTable(t.Name, s.NewName)
			return n, true, err
		case "add column":
			cols = append(cols, Column{Name: strings.ToLower(s.ColumnDef.Name), Type: s.ColumnDef.Type})
			n, err := c.SetColumns(t.Name, cols, "", "")
			return n, true, err
		case "drop column", "rename column", "alter column type":
			if idx < 0 {
				return nil, true, fmt.Errorf("no column %s", s.Column)
			}
			if err := c.CheckColumnChange(t.Name, s.Column, s.Action); err != nil {
				return nil, true, err
			}
			oldName, newName := "", ""
			switch s.Action {
			case "drop column":
				oldName = cols[idx].Name
				cols = slices.Delete(cols, idx, idx+1)
			case "rename column":
				oldName, newName = cols[idx].Name, strings.ToLower(s.NewName)
				cols[idx].Name = newName
			default:
				cols[idx].Type = s.ColumnDef.Type
			}
			n, err := c.SetColumns(t.Name, cols, oldName, newName)
			return n, true, err
		}
		return nil, false, nil
	}
	if !IsSecurityDDL(st) {
		return nil, false, nil
	}
	n, err := c.Apply(context.Background(), st, Env{Actor: actor, Analyzer: lexAnalyzer{}})
	return n, true, err
}

// build applies a script of statements as a superuser, failing the test on
// any statement it cannot apply.
func build(t *testing.T, script string) *Catalog {
	t.Helper()
	stmts, err := sqlscan.Split(script)
	if err != nil {
		t.Fatal(err)
	}
	c := New()
	admin := Subject{User: "admin", Superuser: true}
	for _, st := range stmts {
		n, handled, err := loadStmt(c, st.Text, admin)
		if err != nil || !handled {
			t.Fatalf("%s: handled %t, %v", st.Text, handled, err)
		}
		c = n
	}
	return c
}

// subject resolves a plain (non-federated) user with session groups,
// which map to roles named "AWSIDC:<group>".
func subject(c *Catalog, user string, groups ...string) Subject {
	return c.Subject(identity.Principal{User: user, Namespace: "AWSIDC", Groups: groups})
}

// describe renders a decision compactly for table tests:
//
//	visible: true|false
//	granted: granted columns, comma-separated
//	masks:   col=policy@priority[args] for each masked column
//	rows:    "all" (not enforced), "deny", or "and:p1,p2" / "or:p1"
//	reasons: kind[:details] for each reason
func describe(a Access) (visible bool, granted, masks, rows, reasons string) {
	var g, m []string
	for _, col := range a.Columns {
		if col.Granted {
			g = append(g, col.Name)
		}
		if col.Mask != nil {
			m = append(m, fmt.Sprintf("%s=%s@%d%s", col.Name, col.Mask.Policy, col.Mask.Priority, col.Mask.Args))
		}
	}
	switch {
	case !a.Rows.Enforced:
		rows = "all"
	case a.Rows.DenyAll():
		rows = "deny"
	default:
		var ps []string
		for _, p := range a.Rows.Policies {
			ps = append(ps, p.Policy)
		}
		rows = a.Rows.Conjunction + ":" + strings.Join(ps, ",")
	}
	var rs []string
	for _, r := range a.Reasons {
		s := string(r.Kind)
		switch r.Kind {
		case ReasonTableGrant:
			s += ":" + viaString(r.Via)
		case ReasonColumnGrant:
			s += ":" + viaString(r.Via) + "(" + strings.Join(r.Columns, ",") + ")"
		case ReasonMask:
			s += fmt.Sprintf(":%s=%s@%d:%s", r.Column, r.Policy, r.Priority, viaString(r.Via))
		case ReasonIgnoreRLS:
			s += ":" + r.Bypass
			if len(r.Via) > 0 {
				s += ":" + viaString(r.Via)
			}
		case ReasonFilter:
			s += ":" + r.Policy + ":" + viaString(r.Via)
		}
		rs = append(rs, s)
	}
	return a.Visible, strings.Join(g, ","), strings.Join(m, " "), rows, strings.Join(rs, " ")
}
