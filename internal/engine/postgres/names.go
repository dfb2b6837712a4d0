package postgres

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/tipgate/tipgate/internal/sqlscan"
)

// Schemas the engine owns in its database.
const (
	// schemaData holds the real tables; principals hold no USAGE on it, so
	// they reach a table only through its view in public.
	schemaData = "tipgate_data"
	// schemaCompat holds Redshift functions PostgreSQL lacks (nvl, getdate,
	// …) and the functions compiled from lookup-table RLS policies.
	schemaCompat = "tipgate_compat"
	schemaRLS    = "tipgate_rls"
	// schemaViews is where principals find tables: one view per table.
	schemaViews = "public"
)

// maxIdent is PostgreSQL's identifier limit (NAMEDATALEN - 1 bytes).
const maxIdent = 63

// pgName maps a Redshift user or role name (up to 127 bytes) to the
// PostgreSQL role that carries it: the same name when it fits, prefixed by
// the engine's role prefix, otherwise a cut name with a hash that keeps
// distinct names distinct. The mapping is recorded in tipgate.role_map.
func pgName(prefix, name string) string {
	full := prefix + name
	if len(full) <= maxIdent {
		return full
	}
	sum := sha256.Sum256([]byte(full))
	h := "#" + hex.EncodeToString(sum[:5])
	cut := full[:maxIdent-len(h)]
	// Never cut inside a UTF-8 sequence.
	for len(cut) > 0 && cut[len(cut)-1]&0xC0 == 0x80 {
		cut = cut[:len(cut)-1]
	}
	if len(cut) > 0 && cut[len(cut)-1] >= 0xC0 {
		cut = cut[:len(cut)-1]
	}
	return cut + h
}

func qi(name string) string { return sqlscan.QuoteIdent(name) }

func qs(s string) string { return sqlscan.QuoteString(s) }

func dataTable(name string) string { return qi(schemaData) + "." + qi(name) }

func viewName(name string) string { return qi(schemaViews) + "." + qi(name) }

// pgType maps a Redshift type spelling to PostgreSQL's.
func pgType(t string) string {
	u := strings.ToUpper(strings.Join(strings.Fields(t), " "))
	base, args, _ := strings.Cut(u, "(")
	if args != "" {
		args = "(" + args
	}
	switch strings.TrimSpace(base) {
	case "TEXT", "STRING", "SUPER":
		return "VARCHAR"
	case "NVARCHAR", "CHARACTER VARYING", "VARCHAR":
		return "VARCHAR" + args
	case "BPCHAR", "NCHAR", "CHARACTER", "CHAR":
		return "CHAR" + args
	case "DOUBLE PRECISION", "FLOAT8", "FLOAT", "DOUBLE":
		return "DOUBLE PRECISION"
	case "FLOAT4", "REAL":
		return "REAL"
	case "INT", "INT4", "INTEGER":
		return "INTEGER"
	case "INT2", "SMALLINT":
		return "SMALLINT"
	case "INT8", "BIGINT":
		return "BIGINT"
	case "BOOL", "BOOLEAN":
		return "BOOLEAN"
	case "TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP":
		return "TIMESTAMP"
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		return "TIMESTAMPTZ"
	case "VARBYTE", "VARBINARY", "BINARY VARYING":
		return "BYTEA"
	case "DECIMAL", "NUMERIC":
		if args == "" {
			return "NUMERIC(18,0)"
		}
		return "NUMERIC" + args
	}
	return u
}
