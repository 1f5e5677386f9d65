namespace CryptoIndex.Operator.Runtime;

/// <summary>The identity the work queue carries (controller-runtime's <c>reconcile.Request</c>): namespace and name, never the object.</summary>
public readonly record struct ObjectKey(string? Namespace, string Name)
{
    public override string ToString() => string.IsNullOrEmpty(Namespace) ? Name : Namespace + "/" + Name;
}
