using System.CommandLine;
using CryptoIndex.Operator.Crd;

// The operator's one executable: each capability is a command of it.
var root = new RootCommand("CryptoIndex: crypto index funds as Kubernetes custom resources.");

var crdOutput = new Option<DirectoryInfo>("--output", "-o")
{
    Description = "Folder to write the CRD into.",
    DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("config", "crds")),
};
var crds = new Command("crds", "Write the IndexFund CustomResourceDefinition, generated from the API types.") { crdOutput };
crds.SetAction(parse =>
{
    var folder = parse.GetValue(crdOutput)!;
    folder.Create();
    var path = Path.Combine(folder.FullName, CrdGenerator.FileName);
    File.WriteAllText(path, YamlWriter.Write(CrdGenerator.IndexFund()));
    Console.WriteLine($"wrote {path}");
    return 0;
});
root.Subcommands.Add(crds);

return await root.Parse(args).InvokeAsync();
