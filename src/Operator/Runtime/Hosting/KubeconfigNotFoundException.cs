using k8s.Exceptions;

namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>The kubeconfig named by <c>--kubeconfig</c> or <c>KUBECONFIG</c> does not exist; the message says which and where.</summary>
public sealed class KubeconfigNotFoundException : KubeConfigException
{
    public KubeconfigNotFoundException()
    {
    }

    public KubeconfigNotFoundException(string message)
        : base(message)
    {
    }

    public KubeconfigNotFoundException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
