using System.Globalization;
using System.Text;

namespace Snr.Tests.Support;

/// <summary>
/// A small file shaped like UCI Adult (header row, numeric and categorical columns, an income
/// label written <c>&lt;=50K</c> / <c>&gt;50K</c>), generated deterministically so tests can
/// train on it in a second and then change one thing about it.
/// </summary>
internal static class AdultLikeCsv
{
    public const string Header = "age,workclass,hours,sex,income";

    /// <summary>The data rows (no header): age has 60 distinct values, hours 50; about a third are &gt;50K.</summary>
    public static List<string> Rows(int count = 400)
    {
        string[] workclasses = ["Private", "Self-emp", "Gov", "?"];
        var rows = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            int age = 17 + (i * 7) % 60, hours = 20 + (i * 11) % 50;
            bool rich = (age > 40 && hours > 38) ^ (i % 13 == 0);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"{age},{workclasses[i % 4]},{hours},{(i % 3 == 0 ? "Female" : "Male")},{(rich ? ">50K" : "<=50K")}"));
        }
        return rows;
    }

    /// <summary>Writes a header and <paramref name="rows"/> to <paramref name="path"/>; returns the path.</summary>
    public static string Write(string path, IEnumerable<string> rows, string header = Header)
    {
        var text = new StringBuilder(header).Append('\n');
        foreach (var row in rows) text.Append(row).Append('\n');
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
