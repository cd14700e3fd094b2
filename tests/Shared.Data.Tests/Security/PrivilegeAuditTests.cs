using Dapper;
using Npgsql;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Tests.Security;

/// <summary>
/// The database audit of docs/security.md ("Database roles and row-level security") as assertions: every grant
/// to travel_app, travel_maintenance or PUBLIC (table-level, or column-level with its columns), every policy, and
/// every SECURITY DEFINER function they may call. Objects of extensions (a cluster whose template has one) are
/// not the project's and are left out. A migration that grants, drops or adds any of these fails here until
/// the audit (this list and the document) is updated with it.
/// </summary>
public sealed class PrivilegeAuditTests(TestDatabase db) : IClassFixture<TestDatabase>
{
    private static readonly string[] Grants =
    [
        "travel_app public.accessibility_needs SELECT",
        "travel_app public.agent_clients SELECT(client_id,name,secret_sha256,scopes,disabled_at)",
        "travel_app public.agent_feedback SELECT",
        "travel_app public.attraction_reviews INSERT",
        "travel_app public.attraction_reviews SELECT",
        "travel_app public.attraction_reviews UPDATE",
        "travel_app public.attractions INSERT",
        "travel_app public.attractions SELECT",
        "travel_app public.attractions UPDATE",
        "travel_app public.booking_links INSERT",
        "travel_app public.booking_links SELECT",
        "travel_app public.booking_links UPDATE",
        "travel_app public.bookings INSERT(trip_id,created_by,booking_type,confirmation_code,supplier_name,details,total_amount,currency,cancellable,cancellation_deadline,cancellation_fee,starts_at,ends_at)",
        "travel_app public.bookings SELECT",
        "travel_app public.chat_messages INSERT(conversation_id,user_id,role,content,agent_name,metadata,input_tokens,output_tokens)",
        "travel_app public.chat_messages SELECT",
        "travel_app public.cities INSERT",
        "travel_app public.cities SELECT",
        "travel_app public.cities UPDATE",
        "travel_app public.city_areas INSERT",
        "travel_app public.city_areas SELECT",
        "travel_app public.city_areas UPDATE",
        "travel_app public.conversations INSERT(user_id,trip_id,agent_type,title)",
        "travel_app public.conversations SELECT",
        "travel_app public.conversations UPDATE(status,close_reason,closed_at,last_message_at)",
        "travel_app public.countries INSERT",
        "travel_app public.countries SELECT",
        "travel_app public.countries UPDATE",
        "travel_app public.dietary_restrictions SELECT",
        "travel_app public.exchange_rates INSERT(base_currency,quote_currency,rate,as_of,source)",
        "travel_app public.exchange_rates SELECT",
        "travel_app public.exchange_rates UPDATE(rate,as_of,source,updated_at)",
        "travel_app public.external_api_logs INSERT(user_id,provider,endpoint,method,status_code,duration_ms,request,response,error,created_at)",
        "travel_app public.flight_search_cache INSERT(cache_key,params,results,created_at,expires_at)",
        "travel_app public.flight_search_cache SELECT",
        "travel_app public.flight_search_cache UPDATE(params,results,created_at,expires_at)",
        "travel_app public.hotel_search_cache INSERT(cache_key,params,results,created_at,expires_at)",
        "travel_app public.hotel_search_cache SELECT",
        "travel_app public.hotel_search_cache UPDATE(params,results,created_at,expires_at)",
        "travel_app public.idempotency_keys DELETE",
        "travel_app public.idempotency_keys INSERT",
        "travel_app public.idempotency_keys SELECT",
        "travel_app public.interest_categories SELECT",
        "travel_app public.itinerary_days INSERT(id,version_id,trip_id,day_number,date,city,title)",
        "travel_app public.itinerary_days SELECT",
        "travel_app public.itinerary_feedback INSERT(version_id,trip_id,item_id,user_id,feedback_type,rating,comment)",
        "travel_app public.itinerary_feedback SELECT",
        "travel_app public.itinerary_items DELETE",
        "travel_app public.itinerary_items INSERT(id,day_id,version_id,trip_id,position,item_type,title,description,start_time,end_time,duration_minutes,cost_per_person,currency,booking_required,booking_id,attraction_id,status,delayed_to_item_id,ai_reason,ai_confidence,user_rating)",
        "travel_app public.itinerary_items SELECT",
        "travel_app public.itinerary_items UPDATE(day_id,position,item_type,title,description,start_time,end_time,duration_minutes,cost_per_person,currency,booking_required,booking_id,attraction_id,status,delayed_to_item_id,ai_reason,ai_confidence,user_rating)",
        "travel_app public.itinerary_versions DELETE",
        "travel_app public.itinerary_versions INSERT(id,trip_id,number,title,generated_by,model_version,is_selected,created_by)",
        "travel_app public.itinerary_versions SELECT",
        "travel_app public.itinerary_versions UPDATE(is_selected)",
        "travel_app public.notification_keys SELECT",
        "travel_app public.notifications SELECT",
        "travel_app public.notifications UPDATE(read_at)",
        "travel_app public.planning_jobs INSERT(trip_id,requested_by,idempotency_key,request_hash,input)",
        "travel_app public.planning_jobs SELECT",
        "travel_app public.provider_key_grants DELETE",
        "travel_app public.provider_key_grants INSERT",
        "travel_app public.provider_key_grants SELECT",
        "travel_app public.provider_key_services SELECT",
        "travel_app public.provider_key_uses SELECT",
        "travel_app public.provider_keys DELETE",
        "travel_app public.provider_keys INSERT",
        "travel_app public.provider_keys SELECT(id,user_id,service,label,last_four,kek_id,created_at,last_used_at)",
        "travel_app public.refresh_sessions INSERT(id,user_id,family_id,token_hash,expires_at)",
        "travel_app public.refresh_sessions SELECT",
        "travel_app public.refresh_sessions UPDATE(revoked_at,revoked_reason,replaced_by)",
        "travel_app public.search_cache_hits INSERT(cache_kind,cache_key)",
        "travel_app public.trip_accessibility_needs DELETE",
        "travel_app public.trip_accessibility_needs INSERT",
        "travel_app public.trip_accessibility_needs SELECT",
        "travel_app public.trip_collaborators DELETE",
        "travel_app public.trip_collaborators INSERT(trip_id,user_id,role,invited_by)",
        "travel_app public.trip_collaborators SELECT",
        "travel_app public.trip_collaborators UPDATE(status,accepted_at)",
        "travel_app public.trip_destinations DELETE",
        "travel_app public.trip_destinations INSERT",
        "travel_app public.trip_destinations SELECT",
        "travel_app public.trip_dietary_restrictions DELETE",
        "travel_app public.trip_dietary_restrictions INSERT",
        "travel_app public.trip_dietary_restrictions SELECT",
        "travel_app public.trip_interests DELETE",
        "travel_app public.trip_interests INSERT",
        "travel_app public.trip_interests SELECT",
        "travel_app public.trip_invitations DELETE",
        "travel_app public.trip_invitations INSERT",
        "travel_app public.trip_invitations SELECT",
        "travel_app public.trip_preferences INSERT",
        "travel_app public.trip_preferences SELECT",
        "travel_app public.trip_preferences UPDATE(custom_restrictions,accommodation_types,accommodation_amenities,preferred_activity_times,avoid_crowds,prefer_offbeat,pace,version,updated_by,updated_at)",
        "travel_app public.trip_share_links INSERT(trip_id,token_hash,label,created_by)",
        "travel_app public.trip_share_links SELECT",
        "travel_app public.trip_share_links UPDATE(revoked_at)",
        "travel_app public.trip_spending SELECT",
        "travel_app public.trips DELETE",
        "travel_app public.trips INSERT(id,owner_id,title,description,trip_type,start_date,end_date,origin_city,origin_country,currency,budget_amount,traveler_count)",
        "travel_app public.trips SELECT",
        "travel_app public.trips UPDATE(title,description,trip_type,status,start_date,end_date,origin_city,origin_country,currency,budget_amount,traveler_count)",
        "travel_app public.user_events INSERT(user_id,event_type,category,data,session_id,device_type,occurred_at)",
        "travel_app public.user_events SELECT",
        "travel_app public.user_profiles INSERT(user_id)",
        "travel_app public.user_profiles SELECT",
        "travel_app public.user_profiles UPDATE(preferred_cabin_class,seat_preference,meal_preference,preferred_airlines,preferred_hotel_chains,loyalty_programs,notification_preferences,accessibility_requirements,dietary_restrictions,preferred_language,timezone,home_airport)",
        "travel_app public.users INSERT(id,email,password_hash,first_name,last_name,phone)",
        "travel_app public.users SELECT",
        "travel_app public.users UPDATE(password_hash,first_name,last_name,phone,failed_login_count,locked_until,last_login_at)",
        "travel_maintenance maintenance.expiry_partitioned_tables SELECT",
        "travel_maintenance maintenance.job_runs DELETE",
        "travel_maintenance maintenance.job_runs INSERT",
        "travel_maintenance maintenance.job_runs SELECT",
        "travel_maintenance maintenance.job_runs UPDATE",
        "travel_maintenance maintenance.job_runs_id_seq USAGE",
        "travel_maintenance maintenance.table_settings SELECT",
        "travel_maintenance public.attraction_reviews DELETE",
        "travel_maintenance public.attraction_reviews SELECT",
        "travel_maintenance public.attraction_reviews UPDATE(cached_at)",
        "travel_maintenance public.attractions SELECT(id,external_data_cached_at)",
        "travel_maintenance public.attractions UPDATE(external_data,external_data_cached_at)",
        "travel_maintenance public.booking_links DELETE",
        "travel_maintenance public.booking_links SELECT",
        "travel_maintenance public.booking_links UPDATE(expires_at)",
        "travel_maintenance public.flight_search_cache SELECT",
        "travel_maintenance public.flight_search_cache UPDATE(hit_count,last_hit_at)",
        "travel_maintenance public.hotel_search_cache SELECT",
        "travel_maintenance public.hotel_search_cache UPDATE(hit_count,last_hit_at)",
        "travel_maintenance public.idempotency_keys DELETE",
        "travel_maintenance public.idempotency_keys SELECT",
        "travel_maintenance public.provider_keys SELECT(id,user_id,service,data_key_wrapped,kek_id)",
        "travel_maintenance public.provider_keys UPDATE(data_key_wrapped,kek_id)",
        "travel_maintenance public.refresh_sessions DELETE",
        "travel_maintenance public.refresh_sessions SELECT(id,user_id,expires_at,revoked_at)",
        "travel_maintenance public.search_cache_hit_totals SELECT",
        "travel_maintenance public.search_cache_hits DELETE",
        "travel_maintenance public.search_cache_hits SELECT",
        "travel_maintenance public.search_cache_hits UPDATE",
        "travel_maintenance public.trip_invitations DELETE",
        "travel_maintenance public.trip_invitations SELECT",
        "travel_maintenance public.users DELETE",
        "travel_maintenance public.users SELECT(id,status,deleted_at)",
        "travel_maintenance reporting.daily_booking_metrics SELECT",
    ];

