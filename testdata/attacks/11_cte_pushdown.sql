-- Class 11: CTE filter pushdown (issue 18). DuckDB's cte_filter_pusher
-- copied a predicate on a materialized CTE's output into the CTE, where it
-- ran before the policy view's row filter: an expression that fails on
-- hidden rows failed, naming their values or (under a lookup-table policy)
-- whole rows. Each statement must do exactly what it does on the
-- principal's ground truth (rows, or an error of the same class), and no
-- error may name a hidden value. PostgreSQL runs the same statements (its
-- planner may inline a CTE, but never past row security); a "-- @variant
-- postgres" spells a DuckDB function it lacks, and the forms under DuckDB's
-- TRY are DuckDB's alone.
-- @default same

-- The issue's reproduction.
-- @as ming
WITH x AS MATERIALIZED (SELECT city, country, timezone FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Asia%' THEN '(' || timezone ELSE '.*' END));
-- @as ming,frank,olga
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));

-- Every CTE form and slot; rows of Africa/* time zones are hidden from everyone.
-- @as all
-- MATERIALIZED, WHERE
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, WHERE, cast
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1;
-- MATERIALIZED, WHERE, json
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE json_extract(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '{}' END, '$.a') IS NULL;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '{}' END AS json) -> 'a') IS NULL;
-- MATERIALIZED, WHERE, strptime
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE strptime(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '2024' END, '%Y') IS NOT NULL;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE to_timestamp(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '2024' END, 'YYYY') IS NOT NULL;
-- MATERIALIZED, WHERE, date cast
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(CASE WHEN timezone LIKE 'Africa%' THEN timezone ELSE '2024-01-01' END AS DATE) IS NOT NULL;
-- MATERIALIZED, WHERE, date_diff
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE date_diff(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE 'day' END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN timezone LIKE 'Africa%' THEN city ELSE 'day' END) AS INTERVAL)) AS INT) = 1;
-- MATERIALIZED, WHERE, error()
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CASE WHEN timezone LIKE 'Africa%' THEN error(city) ELSE true END;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CASE WHEN timezone LIKE 'Africa%' THEN (CAST(city AS INT) = 0) ELSE true END;
-- MATERIALIZED, WHERE, AND
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE quantity > 0 AND (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, WHERE, OR
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE quantity < 0 OR (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, filtered body
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data WHERE quantity > 2) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, aggregated body
WITH x AS MATERIALIZED (SELECT timezone, city, count(*) AS n FROM sales_data GROUP BY timezone, city) SELECT sum(n) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, DISTINCT body
WITH x AS MATERIALIZED (SELECT DISTINCT timezone, city FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, window body
WITH x AS MATERIALIZED (SELECT timezone, city, count(*) OVER (PARTITION BY city) AS n FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, UNION body
WITH x AS MATERIALIZED (SELECT timezone, city FROM sales_data UNION ALL SELECT timezone, city FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, join body
WITH x AS MATERIALIZED (SELECT s.timezone, s.city FROM sales_data s JOIN region_lookup r ON r.timezone_prefix = split_part(s.timezone, '/', 1)) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- plain CTE
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- NOT MATERIALIZED
WITH x AS NOT MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- used twice, UNION ALL
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END)) UNION ALL SELECT count(*) FROM x;
-- MATERIALIZED used twice, UNION ALL
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END)) UNION ALL SELECT count(*) FROM x WHERE quantity > 5;
-- used twice, both filtered
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT (SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END))), (SELECT count(*) FROM x WHERE CAST(CASE WHEN timezone LIKE 'Africa%' THEN city ELSE '1' END AS INT) = 1);
-- used twice, self-join
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x a JOIN (SELECT DISTINCT city FROM x) b ON a.city = b.city WHERE (a.timezone ~ (CASE WHEN a.timezone LIKE 'Africa%' THEN '(' || a.timezone ELSE '.*' END));
-- MATERIALIZED used twice, JOIN ON
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x a JOIN (SELECT DISTINCT city FROM x) b ON a.city = b.city AND (a.timezone ~ (CASE WHEN a.timezone LIKE 'Africa%' THEN '(' || a.timezone ELSE '.*' END));
-- nested CTEs
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data), y AS MATERIALIZED (SELECT * FROM x WHERE quantity > 0) SELECT count(*) FROM y WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- nested CTEs, predicate inside
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data), y AS (SELECT * FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END))) SELECT count(*) FROM y;
-- CTE in a subquery
SELECT (WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END)));
-- CTE in IN
SELECT count(*) FROM region_lookup WHERE timezone_prefix IN (WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT split_part(timezone, '/', 1) FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END)));
-- HAVING
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT timezone, count(*) FROM x GROUP BY timezone, city HAVING (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- HAVING aggregate
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT city, count(*) FROM x GROUP BY city HAVING bool_and((timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END)));
-- SELECT list
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT bool_and((timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END))) FROM x;
-- GROUP BY
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END)), count(*) FROM x GROUP BY 1;
-- ORDER BY
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT city FROM x ORDER BY (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END)), city LIMIT 3;
-- FILTER
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FILTER (WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END))) FROM x;
-- window
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(DISTINCT w) FROM (SELECT count(*) OVER (PARTITION BY (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END))) AS w FROM x) AS sq;
-- QUALIFY
-- @only duckdb
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM (SELECT city FROM x QUALIFY regexp_full_match(timezone, CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- derived table over CTE
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM (SELECT * FROM x) t WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- lambda
-- @only duckdb
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE list_transform([timezone], tz -> regexp_full_match(tz, CASE WHEN tz LIKE 'Africa%' THEN '(' || tz ELSE '.*' END))[1];
-- INTERSECT
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT city FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END)) INTERSECT SELECT city FROM x;
-- EXCEPT
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT city FROM x EXCEPT SELECT city FROM x WHERE (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END));
-- EXISTS
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT EXISTS (SELECT 1 FROM x WHERE NOT (timezone ~ (CASE WHEN timezone LIKE 'Africa%' THEN '(' || timezone ELSE '.*' END)));

-- Per principal: fails on (and names) exactly the rows its policy hides.
-- @as ming
-- MATERIALIZED, WHERE
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Asia%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, WHERE, cast
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(CASE WHEN timezone NOT LIKE 'Asia%' THEN city ELSE '1' END AS INT) = 1;
-- MATERIALIZED, WHERE, json
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE json_extract(CASE WHEN timezone NOT LIKE 'Asia%' THEN city ELSE '{}' END, '$.a') IS NULL;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (CAST(CASE WHEN timezone NOT LIKE 'Asia%' THEN city ELSE '{}' END AS json) -> 'a') IS NULL;
-- MATERIALIZED, WHERE, strptime
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE strptime(CASE WHEN timezone NOT LIKE 'Asia%' THEN city ELSE '2024' END, '%Y') IS NOT NULL;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE to_timestamp(CASE WHEN timezone NOT LIKE 'Asia%' THEN city ELSE '2024' END, 'YYYY') IS NOT NULL;
-- MATERIALIZED, WHERE, date cast
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(CASE WHEN timezone NOT LIKE 'Asia%' THEN timezone ELSE '2024-01-01' END AS DATE) IS NOT NULL;
-- MATERIALIZED, WHERE, date_diff
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE date_diff(CASE WHEN timezone NOT LIKE 'Asia%' THEN city ELSE 'day' END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN timezone NOT LIKE 'Asia%' THEN city ELSE 'day' END) AS INTERVAL)) AS INT) = 1;
-- MATERIALIZED, WHERE, error()
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CASE WHEN timezone NOT LIKE 'Asia%' THEN error(city) ELSE true END;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CASE WHEN timezone NOT LIKE 'Asia%' THEN (CAST(city AS INT) = 0) ELSE true END;
-- MATERIALIZED, WHERE, AND
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE quantity > 0 AND (timezone ~ (CASE WHEN timezone NOT LIKE 'Asia%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, WHERE, OR
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE quantity < 0 OR (timezone ~ (CASE WHEN timezone NOT LIKE 'Asia%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, filtered body
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data WHERE quantity > 2) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Asia%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, aggregated body
WITH x AS MATERIALIZED (SELECT timezone, city, count(*) AS n FROM sales_data GROUP BY timezone, city) SELECT sum(n) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Asia%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, DISTINCT body
WITH x AS MATERIALIZED (SELECT DISTINCT timezone, city FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Asia%' THEN '(' || timezone ELSE '.*' END));
-- plain CTE
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Asia%' THEN '(' || timezone ELSE '.*' END));
-- NOT MATERIALIZED
WITH x AS NOT MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Asia%' THEN '(' || timezone ELSE '.*' END));
-- used twice, UNION ALL
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Asia%' THEN '(' || timezone ELSE '.*' END)) UNION ALL SELECT count(*) FROM x;
-- MATERIALIZED used twice, UNION ALL
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Asia%' THEN '(' || timezone ELSE '.*' END)) UNION ALL SELECT count(*) FROM x WHERE quantity > 5;
-- used twice, both filtered
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT (SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Asia%' THEN '(' || timezone ELSE '.*' END))), (SELECT count(*) FROM x WHERE CAST(CASE WHEN timezone NOT LIKE 'Asia%' THEN city ELSE '1' END AS INT) = 1);
-- used twice, self-join
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x a JOIN (SELECT DISTINCT city FROM x) b ON a.city = b.city WHERE (a.timezone ~ (CASE WHEN a.timezone NOT LIKE 'Asia%' THEN '(' || a.timezone ELSE '.*' END));
-- MATERIALIZED used twice, JOIN ON
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x a JOIN (SELECT DISTINCT city FROM x) b ON a.city = b.city AND (a.timezone ~ (CASE WHEN a.timezone NOT LIKE 'Asia%' THEN '(' || a.timezone ELSE '.*' END));
-- nested CTEs
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data), y AS MATERIALIZED (SELECT * FROM x WHERE quantity > 0) SELECT count(*) FROM y WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Asia%' THEN '(' || timezone ELSE '.*' END));
-- nested CTEs, predicate inside
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data), y AS (SELECT * FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Asia%' THEN '(' || timezone ELSE '.*' END))) SELECT count(*) FROM y;

-- Per principal: fails on (and names) exactly the rows its policy hides.
-- @as alex
-- MATERIALIZED, WHERE
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Europe%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, WHERE, cast
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(CASE WHEN timezone NOT LIKE 'Europe%' THEN city ELSE '1' END AS INT) = 1;
-- MATERIALIZED, WHERE, json
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE json_extract(CASE WHEN timezone NOT LIKE 'Europe%' THEN city ELSE '{}' END, '$.a') IS NULL;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (CAST(CASE WHEN timezone NOT LIKE 'Europe%' THEN city ELSE '{}' END AS json) -> 'a') IS NULL;
-- MATERIALIZED, WHERE, strptime
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE strptime(CASE WHEN timezone NOT LIKE 'Europe%' THEN city ELSE '2024' END, '%Y') IS NOT NULL;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE to_timestamp(CASE WHEN timezone NOT LIKE 'Europe%' THEN city ELSE '2024' END, 'YYYY') IS NOT NULL;
-- MATERIALIZED, WHERE, date cast
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(CASE WHEN timezone NOT LIKE 'Europe%' THEN timezone ELSE '2024-01-01' END AS DATE) IS NOT NULL;
-- MATERIALIZED, WHERE, date_diff
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE date_diff(CASE WHEN timezone NOT LIKE 'Europe%' THEN city ELSE 'day' END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN timezone NOT LIKE 'Europe%' THEN city ELSE 'day' END) AS INTERVAL)) AS INT) = 1;
-- MATERIALIZED, WHERE, error()
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CASE WHEN timezone NOT LIKE 'Europe%' THEN error(city) ELSE true END;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CASE WHEN timezone NOT LIKE 'Europe%' THEN (CAST(city AS INT) = 0) ELSE true END;
-- MATERIALIZED, WHERE, AND
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE quantity > 0 AND (timezone ~ (CASE WHEN timezone NOT LIKE 'Europe%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, WHERE, OR
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE quantity < 0 OR (timezone ~ (CASE WHEN timezone NOT LIKE 'Europe%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, filtered body
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data WHERE quantity > 2) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Europe%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, aggregated body
WITH x AS MATERIALIZED (SELECT timezone, city, count(*) AS n FROM sales_data GROUP BY timezone, city) SELECT sum(n) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Europe%' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, DISTINCT body
WITH x AS MATERIALIZED (SELECT DISTINCT timezone, city FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Europe%' THEN '(' || timezone ELSE '.*' END));
-- plain CTE
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Europe%' THEN '(' || timezone ELSE '.*' END));
-- NOT MATERIALIZED
WITH x AS NOT MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Europe%' THEN '(' || timezone ELSE '.*' END));
-- used twice, UNION ALL
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Europe%' THEN '(' || timezone ELSE '.*' END)) UNION ALL SELECT count(*) FROM x;
-- MATERIALIZED used twice, UNION ALL
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Europe%' THEN '(' || timezone ELSE '.*' END)) UNION ALL SELECT count(*) FROM x WHERE quantity > 5;
-- used twice, both filtered
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT (SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Europe%' THEN '(' || timezone ELSE '.*' END))), (SELECT count(*) FROM x WHERE CAST(CASE WHEN timezone NOT LIKE 'Europe%' THEN city ELSE '1' END AS INT) = 1);
-- used twice, self-join
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x a JOIN (SELECT DISTINCT city FROM x) b ON a.city = b.city WHERE (a.timezone ~ (CASE WHEN a.timezone NOT LIKE 'Europe%' THEN '(' || a.timezone ELSE '.*' END));
-- MATERIALIZED used twice, JOIN ON
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x a JOIN (SELECT DISTINCT city FROM x) b ON a.city = b.city AND (a.timezone ~ (CASE WHEN a.timezone NOT LIKE 'Europe%' THEN '(' || a.timezone ELSE '.*' END));
-- nested CTEs
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data), y AS MATERIALIZED (SELECT * FROM x WHERE quantity > 0) SELECT count(*) FROM y WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Europe%' THEN '(' || timezone ELSE '.*' END));
-- nested CTEs, predicate inside
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data), y AS (SELECT * FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Europe%' THEN '(' || timezone ELSE '.*' END))) SELECT count(*) FROM y;

-- Per principal: fails on (and names) exactly the rows its policy hides.
-- @as frank
-- MATERIALIZED, WHERE
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, WHERE, cast
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN city ELSE '1' END AS INT) = 1;
-- MATERIALIZED, WHERE, json
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE json_extract(CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN city ELSE '{}' END, '$.a') IS NULL;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (CAST(CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN city ELSE '{}' END AS json) -> 'a') IS NULL;
-- MATERIALIZED, WHERE, strptime
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE strptime(CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN city ELSE '2024' END, '%Y') IS NOT NULL;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE to_timestamp(CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN city ELSE '2024' END, 'YYYY') IS NOT NULL;
-- MATERIALIZED, WHERE, date cast
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN timezone ELSE '2024-01-01' END AS DATE) IS NOT NULL;
-- MATERIALIZED, WHERE, date_diff
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE date_diff(CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN city ELSE 'day' END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN city ELSE 'day' END) AS INTERVAL)) AS INT) = 1;
-- MATERIALIZED, WHERE, error()
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN error(city) ELSE true END;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN (CAST(city AS INT) = 0) ELSE true END;
-- MATERIALIZED, WHERE, AND
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE quantity > 0 AND (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, WHERE, OR
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE quantity < 0 OR (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, filtered body
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data WHERE quantity > 2) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, aggregated body
WITH x AS MATERIALIZED (SELECT timezone, city, count(*) AS n FROM sales_data GROUP BY timezone, city) SELECT sum(n) FROM x WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, DISTINCT body
WITH x AS MATERIALIZED (SELECT DISTINCT timezone, city FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || timezone ELSE '.*' END));
-- plain CTE
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || timezone ELSE '.*' END));
-- NOT MATERIALIZED
WITH x AS NOT MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || timezone ELSE '.*' END));
-- used twice, UNION ALL
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || timezone ELSE '.*' END)) UNION ALL SELECT count(*) FROM x;
-- MATERIALIZED used twice, UNION ALL
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || timezone ELSE '.*' END)) UNION ALL SELECT count(*) FROM x WHERE quantity > 5;
-- used twice, both filtered
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT (SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || timezone ELSE '.*' END))), (SELECT count(*) FROM x WHERE CAST(CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN city ELSE '1' END AS INT) = 1);
-- used twice, self-join
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x a JOIN (SELECT DISTINCT city FROM x) b ON a.city = b.city WHERE (a.timezone ~ (CASE WHEN split_part(a.timezone, '/', 1) <> 'America' THEN '(' || a.timezone ELSE '.*' END));
-- MATERIALIZED used twice, JOIN ON
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x a JOIN (SELECT DISTINCT city FROM x) b ON a.city = b.city AND (a.timezone ~ (CASE WHEN split_part(a.timezone, '/', 1) <> 'America' THEN '(' || a.timezone ELSE '.*' END));
-- nested CTEs
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data), y AS MATERIALIZED (SELECT * FROM x WHERE quantity > 0) SELECT count(*) FROM y WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || timezone ELSE '.*' END));
-- nested CTEs, predicate inside
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data), y AS (SELECT * FROM x WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || timezone ELSE '.*' END))) SELECT count(*) FROM y;

-- Per principal: fails on (and names) exactly the rows its policy hides.
-- @as olga
-- MATERIALIZED, WHERE
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, WHERE, cast
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN city ELSE '1' END AS INT) = 1;
-- MATERIALIZED, WHERE, json
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE json_extract(CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN city ELSE '{}' END, '$.a') IS NULL;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (CAST(CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN city ELSE '{}' END AS json) -> 'a') IS NULL;
-- MATERIALIZED, WHERE, strptime
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE strptime(CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN city ELSE '2024' END, '%Y') IS NOT NULL;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE to_timestamp(CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN city ELSE '2024' END, 'YYYY') IS NOT NULL;
-- MATERIALIZED, WHERE, date cast
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN timezone ELSE '2024-01-01' END AS DATE) IS NOT NULL;
-- MATERIALIZED, WHERE, date_diff
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE date_diff(CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN city ELSE 'day' END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN city ELSE 'day' END) AS INTERVAL)) AS INT) = 1;
-- MATERIALIZED, WHERE, error()
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN error(city) ELSE true END;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN (CAST(city AS INT) = 0) ELSE true END;
-- MATERIALIZED, WHERE, AND
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE quantity > 0 AND (timezone ~ (CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, WHERE, OR
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE quantity < 0 OR (timezone ~ (CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, filtered body
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data WHERE quantity > 2) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, aggregated body
WITH x AS MATERIALIZED (SELECT timezone, city, count(*) AS n FROM sales_data GROUP BY timezone, city) SELECT sum(n) FROM x WHERE (timezone ~ (CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || timezone ELSE '.*' END));
-- MATERIALIZED, DISTINCT body
WITH x AS MATERIALIZED (SELECT DISTINCT timezone, city FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || timezone ELSE '.*' END));
-- plain CTE
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || timezone ELSE '.*' END));
-- NOT MATERIALIZED
WITH x AS NOT MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || timezone ELSE '.*' END));
-- used twice, UNION ALL
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || timezone ELSE '.*' END)) UNION ALL SELECT count(*) FROM x;
-- MATERIALIZED used twice, UNION ALL
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || timezone ELSE '.*' END)) UNION ALL SELECT count(*) FROM x WHERE quantity > 5;
-- used twice, both filtered
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT (SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || timezone ELSE '.*' END))), (SELECT count(*) FROM x WHERE CAST(CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN city ELSE '1' END AS INT) = 1);
-- used twice, self-join
WITH x AS (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x a JOIN (SELECT DISTINCT city FROM x) b ON a.city = b.city WHERE (a.timezone ~ (CASE WHEN (a.timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || a.timezone ELSE '.*' END));
-- MATERIALIZED used twice, JOIN ON
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data) SELECT count(*) FROM x a JOIN (SELECT DISTINCT city FROM x) b ON a.city = b.city AND (a.timezone ~ (CASE WHEN (a.timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || a.timezone ELSE '.*' END));
-- nested CTEs
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data), y AS MATERIALIZED (SELECT * FROM x WHERE quantity > 0) SELECT count(*) FROM y WHERE (timezone ~ (CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || timezone ELSE '.*' END));
-- nested CTEs, predicate inside
WITH x AS MATERIALIZED (SELECT city, country, timezone, category, quantity FROM sales_data), y AS (SELECT * FROM x WHERE (timezone ~ (CASE WHEN (timezone NOT LIKE 'Europe%' OR category = 'Golf') THEN '(' || timezone ELSE '.*' END))) SELECT count(*) FROM y;

-- Lookup-table policy (frank, by_manager): the issue's report read whole
-- hidden rows through the message.
-- @as frank
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || concat_ws('|', sku, timestamp, city, region_code, country, product_name, quantity, sales_price, timezone) ELSE '.*' END));
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x WHERE CAST(CASE WHEN timezone NOT LIKE 'America%' THEN concat_ws('|', sku, timestamp, city, country, timezone) ELSE '1' END AS INT) = 1;
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x WHERE CASE WHEN timezone NOT LIKE 'America%' THEN error(concat_ws('|', sku, timestamp, city, country, timezone)) ELSE true END;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x WHERE CASE WHEN timezone NOT LIKE 'America%' THEN (CAST(concat_ws('|', sku, timestamp, city, country, timezone) AS INT) = 0) ELSE true END;
WITH x AS MATERIALIZED (SELECT * FROM sales_data), y AS MATERIALIZED (SELECT * FROM x) SELECT count(*) FROM y WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'America%' THEN '(' || concat_ws('|', sku, city, timezone) ELSE '.*' END));
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x a JOIN region_lookup r ON r.timezone_prefix = split_part(a.timezone, '/', 1) WHERE (a.timezone ~ (CASE WHEN a.timezone NOT LIKE 'America%' THEN '(' || concat_ws('|', a.sku, a.city) ELSE '.*' END));
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) NOT IN (SELECT timezone_prefix FROM region_lookup WHERE manager = current_user) THEN '(' || concat_ws('|', sku, city) ELSE '.*' END));
-- The same shapes without a CTE (side channels of class 5, lookup policy).
SELECT count(*) FROM sales_data WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || concat_ws('|', sku, timestamp, city) ELSE '.*' END));
SELECT count(*) FROM (SELECT * FROM sales_data) t WHERE (timezone ~ (CASE WHEN split_part(timezone, '/', 1) <> 'America' THEN '(' || concat_ws('|', sku, timestamp, city) ELSE '.*' END));

-- Two-column policy (olga: Europe and not golf): rows hidden by either
-- column, European golf sales included (their time zones are visible,
-- their SKUs are not).
-- @as olga
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN category = 'Golf' THEN '(' || concat_ws('|', sku, timestamp, city, timezone) ELSE '.*' END));
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x WHERE (timezone ~ (CASE WHEN timezone NOT LIKE 'Europe%' THEN '(' || concat_ws('|', sku, timestamp, city, timezone) ELSE '.*' END));
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x WHERE CAST(CASE WHEN category = 'Golf' AND timezone LIKE 'Europe%' THEN product_name ELSE '1' END AS INT) = 1;
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x WHERE CASE WHEN category = 'Golf' THEN error(sku) ELSE true END;
-- @variant postgres
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x WHERE CASE WHEN category = 'Golf' THEN (CAST(sku AS INT) = 0) ELSE true END;
WITH x AS MATERIALIZED (SELECT sku, category, timezone FROM sales_data) SELECT count(*) FROM x WHERE (sku ~ (CASE WHEN sku LIKE 'GLF%' THEN '(' || sku ELSE '.*' END));
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT category, count(*) FROM x GROUP BY category HAVING bool_and((category ~ (CASE WHEN category = 'Golf' THEN '(' || category ELSE '.*' END)));
WITH x AS (SELECT * FROM sales_data) SELECT count(*) FROM x a JOIN x b ON a.city = b.city AND a.sku = b.sku AND a.timestamp = b.timestamp WHERE (a.sku ~ (CASE WHEN a.category = 'Golf' THEN '(' || a.sku ELSE '.*' END));
SELECT count(*) FROM sales_data WHERE (timezone ~ (CASE WHEN category = 'Golf' THEN '(' || concat_ws('|', sku, city) ELSE '.*' END));
-- Dictionary forms on either policy column.
SELECT count(*) FROM sales_data WHERE ('x' ~ regexp_replace(category, '^Golf$', '('));
SELECT count(*) FROM sales_data WHERE ('x' ~ regexp_replace(product_name, '^Mallet Putter$', '('));
SELECT count(*) FROM sales_data WHERE ('x' ~ regexp_replace(sku, '^GLF-.*$', '('));
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x WHERE ('x' ~ regexp_replace(category, '^Golf$', '('));

-- Pre-isolated forms: every column below a function already under TRY, so
-- enforcement has nothing to rewrite and the CTE stays MATERIALIZED (a
-- rewritten statement is printed back without it): only the disabled
-- cte_filter_pusher keeps these predicates out of the CTE.
-- @as all
-- @only duckdb
WITH x AS MATERIALIZED (SELECT city, timezone, category FROM sales_data) SELECT count(*) FROM x WHERE regexp_full_match(TRY(timezone), CASE WHEN TRY(timezone) LIKE 'Africa%' THEN '(' || TRY(timezone) ELSE '.*' END);
-- @only duckdb
WITH x AS MATERIALIZED (SELECT city, timezone, category FROM sales_data) SELECT count(*) FROM x WHERE NOT regexp_full_match('x', regexp_replace(TRY(timezone), '^Africa/.*$', '('));
-- @only duckdb
WITH x AS MATERIALIZED (SELECT city, timezone, category FROM sales_data) SELECT count(*) FROM x WHERE CAST(CASE WHEN TRY(timezone) LIKE 'Africa%' THEN TRY(city) ELSE '1' END AS INT) = 1;
-- @only duckdb
WITH x AS MATERIALIZED (SELECT city, timezone, category FROM sales_data) SELECT count(*) FROM x WHERE date_diff(CASE WHEN TRY(timezone) LIKE 'Africa%' THEN TRY(city) ELSE 'day' END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @only duckdb
WITH x AS MATERIALIZED (SELECT city, timezone, category FROM sales_data) SELECT count(*) FROM x WHERE NOT regexp_full_match('x', regexp_replace(TRY(city), '^Cairo$', '('));
-- @only duckdb
WITH x AS MATERIALIZED (SELECT city, timezone, category FROM sales_data) SELECT count(*) FROM x WHERE regexp_full_match(TRY(timezone), CASE WHEN TRY(timezone) LIKE 'Africa%' THEN '(' || TRY(timezone) ELSE '.*' END) UNION ALL SELECT count(*) FROM x;
-- @only duckdb
WITH x AS MATERIALIZED (SELECT city, timezone, category FROM sales_data) SELECT timezone, count(*) FROM x GROUP BY timezone HAVING regexp_full_match(TRY(timezone), CASE WHEN TRY(timezone) LIKE 'Africa%' THEN '(' || TRY(timezone) ELSE '.*' END);
-- @only duckdb
WITH x AS MATERIALIZED (SELECT city, timezone, category FROM sales_data), y AS MATERIALIZED (SELECT * FROM x) SELECT count(*) FROM y WHERE regexp_full_match(TRY(timezone), CASE WHEN TRY(timezone) LIKE 'Africa%' THEN '(' || TRY(timezone) ELSE '.*' END);
-- @as ming
-- @only duckdb
WITH x AS MATERIALIZED (SELECT city, timezone FROM sales_data) SELECT count(*) FROM x WHERE regexp_full_match(TRY(timezone), CASE WHEN TRY(timezone) NOT LIKE 'Asia%' THEN '(' || TRY(timezone) ELSE '.*' END);
-- @as frank
-- @only duckdb
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x WHERE regexp_full_match(TRY(timezone), CASE WHEN split_part(TRY(timezone), '/', 1) <> 'America' THEN '(' || concat_ws('|', TRY(sku), TRY(timestamp), TRY(city), TRY(country), TRY(timezone)) ELSE '.*' END);
-- @as olga
-- @only duckdb
WITH x AS MATERIALIZED (SELECT * FROM sales_data) SELECT count(*) FROM x WHERE regexp_full_match(TRY(timezone), CASE WHEN category = 'Golf' THEN '(' || concat_ws('|', TRY(sku), TRY(timestamp), TRY(city), TRY(timezone)) ELSE '.*' END);
