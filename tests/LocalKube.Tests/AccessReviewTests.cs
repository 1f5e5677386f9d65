using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>TokenReview and SubjectAccessReview, through the real KubernetesClient, in the real wire format.</summary>
public sealed class AccessReviewTests
{
    private static V1SubjectAccessReview MetricsReview(string? user, params string[] groups) => new()
    {
        Spec = new V1SubjectAccessReviewSpec
        {
            User = user,
            Groups = groups.Length == 0 ? null : groups,
            NonResourceAttributes = new V1NonResourceAttributes { Path = "/metrics", Verb = "get" },
        },
    };

    [Fact]
    public async Task A_known_token_authenticates_as_its_user_with_the_authenticated_group_and_an_unknown_one_does_not()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        cluster.AccessReviews.AddToken("prom-token", "system:serviceaccount:monitoring:prometheus", "system:serviceaccounts");
        var client = cluster.CreateClient();

        var known = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "prom-token", Audiences = ["api"] } });
        var unknown = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "guess" } });

        Assert.Equal(("authentication.k8s.io/v1", "TokenReview"), (known.ApiVersion, known.Kind));
        Assert.True(known.Status.Authenticated);
        Assert.Equal("system:serviceaccount:monitoring:prometheus", known.Status.User.Username);
        Assert.Equal(["system:serviceaccounts", "system:authenticated"], known.Status.User.Groups);
        Assert.Equal(["api"], known.Status.Audiences);
        Assert.NotEqual(true, unknown.Status.Authenticated);
        Assert.Null(unknown.Status.User.Username);
        Assert.False(string.IsNullOrEmpty(unknown.Status.Error));
        Assert.Equal(2, cluster.Requests.Count("create", "tokenreviews"));
        Assert.All(cluster.Requests.All, r => Assert.Equal(201, r.StatusCode));
    }

    [Fact]
    public async Task Subject_access_reviews_allow_only_what_a_rule_grants_to_the_user_or_one_of_its_groups()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        cluster.AccessReviews.AllowUser("alice", "get", "/metrics").AllowGroup("scrapers", "get", "/metrics*").AllowUser("bob", "*", "/healthz");
        var client = cluster.CreateClient();

        async Task<bool> Allowed(V1SubjectAccessReview review) => (await client.AuthorizationV1.CreateSubjectAccessReviewAsync(review)).Status.Allowed;

        Assert.True(await Allowed(MetricsReview("alice")));
        Assert.True(await Allowed(MetricsReview("carol", "scrapers")));
        Assert.True(await Allowed(MetricsReview(null, "system:masters")));
        Assert.False(await Allowed(MetricsReview("bob", "system:authenticated")));
        var post = MetricsReview("alice");
        post.Spec.NonResourceAttributes.Verb = "post";
        Assert.False(await Allowed(post));
        var resource = new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec { User = "alice", ResourceAttributes = new V1ResourceAttributes { Verb = "get", Resource = "secrets" } },
        };
        Assert.False(await Allowed(resource));

        var allowed = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(MetricsReview("alice"));
        Assert.Equal(("authorization.k8s.io/v1", "SubjectAccessReview", "/metrics"), (allowed.ApiVersion, allowed.Kind, allowed.Spec.NonResourceAttributes.Path));
        Assert.Contains("alice", allowed.Status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_reviews_are_refused_as_the_real_server_refuses_them()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();

        var noToken = await Assert.ThrowsAsync<HttpOperationException>(() => client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec() }));
        var noSubject = await Assert.ThrowsAsync<HttpOperationException>(() => client.AuthorizationV1.CreateSubjectAccessReviewAsync(MetricsReview(null)));
        var noAttributes = await Assert.ThrowsAsync<HttpOperationException>(() => client.AuthorizationV1.CreateSubjectAccessReviewAsync(
            new V1SubjectAccessReview { Spec = new V1SubjectAccessReviewSpec { User = "alice" } }));
        var (listed, _, _) = await cluster.SendAsync(HttpMethod.Get, "/apis/authentication.k8s.io/v1/tokenreviews");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, noToken.Response.StatusCode);
        Assert.Contains("token is required", noToken.Response.Content, StringComparison.Ordinal);
        Assert.Equal(422, (int)noSubject.Response.StatusCode);
        Assert.Contains("at least one of user or group must be specified", noSubject.Response.Content, StringComparison.Ordinal);
        Assert.Equal(422, (int)noAttributes.Response.StatusCode);
        Assert.Contains("exactly one of nonResourceAttributes or resourceAttributes", noAttributes.Response.Content, StringComparison.Ordinal);
        Assert.Equal(405, listed);
    }

    [Fact]
    public async Task Discovery_lists_the_review_resources_as_create_only()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();

        var (_, groups, _) = await cluster.SendAsync(HttpMethod.Get, "/apis");
        var (_, authentication, _) = await cluster.SendAsync(HttpMethod.Get, "/apis/authentication.k8s.io/v1");
        var (_, authorization, _) = await cluster.SendAsync(HttpMethod.Get, "/apis/authorization.k8s.io/v1");

        var names = groups["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("authentication.k8s.io", names);
        Assert.Contains("authorization.k8s.io", names);
        var tokenReviews = authentication["resources"]!.AsArray().Single()!;
        Assert.Equal(("tokenreviews", "TokenReview", false), (tokenReviews["name"]!.GetValue<string>(), tokenReviews["kind"]!.GetValue<string>(), tokenReviews["namespaced"]!.GetValue<bool>()));
        Assert.Equal(["create"], tokenReviews["verbs"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["subjectaccessreviews"], authorization["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_review_can_be_failed_by_the_fault_injector_like_any_call()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        cluster.AccessReviews.AddToken("t", "alice");
        cluster.Faults.FailNext(1, 503, verb: "create", resource: "tokenreviews");
        var client = cluster.CreateClient();

        var failed = await Assert.ThrowsAsync<HttpOperationException>(() => client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "t" } }));
        var next = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "t" } });

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, failed.Response.StatusCode);
        Assert.True(next.Status.Authenticated);
    }
}
