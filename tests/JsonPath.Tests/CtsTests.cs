using System.Text.Json;
using System.Text.Json.Nodes;
using Daytona.JsonPath;

namespace JsonPath.Tests;

/// <summary>
/// The JSONPath Compliance Test Suite (RFC 9535), read from ../shared/conformance/jsonpath-cts/cts.json beside the
/// repository: every case is one theory row, so a new cts.json is tested in full.
/// </summary>
public sealed class CtsTests
{
    /// <summary>
    /// Cases we knowingly disagree with, by name, each with its reason. Empty: all 703 cases pass. A listed case must
    /// still fail, so the list cannot go stale silently.
    /// </summary>
    private static readonly Dictionary<string, string> KnownExceptions = new(StringComparer.Ordinal)
    {
    };

    private static readonly Lazy<JsonArray> Tests = new(() =>
    {
        var path = CtsPath();
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        return root["tests"]!.AsArray();
    });

    internal static string CtsPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Module.sln"))) dir = dir.Parent;
        if (dir == null) throw new InvalidOperationException("Module.sln not found above " + AppContext.BaseDirectory);
        var path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "conformance", "jsonpath-cts", "cts.json"));
        if (!File.Exists(path)) throw new FileNotFoundException("the JSONPath CTS is expected beside the repository", path);
        return path;
    }

    public static IEnumerable<object[]> Cases()
    {
        var tests = Tests.Value;
        for (int i = 0; i < tests.Count; i++) yield return new object[] { i, (string)tests[i]!["name"]! };
    }

    [Fact]
    public void Suite_has_all_cases() => Assert.Equal(703, Tests.Value.Count);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cts(int index, string name)
    {
        var test = Tests.Value[index]!.AsObject();
        Assert.Equal(name, (string)test["name"]!);
        if (KnownExceptions.TryGetValue(name, out var reason))
        {
            Assert.False(Passes(test, out _), "listed as an exception (" + reason + ") but now passes: remove it from KnownExceptions");
            return;
        }
        Assert.True(Passes(test, out var failure), failure);
    }

    private static bool Passes(JsonObject test, out string failure)
    {
        var selector = (string)test["selector"]!;
        bool invalid = test["invalid_selector"] is JsonValue v && v.GetValue<bool>();
        failure = "";
        if (invalid)
        {
            try
            {
                JsonPathQuery.Parse(selector);
                failure = "expected JsonPathException for invalid selector " + JsonSerializer.Serialize(selector);
                return false;
            }
            catch (JsonPathException)
            {
            }
            if (JsonPathQuery.TryParse(selector, out _, out var error) || string.IsNullOrEmpty(error))
            {
                failure = "TryParse accepted an invalid selector";
                return false;
            }
            return true;
        }

        JsonPathQuery query;
        try
        {
            query = JsonPathQuery.Parse(selector);
        }
        catch (JsonPathException ex)
        {
            failure = "valid selector rejected: " + ex.Message;
            return false;
        }

        var nodes = query.Select(test["document"]);
        var counted = query.Count(test["document"], long.MaxValue, default);
        if (counted != nodes.Count)
        {
            failure = $"{selector}: Count says {counted}, Select selected {nodes.Count}";
            return false;
        }
        var gotValues = new JsonArray();
        foreach (var n in nodes) gotValues.Add(n.Value?.DeepClone());
        var gotPaths = nodes.Select(n => n.Location).ToList();

        if (test["result"] is JsonArray expected)
        {
            var paths = test["result_paths"] as JsonArray;
            if (Matches(gotValues, gotPaths, expected, paths)) return true;
            failure = Describe(selector, gotValues, gotPaths) + "\nexpected: " + expected.ToJsonString() + " " + paths?.ToJsonString();
            return false;
        }

        var alternatives = test["results"]!.AsArray();
        var alternativePaths = test["results_paths"] as JsonArray;
        for (int i = 0; i < alternatives.Count; i++)
        {
            if (Matches(gotValues, gotPaths, alternatives[i]!.AsArray(), alternativePaths?[i] as JsonArray)) return true;
        }
        failure = Describe(selector, gotValues, gotPaths) + "\nexpected one of: " + alternatives.ToJsonString();
        return false;
    }

    private static bool Matches(JsonArray gotValues, List<string> gotPaths, JsonArray expected, JsonArray? expectedPaths)
    {
        if (!JsonNode.DeepEquals(gotValues, expected)) return false;
        if (expectedPaths == null) return true;
        if (expectedPaths.Count != gotPaths.Count) return false;
        for (int i = 0; i < gotPaths.Count; i++)
            if ((string)expectedPaths[i]! != gotPaths[i]) return false;
        return true;
    }

    private static string Describe(string selector, JsonArray values, List<string> paths) =>
        "selector " + JsonSerializer.Serialize(selector) + "\ngot: " + values.ToJsonString() + " " + JsonSerializer.Serialize(paths);
}
