-- RLS and masking policies, and the lookup tables their predicates may read.

CREATE RLS POLICY amer_sales_policy
WITH (timezone VARCHAR(50))
USING (timezone LIKE 'America%');

CREATE RLS POLICY apac_sales_policy
WITH (timezone VARCHAR(50))
USING (timezone LIKE 'Asia%');

CREATE RLS POLICY emea_sales_policy
WITH (timezone VARCHAR(50))
USING (timezone LIKE 'Europe%');

CREATE MASKING POLICY mask_sku
WITH (sku VARCHAR(50))
USING (split_part(sku, '-', 1) || '-****-' || right(sku, 4));

