using System.Diagnostics;
using System.Net;

namespace Snr.Cli;

/// <summary>
/// <c>snr worker --cluster HOST:PORT</c>: joins the cluster whose primary silo listens at HOST:PORT and hosts ranks of a
/// data-parallel run, with the same data and model options as the <c>snr train --workers N</c> that runs it.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create(CliConsole console)
    {
        var training = new TrainingOptions();
        var model = SnrCli.ModelKindOption("snr-trans");
        var seed = SnrCli.Seed("--seed", 1, "seed of the split, the initialisation and the shuffling (as given to snr train)");
        var workers = DistributedTraining.WorkersOption();
        var cluster = new Option<string>("--cluster") { Description = "HOST:PORT of the cluster's primary silo", Required = true };
        var siloPort = new Option<int>("--silo-port") { Description = "this silo's port", DefaultValueFactory = _ => 11112 };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "this silo's gateway port", DefaultValueFactory = _ => 30001 };
        var parent = new Option<int?>("--parent") { Description = "stop when the process of this id exits (the trainer that started this worker)" };
        var command = new Command("worker", "Join a data-parallel training cluster and host ranks of its run.") { model, seed, workers, cluster, siloPort, gatewayPort, parent };
        training.AddTo(command);
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            if (!IPEndPoint.TryParse(parse.GetValue(cluster)!, out var primary) || primary.Port == 0)
                throw new UserError($"--cluster '{parse.GetValue(cluster)}' is not HOST:PORT (an IP address and a port).");
            var (job, _) = DistributedTraining.Job(parse, training, parse.GetValue(model)!, parse.GetValue(seed), parse.GetValue(workers), console.Quiet());
            using var silo = DistributedTraining.StartSiloAsync(job, parse.GetValue(siloPort), parse.GetValue(gatewayPort), primary).GetAwaiter().GetResult();
            console.Line($"Joined the cluster at {primary}; hosting ranks of run '{job.RunId}' until stopped.");
            var stop = parse.GetValue(parent) is int pid ? Process.GetProcessById(pid).WaitForExitAsync(console.Interrupt) : Task.Delay(Timeout.Infinite, console.Interrupt);
            try
            {
                stop.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) { }
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            silo.StopAsync(stopping.Token).GetAwaiter().GetResult();
            return 0;
        }));
        return command;
    }
}
