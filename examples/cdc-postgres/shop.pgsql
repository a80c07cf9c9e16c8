-- The shop's database, phase 1: the schema and its first rows. `lagoa dev postgres --init shop.pgsql`
-- runs it once, when the cluster is created (see README.md).
CREATE TABLE customers (
  id         INT PRIMARY KEY,
  name       TEXT NOT NULL,
  email      TEXT NOT NULL,
  city       TEXT,
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE products (
  id    INT PRIMARY KEY,
  name  TEXT NOT NULL,
  price NUMERIC(10, 2) NOT NULL
);

CREATE TABLE orders (
  id          INT PRIMARY KEY,
  customer_id INT NOT NULL,
  product_id  INT NOT NULL,
  quantity    INT NOT NULL,
  status      TEXT NOT NULL,
  ordered_at  TIMESTAMP NOT NULL
);

INSERT INTO customers VALUES
  (1,  'Ana Silva',       'ana@example.com',      'Lisboa',    '2026-11-02 09:00:00'),
  (2,  'Rui Costa',       'rui@example.com',      'Porto',     '2026-11-02 09:05:00'),
  (3,  'Marta Sousa',     'marta@example.com',    'Braga',     '2026-11-02 09:10:00'),
  (4,  'João Pereira',    'joao@example.com',     'Coimbra',   '2026-11-02 09:15:00'),
  (5,  'Inês Almeida',    'ines@example.com',     'Faro',      '2026-11-02 09:20:00'),
  (6,  'Pedro Santos',    'pedro@example.com',    'Lisboa',    '2026-11-02 09:25:00'),
  (7,  'Sofia Ferreira',  'sofia@example.com',    'Aveiro',    '2026-11-02 09:30:00'),
  (8,  'Tiago Oliveira',  'tiago@example.com',    'Porto',     '2026-11-02 09:35:00'),
  (9,  'Beatriz Rocha',   'beatriz@example.com',  'Évora',     '2026-11-02 09:40:00'),
  (10, 'Miguel Martins',  'miguel@example.com',   'Lisboa',    '2026-11-02 09:45:00'),
  (11, 'Carla Gomes',     'carla@example.com',    'Setúbal',   '2026-11-02 09:50:00'),
  (12, 'Nuno Ribeiro',    'nuno@example.com',     'Viseu',     '2026-11-02 09:55:00');

INSERT INTO products VALUES
  (1, 'Espresso beans 1 kg',  18.90),
  (2, 'Filter coffee 500 g',   9.50),
  (3, 'Green tea 100 g',       6.75),
  (4, 'Moka pot',             34.00),
  (5, 'Ceramic mug',          12.00),
  (6, 'Milk frother',         49.90),
  (7, 'Paper filters x100',    3.20),
  (8, 'Grinder',              89.00);

-- 30 orders: order n is by customer ((n * 7) % 11) + 1 (customer 12 has none yet), for product
-- (n % 8) + 1.
INSERT INTO orders
SELECT n,
       ((n * 7) % 11) + 1,
       (n % 8) + 1,
       (n % 3) + 1,
       CASE WHEN n <= 20 THEN 'delivered' ELSE 'paid' END,
       TIMESTAMP '2026-11-03 10:00:00' + n * INTERVAL '1 hour'
FROM generate_series(1, 30) AS n;
