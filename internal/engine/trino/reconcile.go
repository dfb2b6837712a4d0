package trino

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/policy"
)

// Table DDL has two halves that share no transaction: the statement on
// Trino (Iceberg commits it at once) and the catalog in the store. So
// that no interruption between them can leave a principal reading more
// than the catalog allows, every table DDL first records an intent
// (tipgate_trino.pending) naming the tables it touches, and the rules
// Trino applies hold no rule on a pending table: every principal is
// refused on it (default deny). Only then does the DDL run on Trino. The
// catalog commit deletes the intent in the same store transaction. An
// intent left behind (a crash, a lost store connection, a failed
// statement) is reconciled: on Open, after a failed DDL, and before each
// commit while one is left. Reconciling makes the catalog say what Trino
// has (the superuser's statement is completed or, when Trino did not run
// it, simply dropped), which is fail-closed for columns too: a column the
// catalog learns this way is granted to no one who holds only column
// grants.

// pendingDDL is one table an unfinished DDL touches.
type pendingDDL struct {
	Table string
	// RenamedFrom is the old name when Table is a rename's new name.
	RenamedFrom string
	// Owner is the user who ran the DDL (the owner of a created table).
	Owner string
}

// markPending records the intents, committed on their own before the DDL
// runs on Trino, and waits until Trino applies rules refusing everyone on
// the tables. rulesMu is held (Table runs inside Commit).
func (e *Engine) markPending(ctx context.Context, tx *trinoTx, cat *policy.Catalog, ps ...pendingDDL) error {
	for _, p := range ps {
		if _, err := e.pool.Exec(ctx, `INSERT INTO tipgate_trino.pending (table_name, renamed_from, owner) VALUES ($1, $2, $3)
			ON CONFLICT (table_name) DO UPDATE SET renamed_from = excluded.renamed_from, owner = excluded.owner`,
			p.Table, p.RenamedFrom, p.Owner); err != nil {
			return fmt.Errorf("trino: store: record the DDL intent on %s: %w", p.Table, err)
		}
		e.pending[p.Table] = p
		if tx != nil {
			tx.marked = append(tx.marked, p)
		}
	}
	return e.writeRulesLocked(ctx, cat)
}

// afterTrinoDDL runs after the Trino half of a DDL: the test hook that
// interrupts a DDL between its two halves.
func (e *Engine) afterTrinoDDL(tx *trinoTx) error {
	if e.testAfterDDL == nil {
		return nil
	}
	if err := e.testAfterDDL(); err != nil {
		if tx != nil {
			tx.crashed = e.testCrash
		}
		return err
	}
	return nil
}

// loadPending reads the intents left in the store.
func (e *Engine) loadPending(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) (map[string]pendingDDL, error) {
	rows, err := q.Query(ctx, "SELECT table_name, renamed_from, owner FROM tipgate_trino.pending")
	if err != nil {
		return nil, fmt.Errorf("trino: store: read DDL intents: %w", err)
	}
	defer rows.Close()
	out := map[string]pendingDDL{}
	for rows.Next() {
		var p pendingDDL
		if err := rows.Scan(&p.Table, &p.RenamedFrom, &p.Owner); err != nil {
			return nil, fmt.Errorf("trino: store: read DDL intents: %w", err)
		}
		out[p.Table] = p
	}
	return out, rows.Err()
}

// trinoColumn is a column as Trino's information_schema lists it.
type trinoColumn struct{ name, typ string }

// trinoTables lists the warehouse schema's tables and their columns on
// Trino, as the service user.
func (e *Engine) trinoTables(ctx context.Context) (map[string][]trinoColumn, error) {
	rows, err := e.db.QueryContext(ctx, "SELECT table_name, column_name, data_type FROM "+qi(e.opts.Catalog)+
		".information_schema.columns WHERE table_schema = ? ORDER BY table_name, ordinal_position", e.opts.Schema)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := map[string][]trinoColumn{}
	for rows.Next() {
		var t string
		var c trinoColumn
		if err := rows.Scan(&t, &c.name, &c.typ); err != nil {
			return nil, mapError(err)
		}
		out[strings.ToLower(t)] = append(out[strings.ToLower(t)], c)
	}
	return out, mapError(rows.Err())
}

// adoptColumns are Trino's columns with the catalog's (Redshift) type kept
// where Trino's type is still the one it maps to.
func adoptColumns(have []trinoColumn, t *policy.Table) []policy.Column {
	var out []policy.Column
	for _, c := range have {
		col := policy.Column{Name: strings.ToLower(c.name), Type: redshiftType(c.typ)}
		if t != nil {
			if old, ok := t.Column(col.Name); ok && trinoType(old.Type) == baseType(c.typ) {
				col.Type = old.Type
			}
		}
		out = append(out, col)
	}
	return out
}

// baseType drops a varchar's length, which Iceberg does not keep.
func baseType(t string) string {
	t = strings.ToLower(t)
	if strings.HasPrefix(t, "varchar") {
		return "varchar"
	}
	return t
}

