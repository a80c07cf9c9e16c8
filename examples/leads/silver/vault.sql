-- Data Vault silver (docs/datavault.md). A person is a hub key: the identity graph's person id.
-- Hubs and links are insert-only; the satellite gets a row only when a person's details change;
-- a rerun or a re-delivered file inserts nothing.
CREATE HUB hub_pessoa BUSINESS KEY (person_id);
CREATE HUB hub_produtor BUSINESS KEY (produtor_id);
-- the producer (seller) each person came for
CREATE LINK link_pessoa_produtor HUBS (hub_pessoa, hub_produtor);
-- normalized name, e-mail, phone (E.164) and CPF as each lead gave them, in touch order
CREATE SATELLITE sat_pessoa_detalhes ON hub_pessoa ATTRIBUTES (nome, email, telefone, cpf);
-- a merge of two persons (silver.persons_same_as): the survivor and the person merged into it
CREATE LINK link_pessoa_same_as
  HUBS (hub_pessoa AS hk_pessoa_sobrevivente, hub_pessoa AS hk_pessoa_mesclada);

CREATE FLOW pessoas AS LOAD HUB hub_pessoa
  FROM STREAM(silver.stg_leads) RECORD SOURCE 'leads';
CREATE FLOW produtores AS LOAD HUB hub_produtor
  FROM STREAM(silver.stg_leads) RECORD SOURCE 'leads';
CREATE FLOW pessoa_produtor AS LOAD LINK link_pessoa_produtor
  FROM STREAM(silver.stg_leads) RECORD SOURCE 'leads';
CREATE FLOW detalhes AS LOAD SATELLITE sat_pessoa_detalhes
  FROM STREAM(silver.stg_leads) SEQUENCE BY touched_at RECORD SOURCE 'leads';
CREATE FLOW mesclagens AS LOAD LINK link_pessoa_same_as
  FROM STREAM(silver.persons_same_as) BUSINESS KEY (survivor_id, merged_id)
  RECORD SOURCE 'identity graph';

-- the producers of each person, for the mart
CREATE BRIDGE gold.bridge_pessoa_produtor ON hub_pessoa LINKS (link_pessoa_produtor);
