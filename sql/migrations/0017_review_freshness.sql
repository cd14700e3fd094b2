-- 0017: the catalog's review reads follow attraction_reviews' retention as maintenance.table_settings sets it (0015).
-- CacheExpiry deletes reviews cached longer ago than that period; the reads leave them out already, so nothing the
-- next run will delete shows between runs, whatever the period is set to. travel_app cannot read the maintenance
-- schema, so this owner function answers the one value it needs: the period in days, the built-in default when the
-- table has no row or no period, NULL when its retention is switched off (nothing is deleted, nothing left out).

CREATE FUNCTION app.row_retention_days(p_table text, p_default_days integer) RETURNS integer
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE WHEN s.enabled IS false THEN NULL ELSE coalesce(s.retention_days, p_default_days) END
    FROM (SELECT 1) AS one
    LEFT JOIN maintenance.table_settings s ON s.table_name = p_table
$$;
REVOKE ALL ON FUNCTION app.row_retention_days(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.row_retention_days(text, integer) TO travel_app;
