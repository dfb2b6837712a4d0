-- Class 6: EXPLAIN must not show policy predicates, masks or estimates, and
-- EXPLAIN ANALYZE (row counts before filtering) is refused.
-- @as ming,frank
-- @expect explain
EXPLAIN SELECT * FROM sales_data;
-- @expect explain
EXPLAIN SELECT count(*) FROM sales_data WHERE city = 'Tokyo';
-- @expect explain
EXPLAIN SELECT city, sum(quantity) FROM sales_data GROUP BY city ORDER BY 2 DESC LIMIT 5;
-- @expect explain
EXPLAIN VERBOSE SELECT count(*) FROM sales_data;
-- @expect explain
EXPLAIN SELECT elevation FROM sales_data;
-- @as all
-- @expect error
EXPLAIN ANALYZE SELECT count(*) FROM sales_data;
-- @expect error
EXPLAIN ANALYSE SELECT count(*) FROM sales_data;
-- @expect error
EXPLAIN (FORMAT JSON) SELECT count(*) FROM sales_data;
-- @expect error
EXPLAIN SELECT * FROM tg_raw.main.sales_data;
-- @expect error
EXPLAIN SELECT * FROM secret_notes;
-- @expect error
EXPLAIN DELETE FROM sales_data;
-- @as alex
-- @expect explain
EXPLAIN SELECT city, sales_price FROM sales_data WHERE quantity > 1;
-- @expect error
EXPLAIN SELECT * FROM sales_data;
