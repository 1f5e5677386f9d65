using System.Text.Json.Nodes;

namespace CryptoIndex.LocalKube.Server;

/// <summary>
/// authentication.k8s.io/v1 TokenReview and authorization.k8s.io/v1 SubjectAccessReview: create-only, nothing stored,
/// answered 201 with the request echoed and its <c>status</c> filled from <see cref="AccessReviews"/>, as the real
/// registry strategies do (pkg/registry/authentication/tokenreview, pkg/registry/authorization/subjectaccessreview).
/// </summary>
internal sealed partial class ApiServer
{
    /// <summary>The tokens and rules the reviews answer from.</summary>
    public AccessReviews AccessReviews { get; } = new();

    private ApiReply Review(ApiRequestContext req)
    {
        var type = req.Type!;
        if (req.Name.Length > 0 || req.Namespace.Length > 0)
        {
            throw ApiException.NotFoundPath();
        }

        if (req.Method != "POST")
        {
            throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        }

        var review = Json.ParseObject(req.Body);
        review["apiVersion"] = type.ApiVersion;
        review["kind"] = type.Kind;
        var metadata = Json.Metadata(review);
        metadata["creationTimestamp"] = null;
        var spec = review["spec"] as JsonObject ?? new JsonObject();
        review["spec"] = spec;
        review["status"] = type.Plural == "tokenreviews" ? TokenReviewStatus(spec) : SubjectAccessReviewStatus(type, spec);
        return new ApiReply(201, review);
    }

    private JsonObject TokenReviewStatus(JsonObject spec)
    {
        if (Json.Str(spec["token"]) is not { Length: > 0 } token)
        {
            throw ApiException.BadRequest("token is required for TokenReview in authentication");
        }

        if (AccessReviews.Authenticate(token) is not { } user)
        {
            // Unauthenticated: `authenticated` is omitted (omitempty false) and `user` is the empty struct.
            return new JsonObject { ["user"] = new JsonObject(), ["error"] = "[invalid bearer token, token lookup failed]" };
        }

        var status = new JsonObject
        {
            ["authenticated"] = true,
            ["user"] = new JsonObject
            {
                ["username"] = user.Username,
                ["uid"] = user.Uid,
                ["groups"] = new JsonArray([.. user.Groups.Select(g => (JsonNode?)JsonValue.Create(g))]),
            },
        };
        if (spec["audiences"] is JsonArray { Count: > 0 } audiences)
        {
            // Tokens here carry every audience: the requested ones are confirmed.
            status["audiences"] = audiences.DeepClone();
        }

        return status;
    }

    private JsonObject SubjectAccessReviewStatus(ResourceType type, JsonObject spec)
    {
        var resource = spec["resourceAttributes"] as JsonObject;
        var nonResource = spec["nonResourceAttributes"] as JsonObject;
        var errors = new List<FieldError>();
        if (resource is null && nonResource is null)
        {
            errors.Add(new FieldError("FieldValueRequired", "spec.resourceAttributes", "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified"));
        }
        else if (resource is not null && nonResource is not null)
        {
            errors.Add(FieldError.Invalid("spec.nonResourceAttributes", nonResource, "cannot be specified in combination with resourceAttributes"));
        }

        var user = Json.Str(spec["user"]) ?? string.Empty;
        var groups = (spec["groups"] as JsonArray)?.Select(g => Json.Str(g) ?? string.Empty).ToList() ?? [];
        if (user.Length == 0 && groups.Count == 0)
        {
            errors.Add(FieldError.Invalid("spec.user", JsonValue.Create(string.Empty), "at least one of user or group must be specified"));
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type, string.Empty, errors);
        }

        if (nonResource is null)
        {
            // Only non-resource rules are modelled: a resource request has no matching rule (RBAC's "no opinion").
            return new JsonObject { ["allowed"] = false };
        }

        var verb = Json.Str(nonResource["verb"]) ?? string.Empty;
        var path = Json.Str(nonResource["path"]) ?? string.Empty;
        return AccessReviews.Authorize(user, groups, verb, path) is { } rule
            ? new JsonObject { ["allowed"] = true, ["reason"] = "LocalKube: allowed because " + rule.Describe() }
            : new JsonObject { ["allowed"] = false };
    }
}
