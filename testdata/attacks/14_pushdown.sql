-- Class 14: safe pushdown (issue 14). On DuckDB, tipgate moves a
-- principal's leakproof WHERE conjuncts (a granted, unmasked column compared
-- with a literal of its own type, IN lists, IS NULL, AND/OR/NOT of these)
-- on a single policy view into the view's own filter, next to the row
-- filter, where they run on hidden rows too; everything else stays above the
-- row filter (internal/engine/duckdb/pushdown.go). Each statement pairs a
-- predicate that is pushed (or one that must not be) with an expression that
-- fails on hidden rows only (Africa/* time zones and Cairo are hidden from
-- every fixture principal): it must do exactly what it does on the
-- principal's ground truth, and no error may name a hidden value. For ming
-- (LIKE policy, constant mask) and olga (LIKE and <> policy) predicates are
-- pushed; for alex (a mask reading its column) and frank (a lookup policy)
-- nothing is, and the same statements hold them to the same answers.
-- TestPushdownPlan checks in DuckDB's optimised plan which predicates move.
-- @default same

-- @as all
-- Pushed: comparison, IN, IS NULL, BETWEEN, OR, NOT; a failing cast stays above.
SELECT count(*) FROM sales_data WHERE city <> 'x' AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE category IN ('Running', 'Cycling', 'Golf') AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE country IS NOT NULL AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN country ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE quantity BETWEEN 1 AND 100 AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE (city = 'Tokyo' OR country <> 'x') AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE NOT (category = 'x') AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE quantity > -1 AND quantity <= 2147483647 AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
-- Pushed, with a regular expression that fails on hidden rows.
SELECT count(*) FROM sales_data WHERE category <> 'x' AND (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- @variant trino
SELECT count(*) FROM sales_data WHERE category <> 'x' AND regexp_like(timezone, CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END);
SELECT count(*) FROM sales_data WHERE city IN ('Tokyo', 'Berlin', 'Chicago', 'Cairo', 'Lagos') AND (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || city ELSE '.*' END));
-- @variant trino
SELECT count(*) FROM sales_data WHERE city IN ('Tokyo', 'Berlin', 'Chicago', 'Cairo', 'Lagos') AND regexp_like(timezone, CASE WHEN timezone LIKE 'Africa%' THEN '(' || city ELSE '.*' END);
-- Pushed, with a division by zero on hidden rows.
SELECT count(*) FROM sales_data WHERE country <> 'x' AND 1 / (CASE WHEN timezone LIKE 'Africa%' THEN 0 ELSE 1 END) = 1;
-- Pushed, with an integer overflow on hidden rows.
SELECT count(*) FROM sales_data WHERE quantity >= 0 AND (CASE WHEN timezone LIKE 'Africa%' THEN 2147483647 + quantity ELSE 0 END) = 0;
-- A pushed predicate that names hidden values: the answer counts visible rows only.
SELECT count(*) FROM sales_data WHERE city = 'Cairo';
SELECT count(*) FROM sales_data WHERE country IN ('EG', 'NG') OR timezone = 'Africa/Lagos';
SELECT city, count(*) FROM sales_data WHERE country IN ('JP', 'DE', 'US', 'EG', 'NG') GROUP BY city ORDER BY city;
SELECT timezone, min(quantity), max(quantity) FROM sales_data WHERE timezone >= 'Africa' AND timezone < 'B' GROUP BY timezone ORDER BY timezone;
-- Qualified by the view's name or an alias; in a subquery; correlated.
SELECT count(*) FROM sales_data s WHERE s.city <> 'x' AND CAST(CASE WHEN s.timezone LIKE 'Africa%' THEN s.city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE sales_data.category <> 'x' AND CAST(CASE WHEN sales_data.timezone LIKE 'Africa%' THEN sales_data.city ELSE '1' END AS INT) = 1;
SELECT (SELECT count(*) FROM sales_data WHERE city <> 'x' AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1) AS n;
SELECT timezone_prefix, (SELECT count(*) FROM sales_data s WHERE s.city <> 'x' AND split_part(s.timezone, '/', 1) = r.timezone_prefix AND CAST(CASE WHEN s.timezone LIKE 'Africa%' THEN s.city ELSE '1' END AS INT) = 1) FROM region_lookup r ORDER BY 1;
-- A name that is not a column of the view binds to the outer query: not pushed.
SELECT count(*) FROM region_lookup WHERE EXISTS (SELECT 1 FROM sales_data WHERE manager <> 'x' AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1);
-- Inside a CTE and a derived table, over sales_codes (whose codes are longer on hidden rows).
WITH x AS (SELECT code, timezone FROM sales_codes WHERE timezone <> 'x') SELECT count(*) FROM x WHERE CAST(CASE WHEN length(code) > 2 THEN code ELSE '1' END AS INT) = 1;
SELECT count(*) FROM (SELECT * FROM sales_codes WHERE code IS NOT NULL AND CAST(CASE WHEN length(code) > 2 THEN code ELSE '1' END AS INT) = 1) AS t;

-- Not pushed: a literal of another type, a date or timestamp, a
-- LIKE, a function of the column, an out-of-range integer; each with an
-- expression that fails on hidden rows, which must still see none.
SELECT count(*) FROM sales_data WHERE quantity = '3' AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
-- @variant trino
SELECT count(*) FROM sales_data WHERE quantity = 3.0 AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE quantity <> 5000000000 AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE timestamp >= TIMESTAMP '2000-01-01 00:00:00' AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE CAST(timestamp AS DATE) >= DATE '2000-01-01' AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE sales_price >= 0 AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE city LIKE '%o%' AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE lower(city) <> 'x' AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE quantity + 0 > 0 AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
-- A whole condition that fails on hidden rows is not pushed, even next to a
-- leakproof one inside the same OR.
SELECT count(*) FROM sales_data WHERE city = 'x' OR CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM sales_data WHERE NOT (city = 'x' AND (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || city ELSE '.*' END)));
-- @variant trino
SELECT count(*) FROM sales_data WHERE NOT (city = 'x' AND regexp_like(timezone, CASE WHEN timezone LIKE 'Africa%' THEN '(' || city ELSE '.*' END));
-- Joins and set operations keep every predicate above the row filter.
SELECT count(*) FROM sales_data a JOIN sales_codes c ON c.timezone = a.timezone WHERE a.city <> 'x' AND CAST(CASE WHEN a.timezone LIKE 'Africa%' THEN a.city ELSE '1' END AS INT) = 1;
SELECT count(*) FROM (SELECT city, timezone FROM sales_data WHERE city <> 'x' UNION ALL SELECT city, timezone FROM sales_data WHERE city <> 'y') u WHERE CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;

-- Masked columns: a predicate compares the masked value, never the raw one.
-- @as ming
SELECT count(*) FROM sales_data WHERE elevation IS NULL;
SELECT count(*) FROM sales_data WHERE elevation IS NOT NULL;
SELECT count(*) FROM sales_data WHERE elevation = 100 OR elevation IS NULL AND city <> 'x';
-- @as alex
SELECT count(*) FROM sales_data WHERE sales_price = 10;
SELECT count(*) FROM sales_data WHERE city <> 'x' AND CAST(sales_price AS VARCHAR) LIKE '%.00';
-- alex's mask reads sales_price: a statement that reads it takes no pushed
-- predicate, one that does not takes them.
SELECT max(sales_price), count(*) FROM sales_data WHERE city <> 'x' AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
SELECT city, sum(quantity) FROM sales_data WHERE city IN ('Berlin', 'Paris', 'Cairo') AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1 GROUP BY city;
