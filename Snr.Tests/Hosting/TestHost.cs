using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Snr.Hosting;

namespace Snr.Tests.Hosting;

/// <summary>An app serving models in memory (TestServer), its client, and what it logged.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestHost(WebApplication app, LogSink logs)
    {
        _app = app;
        Logs = logs;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public LogSink Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Serves <paramref name="folder"/> as "census", polling fast so swaps show within a test.</summary>
    public static Task<TestHost> StartAsync(string folder, Action<SnrModelOptions>? configure = null) =>
        StartAsync(services => services.AddSnrModel("census", folder, options =>
        {
            options.PollInterval = TimeSpan.FromMilliseconds(100);
            options.Debounce = TimeSpan.FromMilliseconds(20);
            configure?.Invoke(options);
        }));

    public static async Task<TestHost> StartAsync(Action<IServiceCollection> addModels)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        var logs = new LogSink();
        builder.Logging.ClearProviders().AddProvider(logs);
        addModels(builder.Services);
        var app = builder.Build();
        app.MapSnrModels();
        app.MapSnrHealthChecks();
        await app.StartAsync();
        return new TestHost(app, logs);
    }

    public Task<HttpResponseMessage> PredictAsync(IEnumerable<IReadOnlyDictionary<string, object?>> rows, string model = "census") =>
        Client.PostAsync($"/v1/models/{model}:predict", Body(rows));

    public static ByteArrayContent Body(IEnumerable<IReadOnlyDictionary<string, object?>> rows) => Json(JsonSerializer.Serialize(new PredictRequest([.. rows]), SnrHostingJsonContext.Default.PredictRequest));

    public static ByteArrayContent Json(string json)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new("application/json");
        return content;
    }

    public static async Task<PredictResponse> ScoresOf(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize(text, SnrHostingJsonContext.Default.PredictResponse)!;
    }

    public static async Task<Problem> ProblemOf(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonSerializer.Deserialize(text, SnrHostingJsonContext.Default.Problem)!;
    }

    public Task<ModelInfo?> InfoAsync(string model = "census") => Client.GetFromJsonAsync($"/v1/models/{model}", SnrHostingJsonContext.Default.ModelInfo);

    /// <summary>Waits (up to 10 s) until <paramref name="condition"/> holds.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Keeps every log message, for tests that check what was logged.</summary>
    public sealed class LogSink : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));

        public void Dispose() { }
    }
}
