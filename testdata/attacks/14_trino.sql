-- Class 14: Trino's own doors (issue 17). Ways a principal's statement on
-- the Trino engine could read around the rules tipgate compiles into
-- Trino's file-based access control: the system catalog and other
-- catalogs, Iceberg's metadata tables and time travel, table functions,
-- a change of identity, role or session, Trino's own EXPLAIN and SHOW,
-- prepared and immediate statements, inline SQL routines, and error
-- messages that quote values. Every one is refused, or reads only the
-- principal's rows. The ground truth of an attack that returns rows is the
-- same statement on the principal's DuckDB, so the forms that must return
-- rows are written in SQL both engines read.
-- @engine trino
-- @default error
--
-- The system catalog: the cluster's queries (with every user's text),
-- nodes, tasks, catalogs, and the metadata of every catalog.
SELECT query FROM system.runtime.queries;
SELECT * FROM system.runtime.nodes;
SELECT * FROM system.runtime.tasks;
SELECT * FROM system.runtime.transactions;
SELECT * FROM system.metadata.catalogs;
SELECT * FROM system.metadata.table_comments;
SELECT * FROM system.metadata.materialized_views;
SELECT * FROM system.jdbc.tables;
SELECT * FROM system.jdbc.columns;
SELECT * FROM system.information_schema.tables;
SELECT "system"."runtime"."queries"."query" FROM "system"."runtime"."queries";
SELECT query FROM SyStEm . RUNTIME . queries;
SELECT query FROM U&"\0073ystem".runtime.queries;
SELECT * FROM memory.information_schema.tables;
SELECT * FROM memory.default.stolen;
SELECT * FROM iceberg.information_schema.tables;
SELECT * FROM iceberg.information_schema.schemata;
-- information_schema of the warehouse: the tables, columns, grants and
-- roles Trino knows (tipgate's catalog answers SVV_* instead).
SELECT * FROM information_schema.tables;
SELECT * FROM information_schema.columns WHERE table_name = 'secret_notes';
SELECT * FROM information_schema.table_privileges;
SELECT * FROM information_schema.applicable_roles;
SELECT * FROM information_schema.enabled_roles;
SELECT * FROM information_schema.roles;
SELECT * FROM information_schema.views;
-- The rules' probe table, and Iceberg's metadata tables: $files and
-- $partitions hold every data file's column bounds (minimum and maximum
-- values of hidden rows); $snapshots and $history the table's past.
SELECT * FROM sys_tipgate_rules;
SELECT * FROM "sales_data$files";
SELECT lower_bounds, upper_bounds FROM "sales_data$files";
SELECT * FROM "sales_data$partitions";
SELECT * FROM "sales_data$snapshots";
SELECT * FROM "sales_data$history";
SELECT * FROM "sales_data$manifests";
SELECT * FROM "sales_data$all_manifests";
SELECT * FROM "sales_data$entries";
SELECT * FROM "sales_data$all_entries";
SELECT * FROM "sales_data$properties";
SELECT * FROM "sales_data$refs";
SELECT * FROM "secret_notes$files";
SELECT * FROM "sales_data$data";
-- Time travel: an older snapshot of a table (before policies were
-- attached, or rows since deleted). Redshift has none; tipgate refuses it.
SELECT count(*) FROM sales_data FOR TIMESTAMP AS OF TIMESTAMP '2999-01-01 00:00:00 UTC';
SELECT count(*) FROM sales_data FOR VERSION AS OF 1;
SELECT count(*) FROM sales_data FOR VERSION AS OF 'main';
-- Table functions: connectors' (system.query passes SQL through,
-- table_changes reads a table's changes) and built-in ones that take a
-- table as an argument. Redshift has none: tipgate refuses TABLE(…).
SELECT * FROM TABLE(system.query(query => 'SELECT * FROM sales_data'));
SELECT * FROM TABLE(iceberg.system.table_changes(schema_name => 'public', table_name => 'sales_data', start_snapshot_id => 0, end_snapshot_id => 1));
SELECT * FROM TABLE(exclude_columns(input => TABLE(secret_notes), columns => DESCRIPTOR(id)));
SELECT * FROM TABLE(system.builtin.exclude_columns(input => TABLE(sales_data), columns => DESCRIPTOR(sku)));
SELECT * FROM TABLE(memory.system.sequence(start => 1, stop => 3));
SELECT * FROM TABLE(sequence(start => 1, stop => 3));
-- @expect rows 3
SELECT * FROM UNNEST(ARRAY[1, 2, 3]);
-- Procedures.
CALL system.runtime.kill_query(query_id => '1', message => 'x');
CALL iceberg.system.rollback_to_snapshot('public', 'sales_data', 1);
CALL iceberg.system.register_table(schema_name => 'public', table_name => 'stolen', table_location => '/tmp');
-- Identity, roles and session properties: the principal is whoever tipgate
-- impersonated, with Trino's session as tipgate set it.
SET SESSION AUTHORIZATION 'AWSIDC:alex@example.com';
SET SESSION AUTHORIZATION tipgate;
RESET SESSION AUTHORIZATION;
SET ROLE admin;
SET ROLE ALL;
SET ROLE NONE;
SET ROLE "AWSIDC:apac-sales" IN iceberg;
SET SESSION query_max_run_time = '1h';
SET SESSION iceberg.projection_pushdown_enabled = false;
SET SESSION optimizer_hide_inaccessible_columns = true;
RESET SESSION query_max_run_time;
SET PATH system.builtin;
SET TIME ZONE 'UTC';
USE system.runtime;
USE iceberg.information_schema;
USE memory.default;
/* a comment first */ SET SESSION AUTHORIZATION 'AWSIDC:alex@example.com';
-- a line comment first
SET ROLE admin;
GRANT SELECT ON sales_data TO "AWSIDC:ming@example.com";
REVOKE SELECT ON sales_data FROM "AWSIDC:ming@example.com";
CREATE ROLE stolen;
GRANT admin TO USER "AWSIDC:ming@example.com";
DENY SELECT ON sales_data TO "AWSIDC:ming@example.com";
ALTER TABLE sales_data EXECUTE optimize;
ALTER TABLE sales_data SET AUTHORIZATION "AWSIDC:ming@example.com";
COMMENT ON TABLE sales_data IS 'x';
CREATE VIEW stolen AS SELECT * FROM sales_data;
CREATE TABLE stolen AS SELECT * FROM sales_data;
CREATE FUNCTION f() RETURNS integer RETURN 1;
INSERT INTO sales_data (sku) VALUES ('x');
DELETE FROM sales_data;
UPDATE sales_data SET sku = 'x';
MERGE INTO sales_data t USING secret_notes s ON false WHEN NOT MATCHED THEN INSERT (sku) VALUES ('x');
TRUNCATE TABLE sales_data;
START TRANSACTION;
COMMIT;
ROLLBACK;
-- Prepared and immediate statements: SQL given as a string, checked by
-- nobody.
PREPARE q FROM SELECT * FROM sales_data;
EXECUTE q;
EXECUTE IMMEDIATE 'SELECT * FROM secret_notes';
EXECUTE IMMEDIATE 'SET SESSION AUTHORIZATION tipgate';
DESCRIBE INPUT q;
DESCRIBE OUTPUT q;
DEALLOCATE PREPARE q;
-- Inline SQL routines (WITH FUNCTION): Redshift has none; tipgate refuses
-- them (a routine could raise on the rows it is given, or be handed rows
-- before a filter).
WITH FUNCTION leak(x varchar) RETURNS varchar RETURN x SELECT leak(city) FROM sales_data;
WITH FUNCTION boom(x varchar) RETURNS boolean RETURN CAST(x AS integer) = 1 SELECT count(*) FROM sales_data WHERE boom(city);
/* */ WITH FUNCTION f() RETURNS integer RETURN 1 SELECT f();
-- Trino's EXPLAIN and SHOW print row filters, masks, statistics and
-- definitions: tipgate answers EXPLAIN itself, and refuses Trino's forms.
EXPLAIN (TYPE IO) SELECT * FROM sales_data;
EXPLAIN (TYPE IO, FORMAT JSON) SELECT * FROM sales_data;
EXPLAIN (TYPE DISTRIBUTED) SELECT * FROM sales_data;
EXPLAIN (TYPE LOGICAL) SELECT * FROM sales_data;
EXPLAIN (FORMAT GRAPHVIZ) SELECT * FROM sales_data;
-- @expect explain
EXPLAIN ANALYZE SELECT * FROM sales_data;
-- @expect explain
EXPLAIN ANALYZE VERBOSE (SELECT * FROM sales_data);
-- @expect explain
EXPLAIN ANALYZE VERBOSE SELECT * FROM sales_data WHERE city = 'Lagos';
-- @expect explain
EXPLAIN SELECT count(*) FROM sales_data s WHERE s.city = 'Lagos' AND s.quantity > 1;
SHOW CREATE TABLE sales_data;
SHOW CREATE VIEW sales_data;
SHOW CREATE MATERIALIZED VIEW sales_data;
SHOW CREATE SCHEMA public;
SHOW CREATE FUNCTION f;
SHOW STATS FOR sales_data;
SHOW STATS FOR (SELECT * FROM sales_data);
SHOW GRANTS;
SHOW GRANTS ON TABLE sales_data;
SHOW ROLES;
SHOW CURRENT ROLES;
SHOW ROLE GRANTS;
SHOW SESSION;
SHOW FUNCTIONS;
SHOW CATALOGS;
SHOW SCHEMAS;
SHOW SCHEMAS FROM system;
SHOW TABLES FROM system.runtime;
SHOW COLUMNS FROM secret_notes;
SHOW BRANCHES FROM TABLE sales_data;
DESCRIBE sales_data;
DESCRIBE secret_notes;
-- Identity functions: the principal's own name and groups, nothing more.
-- @expect rows 1
SELECT current_groups();
-- @expect rows 1
SELECT current_catalog, current_schema;
-- @expect ok
SELECT count(*) FROM sales_data WHERE current_user = 'AWSIDC:ming@example.com';
-- Values in error messages: Trino's cast, regular expression and fail()
-- messages quote the value they failed on; tipgate redacts them, and an
-- expression of the statement never sees a hidden row (Africa is hidden
-- from every principal), so none of these fails.
-- @expect same
SELECT count(*) FROM sales_data WHERE CAST(CASE WHEN timezone LIKE 'Africa%' THEN timezone ELSE '1' END AS integer) = 1;
-- @expect same
SELECT count(*) FROM sales_data WHERE regexp_like(timezone, CASE WHEN timezone LIKE 'Africa%' THEN timezone || '(' ELSE '.' END);
-- @expect same
SELECT count(*) FROM sales_data WHERE CAST(CASE WHEN timezone LIKE 'Africa%' THEN timezone ELSE '2024-01-01' END AS date) > DATE '2000-01-01';
-- @expect same
SELECT count(*) FROM sales_data WHERE try(CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS integer)) IS NULL;
-- @expect same
SELECT count(try(CAST(timezone AS integer))) FROM sales_data;
-- @expect same
SELECT count(*) FROM sales_data WHERE 1 / CASE WHEN timezone LIKE 'Africa%' THEN 0 ELSE 1 END = 1;
-- @expect same
SELECT count(*) FROM sales_codes WHERE length(code) > 2;
-- @expect same
SELECT max(code) FROM sales_codes WHERE CAST(CASE WHEN length(code) > 2 THEN code ELSE '1' END AS integer) = 1;
-- @expect rows 1
SELECT count(*) FROM sales_data WHERE CASE WHEN timezone LIKE 'Africa%' THEN fail(timezone) ELSE true END;
-- @expect rows 1
SELECT count(*) FROM sales_data WHERE CASE WHEN timezone LIKE 'Africa%' THEN fail(9, timezone) ELSE true END;
-- @expect same
SELECT CAST(timezone AS integer) FROM sales_data;
-- @expect same
SELECT count(*) FROM sales_data WHERE regexp_like(timezone, timezone || '(');
-- Masked columns: a mask is applied before the statement's expressions.
-- @as ming
-- @expect same
SELECT count(*) FROM sales_data WHERE elevation IS NOT NULL;
-- @as alex
-- @expect same
SELECT count(*) FROM sales_data WHERE sales_price <> CAST(round(sales_price, 0) AS DECIMAL(10,2));
-- @as all
-- Unicode and quoting tricks on table names.
-- @expect same
SELECT count(*) FROM "SALES_DATA";
-- @expect any
SELECT count(*) FROM public.sales_data;
SELECT count(*) FROM U&"sales\005fdata";
SELECT * FROM "secret_notes";
SELECT * FROM public."secret_notes";
SELECT note FROM secret_notes WHERE false;
