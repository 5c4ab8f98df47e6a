using Snr.Core.Models;
using Snr.Core.Tabular;

namespace Snr.Datasets;

/// <summary>
/// The UCI Census-Income (KDD) data set (CC BY 4.0), its test split embedded in this assembly
/// (so it loads from any folder and from the NuGet package): 99,762 rows, 42 columns, no
/// header, ", "-separated. The multi-task setups are those of the MMoE paper (Ma et al., KDD 2018):
/// group 1 predicts income &gt; 50K and never married; group 2 education at least college and
/// never married. Label columns are removed from the inputs; the instance weight is ignored.
/// </summary>
public static class CensusIncome
{
    /// <summary>The file name of the bundled data.</summary>
    public const string FileName = "census-income.test.gz";

    /// <summary>The 42 column names, in file order.</summary>
    public static IReadOnlyList<string> ColumnNames { get; } =
    [
        "age", "class_of_worker", "industry_code", "occupation_code", "education", "wage_per_hour",
        "enrolled_in_edu_inst_last_wk", "marital_status", "major_industry_code", "major_occupation_code",
        "race", "hispanic_origin", "sex", "member_of_labor_union", "reason_for_unemployment",
        "full_or_part_time_employment_stat", "capital_gains", "capital_losses", "dividends_from_stocks",
        "tax_filer_status", "region_of_previous_residence", "state_of_previous_residence",
        "detailed_household_and_family_stat", "detailed_household_summary_in_household", "instance_weight",
        "migration_code_change_in_msa", "migration_code_change_in_reg", "migration_code_move_within_reg",
        "live_in_this_house_1_year_ago", "migration_prev_res_in_sunbelt", "num_persons_worked_for_employer",
        "family_members_under_18", "country_of_birth_father", "country_of_birth_mother", "country_of_birth_self",
        "citizenship", "own_business_or_self_employed", "fill_inc_questionnaire_for_veterans_admin",
        "veterans_benefits", "weeks_worked_in_year", "year", "income",
    ];

    private static readonly HashSet<string> NumericColumns =
        ["age", "wage_per_hour", "capital_gains", "capital_losses", "dividends_from_stocks", "num_persons_worked_for_employer", "weeks_worked_in_year"];

    /// <summary>Education levels that count as "at least college" for task group 2.</summary>
    public static IReadOnlyList<string> CollegeOrMore { get; } =
    [
        "Some college but no degree", "Associates degree-occup /vocational", "Associates degree-academic program",
        "Bachelors degree(BA AB BS)", "Masters degree(MA MS MEng MEd MSW MBA)", "Prof school degree (MD DDS DVM LLB JD)",
        "Doctorate degree(PhD EdD)",
    ];

    /// <summary>How the bundled file is laid out.</summary>
    public static CsvOptions Options { get; } = new(',', HasHeader: false, TrimFields: true);

    /// <summary>
    /// The schema of task group 1 (<c>income</c>: income &gt; 50K; <c>never_married</c>) or 2
    /// (<c>education</c>: at least college; <c>never_married</c>). The numeric columns are those
    /// of the UCI notes; codes (industry, occupation, year, …) are categorical.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The group is not 1 or 2.</exception>
    public static TabularSchema Schema(int taskGroup)
    {
        var neverMarried = new TaskSpec("never_married", "marital_status", TaskKind.Binary, ["Never married"]);
        TaskSpec[] tasks = taskGroup switch
        {
            1 => [new TaskSpec("income", "income", TaskKind.Binary, ["50000+."], ["- 50000."]), neverMarried],
            2 => [new TaskSpec("education", "education", TaskKind.Binary, CollegeOrMore), neverMarried],
            _ => throw new ArgumentOutOfRangeException(nameof(taskGroup), taskGroup, "Census-Income has task groups 1 and 2."),
        };
        var columns = ColumnNames.Select(name => new ColumnSpec(name,
            name == "instance_weight" ? ColumnKind.Ignored
            : NumericColumns.Contains(name) ? ColumnKind.Numeric : ColumnKind.Categorical)).ToList();
        // Group 1 keeps education as an input; group 2 predicts it, and income is not an input there either
        // (the MMoE setup removes 5, 8 and 42 for group 2).
        if (taskGroup == 2) columns[ColumnNames.Count - 1] = new ColumnSpec("income", ColumnKind.Ignored);
        return new TabularSchema(columns, tasks);
    }

    /// <summary>Reads the embedded data (99,762 rows), or another copy of the file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="CsvFormatException">The file at <paramref name="path"/> is not laid out like the original.</exception>
    public static RawTable Load(string? path = null)
    {
        if (path is not null) return RawTable.Load(path, Options, ColumnNames);
        using var reader = new CsvReader(OpenEmbedded(), $"{FileName} (embedded in Snr.Datasets)", Options, gzip: true);
        return RawTable.Load(reader, Options, ColumnNames);
    }

    /// <summary>The embedded file's compressed bytes (3,261,416 bytes, gzip).</summary>
    /// <exception cref="InvalidOperationException">The resource is missing (a broken build of this assembly).</exception>
    public static Stream OpenEmbedded() =>
        typeof(CensusIncome).Assembly.GetManifestResourceStream(ResourceName)
        ?? throw new InvalidOperationException($"The resource {ResourceName} is missing from {typeof(CensusIncome).Assembly.GetName().Name}.");

    private const string ResourceName = "Snr.Datasets." + FileName;
}
