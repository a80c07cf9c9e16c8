-- The vault's staging: every lead in one shape, with the person the identity graph gives it now
-- (silver.persons runs first: this query reads it). Append-only, so the vault's flows read only the
-- rows new since their last run: the leads that landed, and the leads a split (lagoa identity
-- split) moved to another person since the last run, staged again under it, so the vault learns
-- of the split in the run after it even when no lead arrives. staged_at orders a lead's stagings:
-- its latest says which hub key the vault holds it under.
CREATE TEMPORARY VIEW leads_bronze AS
SELECT 'crm' AS source, id AS record_id, produtor_id, criado_em AS touched_at,
       CAST(NULL AS STRING) AS campaign
FROM bronze.crm_contacts
UNION ALL
SELECT 'facebook', lead_id, produtor_id, created_time, campaign_name FROM bronze.facebook_leads
UNION ALL
SELECT 'google', lead_id, produtor_id, submitted_at, campaign FROM bronze.google_leads;

CREATE STREAMING TABLE silver.stg_leads
COMMENT 'Leads of all sources with their person, staged for the Data Vault'
AS SELECT l.source, l.record_id, p.person_id, l.produtor_id,
          p.name AS nome, p.email, p.phone AS telefone, p.document AS cpf,
          l.touched_at, l.campaign, current_timestamp() AS staged_at
FROM (
  SELECT 'crm' AS source, id AS record_id, produtor_id, criado_em AS touched_at,
         CAST(NULL AS STRING) AS campaign
  FROM STREAM(bronze.crm_contacts)
  UNION ALL
  SELECT 'facebook', lead_id, produtor_id, created_time, campaign_name
  FROM STREAM(bronze.facebook_leads)
  UNION ALL
  SELECT 'google', lead_id, produtor_id, submitted_at, campaign FROM STREAM(bronze.google_leads)
  UNION ALL
  -- the leads splits moved since the last run (a lead delivered twice is staged once)
  SELECT DISTINCT b.source, b.record_id, b.produtor_id, b.touched_at, b.campaign
  FROM STREAM(silver.persons_moves) m
  JOIN leads_bronze b ON b.source = m.source AND b.record_id = m.record_id
) l
JOIN silver.persons p ON p.source = l.source AND p.record_id = l.record_id;
