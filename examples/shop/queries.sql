-- Queries the shop's API runs. Click "Explain Analyze" above any of them.

-- A customer's recent orders, looked up by email.
SELECT o.id, o.status, o.total, o.created_at
FROM orders o
JOIN customers c ON c.id = o.customer_id
WHERE c.email = 'customer4242@example.com'
ORDER BY o.created_at DESC
LIMIT 20;

-- Revenue per product for shipped orders this month.
SELECT p.sku, p.title, sum(oi.quantity * oi.unit_price) AS revenue
FROM order_items oi
JOIN orders o ON o.id = oi.order_id
JOIN products p ON p.id = oi.product_id
WHERE o.status = 'shipped'
  AND o.created_at >= date_trunc('month', now())
GROUP BY p.sku, p.title
ORDER BY revenue DESC
LIMIT 10;

-- Orders that were shipped but are still marked pending (a data-quality check).
SELECT count(*)
FROM orders
WHERE status = 'pending' AND shipped_at IS NOT NULL;

-- Everything a product page shows.
SELECT * FROM order_items WHERE product_id = $1;

-- A fix-up job that must never change data when explained.
UPDATE orders SET status = 'cancelled' WHERE status = 'pending' AND created_at < now() - interval '90 days';
