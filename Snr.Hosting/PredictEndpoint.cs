using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Snr.Hosting;

/// <summary>
/// <c>POST /v1/models/{name}:predict</c>: reads the body (up to the model's byte limit), takes the
/// current version of the model once, encodes the rows, scores them on the calling thread and
/// writes <see cref="PredictResponse"/>. A bad request is answered 400 with the row and column at
/// fault; nothing in a body can make it fail otherwise.
/// </summary>
internal sealed class PredictEndpoint(ModelRegistry registry, SnrMetrics metrics)
{
    private static readonly JsonEncodedText ModelField = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText VersionField = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText TasksField = JsonEncodedText.Encode("tasks");
    private static readonly JsonEncodedText ScoresField = JsonEncodedText.Encode("scores");

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_output;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public async Task HandleAsync(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        string name = (string?)context.Request.RouteValues["name"] ?? "";
        var model = registry.Find(name);
        if (model is null)
        {
            await RefuseAsync(context, name, start, new BadRequestException(RequestErrorKind.UnknownModel,
                $"There is no model '{name}'; this server has {string.Join(", ", registry.Models.Select(m => $"'{m.Name}'"))}."));
            return;
        }
        // The version is taken once: a swap during this request does not change what scores it.
        var version = model.Current;
        if (version is null)
        {
            await RefuseAsync(context, name, start, new BadRequestException(RequestErrorKind.ModelNotLoaded,
                $"Model '{name}' is not loaded yet: {model.LastError ?? "loading"}."));
            return;
        }
        long limit = model.Options.MaxRequestBytes;
        if (context.Request.ContentLength > limit)
        {
            await RefuseAsync(context, name, start, TooLarge($"{context.Request.ContentLength} bytes", limit));
            return;
        }

        var body = context.Request.BodyReader;
        ReadResult read;
        try
        {
            while (true)
            {
                read = await body.ReadAsync(context.RequestAborted);
                if (read.Buffer.Length > limit)
                {
                    body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                    await RefuseAsync(context, name, start, TooLarge($"more than {limit} bytes", limit));
                    return;
                }
                if (read.IsCompleted || read.IsCanceled) break;
                body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (BadHttpRequestException e)
        {
            await RefuseAsync(context, name, start, new BadRequestException(RequestErrorKind.MalformedJson, $"The body could not be read: {e.Message}"));
            return;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            return; // the client went away
        }

        int rows;
        BadRequestException? refusal = null;
        try
        {
            rows = Score(read.Buffer, name, version, model.Options.MaxRowsPerRequest, context.Response);
        }
        catch (BadRequestException e)
        {
            rows = 0;
            refusal = e;
        }
        finally
        {
            body.AdvanceTo(read.Buffer.End);
        }
        if (refusal is not null)
        {
            await RefuseAsync(context, name, start, refusal);
            return;
        }
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        metrics.Served(name, rows, start);
    }

    // Synchronous from the body to the response: the thread's buffers are never held across an await.
    private static int Score(ReadOnlySequence<byte> body, string name, LoadedModel version, int maxRows, HttpResponse response)
    {
        var buffers = RequestBuffers.Rent();
        try
        {
            var inputs = version.Inputs;
            var predictor = version.Predictor.Predictor;
            int rows = PredictRequestReader.Read(body, inputs, maxRows, buffers);
            int tasks = predictor.Tasks.Count;
            var scores = buffers.Scores(rows, tasks);
            if (rows > 0)
                predictor.Predict(buffers.Numeric(rows, inputs.NumericCount), buffers.Categorical(rows, inputs.CategoricalCount), scores);
            WriteResponse(response, name, version, scores, rows, tasks);
            return rows;
        }
        finally
        {
            buffers.Return();
        }
    }

    private static void WriteResponse(HttpResponse response, string name, LoadedModel version, ReadOnlySpan<float> scores, int rows, int tasks)
    {
        var output = t_output ??= new ArrayBufferWriter<byte>(1024);
        output.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(output);
        writer.Reset(output);
        writer.WriteStartObject();
        writer.WriteString(ModelField, name);
        writer.WriteNumber(VersionField, version.Version);
        writer.WriteStartArray(TasksField);
        foreach (var task in version.Predictor.Predictor.Tasks) writer.WriteStringValue(task);
        writer.WriteEndArray();
        writer.WriteStartArray(ScoresField);
        for (int r = 0; r < rows; r++)
        {
            writer.WriteStartArray();
            for (int t = 0; t < tasks; t++) writer.WriteNumberValue(scores[r * tasks + t]);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = output.WrittenCount;
        response.BodyWriter.Write(output.WrittenSpan);
    }

    private static BadRequestException TooLarge(string size, long limit) =>
        new(RequestErrorKind.BodyTooLarge, $"The body has {size}; this model takes at most {limit} bytes per request.");

    private Task RefuseAsync(HttpContext context, string model, long start, BadRequestException refusal)
    {
        metrics.Refused(model, refusal.Kind, ProblemWriter.OutcomeOf(refusal.Kind), start);
        return ProblemWriter.WriteAsync(context.Response, refusal.Kind, refusal.Message, refusal.Row, refusal.Column);
    }
}
