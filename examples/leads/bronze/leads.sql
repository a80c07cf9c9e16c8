-- Each source lands JSON Lines files in its folder; each run reads the files that arrived since.
CREATE STREAMING TABLE bronze.crm_contacts
COMMENT 'CRM contacts as exported'
AS SELECT * FROM STREAM read_files('data/crm', format => 'json',
  schema => 'id STRING, nome STRING, email STRING, celular STRING, cpf STRING, produtor_id STRING,
    criado_em TIMESTAMP');

CREATE STREAMING TABLE bronze.facebook_leads
COMMENT 'Facebook Lead Ads leads'
AS SELECT * FROM STREAM read_files('data/facebook', format => 'json',
  schema => 'lead_id STRING, full_name STRING, email STRING, phone_number STRING,
    campaign_name STRING, produtor_id STRING, created_time TIMESTAMP');

CREATE STREAMING TABLE bronze.google_leads
COMMENT 'Google Ads lead form submissions'
AS SELECT * FROM STREAM read_files('data/google', format => 'json',
  schema => 'lead_id STRING, name STRING, email STRING, phone STRING, campaign STRING,
    produtor_id STRING, submitted_at TIMESTAMP');
