using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Users;

/// <summary>
/// GDPR export (right of access): everything the platform holds about the user as one JSON document,
/// assembled by PostgreSQL under row-level security, so it can only ever contain the user's own data.
/// The "archives" section lists the archived months (Blob storage) that hold the user's rows, from the database's record
/// of who is in each archive, without reading any blob.
/// </summary>
public sealed class UserExport(Db db)
{
    // Each section is one sub-select; adding a table to the platform means adding a line here.
    private const string Sql = """
        SELECT jsonb_build_object(
          'exportedAt', now(),
          'account', (SELECT to_jsonb(u) - 'password_hash' FROM users u WHERE u.id = app.current_user_id()),
          'profile', (SELECT to_jsonb(p) FROM user_profiles p WHERE p.user_id = app.current_user_id()),
          'refreshSessions', coalesce((SELECT jsonb_agg(to_jsonb(s) - 'token_hash' ORDER BY s.created_at)
                                         FROM refresh_sessions s WHERE s.user_id = app.current_user_id()), '[]'),
          'trips', coalesce((SELECT jsonb_agg(to_jsonb(t) || jsonb_build_object(
                                 'destinations', coalesce((SELECT jsonb_agg(to_jsonb(d) ORDER BY d.position)
                                                             FROM trip_destinations d WHERE d.trip_id = t.id), '[]'),
                                 'collaborators', coalesce((SELECT jsonb_agg(to_jsonb(c) ORDER BY c.invited_at)
                                                              FROM trip_collaborators c WHERE c.trip_id = t.id), '[]'),
                                 'spending', coalesce((SELECT jsonb_agg(jsonb_build_object('currency', s.currency, 'amount', s.amount)
                                                                  ORDER BY s.currency)
                                                         FROM trip_spending s WHERE s.trip_id = t.id), '[]'),
                                 'preferences', (SELECT to_jsonb(p) - 'trip_id' || jsonb_build_object(
                                                   'dietaryRestrictions', array(SELECT r.restriction FROM trip_dietary_restrictions r
                                                                                 WHERE r.trip_id = t.id ORDER BY r.restriction),
                                                   'accessibilityNeeds', array(SELECT n.need FROM trip_accessibility_needs n
                                                                                WHERE n.trip_id = t.id ORDER BY n.need),
                                                   'interests', coalesce((SELECT jsonb_agg(jsonb_build_object('category', i.category,
                                                                                                              'priority', i.priority)
                                                                                           ORDER BY i.priority DESC, i.category)
                                                                            FROM trip_interests i WHERE i.trip_id = t.id), '[]'))
                                                   FROM trip_preferences p WHERE p.trip_id = t.id),
                                 'shareLinks', coalesce((SELECT jsonb_agg(to_jsonb(l) - 'token_hash' ORDER BY l.created_at)
                                                           FROM trip_share_links l WHERE l.trip_id = t.id), '[]'),
                                 'itineraries', coalesce((SELECT jsonb_agg(to_jsonb(v) - 'revised_in' || jsonb_build_object(
                                     'days', coalesce((SELECT jsonb_agg(to_jsonb(d) || jsonb_build_object(
                                         'items', coalesce((SELECT jsonb_agg(to_jsonb(i) ORDER BY i.position)
                                                              FROM itinerary_items i WHERE i.day_id = d.id), '[]'))
                                         ORDER BY d.day_number)
                                       FROM itinerary_days d WHERE d.version_id = v.id), '[]'))
                                     ORDER BY v.number)
                                   FROM itinerary_versions v WHERE v.trip_id = t.id), '[]'))
                                 ORDER BY t.created_at)
                               FROM trips t WHERE t.owner_id = app.current_user_id()), '[]'),
          'collaborations', coalesce((SELECT jsonb_agg(to_jsonb(c) ORDER BY c.invited_at)
                                        FROM trip_collaborators c WHERE c.user_id = app.current_user_id()), '[]'),
          'bookings', coalesce((SELECT jsonb_agg(to_jsonb(b) ORDER BY b.created_at)
                                  FROM bookings b
                                 WHERE b.created_by = app.current_user_id()
                                    OR b.trip_id IN (SELECT id FROM trips WHERE owner_id = app.current_user_id())), '[]'),
          'idempotencyKeys', coalesce((SELECT jsonb_agg(jsonb_build_object('key', k.key, 'bookingId', k.booking_id,
                                                                            'createdAt', k.created_at, 'expiresAt', k.expires_at)
                                                         ORDER BY k.created_at)
                                         FROM idempotency_keys k WHERE k.user_id = app.current_user_id()), '[]'),
          'conversations', coalesce((SELECT jsonb_agg(to_jsonb(c) || jsonb_build_object(
                                        'messages', coalesce((SELECT jsonb_agg(to_jsonb(m) ORDER BY m.created_at, m.id)
                                                                FROM chat_messages m
                                                               WHERE m.conversation_id = c.id AND m.user_id = app.current_user_id()), '[]'))
                                        ORDER BY c.created_at)
                                       FROM conversations c WHERE c.user_id = app.current_user_id()), '[]'),
          'userEvents', coalesce((SELECT jsonb_agg(to_jsonb(e) ORDER BY e.occurred_at, e.id)
                                    FROM user_events e WHERE e.user_id = app.current_user_id()), '[]'),
          'notifications', coalesce((SELECT jsonb_agg(to_jsonb(n) ORDER BY n.created_at, n.id)
                                       FROM notifications n WHERE n.user_id = app.current_user_id()), '[]'),
          -- The keys that keep each notification from being sent twice (which booking or trip, for whom, when).
          'notificationKeys', coalesce((SELECT jsonb_agg(to_jsonb(k) ORDER BY k.created_at, k.key)
                                          FROM notification_keys k WHERE k.user_id = app.current_user_id()), '[]'),
          'agentFeedback', coalesce((SELECT jsonb_agg(to_jsonb(f) ORDER BY f.created_at)
                                       FROM agent_feedback f WHERE f.user_id = app.current_user_id()), '[]'),
          -- Planning jobs this user queued (with the requirements snapshot and their notes; not the lease token or the
          -- request hash), and the feedback they gave on itineraries (0023).
          'planningJobs', coalesce((SELECT jsonb_agg(to_jsonb(j) - 'lease_token' - 'request_hash' ORDER BY j.created_at, j.id)
                                      FROM planning_jobs j WHERE j.requested_by = app.current_user_id()), '[]'),
          'itineraryFeedback', coalesce((SELECT jsonb_agg(to_jsonb(f) ORDER BY f.created_at, f.id)
                                           FROM itinerary_feedback f WHERE f.user_id = app.current_user_id()), '[]'),
          'externalApiLogs', coalesce((SELECT jsonb_agg(to_jsonb(l) ORDER BY l.created_at, l.id)
                                         FROM app.own_external_api_logs() l), '[]'),
          -- Provider keys without their secrets: the sealed columns are not even readable by the API's role.
          'providerKeys', coalesce((SELECT jsonb_agg(jsonb_build_object('id', k.id, 'service', k.service, 'label', k.label,
                                                                         'lastFour', k.last_four, 'createdAt', k.created_at,
                                                                         'lastUsedAt', k.last_used_at) ORDER BY k.created_at)
                                      FROM provider_keys k WHERE k.user_id = app.current_user_id()), '[]'),
          'providerKeyGrants', coalesce((SELECT jsonb_agg(to_jsonb(g) ORDER BY g.created_at)
                                           FROM provider_key_grants g WHERE g.user_id = app.current_user_id()), '[]'),
          'providerKeyUses', coalesce((SELECT jsonb_agg(to_jsonb(u) ORDER BY u.used_at, u.id)
                                         FROM provider_key_uses u WHERE u.user_id = app.current_user_id()), '[]'),
          -- Months of chat messages, events and API logs moved to Blob storage (not read here): where they are and how long.
          'archives', jsonb_build_object(
            'note', 'Months older than each table''s hot retention are kept as compressed CSV in the platform''s archive container in Blob storage, '
                 || 'not in the database. They are kept until erasure: when your account is erased (30 days after deletion), '
                 || 'the next monthly ErasureRewrite run rewrites each of these archives without your rows, and a restore '
                 || 'never brings them back. "certain": false marks archives written before their users were recorded, '
                 || 'which may hold your rows.',
            'partitions', coalesce((SELECT jsonb_agg(jsonb_build_object('table', a.table_name, 'from', a.range_from, 'to', a.range_to,
                                                                        'blob', a.blob_name, 'lastWrittenAt', a.last_written_at,
                                                                        'certain', a.certain,
                                                                        'keptUntil', 'erasure of the account (removed by the first ErasureRewrite run after it)')
                                               ORDER BY a.table_name, a.range_from)
                                      FROM app.own_archived_partitions() a), '[]'))
        )::text
        """;

    public Task<string> ExportAsync(Guid userId, CancellationToken ct) =>
        db.AsUserAsync(userId, tx => tx.QuerySingleAsync<string>(Sql), ct);
}
