-- Class 7: catalogs, metadata and side doors. Principals without
-- sys:secadmin see no policy metadata.
-- @expect empty
SELECT * FROM svv_rls_policy;
-- @expect empty
SELECT * FROM svv_rls_attached_policy;
-- @expect empty
SELECT * FROM svv_masking_policy;
-- @expect empty
SELECT * FROM svv_attached_masking_policy;
-- @expect empty
SELECT * FROM svv_rls_applied_policy;
-- @expect empty
SELECT polqual FROM svv_rls_policy WHERE polqual LIKE '%Asia%';
-- @expect rows 3
SELECT relname, is_rls_on FROM svv_rls_relation;
-- @expect rows 9
SELECT role_name FROM svv_roles;
-- @expect error
SHOW TABLES;
-- @expect error
-- @only duckdb
SHOW ALL TABLES;
-- @expect error
SHOW DATABASES;
-- @expect error
-- @only duckdb
SELECT * FROM duckdb_indexes();
-- @expect error
SELECT * FROM information_schema.schemata;
-- @expect error
SELECT * FROM pg_catalog.pg_namespace;
-- @expect error
SELECT * FROM pg_settings;
-- @expect error
-- @only duckdb
DESCRIBE secret_notes;
-- @expect error
-- @only duckdb
DESCRIBE SELECT * FROM secret_notes;
-- @expect error
-- @only duckdb
SUMMARIZE secret_notes;
-- @expect error
-- @only duckdb
SELECT * FROM (DESCRIBE tg_raw.main.sales_data);
-- @expect error
-- @only duckdb
PRAGMA show_tables;
-- @expect error
-- @only duckdb
PRAGMA table_info('sales_data');
-- @expect error
CALL pragma_version();
-- "Distinct values" a filter widget would ask for: only visible values.
SELECT DISTINCT city FROM sales_data;
SELECT DISTINCT country FROM sales_data;
SELECT DISTINCT timezone FROM sales_data;
SELECT category, count(*) FROM sales_data GROUP BY ALL;
-- @variant postgres
SELECT category, count(*) FROM sales_data GROUP BY 1;
SELECT min(timestamp), max(timestamp) FROM sales_data;
SELECT min(population), max(population) FROM sales_data;
