using System.Reflection;
using Daytona.Common.Http;

namespace Daytona.Common.Tests.Errors;

public sealed class ErrorCatalogTests
{
    [Fact]
    public void EveryDefinitionIsListedOnceUnderTheNameOfItsField()
    {
        var fields = typeof(ErrorCatalog).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(ErrorDefinition)).ToList();
        Assert.Equal(fields.Count, ErrorCatalog.All.Count);
        foreach (var field in fields)
        {
            var definition = (ErrorDefinition)field.GetValue(null)!;
            Assert.Equal(field.Name, definition.Id);
            Assert.Same(definition, ErrorCatalog.Find(definition.Id));
        }
    }

    [Fact]
    public void IdsArePascalCaseAndRecommendationsAreSentences()
    {
        foreach (var definition in ErrorCatalog.All)
        {
            Assert.Matches("^[A-Z][A-Za-z0-9]+$", definition.Id);
            if (definition.Recommendation != null)
            {
                Assert.True(definition.Recommendation.EndsWith('.'), definition.Id + ": " + definition.Recommendation);
            }
        }
    }

    [Theory]
    [InlineData(400, ErrorKind.InvalidArgument)]
    [InlineData(401, ErrorKind.AuthenticationError)]
    [InlineData(403, ErrorKind.PermissionDenied)]
    [InlineData(404, ErrorKind.ObjectNotFound)]
    [InlineData(408, ErrorKind.OperationTimeout)]
    [InlineData(409, ErrorKind.ResourceExists)]
    [InlineData(422, ErrorKind.InvalidArgument)]
    [InlineData(429, ErrorKind.LimitsExceeded)]
    [InlineData(500, ErrorKind.ResourceUnavailable)]
    [InlineData(503, ErrorKind.ResourceUnavailable)]
    [InlineData(418, ErrorKind.InvalidOperation)]
    [InlineData(null, ErrorKind.ConnectionError)]
    public void StatusesMapToKinds(int? status, ErrorKind kind) => Assert.Equal(kind, ErrorCatalog.KindForStatus(status));

    [Theory]
    [InlineData(400, "DaytonaInvalidRequest", ErrorScope.Item)]
    [InlineData(401, "DaytonaAuthenticationFailed", ErrorScope.Command)]
    [InlineData(403, "DaytonaPermissionDenied", ErrorScope.Command)]
    [InlineData(404, "DaytonaNotFound", ErrorScope.Command)]
    [InlineData(409, "DaytonaConflict", ErrorScope.Item)]
    [InlineData(429, "DaytonaRateLimited", ErrorScope.Item)]
    [InlineData(502, "DaytonaServiceUnavailable", ErrorScope.Item)]
    [InlineData(302, "DaytonaUnexpectedResponse", ErrorScope.Item)]
    public void DaytonaStatusesMapToIdsAndScopes(int status, string id, ErrorScope scope)
    {
        var definition = ErrorCatalog.ForDaytonaStatus(status);
        Assert.Equal(id, definition.Id);
        Assert.Equal(scope, definition.Scope);
        Assert.Equal(ErrorCatalog.KindForStatus(status) == ErrorKind.InvalidOperation ? ErrorKind.InvalidData : ErrorCatalog.KindForStatus(status), definition.Kind);
    }

    [Fact]
    public void ACallCanSayWhatA404AndA409MeanForIt()
    {
        Assert.Same(ErrorCatalog.SnapshotNotFound, ErrorCatalog.ForDaytonaStatus(404, notFound: ErrorCatalog.SnapshotNotFound));
        Assert.Same(ErrorCatalog.SnapshotAlreadyExists, ErrorCatalog.ForDaytonaStatus(409, conflict: ErrorCatalog.SnapshotAlreadyExists));
        Assert.Equal(ErrorScope.Item, ErrorCatalog.SnapshotNotFound.Scope);
    }

    [Fact]
    public void TransportFailuresEndTheCommandOnlyWhenNoConnectionWasMade()
    {
        var refused = ErrorCatalog.ForDaytonaTransport(new TransportFailure("refused", sent: false, permanent: false, timedOut: false, null));
        var dropped = ErrorCatalog.ForDaytonaTransport(new TransportFailure("dropped", sent: true, permanent: false, timedOut: false, null));
        var slow = ErrorCatalog.ForDaytonaTransport(new TransportFailure("no answer", sent: true, permanent: false, timedOut: true, null));
        Assert.Equal((ErrorCatalog.DaytonaUnreachable.Id, ErrorScope.Command, ErrorKind.ConnectionError), (refused.Id, refused.Scope, refused.Kind));
        Assert.Equal((ErrorCatalog.DaytonaConnectionLost.Id, ErrorScope.Item, ErrorKind.ConnectionError), (dropped.Id, dropped.Scope, dropped.Kind));
        Assert.Equal((ErrorCatalog.DaytonaRequestTimeout.Id, ErrorScope.Item, ErrorKind.OperationTimeout), (slow.Id, slow.Scope, slow.Kind));
    }

    [Fact]
    public void AnExceptionTakesKindScopeAndRecommendationFromItsEntry()
    {
        var error = ErrorCatalog.DaytonaAuthenticationFailed.Create("rejected", "target");
        Assert.Equal("DaytonaAuthenticationFailed", error.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, error.Kind);
        Assert.Equal(ErrorScope.Command, error.Scope);
        Assert.Equal(ErrorCatalog.DaytonaAuthenticationFailed.Recommendation, error.RecommendedAction);
        Assert.True(ErrorCatalog.EndsCommand(error));

        var item = ErrorCatalog.SnapshotNotFound.Create("gone", recommendation: "Look elsewhere.");
        Assert.Equal("Look elsewhere.", item.RecommendedAction);
        Assert.False(ErrorCatalog.EndsCommand(item));
    }

    [Fact]
    public void AnExceptionBuiltFromAnIdFindsItsScopeInTheCatalog()
    {
        Assert.Equal(ErrorScope.Command, new DaytonaException("DaytonaUnreachable", ErrorKind.ConnectionError, "x").Scope);
        Assert.Equal(ErrorScope.Item, new DaytonaException("SomethingNew", ErrorKind.InvalidData, "x").Scope);
    }

    [Fact]
    public void UnclassifiedFailuresEndTheCommandAndCancellationIsNotAnError()
    {
        Assert.True(ErrorCatalog.EndsCommand(new InvalidOperationException("bug")));
        Assert.False(ErrorCatalog.EndsCommand(new OperationCanceledException()));
    }
}
