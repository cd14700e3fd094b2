using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace TravelFunctions.LocalHost.Tests;

/// <summary>What the host supplies for an HTTP invocation, pinned through a real worker: routing, route values,
/// query, methods, the invocation-id pairing, the trace context, streamed bodies, failures.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class HttpContractTests(SharedHost shared)
{
    private HttpClient Client => shared.Client;

    [Fact]
    public Task Route_values_and_query_parameters_reach_the_function_as_bound_parameters() => shared.Check(async () =>
    {
        var item = await Client.GetFromJsonAsync<JsonElement>("api/items/42?q=hello");

        Assert.Equal("42", item.GetProperty("id").GetString());
        Assert.Equal("hello", item.GetProperty("q").GetString());
        Assert.Equal("?q=hello", item.GetProperty("queryString").GetString());
    });

    [Fact]
    public Task A_literal_route_wins_over_a_parameter_as_in_the_host() => shared.Check(async () =>
    {
        var item = await Client.GetFromJsonAsync<JsonElement>("api/items/special");

        Assert.Equal("special", item.GetProperty("id").GetString());
    });

    [Fact]
    public Task A_known_route_with_another_method_is_not_found_as_in_the_host() => shared.Check(async () =>
    {
        using var response = await Client.PostAsync("api/items/1", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    });

    [Theory]
    [InlineData("api/nothing/here")]
    [InlineData("items/1")]
    public Task An_unknown_route_is_not_found(string path) => shared.Check(async () =>
    {
        using var response = await Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    });

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public Task A_function_without_methods_takes_every_method(string method) => shared.Check(async () =>
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "api/any"));

        response.EnsureSuccessStatusCode();
        Assert.Equal(method, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("method").GetString());
    });

    [Fact]
    public Task The_forwarded_request_carries_the_invocation_id_the_worker_pairs_it_with() => shared.Check(async () =>
    {
        using var response = await Client.PostAsync("api/echo", new StringContent("pairing"));

        response.EnsureSuccessStatusCode();
        var seenHeader = Header(response, "x-seen-invocation-id");
        Assert.True(Guid.TryParse(seenHeader, out _), $"x-ms-invocation-id was '{seenHeader}'");
        Assert.Equal(seenHeader, Header(response, "x-seen-context-invocation-id"));
        Assert.Equal(Client.BaseAddress!.Authority, Header(response, "x-seen-host")); // from X-Forwarded-Host
        Assert.Equal("pairing", await response.Content.ReadAsStringAsync());
    });

    [Fact]
    public Task An_incoming_traceparent_is_the_trace_the_function_runs_in() => shared.Check(async () =>
    {
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        var traceParent = $"00-{traceId}-00f067aa0ba902b7-01";
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/echo") { Content = new StringContent("trace") };
        request.Headers.TryAddWithoutValidation("traceparent", traceParent);

        using var response = await Client.SendAsync(request);

        response.EnsureSuccessStatusCode();
        Assert.Equal(traceParent, Header(response, "x-seen-traceparent"));
        Assert.Equal(traceId, Header(response, "x-seen-activity-trace-id"));
    });

    [Fact]
    public Task Without_a_traceparent_the_host_starts_a_trace_for_the_request_and_the_invocation() => shared.Check(async () =>
    {
        using var response = await Client.PostAsync("api/echo", new StringContent("trace"));

        response.EnsureSuccessStatusCode();
        var traceParent = Header(response, "x-seen-traceparent");
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", traceParent);
        Assert.Equal(traceParent.Split('-')[1], Header(response, "x-seen-activity-trace-id"));
    });

    [Fact]
    public Task A_five_megabyte_body_round_trips() => shared.Check(async () =>
    {
        var body = new byte[5 * 1024 * 1024];
        Random.Shared.NextBytes(body);

        using var response = await Client.PostAsync("api/echo", new ByteArrayContent(body));

        response.EnsureSuccessStatusCode();
        var echoed = await response.Content.ReadAsByteArrayAsync();
        Assert.True(body.AsSpan().SequenceEqual(echoed), "the echoed body differs");
    });

    [Fact]
    public Task The_request_body_reaches_the_function_while_the_client_still_sends_it() => shared.Check(async () =>
    {
        // The client holds the rest of the body back until the function has the first bytes: a host that
        // buffered the body would wait for the rest forever.
        var token = Guid.NewGuid().ToString("N");
        var firstSeen = Path.Combine(shared.StateDirectory, token + ".first");
        var content = new GatedContent("first part|", "second part", until: () => File.Exists(firstSeen));

        using var response = await Client.PostAsync($"api/upload/{token}", content).WaitAsync(TimeSpan.FromSeconds(60));

        response.EnsureSuccessStatusCode();
        Assert.Equal("first part|second part".Length, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("total").GetInt32());
    });

    [Fact]
    public Task The_response_body_reaches_the_client_while_the_function_still_writes_it() => shared.Check(async () =>
    {
        // The function writes its first part and waits for the client to have read it: a host that
        // buffered the response would wait for the function forever.
        var token = Guid.NewGuid().ToString("N");

        using var response = await Client.GetAsync($"api/drip/{token}", HttpCompletionOption.ResponseHeadersRead).WaitAsync(TimeSpan.FromSeconds(60));
        var body = await response.Content.ReadAsStreamAsync();
        var first = new byte["first|".Length];
        await body.ReadExactlyAsync(first).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        await File.WriteAllTextAsync(Path.Combine(shared.StateDirectory, token + ".go"), "");
        var rest = await new StreamReader(body).ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal("first|", System.Text.Encoding.UTF8.GetString(first));
        Assert.Equal("rest", rest);
    });

    [Fact]
    public Task Two_hundred_concurrent_requests_each_get_their_own_answer() => shared.Check(async () =>
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            var item = await Client.GetFromJsonAsync<JsonElement>($"api/items/{i}?q=n{i}");
            return (i, id: item.GetProperty("id").GetString(), q: item.GetProperty("q").GetString());
        }));

        Assert.All(answers, a =>
        {
            Assert.Equal(a.i.ToString(), a.id);
            Assert.Equal($"n{a.i}", a.q);
        });
    });

    [Fact]
    public Task A_failing_function_answers_500_with_an_empty_body_and_its_error_reaches_the_output() => shared.Check(async () =>
    {
        using var response = await Client.GetAsync("api/fail");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        // The worker reports the exception in an RpcLog, which the host passes on.
        await WaitUntil(() => shared.Host.Output.Contains("The sample function failed on purpose."));
        Assert.Contains("The sample function failed on purpose.", shared.Host.Output);
    });

    [Fact]
    public Task The_worker_gets_the_app_settings_and_the_hosts_variables_in_its_environment() => shared.Check(async () =>
    {
        Assert.Equal("from-settings", await EnvironmentValue("SampleSetting"));
        Assert.Equal("dotnet-isolated", await EnvironmentValue("FUNCTIONS_WORKER_RUNTIME"));
        Assert.Equal(SampleApp.Directory, await EnvironmentValue("FUNCTIONS_APPLICATION_DIRECTORY"));
        Assert.Equal(SampleApp.Directory, await EnvironmentValue("FUNCTIONS_WORKER_DIRECTORY"));
        Assert.Equal(SampleApp.Directory, await EnvironmentValue("AzureWebJobsScriptRoot"));
    });

    private async Task<string?> EnvironmentValue(string name)
    {
        using var response = await Client.GetAsync($"api/env/{name}");
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString();
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(50);
    }

    /// <summary>Sends its first part at once and the rest once <paramref name="until"/> holds.</summary>
    private sealed class GatedContent(string first, string rest, Func<bool> until) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(first));
            await stream.FlushAsync();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!until())
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException("The function never saw the first part of the body.");
                await Task.Delay(20);
            }
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(rest));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
