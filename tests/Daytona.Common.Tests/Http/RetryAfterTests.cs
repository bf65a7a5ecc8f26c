using System.Net;
using Daytona.Common.Http;

namespace Daytona.Common.Tests.Http;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    private static HttpResponseMessage With(params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage((HttpStatusCode)429);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    [Theory]
    [InlineData("Retry-After", "2", 2000)]
    [InlineData("Retry-After", "0", 0)]
    [InlineData("Retry-After", "1.5", 1500)]
    [InlineData("Retry-After", "Fri, 04 Dec 2026 10:00:07 GMT", 7000)]
    [InlineData("Retry-After", "Fri, 04 Dec 2026 09:59:00 GMT", 0)]
    [InlineData("Retry-After-authenticated", "3", 3000)]
    [InlineData("retry-after-short", "4", 4000)]
    public void EachFormGivesItsWait(string name, string value, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), RetryAfter.From(With((name, value)), Now));

    [Theory]
    [InlineData("Retry-After", "soon")]
    [InlineData("Retry-After-authenticated", "Fri, 04 Dec 2026 10:00:07 GMT")]
    [InlineData("Retry-Afterwards", "3")]
    [InlineData("X-RateLimit-Reset-authenticated", "3")]
    public void WhatIsNotAWaitIsIgnored(string name, string value) =>
        Assert.Null(RetryAfter.From(With((name, value)), Now));

    [Fact]
    public void TheLongestOfSeveralWins() =>
        Assert.Equal(TimeSpan.FromSeconds(9), RetryAfter.From(With(("Retry-After", "2"), ("Retry-After-short", "9"), ("Retry-After-long", "4")), Now));

    [Fact]
    public void HeadersGivenAsPairsReadTheSame() =>
        Assert.Equal(TimeSpan.FromSeconds(5), RetryAfter.From(new[] { new KeyValuePair<string, string>("retry-after", "5") }, Now));

    [Fact]
    public void CapCutsLongWaitsAndKeepsShortOnes()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), RetryAfter.Cap(TimeSpan.FromHours(1), TimeSpan.FromSeconds(60)));
        Assert.Equal(TimeSpan.FromSeconds(1), RetryAfter.Cap(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)));
        Assert.Null(RetryAfter.Cap(null, TimeSpan.FromSeconds(60)));
    }
}
