using System.Text.Json.Nodes;

namespace CryptoIndex.LocalKube.Server;

/// <summary>coordination.k8s.io/v1 Lease validation (ValidateLeaseSpec).</summary>
internal sealed partial class ApiServer
{
    /// <summary>
    /// A real server refuses a non-positive lease duration and negative transitions: a LeaseLock whose duration
    /// rounds down to 0 s would never acquire, which only a faithful fake can show.
    /// </summary>
    private static IEnumerable<FieldError> ValidateLease(JsonObject lease)
    {
        var spec = lease["spec"] as JsonObject;
        if (spec?["leaseDurationSeconds"] is { } duration && Json.TryGetLong(duration, out var seconds) && seconds <= 0)
        {
            yield return FieldError.Invalid("spec.leaseDurationSeconds", duration, "must be greater than 0");
        }

        if (spec?["leaseTransitions"] is { } transitions && Json.TryGetLong(transitions, out var count) && count < 0)
        {
            yield return FieldError.Invalid("spec.leaseTransitions", transitions, "must be greater than or equal to 0");
        }
    }
}
