-- One row per person: first and last touch, the channels and campaigns that reached them.
CREATE MATERIALIZED VIEW gold.mart_leads_unificados
COMMENT 'Unified leads: one row per person of silver.persons'
AS WITH touches AS (
  SELECT 'crm' AS source, id AS record_id, criado_em AS touched_at, CAST(NULL AS STRING) AS campaign
  FROM bronze.crm_contacts
  UNION ALL
  SELECT 'facebook', lead_id, created_time, campaign_name FROM bronze.facebook_leads
  UNION ALL
  SELECT 'google', lead_id, submitted_at, campaign FROM bronze.google_leads
)
SELECT p.person_id,
       max_by(p.name, t.touched_at) AS name,
       max(p.email) AS email,
       max(p.phone) AS phone,
       max(p.document) AS document,
       min(t.touched_at) AS first_touch,
       max(t.touched_at) AS last_touch,
       min_by(t.source, t.touched_at) AS first_channel,
       array_sort(collect_set(t.source)) AS channels,
       array_sort(collect_set(t.campaign)) AS campaigns,
       count(*) AS records,
       max(CASE WHEN t.source = 'crm' THEN 1 ELSE 0 END) = 1 AS converted
FROM silver.persons p
JOIN touches t ON t.source = p.source AND t.record_id = p.record_id
GROUP BY p.person_id;
