-- One person per human: records sharing a normalized e-mail or CPF are one person; a phone joins
-- records only when their names agree (families share phones), so it may carry a household's six
-- names; any other key carried by more than three different names (teste@teste.com) joins nobody,
-- and so does a phone with more than six (a switchboard). See docs/identity.md.
CREATE IDENTITY GRAPH silver.persons
MATCH ON email, document, phone IF NAME SIMILARITY >= 0.85 MAX NAMES 6
MAX NAMES PER KEY 3
PHONE REGION 'BR'
AS SELECT 'crm' AS source, id AS record_id, nome AS name, email, celular AS phone, cpf AS document
   FROM STREAM(bronze.crm_contacts)
UNION ALL
SELECT 'facebook', lead_id, full_name, email, phone_number, NULL FROM STREAM(bronze.facebook_leads)
UNION ALL
SELECT 'google', lead_id, name, email, phone, NULL FROM STREAM(bronze.google_leads);
