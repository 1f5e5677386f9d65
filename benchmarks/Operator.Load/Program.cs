using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CryptoIndex.Operator.Load;

// dotnet run -c Release --project benchmarks/Operator.Load [-- --funds 25,100,250] [--refreshes 1]
// Each size runs in a process of its own (--child N REFRESHES), so that its peak working set and heap are its own.
const string ChildFlag = "--child";
const string ResultPrefix = "RESULT ";
if (args.Length == 3 && args[0] == ChildFlag && int.TryParse(args[1], CultureInfo.InvariantCulture, out var one)
    && int.TryParse(args[2], CultureInfo.InvariantCulture, out var repeat))
{
    var result = await LoadRun.RunAsync(one, repeat);
    Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
    return 0;
}

// About two minutes on two idle cores; a size of your own with --funds (1000 takes about four). --refreshes N repeats the
// prices-moved refresh N times (each moves every price anew): the table shows the first, a line after it each one's time,
// and stderr when each began and ended on the monotonic clock (perf's -k CLOCK_MONOTONIC), to profile refreshes alone.
int[] sizes = [25, 100, 250];
var refreshes = 1;
for (var i = 0; i < args.Length; i += 2)
{
    if (i + 1 < args.Length && args[i] == "--funds")
    {
        sizes = [.. args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
    }
    else if (i + 1 < args.Length && args[i] == "--refreshes" && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out refreshes) && refreshes >= 1)
    {
        continue;
    }
    else
    {
        Console.Error.WriteLine("usage: CryptoIndex.Operator.Load [--funds 25,100,250] [--refreshes 1]");
        return 2;
    }
}

var runs = new List<LoadResult>();
var total = Stopwatch.StartNew();
foreach (var size in sizes)
{
    // Started as this program was: its apphost, or `dotnet` with its dll.
    var self = Environment.ProcessPath!;
    var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet")
    {
        start.ArgumentList.Add(typeof(LoadRun).Assembly.Location);
    }

    start.ArgumentList.Add(ChildFlag);
    start.ArgumentList.Add(size.ToString(CultureInfo.InvariantCulture));
    start.ArgumentList.Add(refreshes.ToString(CultureInfo.InvariantCulture));
    using var child = Process.Start(start)!;
    var output = await child.StandardOutput.ReadToEndAsync();
    await child.WaitForExitAsync();
    var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal));
    if (child.ExitCode != 0 || line is null)
    {
        Console.Error.WriteLine($"operator-load: the run with {size} funds failed (exit code {child.ExitCode})");
        return 1;
    }

    runs.Add(JsonSerializer.Deserialize<LoadResult>(line[ResultPrefix.Length..])!);
}

Console.Write(Report.Render(runs));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total {total.Elapsed.TotalSeconds:0} s"));
return 0;
