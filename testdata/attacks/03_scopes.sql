-- Class 3: set operations, multiple statements, recursion, views and writes.
SELECT city FROM sales_data UNION SELECT city FROM sales_data;
SELECT count(*) FROM (SELECT timezone FROM sales_data WHERE false UNION ALL SELECT timezone FROM sales_data) AS sq;
SELECT count(*) FROM (SELECT timezone FROM sales_data INTERSECT SELECT timezone FROM sales_data) AS sq;
SELECT count(*) FROM (SELECT timezone FROM sales_data EXCEPT SELECT 'x') AS sq;
-- @only duckdb
SELECT count(*) FROM (SELECT timezone FROM sales_data UNION ALL BY NAME SELECT timezone FROM sales_data);
SELECT count(*) FROM sales_data UNION ALL SELECT count(*) FROM region_lookup;
SELECT 'Africa/Lagos' AS tz EXCEPT SELECT timezone FROM sales_data;
-- (Several statements in one call are tested in Go: this file is split on ";".)
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < (SELECT count(*) FROM sales_data) AND n < 5) SELECT max(n) FROM r;
-- @expect error
CREATE VIEW v AS SELECT * FROM sales_data;
-- @expect error
CREATE TEMP VIEW v AS SELECT * FROM sales_data;
-- @expect error
CREATE TABLE x AS SELECT * FROM sales_data;
-- @expect error
CREATE TEMP TABLE x AS SELECT * FROM sales_data;
-- @expect error
-- @only duckdb
CREATE MACRO m() AS TABLE SELECT * FROM tg_raw.main.sales_data;
-- @expect error
INSERT INTO sales_data SELECT * FROM sales_data;
-- @expect error
DELETE FROM sales_data;
-- @expect error
UPDATE sales_data SET city = 'x';
-- @expect error
TRUNCATE sales_data;
-- @expect error
DROP TABLE sales_data;
-- @expect error
ALTER TABLE sales_data ROW LEVEL SECURITY OFF;
-- @expect error
DETACH RLS POLICY apac ON sales_data FROM ROLE "AWSIDC:apac-sales";
-- @expect error
GRANT IGNORE RLS TO "AWSIDC:ming@example.com";
-- @expect error
GRANT ROLE "AWSIDC:amer-sales" TO "AWSIDC:ming@example.com";
-- @expect error
CREATE RLS POLICY p USING (true);
-- @expect error
DROP RLS POLICY apac CASCADE;
-- @expect error
GRANT SELECT ON secret_notes TO PUBLIC;
-- @expect error
CREATE ROLE "AWSIDC:new-role";
-- @expect error
COPY sales_data FROM '/etc/passwd';