    private static readonly string[] Policies =
    [
        "public.agent_feedback agent_feedback_self ALL travel_app",
        "public.booking_links booking_links_maintenance ALL travel_maintenance",
        "public.booking_links booking_links_service ALL travel_app",
        "public.bookings bookings_insert INSERT travel_app",
        "public.bookings bookings_read SELECT travel_app",
        "public.chat_messages chat_messages_insert INSERT travel_app",
        "public.chat_messages chat_messages_read SELECT travel_app",
        "public.conversations conversations_insert INSERT travel_app",
        "public.conversations conversations_read SELECT travel_app",
        "public.conversations conversations_update UPDATE travel_app",
        "public.exchange_rates exchange_rates_insert INSERT travel_app",
        "public.exchange_rates exchange_rates_read SELECT travel_app",
        "public.exchange_rates exchange_rates_update UPDATE travel_app",
        "public.flight_search_cache flight_search_cache_maintenance ALL travel_maintenance",
        "public.flight_search_cache flight_search_cache_service ALL travel_app",
        "public.hotel_search_cache hotel_search_cache_maintenance ALL travel_maintenance",
        "public.hotel_search_cache hotel_search_cache_service ALL travel_app",
        "public.idempotency_keys idempotency_keys_delete_expired DELETE travel_app",
        "public.idempotency_keys idempotency_keys_insert INSERT travel_app",
        "public.idempotency_keys idempotency_keys_maintenance ALL travel_maintenance",
        "public.idempotency_keys idempotency_keys_read SELECT travel_app",
        "public.itinerary_days itinerary_days_insert INSERT travel_app",
        "public.itinerary_days itinerary_days_read SELECT travel_app",
        "public.itinerary_feedback itinerary_feedback_insert INSERT travel_app",
        "public.itinerary_feedback itinerary_feedback_read SELECT travel_app",
        "public.itinerary_items itinerary_items_read SELECT travel_app",
        "public.itinerary_items itinerary_items_write ALL travel_app",
        "public.itinerary_versions itinerary_versions_delete DELETE travel_app",
        "public.itinerary_versions itinerary_versions_insert INSERT travel_app",
        "public.itinerary_versions itinerary_versions_read SELECT travel_app",
        "public.itinerary_versions itinerary_versions_update UPDATE travel_app",
        "public.notification_keys notification_keys_self SELECT travel_app",
        "public.notifications notifications_self ALL travel_app",
        "public.planning_jobs planning_jobs_insert INSERT travel_app",
        "public.planning_jobs planning_jobs_read SELECT travel_app",
        "public.provider_key_grants provider_key_grants_owner ALL travel_app",
        "public.provider_key_uses provider_key_uses_owner SELECT travel_app",
        "public.provider_keys provider_keys_maintenance ALL travel_maintenance",
        "public.provider_keys provider_keys_owner ALL travel_app",
        "public.refresh_sessions refresh_sessions_maintenance ALL travel_maintenance",
        "public.refresh_sessions refresh_sessions_self ALL travel_app",
        "public.search_cache_hits search_cache_hits_maintenance ALL travel_maintenance",
        "public.search_cache_hits search_cache_hits_service ALL travel_app",
        "public.trip_accessibility_needs trip_accessibility_needs_read SELECT travel_app",
        "public.trip_accessibility_needs trip_accessibility_needs_write ALL travel_app",
        "public.trip_collaborators trip_collaborators_accept UPDATE travel_app",
        "public.trip_collaborators trip_collaborators_invite INSERT travel_app",
        "public.trip_collaborators trip_collaborators_read SELECT travel_app",
        "public.trip_collaborators trip_collaborators_remove DELETE travel_app",
        "public.trip_destinations trip_destinations_read SELECT travel_app",
        "public.trip_destinations trip_destinations_write ALL travel_app",
        "public.trip_dietary_restrictions trip_dietary_restrictions_read SELECT travel_app",
        "public.trip_dietary_restrictions trip_dietary_restrictions_write ALL travel_app",
        "public.trip_interests trip_interests_read SELECT travel_app",
        "public.trip_interests trip_interests_write ALL travel_app",
        "public.trip_invitations trip_invitations_maintenance ALL travel_maintenance",
        "public.trip_invitations trip_invitations_owner ALL travel_app",
        "public.trip_preferences trip_preferences_read SELECT travel_app",
        "public.trip_preferences trip_preferences_write ALL travel_app",
        "public.trip_share_links trip_share_links_owner ALL travel_app",
        "public.trip_spending trip_spending_read SELECT travel_app",
        "public.trips trips_delete DELETE travel_app",
        "public.trips trips_insert INSERT travel_app",
        "public.trips trips_read SELECT travel_app",
        "public.trips trips_update UPDATE travel_app",
        "public.user_events user_events_self ALL travel_app",
        "public.user_profiles user_profiles_self ALL travel_app",
        "public.users users_maintenance_purge DELETE travel_maintenance",
        "public.users users_maintenance_read SELECT travel_maintenance",
        "public.users users_self ALL travel_app",
    ];

