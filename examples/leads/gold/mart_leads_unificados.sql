-- One row per person, read from the Data Vault silver: the hub for when the vault first saw the
-- person, the satellite for the latest details, the bridge for the producers, the staged leads for
-- the touches. The identity graph (silver.persons) says which person each lead is now: leads loaded
-- under a person later merged away count for the survivor, and leads a split moved count for their
-- new person only, with the details and producers of their own satellite rows and links.
CREATE MATERIALIZED VIEW gold.mart_leads_unificados
COMMENT 'Unified leads: one row per person, from the Data Vault silver'
AS WITH staged AS (  -- each lead with its person now; a re-delivered lead is staged twice
  SELECT p.person_id, s.source, s.record_id, s.person_id AS staged_person, s.produtor_id,
         s.touched_at, s.campaign, s.staged_at
  FROM silver.stg_leads s
  JOIN silver.persons p ON p.source = s.source AND p.record_id = s.record_id
),
-- once per lead, under the hub key of its latest staging: the person it was staged under when it
-- landed, or the one a split moved it to (a person merged away keeps its hub key: the lead counts
-- for the survivor through silver.persons)
leads AS (
  SELECT person_id, source, record_id,
         hash_key(max_by(staged_person, staged_at)) AS hk_pessoa,
         max_by(produtor_id, staged_at) AS produtor_id,
         max_by(touched_at, staged_at) AS touched_at,
         max_by(campaign, staged_at) AS campaign
  FROM staged
  GROUP BY person_id, source, record_id
),
pessoas AS (
  SELECT l.person_id, min(h.load_date) AS in_vault_since
  FROM leads l JOIN silver.hub_pessoa h ON h.hk_pessoa = l.hk_pessoa
  GROUP BY l.person_id
),
-- per lead, the satellite row in effect at its touch: its own details, or the row before it when
-- they did not change; only the person's leads count, so a split's leads leave their old person
efetivos AS (
  SELECT l.person_id,
         max_by(struct(d.applied_at, d.load_date, d.nome, d.email, d.telefone, d.cpf),
                struct(d.applied_at, d.load_date)) AS d
  FROM leads l
  JOIN silver.sat_pessoa_detalhes d ON d.hk_pessoa = l.hk_pessoa AND d.applied_at <= l.touched_at
  GROUP BY l.person_id, l.source, l.record_id
),
-- the latest known value of each detail (a later lead without an e-mail keeps the earlier one)
detalhes AS (
  SELECT person_id,
         max_by(d.nome, CASE WHEN d.nome IS NOT NULL THEN d.applied_at END) AS name,
         max_by(d.email, CASE WHEN d.email IS NOT NULL THEN d.applied_at END) AS email,
         max_by(d.telefone, CASE WHEN d.telefone IS NOT NULL THEN d.applied_at END) AS phone,
         max_by(d.cpf, CASE WHEN d.cpf IS NOT NULL THEN d.applied_at END) AS document,
         count(DISTINCT d.applied_at, d.load_date) AS detail_versions
  FROM efetivos
  GROUP BY person_id
),
-- the producers the person's leads link it to (through the bridge, each lead's own link)
produtores AS (
  SELECT l.person_id, array_sort(collect_set(hp.produtor_id)) AS produtores
  FROM leads l
  JOIN gold.bridge_pessoa_produtor b
    ON b.hk_pessoa = l.hk_pessoa AND b.hk_produtor = hash_key(l.produtor_id)
  JOIN silver.hub_produtor hp ON hp.hk_produtor = b.hk_produtor
  GROUP BY l.person_id
),
toques AS (
  SELECT person_id,
         min(touched_at) AS first_touch,
         max(touched_at) AS last_touch,
         min_by(source, touched_at) AS first_channel,
         array_sort(collect_set(source)) AS channels,
         array_sort(collect_set(campaign)) AS campaigns,
         count(*) AS records,
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
