package trino

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// The shapes of Trino's file-based access control rules
// (docs: security/file-system-access-control).
type (
	rulesFile struct {
		Catalogs          []catalogRule  `json:"catalogs"`
		Schemas           []schemaRule   `json:"schemas"`
		Tables            []tableRule    `json:"tables"`
		Functions         []functionRule `json:"functions"`
		SystemInformation []sysInfoRule  `json:"system_information"`
		SessionProperties []sessionRule  `json:"system_session_properties"`
		Queries           []queryRule    `json:"queries"`
		Impersonation     []imperRule    `json:"impersonation"`
	}
	catalogRule struct {
		User    string `json:"user,omitempty"`
		Catalog string `json:"catalog,omitempty"`
		Allow   string `json:"allow"`
	}
	schemaRule struct {
		User  string `json:"user,omitempty"`
		Owner bool   `json:"owner"`
	}
	tableRule struct {
		User       string       `json:"user,omitempty"`
		Catalog    string       `json:"catalog,omitempty"`
		Schema     string       `json:"schema,omitempty"`
		Table      string       `json:"table,omitempty"`
		Privileges []string     `json:"privileges"`
		Columns    []columnRule `json:"columns,omitempty"`
		Filter     string       `json:"filter,omitempty"`
		FilterEnv  *environment `json:"filter_environment,omitempty"`
	}
	columnRule struct {
		Name    string       `json:"name"`
		Allow   *bool        `json:"allow,omitempty"`
		Mask    string       `json:"mask,omitempty"`
		MaskEnv *environment `json:"mask_environment,omitempty"`
	}
	environment struct {
		User string `json:"user"`
	}
	functionRule struct {
		User       string   `json:"user,omitempty"`
		Catalog    string   `json:"catalog,omitempty"`
		Schema     string   `json:"schema,omitempty"`
		Privileges []string `json:"privileges"`
	}
	sysInfoRule struct {
		User  string   `json:"user"`
		Allow []string `json:"allow"`
	}
	sessionRule struct {
		User  string `json:"user"`
		Allow bool   `json:"allow"`
	}
	queryRule struct {
		User  string   `json:"user,omitempty"`
		Allow []string `json:"allow"`
	}
	imperRule struct {
		OriginalUser string `json:"original_user"`
		NewUser      string `json:"new_user"`
		Allow        bool   `json:"allow"`
	}
)

// exact is a Trino rule pattern (a Java regular expression matched against
// the whole name) that matches name only.
func exact(name string) string { return regexp.QuoteMeta(name) }

var allPrivileges = []string{"SELECT", "INSERT", "DELETE", "UPDATE", "OWNERSHIP", "GRANT_SELECT"}

// compileRules builds the whole rules file for cat and the subjects seen:
// the service user first (the probe rule carrying generation, then
// everything), then for every subject and every table it may read one rule
// holding exactly the catalog's decision (policy.Decide): granted columns,
// the others refused, masks, and the row filter with Redshift's
// conjunction. Trino applies the first rule that matches user and table;
// a user and table with no rule are refused, so default deny is Trino's.
func (e *Engine) compileRules(ctx context.Context, cat *policy.Catalog, subjects map[string]policy.Subject, generation int64) ([]byte, error) {
	e.lookupsInlined = false
	svc := exact(e.opts.User)
	catalog, schema := exact(e.opts.Catalog), exact(e.opts.Schema)
	f := rulesFile{
		Catalogs: []catalogRule{{User: svc, Allow: "all"}},
		Schemas:  []schemaRule{{User: svc, Owner: true}},
		Tables: []tableRule{
			{User: svc, Catalog: catalog, Schema: schema, Table: exact(probeTable), Privileges: allPrivileges,
				Columns: []columnRule{{Name: "generation", Mask: fmt.Sprintf("CAST(%d AS bigint)", generation)}}},
			{User: svc, Privileges: allPrivileges},
		},
		Functions: []functionRule{
			{User: svc, Privileges: []string{"EXECUTE", "GRANT_EXECUTE", "OWNERSHIP"}},
			// Built-in functions only: no connector's table function, which
			// could read around the table rules.
			{Catalog: "system", Schema: "builtin", Privileges: []string{"EXECUTE"}},
		},
		SystemInformation: []sysInfoRule{{User: svc, Allow: []string{"read", "write"}}},
		SessionProperties: []sessionRule{{User: svc, Allow: true}},
		Queries:           []queryRule{{User: svc, Allow: []string{"execute", "kill", "view"}}, {Allow: []string{"execute"}}},
		Impersonation:     []imperRule{{OriginalUser: svc, NewUser: ".*", Allow: true}},
	}
	users := make([]string, 0, len(subjects))
	for u := range subjects {
		users = append(users, u)
	}
	slices.Sort(users)
	for _, u := range users {
		s := subjects[u]
		if s.Superuser || strings.EqualFold(u, e.opts.User) {
			continue // superusers run as the service user; nobody is impersonated as it
		}
		re := exact(u)
		f.Catalogs = append(f.Catalogs, catalogRule{User: re, Catalog: catalog, Allow: "read-only"})
		for _, table := range cat.TableNames() {
			if _, ok := e.pending[table]; ok {
				continue // an unfinished DDL: refused until reconciled
			}
			a, ok := cat.Decide(s, table)
			if !ok || !a.Visible {
				continue
			}
			r, err := e.tableRule(ctx, u, a)
			if err != nil {
				return nil, fmt.Errorf("trino: compile the rule of %s on %s: %w", u, table, err)
			}
			f.Tables = append(f.Tables, r)
		}
	}
	return json.MarshalIndent(f, "", " ")
}

