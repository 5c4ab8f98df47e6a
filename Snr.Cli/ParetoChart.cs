using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Snr.Cli;

/// <summary>One point of a chart: a model's mean metric (± standard deviation over seeds) at a mean x.</summary>
internal sealed record ChartPoint(string Series, double X, double Mean, double Sd);

/// <summary>SVG line charts (OxyPlot, managed, no native code): one panel per key (a task, a correlation), one line per series with ±1 sd error bars.</summary>
internal static class ParetoChart
{
    /// <summary>Writes one SVG per panel to <c>{prefix}-{panel}.svg</c> (y axis titled by the panel's text) and returns the paths.</summary>
    public static IReadOnlyList<string> Write(string prefix, string title, string xTitle, IReadOnlyDictionary<string, (string YTitle, IReadOnlyList<ChartPoint> Points)> panels,
        bool logX = false, bool logY = false)
    {
        var paths = new List<string>();
        foreach (var (task, (yTitle, points)) in panels)
        {
            var plot = new PlotModel { Title = $"{title}: {task}", Background = OxyColors.White };
            plot.Legends.Add(new Legend { LegendPosition = LegendPosition.BottomRight, LegendPlacement = LegendPlacement.Inside });
            plot.Axes.Add(logX
                ? new LogarithmicAxis { Position = AxisPosition.Bottom, Title = xTitle }
                : new LinearAxis { Position = AxisPosition.Bottom, Title = xTitle });
            plot.Axes.Add(logY
                ? new LogarithmicAxis { Position = AxisPosition.Left, Title = yTitle }
                : new LinearAxis { Position = AxisPosition.Left, Title = yTitle });
            foreach (var group in points.GroupBy(p => p.Series))
            {
                var line = new LineSeries { Title = group.Key, MarkerType = MarkerType.Circle, MarkerSize = 3 };
                var errors = new ScatterErrorSeries { MarkerSize = 0, ErrorBarStrokeThickness = 1 };
                foreach (var p in group.OrderBy(p => p.X))
                {
                    line.Points.Add(new DataPoint(p.X, p.Mean));
                    errors.Points.Add(new ScatterErrorPoint(p.X, p.Mean, 0, p.Sd));
                }
                plot.Series.Add(line);
                plot.Series.Add(errors);
            }
            string path = Path.GetFullPath($"{prefix}-{task}.svg");
            using (var stream = File.Create(path)) new SvgExporter { Width = 640, Height = 420 }.Export(plot, stream);
            paths.Add(path);
        }
        return paths;
    }

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
