-- One row per person, read from the Data Vault silver: the hub for when the vault first saw the
-- person, the satellite for the latest details, the bridge for the producers, the staged leads for
-- the touches. Leads loaded under a person that was later merged away count for the survivor: the
-- identity graph (silver.persons) says which person each lead is now.
CREATE MATERIALIZED VIEW gold.mart_leads_unificados
COMMENT 'Unified leads: one row per person, from the Data Vault silver'
AS WITH leads AS (  -- a re-delivered lead is staged twice: counted once
  SELECT DISTINCT p.person_id, hash_key(s.person_id) AS hk_pessoa, s.source, s.record_id,
         s.touched_at, s.campaign
  FROM silver.stg_leads s
  JOIN silver.persons p ON p.source = s.source AND p.record_id = s.record_id
),
-- every hub key a person's leads were loaded under: its own, and those of persons merged into it
chaves AS (SELECT DISTINCT person_id, hk_pessoa FROM leads),
pessoas AS (
  SELECT c.person_id, min(h.load_date) AS in_vault_since
  FROM chaves c JOIN silver.hub_pessoa h ON h.hk_pessoa = c.hk_pessoa
  GROUP BY c.person_id
),
-- the latest known value of each detail (a later lead without an e-mail keeps the earlier one)
detalhes AS (
  SELECT c.person_id,
         max_by(d.nome, CASE WHEN d.nome IS NOT NULL THEN d.applied_at END) AS name,
         max_by(d.email, CASE WHEN d.email IS NOT NULL THEN d.applied_at END) AS email,
         max_by(d.telefone, CASE WHEN d.telefone IS NOT NULL THEN d.applied_at END) AS phone,
         max_by(d.cpf, CASE WHEN d.cpf IS NOT NULL THEN d.applied_at END) AS document,
         count(*) AS detail_versions
  FROM chaves c JOIN silver.sat_pessoa_detalhes d ON d.hk_pessoa = c.hk_pessoa
  GROUP BY c.person_id
),
produtores AS (
  SELECT c.person_id, array_sort(collect_set(hp.produtor_id)) AS produtores
  FROM chaves c
  JOIN gold.bridge_pessoa_produtor b ON b.hk_pessoa = c.hk_pessoa
  JOIN silver.hub_produtor hp ON hp.hk_produtor = b.hk_produtor
  GROUP BY c.person_id
),
toques AS (
  SELECT person_id,
         min(touched_at) AS first_touch,
         max(touched_at) AS last_touch,
         min_by(source, touched_at) AS first_channel,
         array_sort(collect_set(source)) AS channels,
         array_sort(collect_set(campaign)) AS campaigns,
         count(DISTINCT source, record_id) AS records,
         max(CASE WHEN source = 'crm' THEN 1 ELSE 0 END) = 1 AS converted
  FROM leads
  GROUP BY person_id
)
SELECT p.person_id, d.name, d.email, d.phone, d.document,
       t.first_touch, t.last_touch, t.first_channel, t.channels, t.campaigns,
       coalesce(pr.produtores, CAST(array() AS ARRAY<STRING>)) AS produtores,
       t.records, d.detail_versions, p.in_vault_since, t.converted
FROM pessoas p
JOIN toques t ON t.person_id = p.person_id
LEFT JOIN detalhes d ON d.person_id = p.person_id
LEFT JOIN produtores pr ON pr.person_id = p.person_id;
