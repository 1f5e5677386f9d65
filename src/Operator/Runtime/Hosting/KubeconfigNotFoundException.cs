using k8s.Exceptions;

namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>The kubeconfig named by <c>--kubeconfig</c> or <c>KUBECONFIG</c> does not exist; the message says which and where.</summary>
public sealed class KubeconfigNotFoundException(string message) : KubeConfigException(message);