// tableRule is one user's rule on one table.
func (e *Engine) tableRule(ctx context.Context, user string, a policy.Access) (tableRule, error) {
	r := tableRule{User: exact(user), Catalog: exact(e.opts.Catalog), Schema: exact(e.opts.Schema),
		Table: exact(a.Table), Privileges: []string{"SELECT"}}
	no := false
	for _, c := range a.Columns {
		name := strings.ToLower(c.Name)
		switch {
		case !c.Granted:
			// An ungranted column is an error when used, as in Redshift.
			r.Columns = append(r.Columns, columnRule{Name: name, Allow: &no})
		case c.Mask != nil:
			m, err := maskExpr(c.Mask, user)
			if err != nil {
				return r, err
			}
			r.Columns = append(r.Columns, columnRule{Name: name, Mask: m, MaskEnv: &environment{User: e.opts.User}})
		}
	}
	if a.Rows.Enforced {
		if len(a.Rows.Policies) == 0 {
			r.Filter = "false" // RLS on and no policy for the subject: no rows
		} else {
			var terms []string
			for _, p := range a.Rows.Policies {
				q, err := qualify(p.Predicate, p.Alias, a.Table)
				if err != nil {
					return r, err
				}
				t, err := translate(q, user)
				if err != nil {
					return r, err
				}
				if len(p.Lookups) > 0 {
					var inlined bool
					if t, inlined, err = e.inlineLookups(ctx, t); err != nil {
						return r, err
					}
					e.lookupsInlined = e.lookupsInlined || inlined
				}
				terms = append(terms, "("+t+")")
			}
			op := " OR "
			if a.Rows.Conjunction == "and" {
				op = " AND "
			}
			r.Filter = strings.Join(terms, op)
		}
		// Lookup tables in a predicate are read as the service user:
		// Redshift's GRANT SELECT … TO RLS POLICY, checked by the router.
		r.FilterEnv = &environment{User: e.opts.User}
	}
	return r, nil
}

// maskExpr is a masking policy's expression over the table's columns: its
// parameters bound to the attached columns.
func maskExpr(m *policy.AppliedMask, user string) (string, error) {
	expr, err := translate(m.Expr, user)
	if err != nil {
		return "", err
	}
	same := len(m.Params) == len(m.Args)
	for i := 0; same && i < len(m.Params); i++ {
		same = strings.EqualFold(m.Params[i].Name, m.Args[i])
	}
	if same {
		return expr, nil
	}
	// Bind parameters by name in a one-row scope over the columns.
	var cols, names []string
	for i, p := range m.Params {
		cols = append(cols, qi(strings.ToLower(m.Args[i])))
		names = append(names, qi(strings.ToLower(p.Name)))
	}
	return "(SELECT " + expr + " FROM (VALUES (" + strings.Join(cols, ", ") + ")) AS p(" + strings.Join(names, ", ") + "))", nil
}

