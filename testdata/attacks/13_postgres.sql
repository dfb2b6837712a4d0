-- Class 13: PostgreSQL's own doors (issue 19). Ways a principal's
-- statement could leave its role, read the raw tables or the policies'
-- text, or reach files, settings, other databases or SQL given as text.
-- Every engine refuses them; on PostgreSQL the guard does, before the
-- statement reaches the server (TestPostgresAttacks checks, in addition,
-- that nothing of them survives on a pooled connection).
-- @default error
-- Role and settings changes: inside SET LOCAL ROLE, set_config('role', …)
-- or RESET ROLE would make the principal someone else.
SELECT set_config('role', 'postgres', true);
SELECT count(*) FROM sales_data WHERE set_config('row_security', 'off', true) IS NOT NULL;
SELECT current_setting('role');
SELECT current_setting('is_superuser');
RESET ROLE;
SET ROLE postgres;
SET SESSION AUTHORIZATION postgres;
SET row_security = off;
SET search_path = tipgate_data;
-- Statements that are not reads.
DO $$ BEGIN PERFORM 1; END $$;
LISTEN tipgate;
SELECT pg_notify('tipgate', 'x');
PREPARE q AS SELECT * FROM sales_data;
EXECUTE q;
DECLARE c CURSOR FOR SELECT * FROM sales_data;
FETCH ALL FROM c;
VACUUM sales_data;
ANALYZE sales_data;
SELECT * INTO stolen FROM sales_data;
SELECT * FROM sales_data FOR UPDATE;
-- The raw tables, the catalog and the policies' text.
SELECT count(*) FROM tipgate_data.sales_data;
SELECT body FROM tipgate.catalog;
SELECT qual FROM pg_policies;
SELECT polqual FROM pg_catalog.pg_policy;
SELECT pg_get_expr(polqual, polrelid) FROM pg_policy;
SELECT pg_get_viewdef('sales_data');
SELECT definition FROM pg_views WHERE viewname = 'sales_data';
SELECT prosrc FROM pg_proc;
SELECT * FROM information_schema.role_table_grants;
SELECT * FROM pg_stats WHERE tablename = 'sales_data';
SELECT 'tipgate_data.sales_data'::regclass;
SELECT table_to_xml(16384::regclass, true, false, '');
-- Files, large objects, other databases, SQL in a string.
SELECT pg_read_file('/etc/passwd');
SELECT pg_ls_dir('.');
SELECT lo_import('/etc/passwd');
SELECT query_to_xml('SELECT * FROM tipgate_data.sales_data', true, false, '');
SELECT * FROM ts_stat('SELECT to_tsvector(city) FROM tipgate_data.sales_data');
SELECT * FROM dblink('dbname=postgres', 'SELECT 1') AS t(x int);
SELECT pg_sleep(5);
SELECT tipgate.principal();
