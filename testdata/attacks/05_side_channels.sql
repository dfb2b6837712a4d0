-- Class 5: predicates that would fail on a hidden row. Rows of Africa/*
-- time zones are hidden from every fixture principal, so each query must
-- succeed: an error would prove that a hidden row reached the expression.
-- @expect ok
SELECT count(*) FROM sales_data WHERE CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1;
-- @expect ok
SELECT count(*) FROM sales_data WHERE CASE WHEN timezone LIKE 'Africa%' THEN error('leak') ELSE true END;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CASE WHEN timezone LIKE 'Africa%' THEN CAST('leak' || city AS INT) = 0 ELSE true END;
-- @variant trino
SELECT count(*) FROM sales_data WHERE CASE WHEN timezone LIKE 'Africa%' THEN fail('leak') ELSE true END;
-- @expect ok
SELECT count(*) FROM sales_data WHERE CAST(1.0 / (CASE WHEN timezone LIKE 'Africa%' THEN 0 ELSE 1 END) AS INT) = 1;
-- @expect ok
SELECT count(*) FROM sales_data WHERE quantity > 0 AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1;
-- @expect ok
SELECT count(*) FROM sales_data WHERE quantity < 0 OR CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1;
-- @expect ok
SELECT count(*) FROM sales_data WHERE CAST(CASE WHEN city = 'Lagos' THEN 'x' ELSE '1' END AS INT) = 1;
-- @expect ok
SELECT count(*) FROM sales_data WHERE CAST(CASE WHEN country IN ('NG', 'EG', 'ZA', 'KE') THEN 'x' ELSE '1' END AS INT) = 1;
-- @expect ok
SELECT count(*) FROM sales_data s JOIN region_lookup r ON CAST(CASE WHEN s.timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1;
-- @expect ok
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND CAST(CASE WHEN s.timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1;
-- @expect ok
SELECT timezone, count(*) FROM sales_data GROUP BY timezone HAVING CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1;
-- @expect ok
SELECT count(*) FROM sales_data WHERE city IN (SELECT city FROM sales_data WHERE CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1);
-- @expect ok
SELECT count(*) FROM (SELECT row_number() OVER (ORDER BY CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT)) FROM sales_data) AS sq;
-- @expect ok
SELECT count(*) FILTER (WHERE CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1) FROM sales_data;
-- @expect ok
SELECT sum(CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT)) FROM sales_data;
-- @expect ok
SELECT count(*) FROM (SELECT city FROM sales_data ORDER BY CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) LIMIT 5) AS sq;
-- @expect ok
SELECT count(*) FROM sales_data WHERE regexp_matches(timezone, '^A') AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE (timezone ~ '^A') AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1;
-- @variant trino
SELECT count(*) FROM sales_data WHERE regexp_like(timezone, '^A') AND CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1;
-- @expect ok
SELECT count(*) FROM sales_data WHERE CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1 AND timezone LIKE 'A%';
-- @expect ok
SELECT count(*) FROM (SELECT city FROM sales_data WHERE CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1) t;
-- @expect ok
WITH t AS (SELECT city, timezone FROM sales_data) SELECT count(*) FROM t WHERE CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1;
-- @expect ok
SELECT count(*) FROM sales_data WHERE CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) IN (SELECT 1);
-- @expect ok
SELECT count(*) FROM sales_data WHERE CAST(CASE WHEN quantity > 9 AND timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1;
-- @expect ok
SELECT count(DISTINCT CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT)) FROM sales_data;
-- @expect ok
-- @only duckdb
SELECT count(*) FROM (SELECT city FROM sales_data QUALIFY CAST(CASE WHEN max(timezone) OVER () LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1);
-- @expect ok
SELECT count(*) FROM sales_data s WHERE EXISTS (SELECT 1 FROM region_lookup r WHERE CAST(CASE WHEN s.timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1);
-- @expect ok
-- @only duckdb
SELECT count(*) FROM sales_data WHERE CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) = 1 USING SAMPLE 100%;
-- @expect ok
SELECT list_sort(list(DISTINCT CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT))) FROM sales_data;
-- @variant postgres
SELECT CAST(to_json(array_agg(DISTINCT CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT) ORDER BY CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT))) AS VARCHAR) FROM sales_data;
-- @variant trino
SELECT json_format(CAST(array_sort(array_agg(DISTINCT CAST(CASE WHEN timezone LIKE 'Africa%' THEN 'x' ELSE '1' END AS INT))) AS JSON)) FROM sales_data;
-- Masked values: masks apply before the user's predicates.
-- @as ming
-- @expect ok
SELECT count(*) FROM sales_data WHERE CAST(CASE WHEN elevation IS NOT NULL THEN 'x' ELSE '1' END AS INT) = 1;
-- @as alex
-- @expect ok
SELECT count(*) FROM sales_data WHERE CAST(CASE WHEN CAST(sales_price AS VARCHAR) LIKE '%.99' THEN 'x' ELSE '1' END AS INT) = 1;
-- @as all
-- Statistics would reveal hidden rows' extremes.
-- @expect error
-- @only duckdb
SELECT stats(population) FROM sales_data;
-- @expect error
-- @only duckdb
SELECT stats(timezone) FROM sales_data;