    // Trigger functions are left out: they cannot be called directly.
    private static readonly string[] DefinerFunctions =
    [
        "app.auth_login_attempt(bytea,bytea,timestamp with time zone,integer,interval,interval,interval,integer,interval,interval) travel_app",
        "app.auth_login_succeeded(bytea,bytea) travel_app",
        "app.auth_rate_hit(bytea,timestamp with time zone,interval) travel_app",
        "app.begin_planning_completion(uuid,uuid,uuid) travel_app",
        "app.cancel_booking(uuid) travel_app",
        "app.claim_invitations() travel_app",
        "app.claim_planning_job(uuid,interval) travel_app",
        "app.complete_planning_job(uuid,uuid,uuid,uuid,text,integer,integer) travel_app",
        "app.confirm_booking(uuid,text) travel_app",
        "app.conversation_owner(uuid) travel_app",
        "app.ensure_search_cache_partitions(text) travel_app",
        "app.expire_planning_leases(timestamp with time zone,integer) travel_maintenance",
        "app.fail_planning_job(uuid,uuid,uuid,text,boolean,interval) travel_app",
        "app.forget_notification_keys(interval,integer) travel_maintenance",
        "app.heartbeat_planning_job(uuid,uuid,uuid,interval) travel_app",
        "app.live_user_id_by_email(text) travel_app",
        "app.login_lookup(text) travel_app",
        "app.notification_channels(uuid) ",
        "app.notify(uuid,text,text,text,text,jsonb,uuid,uuid,text) ",
        "app.notify_planning_job(uuid) ",
        "app.own_archived_partitions() travel_app",
        "app.own_external_api_logs() travel_app",
        "app.pending_notification_deliveries(text,integer) travel_app",
        "app.planning_feedback_for_agent(uuid,timestamp with time zone,uuid,integer) travel_app",
        "app.record_notification_delivery(uuid,text,text,text) travel_app",
        "app.refresh_session_lookup(bytea) travel_app",
        "app.remind_cancellation_deadlines(timestamp with time zone,interval,integer) travel_maintenance",
        "app.remind_trip_starts(timestamp with time zone,integer) travel_maintenance",
        "app.row_retention_days(text,integer) travel_app",
        "app.shared_trip(bytea) travel_app",
        "app.soft_delete_current_user() travel_app",
        "app.trip_member_ids(uuid) ",
        "app.trip_members(uuid) travel_app",
        "app.trip_role(uuid) travel_app",
        "app.unknown_user_ids(uuid[]) travel_app",
        "app.use_provider_key(uuid,uuid,text,text) travel_app",
        "app.withdraw_invitation(uuid,text) travel_app",
        "reporting.refresh_daily_booking_metrics() travel_maintenance",
    ];

