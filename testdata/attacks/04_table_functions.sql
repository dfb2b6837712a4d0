-- Class 4: table functions and SQL-in-a-string. Only range,
-- generate_series and unnest are allowed. DuckDB's file readers, catalog
-- functions and replacement scans are "@only duckdb": PostgreSQL has none
-- of them, and its own (pg_read_file, lo_import, query_to_xml, dblink, …)
-- are class 13 and TestPostgresAttacks.
-- @expect error
-- @only duckdb
SELECT * FROM read_csv('/etc/passwd');
-- @expect error
-- @only duckdb
SELECT * FROM read_csv_auto('/etc/passwd');
-- @expect error
-- @only duckdb
SELECT * FROM read_parquet('x.parquet');
-- @expect error
-- @only duckdb
SELECT * FROM read_text('/etc/passwd');
-- @expect error
-- @only duckdb
SELECT * FROM read_blob('/etc/passwd');
-- @expect error
-- @only duckdb
SELECT * FROM read_json('x.json');
-- @expect error
-- @only duckdb
SELECT * FROM read_ndjson_objects('x.json');
-- @expect error
-- @only duckdb
SELECT * FROM glob('/*');
-- @expect error
-- @only duckdb
SELECT * FROM query('SELECT * FROM tg_raw.main.sales_data');
-- @expect error
-- @only duckdb
SELECT * FROM query('SELECT * FROM sales_data');
-- @expect error
-- @only duckdb
SELECT * FROM query_table('tg_raw.main.sales_data');
-- @expect error
-- @only duckdb
SELECT * FROM query_table('sales_data');
-- @expect error
-- @only duckdb
SELECT json_execute_serialized_sql(json_serialize_sql('SELECT 1'));
-- @expect error
-- @only duckdb
SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT * FROM tg_raw.main.sales_data'));
-- @expect error
-- @only duckdb
SELECT json_serialize_sql('SELECT * FROM tg_raw.main.sales_data');
-- @expect error
-- @only duckdb
SELECT * FROM duckdb_tables();
-- @expect error
-- @only duckdb
SELECT * FROM duckdb_views();
-- @expect error
-- @only duckdb
SELECT * FROM duckdb_columns();
-- @expect error
-- @only duckdb
SELECT * FROM duckdb_settings();
-- @expect error
-- @only duckdb
SELECT * FROM duckdb_databases();
-- @expect error
-- @only duckdb
SELECT * FROM duckdb_functions();
-- @expect error
-- @only duckdb
SELECT * FROM duckdb_secrets();
-- @expect error
-- @only duckdb
SELECT * FROM duckdb_dependencies();
-- @expect error
-- @only duckdb
SELECT * FROM pragma_table_info('sales_data');
-- @expect error
-- @only duckdb
SELECT * FROM pragma_storage_info('tg_raw.main.sales_data');
-- @expect error
SELECT * FROM pragma_database_list;
-- @expect error
-- @only duckdb
SELECT * FROM pragma_database_list();
-- @expect error
-- @only duckdb
SELECT * FROM '/etc/passwd';
-- @expect error
-- @only duckdb
SELECT * FROM 'warehouse.duckdb';
-- @expect error
-- @only duckdb
SELECT * FROM 'staging/x.csv';
-- @expect error
SELECT current_setting('threads');
-- @expect error
-- @only duckdb
SELECT getenv('HOME');
-- @expect error
-- @only duckdb
SELECT * FROM sniff_csv('/etc/passwd');
-- @expect error
-- @only duckdb
SELECT * FROM parquet_metadata('x.parquet');
-- @expect error
-- @only duckdb
SELECT * FROM parquet_schema('x.parquet');
-- @expect error
SELECT pg_get_viewdef('sales_data');
-- @expect error
-- @only duckdb
SELECT * FROM sqlite_scan('x.db', 'y');
-- @expect error
-- @only duckdb
SELECT * FROM which_secret('s3://x/y', 's3');
-- @expect error
-- @only duckdb
SELECT * FROM test_all_types();
-- @expect error
-- @only duckdb
SELECT * FROM histogram(sales_data, city);
-- @expect error
-- @only duckdb
SELECT * FROM histogram('sales_data', city);
-- @expect error
SELECT has_table_privilege('sales_data', 'select');
-- @expect error
SELECT current_database(), current_schema();
-- @expect error
-- @only duckdb
SELECT * FROM check_peg_parser('SELECT 1');
-- @expect ok
SELECT * FROM range(3);
-- @variant postgres
SELECT * FROM generate_series(0, 2);
-- @variant trino
SELECT * FROM UNNEST(sequence(0, 2));
-- @expect ok
SELECT * FROM generate_series(1, 3);
-- @variant trino
SELECT * FROM UNNEST(sequence(1, 3));
-- @expect ok
SELECT * FROM unnest([1, 2, 3]);
-- @variant postgres
SELECT * FROM unnest(ARRAY[1, 2, 3]);
-- @expect ok
SELECT count(*) FROM sales_data, range(2);
-- @variant postgres
SELECT count(*) FROM sales_data, generate_series(0, 1);
-- @variant trino
SELECT count(*) FROM sales_data, UNNEST(sequence(0, 1));
