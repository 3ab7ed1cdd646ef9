-- Generated data so the demo's plans are meaningful. Deterministic (no random()).
INSERT INTO customers (email, name, country, created_at, loyalty_points)
SELECT 'customer' || g || '@example.com', 'Customer ' || g, (ARRAY['DE','FR','US','GB','NL'])[1 + g % 5],
       timestamp '2024-01-01' + (g % 700) * interval '1 day', g % 1000
FROM generate_series(1, 20000) g;

INSERT INTO products (sku, title, price, attributes)
SELECT 'SKU-' || g, 'Product ' || g, 5 + (g % 200), json_build_object('color', (ARRAY['red','green','blue'])[1 + g % 3])
FROM generate_series(1, 2000) g;

INSERT INTO orders (customer_id, status, total, created_at, shipped_at)
SELECT 1 + (g * 7919) % 20000,
       CASE WHEN g % 10 < 7 THEN 'shipped' WHEN g % 10 < 9 THEN 'pending' ELSE 'cancelled' END,
       (g % 500) + 0.99,
       now() - (g % 365) * interval '1 day',
       CASE WHEN g % 10 < 7 THEN now() - (g % 365) * interval '1 day' + interval '2 days' END
FROM generate_series(1, 100000) g;

INSERT INTO order_items (order_id, product_id, quantity, unit_price)
SELECT o, 1 + ((o * 31 + k * 17) % 2000), 1 + (o + k) % 4, 5 + ((o + k) % 200)
FROM generate_series(1, 100000) o, generate_series(1, 2) k;

ANALYZE;
