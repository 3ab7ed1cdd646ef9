-- Queries the editor tests explain against the embedded sandbox built from migrations/.
SELECT id, user_id, total FROM orders WHERE status = 'refunded';

SELECT u.email, sum(o.total) AS spent
FROM users u
JOIN orders o ON o.user_id = u.id
GROUP BY u.email
ORDER BY spent DESC
LIMIT 10;
