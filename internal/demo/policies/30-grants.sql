-- Role memberships, table and column privileges, IGNORE RLS / EXPLAIN privileges.

GRANT ROLE sys:secadmin TO ROLE "AWSIDC:security-admins";
GRANT SELECT ON TABLE sales_data TO ROLE "AWSIDC:amer-sales";
GRANT SELECT ON TABLE sales_data TO ROLE "AWSIDC:apac-sales";
GRANT SELECT (category, city, country, latitude, longitude, product_name, quantity, region_code, sales_price, sku, timestamp, timezone) ON TABLE sales_data TO ROLE "AWSIDC:emea-sales";
GRANT SELECT ON TABLE sales_data TO ROLE "AWSIDC:exec-global";
GRANT IGNORE RLS TO ROLE "AWSIDC:exec-global";
