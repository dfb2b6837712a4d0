package pgstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/pgmigrate"
)

// lockKey serialises migrations of the store's schema ("tgstore1").
const lockKey = 0x7467_7374_6f72_6531

// migrations of tipgate_store. Never edit one that has shipped: append.
var migrations = [][]string{
	{
		"CREATE SCHEMA tipgate_store",
		"REVOKE ALL ON SCHEMA tipgate_store FROM PUBLIC",
		"CREATE TABLE tipgate_store.meta (id int PRIMARY KEY CHECK (id = 1), schema_version int NOT NULL)",
		`CREATE TABLE tipgate_store.statements (id text PRIMARY KEY, owner text NOT NULL, name text NOT NULL, replica text NOT NULL,
		 status text NOT NULL, error text NOT NULL, active boolean NOT NULL, created timestamptz NOT NULL, updated timestamptz NOT NULL, body bytea NOT NULL)`,
		"CREATE INDEX statements_owner ON tipgate_store.statements (owner, created DESC)",
		"CREATE INDEX statements_active ON tipgate_store.statements (owner) WHERE active",
		"CREATE INDEX statements_ended ON tipgate_store.statements (created) WHERE NOT active",
		// A result is readable once its row exists (Commit); its pages may
		// be written before.
		"CREATE TABLE tipgate_store.results (id text PRIMARY KEY, pages int NOT NULL, bytes bigint NOT NULL, created timestamptz NOT NULL DEFAULT now())",
		"CREATE TABLE tipgate_store.pages (result text NOT NULL, n int NOT NULL, body bytea NOT NULL, PRIMARY KEY (result, n))",
		`CREATE FUNCTION tipgate_store.drop_pages() RETURNS trigger LANGUAGE plpgsql AS
		 $$ BEGIN DELETE FROM tipgate_store.pages WHERE result = OLD.id; RETURN OLD; END $$`,
		"CREATE TRIGGER results_pages AFTER DELETE ON tipgate_store.results FOR EACH ROW EXECUTE FUNCTION tipgate_store.drop_pages()",
		`CREATE TABLE tipgate_store.data_sessions (id text PRIMARY KEY, owner text NOT NULL, created timestamptz NOT NULL,
		 last_used timestamptz NOT NULL, keep_alive_ms bigint NOT NULL, busy text NOT NULL)`,
		"CREATE TABLE tipgate_store.client_tokens (key text PRIMARY KEY, id text NOT NULL, created timestamptz NOT NULL)",
		"CREATE TABLE tipgate_store.revocations (sid text PRIMARY KEY, expires timestamptz NOT NULL)",
		"CREATE TABLE tipgate_store.replay (key bytea PRIMARY KEY, until timestamptz NOT NULL)",
		"CREATE TABLE tipgate_store.audit (seq bigserial PRIMARY KEY, at timestamptz NOT NULL, body jsonb NOT NULL)",
		"CREATE TABLE tipgate_store.web_sessions (key bytea PRIMARY KEY, body bytea NOT NULL, expiry timestamptz NOT NULL)",
		"CREATE TABLE tipgate_store.web_logins (state text PRIMARY KEY, body bytea NOT NULL, created timestamptz NOT NULL)",
		"CREATE TABLE tipgate_store.keys (name text PRIMARY KEY, value bytea NOT NULL, created timestamptz NOT NULL DEFAULT now())",
		`CREATE TABLE tipgate_store.replicas (id text PRIMARY KEY, engine text NOT NULL, started timestamptz NOT NULL,
		 until timestamptz NOT NULL)`,
	},
	{
		// Version 0 is a placeholder row Update locks before the first
		// document exists.
		"CREATE TABLE tipgate_store.documents (name text PRIMARY KEY, body bytea NOT NULL, version bigint NOT NULL)",
	},
}

func (s *Store) migrate(ctx context.Context) error {
	return pgmigrate.Apply(ctx, s.pool, pgmigrate.Plan{Name: "the tipgate_store schema", Prefix: "store", LockKey: lockKey, Migrations: migrations,
		ReadVersion: func(ctx context.Context, tx pgx.Tx) (int, error) {
			var v int
			err := tx.QueryRow(ctx, "SELECT schema_version FROM tipgate_store.meta WHERE id = 1").Scan(&v)
			if errors.Is(err, pgx.ErrNoRows) {
				return 0, errors.New("tipgate_store.meta is empty: the schema was changed by hand")
			}
			return v, err
		},
		WriteVersion: func(ctx context.Context, tx pgx.Tx, v int) error {
			_, err := tx.Exec(ctx, `INSERT INTO tipgate_store.meta VALUES (1, $1)
				ON CONFLICT (id) DO UPDATE SET schema_version = excluded.schema_version`, v)
			return err
		},
	})
}
