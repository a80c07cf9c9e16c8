-- Phase 2: what happens in the shop after the first pipeline run. Run it against the dev server
-- with `lagoa dev postgres --sql changes.pgsql` (run.sh does), then run the pipeline again.

-- a new customer and her first orders
INSERT INTO customers VALUES (13, 'Rita Lopes', 'rita@example.com', 'Leiria', '2026-11-10 08:00:00');
INSERT INTO orders VALUES
  (31, 13, 4, 1, 'paid', '2026-11-10 08:30:00'),
  (32, 13, 7, 2, 'paid', '2026-11-10 08:31:00');

-- Marta changes her email: a new version in silver.customer_history
UPDATE customers SET email = 'marta.sousa@example.org', updated_at = '2026-11-10 09:00:00'
WHERE id = 3;
-- Pedro moves: another new version
UPDATE customers SET city = 'Porto', updated_at = '2026-11-10 09:05:00' WHERE id = 6;
-- Inês only logs in (updated_at changes): no new version, TRACK HISTORY ignores updated_at
UPDATE customers SET updated_at = '2026-11-10 09:10:00' WHERE id = 5;

-- orders move on: paid ones are shipped, one is cancelled (deleted)
UPDATE orders SET status = 'shipped' WHERE status = 'paid' AND id <= 25;
DELETE FROM orders WHERE id = 26;

-- a customer without orders leaves
DELETE FROM customers WHERE id = 12;

-- a product's price goes up
UPDATE products SET price = 21.50 WHERE id = 1;

-- a key update: order 30 is renumbered (Debezium sends a delete of 30 and an insert of 1030)
UPDATE orders SET id = 1030 WHERE id = 30;
