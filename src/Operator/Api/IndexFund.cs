using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace CryptoIndex.Operator.Api;

/// <summary>A crypto index fund: what it holds and how, and (in status) what it holds now.</summary>
public sealed class IndexFund : IKubernetesObject<V1ObjectMeta>, ISpec<IndexFundSpec>, IStatus<IndexFundStatus?>
{
    public const string Group = "cryptoindex.io";
    public const string Version = "v1alpha1";
    public const string KindName = "IndexFund";
    public const string Plural = "indexfunds";
    public const string Singular = "indexfund";
    public const string ShortName = "ifund";
    public const string Category = "cryptoindex";
    public const string ApiVersionName = Group + "/" + Version;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ApiVersionName;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public IndexFundSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public IndexFundStatus? Status { get; set; }
}