    [Fact]
    public async Task Grants_are_exactly_the_audited_ones()
    {
        await using var conn = new NpgsqlConnection(db.Admin);
        var actual = (await conn.QueryAsync<string>("""
            WITH rels AS (  -- the project's tables, views and sequences (not the catalogs, not an extension's)
              SELECT c.oid, c.relacl, n.nspname || '.' || c.relname AS rel
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
                 AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            ), t AS (
              SELECT coalesce(r.rolname, 'PUBLIC') AS role, rels.rel, a.privilege_type AS priv, NULL::text AS cols
                FROM rels CROSS JOIN LATERAL aclexplode(rels.relacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
               WHERE a.grantee = 0 OR r.rolname IN ('travel_app', 'travel_maintenance')
              UNION ALL
              SELECT coalesce(r.rolname, 'PUBLIC'), rels.rel, a.privilege_type, string_agg(att.attname, ',' ORDER BY att.attnum)
                FROM rels
                JOIN pg_attribute att ON att.attrelid = rels.oid AND att.attacl IS NOT NULL AND NOT att.attisdropped
                CROSS JOIN LATERAL aclexplode(att.attacl) a LEFT JOIN pg_roles r ON r.oid = a.grantee
               WHERE a.grantee = 0 OR r.rolname IN ('travel_app', 'travel_maintenance')
               GROUP BY 1, 2, 3
            )
            SELECT role || ' ' || rel || ' ' || priv || coalesce('(' || cols || ')', '') FROM t ORDER BY 1
            """)).ToArray();
        Assert.Equal(Grants, actual);
    }

