-- Class 12: statistics. DuckDB proves predicates false from a column's
-- minimum, maximum and null count and then skips what they guard, errors
-- included. Statistics of the principal's rows would be safe; statistics of
-- the whole table are not: each query below fails on rows the principal may
-- see exactly when the table's statistics (hidden rows' extremes) do not
-- let DuckDB skip it, so its outcome must match the ground truth (which
-- holds and has statistics of only the principal's rows). The "control"
-- thresholds lie beyond every row's value.
-- @default same
-- @as ming
-- @engine duckdb
-- (DuckDB only: on PostgreSQL these queries evaluate less than on the
-- DuckDB ground truth, never more: an empty join side stops the other, and
-- quals run cheapest first. PostgreSQL's own residual channel, plan shape
-- chosen from whole-table estimates, is in docs/postgres.md.)
SELECT longitude, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY longitude HAVING longitude < -100;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE longitude < -100) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, longitude FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE longitude < -100;
SELECT longitude, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY longitude HAVING longitude < -200;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE longitude < -200) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, longitude FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE longitude < -200;
-- @as ming
SELECT latitude, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY latitude HAVING latitude < -30;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE latitude < -30) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, latitude FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE latitude < -30;
SELECT latitude, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY latitude HAVING latitude < -90;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE latitude < -90) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, latitude FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE latitude < -90;
-- @as ming
SELECT population, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY population HAVING population < 200000;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE population < 200000) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, population FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE population < 200000;
SELECT population, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY population HAVING population < 1000;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE population < 1000) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, population FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE population < 1000;
-- @as frank
SELECT longitude, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY longitude HAVING longitude > 100;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE longitude > 100) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, longitude FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE longitude > 100;
SELECT longitude, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY longitude HAVING longitude > 200;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE longitude > 200) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, longitude FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE longitude > 200;
-- @as frank
SELECT population, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY population HAVING population < 200000;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE population < 200000) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, population FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE population < 200000;
SELECT population, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY population HAVING population < 1000;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE population < 1000) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, population FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE population < 1000;
-- @as olga
SELECT latitude, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY latitude HAVING latitude < 0;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE latitude < 0) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, latitude FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE latitude < 0;
SELECT latitude, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY latitude HAVING latitude < -90;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE latitude < -90) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, latitude FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE latitude < -90;
-- @as olga
SELECT longitude, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY longitude HAVING longitude > 100;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE longitude > 100) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, longitude FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE longitude > 100;
SELECT longitude, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY longitude HAVING longitude > 200;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE longitude > 200) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, longitude FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE longitude > 200;
-- @as alex
SELECT timezone, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY timezone HAVING timezone < 'Asia';
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE timezone < 'Asia') a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, timezone FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE timezone < 'Asia';
SELECT timezone, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY timezone HAVING timezone < 'A';
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE timezone < 'A') a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, timezone FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE timezone < 'A';
-- @as alex
SELECT quantity, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY quantity HAVING quantity > 10;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE quantity > 10) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, quantity FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE quantity > 10;
SELECT quantity, count(*) FROM sales_data WHERE CAST(city AS INT) = 1 GROUP BY quantity HAVING quantity > 1000;
SELECT sum(b.x) FROM (SELECT 1 FROM sales_data WHERE quantity > 1000) a, (SELECT CAST(city AS INT) AS x FROM sales_data) b;
SELECT count(*) FROM (SELECT city, quantity FROM sales_data WHERE CAST(country AS INT) = 1) t WHERE quantity > 1000;
