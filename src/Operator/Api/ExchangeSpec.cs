using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using CryptoIndex.Operator.Api.Schema;

namespace CryptoIndex.Operator.Api;

/// <summary>Exchanges a fund can trade on.</summary>
[LowerCaseEnum]
[JsonConverter(typeof(JsonStringEnumConverter<ExchangeKind>))]
public enum ExchangeKind
{
    [JsonStringEnumMemberName("paper")]
    Paper,

    [JsonStringEnumMemberName("binance")]
    Binance,
}

[Description("Where orders are executed.")]
[CelRule("self.kind != 'binance' || has(self.credentialsSecretRef)", "binance needs credentialsSecretRef", FieldPath = ".credentialsSecretRef")]
public sealed class ExchangeSpec
{
    [Description("paper (simulated fills, the default) or binance (real money).")]
    [DefaultValue("paper")]
    public ExchangeKind Kind { get; set; } = ExchangeKind.Paper;

    [Description("Commission per side, e.g. \"0.1%\". Buys pay it in the asset received, sells in the quote currency.")]
    [DefaultValue("0.1%")]
    [Pattern(Formats.PercentPattern)]
    public string FeeRate { get; set; } = "0.1%";

    [Description("Secret in the fund's namespace with keys apiKey and secretKey (binance only).")]
    public SecretReference? CredentialsSecretRef { get; set; }

    [Description("Use Binance's spot testnet instead of the live exchange.")]
    [DefaultValue(false)]
    public bool Testnet { get; set; }
}

[Description("A Secret in the same namespace.")]
public sealed class SecretReference
{
    [Description("The Secret's name.")]
    [Required]
    [Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    public string Name { get; set; } = string.Empty;
}
