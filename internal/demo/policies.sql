-- The reference scenario: sales data protected by Redshift row-level
-- security for IAM Identity Center groups. This script is plain Redshift
-- SQL; tipgate runs it unchanged (with --s3-root for the COPY source).

CREATE TABLE IF NOT EXISTS sales_data (
    SKU           VARCHAR(50),
    Product_Name  VARCHAR(255),
    Category      VARCHAR(100),
    Quantity      INT,
    Sales_Price   DECIMAL(10,2),
    Timestamp     TIMESTAMP,
    City          VARCHAR(100),
    Region_Code   VARCHAR(10),
    Country       VARCHAR(10),
    Latitude      DECIMAL(10,6),
    Longitude     DECIMAL(10,6),
    Population    INT,
    Elevation     INT,
    Timezone      VARCHAR(50)
);

COPY sales_data
FROM 's3://tipgate-demo/sales_data.csv'
IAM_ROLE default
CSV
IGNOREHEADER 1
TIMEFORMAT 'auto';

-- One role per identity-provider group (auto-create is off for AWSIDC).
CREATE ROLE "AWSIDC:exec-global";
CREATE ROLE "AWSIDC:amer-sales";
CREATE ROLE "AWSIDC:emea-sales";
CREATE ROLE "AWSIDC:apac-sales";

GRANT SELECT ON TABLE sales_data TO ROLE "AWSIDC:exec-global";
GRANT SELECT ON TABLE sales_data TO ROLE "AWSIDC:amer-sales";
-- Europe's managers get column privileges: every column but the cities'
-- population and elevation, which the sales dashboard does not need.
GRANT SELECT (SKU, Product_Name, Category, Quantity, Sales_Price, Timestamp, City, Region_Code, Country,
              Latitude, Longitude, Timezone) ON sales_data TO ROLE "AWSIDC:emea-sales";
GRANT SELECT ON TABLE sales_data TO ROLE "AWSIDC:apac-sales";

CREATE RLS POLICY amer_sales_policy
WITH (timezone VARCHAR(50))
USING (timezone LIKE 'America%');

CREATE RLS POLICY emea_sales_policy
WITH (timezone VARCHAR(50))
USING (timezone LIKE 'Europe%');

CREATE RLS POLICY apac_sales_policy
WITH (timezone VARCHAR(50))
USING (timezone LIKE 'Asia%');

ATTACH RLS POLICY amer_sales_policy ON sales_data TO ROLE "AWSIDC:amer-sales";
ATTACH RLS POLICY emea_sales_policy ON sales_data TO ROLE "AWSIDC:emea-sales";
ATTACH RLS POLICY apac_sales_policy ON sales_data TO ROLE "AWSIDC:apac-sales";

-- Asia's managers see product SKUs masked: the category and the last
-- four characters only (a masking policy, as "Your access" explains).
CREATE MASKING POLICY mask_sku
WITH (sku VARCHAR(50))
USING (split_part(sku, '-', 1) || '-****-' || right(sku, 4));

ATTACH MASKING POLICY mask_sku ON sales_data(sku) TO ROLE "AWSIDC:apac-sales";

-- Security administrators manage roles and policies and read the audit
-- log; with no SELECT grant they read no sales data themselves.
CREATE ROLE "AWSIDC:security-admins";
GRANT ROLE sys:secadmin TO ROLE "AWSIDC:security-admins";

-- The global executive sees every row.
GRANT IGNORE RLS TO ROLE "AWSIDC:exec-global";

ALTER TABLE sales_data ROW LEVEL SECURITY ON;
