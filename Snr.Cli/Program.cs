return Snr.Cli.SnrCli.Run(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected);
