using Dapper;
using Npgsql;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Paging;

namespace TravelFunctions.Data.Bookings;

/// <summary>
/// Bookings of trips. Every statement runs as the requesting user, so row-level security also applies;
/// the explicit access checks here decide between 404 (cannot read the trip) and 403 (can read, cannot write).
/// trips.spent_amount is kept by the database trigger on bookings, in the same transaction.
/// </summary>
public sealed class BookingStore(Db db, ConfirmationCodes codes)
{
    private const string Columns = """
        b.id, b.trip_id, b.booking_type, b.status, b.confirmation_code, b.supplier_name, b.supplier_reference,
        b.details::text AS details, b.total_amount, b.currency, b.cancellable, b.cancellation_deadline, b.cancellation_fee,
        b.cancellation_fee_charged, b.starts_at, b.ends_at, b.created_at, b.confirmed_at, b.cancelled_at
        """;

    private const int CodeAttempts = 5;

    /// <summary>
    /// Creates a booking, or with an Idempotency-Key replays the booking the key already created
    /// (same request) or refuses it (different request). Two requests racing with the same key:
    /// the loser's key insert hits the primary key, its transaction (booking included) rolls back,
    /// and the one retry finds the winner's key.
    /// </summary>
    public async Task<BookingCreation> CreateAsync(Guid userId, NewBooking booking, IdempotencyClaim? claim, CancellationToken ct)
    {
        try
        {
            return await db.AsUserAsync(userId, tx => CreateInAsync(tx, booking, claim), ct);
        }
        catch (PostgresException ex) when (claim is not null && ex is { SqlState: "23505", ConstraintName: "idempotency_keys_pkey" })
        {
            return await db.AsUserAsync(userId, tx => CreateInAsync(tx, booking, claim), ct);
        }
    }

    private async Task<BookingCreation> CreateInAsync(DbTx tx, NewBooking booking, IdempotencyClaim? claim)
    {
        if (claim is not null)
        {
            // An expired key (not yet purged) no longer counts: free it for this request.
            await tx.ExecuteAsync("""
                DELETE FROM idempotency_keys
                 WHERE user_id = app.current_user_id() AND key = @Key AND expires_at <= now()
                """, new { claim.Key });
            var previous = await tx.QuerySingleOrDefaultAsync<StoredKey>("""
                SELECT request_hash, booking_id FROM idempotency_keys
                 WHERE user_id = app.current_user_id() AND key = @Key
                """, new { claim.Key });
            if (previous is not null)
            {
                if (!previous.RequestHash.AsSpan().SequenceEqual(claim.RequestHash))
                    return new BookingCreation.KeyReusedWithDifferentRequest();
                var replayed = await ReadAsync(tx, previous.BookingId);
                return replayed is null ? new BookingCreation.TripNotFound() : new BookingCreation.Replayed(replayed);
            }
        }

        var trip = await tx.QuerySingleOrDefaultAsync<TripAccess>(
            "SELECT app.can_write_trip(id) AS can_write FROM trips WHERE id = @TripId AND app.can_read_trip(id)",
            new { booking.TripId });
        if (trip is null) return new BookingCreation.TripNotFound();
        if (!trip.CanWrite) return new BookingCreation.TripReadOnly();

        BookingRow? created = null;
        for (var attempt = 1; created is null; attempt++)
        {
            await tx.ExecuteAsync("SAVEPOINT new_booking");
            try
            {
                created = await tx.QuerySingleAsync<BookingRow>($"""
                    INSERT INTO bookings AS b (trip_id, created_by, booking_type, confirmation_code, supplier_name, details,
                        total_amount, currency, cancellable, cancellation_deadline, cancellation_fee, starts_at, ends_at)
                    VALUES (@TripId, app.current_user_id(), @BookingType, @Code, @SupplierName, @DetailsJson::jsonb,
                        @TotalAmount, @Currency, @Cancellable, @CancellationDeadline, @CancellationFee, @StartsAt, @EndsAt)
                    RETURNING {Columns}
                    """, new
                {
                    booking.TripId, booking.BookingType, Code = codes.Next(), booking.SupplierName, booking.DetailsJson,
                    booking.TotalAmount, booking.Currency, booking.Cancellable, booking.CancellationDeadline,
                    booking.CancellationFee, booking.StartsAt, booking.EndsAt,
                });
            }
            catch (PostgresException ex) when (ex is { SqlState: "23505", ConstraintName: "bookings_confirmation_code_key" } && attempt < CodeAttempts)
            {
                await tx.ExecuteAsync("ROLLBACK TO SAVEPOINT new_booking");
            }
            catch (PostgresException ex) when (ex.SqlState == "42501")
            {
                // Write access was withdrawn between the check and the insert (row-level security said no).
                await tx.ExecuteAsync("ROLLBACK TO SAVEPOINT new_booking");
                return new BookingCreation.TripReadOnly();
            }
        }

        if (claim is not null)
            await tx.ExecuteAsync("""
                INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id)
                VALUES (app.current_user_id(), @Key, @RequestHash, @BookingId)
                """, new { claim.Key, claim.RequestHash, BookingId = created.Id });
        return new BookingCreation.Created(created);
    }

