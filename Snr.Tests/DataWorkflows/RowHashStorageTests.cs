using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace Snr.Tests.DataWorkflows;

/// <summary>
/// Issue 16: the hashes of the rows a model saw are stored once, as a byte tensor in
/// model.safetensors, with the document (config.json and the weights' metadata) naming it;
/// folders saved with the older base64 field still load; a missing, mis-sized or unsorted hash
/// tensor is refused. The rows of a separate validation file are part of the identity.
/// </summary>
public sealed class RowHashStorageTests() : TempFolderTests("snr-rowhash-")
{
    private static readonly TabularSchema Schema = new(
        [new("age", ColumnKind.Numeric), new("workclass", ColumnKind.Categorical), new("hours", ColumnKind.Numeric), new("sex", ColumnKind.Categorical), new("income", ColumnKind.Categorical)],
        [new TaskSpec("income", "income", TaskKind.Binary, [">50K"])]);

    private RawTable Table(string name, IEnumerable<string> rows) => RawTable.Load(AdultLikeCsv.Write(PathOf(name), rows), CsvOptions.Default);

    // A table, a seeded split of it, and a folder holding a model saved with that split's preprocessing.
    private (RawTable Table, TabularPreprocessing Preprocessing, string Folder) SavedModel()
    {
        var table = Table("data.csv", AdultLikeCsv.Rows(1000));
        var split = TabularSplit.Create(table, Schema, seed: 5);
        TaskConfig[] tasks = [new("income", TaskKind.Binary)];
        var model = ModelFactory.Create(DefaultModels.Create("shared-bottom", split.Train.NumericCount, split.Encoder.EmbeddingConfig(), tasks, seed: 1));
        string folder = PathOf("model");
        ModelCheckpoint.Save(folder, model, split.Encoder.Preprocessing);
        return (table, split.Encoder.Preprocessing, folder);
    }

    // The sorted distinct hashes the identity holds, as the checkpoint stores them.
    private static byte[] HashBytes(TrainingDataIdentity identity) => identity.ToStorage("any").HashBytes;

    // Rewrites the weights file (a valid file with a fresh integrity hash) with a changed document and byte tensors.
    private static void Rewrite(string folder, Func<JsonObject, JsonObject> document, Func<IReadOnlyList<ByteTensor>, IReadOnlyList<ByteTensor>> bytes)
    {
        string path = Path.Combine(folder, ModelCheckpoint.WeightsFile);
        var (tensors, metadata, stored) = SafetensorsFile.Read(path);
        var meta = metadata.ToDictionary(p => p.Key, p => p.Value);
        meta["snr.checkpoint"] = document(JsonNode.Parse(meta["snr.checkpoint"])!.AsObject()).ToJsonString();
        SafetensorsFile.Write(path, tensors, meta, bytes(stored));
        File.Delete(Path.Combine(folder, ModelCheckpoint.ConfigFile));
    }

    private static JsonObject TrainingData(JsonObject document) => document["preprocessing"]!["training_data"]!.AsObject();

    [Fact]
    public void The_row_hashes_are_stored_once_as_a_byte_tensor_and_the_loaded_identity_finds_the_same_unseen_rows()
    {
        var (table, preprocessing, folder) = SavedModel();
        var identity = preprocessing.TrainingData!;
        // 700 training + 100 validation rows of 1000; AdultLikeCsv repeats rows, so fewer distinct hashes.
        Assert.InRange(identity.SeenRowCount, 100, 800);

        string config = File.ReadAllText(Path.Combine(folder, ModelCheckpoint.ConfigFile));
        var trainingData = TrainingData(JsonNode.Parse(config)!.AsObject());
        Assert.Equal(ModelCheckpoint.SeenRowHashesTensor, (string?)trainingData["seen_row_hashes_tensor"]);
        Assert.Equal(identity.SeenRowCount, (int)trainingData["seen_row_count"]!);
        Assert.Null(trainingData["seen_row_hashes"]);

        var (_, metadata, bytes) = SafetensorsFile.Read(Path.Combine(folder, ModelCheckpoint.WeightsFile));
        Assert.Equal(config, metadata["snr.checkpoint"]);
        var stored = Assert.Single(bytes);
        Assert.Equal(ModelCheckpoint.SeenRowHashesTensor, stored.Name);
        Assert.Equal(HashBytes(identity), stored.Data);

        var loaded = ModelCheckpoint.Load(folder).Preprocessing!.TrainingData!;
        Assert.Equal(HashBytes(identity), HashBytes(loaded));
        var other = Table("other.csv", AdultLikeCsv.Rows(1000).Select((r, i) => i % 2 == 0 ? "8" + r : r));
        Assert.Equal(identity.Unseen(other, Schema), loaded.Unseen(other, Schema), UnseenComparer.Instance);
        Assert.True(loaded.Unseen(table, Schema).IsTestSplit);
        // Half the rows of `other` are new (ages 8xx); the rest are rows of the data, seen or not.
        var unseen = loaded.Unseen(other, Schema);
        Assert.InRange(unseen.Rows.Length, 500, 999);
        Assert.InRange(unseen.Excluded, 1, 500);
    }

    [Fact]
    public void AFolder_saved_with_base64_row_hashes_still_loads()
    {
        var (_, preprocessing, folder) = SavedModel();
        byte[] expected = HashBytes(preprocessing.TrainingData!);
        // The layout of checkpoints before the tensor: the base64 in the document, no count, no tensor.
        Rewrite(folder, document =>
        {
            var trainingData = TrainingData(document);
            trainingData.Remove("seen_row_hashes_tensor");
            trainingData.Remove("seen_row_count");
            trainingData["seen_row_hashes"] = Convert.ToBase64String(expected);
            return document;
        }, _ => []);

        var loaded = ModelCheckpoint.Load(folder).Preprocessing!.TrainingData!;
        Assert.Equal(expected, HashBytes(loaded));
        Assert.Equal(expected.Length / 4, loaded.SeenRowCount);
        // config.json is rewritten from the weights as they are: the old form is kept, not converted.
        Assert.Contains("\"seen_row_hashes\":", File.ReadAllText(Path.Combine(folder, ModelCheckpoint.ConfigFile)));
    }