func sameColumns(a, b []policy.Column) bool {
	return slices.EqualFunc(a, b, func(x, y policy.Column) bool {
		return strings.EqualFold(x.Name, y.Name) && strings.EqualFold(x.Type, y.Type)
	})
}

// reconcileLocked completes or drops every DDL intent left in the store:
// for each pending table it makes the catalog say what Trino has, in one
// store transaction that deletes the intents, and rewrites the rules.
// A table it cannot reconcile stays pending, refused to every principal,
// and is logged. rulesMu is held.
func (e *Engine) reconcileLocked(ctx context.Context) error {
	tx, err := e.beginLocked(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	pending, err := e.loadPending(ctx, tx)
	if err != nil {
		return err
	}
	cur, err := e.stored(ctx, tx)
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		e.pending = pending
		e.cat.Store(cur)
		return tx.Commit(ctx)
	}
	have, err := e.trinoTables(ctx)
	if err != nil {
		return err
	}
	next := cur
	names := make([]string, 0, len(pending))
	for n := range pending {
		names = append(names, n)
	}
	// A rename's new name first: it consumes the old name's intent.
	slices.SortFunc(names, func(a, b string) int {
		ra, rb := pending[a].RenamedFrom != "", pending[b].RenamedFrom != ""
		switch {
		case ra && !rb:
			return -1
		case rb && !ra:
			return 1
		}
		return strings.Compare(a, b)
	})
	done := map[string]bool{}
	for _, n := range names {
		if done[n] {
			continue
		}
		p := pending[n]
		adopted, what, err := e.adopt(next, have, p)
		if err != nil {
			e.log.Error("trino: a table DDL was interrupted and its table differs between Trino and the catalog; every principal is refused on it until it is repaired (docs/trino.md)",
				"table", n, "error", err)
			continue
		}
		next = adopted
		done[n] = true
		if p.RenamedFrom != "" {
			done[p.RenamedFrom] = true
		}
		if what != "" {
			e.log.Warn("trino: reconciled the catalog with Trino after an interrupted table DDL", "table", n, "change", what)
		}
	}
	var cleared []string
	for n := range done {
		if _, ok := pending[n]; ok {
			cleared = append(cleared, n)
			delete(pending, n)
		}
	}
	if _, err := tx.Exec(ctx, "DELETE FROM tipgate_trino.pending WHERE table_name = ANY($1)", cleared); err != nil {
		return fmt.Errorf("trino: store: clear DDL intents: %w", err)
	}
	if next != cur {
		body, err := next.Marshal()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO tipgate_trino.catalog (id, version, body) VALUES (1, $1, $2)
			ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body`, next.Version, string(body)); err != nil {
			return fmt.Errorf("trino: store: write catalog: %w", err)
		}
	}
	old := e.pending
	e.pending = pending
	if err := e.writeRulesLocked(ctx, next); err != nil {
		e.pending = old
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		e.pending = old
		return fmt.Errorf("trino: store: commit: %w", err)
	}
	e.cat.Store(next)
	return nil
}

// adopt makes cat say what Trino has for one pending table, and says what
// changed ("" for nothing).
func (e *Engine) adopt(cat *policy.Catalog, have map[string][]trinoColumn, p pendingDDL) (*policy.Catalog, string, error) {
	cols, onTrino := have[p.Table]
	t, inCat := cat.Table(p.Table)
	switch {
	case onTrino && !inCat && p.RenamedFrom != "":
		if _, oldOnTrino := have[p.RenamedFrom]; oldOnTrino {
			return nil, "", fmt.Errorf("both %s and %s exist on Trino", p.RenamedFrom, p.Table)
		}
		if _, ok := cat.Table(p.RenamedFrom); !ok {
			return nil, "", fmt.Errorf("renamed from %s, which the catalog does not list", p.RenamedFrom)
		}
		next, err := cat.RenameTable(p.RenamedFrom, p.Table)
		return next, "renamed from " + p.RenamedFrom, err
	case onTrino && !inCat:
		if p.Owner == "" {
			return nil, "", errors.New("created on Trino with no owner recorded")
		}
		next, err := cat.AddTable(p.Table, p.Owner, adoptColumns(cols, nil))
		return next, "created", err
	case !onTrino && inCat:
		// A DROP TABLE that ran on Trino (a rename's old name is done
		// with its new name, above).
		next, err := cat.DropTable(p.Table)
		return next, "dropped", err
	case onTrino && inCat:
		want := adoptColumns(cols, t)
		if sameColumns(want, t.Columns) {
			return cat, "", nil
		}
		next, err := cat.SetColumns(p.Table, want, "", "")
		return next, fmt.Sprintf("columns %s (were %s)", columnList(want), columnList(t.Columns)), err
	}
	return cat, "", nil // on neither side
}

func columnList(cs []policy.Column) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Name + " " + c.Type)
	}
	return b.String()
}
