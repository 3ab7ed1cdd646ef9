-- Lookups by status, added after launch.
CREATE INDEX orders_status_idx ON orders (status);
CREATE INDEX orders_status_created_idx ON orders (status, created_at);

ALTER TABLE customers ADD COLUMN loyalty_points integer NOT NULL;
ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);