// writeRulesLocked writes the rules file for cat and the subjects seen and
// waits until Trino applies it. rulesMu is held.
//
// A file that would say what the applied one says (the same rules, only a
// new generation) is not written: Trino already applies it, and a commit
// that changes no principal's access (for example the policy script's
// statements before any principal was seen, or a table no one may read)
// then costs no refresh wait.
func (e *Engine) writeRulesLocked(ctx context.Context, cat *policy.Catalog) error {
	same, err := e.compileRules(ctx, cat, e.subjects, 0)
	if err != nil {
		return err
	}
	if e.applied != nil && bytes.Equal(same, e.applied) {
		return nil
	}
	e.applied = nil
	gen := max(e.generation+1, time.Now().UnixMilli())
	body, err := e.compileRules(ctx, cat, e.subjects, gen)
	if err != nil {
		return err
	}
	if e.opts.WriteRules != nil {
		if err := e.opts.WriteRules(body); err != nil {
			return fmt.Errorf("trino: write rules: %w", err)
		}
		e.generation = gen
		return e.applyAwait(ctx, gen, same)
	}
	dir := filepath.Dir(e.opts.RulesPath)
	tmp, err := os.CreateTemp(dir, ".rules-*.json")
	if err != nil {
		return fmt.Errorf("trino: write rules: %w", err)
	}
	_, werr := tmp.Write(body)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o600)
	}
	if werr == nil {
		// Trino must never read half a file.
		werr = os.Rename(tmp.Name(), e.opts.RulesPath)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("trino: write rules: %w", werr)
	}
	e.generation = gen
	return e.applyAwait(ctx, gen, same)
}

// applyAwait waits until Trino applies generation gen, then records rules
// (compiled at generation 0) as the rules Trino applies.
func (e *Engine) applyAwait(ctx context.Context, gen int64, rules []byte) error {
	if err := e.awaitRules(ctx, gen); err != nil {
		return err
	}
	e.applied = rules
	return nil
}

// awaitRules polls the probe table until Trino masks its generation column
// with gen (or a later generation): the file is loaded.
func (e *Engine) awaitRules(ctx context.Context, gen int64) error {
	deadline := time.Now().Add(e.opts.RulesTimeout)
	// Trino reloads the file on the first access check after its refresh
	// period ran out, so the first probe often sees the new rules; then
	// poll more slowly (each probe is a query on the coordinator).
	wait := 10 * time.Millisecond
	for {
		var got int64
		err := e.db.QueryRowContext(ctx, "SELECT generation FROM "+e.tableName(probeTable)).Scan(&got)
		if err == nil && got >= gen {
			return nil
		}
		if time.Now().After(deadline) {
			return sqlerr.New(sqlerr.Internal, "Trino did not load the access rules within %s (is security.config-file %s and security.refresh-period set? docs/trino.md); last error: %v",
				e.opts.RulesTimeout, e.opts.RulesPath, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// acquire makes sure the rules Trino applies to sub's user are sub's, and
// holds them there until release: reads of the same user with another set
// of roles (another session) wait, since a user has one rule per table.
func (e *Engine) acquire(ctx context.Context, sub policy.Subject) (release func(), err error) {
	e.rulesMu.Lock()
	defer e.rulesMu.Unlock()
	for {
		cur, ok := e.subjects[sub.User]
		// Rules always hold the committed catalog: if it moved on since the
		// router resolved sub, Trino applies the newer policies.
		if ok && subjectEqual(cur, sub) {
			e.readers[sub.User]++
			return func() {
				e.rulesMu.Lock()
				e.readers[sub.User]--
				e.rulesCond.Broadcast()
				e.rulesMu.Unlock()
			}, nil
		}
		if e.readers[sub.User] > 0 {
			e.rulesCond.Wait()
			continue
		}
		e.subjects[sub.User] = sub
		if err := e.saveSubject(ctx, sub); err != nil {
			return nil, err
		}
		if err := e.writeRulesLocked(ctx, e.cat.Load()); err != nil {
			return nil, err
		}
	}
}

func subjectEqual(a, b policy.Subject) bool {
	return a.Key() == b.Key() && a.IgnoreRLS == b.IgnoreRLS && a.ExplainRLS == b.ExplainRLS && a.ExplainMasking == b.ExplainMasking
}
