using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CryptoIndex.Operator.Runtime.Status;

/// <summary>The outcome of a status write: whether anything was sent, and the object the server returned.</summary>
public sealed record StatusWriteResult(bool Written, KubeObject Updated);

/// <summary>
/// Writes the status subresource as a JSON merge patch with a field manager.
/// <list type="bullet">
/// <item>Nothing is sent when the desired status equals the cached one (no write, no event, no watch traffic).</item>
/// <item>The patch carries the cached resourceVersion, so a status computed from a stale object is refused (409)
/// and surfaces as <see cref="ConflictException"/>, which the controller requeues quietly.</item>
/// </list>
/// </summary>
public sealed class StatusWriter(IKubernetes client, ResourceType type, string fieldManager)
{
    /// <summary>Makes <c>status</c> of <paramref name="current"/> equal <paramref name="desired"/> (fields absent from it are removed).</summary>
    public async Task<StatusWriteResult> WriteAsync(KubeObject current, JsonObject desired, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);
        var old = current.Status.ValueKind == JsonValueKind.Object ? JsonNodes.From(current.Status) : new JsonObject();
        var diff = JsonMergePatch.Diff(old, desired);
        if (diff is null)
        {
            return new StatusWriteResult(false, current);
        }

        var body = new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = current.ResourceVersion },
            ["status"] = diff,
        };
        var patch = new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch);
        try
        {
            var ops = client.CustomObjects;
            var key = current.Key;
            var result = type.Namespaced
                ? await ops.PatchNamespacedCustomObjectStatusAsync(patch, type.Group, type.Version, key.Namespace, type.Plural,
                    key.Name, fieldManager: fieldManager, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await ops.PatchClusterCustomObjectStatusAsync(patch, type.Group, type.Version, type.Plural, key.Name,
                    fieldManager: fieldManager, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new StatusWriteResult(true, KubeObject.From(result is JsonElement e ? e : JsonSerializer.SerializeToElement(result)));
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
        {
            throw new ConflictException($"status of {current.Key} changed since resourceVersion {current.ResourceVersion}", e);
        }
    }
}