    [Fact]
    public async Task Policies_are_exactly_the_audited_ones()
    {
        await using var conn = new NpgsqlConnection(db.Admin);
        var actual = (await conn.QueryAsync<string>("""
            SELECT schemaname || '.' || tablename || ' ' || policyname || ' ' || cmd || ' ' || array_to_string(roles, ',')
              FROM pg_policies ORDER BY 1
            """)).ToArray();
        Assert.Equal(Policies, actual);
    }

    [Fact]
    public async Task Definer_functions_are_the_audited_ones_and_pin_their_search_path()
    {
        await using var conn = new NpgsqlConnection(db.Admin);
        var actual = (await conn.QueryAsync<string>("""
            SELECT p.oid::regprocedure::text || ' ' || concat_ws(',',
                     CASE WHEN has_function_privilege('travel_app', p.oid, 'EXECUTE') THEN 'travel_app' END,
                     CASE WHEN has_function_privilege('travel_maintenance', p.oid, 'EXECUTE') THEN 'travel_maintenance' END)
              FROM pg_proc p
             WHERE p.prosecdef AND p.prorettype <> 'trigger'::regtype
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
             ORDER BY 1
            """)).ToArray();
        Assert.Equal(DefinerFunctions, actual);
        // Every owner-run function, triggers included, resolves names only where the owner put them (pg_temp last).
        var unpinned = await conn.QueryAsync<string>("""
            SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE p.prosecdef AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c
                                                WHERE c LIKE 'search_path=%' AND c LIKE '%pg_temp')
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
            """);
        Assert.Empty(unpinned);
    }

