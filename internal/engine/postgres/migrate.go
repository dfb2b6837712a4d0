package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/pgmigrate"
)

// migrations bring the tipgate schemas from one version to the next, in
// order, each in the same transaction as the recorded version (dex's
// storage/sql/migrate.go). Never edit one that has shipped: append.
var migrations = [][]string{
	{
		"CREATE SCHEMA tipgate",
		"CREATE TABLE tipgate.meta (id int PRIMARY KEY CHECK (id = 1), schema_version int NOT NULL, role_prefix text NOT NULL)",
		// The catalog: one row, its version the optimistic lock of Commit.
		"CREATE TABLE tipgate.catalog (id int PRIMARY KEY CHECK (id = 1), version bigint NOT NULL, body text NOT NULL)",
		// Redshift names of the roles the engine created (names over 63
		// bytes are cut; see pgName).
		"CREATE TABLE tipgate.role_map (pg_name name PRIMARY KEY, name text NOT NULL UNIQUE)",
		// Session roles (from a principal's token) granted to its user role.
		"CREATE TABLE tipgate.session_roles (pg_user name NOT NULL, pg_role name NOT NULL, PRIMARY KEY (pg_user, pg_role))",
		"CREATE SCHEMA " + schemaData,
		"CREATE SCHEMA " + schemaCompat,
		"CREATE SCHEMA " + schemaRLS,
		// current_user in a policy means the principal's Redshift name.
		`CREATE FUNCTION tipgate.principal() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS
		 $$ SELECT coalesce((SELECT m.name FROM tipgate.role_map m WHERE m.pg_name = current_user), current_user::text) $$`,
		"GRANT USAGE ON SCHEMA tipgate TO PUBLIC",
		"GRANT SELECT ON tipgate.role_map TO PUBLIC",
		"REVOKE ALL ON tipgate.catalog, tipgate.meta, tipgate.session_roles FROM PUBLIC",
		"GRANT USAGE ON SCHEMA " + schemaCompat + ", " + schemaRLS + " TO PUBLIC",
		// Redshift functions PostgreSQL spells otherwise.
		"CREATE FUNCTION tipgate_compat.nvl(anycompatible, anycompatible) RETURNS anycompatible LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT coalesce($1, $2)'",
		"CREATE FUNCTION tipgate_compat.nvl2(anyelement, anycompatible, anycompatible) RETURNS anycompatible LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT CASE WHEN $1 IS NOT NULL THEN $2 ELSE $3 END'",
		"CREATE FUNCTION tipgate_compat.getdate() RETURNS timestamp LANGUAGE sql STABLE PARALLEL SAFE AS 'SELECT date_trunc(''second'', localtimestamp)'",
		"CREATE FUNCTION tipgate_compat.len(text) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT length($1)'",
		// Redshift's meaning where PostgreSQL's differs, found first because
		// tipgate_compat precedes pg_catalog on tipgate's search paths (a
		// function of the same argument types earlier on the path wins).
		// SPLIT_PART's position must be positive (PostgreSQL counts a
		// negative one from the end).
		`CREATE FUNCTION tipgate_compat.split_part(text, text, integer) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
		 BEGIN
		   IF $3 <= 0 THEN RAISE EXCEPTION 'field position must be greater than zero' USING ERRCODE = '22000'; END IF;
		   RETURN pg_catalog.split_part($1, $2, $3);
		 END $$`,
		// AVG of an integer is an integer, the fraction dropped.
		`CREATE FUNCTION tipgate_compat.avg_int_accum(bigint[], bigint) RETURNS bigint[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
		 'SELECT CASE WHEN $2 IS NULL THEN $1 ELSE ARRAY[$1[1] + 1, $1[2] + $2] END'`,
		`CREATE FUNCTION tipgate_compat.avg_int_final(bigint[]) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
		 'SELECT CASE WHEN $1[1] = 0 THEN NULL ELSE $1[2] / $1[1] END'`,
		// SMALLINT and INTEGER keep PostgreSQL's own transition functions
		// (state {count, sum}, parallel), only the final division differs.
		`CREATE AGGREGATE tipgate_compat.avg(smallint) (SFUNC = int2_avg_accum, STYPE = bigint[], FINALFUNC = tipgate_compat.avg_int_final,
		 COMBINEFUNC = int4_avg_combine, INITCOND = '{0,0}', PARALLEL = SAFE)`,
		`CREATE AGGREGATE tipgate_compat.avg(integer) (SFUNC = int4_avg_accum, STYPE = bigint[], FINALFUNC = tipgate_compat.avg_int_final,
		 COMBINEFUNC = int4_avg_combine, INITCOND = '{0,0}', PARALLEL = SAFE)`,
		"CREATE AGGREGATE tipgate_compat.avg(bigint) (SFUNC = tipgate_compat.avg_int_accum, STYPE = bigint[], FINALFUNC = tipgate_compat.avg_int_final, INITCOND = '{0,0}')",
	},
}

// lockKey serialises migrations and catalog commits of every tipgate
// process on the database.
const lockKey = 0x7469706761746531 // "tipgate1"

// migrate creates or upgrades the tipgate schemas and refuses a database
// written by a newer tipgate or set up with another role prefix.
func (e *Engine) migrate(ctx context.Context) error {
	prefix := e.opts.RolePrefix // the recorded one, once read
	return pgmigrate.Apply(ctx, e.pool, pgmigrate.Plan{Name: "the tipgate schema", Prefix: "postgres", LockKey: lockKey, Migrations: migrations,
		ReadVersion: func(ctx context.Context, tx pgx.Tx) (int, error) {
			var have int
			err := tx.QueryRow(ctx, "SELECT schema_version, role_prefix FROM tipgate.meta WHERE id = 1").Scan(&have, &prefix)
			if errors.Is(err, pgx.ErrNoRows) {
				return 0, errors.New("tipgate.meta is empty: the tipgate schema was changed by hand")
			}
			return have, err
		},
		WriteVersion: func(ctx context.Context, tx pgx.Tx, v int) error {
			_, err := tx.Exec(ctx, `INSERT INTO tipgate.meta VALUES (1, $1, $2)
				ON CONFLICT (id) DO UPDATE SET schema_version = excluded.schema_version`, v, e.opts.RolePrefix)
			return err
		},
		After: func(ctx context.Context, tx pgx.Tx, applied bool) error {
			if prefix != e.opts.RolePrefix {
				return fmt.Errorf("postgres: the database's roles were created with prefix %q, not %q", prefix, e.opts.RolePrefix)
			}
			if !applied || !e.superuser {
				return nil
			}
			// Inside SET LOCAL ROLE, set_config('role', …) would make the
			// principal another role (docs/postgres.md). The guard refuses it
			// too; this holds for every other client of the database.
			if _, err := tx.Exec(ctx, "REVOKE EXECUTE ON FUNCTION pg_catalog.set_config(text, text, boolean) FROM PUBLIC"); err != nil {
				return fmt.Errorf("postgres: revoke set_config: %w", err)
			}
			return nil
		},
	})
}
