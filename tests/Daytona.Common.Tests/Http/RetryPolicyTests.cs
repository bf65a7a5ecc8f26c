using System.Net;
using Daytona.Common.Http;

namespace Daytona.Common.Tests.Http;

/// <summary>The decision table of the pipeline, read without a server: which outcome is retried under which policy.</summary>
public sealed class RetryPolicyTests
{
    private static readonly ResilientHttp Pipeline = new(new HttpResilienceOptions { MaxRetries = 3, MaxConnectRetries = 1, TotalBudget = TimeSpan.FromSeconds(10) });

    private static TimeSpan? Decide(RetryPolicy policy, string method, int? status, TransportFailure? failure = null, int retries = 0, double elapsedSeconds = 0)
    {
        using var response = status.HasValue ? new HttpResponseMessage((HttpStatusCode)status.Value) : null;
        return Pipeline.RetryDelay(policy, new HttpMethod(method), response, failure, retries, TimeSpan.FromSeconds(elapsedSeconds));
    }

    private static TransportFailure Dropped() => new("dropped", sent: true, permanent: false, timedOut: false, null);

    private static TransportFailure Refused() => new("refused", sent: false, permanent: false, timedOut: false, null);

    private static TransportFailure NoSuchHost() => new("no such host", sent: false, permanent: true, timedOut: false, null);

    [Theory]
    [InlineData(RetryPolicy.Idempotent, 429, true)]
    [InlineData(RetryPolicy.Idempotent, 502, true)]
    [InlineData(RetryPolicy.Idempotent, 503, true)]
    [InlineData(RetryPolicy.Idempotent, 504, true)]
    [InlineData(RetryPolicy.Idempotent, 500, false)]
    [InlineData(RetryPolicy.Idempotent, 404, false)]
    [InlineData(RetryPolicy.Idempotent, 401, false)]
    [InlineData(RetryPolicy.Idempotent, 409, false)]
    [InlineData(RetryPolicy.NotIdempotent, 429, true)]
    [InlineData(RetryPolicy.NotIdempotent, 503, false)]
    [InlineData(RetryPolicy.NotIdempotent, 504, false)]
    [InlineData(RetryPolicy.TransportOnly, 429, false)]
    [InlineData(RetryPolicy.TransportOnly, 503, false)]
    public void Statuses(RetryPolicy policy, int status, bool retried) =>
        Assert.Equal(retried, Decide(policy, "GET", status).HasValue);

    [Theory]
    [InlineData(RetryPolicy.Idempotent, "GET", true)]
    [InlineData(RetryPolicy.NotIdempotent, "POST", false)]
    [InlineData(RetryPolicy.TransportOnly, "GET", true)]
    [InlineData(RetryPolicy.TransportOnly, "PUT", true)]
    [InlineData(RetryPolicy.TransportOnly, "POST", false)]
    public void AFailureAfterSendingIsRetriedOnlyWhenRepeatingIsHarmless(RetryPolicy policy, string method, bool retried) =>
        Assert.Equal(retried, Decide(policy, method, null, Dropped()).HasValue);

    [Theory]
    [InlineData(RetryPolicy.Idempotent)]
    [InlineData(RetryPolicy.NotIdempotent)]
    [InlineData(RetryPolicy.TransportOnly)]
    public void AConnectionNeverMadeIsRetriedForEveryCallButOnlyMaxConnectRetriesTimes(RetryPolicy policy)
    {
        Assert.NotNull(Decide(policy, "POST", null, Refused(), retries: 0));
        Assert.Null(Decide(policy, "POST", null, Refused(), retries: 1));
        Assert.Null(Decide(policy, "GET", null, NoSuchHost(), retries: 0));
    }

    [Fact]
    public void RetriesStopAtMaxRetries()
    {
        Assert.NotNull(Decide(RetryPolicy.Idempotent, "GET", 503, retries: 2));
        Assert.Null(Decide(RetryPolicy.Idempotent, "GET", 503, retries: 3));
    }

    [Fact]
    public void BackoffDoublesWithJitterWithinItsBounds()
    {
        var options = HttpResilienceOptions.Default;
        for (var retry = 0; retry < 8; retry++)
        {
            var delay = Decide(RetryPolicy.Idempotent, "GET", 503, retries: Math.Min(retry, 2))!.Value;
            var full = Math.Min(options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry, 2)), options.MaxDelay.TotalMilliseconds);
            Assert.InRange(delay.TotalMilliseconds, full * 0.5 - 1, full + 1);
        }
    }

    [Fact]
    public void NoRetryWhoseWaitEndsPastTheBudget()
    {
        Assert.NotNull(Decide(RetryPolicy.Idempotent, "GET", 503, elapsedSeconds: 9));
        Assert.Null(Decide(RetryPolicy.Idempotent, "GET", 503, elapsedSeconds: 9.99));
    }

    [Theory]
    [InlineData("GET", RetryPolicy.Idempotent)]
    [InlineData("PUT", RetryPolicy.Idempotent)]
    [InlineData("DELETE", RetryPolicy.Idempotent)]
    [InlineData("HEAD", RetryPolicy.Idempotent)]
    [InlineData("POST", RetryPolicy.NotIdempotent)]
    [InlineData("PATCH", RetryPolicy.NotIdempotent)]
    public void MethodsGiveTheirPolicy(string method, RetryPolicy policy) =>
        Assert.Equal(policy, RetryPolicies.ForMethod(new HttpMethod(method)));
}
