-- Roles.

CREATE ROLE "AWSIDC:amer-sales";
CREATE ROLE "AWSIDC:apac-sales";
CREATE ROLE "AWSIDC:emea-sales";
CREATE ROLE "AWSIDC:exec-global";
CREATE ROLE "AWSIDC:security-admins";
