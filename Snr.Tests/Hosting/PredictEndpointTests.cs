using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Snr.Hosting;

namespace Snr.Tests.Hosting;

[Collection(HostingCollection.Name)]
public sealed class PredictEndpointTests(CensusModels census)
{
    [Fact]
    public async Task A_batch_scores_as_the_tabular_predictor_scores_the_same_rows()
    {
        await using var host = await TestHost.StartAsync(census.NewFolder(census.FolderA));
        var rows = census.Rows.Take(50).ToArray();
        var answer = await TestHost.ScoresOf(await host.PredictAsync(rows));

        Assert.Equal("census", answer.Model);
        Assert.Equal(1, answer.Version);
        Assert.Equal(["income", "never_married"], answer.Tasks);
        float[] expected = census.Reference(census.PredictorA, rows);
        Assert.Equal(expected, answer.Scores.SelectMany(s => s));
    }

    [Fact]
    public async Task A_single_row_scores_as_the_dictionary_overload_whatever_form_its_values_take()
    {
        await using var host = await TestHost.StartAsync(census.NewFolder(census.FolderA));
        var schema = census.Preprocessing;
        var inputs = schema.Numeric.Select(n => n.Name).Concat(schema.Categorical.Select(c => c.Name)).ToHashSet();
        foreach (var row in census.Rows.Take(10))
        {
            // Inputs only, numbers as JSON numbers, a missing categorical as null: the same scores as the text row.
            var onlyInputs = row.Where(p => inputs.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value);
            var typed = onlyInputs.ToDictionary(p => p.Key, p =>
                schema.Numeric.Any(n => n.Name == p.Key) ? (object?)double.Parse((string)p.Value!, System.Globalization.CultureInfo.InvariantCulture)
                : (string?)p.Value == "?" ? null : p.Value);
            float[] expected = census.PredictorA.Score(onlyInputs.ToDictionary(p => p.Key, p => (string)p.Value!));
            Assert.Equal(expected, (await TestHost.ScoresOf(await host.PredictAsync([row]))).Scores.Single());
            Assert.Equal(expected, (await TestHost.ScoresOf(await host.PredictAsync([typed]))).Scores.Single());
        }
    }

    [Fact]
    public async Task Escaped_names_and_padded_or_escaped_values_read_as_their_plain_text()
    {
        await using var host = await TestHost.StartAsync(census.NewFolder(census.FolderA));
        var row = census.Rows[3];
        string plain = System.Text.Json.JsonSerializer.Serialize(new Snr.Hosting.PredictRequest([row]), Snr.Hosting.SnrHostingJsonContext.Default.PredictRequest);
        string sex = (string)row["sex"]!;
        string variant = plain
            .Replace("\"age\":", "\"\\u0061ge\":")                                   // an escaped name
            .Replace($"\"sex\":\"{sex}\"", $"\"sex\":\" {sex}\\t\"")                   // white space around a value, one escaped
            .Replace("\"race\":\"White\"", "\"race\":\"\\u0057hite\"");                // an escaped value
        Assert.NotEqual(plain, variant);
        var expected = (await TestHost.ScoresOf(await host.Client.PostAsync("/v1/models/census:predict", TestHost.Json(plain)))).Scores.Single();
        Assert.Equal(expected, (await TestHost.ScoresOf(await host.Client.PostAsync("/v1/models/census:predict", TestHost.Json(variant)))).Scores.Single());

        // A level the model never saw, in any script, is the unknown level; bytes that are not UTF-8 are a 400.
        string unseen = plain.Replace($"\"sex\":\"{sex}\"", "\"sex\":\"Z\u00fcrich\"");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/v1/models/census:predict", TestHost.Json(unseen))).StatusCode);
        byte[] invalid = System.Text.Encoding.UTF8.GetBytes(plain.Replace($"\"sex\":\"{sex}\"", "\"sex\":\"M\u00e9le\""));
        int at = Array.IndexOf(invalid, (byte)0xC3);
        invalid[at + 1] = 0x28; // a lead byte followed by a byte that cannot continue it
        var problem = await TestHost.ProblemOf(await host.Client.PostAsync("/v1/models/census:predict", new ByteArrayContent(invalid)));
        Assert.Equal("malformed-json", problem.Kind);
    }

    [Fact]
    public async Task An_empty_batch_gets_no_scores()
    {
        await using var host = await TestHost.StartAsync(census.NewFolder(census.FolderA));
        var answer = await TestHost.ScoresOf(await host.Client.PostAsync("/v1/models/census:predict", TestHost.Json("{\"rows\": []}")));
        Assert.Empty(answer.Scores);
    }

