-- A small, hand-checked copy of the reference scenario's sales_data, for
-- policy tests: the expectations in expectations.toml count these rows.
-- Two sales per region in the Americas, Europe and Asia, two in Africa
-- (which no regional policy shows) and one in Australia.

CREATE TABLE sales_data (
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

INSERT INTO sales_data VALUES
('SKU-1', 'Laptop', 'Electronics', 1, 999.00, '2024-01-05 10:00:00', 'Chicago', 'IL', 'US', 41.878100, -87.629800, 2746388, 181, 'America/Chicago'),
('SKU-2', 'Phone', 'Electronics', 2, 499.00, '2024-01-06 11:00:00', 'Lima', 'LIM', 'PE', -12.046400, -77.042800, 8852000, 161, 'America/Lima'),
('SKU-3', 'Desk', 'Furniture', 1, 250.00, '2024-01-07 12:00:00', 'Berlin', 'BE', 'DE', 52.520000, 13.405000, 3645000, 34, 'Europe/Berlin'),
('SKU-4', 'Chair', 'Furniture', 4, 80.00, '2024-01-08 13:00:00', 'Madrid', 'MD', 'ES', 40.416800, -3.703800, 3223000, 667, 'Europe/Madrid'),
('SKU-5', 'Monitor', 'Electronics', 2, 199.00, '2024-01-09 14:00:00', 'Tokyo', '13', 'JP', 35.676200, 139.650300, 13960000, 40, 'Asia/Tokyo'),
('SKU-6', 'Lamp', 'Home', 3, 35.00, '2024-01-10 15:00:00', 'Mumbai', 'MH', 'IN', 19.076000, 72.877700, 12440000, 14, 'Asia/Kolkata'),
('SKU-7', 'Kettle', 'Home', 2, 45.00, '2024-01-11 16:00:00', 'Lagos', 'LA', 'NG', 6.524400, 3.379200, 15390000, 41, 'Africa/Lagos'),
('SKU-8', 'Fan', 'Home', 5, 25.00, '2024-01-12 17:00:00', 'Nairobi', '30', 'KE', -1.292100, 36.821900, 4397000, 1795, 'Africa/Nairobi'),
('SKU-9', 'Tablet', 'Electronics', 1, 329.00, '2024-01-13 18:00:00', 'Sydney', 'NSW', 'AU', -33.868800, 151.209300, 5312000, 58, 'Australia/Sydney');
