-- Which policies apply to whom on which table.

ATTACH RLS POLICY amer_sales_policy ON TABLE sales_data TO ROLE "AWSIDC:amer-sales";
ATTACH RLS POLICY apac_sales_policy ON TABLE sales_data TO ROLE "AWSIDC:apac-sales";
ATTACH RLS POLICY emea_sales_policy ON TABLE sales_data TO ROLE "AWSIDC:emea-sales";
ATTACH MASKING POLICY mask_sku ON sales_data (sku) TO ROLE "AWSIDC:apac-sales";
