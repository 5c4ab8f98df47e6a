using System.Net;
using System.Text;
using System.Text.Json;
using Snr.Hosting;

namespace Snr.Tests.Hosting;

/// <summary>Every kind of bad request gets a 400 problem naming the row and column; no body makes the server fail.</summary>
[Collection(HostingCollection.Name)]
public sealed class BadRequestTests(CensusModels census)
{
    // Row 1 of a two-row request is changed by each case.
    public static TheoryData<string, string, string?, string> Cases => new()
    {
        // name of the case, kind, column named (null: none), fragment of the detail
        { "unknown column", "unknown-column", "colour", "'colour'" },
        { "non-numeric value", "not-a-number", "age", "'forty' is not a number" },
        { "infinite value", "not-a-number", "age", "'1e999' is not a number" },
        { "missing required column", "missing-column", "education", "lacks column 'education'" },
        { "column twice", "duplicate-column", "age", "twice" },
        { "object value", "not-a-value", "sex", "object" },
        { "boolean value", "not-a-value", "sex", "boolean" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_row_is_a_400_naming_its_row_and_column(string @case, string kind, string? column, string detail)
    {
        await using var host = await TestHost.StartAsync(census.NewFolder(census.FolderA));
        string good = RowJson(census.Rows[0]);
        string bad = @case switch
        {
            "unknown column" => RowJson(census.Rows[1]).Replace("{", "{\"colour\": \"red\", "),
            "non-numeric value" => RowJson(census.Rows[1], ("age", "\"forty\"")),
            "infinite value" => RowJson(census.Rows[1], ("age", "1e999")),
            "missing required column" => RowJson(census.Rows[1], ("education", null)),
            "column twice" => RowJson(census.Rows[1]).Replace("{", "{\"age\": 30, "),
            "object value" => RowJson(census.Rows[1], ("sex", "{\"value\": \"Male\"}")),
            "boolean value" => RowJson(census.Rows[1], ("sex", "true")),
            _ => throw new ArgumentException(@case),
        };
        var problem = await TestHost.ProblemOf(await host.Client.PostAsync("/v1/models/census:predict", TestHost.Json($"{{\"rows\": [{good}, {bad}]}}")));

        Assert.Equal(kind, problem.Kind);
        Assert.Equal(400, problem.Status);
        Assert.Equal(1, problem.Row);
        Assert.Equal(column, problem.Column);
        Assert.Contains(detail, problem.Detail);
        Assert.Contains("Row 1", problem.Detail);
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("{\"rows\": [", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("{\"rows\": {}}", "must be an array")]
    [InlineData("{\"rows\": [], \"extra\": 1}", "Unknown field 'extra'")]
    [InlineData("{}", "no \"rows\"")]
    [InlineData("{\"rows\": []} {}", "not valid JSON")]
    [InlineData("{\"rows\": [[1]]}", "Row 0 is a JSON array")]
    [InlineData("{\"rows\": [{\"age\": \"\\ud800\"}]}", "not valid JSON")]
    [InlineData("{\"r\\udc00ws\": []}", "not valid JSON")]
    public async Task Malformed_json_is_a_400_saying_what_is_wrong(string body, string detail)
    {
        await using var host = await TestHost.StartAsync(census.NewFolder(census.FolderA));
        var problem = await TestHost.ProblemOf(await host.Client.PostAsync("/v1/models/census:predict", TestHost.Json(body)));
        Assert.Equal("malformed-json", problem.Kind);
        Assert.Contains(detail, problem.Detail);
    }

    [Fact]
    public async Task Too_many_rows_is_a_400_at_the_first_row_over_the_limit()
    {
        await using var host = await TestHost.StartAsync(census.NewFolder(census.FolderA), o => o.MaxRowsPerRequest = 4);
        Assert.Equal(HttpStatusCode.OK, (await host.PredictAsync(census.Rows.Take(4))).StatusCode);
        var problem = await TestHost.ProblemOf(await host.PredictAsync(census.Rows.Take(5)));
        Assert.Equal("too-many-rows", problem.Kind);
        Assert.Equal(4, problem.Row);
        Assert.Contains("more than 4 rows", problem.Detail);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_400_whether_its_length_is_declared_or_not()
    {
        await using var host = await TestHost.StartAsync(census.NewFolder(census.FolderA), o => o.MaxRequestBytes = 4000);
        byte[] body = Encoding.UTF8.GetBytes($"{{\"rows\": [{string.Join(", ", census.Rows.Take(8).Select(r => RowJson(r)))}]}}");
        Assert.True(body.Length > 4000);

        var declared = await TestHost.ProblemOf(await host.Client.PostAsync("/v1/models/census:predict", new ByteArrayContent(body)));
        Assert.Equal("body-too-large", declared.Kind);
        Assert.Contains($"{body.Length} bytes", declared.Detail);

        var streamed = new StreamContent(new UnknownLengthStream(body));
        var chunked = await TestHost.ProblemOf(await host.Client.PostAsync("/v1/models/census:predict", streamed));
        Assert.Equal("body-too-large", chunked.Kind);
        Assert.Contains("at most 4000 bytes", chunked.Detail);
    }

    [Fact]
    public async Task No_corruption_of_a_valid_body_makes_the_server_fail()
    {
        await using var host = await TestHost.StartAsync(census.NewFolder(census.FolderA));
        byte[] valid = Encoding.UTF8.GetBytes($"{{\"rows\": [{RowJson(census.Rows[0])}, {RowJson(census.Rows[1])}]}}");
        var random = new Random(7);
        const string significant = "{}[]\",:0-e.\\ntu";
        for (int i = 0; i < 1000; i++)
        {
            byte[] body = (byte[])valid.Clone();
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(body.Length);
                switch (random.Next(3))
                {
                    case 0: body[at] = (byte)random.Next(256); break;               // any byte, invalid UTF-8 included
                    case 1: body = body[..at]; break;                                  // cut short
                    default: body[at] = (byte)significant[random.Next(significant.Length)]; break; // a JSON-significant character
                }
                if (body.Length == 0) break;
            }
            var response = await host.Client.PostAsync("/v1/models/census:predict", new ByteArrayContent(body));
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest,
                $"body {Convert.ToBase64String(body)} got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        Assert.Equal(HttpStatusCode.OK, (await host.PredictAsync(census.Rows.Take(1))).StatusCode);
    }

    // A row as JSON with some values replaced (raw JSON text) or removed (null).
    private static string RowJson(IReadOnlyDictionary<string, object?> row, params (string Column, string? Json)[] replace)
    {
        var parts = new List<string>();
        foreach (var (column, value) in row)
        {
            int i = Array.FindIndex(replace, r => r.Column == column);
            if (i >= 0 && replace[i].Json is null) continue;
            parts.Add($"{JsonSerializer.Serialize(column, SnrHostingJsonContext.Default.String)}: {(i >= 0 ? replace[i].Json : JsonSerializer.Serialize((string?)value, SnrHostingJsonContext.Default.String))}");
        }
        return "{" + string.Join(", ", parts) + "}";
    }

    // A body sent without Content-Length (chunked), so the limit is found while reading.
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
