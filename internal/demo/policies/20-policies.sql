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

