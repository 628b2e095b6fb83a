ALTER TABLE products ADD COLUMN weight_kg numeric(10, 3);
ALTER TABLE shops ADD COLUMN opened_on date;
