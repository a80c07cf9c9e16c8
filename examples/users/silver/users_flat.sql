-- Intermediate steps: never stored, inlined into the tables that read them.

-- Flatten the employment struct.
CREATE TEMPORARY VIEW users_flat AS
SELECT
  user_id,
  name,
  email,
  employment.title AS title,
  employment.keySkills AS key_skills,
  CAST(updated_at AS TIMESTAMP) AS updated_at
FROM bronze.users;

-- Keep the latest version of each user.
CREATE TEMPORARY VIEW users_latest AS
WITH ranked AS (
  SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY updated_at DESC) AS version
  FROM users_flat
)
SELECT user_id, name, email, title, key_skills, updated_at
FROM ranked
WHERE version = 1;
