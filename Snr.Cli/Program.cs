using Snr.Cli;

// The first Ctrl-C asks training to stop after the current batch and keep what it has; a second one ends the process at once.
using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (interrupt.IsCancellationRequested) return;
    e.Cancel = true;
    Console.Error.WriteLine("Stopping after the current batch (Ctrl-C again to quit at once)…");
    interrupt.Cancel();
};
return SnrCli.Run(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected, interrupt.Token);
