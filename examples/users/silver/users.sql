-- Clean users with their SSN. Rows without an id are dropped; rows with a malformed email go
-- to silver.users_quarantine with the rule they broke; users without a title are only counted.
CREATE MATERIALIZED VIEW users (
  CONSTRAINT valid_id EXPECT (user_id IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT valid_email EXPECT (email RLIKE '^[^@ ]+@[^@ ]+[.][a-z]+$') ON VIOLATION QUARANTINE,
  CONSTRAINT has_title EXPECT (title IS NOT NULL)
)
COMMENT 'One row per user: flattened, deduplicated, with SSN'
TBLPROPERTIES ('lagoa.layer' = 'silver')
AS SELECT
  u.user_id,
  u.name,
  u.email,
  u.title,
  u.key_skills,
  s.ssn,
  u.updated_at
FROM users_latest u
LEFT JOIN bronze.ssn s ON s.user_id = u.user_id;
