package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // reads COPY's Parquet sources; PostgreSQL has no reader of its own

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// stageTable receives a COPY's rows as text when a conversion is needed.
const stageTable = "pg_temp.tipgate_copy_stage"

// conversion turns a COPY's text fields into the table's values with the
// Redshift options PostgreSQL's COPY has no counterpart for: EMPTYASNULL
// and BLANKSASNULL (CHAR and VARCHAR fields that are empty, or only white
// space, load as NULL; an empty field of any other type is always NULL),
// and an explicit TIMEFORMAT or DATEFORMAT.
type conversion struct {
	exprs []string // per column, over the staging column cN
}

// newConversion returns nil when PostgreSQL's COPY reads the fields as
// they are.
func newConversion(s *ddl.Copy, cols []policy.Column) (*conversion, error) {
	tf, df := strings.ToLower(s.TimeFormat), strings.ToLower(s.DateFormat)
	if !s.EmptyAsNull && !s.BlanksAsNull && (tf == "" || tf == "auto") && (df == "" || df == "auto") {
		return nil, nil
	}
	var timeFmt, dateFmt string
	var err error
	if tf != "" && tf != "auto" {
		if timeFmt, err = pgDateTemplate(s.TimeFormat, "TIMEFORMAT"); err != nil {
			return nil, err
		}
	}
	if df != "" && df != "auto" {
		if dateFmt, err = pgDateTemplate(s.DateFormat, "DATEFORMAT"); err != nil {
			return nil, err
		}
	}
	c := &conversion{}
	for i, col := range cols {
		v := fmt.Sprintf("c%d", i)
		typ := pgType(col.Type)
		base, _, _ := strings.Cut(typ, "(")
		var e string
		switch {
		case base == "VARCHAR" || base == "CHAR":
			e = v
			if s.BlanksAsNull {
				e = "CASE WHEN " + e + " ~ '^[[:space:]]+$' THEN NULL ELSE " + e + " END"
			}
			if s.EmptyAsNull {
				e = "NULLIF(" + e + ", '')"
			}
			e = "CAST(" + e + " AS " + typ + ")"
		case base == "TIMESTAMP" && timeFmt != "":
			// to_timestamp reads in the session's time zone, set to UTC
			// for the INSERT (insert): the wall-clock time as written.
			e = "CAST(to_timestamp(NULLIF(" + v + ", ''), " + qs(timeFmt) + ") AS TIMESTAMP)"
		case base == "TIMESTAMPTZ" && timeFmt != "":
			e = "to_timestamp(NULLIF(" + v + ", ''), " + qs(timeFmt) + ")"
		case base == "DATE" && dateFmt != "":
			e = "to_date(NULLIF(" + v + ", ''), " + qs(dateFmt) + ")"
		default:
			e = "CAST(NULLIF(" + v + ", '') AS " + typ + ")"
		}
		c.exprs = append(c.exprs, e)
	}
	return c, nil
}

// stage creates the staging table for this transaction.
func (c *conversion) stage(ctx context.Context, tx pgx.Tx) error {
	var defs []string
	for i := range c.exprs {
		defs = append(defs, fmt.Sprintf("c%d text", i))
	}
	if _, err := tx.Exec(ctx, "DROP TABLE IF EXISTS "+stageTable); err != nil {
		return fmt.Errorf("postgres: COPY staging: %w", err)
	}
	if _, err := tx.Exec(ctx, "CREATE TEMP TABLE tipgate_copy_stage ("+strings.Join(defs, ", ")+") ON COMMIT DROP"); err != nil {
		return fmt.Errorf("postgres: COPY staging: %w", err)
	}
	return nil
}

// insert converts the staged rows into the table and drops the stage.
func (c *conversion) insert(ctx context.Context, tx pgx.Tx, into string) (int64, error) {
	var tz string
	if err := tx.QueryRow(ctx, "SELECT current_setting('TimeZone')").Scan(&tz); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, "SELECT set_config('TimeZone', 'UTC', true)"); err != nil {
		return 0, err
	}
	tag, err := tx.Exec(ctx, "INSERT INTO "+into+" SELECT "+strings.Join(c.exprs, ", ")+" FROM "+stageTable)
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, "SELECT set_config('TimeZone', $1, true)", tz); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, "DROP TABLE "+stageTable); err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// pgDateTemplate converts a Redshift datetime format to a to_timestamp
// template.
func pgDateTemplate(f, option string) (string, error) {
	return engine.ConvertDateFormat(f, option, pgDateElements, nil)
}

var pgDateElements = map[engine.DateFormatElement]string{
	"YYYY": "YYYY", "YY": "YY", "MM": "MM", "DD": "DD", "HH24": "HH24", "HH12": "HH12",
	"MI": "MI", "SS": "SS", "AM": "AM", "PM": "PM", "MON": "Mon",
}

// parquetToCSV has an in-memory DuckDB read the Parquet files (columns by
// position, as Redshift's COPY) into one CSV file of a temporary folder,
// which cleanup removes. NULL is written as an empty field, an empty string
// quoted, as PostgreSQL's CSV COPY reads them.
func parquetToCSV(ctx context.Context, files []string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "tipgate-copy-")
	if err != nil {
		return "", func() {}, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "", cleanup, err
	}
	defer db.Close()
	var list []string
	for _, f := range files {
		list = append(list, sqlscan.QuoteString(f))
	}
	out := filepath.Join(dir, "rows.csv")
	q := "COPY (SELECT * FROM read_parquet([" + strings.Join(list, ", ") + "])) TO " + sqlscan.QuoteString(out) +
		" (FORMAT csv, HEADER false, DELIMITER ',', QUOTE '\"', NULLSTR '')"
	if _, err := db.ExecContext(ctx, q); err != nil {
		return "", cleanup, err
	}
	return out, cleanup, nil
}
