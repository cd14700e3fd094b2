using Dapper;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Preferences;

/// <summary>The reference data preferences are chosen from: public to every signed-in caller, changed only by migrations.</summary>
public sealed class ReferenceDataStore(Db db)
{
    public Task<List<ReferenceEntry>> DietaryRestrictionsAsync(CancellationToken ct) =>
        ListAsync("SELECT key, display_name FROM dietary_restrictions ORDER BY display_name, key", ct);

    public Task<List<ReferenceEntry>> AccessibilityNeedsAsync(CancellationToken ct) =>
        ListAsync("SELECT key, display_name FROM accessibility_needs ORDER BY display_name, key", ct);

    /// <summary>Every category, parents before children (by level), siblings in their sort order.</summary>
    public Task<List<CategoryRow>> CategoriesAsync(CancellationToken ct) =>
        db.ReadPublicAsync(async (conn, token) => (await conn.QueryAsync<CategoryRow>(new CommandDefinition(
            "SELECT key, display_name, parent_key, level, sort_order FROM interest_categories ORDER BY level, sort_order, key",
            cancellationToken: token))).AsList(), ct);

    private Task<List<ReferenceEntry>> ListAsync(string sql, CancellationToken ct) =>
        db.ReadPublicAsync(async (conn, token) =>
            (await conn.QueryAsync<ReferenceEntry>(new CommandDefinition(sql, cancellationToken: token))).AsList(), ct);
}
