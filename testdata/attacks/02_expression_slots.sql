-- Class 2: protected tables read from every expression slot.
SELECT (SELECT count(*) FROM sales_data) AS n;
SELECT 1 AS one WHERE (SELECT count(*) FROM sales_data) > 0;
SELECT count(*) FROM region_lookup WHERE timezone_prefix IN (SELECT split_part(timezone, '/', 1) FROM sales_data);
SELECT category, count(*) FROM sales_data GROUP BY category HAVING count(*) > (SELECT count(*) FROM sales_data) / 100;
SELECT r.timezone_prefix FROM region_lookup r ORDER BY (SELECT count(*) FROM sales_data s WHERE s.timezone LIKE r.timezone_prefix || '%'), 1;
SELECT r.timezone_prefix, (SELECT count(*) FROM sales_data s WHERE s.timezone LIKE r.timezone_prefix || '%') FROM region_lookup r;
SELECT count(*) FROM region_lookup r JOIN sales_data s ON s.timezone LIKE r.timezone_prefix || '%';
SELECT count(*) FROM region_lookup r LEFT JOIN sales_data s ON s.timezone LIKE r.timezone_prefix || '%';
SELECT r.timezone_prefix, x.n FROM region_lookup r, LATERAL (SELECT count(*) AS n FROM sales_data s WHERE s.timezone LIKE r.timezone_prefix || '%') x;
SELECT count(*) OVER (PARTITION BY (SELECT max(timezone) FROM sales_data)) FROM region_lookup;
SELECT * FROM (VALUES ((SELECT count(*) FROM sales_data))) v(n);
SELECT coalesce((SELECT max(city) FROM sales_data), 'none');
SELECT EXISTS (SELECT 1 FROM sales_data WHERE timezone LIKE 'Africa%');
SELECT EXISTS (SELECT 1 FROM sales_data WHERE timezone LIKE 'Asia%');
SELECT count(*) FROM sales_data WHERE timezone LIKE 'Africa%' /* ) OR (1=1 */ OR 1 = 0;
SELECT count(*) FROM sales_data WHERE 1 = 1 OR true;
SELECT count(*) AS "sales_data WHERE true --" FROM sales_data;
SELECT count(*) FROM sales_data WHERE timezone = 'x'' OR ''1''=''1';
SELECT count(*) FROM sales_data -- WHERE timezone LIKE 'Asia%'
;
SELECT list_sort(list(DISTINCT split_part(timezone, '/', 1))) FROM sales_data;
-- @variant postgres
SELECT CAST(to_json(array_agg(DISTINCT split_part(timezone, '/', 1) ORDER BY split_part(timezone, '/', 1))) AS VARCHAR) FROM sales_data;
SELECT (SELECT string_agg(DISTINCT split_part(timezone, '/', 1), ',' ORDER BY split_part(timezone, '/', 1)) FROM sales_data);
SELECT count(*) FILTER (WHERE timezone LIKE 'Africa%') FROM sales_data;
SELECT max(CASE WHEN timezone LIKE 'Africa%' THEN city END) FROM sales_data;
SELECT sum(quantity) FROM sales_data WHERE city IN (SELECT city FROM sales_data WHERE timezone LIKE 'Africa%');
SELECT count(*) FROM sales_data a WHERE EXISTS (SELECT 1 FROM sales_data b WHERE b.city = a.city AND b.timezone LIKE 'Africa%');
SELECT count(*) FROM sales_data a WHERE a.quantity > ALL (SELECT quantity FROM sales_data WHERE timezone LIKE 'Africa%');
SELECT count(*) FROM sales_data WHERE quantity = ANY (SELECT quantity FROM sales_data);
-- @only duckdb
SELECT list_transform([1, 2], x -> x + (SELECT count(*) FROM sales_data));
SELECT (SELECT count(*) FROM sales_data) + (SELECT count(*) FROM region_lookup);
SELECT count(*) FROM sales_data s1 CROSS JOIN (SELECT count(*) AS c FROM sales_data) s2 WHERE s2.c > 0;
SELECT category, sum(quantity) OVER (PARTITION BY category ORDER BY sku, timestamp, city ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM sales_data ORDER BY 1, 2 LIMIT 0;
SELECT max(cnt) FROM (SELECT count(*) OVER (PARTITION BY timezone) AS cnt FROM sales_data) AS sq;
SELECT count(*) FROM sales_data WHERE timezone IN (SELECT timezone FROM sales_data UNION SELECT 'Africa/Lagos');