    [Fact]
    public async Task Neither_role_can_create_objects_or_bypass_policies()
    {
        await using var conn = new NpgsqlConnection(db.Admin);
        var found = await conn.QueryAsync<string>("""
            SELECT r.rolname || ' may create in ' || n.nspname
              FROM pg_roles r CROSS JOIN pg_namespace n
             WHERE r.rolname IN ('travel_app', 'travel_maintenance') AND has_schema_privilege(r.oid, n.oid, 'CREATE')
            UNION ALL
            SELECT r.rolname || ' may create schemas' FROM pg_roles r
             WHERE r.rolname IN ('travel_app', 'travel_maintenance') AND has_database_privilege(r.oid, current_database(), 'CREATE')
            UNION ALL
            SELECT r.rolname || ' is superuser, bypasses RLS or creates roles' FROM pg_roles r
             WHERE r.rolname IN ('travel_app', 'travel_maintenance') AND (r.rolsuper OR r.rolbypassrls OR r.rolcreaterole OR r.rolcreatedb)
            UNION ALL
            SELECT pg_get_userbyid(c.relowner) || ' owns ' || c.relname FROM pg_class c
             WHERE pg_get_userbyid(c.relowner) IN ('travel_app', 'travel_maintenance')
            """);
        Assert.Empty(found);
    }
}
