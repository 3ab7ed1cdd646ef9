CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  status text NOT NULL,
  total numeric(12, 2) NOT NULL
);

-- Enough rows that a plan has a slow node to name: 1 order in 100 is refunded.
INSERT INTO users (email)
SELECT 'user' || g || '@example.com' FROM generate_series(1, 2000) AS g;

INSERT INTO orders (user_id, status, total)
SELECT 1 + g % 2000, CASE WHEN g % 100 = 0 THEN 'refunded' ELSE 'paid' END, (g % 500) + 0.99
FROM generate_series(1, 20000) AS g;

ANALYZE users;
ANALYZE orders;
