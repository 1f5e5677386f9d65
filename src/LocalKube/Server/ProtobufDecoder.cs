using System.Text;
using System.Text.Json.Nodes;

namespace CryptoIndex.LocalKube.Server;

/// <summary>
/// Decodes the Kubernetes protobuf envelope (<c>k8s\0</c> + runtime.Unknown) for the few built-in kinds kubectl
/// 1.32+ sends as protobuf on create (Namespace, ConfigMap, Secret): ObjectMeta name, generateName, namespace,
/// labels, annotations, ownerReferences, finalizers, plus the kind's own data fields. Other kinds get 415.
/// </summary>
internal static class ProtobufDecoder
{
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static JsonObject Decode(ReadOnlySpan<byte> body, ResourceType type)
    {
        if (body.Length < 4 || !body[..4].SequenceEqual(Magic))
        {
            throw ApiException.BadRequest("protobuf body without the k8s envelope");
        }

        byte[]? raw = null;
        foreach (var (field, value) in Fields(body[4..].ToArray()))
        {
            if (field == 2)
            {
                raw = value;
            }
        }

        if (raw is null)
        {
            throw ApiException.BadRequest("protobuf envelope without an object");
        }

        var obj = new JsonObject { ["apiVersion"] = type.ApiVersion, ["kind"] = type.Kind };
        switch (type.Kind)
        {
            case "Namespace":
                foreach (var (field, value) in Fields(raw))
                {
                    if (field == 1)
                    {
                        obj["metadata"] = Metadata(value);
                    }
                }

                break;
            case "ConfigMap":
                foreach (var (field, value) in Fields(raw))
                {
                    switch (field)
                    {
                        case 1:
                            obj["metadata"] = Metadata(value);
                            break;
                        case 2:
                            AddMapEntry(obj, "data", value, base64: false);
                            break;
                        case 3:
                            AddMapEntry(obj, "binaryData", value, base64: true);
                            break;
                    }
                }

                break;
            case "Secret":
                foreach (var (field, value) in Fields(raw))
                {
                    switch (field)
                    {
                        case 1:
                            obj["metadata"] = Metadata(value);
                            break;
                        case 2:
                            AddMapEntry(obj, "data", value, base64: true);
                            break;
                        case 3:
                            obj["type"] = Encoding.UTF8.GetString(value);
                            break;
                        case 4:
                            AddMapEntry(obj, "stringData", value, base64: false);
                            break;
                    }
                }

                break;
            default:
                throw new ApiException(415, "UnsupportedMediaType",
                    "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml");
        }

        return obj;
    }

    private static JsonObject Metadata(byte[] bytes)
    {
        var meta = new JsonObject();
        foreach (var (field, value) in Fields(bytes))
        {
            switch (field)
            {
                case 1:
                    meta["name"] = Encoding.UTF8.GetString(value);
                    break;
                case 2:
                    meta["generateName"] = Encoding.UTF8.GetString(value);
                    break;
                case 3:
                    meta["namespace"] = Encoding.UTF8.GetString(value);
                    break;
                case 11:
                    AddMapEntry(meta, "labels", value, base64: false);
                    break;
                case 12:
                    AddMapEntry(meta, "annotations", value, base64: false);
                    break;
                case 13:
                    ((meta["ownerReferences"] ??= new JsonArray()) as JsonArray)!.Add(OwnerReference(value));
                    break;
                case 14:
                    ((meta["finalizers"] ??= new JsonArray()) as JsonArray)!.Add(Encoding.UTF8.GetString(value));
                    break;
            }
        }

        return meta;
    }

    private static JsonObject OwnerReference(byte[] bytes)
    {
        var r = new JsonObject();
        foreach (var (field, value) in Fields(bytes))
        {
            switch (field)
            {
                case 1:
                    r["kind"] = Encoding.UTF8.GetString(value);
                    break;
                case 3:
                    r["name"] = Encoding.UTF8.GetString(value);
                    break;
                case 4:
                    r["uid"] = Encoding.UTF8.GetString(value);
                    break;
                case 5:
                    r["apiVersion"] = Encoding.UTF8.GetString(value);
                    break;
                case 6:
                    r["controller"] = value.Length > 0 && value[0] != 0;
                    break;
                case 7:
                    r["blockOwnerDeletion"] = value.Length > 0 && value[0] != 0;
                    break;
            }
        }

        return r;
    }

    private static void AddMapEntry(JsonObject target, string property, byte[] entry, bool base64)
    {
        string key = string.Empty;
        byte[] value = [];
        foreach (var (field, v) in Fields(entry))
        {
            if (field == 1)
            {
                key = Encoding.UTF8.GetString(v);
            }
            else if (field == 2)
            {
                value = v;
            }
        }

        var map = (target[property] ??= new JsonObject()) as JsonObject;
        map![key] = base64 ? Convert.ToBase64String(value) : Encoding.UTF8.GetString(value);
    }

    /// <summary>Top-level fields of a message; varints are returned as their single-byte truth value bytes.</summary>
    private static List<(int Field, byte[] Value)> Fields(byte[] bytes)
    {
        var result = new List<(int, byte[])>();
        var i = 0;
        while (i < bytes.Length)
        {
            var tag = ReadVarint(bytes, ref i);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    var v = ReadVarint(bytes, ref i);
                    result.Add((field, [(byte)(v == 0 ? 0 : 1)]));
                    break;
                case 1:
                    result.Add((field, bytes[i..(i + 8)]));
                    i += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(bytes, ref i);
                    result.Add((field, bytes[i..(i + length)]));
                    i += length;
                    break;
                case 5:
                    result.Add((field, bytes[i..(i + 4)]));
                    i += 4;
                    break;
                default:
                    throw ApiException.BadRequest("unsupported protobuf wire type");
            }
        }

        return result;
    }

    private static ulong ReadVarint(byte[] bytes, ref int i)
    {
        ulong value = 0;
        var shift = 0;
        while (true)
        {
            if (i >= bytes.Length)
            {
                throw ApiException.BadRequest("truncated protobuf body");
            }

            var b = bytes[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }

            shift += 7;
        }
    }
}