    [Fact]
    public void A_missing_mis_sized_unsorted_or_stray_hash_tensor_is_refused()
    {
        var (_, preprocessing, folder) = SavedModel();
        byte[] good = HashBytes(preprocessing.TrainingData!);
        string weights = Path.Combine(folder, ModelCheckpoint.WeightsFile);
        byte[] original = File.ReadAllBytes(weights);

        string Refusal(Func<JsonObject, JsonObject> document, Func<IReadOnlyList<ByteTensor>, IReadOnlyList<ByteTensor>> bytes)
        {
            File.WriteAllBytes(weights, original);
            Rewrite(folder, document, bytes);
            return Assert.Throws<InvalidDataException>(() => ModelCheckpoint.Load(folder)).Message;
        }
        static JsonObject Same(JsonObject d) => d;

        Assert.Contains("names the row-hash tensor 'training_data.seen_row_hashes', which the file does not hold", Refusal(Same, _ => []));
        Assert.Contains($"holds {good.Length - 4} bytes but training_data.seen_row_count {good.Length / 4} needs {good.Length}",
            Refusal(Same, b => [new ByteTensor(b[0].Name, good[..^4])]));
        var swapped = (byte[])good.Clone();
        good.AsSpan(0, 4).CopyTo(swapped.AsSpan(4));
        good.AsSpan(4, 4).CopyTo(swapped.AsSpan(0));
        Assert.Contains("is corrupt: hash 1 is not above the one before it", Refusal(Same, b => [new ByteTensor(b[0].Name, swapped)]));
        Assert.Contains("byte tensors that the checkpoint does not use: stray", Refusal(Same, b => [.. b, new ByteTensor("stray", [1, 2])]));
        Assert.Contains("training_data.seen_row_hashes is not base64", Refusal(d =>
        {
            TrainingData(d).Remove("seen_row_hashes_tensor");
            TrainingData(d)["seen_row_hashes"] = "not base64!";
            return d;
        }, _ => []));

        // A flipped byte of the stored hashes, without a fresh integrity hash: the file is corrupt.
        File.WriteAllBytes(weights, original);
        byte[] flipped = (byte[])original.Clone();
        flipped[^3] ^= 1; // the hash tensor is the last in the data section
        File.WriteAllBytes(weights, flipped);
        Assert.Contains("is corrupt", Assert.Throws<InvalidDataException>(() => ModelCheckpoint.Load(folder)).Message);
    }

    [Fact]
    public void A_byte_tensor_round_trips_through_safetensors_as_U8_after_the_float_tensors()
    {
        string path = PathOf("bytes.safetensors");
        SafetensorsFile.Write(path, [new NamedTensor("w", [2], [1f, 2f])], null, [new ByteTensor("b", [7, 8, 9])]);
        var (tensors, _, bytes) = SafetensorsFile.Read(path);
        Assert.Equal([1f, 2f], Assert.Single(tensors).Values);
        Assert.Equal([7, 8, 9], Assert.Single(bytes).Data);
        byte[] file = File.ReadAllBytes(path);
        string header = System.Text.Encoding.UTF8.GetString(file, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        Assert.Contains("\"b\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[8,11]}", header);
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, [new NamedTensor("w", [1], [1f])], null, [new ByteTensor("w", [1])]));
    }

    [Fact]
    public void The_rows_of_a_separate_validation_file_are_seen_rows()
    {
        var train = Table("train.csv", AdultLikeCsv.Rows());
        var validation = Table("validation.csv", AdultLikeCsv.Rows(60).Select(r => "8" + r));
        var test = Table("test.csv", AdultLikeCsv.Rows(120).Select(r => "9" + r));
        var identity = TabularSplit.FromFiles(train, validation, test, Schema, seed: 1).Encoder.Preprocessing.TrainingData!;

        var onValidation = identity.Unseen(validation, Schema);
        Assert.Empty(onValidation.Rows);
        Assert.Equal(60, onValidation.Excluded);
        Assert.Equal(120, identity.Unseen(test, Schema).Rows.Length);
        Assert.Empty(identity.Unseen(train, Schema).Rows);

        // Through the CLI: the validation file has nothing left to evaluate on.
        string model = PathOf("model");
        var (code, _, error) = CliRun.Run("train", "--train", PathOf("train.csv"), "--validation", PathOf("validation.csv"), "--test", PathOf("test.csv"),
            "--task", "income:income:>50K", "--epochs", "1", "--out", model);
        Assert.True(code == 0, error);
        var (evalCode, _, evalError) = CliRun.Run("eval", "--model", model, "--data", PathOf("validation.csv"));
        Assert.Equal(1, evalCode);
        Assert.Contains("nothing left to evaluate", evalError);
    }

    private sealed class UnseenComparer : IEqualityComparer<UnseenRows>
    {
        public static readonly UnseenComparer Instance = new();

        public bool Equals(UnseenRows? a, UnseenRows? b) =>
            a is not null && b is not null && a.Rows.SequenceEqual(b.Rows) && a.IsTestSplit == b.IsTestSplit && a.Excluded == b.Excluded;

        public int GetHashCode(UnseenRows rows) => rows.Rows.Length;
    }
}