    public Task<BookingRow?> GetAsync(Guid userId, Guid bookingId, CancellationToken ct) =>
        db.AsUserAsync(userId, tx => ReadAsync(tx, bookingId), ct);

    public Task<BookingRow?> GetByCodeAsync(Guid userId, string code, CancellationToken ct) =>
        db.AsUserAsync(userId, tx => tx.QuerySingleOrDefaultAsync<BookingRow>(
            $"SELECT {Columns} FROM bookings b WHERE b.confirmation_code = @code AND app.can_read_trip(b.trip_id)", new { code }), ct);

    /// <summary>One page, newest first. Only trips the user owns or collaborates on (accepted) are searched.</summary>
    public Task<IReadOnlyList<BookingRow>> ListAsync(Guid userId, BookingFilter f, PageRequest<DateTimeOffset> page, CancellationToken ct) =>
        db.AsUserAsync<IReadOnlyList<BookingRow>>(userId, async tx => (await tx.QueryAsync<BookingRow>($"""
            SELECT {Columns}
              FROM bookings b
             WHERE b.trip_id IN (SELECT t.id FROM trips t WHERE t.owner_id = app.current_user_id()
                                 UNION ALL
                                 SELECT c.trip_id FROM trip_collaborators c
                                  WHERE c.user_id = app.current_user_id() AND c.status = 'accepted')
               AND (@TripId::uuid IS NULL OR b.trip_id = @TripId)
               AND (@BookingType::text IS NULL OR b.booking_type = @BookingType)
               AND (@Status::text IS NULL OR b.status = @Status)
               AND (@From::timestamptz IS NULL OR b.starts_at >= @From)
               AND (@To::timestamptz IS NULL OR b.starts_at <= @To)
               AND (@afterCreatedAt::timestamptz IS NULL OR (b.created_at, b.id) < (@afterCreatedAt, @afterId))
             ORDER BY b.created_at DESC, b.id DESC
             LIMIT @take
            """, new { f.TripId, f.BookingType, f.Status, f.From, f.To, afterCreatedAt = page.After?.Value, afterId = page.After?.Id, take = page.Take }))
            .AsList(), ct);

    /// <summary>
    /// pending → confirmed, by the owner function app.confirm_booking (travel_app has no UPDATE on bookings). Its
    /// status guard is in the UPDATE, so of two racing confirms one wins.
    /// </summary>
    public Task<BookingChange> ConfirmAsync(Guid userId, Guid bookingId, string supplierReference, CancellationToken ct) =>
        db.AsUserAsync<BookingChange>(userId, async tx =>
        {
            var confirmed = await tx.QuerySingleOrDefaultAsync<BookingRow>(
                $"SELECT {Columns} FROM app.confirm_booking(@bookingId, @supplierReference) AS b", new { bookingId, supplierReference });
            if (confirmed is not null) return new BookingChange.Done(confirmed);
            return await WhyNotAsync(tx, bookingId, b => $"The booking is {b.Status}; only a pending booking can be confirmed.");
        }, ct);

    /// <summary>
    /// → cancelled, charging the booking's cancellation fee (0 when it has none), by the owner function
    /// app.cancel_booking: one UPDATE guarded by status, cancellability and deadline, so of concurrent cancels
    /// exactly one changes the row.
    /// </summary>
    public Task<BookingChange> CancelAsync(Guid userId, Guid bookingId, CancellationToken ct) =>
        db.AsUserAsync<BookingChange>(userId, async tx =>
        {
            var cancelled = await tx.QuerySingleOrDefaultAsync<BookingRow>(
                $"SELECT {Columns} FROM app.cancel_booking(@bookingId) AS b", new { bookingId });
            if (cancelled is not null) return new BookingChange.Done(cancelled);
            return await WhyNotAsync(tx, bookingId, b =>
                b.Status == "cancelled" ? "The booking is already cancelled."
                : !b.Cancellable ? "The booking is not cancellable."
                : $"The cancellation deadline ({b.CancellationDeadline:O}) has passed.");
        }, ct);

    // After a guarded UPDATE changed nothing: 404 when unreadable, 403 when read-only, else a conflict.
    private static async Task<BookingChange> WhyNotAsync(DbTx tx, Guid bookingId, Func<BookingRow, string> conflict)
    {
        var current = await ReadAsync(tx, bookingId);
        if (current is null) return new BookingChange.NotFound();
        if (!await tx.ExecuteScalarAsync<bool>("SELECT app.can_write_trip(@TripId)", new { current.TripId }))
            return new BookingChange.ReadOnly();
        return new BookingChange.Conflict(current, conflict(current));
    }

    private static Task<BookingRow?> ReadAsync(DbTx tx, Guid bookingId) =>
        tx.QuerySingleOrDefaultAsync<BookingRow>(
            $"SELECT {Columns} FROM bookings b WHERE b.id = @bookingId AND app.can_read_trip(b.trip_id)", new { bookingId });

    private sealed record StoredKey(byte[] RequestHash, Guid BookingId);

    private sealed record TripAccess(bool CanWrite);
}
