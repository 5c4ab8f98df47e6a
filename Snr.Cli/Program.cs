Console.WriteLine("snr: the command line arrives with issue 6.");
