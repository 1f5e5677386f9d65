using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CryptoIndex.Operator.Load;

// dotnet run -c Release --project benchmarks/Operator.Load [-- --funds 25,100,250]
// Each size runs in a process of its own (--child N), so that its peak working set and heap are its own.
const string ChildFlag = "--child";
const string ResultPrefix = "RESULT ";
if (args.Length == 2 && args[0] == ChildFlag && int.TryParse(args[1], CultureInfo.InvariantCulture, out var one))
{
    var result = await LoadRun.RunAsync(one);
    Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
    return 0;
}

// About two minutes on two idle cores; a size of your own with --funds (1000 takes about four).
int[] sizes = [25, 100, 250];
if (args.Length == 2 && args[0] == "--funds")
{
    sizes = [.. args[1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
}
else if (args.Length != 0)
{
    Console.Error.WriteLine("usage: CryptoIndex.Operator.Load [--funds 25,100,250]");
    return 2;
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
