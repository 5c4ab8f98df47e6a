using System.Net;
using System.Net.Http.Json;
using Snr.Hosting;
using static Snr.Tests.Support.CliRun;

namespace Snr.Tests.Hosting;

/// <summary><c>snr serve</c>: its options, and the app it builds answering on a real loopback port.</summary>
[Collection(HostingCollection.Name)]
public sealed class ServeCommandTests(CensusModels census)
{
    [Fact]
    public void A_folder_without_a_checkpoint_is_a_user_error()
    {
        var (code, _, error) = Run("serve", "--model", census.NewFolder(null), "--port", "0");
        AssertUserError(code, error, "has no model.safetensors");
    }

    [Fact]
    public void Two_models_of_one_name_are_a_user_error()
    {
        var (code, _, error) = Run("serve", "--model", $"m={census.FolderA}", "--model", $"m={census.FolderB}", "--port", "0");
        AssertUserError(code, error, "two models are named 'm'");
    }

    [Fact]
    public void Models_are_named_after_their_folder_unless_named()
    {
        var models = ServeCommand.ParseModels([census.FolderA, $"other={census.FolderB}"]);
        Assert.Equal([("a", census.FolderA), ("other", census.FolderB)], models);
    }

    [Fact]
    public async Task The_served_app_answers_on_loopback()
    {
        var settings = new ServeCommand.Settings([("census", census.NewFolder(census.FolderA))], "127.0.0.1", 0, Threads: 1, MaxRows: 16);
        await using var app = ServeCommand.Build(settings);
        using var output = new StringWriter();
        ServeCommand.Start(app, new CliConsole(output, TextWriter.Null, interactive: false));
        string address = ServeCommand.BaseAddress(app);
        Assert.Contains($"POST {address}/v1/models/census:predict", output.ToString());

        using var client = new HttpClient { BaseAddress = new Uri(address) };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        var answer = await TestHost.ScoresOf(await client.PostAsync("/v1/models/census:predict", TestHost.Body(census.Rows.Take(2))));
        Assert.Equal(census.Reference(census.PredictorA, census.Rows.Take(2).ToArray()), answer.Scores.SelectMany(s => s));
        Assert.Equal(16, (await client.GetFromJsonAsync("/v1/models/census", SnrHostingJsonContext.Default.ModelInfo))!.MaxRowsPerRequest);
        await app.StopAsync();
    }
}
