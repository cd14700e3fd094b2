using Npgsql;
using TravelFunctions.Data.Connections;
using Xunit;

namespace TravelFunctions.Tests.Connections;

public sealed class ConnectionStringsTests
{
    [Fact]
    public void Neon_uri_form_is_understood()
    {
        var b = ConnectionStrings.Parse("postgresql://app%40x:p%2Fss@ep-cool-1234-pooler.eastus2.azure.neon.tech/travel?sslmode=require&channel_binding=require");
        Assert.Equal("ep-cool-1234-pooler.eastus2.azure.neon.tech", b.Host);
        Assert.Equal(5432, b.Port);
        Assert.Equal("travel", b.Database);
        Assert.Equal("app@x", b.Username);
        Assert.Equal("p/ss", b.Password);
        Assert.Equal(SslMode.Require, b.SslMode);
        Assert.Equal(ChannelBinding.Require, b.ChannelBinding);
    }

    [Fact]
    public void Key_value_form_is_understood()
    {
        var b = ConnectionStrings.Parse("Host=db;Port=6432;Database=travel;Username=u;Password=p");
        Assert.Equal(("db", 6432, "travel"), (b.Host, b.Port, b.Database));
    }

    [Fact]
    public void Pooled_endpoint_gets_pgbouncer_safe_settings_and_keeps_explicit_pool_size()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionStrings.ForPooledEndpoint("postgres://u:p@h:6432/d"));
        Assert.True(b.NoResetOnClose);
        Assert.Equal(0, b.MaxAutoPrepare);
        Assert.Equal(20, b.MaxPoolSize);
        Assert.True(b.Timeout >= 15);
        var explicitSize = new NpgsqlConnectionStringBuilder(ConnectionStrings.ForPooledEndpoint("Host=h;Username=u;Maximum Pool Size=7"));
        Assert.Equal(7, explicitSize.MaxPoolSize);
    }

    [Fact]
    public void Pooled_endpoint_refuses_session_options()
    {
        Assert.Throws<InvalidOperationException>(() => ConnectionStrings.ForPooledEndpoint("Host=h;Username=u;Search Path=other"));
        Assert.Throws<InvalidOperationException>(() => ConnectionStrings.ForPooledEndpoint("postgresql://u:p@h/d?options=-c%20statement_timeout%3D5"));
    }

    [Fact]
    public void Bad_sslmode_is_a_clear_error()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ConnectionStrings.Parse("postgresql://u:p@h/d?sslmode=sometimes"));
        Assert.Contains("sslmode", ex.Message);
    }
}
