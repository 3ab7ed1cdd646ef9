-- orders exists since 001: a plain CREATE INDEX blocks writes to it while the index builds.
CREATE INDEX orders_user_id_idx ON orders (user_id);
