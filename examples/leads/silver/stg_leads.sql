-- The vault's staging: every lead once, in one shape, with the person the identity graph gave it
-- when it landed (silver.persons runs first: this query reads it). Append-only, so the vault's
-- flows read only the leads new since their last run.
CREATE STREAMING TABLE silver.stg_leads
COMMENT 'Leads of all sources with their person, staged for the Data Vault'
AS SELECT l.source, l.record_id, p.person_id, l.produtor_id,
          p.name AS nome, p.email, p.phone AS telefone, p.document AS cpf,
          l.touched_at, l.campaign
FROM (
  SELECT 'crm' AS source, id AS record_id, produtor_id, criado_em AS touched_at,
         CAST(NULL AS STRING) AS campaign
  FROM STREAM(bronze.crm_contacts)
  UNION ALL
  SELECT 'facebook', lead_id, produtor_id, created_time, campaign_name
  FROM STREAM(bronze.facebook_leads)
  UNION ALL
  SELECT 'google', lead_id, produtor_id, submitted_at, campaign FROM STREAM(bronze.google_leads)
) l
JOIN silver.persons p ON p.source = l.source AND p.record_id = l.record_id;
