namespace Snr.Hosting;

/// <summary>Why a request was refused; the <c>kind</c> of its problem-details body and the <c>kind</c> tag of the errors metric.</summary>
public enum RequestErrorKind
{
    /// <summary>The body is not JSON of the form <c>{"rows": [{column: value, …}, …]}</c>.</summary>
    MalformedJson,

    /// <summary>The body is larger than <see cref="SnrModelOptions.MaxRequestBytes"/>.</summary>
    BodyTooLarge,

    /// <summary>The request holds more rows than <see cref="SnrModelOptions.MaxRowsPerRequest"/>.</summary>
    TooManyRows,

    /// <summary>A row names a column the model's schema does not have.</summary>
    UnknownColumn,

    /// <summary>A row names a column twice.</summary>
    DuplicateColumn,

    /// <summary>A row lacks an input column (a missing value is sent as <c>null</c>, <c>"?"</c> or <c>""</c>).</summary>
    MissingColumn,

    /// <summary>A numeric input holds text that is not a finite number.</summary>
    NotANumber,

    /// <summary>A value is a JSON object, array or boolean rather than a string, number or null.</summary>
    NotAValue,

    /// <summary>No model has that name (404).</summary>
    UnknownModel,

    /// <summary>The model has no loaded version yet (503).</summary>
    ModelNotLoaded,
}
