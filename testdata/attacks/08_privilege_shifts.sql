-- Class 8: privilege-context shifts: settings, prepared statements,
-- attachments, exports, extensions and session identity.
-- @expect error
SET search_path = 'tg_raw.main';
-- @expect error
SET schema = 'tg_raw.main';
-- @expect error
-- @only duckdb
USE tg_raw;
-- @expect error
SET SESSION AUTHORIZATION 'AWSIDC:ethan@example.com';
-- @expect error
SET ROLE "AWSIDC:exec-global";
-- @expect error
RESET ALL;
-- @expect error
SELECT set_config('app.region', 'Africa', false);
-- @expect error
-- @only duckdb
SET VARIABLE region = 'Africa';
-- @expect error
-- @only duckdb
SELECT getvariable('region');
-- @expect error
PREPARE p AS SELECT * FROM tg_raw.main.sales_data;
-- @expect error
PREPARE q AS SELECT count(*) FROM sales_data;
-- @expect error
EXECUTE q;
-- @expect error
-- @only duckdb
ATTACH '/tmp/tipgate-attack.db' AS x;
-- @expect error
-- @only duckdb
ATTACH ':memory:' AS x;
-- @expect error
-- @only duckdb
DETACH tg_raw;
-- @expect error
COPY sales_data TO '/tmp/tipgate-attack.csv';
-- @expect error
COPY (SELECT * FROM sales_data) TO '/tmp/tipgate-attack.csv';
-- @expect error
-- @only duckdb
EXPORT DATABASE '/tmp/tipgate-attack';
-- @expect error
-- @only duckdb
INSTALL httpfs;
-- @expect error
-- @only duckdb
LOAD httpfs;
-- @expect error
CHECKPOINT;
-- @expect error
VACUUM;
-- @expect error
-- @only duckdb
CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y');
-- @expect error
SET lock_configuration = false;
-- @expect error
SET enable_external_access = true;
-- @expect error
SET disabled_optimizers = '';
-- @expect error
-- @only duckdb
CREATE TEMP MACRO current_user() AS 'AWSIDC:ethan@example.com';
-- @expect error
-- @only duckdb
CREATE MACRO nvl(a, b) AS 'x';
-- @expect error
BEGIN TRANSACTION;
-- @expect error
ROLLBACK;
-- @expect error
CALL dbgen(sf = 0.01);
-- Identity is fixed by the connection: current_user is the principal.
SELECT count(*) FROM sales_data WHERE current_user = 'AWSIDC:ethan@example.com';
SELECT current_user;
SELECT session_user;
-- After all of the above, reads still match the ground truth.
SELECT count(*), sum(quantity) FROM sales_data;
