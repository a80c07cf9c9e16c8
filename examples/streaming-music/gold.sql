-- Plays per minute and per artist: recomputed when silver has new data.
CREATE MATERIALIZED VIEW gold.plays_per_minute
COMMENT 'Plays and listeners per minute'
AS SELECT
  date_trunc('minute', played_at) AS minute,
  count(*) AS plays,
  count(DISTINCT user_id) AS listeners
FROM silver.plays
GROUP BY 1;

CREATE MATERIALIZED VIEW gold.top_artists
AS SELECT artist, count(*) AS plays, round(sum(duration_s) / 60, 1) AS minutes_played
FROM silver.plays
GROUP BY artist;
