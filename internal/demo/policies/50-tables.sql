-- Row level security switches of tables.

ALTER TABLE sales_data ROW LEVEL SECURITY ON CONJUNCTION TYPE AND;
