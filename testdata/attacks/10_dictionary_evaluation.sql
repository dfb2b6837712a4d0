-- Class 10: dictionary evaluation (issue 18). DuckDB evaluates a scalar
-- function that is not marked as able to throw over the whole storage
-- dictionary of a dictionary-compressed string column, the values of rows a
-- policy hides included; a function that then fails on a hidden value tells
-- the principal (yes/no) or names the value in its message. The fixture's
-- warehouse is dictionary-compressed (NewFixture checks it).
--
-- Every statement is "@expect same": it must return exactly the rows it
-- returns on the principal's ground truth (which holds only rows the
-- principal may read), or fail there and here with an error of the same
-- class. Every error message is also checked for values found only in
-- hidden rows. Rows of Africa/* time zones (and Cairo, EG) are hidden from
-- every fixture principal: each "yes/no" expression below is false on every
-- other value and fails on theirs.
--
-- On PostgreSQL (which has no storage dictionaries, but evaluates a
-- non-leakproof function on rows only after their row security) the same
-- attacks run in its dialect: a "-- @variant postgres" spells a DuckDB
-- function PostgreSQL lacks with one that fails on the same values
-- (date_diff as an interval cast of '1 ' || part, hamming by position,
-- error() as a cast that names its value), and the ground truth is still
-- the DuckDB spelling's. "-- @only duckdb" marks DuckDB syntax with no
-- counterpart (lambdas, QUALIFY, GROUP BY ALL's own binding) and the
-- DuckDB family names whose PostgreSQL form is already listed.
-- @default same
-- A lambda that captures a column of the row is refused (0A000): DuckDB
-- hands the captured column to the list function as a bare argument,
-- where it would be evaluated over the storage dictionary, so tipgate lets
-- lambdas use only their parameters and constants (Redshift has none).

-- The issue's reproductions, as ming (apac-sales, timezone LIKE 'Asia%').
-- @as ming
SELECT count(*) FROM sales_data WHERE ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')));
SELECT count(*) FROM sales_data WHERE date_diff(regexp_replace(timezone, '^Asia/.*$', 'day'), DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^Asia/.*$', 'day') AS INTERVAL)) AS INT) = 1;
SELECT count(*) FROM sales_data WHERE 'a' LIKE 'a' ESCAPE regexp_replace(timezone, '^Asia/.*$', '');
SELECT count(*) FROM sales_data WHERE like_escape('a', 'a', regexp_replace(timezone, '^Asia/.*$', ''));
-- @variant postgres
SELECT count(*) FROM sales_data WHERE ('a' LIKE 'a' ESCAPE regexp_replace(timezone, '^Asia/.*$', ''));
SELECT count(*) FROM sales_data WHERE hamming(regexp_replace(timezone, '^Asia/.*$', 'x'), 'x') = 0;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE (CASE WHEN length(regexp_replace(timezone, '^Asia/.*$', 'x')) = length('x') THEN (SELECT count(*) FROM generate_series(1, length(regexp_replace(timezone, '^Asia/.*$', 'x'))) AS g(i) WHERE substr(regexp_replace(timezone, '^Asia/.*$', 'x'), g.i, 1) <> substr('x', g.i, 1)) ELSE CAST('x' || regexp_replace(timezone, '^Asia/.*$', 'x') || 'x' AS BIGINT) END) = 0;
SELECT count(*) FROM sales_data WHERE mismatches(regexp_replace(timezone, '^Asia/.*$', 'x'), 'x') = 0;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE (CASE WHEN length(regexp_replace(timezone, '^Asia/.*$', 'x')) = length('x') THEN (SELECT count(*) FROM generate_series(1, length(regexp_replace(timezone, '^Asia/.*$', 'x'))) AS g(i) WHERE substr(regexp_replace(timezone, '^Asia/.*$', 'x'), g.i, 1) <> substr('x', g.i, 1)) ELSE CAST('x' || regexp_replace(timezone, '^Asia/.*$', 'x') || 'x' AS BIGINT) END) = 0;
-- The issue's date_diff: fails on visible rows too, and may name only visible values.
-- @as all
SELECT count(*) FROM sales_data WHERE date_diff(replace(replace(replace(timezone, 'Asia/Aden', 'day'), 'Europe/Berlin', 'day'), 'America/Chicago', 'day'), DATE '2020-01-01', DATE '2020-01-02') > 0;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || replace(replace(replace(timezone, 'Asia/Aden', 'day'), 'Europe/Berlin', 'day'), 'America/Chicago', 'day') AS INTERVAL)) AS INT) > 0;

-- Every function family of the report, as a yes/no test on Africa/* (WHERE).
-- @as all
-- regexp_full_match
-- @only duckdb
SELECT count(*) FROM sales_data WHERE NOT regexp_full_match('x', regexp_replace(timezone, '^Africa/.*$', '('));
-- ~
SELECT count(*) FROM sales_data WHERE NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('));
-- !~
SELECT count(*) FROM sales_data WHERE NOT NOT ('x' !~ regexp_replace(timezone, '^Africa/.*$', '('));
-- SIMILAR TO
SELECT count(*) FROM sales_data WHERE NOT ('x' SIMILAR TO regexp_replace(timezone, '^Africa/.*$', '('));
-- NOT SIMILAR TO
SELECT count(*) FROM sales_data WHERE NOT NOT ('x' NOT SIMILAR TO regexp_replace(timezone, '^Africa/.*$', '('));
-- regexp_matches
SELECT count(*) FROM sales_data WHERE NOT regexp_matches('x', regexp_replace(timezone, '^Africa/.*$', '('));
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('));
-- regexp_replace
SELECT count(*) FROM sales_data WHERE NOT (regexp_replace('x', regexp_replace(timezone, '^Africa/.*$', '('), 'y') <> 'x');
-- regexp_extract
SELECT count(*) FROM sales_data WHERE NOT (regexp_extract('x', regexp_replace(timezone, '^Africa/.*$', '(')) <> '');
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (coalesce(regexp_substr('x', regexp_replace(timezone, '^Africa/.*$', '(')), '') <> '');
-- regexp_extract_all
SELECT count(*) FROM sales_data WHERE NOT (len(regexp_extract_all('x', regexp_replace(timezone, '^Africa/.*$', '('))) > 0);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (regexp_count('x', regexp_replace(timezone, '^Africa/.*$', '(')) > 0);
-- string_split_regex
SELECT count(*) FROM sales_data WHERE NOT (len(string_split_regex('x', regexp_replace(timezone, '^Africa/.*$', '('))) > 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (cardinality(regexp_split_to_array('x', regexp_replace(timezone, '^Africa/.*$', '('))) > 1);
-- regexp_split_to_array
SELECT count(*) FROM sales_data WHERE NOT (len(regexp_split_to_array('x', regexp_replace(timezone, '^Africa/.*$', '('))) > 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (cardinality(regexp_split_to_array('x', regexp_replace(timezone, '^Africa/.*$', '('))) > 1);
-- date_diff
SELECT count(*) FROM sales_data WHERE NOT (date_diff(regexp_replace(timezone, '^(Africa)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^(Africa)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1);
-- datediff
SELECT count(*) FROM sales_data WHERE NOT (datediff(regexp_replace(timezone, '^(Africa)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^(Africa)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1);
-- date_sub
SELECT count(*) FROM sales_data WHERE NOT (date_sub(regexp_replace(timezone, '^(Africa)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^(Africa)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1);
-- datesub
SELECT count(*) FROM sales_data WHERE NOT (datesub(regexp_replace(timezone, '^(Africa)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^(Africa)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1);
-- date_part
SELECT count(*) FROM sales_data WHERE NOT (date_part(regexp_replace(timezone, '^(Africa)?.*$', '\1day'), DATE '2020-01-02') <> 2);
-- date_trunc
SELECT count(*) FROM sales_data WHERE NOT (date_trunc(regexp_replace(timezone, '^(Africa)?.*$', '\1day'), DATE '2020-01-02') <> DATE '2020-01-02');
-- LIKE ESCAPE
SELECT count(*) FROM sales_data WHERE NOT NOT ('a' LIKE 'a' ESCAPE regexp_replace(timezone, '^(Africa)?.*$', '\1'));
-- ILIKE ESCAPE
SELECT count(*) FROM sales_data WHERE NOT NOT ('a' ILIKE 'a' ESCAPE regexp_replace(timezone, '^(Africa)?.*$', '\1'));
-- NOT LIKE ESCAPE
SELECT count(*) FROM sales_data WHERE NOT ('a' NOT LIKE 'a' ESCAPE regexp_replace(timezone, '^(Africa)?.*$', '\1'));
-- like_escape
SELECT count(*) FROM sales_data WHERE NOT NOT like_escape('a', 'a', regexp_replace(timezone, '^(Africa)?.*$', '\1'));
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT NOT ('a' LIKE 'a' ESCAPE regexp_replace(timezone, '^(Africa)?.*$', '\1'));
-- hamming
SELECT count(*) FROM sales_data WHERE NOT (hamming('xx', regexp_replace(timezone, '^(Africa)?.*$', 'xx\1')) <> 0);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT ((CASE WHEN length('xx') = length(regexp_replace(timezone, '^(Africa)?.*$', 'xx\1')) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr(regexp_replace(timezone, '^(Africa)?.*$', 'xx\1'), g.i, 1)) ELSE CAST('x' || 'xx' || regexp_replace(timezone, '^(Africa)?.*$', 'xx\1') AS BIGINT) END) <> 0);
-- mismatches
SELECT count(*) FROM sales_data WHERE NOT (mismatches('xx', regexp_replace(timezone, '^(Africa)?.*$', 'xx\1')) <> 0);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT ((CASE WHEN length('xx') = length(regexp_replace(timezone, '^(Africa)?.*$', 'xx\1')) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr(regexp_replace(timezone, '^(Africa)?.*$', 'xx\1'), g.i, 1)) ELSE CAST('x' || 'xx' || regexp_replace(timezone, '^(Africa)?.*$', 'xx\1') AS BIGINT) END) <> 0);

-- The same families in the select list.
-- regexp_full_match
-- @only duckdb
SELECT count(*), bool_or(regexp_full_match('x', regexp_replace(timezone, '^Africa/.*$', '('))) FROM sales_data;
-- ~
SELECT count(*), bool_or(('x' ~ regexp_replace(timezone, '^Africa/.*$', '('))) FROM sales_data;
-- !~
SELECT count(*), bool_or(NOT ('x' !~ regexp_replace(timezone, '^Africa/.*$', '('))) FROM sales_data;
-- SIMILAR TO
SELECT count(*), bool_or(('x' SIMILAR TO regexp_replace(timezone, '^Africa/.*$', '('))) FROM sales_data;
-- NOT SIMILAR TO
SELECT count(*), bool_or(NOT ('x' NOT SIMILAR TO regexp_replace(timezone, '^Africa/.*$', '('))) FROM sales_data;
-- regexp_matches
SELECT count(*), bool_or(regexp_matches('x', regexp_replace(timezone, '^Africa/.*$', '('))) FROM sales_data;
-- @variant postgres
SELECT count(*), bool_or(('x' ~ regexp_replace(timezone, '^Africa/.*$', '('))) FROM sales_data;
-- regexp_replace
SELECT count(*), bool_or((regexp_replace('x', regexp_replace(timezone, '^Africa/.*$', '('), 'y') <> 'x')) FROM sales_data;
-- regexp_extract
SELECT count(*), bool_or((regexp_extract('x', regexp_replace(timezone, '^Africa/.*$', '(')) <> '')) FROM sales_data;
-- @variant postgres
SELECT count(*), bool_or((coalesce(regexp_substr('x', regexp_replace(timezone, '^Africa/.*$', '(')), '') <> '')) FROM sales_data;
-- regexp_extract_all
SELECT count(*), bool_or((len(regexp_extract_all('x', regexp_replace(timezone, '^Africa/.*$', '('))) > 0)) FROM sales_data;
-- @variant postgres
SELECT count(*), bool_or((regexp_count('x', regexp_replace(timezone, '^Africa/.*$', '(')) > 0)) FROM sales_data;
-- string_split_regex
SELECT count(*), bool_or((len(string_split_regex('x', regexp_replace(timezone, '^Africa/.*$', '('))) > 1)) FROM sales_data;
-- @variant postgres
SELECT count(*), bool_or((cardinality(regexp_split_to_array('x', regexp_replace(timezone, '^Africa/.*$', '('))) > 1)) FROM sales_data;
-- regexp_split_to_array
SELECT count(*), bool_or((len(regexp_split_to_array('x', regexp_replace(timezone, '^Africa/.*$', '('))) > 1)) FROM sales_data;
-- @variant postgres
SELECT count(*), bool_or((cardinality(regexp_split_to_array('x', regexp_replace(timezone, '^Africa/.*$', '('))) > 1)) FROM sales_data;
-- date_diff
SELECT count(*), bool_or((date_diff(regexp_replace(timezone, '^(Africa)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1)) FROM sales_data;
-- @variant postgres
SELECT count(*), bool_or((CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^(Africa)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1)) FROM sales_data;
-- datediff
SELECT count(*), bool_or((datediff(regexp_replace(timezone, '^(Africa)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1)) FROM sales_data;
-- @variant postgres
SELECT count(*), bool_or((CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^(Africa)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1)) FROM sales_data;
-- date_sub
SELECT count(*), bool_or((date_sub(regexp_replace(timezone, '^(Africa)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1)) FROM sales_data;
-- @variant postgres
SELECT count(*), bool_or((CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^(Africa)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1)) FROM sales_data;
-- datesub
SELECT count(*), bool_or((datesub(regexp_replace(timezone, '^(Africa)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1)) FROM sales_data;
-- @variant postgres
SELECT count(*), bool_or((CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^(Africa)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1)) FROM sales_data;
-- date_part
SELECT count(*), bool_or((date_part(regexp_replace(timezone, '^(Africa)?.*$', '\1day'), DATE '2020-01-02') <> 2)) FROM sales_data;
-- date_trunc
SELECT count(*), bool_or((date_trunc(regexp_replace(timezone, '^(Africa)?.*$', '\1day'), DATE '2020-01-02') <> DATE '2020-01-02')) FROM sales_data;
-- LIKE ESCAPE
SELECT count(*), bool_or(NOT ('a' LIKE 'a' ESCAPE regexp_replace(timezone, '^(Africa)?.*$', '\1'))) FROM sales_data;
-- ILIKE ESCAPE
SELECT count(*), bool_or(NOT ('a' ILIKE 'a' ESCAPE regexp_replace(timezone, '^(Africa)?.*$', '\1'))) FROM sales_data;
-- NOT LIKE ESCAPE
SELECT count(*), bool_or(('a' NOT LIKE 'a' ESCAPE regexp_replace(timezone, '^(Africa)?.*$', '\1'))) FROM sales_data;
-- like_escape
SELECT count(*), bool_or(NOT like_escape('a', 'a', regexp_replace(timezone, '^(Africa)?.*$', '\1'))) FROM sales_data;
-- @variant postgres
SELECT count(*), bool_or(NOT ('a' LIKE 'a' ESCAPE regexp_replace(timezone, '^(Africa)?.*$', '\1'))) FROM sales_data;
-- hamming
SELECT count(*), bool_or((hamming('xx', regexp_replace(timezone, '^(Africa)?.*$', 'xx\1')) <> 0)) FROM sales_data;
-- @variant postgres
SELECT count(*), bool_or(((CASE WHEN length('xx') = length(regexp_replace(timezone, '^(Africa)?.*$', 'xx\1')) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr(regexp_replace(timezone, '^(Africa)?.*$', 'xx\1'), g.i, 1)) ELSE CAST('x' || 'xx' || regexp_replace(timezone, '^(Africa)?.*$', 'xx\1') AS BIGINT) END) <> 0)) FROM sales_data;
-- mismatches
SELECT count(*), bool_or((mismatches('xx', regexp_replace(timezone, '^(Africa)?.*$', 'xx\1')) <> 0)) FROM sales_data;
-- @variant postgres
SELECT count(*), bool_or(((CASE WHEN length('xx') = length(regexp_replace(timezone, '^(Africa)?.*$', 'xx\1')) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr(regexp_replace(timezone, '^(Africa)?.*$', 'xx\1'), g.i, 1)) ELSE CAST('x' || 'xx' || regexp_replace(timezone, '^(Africa)?.*$', 'xx\1') AS BIGINT) END) <> 0)) FROM sales_data;

-- Every expression slot: yes/no on Africa/* time zones.
-- SELECT list
SELECT bool_or(('x' ~ regexp_replace(timezone, '^Africa/.*$', '('))) FROM sales_data;
-- SELECT list, DISTINCT
SELECT DISTINCT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '(')) FROM sales_data;
-- SELECT list, top-N
SELECT city, ('x' ~ regexp_replace(timezone, '^Africa/.*$', '(')) FROM sales_data ORDER BY 1, 2 LIMIT 3;
-- WHERE
SELECT count(*) FROM sales_data WHERE NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('));
-- WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('));
-- WHERE, CASE
SELECT sum(CASE WHEN ('x' ~ regexp_replace(timezone, '^Africa/.*$', '(')) THEN 1 ELSE 0 END) FROM sales_data;
-- JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND NOT ('x' ~ regexp_replace(s.timezone, '^Africa/.*$', '('));
-- LEFT JOIN ON
SELECT r.timezone_prefix, count(s.city) FROM region_lookup r LEFT JOIN sales_data s ON NOT ('x' ~ regexp_replace(s.timezone, '^Africa/.*$', '(')) AND r.timezone_prefix = split_part(s.timezone, '/', 1) GROUP BY 1;
-- JOIN key
SELECT count(*) FROM sales_data a JOIN (SELECT DISTINCT city FROM sales_data) b ON a.city = b.city AND ('x' ~ regexp_replace(a.timezone, '^Africa/.*$', '(')) = false;
-- GROUP BY position
SELECT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '(')), count(*) FROM sales_data GROUP BY 1;
-- GROUP BY expression
SELECT count(*) FROM sales_data GROUP BY ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('));
-- HAVING on a group
SELECT timezone, count(*) FROM sales_data GROUP BY timezone HAVING NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('));
-- HAVING aggregate
SELECT category, count(*) FROM sales_data GROUP BY category HAVING NOT bool_or(('x' ~ regexp_replace(timezone, '^Africa/.*$', '(')));
-- ORDER BY
SELECT city FROM sales_data ORDER BY ('x' ~ regexp_replace(timezone, '^Africa/.*$', '(')), city LIMIT 3;
-- aggregate ORDER BY
SELECT list(DISTINCT city ORDER BY city)[1:2] FROM (SELECT city FROM sales_data ORDER BY ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('))) AS sq;
-- @variant postgres
SELECT CAST(to_json((array_agg(DISTINCT city ORDER BY city))[1:2]) AS VARCHAR) FROM (SELECT city FROM sales_data ORDER BY ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('))) AS sq;
-- FILTER
SELECT count(*) FILTER (WHERE NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('))) FROM sales_data;
-- window PARTITION BY
SELECT count(DISTINCT w) FROM (SELECT count(*) OVER (PARTITION BY ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('))) AS w FROM sales_data) AS sq;
-- window ORDER BY
SELECT max(w) FROM (SELECT rank() OVER (ORDER BY ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('))) AS w FROM sales_data) AS sq;
-- window argument
SELECT max(w) FROM (SELECT bool_or(('x' ~ regexp_replace(timezone, '^Africa/.*$', '('))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- @variant postgres
SELECT bool_or(w) FROM (SELECT bool_or(('x' ~ regexp_replace(timezone, '^Africa/.*$', '('))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- QUALIFY
-- @only duckdb
SELECT count(*) FROM (SELECT city FROM sales_data QUALIFY NOT regexp_full_match('x', regexp_replace(timezone, '^Africa/.*$', '(')));
-- lambda body
-- @only duckdb
SELECT count(*) FROM sales_data WHERE len(list_filter([timezone], x -> regexp_full_match('x', regexp_replace(x, '^Africa/.*$', '(')))) = 0;
-- lambda body, transform
-- @only duckdb
SELECT count(*) FROM sales_data WHERE list_transform([timezone, timezone], x -> regexp_full_match('x', regexp_replace(x, '^Africa/.*$', '(')))[1] = false;
-- scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '(')));
-- scalar subquery value
SELECT (SELECT bool_or(('x' ~ regexp_replace(timezone, '^Africa/.*$', '('))) FROM sales_data);
-- correlated subquery
SELECT r.timezone_prefix, (SELECT count(*) FROM sales_data s WHERE s.timezone LIKE r.timezone_prefix || '%' AND NOT ('x' ~ regexp_replace(s.timezone, '^Africa/.*$', '('))) FROM region_lookup r;
-- IN subquery
SELECT count(*) FROM region_lookup WHERE timezone_prefix IN (SELECT split_part(timezone, '/', 1) FROM sales_data WHERE NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '(')));
-- EXISTS subquery
SELECT EXISTS (SELECT 1 FROM sales_data WHERE ('x' ~ regexp_replace(timezone, '^Africa/.*$', '(')));
-- derived table
SELECT count(*) FROM (SELECT timezone FROM sales_data) t WHERE NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('));
-- UNION
SELECT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '(')) FROM sales_data UNION SELECT false;
-- INTERSECT
SELECT timezone FROM sales_data WHERE NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '(')) INTERSECT SELECT timezone FROM sales_data;
-- EXCEPT
SELECT timezone FROM sales_data EXCEPT SELECT timezone FROM sales_data WHERE NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('));
-- CTE
WITH t AS (SELECT timezone FROM sales_data) SELECT count(*) FROM t WHERE NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('));
-- MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT timezone FROM sales_data) SELECT count(*) FROM t WHERE NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('));
-- CTE used twice
WITH t AS (SELECT timezone FROM sales_data) SELECT (SELECT count(*) FROM t WHERE NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('))) + (SELECT count(*) FROM t);
-- CTE body
WITH t AS MATERIALIZED (SELECT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '(')) AS e FROM sales_data) SELECT count(*) FROM t WHERE NOT e;

-- Every slot, other column kinds: yes/no on the city Cairo and the country EG.
-- SELECT list
SELECT bool_or(('x' ~ regexp_replace(city, '^Cairo$', '('))) FROM sales_data;
-- SELECT list, DISTINCT
SELECT DISTINCT ('x' ~ regexp_replace(city, '^Cairo$', '(')) FROM sales_data;
-- SELECT list, top-N
SELECT city, ('x' ~ regexp_replace(city, '^Cairo$', '(')) FROM sales_data ORDER BY 1, 2 LIMIT 3;
-- WHERE
SELECT count(*) FROM sales_data WHERE NOT ('x' ~ regexp_replace(city, '^Cairo$', '('));
-- WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT ('x' ~ regexp_replace(city, '^Cairo$', '('));
-- WHERE, CASE
SELECT sum(CASE WHEN ('x' ~ regexp_replace(city, '^Cairo$', '(')) THEN 1 ELSE 0 END) FROM sales_data;
-- JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND NOT ('x' ~ regexp_replace(s.city, '^Cairo$', '('));
-- LEFT JOIN ON
SELECT r.timezone_prefix, count(s.city) FROM region_lookup r LEFT JOIN sales_data s ON NOT ('x' ~ regexp_replace(s.city, '^Cairo$', '(')) AND r.timezone_prefix = split_part(s.timezone, '/', 1) GROUP BY 1;
-- JOIN key
SELECT count(*) FROM sales_data a JOIN (SELECT DISTINCT city FROM sales_data) b ON a.city = b.city AND ('x' ~ regexp_replace(a.city, '^Cairo$', '(')) = false;
-- GROUP BY position
SELECT ('x' ~ regexp_replace(city, '^Cairo$', '(')), count(*) FROM sales_data GROUP BY 1;
-- GROUP BY expression
SELECT count(*) FROM sales_data GROUP BY ('x' ~ regexp_replace(city, '^Cairo$', '('));
-- HAVING on a group
SELECT city, count(*) FROM sales_data GROUP BY city HAVING NOT ('x' ~ regexp_replace(city, '^Cairo$', '('));
-- HAVING aggregate
SELECT category, count(*) FROM sales_data GROUP BY category HAVING NOT bool_or(('x' ~ regexp_replace(city, '^Cairo$', '(')));
-- ORDER BY
SELECT city FROM sales_data ORDER BY ('x' ~ regexp_replace(city, '^Cairo$', '(')), city LIMIT 3;
-- aggregate ORDER BY
SELECT list(DISTINCT city ORDER BY city)[1:2] FROM (SELECT city FROM sales_data ORDER BY ('x' ~ regexp_replace(city, '^Cairo$', '('))) AS sq;
-- @variant postgres
SELECT CAST(to_json((array_agg(DISTINCT city ORDER BY city))[1:2]) AS VARCHAR) FROM (SELECT city FROM sales_data ORDER BY ('x' ~ regexp_replace(city, '^Cairo$', '('))) AS sq;
-- FILTER
SELECT count(*) FILTER (WHERE NOT ('x' ~ regexp_replace(city, '^Cairo$', '('))) FROM sales_data;
-- window PARTITION BY
SELECT count(DISTINCT w) FROM (SELECT count(*) OVER (PARTITION BY ('x' ~ regexp_replace(city, '^Cairo$', '('))) AS w FROM sales_data) AS sq;
-- window ORDER BY
SELECT max(w) FROM (SELECT rank() OVER (ORDER BY ('x' ~ regexp_replace(city, '^Cairo$', '('))) AS w FROM sales_data) AS sq;
-- window argument
SELECT max(w) FROM (SELECT bool_or(('x' ~ regexp_replace(city, '^Cairo$', '('))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- @variant postgres
SELECT bool_or(w) FROM (SELECT bool_or(('x' ~ regexp_replace(city, '^Cairo$', '('))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- QUALIFY
-- @only duckdb
SELECT count(*) FROM (SELECT city FROM sales_data QUALIFY NOT regexp_full_match('x', regexp_replace(city, '^Cairo$', '(')));
-- lambda body
-- @only duckdb
SELECT count(*) FROM sales_data WHERE len(list_filter([city], x -> regexp_full_match('x', regexp_replace(x, '^Cairo$', '(')))) = 0;
-- lambda body, transform
-- @only duckdb
SELECT count(*) FROM sales_data WHERE list_transform([city, city], x -> regexp_full_match('x', regexp_replace(x, '^Cairo$', '(')))[1] = false;
-- scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE NOT ('x' ~ regexp_replace(city, '^Cairo$', '(')));
-- scalar subquery value
SELECT (SELECT bool_or(('x' ~ regexp_replace(city, '^Cairo$', '('))) FROM sales_data);
-- correlated subquery
SELECT r.timezone_prefix, (SELECT count(*) FROM sales_data s WHERE s.timezone LIKE r.timezone_prefix || '%' AND NOT ('x' ~ regexp_replace(s.city, '^Cairo$', '('))) FROM region_lookup r;
-- IN subquery
SELECT count(*) FROM region_lookup WHERE timezone_prefix IN (SELECT split_part(timezone, '/', 1) FROM sales_data WHERE NOT ('x' ~ regexp_replace(city, '^Cairo$', '(')));
-- EXISTS subquery
SELECT EXISTS (SELECT 1 FROM sales_data WHERE ('x' ~ regexp_replace(city, '^Cairo$', '(')));
-- derived table
SELECT count(*) FROM (SELECT city FROM sales_data) t WHERE NOT ('x' ~ regexp_replace(city, '^Cairo$', '('));
-- UNION
SELECT ('x' ~ regexp_replace(city, '^Cairo$', '(')) FROM sales_data UNION SELECT false;
-- INTERSECT
SELECT city FROM sales_data WHERE NOT ('x' ~ regexp_replace(city, '^Cairo$', '(')) INTERSECT SELECT city FROM sales_data;
-- EXCEPT
SELECT city FROM sales_data EXCEPT SELECT city FROM sales_data WHERE NOT ('x' ~ regexp_replace(city, '^Cairo$', '('));
-- CTE
WITH t AS (SELECT city FROM sales_data) SELECT count(*) FROM t WHERE NOT ('x' ~ regexp_replace(city, '^Cairo$', '('));
-- MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT city FROM sales_data) SELECT count(*) FROM t WHERE NOT ('x' ~ regexp_replace(city, '^Cairo$', '('));
-- CTE used twice
WITH t AS (SELECT city FROM sales_data) SELECT (SELECT count(*) FROM t WHERE NOT ('x' ~ regexp_replace(city, '^Cairo$', '('))) + (SELECT count(*) FROM t);
-- CTE body
WITH t AS MATERIALIZED (SELECT ('x' ~ regexp_replace(city, '^Cairo$', '(')) AS e FROM sales_data) SELECT count(*) FROM t WHERE NOT e;
-- SELECT list
SELECT bool_or((date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1)) FROM sales_data;
-- @variant postgres
SELECT bool_or((CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1)) FROM sales_data;
-- SELECT list, DISTINCT
SELECT DISTINCT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1) FROM sales_data;
-- @variant postgres
SELECT DISTINCT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1) FROM sales_data;
-- SELECT list, top-N
SELECT city, (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1) FROM sales_data ORDER BY 1, 2 LIMIT 3;
-- @variant postgres
SELECT city, (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1) FROM sales_data ORDER BY 1, 2 LIMIT 3;
-- WHERE
SELECT count(*) FROM sales_data WHERE NOT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1);
-- WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1);
-- WHERE, CASE
SELECT sum(CASE WHEN (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1) THEN 1 ELSE 0 END) FROM sales_data;
-- @variant postgres
SELECT sum(CASE WHEN (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1) THEN 1 ELSE 0 END) FROM sales_data;
-- JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND NOT (date_diff(regexp_replace(s.country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(s.country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1);
-- LEFT JOIN ON
SELECT r.timezone_prefix, count(s.city) FROM region_lookup r LEFT JOIN sales_data s ON NOT (date_diff(regexp_replace(s.country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1) AND r.timezone_prefix = split_part(s.timezone, '/', 1) GROUP BY 1;
-- @variant postgres
SELECT r.timezone_prefix, count(s.city) FROM region_lookup r LEFT JOIN sales_data s ON NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(s.country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1) AND r.timezone_prefix = split_part(s.timezone, '/', 1) GROUP BY 1;
-- JOIN key
SELECT count(*) FROM sales_data a JOIN (SELECT DISTINCT city FROM sales_data) b ON a.city = b.city AND (date_diff(regexp_replace(a.country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1) = false;
-- @variant postgres
SELECT count(*) FROM sales_data a JOIN (SELECT DISTINCT city FROM sales_data) b ON a.city = b.city AND (CAST(extract(day FROM CAST('1 ' || regexp_replace(a.country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1) = false;
-- GROUP BY position
SELECT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1), count(*) FROM sales_data GROUP BY 1;
-- @variant postgres
SELECT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1), count(*) FROM sales_data GROUP BY 1;
-- GROUP BY expression
SELECT count(*) FROM sales_data GROUP BY (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data GROUP BY (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1);
-- HAVING on a group
SELECT country, count(*) FROM sales_data GROUP BY country HAVING NOT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT country, count(*) FROM sales_data GROUP BY country HAVING NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1);
-- HAVING aggregate
SELECT category, count(*) FROM sales_data GROUP BY category HAVING NOT bool_or((date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1));
-- @variant postgres
SELECT category, count(*) FROM sales_data GROUP BY category HAVING NOT bool_or((CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1));
-- ORDER BY
SELECT city FROM sales_data ORDER BY (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1), city LIMIT 3;
-- @variant postgres
SELECT city FROM sales_data ORDER BY (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1), city LIMIT 3;
-- aggregate ORDER BY
SELECT list(DISTINCT city ORDER BY city)[1:2] FROM (SELECT city FROM sales_data ORDER BY (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1)) AS sq;
-- @variant postgres
SELECT CAST(to_json((array_agg(DISTINCT city ORDER BY city))[1:2]) AS VARCHAR) FROM (SELECT city FROM sales_data ORDER BY (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1)) AS sq;
-- FILTER
SELECT count(*) FILTER (WHERE NOT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1)) FROM sales_data;
-- @variant postgres
SELECT count(*) FILTER (WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1)) FROM sales_data;
-- window PARTITION BY
SELECT count(DISTINCT w) FROM (SELECT count(*) OVER (PARTITION BY (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1)) AS w FROM sales_data) AS sq;
-- @variant postgres
SELECT count(DISTINCT w) FROM (SELECT count(*) OVER (PARTITION BY (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1)) AS w FROM sales_data) AS sq;
-- window ORDER BY
SELECT max(w) FROM (SELECT rank() OVER (ORDER BY (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1)) AS w FROM sales_data) AS sq;
-- @variant postgres
SELECT max(w) FROM (SELECT rank() OVER (ORDER BY (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1)) AS w FROM sales_data) AS sq;
-- window argument
SELECT max(w) FROM (SELECT bool_or((date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1)) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- @variant postgres
SELECT bool_or(w) FROM (SELECT bool_or((CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1)) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- QUALIFY
-- @only duckdb
SELECT count(*) FROM (SELECT city FROM sales_data QUALIFY NOT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1));
-- lambda body
-- @only duckdb
SELECT count(*) FROM sales_data WHERE len(list_filter([country], x -> (date_diff(regexp_replace(x, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1))) = 0;
-- lambda body, transform
-- @only duckdb
SELECT count(*) FROM sales_data WHERE list_transform([country, country], x -> (date_diff(regexp_replace(x, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1))[1] = false;
-- scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE NOT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1));
-- @variant postgres
SELECT (SELECT count(*) FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1));
-- scalar subquery value
SELECT (SELECT bool_or((date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1)) FROM sales_data);
-- @variant postgres
SELECT (SELECT bool_or((CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1)) FROM sales_data);
-- correlated subquery
SELECT r.timezone_prefix, (SELECT count(*) FROM sales_data s WHERE s.timezone LIKE r.timezone_prefix || '%' AND NOT (date_diff(regexp_replace(s.country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1)) FROM region_lookup r;
-- @variant postgres
SELECT r.timezone_prefix, (SELECT count(*) FROM sales_data s WHERE s.timezone LIKE r.timezone_prefix || '%' AND NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(s.country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1)) FROM region_lookup r;
-- IN subquery
SELECT count(*) FROM region_lookup WHERE timezone_prefix IN (SELECT split_part(timezone, '/', 1) FROM sales_data WHERE NOT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1));
-- @variant postgres
SELECT count(*) FROM region_lookup WHERE timezone_prefix IN (SELECT split_part(timezone, '/', 1) FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1));
-- EXISTS subquery
SELECT EXISTS (SELECT 1 FROM sales_data WHERE (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1));
-- @variant postgres
SELECT EXISTS (SELECT 1 FROM sales_data WHERE (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1));
-- derived table
SELECT count(*) FROM (SELECT country FROM sales_data) t WHERE NOT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM (SELECT country FROM sales_data) t WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1);
-- UNION
SELECT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1) FROM sales_data UNION SELECT false;
-- @variant postgres
SELECT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1) FROM sales_data UNION SELECT false;
-- INTERSECT
SELECT country FROM sales_data WHERE NOT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1) INTERSECT SELECT country FROM sales_data;
-- @variant postgres
SELECT country FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1) INTERSECT SELECT country FROM sales_data;
-- EXCEPT
SELECT country FROM sales_data EXCEPT SELECT country FROM sales_data WHERE NOT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT country FROM sales_data EXCEPT SELECT country FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1);
-- CTE
WITH t AS (SELECT country FROM sales_data) SELECT count(*) FROM t WHERE NOT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
WITH t AS (SELECT country FROM sales_data) SELECT count(*) FROM t WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1);
-- MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT country FROM sales_data) SELECT count(*) FROM t WHERE NOT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
WITH t AS MATERIALIZED (SELECT country FROM sales_data) SELECT count(*) FROM t WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1);
-- CTE used twice
WITH t AS (SELECT country FROM sales_data) SELECT (SELECT count(*) FROM t WHERE NOT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1)) + (SELECT count(*) FROM t);
-- @variant postgres
WITH t AS (SELECT country FROM sales_data) SELECT (SELECT count(*) FROM t WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1)) + (SELECT count(*) FROM t);
-- CTE body
WITH t AS MATERIALIZED (SELECT (date_diff(regexp_replace(country, '^(EG)?.*$', '\1day'), DATE '2020-01-01', DATE '2020-01-02') <> 1) AS e FROM sales_data) SELECT count(*) FROM t WHERE NOT e;
-- @variant postgres
WITH t AS MATERIALIZED (SELECT (CAST(extract(day FROM CAST('1 ' || regexp_replace(country, '^(EG)?.*$', '\1day') AS INTERVAL)) AS INT) <> 1) AS e FROM sales_data) SELECT count(*) FROM t WHERE NOT e;

-- Value-revealing forms: an expression true on every visible value that fails
-- naming any other value, per principal, in every slot.
-- @as ming
-- timezone, SELECT list
SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')))) FROM sales_data;
-- timezone, SELECT list, DISTINCT
SELECT DISTINCT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)'))) FROM sales_data;
-- timezone, SELECT list, top-N
SELECT city, NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)'))) FROM sales_data ORDER BY 1, 2 LIMIT 3;
-- timezone, WHERE
SELECT count(*) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')));
-- timezone, WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')));
-- timezone, WHERE, CASE
SELECT sum(CASE WHEN NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)'))) THEN 1 ELSE 0 END) FROM sales_data;
-- timezone, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND NOT NOT ('x' ~ ('(' || regexp_replace(s.timezone, '^Asia/.*$', 'x)')));
-- timezone, LEFT JOIN ON
SELECT r.timezone_prefix, count(s.city) FROM region_lookup r LEFT JOIN sales_data s ON NOT NOT ('x' ~ ('(' || regexp_replace(s.timezone, '^Asia/.*$', 'x)'))) AND r.timezone_prefix = split_part(s.timezone, '/', 1) GROUP BY 1;
-- timezone, JOIN key
SELECT count(*) FROM sales_data a JOIN (SELECT DISTINCT city FROM sales_data) b ON a.city = b.city AND NOT ('x' ~ ('(' || regexp_replace(a.timezone, '^Asia/.*$', 'x)'))) = false;
-- timezone, GROUP BY position
SELECT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)'))), count(*) FROM sales_data GROUP BY 1;
-- timezone, GROUP BY expression
SELECT count(*) FROM sales_data GROUP BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')));
-- timezone, HAVING on a group
SELECT timezone, count(*) FROM sales_data GROUP BY timezone HAVING NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')));
-- timezone, HAVING aggregate
SELECT category, count(*) FROM sales_data GROUP BY category HAVING NOT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)'))));
-- timezone, ORDER BY
SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)'))), city LIMIT 3;
-- timezone, aggregate ORDER BY
SELECT list(DISTINCT city ORDER BY city)[1:2] FROM (SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')))) AS sq;
-- @variant postgres
SELECT CAST(to_json((array_agg(DISTINCT city ORDER BY city))[1:2]) AS VARCHAR) FROM (SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')))) AS sq;
-- timezone, FILTER
SELECT count(*) FILTER (WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')))) FROM sales_data;
-- timezone, window PARTITION BY
SELECT count(DISTINCT w) FROM (SELECT count(*) OVER (PARTITION BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')))) AS w FROM sales_data) AS sq;
-- timezone, window ORDER BY
SELECT max(w) FROM (SELECT rank() OVER (ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')))) AS w FROM sales_data) AS sq;
-- timezone, window argument
SELECT max(w) FROM (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- @variant postgres
SELECT bool_or(w) FROM (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- timezone, QUALIFY
-- @only duckdb
SELECT count(*) FROM (SELECT city FROM sales_data QUALIFY NOT NOT regexp_full_match('x', '(' || regexp_replace(timezone, '^Asia/.*$', 'x)')));
-- timezone, lambda body
-- @only duckdb
SELECT count(*) FROM sales_data WHERE len(list_filter([timezone], x -> NOT regexp_full_match('x', '(' || regexp_replace(x, '^Asia/.*$', 'x)')))) = 0;
-- timezone, lambda body, transform
-- @only duckdb
SELECT count(*) FROM sales_data WHERE list_transform([timezone, timezone], x -> NOT regexp_full_match('x', '(' || regexp_replace(x, '^Asia/.*$', 'x)')))[1] = false;
-- timezone, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)'))));
-- timezone, scalar subquery value
SELECT (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')))) FROM sales_data);
-- timezone, correlated subquery
SELECT r.timezone_prefix, (SELECT count(*) FROM sales_data s WHERE s.timezone LIKE r.timezone_prefix || '%' AND NOT NOT ('x' ~ ('(' || regexp_replace(s.timezone, '^Asia/.*$', 'x)')))) FROM region_lookup r;
-- timezone, IN subquery
SELECT count(*) FROM region_lookup WHERE timezone_prefix IN (SELECT split_part(timezone, '/', 1) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)'))));
-- timezone, EXISTS subquery
SELECT EXISTS (SELECT 1 FROM sales_data WHERE NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)'))));
-- timezone, derived table
SELECT count(*) FROM (SELECT timezone FROM sales_data) t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')));
-- timezone, UNION
SELECT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)'))) FROM sales_data UNION SELECT false;
-- timezone, INTERSECT
SELECT timezone FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)'))) INTERSECT SELECT timezone FROM sales_data;
-- timezone, EXCEPT
SELECT timezone FROM sales_data EXCEPT SELECT timezone FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')));
-- timezone, CTE
WITH t AS (SELECT timezone FROM sales_data) SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')));
-- timezone, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT timezone FROM sales_data) SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')));
-- timezone, CTE used twice
WITH t AS (SELECT timezone FROM sales_data) SELECT (SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)')))) + (SELECT count(*) FROM t);
-- timezone, CTE body
WITH t AS MATERIALIZED (SELECT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Asia/.*$', 'x)'))) AS e FROM sales_data) SELECT count(*) FROM t WHERE NOT e;
-- timezone, date_diff, WHERE
SELECT count(*) FROM sales_data WHERE NOT (date_diff(regexp_replace(timezone, '^Asia/.*$', 'day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^Asia/.*$', 'day') AS INTERVAL)) AS INT) <> 1);
-- timezone, date_diff, WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT (date_diff(regexp_replace(timezone, '^Asia/.*$', 'day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^Asia/.*$', 'day') AS INTERVAL)) AS INT) <> 1);
-- @as alex
-- timezone, SELECT list
SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) FROM sales_data;
-- timezone, SELECT list, DISTINCT
SELECT DISTINCT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))) FROM sales_data;
-- timezone, SELECT list, top-N
SELECT city, NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))) FROM sales_data ORDER BY 1, 2 LIMIT 3;
-- timezone, WHERE
SELECT count(*) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, WHERE, CASE
SELECT sum(CASE WHEN NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))) THEN 1 ELSE 0 END) FROM sales_data;
-- timezone, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND NOT NOT ('x' ~ ('(' || regexp_replace(s.timezone, '^Europe/.*$', 'x)')));
-- timezone, LEFT JOIN ON
SELECT r.timezone_prefix, count(s.city) FROM region_lookup r LEFT JOIN sales_data s ON NOT NOT ('x' ~ ('(' || regexp_replace(s.timezone, '^Europe/.*$', 'x)'))) AND r.timezone_prefix = split_part(s.timezone, '/', 1) GROUP BY 1;
-- timezone, JOIN key
SELECT count(*) FROM sales_data a JOIN (SELECT DISTINCT city FROM sales_data) b ON a.city = b.city AND NOT ('x' ~ ('(' || regexp_replace(a.timezone, '^Europe/.*$', 'x)'))) = false;
-- timezone, GROUP BY position
SELECT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))), count(*) FROM sales_data GROUP BY 1;
-- timezone, GROUP BY expression
SELECT count(*) FROM sales_data GROUP BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, HAVING on a group
SELECT timezone, count(*) FROM sales_data GROUP BY timezone HAVING NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, HAVING aggregate
SELECT category, count(*) FROM sales_data GROUP BY category HAVING NOT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))));
-- timezone, ORDER BY
SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))), city LIMIT 3;
-- timezone, aggregate ORDER BY
SELECT list(DISTINCT city ORDER BY city)[1:2] FROM (SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) AS sq;
-- @variant postgres
SELECT CAST(to_json((array_agg(DISTINCT city ORDER BY city))[1:2]) AS VARCHAR) FROM (SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) AS sq;
-- timezone, FILTER
SELECT count(*) FILTER (WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) FROM sales_data;
-- timezone, window PARTITION BY
SELECT count(DISTINCT w) FROM (SELECT count(*) OVER (PARTITION BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) AS w FROM sales_data) AS sq;
-- timezone, window ORDER BY
SELECT max(w) FROM (SELECT rank() OVER (ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) AS w FROM sales_data) AS sq;
-- timezone, window argument
SELECT max(w) FROM (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- @variant postgres
SELECT bool_or(w) FROM (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- timezone, QUALIFY
-- @only duckdb
SELECT count(*) FROM (SELECT city FROM sales_data QUALIFY NOT NOT regexp_full_match('x', '(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, lambda body
-- @only duckdb
SELECT count(*) FROM sales_data WHERE len(list_filter([timezone], x -> NOT regexp_full_match('x', '(' || regexp_replace(x, '^Europe/.*$', 'x)')))) = 0;
-- timezone, lambda body, transform
-- @only duckdb
SELECT count(*) FROM sales_data WHERE list_transform([timezone, timezone], x -> NOT regexp_full_match('x', '(' || regexp_replace(x, '^Europe/.*$', 'x)')))[1] = false;
-- timezone, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))));
-- timezone, scalar subquery value
SELECT (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) FROM sales_data);
-- timezone, correlated subquery
SELECT r.timezone_prefix, (SELECT count(*) FROM sales_data s WHERE s.timezone LIKE r.timezone_prefix || '%' AND NOT NOT ('x' ~ ('(' || regexp_replace(s.timezone, '^Europe/.*$', 'x)')))) FROM region_lookup r;
-- timezone, IN subquery
SELECT count(*) FROM region_lookup WHERE timezone_prefix IN (SELECT split_part(timezone, '/', 1) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))));
-- timezone, EXISTS subquery
SELECT EXISTS (SELECT 1 FROM sales_data WHERE NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))));
-- timezone, derived table
SELECT count(*) FROM (SELECT timezone FROM sales_data) t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, UNION
SELECT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))) FROM sales_data UNION SELECT false;
-- timezone, INTERSECT
SELECT timezone FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))) INTERSECT SELECT timezone FROM sales_data;
-- timezone, EXCEPT
SELECT timezone FROM sales_data EXCEPT SELECT timezone FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, CTE
WITH t AS (SELECT timezone FROM sales_data) SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT timezone FROM sales_data) SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, CTE used twice
WITH t AS (SELECT timezone FROM sales_data) SELECT (SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) + (SELECT count(*) FROM t);
-- timezone, CTE body
WITH t AS MATERIALIZED (SELECT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))) AS e FROM sales_data) SELECT count(*) FROM t WHERE NOT e;
-- timezone, date_diff, WHERE
SELECT count(*) FROM sales_data WHERE NOT (date_diff(regexp_replace(timezone, '^Europe/.*$', 'day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^Europe/.*$', 'day') AS INTERVAL)) AS INT) <> 1);
-- timezone, date_diff, WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT (date_diff(regexp_replace(timezone, '^Europe/.*$', 'day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^Europe/.*$', 'day') AS INTERVAL)) AS INT) <> 1);
-- @as frank
-- timezone, SELECT list
SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')))) FROM sales_data;
-- timezone, SELECT list, DISTINCT
SELECT DISTINCT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)'))) FROM sales_data;
-- timezone, SELECT list, top-N
SELECT city, NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)'))) FROM sales_data ORDER BY 1, 2 LIMIT 3;
-- timezone, WHERE
SELECT count(*) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')));
-- timezone, WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')));
-- timezone, WHERE, CASE
SELECT sum(CASE WHEN NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)'))) THEN 1 ELSE 0 END) FROM sales_data;
-- timezone, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND NOT NOT ('x' ~ ('(' || regexp_replace(s.timezone, '^America/.*$', 'x)')));
-- timezone, LEFT JOIN ON
SELECT r.timezone_prefix, count(s.city) FROM region_lookup r LEFT JOIN sales_data s ON NOT NOT ('x' ~ ('(' || regexp_replace(s.timezone, '^America/.*$', 'x)'))) AND r.timezone_prefix = split_part(s.timezone, '/', 1) GROUP BY 1;
-- timezone, JOIN key
SELECT count(*) FROM sales_data a JOIN (SELECT DISTINCT city FROM sales_data) b ON a.city = b.city AND NOT ('x' ~ ('(' || regexp_replace(a.timezone, '^America/.*$', 'x)'))) = false;
-- timezone, GROUP BY position
SELECT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)'))), count(*) FROM sales_data GROUP BY 1;
-- timezone, GROUP BY expression
SELECT count(*) FROM sales_data GROUP BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')));
-- timezone, HAVING on a group
SELECT timezone, count(*) FROM sales_data GROUP BY timezone HAVING NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')));
-- timezone, HAVING aggregate
SELECT category, count(*) FROM sales_data GROUP BY category HAVING NOT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)'))));
-- timezone, ORDER BY
SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)'))), city LIMIT 3;
-- timezone, aggregate ORDER BY
SELECT list(DISTINCT city ORDER BY city)[1:2] FROM (SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')))) AS sq;
-- @variant postgres
SELECT CAST(to_json((array_agg(DISTINCT city ORDER BY city))[1:2]) AS VARCHAR) FROM (SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')))) AS sq;
-- timezone, FILTER
SELECT count(*) FILTER (WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')))) FROM sales_data;
-- timezone, window PARTITION BY
SELECT count(DISTINCT w) FROM (SELECT count(*) OVER (PARTITION BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')))) AS w FROM sales_data) AS sq;
-- timezone, window ORDER BY
SELECT max(w) FROM (SELECT rank() OVER (ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')))) AS w FROM sales_data) AS sq;
-- timezone, window argument
SELECT max(w) FROM (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- @variant postgres
SELECT bool_or(w) FROM (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- timezone, QUALIFY
-- @only duckdb
SELECT count(*) FROM (SELECT city FROM sales_data QUALIFY NOT NOT regexp_full_match('x', '(' || regexp_replace(timezone, '^America/.*$', 'x)')));
-- timezone, lambda body
-- @only duckdb
SELECT count(*) FROM sales_data WHERE len(list_filter([timezone], x -> NOT regexp_full_match('x', '(' || regexp_replace(x, '^America/.*$', 'x)')))) = 0;
-- timezone, lambda body, transform
-- @only duckdb
SELECT count(*) FROM sales_data WHERE list_transform([timezone, timezone], x -> NOT regexp_full_match('x', '(' || regexp_replace(x, '^America/.*$', 'x)')))[1] = false;
-- timezone, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)'))));
-- timezone, scalar subquery value
SELECT (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')))) FROM sales_data);
-- timezone, correlated subquery
SELECT r.timezone_prefix, (SELECT count(*) FROM sales_data s WHERE s.timezone LIKE r.timezone_prefix || '%' AND NOT NOT ('x' ~ ('(' || regexp_replace(s.timezone, '^America/.*$', 'x)')))) FROM region_lookup r;
-- timezone, IN subquery
SELECT count(*) FROM region_lookup WHERE timezone_prefix IN (SELECT split_part(timezone, '/', 1) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)'))));
-- timezone, EXISTS subquery
SELECT EXISTS (SELECT 1 FROM sales_data WHERE NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)'))));
-- timezone, derived table
SELECT count(*) FROM (SELECT timezone FROM sales_data) t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')));
-- timezone, UNION
SELECT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)'))) FROM sales_data UNION SELECT false;
-- timezone, INTERSECT
SELECT timezone FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)'))) INTERSECT SELECT timezone FROM sales_data;
-- timezone, EXCEPT
SELECT timezone FROM sales_data EXCEPT SELECT timezone FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')));
-- timezone, CTE
WITH t AS (SELECT timezone FROM sales_data) SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')));
-- timezone, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT timezone FROM sales_data) SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')));
-- timezone, CTE used twice
WITH t AS (SELECT timezone FROM sales_data) SELECT (SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)')))) + (SELECT count(*) FROM t);
-- timezone, CTE body
WITH t AS MATERIALIZED (SELECT NOT ('x' ~ ('(' || regexp_replace(timezone, '^America/.*$', 'x)'))) AS e FROM sales_data) SELECT count(*) FROM t WHERE NOT e;
-- timezone, date_diff, WHERE
SELECT count(*) FROM sales_data WHERE NOT (date_diff(regexp_replace(timezone, '^America/.*$', 'day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^America/.*$', 'day') AS INTERVAL)) AS INT) <> 1);
-- timezone, date_diff, WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT (date_diff(regexp_replace(timezone, '^America/.*$', 'day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^America/.*$', 'day') AS INTERVAL)) AS INT) <> 1);
-- @as olga
-- timezone, SELECT list
SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) FROM sales_data;
-- timezone, SELECT list, DISTINCT
SELECT DISTINCT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))) FROM sales_data;
-- timezone, SELECT list, top-N
SELECT city, NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))) FROM sales_data ORDER BY 1, 2 LIMIT 3;
-- timezone, WHERE
SELECT count(*) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, WHERE, CASE
SELECT sum(CASE WHEN NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))) THEN 1 ELSE 0 END) FROM sales_data;
-- timezone, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND NOT NOT ('x' ~ ('(' || regexp_replace(s.timezone, '^Europe/.*$', 'x)')));
-- timezone, LEFT JOIN ON
SELECT r.timezone_prefix, count(s.city) FROM region_lookup r LEFT JOIN sales_data s ON NOT NOT ('x' ~ ('(' || regexp_replace(s.timezone, '^Europe/.*$', 'x)'))) AND r.timezone_prefix = split_part(s.timezone, '/', 1) GROUP BY 1;
-- timezone, JOIN key
SELECT count(*) FROM sales_data a JOIN (SELECT DISTINCT city FROM sales_data) b ON a.city = b.city AND NOT ('x' ~ ('(' || regexp_replace(a.timezone, '^Europe/.*$', 'x)'))) = false;
-- timezone, GROUP BY position
SELECT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))), count(*) FROM sales_data GROUP BY 1;
-- timezone, GROUP BY expression
SELECT count(*) FROM sales_data GROUP BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, HAVING on a group
SELECT timezone, count(*) FROM sales_data GROUP BY timezone HAVING NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, HAVING aggregate
SELECT category, count(*) FROM sales_data GROUP BY category HAVING NOT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))));
-- timezone, ORDER BY
SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))), city LIMIT 3;
-- timezone, aggregate ORDER BY
SELECT list(DISTINCT city ORDER BY city)[1:2] FROM (SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) AS sq;
-- @variant postgres
SELECT CAST(to_json((array_agg(DISTINCT city ORDER BY city))[1:2]) AS VARCHAR) FROM (SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) AS sq;
-- timezone, FILTER
SELECT count(*) FILTER (WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) FROM sales_data;
-- timezone, window PARTITION BY
SELECT count(DISTINCT w) FROM (SELECT count(*) OVER (PARTITION BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) AS w FROM sales_data) AS sq;
-- timezone, window ORDER BY
SELECT max(w) FROM (SELECT rank() OVER (ORDER BY NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) AS w FROM sales_data) AS sq;
-- timezone, window argument
SELECT max(w) FROM (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- @variant postgres
SELECT bool_or(w) FROM (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- timezone, QUALIFY
-- @only duckdb
SELECT count(*) FROM (SELECT city FROM sales_data QUALIFY NOT NOT regexp_full_match('x', '(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, lambda body
-- @only duckdb
SELECT count(*) FROM sales_data WHERE len(list_filter([timezone], x -> NOT regexp_full_match('x', '(' || regexp_replace(x, '^Europe/.*$', 'x)')))) = 0;
-- timezone, lambda body, transform
-- @only duckdb
SELECT count(*) FROM sales_data WHERE list_transform([timezone, timezone], x -> NOT regexp_full_match('x', '(' || regexp_replace(x, '^Europe/.*$', 'x)')))[1] = false;
-- timezone, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))));
-- timezone, scalar subquery value
SELECT (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) FROM sales_data);
-- timezone, correlated subquery
SELECT r.timezone_prefix, (SELECT count(*) FROM sales_data s WHERE s.timezone LIKE r.timezone_prefix || '%' AND NOT NOT ('x' ~ ('(' || regexp_replace(s.timezone, '^Europe/.*$', 'x)')))) FROM region_lookup r;
-- timezone, IN subquery
SELECT count(*) FROM region_lookup WHERE timezone_prefix IN (SELECT split_part(timezone, '/', 1) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))));
-- timezone, EXISTS subquery
SELECT EXISTS (SELECT 1 FROM sales_data WHERE NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))));
-- timezone, derived table
SELECT count(*) FROM (SELECT timezone FROM sales_data) t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, UNION
SELECT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))) FROM sales_data UNION SELECT false;
-- timezone, INTERSECT
SELECT timezone FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))) INTERSECT SELECT timezone FROM sales_data;
-- timezone, EXCEPT
SELECT timezone FROM sales_data EXCEPT SELECT timezone FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, CTE
WITH t AS (SELECT timezone FROM sales_data) SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT timezone FROM sales_data) SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')));
-- timezone, CTE used twice
WITH t AS (SELECT timezone FROM sales_data) SELECT (SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)')))) + (SELECT count(*) FROM t);
-- timezone, CTE body
WITH t AS MATERIALIZED (SELECT NOT ('x' ~ ('(' || regexp_replace(timezone, '^Europe/.*$', 'x)'))) AS e FROM sales_data) SELECT count(*) FROM t WHERE NOT e;
-- timezone, date_diff, WHERE
SELECT count(*) FROM sales_data WHERE NOT (date_diff(regexp_replace(timezone, '^Europe/.*$', 'day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^Europe/.*$', 'day') AS INTERVAL)) AS INT) <> 1);
-- timezone, date_diff, WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT (date_diff(regexp_replace(timezone, '^Europe/.*$', 'day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(timezone, '^Europe/.*$', 'day') AS INTERVAL)) AS INT) <> 1);
-- @as olga
-- category, SELECT list
SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')))) FROM sales_data;
-- category, SELECT list, DISTINCT
SELECT DISTINCT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)'))) FROM sales_data;
-- category, SELECT list, top-N
SELECT city, NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)'))) FROM sales_data ORDER BY 1, 2 LIMIT 3;
-- category, WHERE
SELECT count(*) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')));
-- category, WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')));
-- category, WHERE, CASE
SELECT sum(CASE WHEN NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)'))) THEN 1 ELSE 0 END) FROM sales_data;
-- category, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND NOT NOT ('x' ~ ('(' || regexp_replace(s.category, '^[^G].*$', 'x)')));
-- category, LEFT JOIN ON
SELECT r.timezone_prefix, count(s.city) FROM region_lookup r LEFT JOIN sales_data s ON NOT NOT ('x' ~ ('(' || regexp_replace(s.category, '^[^G].*$', 'x)'))) AND r.timezone_prefix = split_part(s.timezone, '/', 1) GROUP BY 1;
-- category, JOIN key
SELECT count(*) FROM sales_data a JOIN (SELECT DISTINCT city FROM sales_data) b ON a.city = b.city AND NOT ('x' ~ ('(' || regexp_replace(a.category, '^[^G].*$', 'x)'))) = false;
-- category, GROUP BY position
SELECT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)'))), count(*) FROM sales_data GROUP BY 1;
-- category, GROUP BY expression
SELECT count(*) FROM sales_data GROUP BY NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')));
-- category, HAVING on a group
SELECT category, count(*) FROM sales_data GROUP BY category HAVING NOT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')));
-- category, HAVING aggregate
SELECT category, count(*) FROM sales_data GROUP BY category HAVING NOT bool_or(NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)'))));
-- category, ORDER BY
SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)'))), city LIMIT 3;
-- category, aggregate ORDER BY
SELECT list(DISTINCT city ORDER BY city)[1:2] FROM (SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')))) AS sq;
-- @variant postgres
SELECT CAST(to_json((array_agg(DISTINCT city ORDER BY city))[1:2]) AS VARCHAR) FROM (SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')))) AS sq;
-- category, FILTER
SELECT count(*) FILTER (WHERE NOT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')))) FROM sales_data;
-- category, window PARTITION BY
SELECT count(DISTINCT w) FROM (SELECT count(*) OVER (PARTITION BY NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')))) AS w FROM sales_data) AS sq;
-- category, window ORDER BY
SELECT max(w) FROM (SELECT rank() OVER (ORDER BY NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')))) AS w FROM sales_data) AS sq;
-- category, window argument
SELECT max(w) FROM (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- @variant postgres
SELECT bool_or(w) FROM (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- category, QUALIFY
-- @only duckdb
SELECT count(*) FROM (SELECT city FROM sales_data QUALIFY NOT NOT regexp_full_match('x', '(' || regexp_replace(category, '^[^G].*$', 'x)')));
-- category, lambda body
-- @only duckdb
SELECT count(*) FROM sales_data WHERE len(list_filter([category], x -> NOT regexp_full_match('x', '(' || regexp_replace(x, '^[^G].*$', 'x)')))) = 0;
-- category, lambda body, transform
-- @only duckdb
SELECT count(*) FROM sales_data WHERE list_transform([category, category], x -> NOT regexp_full_match('x', '(' || regexp_replace(x, '^[^G].*$', 'x)')))[1] = false;
-- category, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)'))));
-- category, scalar subquery value
SELECT (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')))) FROM sales_data);
-- category, correlated subquery
SELECT r.timezone_prefix, (SELECT count(*) FROM sales_data s WHERE s.timezone LIKE r.timezone_prefix || '%' AND NOT NOT ('x' ~ ('(' || regexp_replace(s.category, '^[^G].*$', 'x)')))) FROM region_lookup r;
-- category, IN subquery
SELECT count(*) FROM region_lookup WHERE timezone_prefix IN (SELECT split_part(timezone, '/', 1) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)'))));
-- category, EXISTS subquery
SELECT EXISTS (SELECT 1 FROM sales_data WHERE NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)'))));
-- category, derived table
SELECT count(*) FROM (SELECT category FROM sales_data) t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')));
-- category, UNION
SELECT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)'))) FROM sales_data UNION SELECT false;
-- category, INTERSECT
SELECT category FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)'))) INTERSECT SELECT category FROM sales_data;
-- category, EXCEPT
SELECT category FROM sales_data EXCEPT SELECT category FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')));
-- category, CTE
WITH t AS (SELECT category FROM sales_data) SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')));
-- category, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT category FROM sales_data) SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')));
-- category, CTE used twice
WITH t AS (SELECT category FROM sales_data) SELECT (SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)')))) + (SELECT count(*) FROM t);
-- category, CTE body
WITH t AS MATERIALIZED (SELECT NOT ('x' ~ ('(' || regexp_replace(category, '^[^G].*$', 'x)'))) AS e FROM sales_data) SELECT count(*) FROM t WHERE NOT e;
-- category, date_diff, WHERE
SELECT count(*) FROM sales_data WHERE NOT (date_diff(regexp_replace(category, '^[^G].*$', 'day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(category, '^[^G].*$', 'day') AS INTERVAL)) AS INT) <> 1);
-- category, date_diff, WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT (date_diff(regexp_replace(category, '^[^G].*$', 'day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(category, '^[^G].*$', 'day') AS INTERVAL)) AS INT) <> 1);
-- @as olga
-- sku, SELECT list
SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')))) FROM sales_data;
-- sku, SELECT list, DISTINCT
SELECT DISTINCT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)'))) FROM sales_data;
-- sku, SELECT list, top-N
SELECT city, NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)'))) FROM sales_data ORDER BY 1, 2 LIMIT 3;
-- sku, WHERE
SELECT count(*) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')));
-- sku, WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')));
-- sku, WHERE, CASE
SELECT sum(CASE WHEN NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)'))) THEN 1 ELSE 0 END) FROM sales_data;
-- sku, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND NOT NOT ('x' ~ ('(' || regexp_replace(s.sku, '^[^G].*$', 'x)')));
-- sku, LEFT JOIN ON
SELECT r.timezone_prefix, count(s.city) FROM region_lookup r LEFT JOIN sales_data s ON NOT NOT ('x' ~ ('(' || regexp_replace(s.sku, '^[^G].*$', 'x)'))) AND r.timezone_prefix = split_part(s.timezone, '/', 1) GROUP BY 1;
-- sku, JOIN key
SELECT count(*) FROM sales_data a JOIN (SELECT DISTINCT city FROM sales_data) b ON a.city = b.city AND NOT ('x' ~ ('(' || regexp_replace(a.sku, '^[^G].*$', 'x)'))) = false;
-- sku, GROUP BY position
SELECT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)'))), count(*) FROM sales_data GROUP BY 1;
-- sku, GROUP BY expression
SELECT count(*) FROM sales_data GROUP BY NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')));
-- sku, HAVING on a group
SELECT sku, count(*) FROM sales_data GROUP BY sku HAVING NOT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')));
-- sku, HAVING aggregate
SELECT category, count(*) FROM sales_data GROUP BY category HAVING NOT bool_or(NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)'))));
-- sku, ORDER BY
SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)'))), city LIMIT 3;
-- sku, aggregate ORDER BY
SELECT list(DISTINCT city ORDER BY city)[1:2] FROM (SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')))) AS sq;
-- @variant postgres
SELECT CAST(to_json((array_agg(DISTINCT city ORDER BY city))[1:2]) AS VARCHAR) FROM (SELECT city FROM sales_data ORDER BY NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')))) AS sq;
-- sku, FILTER
SELECT count(*) FILTER (WHERE NOT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')))) FROM sales_data;
-- sku, window PARTITION BY
SELECT count(DISTINCT w) FROM (SELECT count(*) OVER (PARTITION BY NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')))) AS w FROM sales_data) AS sq;
-- sku, window ORDER BY
SELECT max(w) FROM (SELECT rank() OVER (ORDER BY NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')))) AS w FROM sales_data) AS sq;
-- sku, window argument
SELECT max(w) FROM (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- @variant postgres
SELECT bool_or(w) FROM (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')))) OVER (PARTITION BY category) AS w FROM sales_data) AS sq;
-- sku, QUALIFY
-- @only duckdb
SELECT count(*) FROM (SELECT city FROM sales_data QUALIFY NOT NOT regexp_full_match('x', '(' || regexp_replace(sku, '^[^G].*$', 'x)')));
-- sku, lambda body
-- @only duckdb
SELECT count(*) FROM sales_data WHERE len(list_filter([sku], x -> NOT regexp_full_match('x', '(' || regexp_replace(x, '^[^G].*$', 'x)')))) = 0;
-- sku, lambda body, transform
-- @only duckdb
SELECT count(*) FROM sales_data WHERE list_transform([sku, sku], x -> NOT regexp_full_match('x', '(' || regexp_replace(x, '^[^G].*$', 'x)')))[1] = false;
-- sku, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)'))));
-- sku, scalar subquery value
SELECT (SELECT bool_or(NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')))) FROM sales_data);
-- sku, correlated subquery
SELECT r.timezone_prefix, (SELECT count(*) FROM sales_data s WHERE s.timezone LIKE r.timezone_prefix || '%' AND NOT NOT ('x' ~ ('(' || regexp_replace(s.sku, '^[^G].*$', 'x)')))) FROM region_lookup r;
-- sku, IN subquery
SELECT count(*) FROM region_lookup WHERE timezone_prefix IN (SELECT split_part(timezone, '/', 1) FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)'))));
-- sku, EXISTS subquery
SELECT EXISTS (SELECT 1 FROM sales_data WHERE NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)'))));
-- sku, derived table
SELECT count(*) FROM (SELECT sku FROM sales_data) t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')));
-- sku, UNION
SELECT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)'))) FROM sales_data UNION SELECT false;
-- sku, INTERSECT
SELECT sku FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)'))) INTERSECT SELECT sku FROM sales_data;
-- sku, EXCEPT
SELECT sku FROM sales_data EXCEPT SELECT sku FROM sales_data WHERE NOT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')));
-- sku, CTE
WITH t AS (SELECT sku FROM sales_data) SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')));
-- sku, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT sku FROM sales_data) SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')));
-- sku, CTE used twice
WITH t AS (SELECT sku FROM sales_data) SELECT (SELECT count(*) FROM t WHERE NOT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)')))) + (SELECT count(*) FROM t);
-- sku, CTE body
WITH t AS MATERIALIZED (SELECT NOT ('x' ~ ('(' || regexp_replace(sku, '^[^G].*$', 'x)'))) AS e FROM sales_data) SELECT count(*) FROM t WHERE NOT e;
-- sku, date_diff, WHERE
SELECT count(*) FROM sales_data WHERE NOT (date_diff(regexp_replace(sku, '^[^G].*$', 'day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(sku, '^[^G].*$', 'day') AS INTERVAL)) AS INT) <> 1);
-- sku, date_diff, WHERE, AND
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT (date_diff(regexp_replace(sku, '^[^G].*$', 'day'), DATE '2020-01-01', DATE '2020-01-02') <> 1);
-- @variant postgres
SELECT count(*) FROM sales_data WHERE quantity > 0 AND NOT (CAST(extract(day FROM CAST('1 ' || regexp_replace(sku, '^[^G].*$', 'day') AS INTERVAL)) AS INT) <> 1);

-- Expressions that fail on every row: the ground truth's message names a
-- visible value; enforcement's may name no other (checked for every error).
-- @as all
-- timezone, SELECT
SELECT ('x' ~ ('(' || timezone)) FROM sales_data;
-- timezone, WHERE
SELECT count(*) FROM sales_data WHERE ('x' ~ ('(' || timezone));
-- timezone, WHERE date_diff
SELECT count(*) FROM sales_data WHERE date_diff(timezone, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || timezone AS INTERVAL)) AS INT) = 1;
-- timezone, WHERE string_split_regex
SELECT count(*) FROM sales_data WHERE len(string_split_regex('x', timezone || '(')) = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE cardinality(regexp_split_to_array('x', timezone || '(')) = 1;
-- timezone, GROUP BY
SELECT ('x' ~ ('(' || timezone)), count(*) FROM sales_data GROUP BY 1;
-- timezone, ORDER BY
SELECT city FROM sales_data ORDER BY ('x' ~ ('(' || timezone)) LIMIT 1;
-- timezone, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND ('x' ~ ('(' || s.timezone));
-- timezone, window
SELECT count(*) OVER (PARTITION BY ('x' ~ ('(' || timezone))) FROM sales_data;
-- timezone, QUALIFY
-- @only duckdb
SELECT city FROM sales_data QUALIFY regexp_full_match('x', '(' || timezone);
-- timezone, FILTER
SELECT count(*) FILTER (WHERE ('x' ~ ('(' || timezone))) FROM sales_data;
-- timezone, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT timezone FROM sales_data) SELECT count(*) FROM t WHERE ('x' ~ ('(' || timezone));
-- timezone, lambda
-- @only duckdb
SELECT list_transform([timezone], x -> regexp_full_match('x', '(' || x)) FROM sales_data;
-- timezone, set operation
SELECT ('x' ~ ('(' || timezone)) FROM sales_data UNION ALL SELECT true;
-- timezone, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE ('x' ~ ('(' || timezone)));
-- city, SELECT
SELECT ('x' ~ ('(' || city)) FROM sales_data;
-- city, WHERE
SELECT count(*) FROM sales_data WHERE ('x' ~ ('(' || city));
-- city, WHERE date_diff
SELECT count(*) FROM sales_data WHERE date_diff(city, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || city AS INTERVAL)) AS INT) = 1;
-- city, WHERE string_split_regex
SELECT count(*) FROM sales_data WHERE len(string_split_regex('x', city || '(')) = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE cardinality(regexp_split_to_array('x', city || '(')) = 1;
-- city, GROUP BY
SELECT ('x' ~ ('(' || city)), count(*) FROM sales_data GROUP BY 1;
-- city, ORDER BY
SELECT city FROM sales_data ORDER BY ('x' ~ ('(' || city)) LIMIT 1;
-- city, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND ('x' ~ ('(' || s.city));
-- city, window
SELECT count(*) OVER (PARTITION BY ('x' ~ ('(' || city))) FROM sales_data;
-- city, QUALIFY
-- @only duckdb
SELECT city FROM sales_data QUALIFY regexp_full_match('x', '(' || city);
-- city, FILTER
SELECT count(*) FILTER (WHERE ('x' ~ ('(' || city))) FROM sales_data;
-- city, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT city FROM sales_data) SELECT count(*) FROM t WHERE ('x' ~ ('(' || city));
-- city, lambda
-- @only duckdb
SELECT list_transform([city], x -> regexp_full_match('x', '(' || x)) FROM sales_data;
-- city, set operation
SELECT ('x' ~ ('(' || city)) FROM sales_data UNION ALL SELECT true;
-- city, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE ('x' ~ ('(' || city)));
-- country, SELECT
SELECT ('x' ~ ('(' || country)) FROM sales_data;
-- country, WHERE
SELECT count(*) FROM sales_data WHERE ('x' ~ ('(' || country));
-- country, WHERE date_diff
SELECT count(*) FROM sales_data WHERE date_diff(country, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || country AS INTERVAL)) AS INT) = 1;
-- country, WHERE string_split_regex
SELECT count(*) FROM sales_data WHERE len(string_split_regex('x', country || '(')) = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE cardinality(regexp_split_to_array('x', country || '(')) = 1;
-- country, GROUP BY
SELECT ('x' ~ ('(' || country)), count(*) FROM sales_data GROUP BY 1;
-- country, ORDER BY
SELECT city FROM sales_data ORDER BY ('x' ~ ('(' || country)) LIMIT 1;
-- country, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND ('x' ~ ('(' || s.country));
-- country, window
SELECT count(*) OVER (PARTITION BY ('x' ~ ('(' || country))) FROM sales_data;
-- country, QUALIFY
-- @only duckdb
SELECT city FROM sales_data QUALIFY regexp_full_match('x', '(' || country);
-- country, FILTER
SELECT count(*) FILTER (WHERE ('x' ~ ('(' || country))) FROM sales_data;
-- country, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT country FROM sales_data) SELECT count(*) FROM t WHERE ('x' ~ ('(' || country));
-- country, lambda
-- @only duckdb
SELECT list_transform([country], x -> regexp_full_match('x', '(' || x)) FROM sales_data;
-- country, set operation
SELECT ('x' ~ ('(' || country)) FROM sales_data UNION ALL SELECT true;
-- country, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE ('x' ~ ('(' || country)));
-- sku, SELECT
SELECT ('x' ~ ('(' || sku)) FROM sales_data;
-- sku, WHERE
SELECT count(*) FROM sales_data WHERE ('x' ~ ('(' || sku));
-- sku, WHERE date_diff
SELECT count(*) FROM sales_data WHERE date_diff(sku, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || sku AS INTERVAL)) AS INT) = 1;
-- sku, WHERE string_split_regex
SELECT count(*) FROM sales_data WHERE len(string_split_regex('x', sku || '(')) = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE cardinality(regexp_split_to_array('x', sku || '(')) = 1;
-- sku, GROUP BY
SELECT ('x' ~ ('(' || sku)), count(*) FROM sales_data GROUP BY 1;
-- sku, ORDER BY
SELECT city FROM sales_data ORDER BY ('x' ~ ('(' || sku)) LIMIT 1;
-- sku, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND ('x' ~ ('(' || s.sku));
-- sku, window
SELECT count(*) OVER (PARTITION BY ('x' ~ ('(' || sku))) FROM sales_data;
-- sku, QUALIFY
-- @only duckdb
SELECT city FROM sales_data QUALIFY regexp_full_match('x', '(' || sku);
-- sku, FILTER
SELECT count(*) FILTER (WHERE ('x' ~ ('(' || sku))) FROM sales_data;
-- sku, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT sku FROM sales_data) SELECT count(*) FROM t WHERE ('x' ~ ('(' || sku));
-- sku, lambda
-- @only duckdb
SELECT list_transform([sku], x -> regexp_full_match('x', '(' || x)) FROM sales_data;
-- sku, set operation
SELECT ('x' ~ ('(' || sku)) FROM sales_data UNION ALL SELECT true;
-- sku, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE ('x' ~ ('(' || sku)));
-- product_name, SELECT
SELECT ('x' ~ ('(' || product_name)) FROM sales_data;
-- product_name, WHERE
SELECT count(*) FROM sales_data WHERE ('x' ~ ('(' || product_name));
-- product_name, WHERE date_diff
SELECT count(*) FROM sales_data WHERE date_diff(product_name, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || product_name AS INTERVAL)) AS INT) = 1;
-- product_name, WHERE string_split_regex
SELECT count(*) FROM sales_data WHERE len(string_split_regex('x', product_name || '(')) = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE cardinality(regexp_split_to_array('x', product_name || '(')) = 1;
-- product_name, GROUP BY
SELECT ('x' ~ ('(' || product_name)), count(*) FROM sales_data GROUP BY 1;
-- product_name, ORDER BY
SELECT city FROM sales_data ORDER BY ('x' ~ ('(' || product_name)) LIMIT 1;
-- product_name, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND ('x' ~ ('(' || s.product_name));
-- product_name, window
SELECT count(*) OVER (PARTITION BY ('x' ~ ('(' || product_name))) FROM sales_data;
-- product_name, QUALIFY
-- @only duckdb
SELECT city FROM sales_data QUALIFY regexp_full_match('x', '(' || product_name);
-- product_name, FILTER
SELECT count(*) FILTER (WHERE ('x' ~ ('(' || product_name))) FROM sales_data;
-- product_name, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT product_name FROM sales_data) SELECT count(*) FROM t WHERE ('x' ~ ('(' || product_name));
-- product_name, lambda
-- @only duckdb
SELECT list_transform([product_name], x -> regexp_full_match('x', '(' || x)) FROM sales_data;
-- product_name, set operation
SELECT ('x' ~ ('(' || product_name)) FROM sales_data UNION ALL SELECT true;
-- product_name, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE ('x' ~ ('(' || product_name)));
-- category, SELECT
SELECT ('x' ~ ('(' || category)) FROM sales_data;
-- category, WHERE
SELECT count(*) FROM sales_data WHERE ('x' ~ ('(' || category));
-- category, WHERE date_diff
SELECT count(*) FROM sales_data WHERE date_diff(category, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || category AS INTERVAL)) AS INT) = 1;
-- category, WHERE string_split_regex
SELECT count(*) FROM sales_data WHERE len(string_split_regex('x', category || '(')) = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE cardinality(regexp_split_to_array('x', category || '(')) = 1;
-- category, GROUP BY
SELECT ('x' ~ ('(' || category)), count(*) FROM sales_data GROUP BY 1;
-- category, ORDER BY
SELECT city FROM sales_data ORDER BY ('x' ~ ('(' || category)) LIMIT 1;
-- category, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND ('x' ~ ('(' || s.category));
-- category, window
SELECT count(*) OVER (PARTITION BY ('x' ~ ('(' || category))) FROM sales_data;
-- category, QUALIFY
-- @only duckdb
SELECT city FROM sales_data QUALIFY regexp_full_match('x', '(' || category);
-- category, FILTER
SELECT count(*) FILTER (WHERE ('x' ~ ('(' || category))) FROM sales_data;
-- category, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT category FROM sales_data) SELECT count(*) FROM t WHERE ('x' ~ ('(' || category));
-- category, lambda
-- @only duckdb
SELECT list_transform([category], x -> regexp_full_match('x', '(' || x)) FROM sales_data;
-- category, set operation
SELECT ('x' ~ ('(' || category)) FROM sales_data UNION ALL SELECT true;
-- category, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE ('x' ~ ('(' || category)));

-- Columns that reach a function through a branch of CASE (IF, a simple
-- CASE): DuckDB hands a CASE whose rows all take one branch the branch's
-- vector as it is, a storage dictionary included. Each fails on every row,
-- so the ground truth fails naming a visible value; enforcement must fail
-- too, naming no other.
-- @as all
-- timezone, WHERE, CASE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN timezone END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN timezone END) AS INTERVAL)) AS INT) = 1;
-- timezone, WHERE, CASE WHEN true
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN true THEN timezone END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN true THEN timezone END) AS INTERVAL)) AS INT) = 1;
-- timezone, WHERE, CASE ELSE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity < 0 THEN 'day' ELSE timezone END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity < 0 THEN 'day' ELSE timezone END) AS INTERVAL)) AS INT) = 1;
-- timezone, WHERE, IF
SELECT count(*) FROM sales_data WHERE date_diff(if(quantity > 0, timezone, 'day'), DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN timezone ELSE 'day' END) AS INTERVAL)) AS INT) = 1;
-- timezone, WHERE, regexp over CASE
SELECT count(*) FROM sales_data WHERE ('x' ~ (CASE WHEN quantity > 0 THEN timezone END || '('));
-- timezone, WHERE, nested CASE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN CASE WHEN quantity < 100 THEN timezone END END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN CASE WHEN quantity < 100 THEN timezone END END) AS INTERVAL)) AS INT) = 1;
-- timezone, SELECT
SELECT date_diff(CASE WHEN quantity > 0 THEN timezone END, DATE '2020-01-01', DATE '2020-01-02') FROM sales_data;
-- @variant postgres
SELECT CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN timezone END) AS INTERVAL)) AS INT) FROM sales_data;
-- timezone, GROUP BY
SELECT date_diff(CASE WHEN quantity > 0 THEN timezone END, DATE '2020-01-01', DATE '2020-01-02'), count(*) FROM sales_data GROUP BY 1;
-- @variant postgres
SELECT CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN timezone END) AS INTERVAL)) AS INT), count(*) FROM sales_data GROUP BY 1;
-- timezone, ORDER BY
SELECT city FROM sales_data ORDER BY date_diff(CASE WHEN quantity > 0 THEN timezone END, DATE '2020-01-01', DATE '2020-01-02') LIMIT 1;
-- @variant postgres
SELECT city FROM sales_data ORDER BY CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN timezone END) AS INTERVAL)) AS INT) LIMIT 1;
-- timezone, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND date_diff(CASE WHEN s.quantity > 0 THEN s.timezone END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND CAST(extract(day FROM CAST('1 ' || (CASE WHEN s.quantity > 0 THEN s.timezone END) AS INTERVAL)) AS INT) = 1;
-- timezone, window
SELECT count(*) OVER (PARTITION BY date_diff(CASE WHEN quantity > 0 THEN timezone END, DATE '2020-01-01', DATE '2020-01-02')) FROM sales_data;
-- @variant postgres
SELECT count(*) OVER (PARTITION BY CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN timezone END) AS INTERVAL)) AS INT)) FROM sales_data;
-- timezone, FILTER
SELECT count(*) FILTER (WHERE date_diff(CASE WHEN quantity > 0 THEN timezone END, DATE '2020-01-01', DATE '2020-01-02') = 1) FROM sales_data;
-- @variant postgres
SELECT count(*) FILTER (WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN timezone END) AS INTERVAL)) AS INT) = 1) FROM sales_data;
-- timezone, HAVING aggregate
SELECT category, count(*) FROM sales_data GROUP BY category HAVING bool_and(date_diff(CASE WHEN quantity > 0 THEN timezone END, DATE '2020-01-01', DATE '2020-01-02') = 1);
-- @variant postgres
SELECT category, count(*) FROM sales_data GROUP BY category HAVING bool_and(CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN timezone END) AS INTERVAL)) AS INT) = 1);
-- timezone, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT timezone, quantity FROM sales_data) SELECT count(*) FROM t WHERE date_diff(CASE WHEN quantity > 0 THEN timezone END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
WITH t AS MATERIALIZED (SELECT timezone, quantity FROM sales_data) SELECT count(*) FROM t WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN timezone END) AS INTERVAL)) AS INT) = 1;
-- timezone, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN timezone END, DATE '2020-01-01', DATE '2020-01-02') = 1);
-- @variant postgres
SELECT (SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN timezone END) AS INTERVAL)) AS INT) = 1);
-- timezone, lambda
-- @expect error 0A000
-- @only duckdb
SELECT count(*) FROM sales_data WHERE list_transform([quantity], q -> date_diff(CASE WHEN q > 0 THEN timezone END, DATE '2020-01-01', DATE '2020-01-02'))[1] = 1;
-- city, WHERE, CASE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN city END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN city END) AS INTERVAL)) AS INT) = 1;
-- city, WHERE, CASE WHEN true
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN true THEN city END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN true THEN city END) AS INTERVAL)) AS INT) = 1;
-- city, WHERE, CASE ELSE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity < 0 THEN 'day' ELSE city END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity < 0 THEN 'day' ELSE city END) AS INTERVAL)) AS INT) = 1;
-- city, WHERE, IF
SELECT count(*) FROM sales_data WHERE date_diff(if(quantity > 0, city, 'day'), DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN city ELSE 'day' END) AS INTERVAL)) AS INT) = 1;
-- city, WHERE, regexp over CASE
SELECT count(*) FROM sales_data WHERE ('x' ~ (CASE WHEN quantity > 0 THEN city END || '('));
-- city, WHERE, nested CASE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN CASE WHEN quantity < 100 THEN city END END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN CASE WHEN quantity < 100 THEN city END END) AS INTERVAL)) AS INT) = 1;
-- city, SELECT
SELECT date_diff(CASE WHEN quantity > 0 THEN city END, DATE '2020-01-01', DATE '2020-01-02') FROM sales_data;
-- @variant postgres
SELECT CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN city END) AS INTERVAL)) AS INT) FROM sales_data;
-- city, GROUP BY
SELECT date_diff(CASE WHEN quantity > 0 THEN city END, DATE '2020-01-01', DATE '2020-01-02'), count(*) FROM sales_data GROUP BY 1;
-- @variant postgres
SELECT CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN city END) AS INTERVAL)) AS INT), count(*) FROM sales_data GROUP BY 1;
-- city, ORDER BY
SELECT city FROM sales_data ORDER BY date_diff(CASE WHEN quantity > 0 THEN city END, DATE '2020-01-01', DATE '2020-01-02') LIMIT 1;
-- @variant postgres
SELECT city FROM sales_data ORDER BY CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN city END) AS INTERVAL)) AS INT) LIMIT 1;
-- city, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND date_diff(CASE WHEN s.quantity > 0 THEN s.city END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND CAST(extract(day FROM CAST('1 ' || (CASE WHEN s.quantity > 0 THEN s.city END) AS INTERVAL)) AS INT) = 1;
-- city, window
SELECT count(*) OVER (PARTITION BY date_diff(CASE WHEN quantity > 0 THEN city END, DATE '2020-01-01', DATE '2020-01-02')) FROM sales_data;
-- @variant postgres
SELECT count(*) OVER (PARTITION BY CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN city END) AS INTERVAL)) AS INT)) FROM sales_data;
-- city, FILTER
SELECT count(*) FILTER (WHERE date_diff(CASE WHEN quantity > 0 THEN city END, DATE '2020-01-01', DATE '2020-01-02') = 1) FROM sales_data;
-- @variant postgres
SELECT count(*) FILTER (WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN city END) AS INTERVAL)) AS INT) = 1) FROM sales_data;
-- city, HAVING aggregate
SELECT category, count(*) FROM sales_data GROUP BY category HAVING bool_and(date_diff(CASE WHEN quantity > 0 THEN city END, DATE '2020-01-01', DATE '2020-01-02') = 1);
-- @variant postgres
SELECT category, count(*) FROM sales_data GROUP BY category HAVING bool_and(CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN city END) AS INTERVAL)) AS INT) = 1);
-- city, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT city, quantity FROM sales_data) SELECT count(*) FROM t WHERE date_diff(CASE WHEN quantity > 0 THEN city END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
WITH t AS MATERIALIZED (SELECT city, quantity FROM sales_data) SELECT count(*) FROM t WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN city END) AS INTERVAL)) AS INT) = 1;
-- city, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN city END, DATE '2020-01-01', DATE '2020-01-02') = 1);
-- @variant postgres
SELECT (SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN city END) AS INTERVAL)) AS INT) = 1);
-- city, lambda
-- @expect error 0A000
-- @only duckdb
SELECT count(*) FROM sales_data WHERE list_transform([quantity], q -> date_diff(CASE WHEN q > 0 THEN city END, DATE '2020-01-01', DATE '2020-01-02'))[1] = 1;
-- country, WHERE, CASE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN country END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN country END) AS INTERVAL)) AS INT) = 1;
-- country, WHERE, CASE WHEN true
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN true THEN country END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN true THEN country END) AS INTERVAL)) AS INT) = 1;
-- country, WHERE, CASE ELSE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity < 0 THEN 'day' ELSE country END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity < 0 THEN 'day' ELSE country END) AS INTERVAL)) AS INT) = 1;
-- country, WHERE, IF
SELECT count(*) FROM sales_data WHERE date_diff(if(quantity > 0, country, 'day'), DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN country ELSE 'day' END) AS INTERVAL)) AS INT) = 1;
-- country, WHERE, regexp over CASE
SELECT count(*) FROM sales_data WHERE ('x' ~ (CASE WHEN quantity > 0 THEN country END || '('));
-- country, WHERE, nested CASE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN CASE WHEN quantity < 100 THEN country END END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN CASE WHEN quantity < 100 THEN country END END) AS INTERVAL)) AS INT) = 1;
-- country, SELECT
SELECT date_diff(CASE WHEN quantity > 0 THEN country END, DATE '2020-01-01', DATE '2020-01-02') FROM sales_data;
-- @variant postgres
SELECT CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN country END) AS INTERVAL)) AS INT) FROM sales_data;
-- country, GROUP BY
SELECT date_diff(CASE WHEN quantity > 0 THEN country END, DATE '2020-01-01', DATE '2020-01-02'), count(*) FROM sales_data GROUP BY 1;
-- @variant postgres
SELECT CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN country END) AS INTERVAL)) AS INT), count(*) FROM sales_data GROUP BY 1;
-- country, ORDER BY
SELECT city FROM sales_data ORDER BY date_diff(CASE WHEN quantity > 0 THEN country END, DATE '2020-01-01', DATE '2020-01-02') LIMIT 1;
-- @variant postgres
SELECT city FROM sales_data ORDER BY CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN country END) AS INTERVAL)) AS INT) LIMIT 1;
-- country, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND date_diff(CASE WHEN s.quantity > 0 THEN s.country END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND CAST(extract(day FROM CAST('1 ' || (CASE WHEN s.quantity > 0 THEN s.country END) AS INTERVAL)) AS INT) = 1;
-- country, window
SELECT count(*) OVER (PARTITION BY date_diff(CASE WHEN quantity > 0 THEN country END, DATE '2020-01-01', DATE '2020-01-02')) FROM sales_data;
-- @variant postgres
SELECT count(*) OVER (PARTITION BY CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN country END) AS INTERVAL)) AS INT)) FROM sales_data;
-- country, FILTER
SELECT count(*) FILTER (WHERE date_diff(CASE WHEN quantity > 0 THEN country END, DATE '2020-01-01', DATE '2020-01-02') = 1) FROM sales_data;
-- @variant postgres
SELECT count(*) FILTER (WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN country END) AS INTERVAL)) AS INT) = 1) FROM sales_data;
-- country, HAVING aggregate
SELECT category, count(*) FROM sales_data GROUP BY category HAVING bool_and(date_diff(CASE WHEN quantity > 0 THEN country END, DATE '2020-01-01', DATE '2020-01-02') = 1);
-- @variant postgres
SELECT category, count(*) FROM sales_data GROUP BY category HAVING bool_and(CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN country END) AS INTERVAL)) AS INT) = 1);
-- country, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT country, quantity FROM sales_data) SELECT count(*) FROM t WHERE date_diff(CASE WHEN quantity > 0 THEN country END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
WITH t AS MATERIALIZED (SELECT country, quantity FROM sales_data) SELECT count(*) FROM t WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN country END) AS INTERVAL)) AS INT) = 1;
-- country, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN country END, DATE '2020-01-01', DATE '2020-01-02') = 1);
-- @variant postgres
SELECT (SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN country END) AS INTERVAL)) AS INT) = 1);
-- country, lambda
-- @expect error 0A000
-- @only duckdb
SELECT count(*) FROM sales_data WHERE list_transform([quantity], q -> date_diff(CASE WHEN q > 0 THEN country END, DATE '2020-01-01', DATE '2020-01-02'))[1] = 1;
-- sku, WHERE, CASE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN sku END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN sku END) AS INTERVAL)) AS INT) = 1;
-- sku, WHERE, CASE WHEN true
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN true THEN sku END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN true THEN sku END) AS INTERVAL)) AS INT) = 1;
-- sku, WHERE, CASE ELSE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity < 0 THEN 'day' ELSE sku END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity < 0 THEN 'day' ELSE sku END) AS INTERVAL)) AS INT) = 1;
-- sku, WHERE, IF
SELECT count(*) FROM sales_data WHERE date_diff(if(quantity > 0, sku, 'day'), DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN sku ELSE 'day' END) AS INTERVAL)) AS INT) = 1;
-- sku, WHERE, regexp over CASE
SELECT count(*) FROM sales_data WHERE ('x' ~ (CASE WHEN quantity > 0 THEN sku END || '('));
-- sku, WHERE, nested CASE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN CASE WHEN quantity < 100 THEN sku END END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN CASE WHEN quantity < 100 THEN sku END END) AS INTERVAL)) AS INT) = 1;
-- sku, SELECT
SELECT date_diff(CASE WHEN quantity > 0 THEN sku END, DATE '2020-01-01', DATE '2020-01-02') FROM sales_data;
-- @variant postgres
SELECT CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN sku END) AS INTERVAL)) AS INT) FROM sales_data;
-- sku, GROUP BY
SELECT date_diff(CASE WHEN quantity > 0 THEN sku END, DATE '2020-01-01', DATE '2020-01-02'), count(*) FROM sales_data GROUP BY 1;
-- @variant postgres
SELECT CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN sku END) AS INTERVAL)) AS INT), count(*) FROM sales_data GROUP BY 1;
-- sku, ORDER BY
SELECT city FROM sales_data ORDER BY date_diff(CASE WHEN quantity > 0 THEN sku END, DATE '2020-01-01', DATE '2020-01-02') LIMIT 1;
-- @variant postgres
SELECT city FROM sales_data ORDER BY CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN sku END) AS INTERVAL)) AS INT) LIMIT 1;
-- sku, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND date_diff(CASE WHEN s.quantity > 0 THEN s.sku END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND CAST(extract(day FROM CAST('1 ' || (CASE WHEN s.quantity > 0 THEN s.sku END) AS INTERVAL)) AS INT) = 1;
-- sku, window
SELECT count(*) OVER (PARTITION BY date_diff(CASE WHEN quantity > 0 THEN sku END, DATE '2020-01-01', DATE '2020-01-02')) FROM sales_data;
-- @variant postgres
SELECT count(*) OVER (PARTITION BY CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN sku END) AS INTERVAL)) AS INT)) FROM sales_data;
-- sku, FILTER
SELECT count(*) FILTER (WHERE date_diff(CASE WHEN quantity > 0 THEN sku END, DATE '2020-01-01', DATE '2020-01-02') = 1) FROM sales_data;
-- @variant postgres
SELECT count(*) FILTER (WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN sku END) AS INTERVAL)) AS INT) = 1) FROM sales_data;
-- sku, HAVING aggregate
SELECT category, count(*) FROM sales_data GROUP BY category HAVING bool_and(date_diff(CASE WHEN quantity > 0 THEN sku END, DATE '2020-01-01', DATE '2020-01-02') = 1);
-- @variant postgres
SELECT category, count(*) FROM sales_data GROUP BY category HAVING bool_and(CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN sku END) AS INTERVAL)) AS INT) = 1);
-- sku, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT sku, quantity FROM sales_data) SELECT count(*) FROM t WHERE date_diff(CASE WHEN quantity > 0 THEN sku END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
WITH t AS MATERIALIZED (SELECT sku, quantity FROM sales_data) SELECT count(*) FROM t WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN sku END) AS INTERVAL)) AS INT) = 1;
-- sku, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN sku END, DATE '2020-01-01', DATE '2020-01-02') = 1);
-- @variant postgres
SELECT (SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN sku END) AS INTERVAL)) AS INT) = 1);
-- sku, lambda
-- @expect error 0A000
-- @only duckdb
SELECT count(*) FROM sales_data WHERE list_transform([quantity], q -> date_diff(CASE WHEN q > 0 THEN sku END, DATE '2020-01-01', DATE '2020-01-02'))[1] = 1;
-- product_name, WHERE, CASE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN product_name END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN product_name END) AS INTERVAL)) AS INT) = 1;
-- product_name, WHERE, CASE WHEN true
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN true THEN product_name END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN true THEN product_name END) AS INTERVAL)) AS INT) = 1;
-- product_name, WHERE, CASE ELSE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity < 0 THEN 'day' ELSE product_name END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity < 0 THEN 'day' ELSE product_name END) AS INTERVAL)) AS INT) = 1;
-- product_name, WHERE, IF
SELECT count(*) FROM sales_data WHERE date_diff(if(quantity > 0, product_name, 'day'), DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN product_name ELSE 'day' END) AS INTERVAL)) AS INT) = 1;
-- product_name, WHERE, regexp over CASE
SELECT count(*) FROM sales_data WHERE ('x' ~ (CASE WHEN quantity > 0 THEN product_name END || '('));
-- product_name, WHERE, nested CASE
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN CASE WHEN quantity < 100 THEN product_name END END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN CASE WHEN quantity < 100 THEN product_name END END) AS INTERVAL)) AS INT) = 1;
-- product_name, SELECT
SELECT date_diff(CASE WHEN quantity > 0 THEN product_name END, DATE '2020-01-01', DATE '2020-01-02') FROM sales_data;
-- @variant postgres
SELECT CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN product_name END) AS INTERVAL)) AS INT) FROM sales_data;
-- product_name, GROUP BY
SELECT date_diff(CASE WHEN quantity > 0 THEN product_name END, DATE '2020-01-01', DATE '2020-01-02'), count(*) FROM sales_data GROUP BY 1;
-- @variant postgres
SELECT CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN product_name END) AS INTERVAL)) AS INT), count(*) FROM sales_data GROUP BY 1;
-- product_name, ORDER BY
SELECT city FROM sales_data ORDER BY date_diff(CASE WHEN quantity > 0 THEN product_name END, DATE '2020-01-01', DATE '2020-01-02') LIMIT 1;
-- @variant postgres
SELECT city FROM sales_data ORDER BY CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN product_name END) AS INTERVAL)) AS INT) LIMIT 1;
-- product_name, JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND date_diff(CASE WHEN s.quantity > 0 THEN s.product_name END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM region_lookup r JOIN sales_data s ON r.timezone_prefix = split_part(s.timezone, '/', 1) AND CAST(extract(day FROM CAST('1 ' || (CASE WHEN s.quantity > 0 THEN s.product_name END) AS INTERVAL)) AS INT) = 1;
-- product_name, window
SELECT count(*) OVER (PARTITION BY date_diff(CASE WHEN quantity > 0 THEN product_name END, DATE '2020-01-01', DATE '2020-01-02')) FROM sales_data;
-- @variant postgres
SELECT count(*) OVER (PARTITION BY CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN product_name END) AS INTERVAL)) AS INT)) FROM sales_data;
-- product_name, FILTER
SELECT count(*) FILTER (WHERE date_diff(CASE WHEN quantity > 0 THEN product_name END, DATE '2020-01-01', DATE '2020-01-02') = 1) FROM sales_data;
-- @variant postgres
SELECT count(*) FILTER (WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN product_name END) AS INTERVAL)) AS INT) = 1) FROM sales_data;
-- product_name, HAVING aggregate
SELECT category, count(*) FROM sales_data GROUP BY category HAVING bool_and(date_diff(CASE WHEN quantity > 0 THEN product_name END, DATE '2020-01-01', DATE '2020-01-02') = 1);
-- @variant postgres
SELECT category, count(*) FROM sales_data GROUP BY category HAVING bool_and(CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN product_name END) AS INTERVAL)) AS INT) = 1);
-- product_name, MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT product_name, quantity FROM sales_data) SELECT count(*) FROM t WHERE date_diff(CASE WHEN quantity > 0 THEN product_name END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
WITH t AS MATERIALIZED (SELECT product_name, quantity FROM sales_data) SELECT count(*) FROM t WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN product_name END) AS INTERVAL)) AS INT) = 1;
-- product_name, scalar subquery
SELECT (SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN quantity > 0 THEN product_name END, DATE '2020-01-01', DATE '2020-01-02') = 1);
-- @variant postgres
SELECT (SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN quantity > 0 THEN product_name END) AS INTERVAL)) AS INT) = 1);
-- product_name, lambda
-- @expect error 0A000
-- @only duckdb
SELECT count(*) FROM sales_data WHERE list_transform([quantity], q -> date_diff(CASE WHEN q > 0 THEN product_name END, DATE '2020-01-01', DATE '2020-01-02'))[1] = 1;

-- The same without a message to read: every sales_codes code a principal
-- may see has two characters, the hidden African ones seven, so hamming
-- fails on a hidden row only. Through a CASE (IF) branch the column's
-- storage dictionary reaches hamming unless enforcement isolates branch
-- values too.
-- @as all
-- isolated reference
SELECT count(*) FROM sales_codes WHERE hamming('xx', code) = 0;
-- @variant postgres
SELECT count(*) FROM sales_codes WHERE (CASE WHEN length('xx') = length(code) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr(code, g.i, 1)) ELSE CAST('x' || 'xx' || code AS BIGINT) END) = 0;
-- CASE WHEN true
SELECT count(*) FROM sales_codes WHERE hamming('xx', CASE WHEN true THEN code END) = 0;
-- @variant postgres
SELECT count(*) FROM sales_codes WHERE (CASE WHEN length('xx') = length((CASE WHEN true THEN code END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN true THEN code END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN true THEN code END) AS BIGINT) END) = 0;
-- CASE on another column
SELECT count(*) FROM sales_codes WHERE hamming('xx', CASE WHEN timezone <> 'x' THEN code END) >= 0;
-- @variant postgres
SELECT count(*) FROM sales_codes WHERE (CASE WHEN length('xx') = length((CASE WHEN timezone <> 'x' THEN code END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN timezone <> 'x' THEN code END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN timezone <> 'x' THEN code END) AS BIGINT) END) >= 0;
-- CASE ELSE
SELECT count(*) FROM sales_codes WHERE hamming('xx', CASE WHEN timezone = 'x' THEN 'yy' ELSE code END) >= 0;
-- @variant postgres
SELECT count(*) FROM sales_codes WHERE (CASE WHEN length('xx') = length((CASE WHEN timezone = 'x' THEN 'yy' ELSE code END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN timezone = 'x' THEN 'yy' ELSE code END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN timezone = 'x' THEN 'yy' ELSE code END) AS BIGINT) END) >= 0;
-- simple CASE
SELECT count(*) FROM sales_codes WHERE hamming('xx', CASE timezone WHEN 'x' THEN 'yy' ELSE code END) >= 0;
-- @variant postgres
SELECT count(*) FROM sales_codes WHERE (CASE WHEN length('xx') = length((CASE timezone WHEN 'x' THEN 'yy' ELSE code END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE timezone WHEN 'x' THEN 'yy' ELSE code END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE timezone WHEN 'x' THEN 'yy' ELSE code END) AS BIGINT) END) >= 0;
-- IF
SELECT count(*) FROM sales_codes WHERE mismatches('xx', if(true, code, 'yy')) >= 0;
-- @variant postgres
SELECT count(*) FROM sales_codes WHERE (CASE WHEN length('xx') = length((CASE WHEN true THEN code ELSE 'yy' END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN true THEN code ELSE 'yy' END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN true THEN code ELSE 'yy' END) AS BIGINT) END) >= 0;
-- nested CASE
SELECT count(*) FROM sales_codes WHERE hamming('xx', CASE WHEN true THEN CASE WHEN true THEN code END END) >= 0;
-- @variant postgres
SELECT count(*) FROM sales_codes WHERE (CASE WHEN length('xx') = length((CASE WHEN true THEN CASE WHEN true THEN code END END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN true THEN CASE WHEN true THEN code END END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN true THEN CASE WHEN true THEN code END END) AS BIGINT) END) >= 0;
-- COALESCE
SELECT count(*) FROM sales_codes WHERE hamming('xx', coalesce(code, 'yy')) >= 0;
-- @variant postgres
SELECT count(*) FROM sales_codes WHERE (CASE WHEN length('xx') = length(coalesce(code, 'yy')) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr(coalesce(code, 'yy'), g.i, 1)) ELSE CAST('x' || 'xx' || coalesce(code, 'yy') AS BIGINT) END) >= 0;
-- NULLIF
SELECT count(*) FROM sales_codes WHERE hamming('xx', nullif(code, 'yy')) >= 0;
-- @variant postgres
SELECT count(*) FROM sales_codes WHERE (CASE WHEN length('xx') = length(nullif(code, 'yy')) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr(nullif(code, 'yy'), g.i, 1)) ELSE CAST('x' || 'xx' || nullif(code, 'yy') AS BIGINT) END) >= 0;
-- SELECT list
SELECT hamming('xx', CASE WHEN true THEN code END) FROM sales_codes;
-- @variant postgres
SELECT (CASE WHEN length('xx') = length((CASE WHEN true THEN code END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN true THEN code END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN true THEN code END) AS BIGINT) END) FROM sales_codes;
-- GROUP BY
SELECT hamming('xx', CASE WHEN true THEN code END), count(*) FROM sales_codes GROUP BY 1;
-- @variant postgres
SELECT (CASE WHEN length('xx') = length((CASE WHEN true THEN code END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN true THEN code END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN true THEN code END) AS BIGINT) END), count(*) FROM sales_codes GROUP BY 1;
-- ORDER BY
SELECT code FROM sales_codes ORDER BY hamming('xx', CASE WHEN true THEN code END), code LIMIT 3;
-- @variant postgres
SELECT code FROM sales_codes ORDER BY (CASE WHEN length('xx') = length((CASE WHEN true THEN code END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN true THEN code END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN true THEN code END) AS BIGINT) END), code LIMIT 3;
-- window
SELECT count(*) OVER (PARTITION BY hamming('xx', CASE WHEN true THEN code END)) FROM sales_codes;
-- @variant postgres
SELECT count(*) OVER (PARTITION BY (CASE WHEN length('xx') = length((CASE WHEN true THEN code END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN true THEN code END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN true THEN code END) AS BIGINT) END)) FROM sales_codes;
-- FILTER
SELECT count(*) FILTER (WHERE hamming('xx', CASE WHEN true THEN code END) = 0) FROM sales_codes;
-- @variant postgres
SELECT count(*) FILTER (WHERE (CASE WHEN length('xx') = length((CASE WHEN true THEN code END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN true THEN code END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN true THEN code END) AS BIGINT) END) = 0) FROM sales_codes;
-- HAVING aggregate
SELECT timezone, count(*) FROM sales_codes GROUP BY timezone HAVING max(hamming('xx', CASE WHEN true THEN code END)) >= 0;
-- @variant postgres
SELECT timezone, count(*) FROM sales_codes GROUP BY timezone HAVING max((CASE WHEN length('xx') = length((CASE WHEN true THEN code END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN true THEN code END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN true THEN code END) AS BIGINT) END)) >= 0;
-- JOIN ON
SELECT count(*) FROM region_lookup r JOIN sales_codes c ON r.timezone_prefix = split_part(c.timezone, '/', 1) AND hamming('xx', CASE WHEN true THEN c.code END) = 0;
-- @variant postgres
SELECT count(*) FROM region_lookup r JOIN sales_codes c ON r.timezone_prefix = split_part(c.timezone, '/', 1) AND (CASE WHEN length('xx') = length((CASE WHEN true THEN c.code END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN true THEN c.code END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN true THEN c.code END) AS BIGINT) END) = 0;
-- MATERIALIZED CTE
WITH t AS MATERIALIZED (SELECT code FROM sales_codes) SELECT count(*) FROM t WHERE hamming('xx', CASE WHEN true THEN code END) = 0;
-- @variant postgres
WITH t AS MATERIALIZED (SELECT code FROM sales_codes) SELECT count(*) FROM t WHERE (CASE WHEN length('xx') = length((CASE WHEN true THEN code END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN true THEN code END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN true THEN code END) AS BIGINT) END) = 0;
-- scalar subquery
SELECT (SELECT count(*) FROM sales_codes WHERE hamming('xx', CASE WHEN true THEN code END) = 0);
-- @variant postgres
SELECT (SELECT count(*) FROM sales_codes WHERE (CASE WHEN length('xx') = length((CASE WHEN true THEN code END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN true THEN code END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN true THEN code END) AS BIGINT) END) = 0);
-- lambda
-- @expect error 0A000
-- @only duckdb
SELECT count(*) FROM sales_codes WHERE list_transform([1], i -> hamming('xx', CASE WHEN i = 1 THEN code END))[1] = 0;
-- set operation
SELECT hamming('xx', CASE WHEN true THEN code END) FROM sales_codes UNION SELECT 0;
-- @variant postgres
SELECT (CASE WHEN length('xx') = length((CASE WHEN true THEN code END)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr((CASE WHEN true THEN code END), g.i, 1)) ELSE CAST('x' || 'xx' || (CASE WHEN true THEN code END) AS BIGINT) END) FROM sales_codes UNION SELECT 0;
-- dictionary chain
SELECT count(*) FROM sales_codes WHERE hamming('xx', lower(code)) = 0;
-- @variant postgres
SELECT count(*) FROM sales_codes WHERE (CASE WHEN length('xx') = length(lower(code)) THEN (SELECT count(*) FROM generate_series(1, length('xx')) AS g(i) WHERE substr('xx', g.i, 1) <> substr(lower(code), g.i, 1)) ELSE CAST('x' || 'xx' || lower(code) AS BIGINT) END) = 0;
-- LIKE ESCAPE over CASE
SELECT count(*) FROM sales_codes WHERE 'a' LIKE 'a' ESCAPE CASE WHEN true THEN left(code, 1) END;

-- Columns a principal may not read are refused as such (permission denied),
-- wherever they stand, before anything is evaluated.
-- @as alex
-- @expect error 42501
SELECT count(*) FROM sales_data WHERE ('x' ~ ('(' || sku));
-- @expect error 42501
-- @only duckdb
SELECT list_transform([sku], x -> regexp_full_match('x', '(' || x)) FROM sales_data;
-- @expect error 42501
SELECT count(*) FROM sales_data WHERE date_diff(CASE WHEN true THEN product_name END, DATE '2020-01-01', DATE '2020-01-02') = 1;
-- @variant postgres
SELECT count(*) FROM sales_data WHERE CAST(extract(day FROM CAST('1 ' || (CASE WHEN true THEN product_name END) AS INTERVAL)) AS INT) = 1;
-- @expect error 42501
WITH x AS MATERIALIZED (SELECT city FROM sales_data) SELECT count(*) FROM x, sales_data s WHERE ('x' ~ ('(' || s.region_code));

-- Grouped queries: a function over a grouping column after GROUP BY ALL, and
-- over an outer grouping column in a correlated subquery, must bind as it
-- does without enforcement.
-- @as all
SELECT timezone, count(*) FROM sales_data GROUP BY ALL HAVING NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('));
-- @variant postgres
SELECT timezone, count(*) FROM sales_data GROUP BY 1 HAVING NOT ('x' ~ regexp_replace(timezone, '^Africa/.*$', '('));
SELECT country, count(*) FROM sales_data GROUP BY ALL HAVING lower(country) <> 'x';
-- @variant postgres
SELECT country, count(*) FROM sales_data GROUP BY 1 HAVING lower(country) <> 'x';
SELECT country, count(*) FROM sales_data GROUP BY ALL HAVING country LIKE '%';
-- @variant postgres
SELECT country, count(*) FROM sales_data GROUP BY 1 HAVING country LIKE '%';
-- DuckDB's own binding of GROUP BY ALL (the ground truth refuses it).
-- @only duckdb
SELECT country, count(*) FROM sales_data GROUP BY ALL ORDER BY lower(country), 2;
SELECT upper(country), count(*) FROM sales_data GROUP BY ALL;
-- @variant postgres
SELECT upper(country), count(*) FROM sales_data GROUP BY 1;
SELECT country, count(*) FROM sales_data GROUP BY country HAVING lower(country) <> 'x';
SELECT timezone, count(*) FROM sales_data GROUP BY timezone HAVING EXISTS (SELECT 1 FROM region_lookup r WHERE r.timezone_prefix = split_part(timezone, '/', 1));
SELECT timezone, (SELECT count(*) FROM region_lookup r WHERE r.timezone_prefix = split_part(timezone, '/', 1)) FROM sales_data GROUP BY timezone;