    [Fact]
    public async Task The_model_description_gives_tasks_schema_version_and_cost()
    {
        await using var host = await TestHost.StartAsync(census.NewFolder(census.FolderA));
        var info = await host.InfoAsync();
        var summary = census.PredictorA.Predictor.Summary;

        Assert.NotNull(info);
        Assert.Equal(1, info.Version);
        Assert.Equal(["income", "never_married"], info.Tasks);
        Assert.Equal(summary.FlopsPerRow, info.FlopsPerRow);
        Assert.Equal(summary.LiveConnections, info.LiveConnections);
        Assert.Equal(census.Table.ColumnNames, info.Columns.Select(c => c.Name));
        Assert.Equal("numeric", info.Columns.Single(c => c.Name == "age").Kind);
        Assert.Equal(census.Preprocessing.Categorical.Single(c => c.Name == "education").Levels, info.Columns.Single(c => c.Name == "education").Levels);
        Assert.Equal("unused", info.Columns.Single(c => c.Name == "income").Kind);
        Assert.Null(info.LastReloadError);
        Assert.Equal(["census"], (await host.Client.GetFromJsonAsync<string[]>("/v1/models"))!);
    }

    [Fact]
    public async Task An_unknown_model_is_a_404_naming_the_served_ones()
    {
        await using var host = await TestHost.StartAsync(census.NewFolder(census.FolderA));
        var problem = await TestHost.ProblemOf(await host.PredictAsync(census.Rows.Take(1), model: "cencus"), HttpStatusCode.NotFound);
        Assert.Equal("unknown-model", problem.Kind);
        Assert.Contains("'census'", problem.Detail);
        await TestHost.ProblemOf(await host.Client.GetAsync("/v1/models/cencus"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Several_models_are_served_side_by_side()
    {
        await using var host = await TestHost.StartAsync(services => services
            .AddSnrModel("a", census.NewFolder(census.FolderA))
            .AddSnrModel("b", census.NewFolder(census.FolderB), o => o.Tasks = ["never_married"]));
        var rows = census.Rows.Take(5).ToArray();

        var a = await TestHost.ScoresOf(await host.PredictAsync(rows, "a"));
        var b = await TestHost.ScoresOf(await host.PredictAsync(rows, "b"));
        Assert.Equal(census.Reference(census.PredictorA, rows), a.Scores.SelectMany(s => s));
        Assert.Equal(["never_married"], b.Tasks);
        var neverMarried = Snr.Core.Serving.TabularPredictor.Load(census.FolderB, ["never_married"]);
        Assert.Equal(census.Reference(neverMarried, rows), b.Scores.Select(s => s.Single()));
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddSnrModel("a", "x").AddSnrModel("a", "y"));
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddSnrModel("a/b", "x"));
    }

    [Fact]
    public async Task Requests_rows_errors_and_latency_are_measured()
    {
        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SnrMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (measurements) measurements.Add((instrument.Name, value, new Dictionary<string, object?>(tags.ToArray())));
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        await using var host = await TestHost.StartAsync(census.NewFolder(census.FolderA));
        await TestHost.ScoresOf(await host.PredictAsync(census.Rows.Take(3)));
        await TestHost.ProblemOf(await host.Client.PostAsync("/v1/models/census:predict", TestHost.Json("{\"rows\": [{\"colour\": 1}]}")));
        listener.RecordObservableInstruments();

        lock (measurements)
        {
            Assert.Contains(measurements, m => m.Instrument == "snr.rows" && m.Value == 3 && (string?)m.Tags["model"] == "census");
            Assert.Contains(measurements, m => m.Instrument == "snr.requests" && (string?)m.Tags["outcome"] == "ok");
            Assert.Contains(measurements, m => m.Instrument == "snr.errors" && (string?)m.Tags["kind"] == "unknown-column");
            Assert.Equal(2, measurements.Count(m => m.Instrument == "snr.request.duration" && m.Value > 0));
            Assert.Contains(measurements, m => m.Instrument == "snr.model.version" && m.Value == 1);
            Assert.Contains(measurements, m => m.Instrument == "snr.model.reloads" && (string?)m.Tags["outcome"] == "loaded");
        }
    }

    [Fact]
    public async Task The_readme_embedding_code_serves_a_model()
    {
        string modelFolder = census.NewFolder(census.FolderA);
        // The README's "embed it in your app" code, with the in-memory server of the tests.
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSnrModel("census", modelFolder);
        var app = builder.Build();
        app.MapSnrModels();       // POST /v1/models/census:predict, GET /v1/models/census
        app.MapSnrHealthChecks(); // GET /healthz, GET /readyz
        await app.StartAsync();

        using var client = app.GetTestClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        var answer = await TestHost.ScoresOf(await client.PostAsync("/v1/models/census:predict", TestHost.Body(census.Rows.Take(2))));
        Assert.Equal(census.Reference(census.PredictorA, census.Rows.Take(2).ToArray()), answer.Scores.SelectMany(s => s));
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
