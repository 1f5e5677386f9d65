using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>
/// Semantic checks a real API server makes on create (k8s.io/apimachinery validation and pkg/apis/*/validation) that
/// neither the strict models nor the JSON schemas make, and that LocalKube skips for built-in kinds: object names by
/// kind, label syntax, container port names, named probe and Service target ports, liveness success thresholds, Deployment selector vs template,
/// PodDisruptionBudget amounts, RBAC verbs. Returns one line per problem, empty when a real server would accept.
/// </summary>
public static partial class ApiServerRules
{
    public static List<string> Problems(IEnumerable<JsonObject> objects)
    {
        var list = objects.ToList();
        var problems = new List<string>();
        var pods = list.Where(o => Kind(o) == "Deployment")
            .Select(o => (Labels: Map(o["spec"]!["template"]!["metadata"]!["labels"]), Spec: o["spec"]!["template"]!["spec"]!.AsObject())).ToList();
        foreach (var o in list)
        {
            var where = $"{Kind(o)} {(string?)o["metadata"]!["namespace"]}/{(string?)o["metadata"]!["name"]}";
            void Add(string problem) => problems.Add($"{where}: {problem}");
            CheckName(Kind(o), (string)o["metadata"]!["name"]!, Add);
            CheckLabels(Map(o["metadata"]!["labels"]), "metadata.labels", Add);
            switch (Kind(o))
            {
                case "Deployment":
                    var selector = Map(o["spec"]!["selector"]!["matchLabels"]);
                    var template = Map(o["spec"]!["template"]!["metadata"]!["labels"]);
                    CheckLabels(template, "template labels", Add);
                    if (selector.Count == 0 || selector.Any(s => !template.TryGetValue(s.Key, out var v) || v != s.Value))
                    {
                        Add("spec.selector does not match the template labels");
                    }

                    CheckPod(o["spec"]!["template"]!["spec"]!.AsObject(), Add);
                    break;
                case "Service":
                    var serviceSelector = Map(o["spec"]!["selector"]);
                    foreach (var port in o["spec"]!["ports"]!.AsArray())
                    {
                        if (port!["targetPort"] is JsonValue value && value.TryGetValue<string>(out var named) &&
                            !pods.Any(p => serviceSelector.All(s => p.Labels.GetValueOrDefault(s.Key) == s.Value) && ContainerPortNames(p.Spec).Contains(named)))
                        {
                            Add($"targetPort {named} is no container port of the pods the Service selects");
                        }
                    }

                    break;
                case "PodDisruptionBudget":
                    if (o["spec"]!["minAvailable"] is not null && o["spec"]!["maxUnavailable"] is not null)
                    {
                        Add("minAvailable and maxUnavailable are mutually exclusive");
                    }

                    foreach (var field in new[] { "minAvailable", "maxUnavailable" })
                    {
                        if (o["spec"]![field] is JsonValue amount && !IsPodCountOrPercent(amount))
                        {
                            Add($"{field} {amount.ToJsonString()} is neither a number of pods (0 or more) nor a percentage up to 100%");
                        }
                    }

                    break;
                case "Role" or "ClusterRole":
                    foreach (var verb in (o["rules"]?.AsArray() ?? []).SelectMany(r => r!["verbs"]!.AsArray()).Select(v => (string)v!))
                    {
                        if (!KnownVerbs.Contains(verb))
                        {
                            Add($"verb {verb} is no verb the API server authorizes");
                        }
                    }

                    break;
            }
        }

        return problems;
    }

    private static void CheckPod(JsonObject pod, Action<string> add)
    {
        foreach (var container in pod["containers"]!.AsArray())
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var port in container!["ports"]?.AsArray() ?? [])
            {
                if ((string?)port!["name"] is { } name)
                {
                    if (!IsIanaServiceName(name))
                    {
                        add($"container port name {name} is not an IANA_SVC_NAME (at most 15 lowercase letters, digits and single hyphens, with a letter)");
                    }

                    names.Add(name);
                }
            }

            foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
            {
                var port = container[probe]?["httpGet"]?["port"] ?? container[probe]?["tcpSocket"]?["port"];
                if (port is JsonValue value && value.TryGetValue<string>(out var named) && !names.Contains(named))
                {
                    add($"{probe} port {named} is no port of container {(string?)container["name"]}");
                }

                if (probe != "readinessProbe" && container[probe]?["successThreshold"] is { } threshold && (int)threshold != 1)
                {
                    add($"{probe}.successThreshold must be 1");
                }
            }
        }
    }

    private static HashSet<string> ContainerPortNames(JsonObject pod) =>
        [.. pod["containers"]!.AsArray().SelectMany(c => c!["ports"]?.AsArray() ?? []).Select(p => (string?)p!["name"]).OfType<string>()];

    private static void CheckName(string kind, string name, Action<string> add)
    {
        var valid = kind switch
        {
            "Service" => name.Length <= 63 && Dns1035Label().IsMatch(name), // ValidateServiceName
            "Namespace" => name.Length <= 63 && Dns1123Label().IsMatch(name),
            "Role" or "ClusterRole" or "RoleBinding" or "ClusterRoleBinding" => name is not ("." or "..") && !name.Contains('/') && !name.Contains('%'), // path segment
            _ => name.Length <= 253 && Dns1123Subdomain().IsMatch(name),
        };
        if (!valid)
        {
            add($"name {name} is not valid for a {kind}");
        }
    }

    private static void CheckLabels(Dictionary<string, string?> labels, string field, Action<string> add)
    {
        foreach (var (key, value) in labels)
        {
            var slash = key.LastIndexOf('/');
            var (prefix, name) = slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
            if ((prefix is not null && (prefix.Length > 253 || !Dns1123Subdomain().IsMatch(prefix))) || name.Length > 63 || !QualifiedName().IsMatch(name))
            {
                add($"{field}: key {key} is not a qualified name");
            }

            if (value is null || value.Length > 63 || (value.Length > 0 && !QualifiedName().IsMatch(value)))
            {
                add($"{field}: {key}={value} is not a label value (a string of at most 63 letters, digits, '-', '_', '.', alphanumeric at both ends)");
            }
        }
    }

    /// <summary>ValidatePositiveIntOrPercent and IsNotMoreThan100Percent, as the PodDisruptionBudget validation applies them.</summary>
    private static bool IsPodCountOrPercent(JsonValue amount) =>
        amount.TryGetValue<string>(out var text)
            ? PodPercent().Match(text) is { Success: true } m && int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) <= 100
            : amount.TryGetValue<long>(out var count) && count >= 0;

    /// <summary>validation.IsValidPortName: IANA_SVC_NAME.</summary>
    public static bool IsIanaServiceName(string name) =>
        name.Length is >= 1 and <= 15 && IanaServiceName().IsMatch(name) && !name.Contains("--", StringComparison.Ordinal) && name.Any(char.IsAsciiLetterLower);

    private static readonly HashSet<string> KnownVerbs = new(StringComparer.Ordinal)
    {
        "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "*", "use", "bind", "escalate", "impersonate", "approve", "sign",
    };

    private static string Kind(JsonObject o) => (string)o["kind"]!;

    /// <summary>A label map with its values as written: a number or a boolean is kept as null, which no label value may be.</summary>
    private static Dictionary<string, string?> Map(JsonNode? node) =>
        node?.AsObject().ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null, StringComparer.Ordinal) ?? [];

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex QualifiedName();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    private static partial Regex IanaServiceName();

    [GeneratedRegex("^([0-9]+)%$")]
    private static partial Regex PodPercent();
}
