namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>The certificate folder of the secure <c>/metrics</c> has no usable <c>tls.crt</c> and <c>tls.key</c>.</summary>
public sealed class MetricsCertificateException(string message, Exception inner) : Exception(message, inner);
