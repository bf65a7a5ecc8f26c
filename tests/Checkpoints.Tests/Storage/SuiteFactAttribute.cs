using Daytona.StorageServers;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Checkpoints.Tests.Storage;

/// <summary>
/// A Fact of <see cref="StorageSuite"/>: it runs for every backend's test class, and is skipped with the reason for a
/// class marked <see cref="NeedsStorageServersAttribute"/> where node or the servers are not installed.
/// </summary>
[XunitTestCaseDiscoverer("Checkpoints.Tests.Storage.SuiteFactDiscoverer", "Checkpoints.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class SuiteFactAttribute : FactAttribute
{
}

/// <summary>The test class runs against Azurite or s3rver (tests/StorageServers).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class NeedsStorageServersAttribute : Attribute
{
}

public sealed class SuiteFactDiscoverer : IXunitTestCaseDiscoverer
{
    private readonly IMessageSink _diagnostics;

    public SuiteFactDiscoverer(IMessageSink diagnostics)
    {
        _diagnostics = diagnostics;
    }

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var needsServers = testMethod.TestClass.Class.ToRuntimeType()?.IsDefined(typeof(NeedsStorageServersAttribute), inherit: true) == true;
        yield return needsServers
            ? new ServerTestCase(_diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)
            : new XunitTestCase(_diagnostics, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
    }
}

/// <summary>A suite test of a class that needs the storage servers: skipped, with the reason, where they cannot run.</summary>
public sealed class ServerTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer", error: true)]
    public ServerTestCase()
    {
    }

    public ServerTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method)
        : base(sink, display, options, method)
    {
    }

    protected override string? GetSkipReason(IAttributeInfo factAttribute) => NodeServer.WhyNot() ?? base.GetSkipReason(factAttribute);
}
