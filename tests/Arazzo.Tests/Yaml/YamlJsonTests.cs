using Daytona.Arazzo.Yaml;

namespace Arazzo.Tests.Yaml;

public class YamlJsonTests
{
    [Fact]
    public void AnAliasBombIsRefusedBeforeItsCopiesFillMemory()
    {
        // Six levels of ten aliases each copy ~1.1 million nodes: under the 2,000,000-node cap, but refused by the
        // alias budget long before the copies are built.
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + string.Concat("bcdef".Select((c, i) => $"{c}: &{c} [{string.Join(", ", Enumerable.Repeat("*" + "abcdef"[i], 10))}]\n"));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<YamlJsonException>(() => YamlJson.Parse(bomb));
        Assert.Contains($"aliases copy more than {YamlJson.MaxAliasNodes} nodes", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L * 1024 * 1024, "the refusal came after building most of the copies");

        // A document that reuses a few anchors reads as before.
        Assert.Equal("{\"p\":{\"k\":1},\"q\":{\"k\":1}}", YamlJson.Parse("p: &p {k: 1}\nq: *p")!.ToJsonString());
    }

    [Fact]
    public void YamlJsonParsesScalarsByTheCoreSchema()
    {
        Assert.Equal("{\"name\":\"demo\",\"size\":3}", YamlJson.Parse("name: demo\nsize: 3")!.ToJsonString());
        Assert.Equal("{\"a\":\"3\",\"b\":true,\"c\":null,\"d\":1.5,\"e\":\"1.0.1\"}", YamlJson.Parse("a: '3'\nb: true\nc: ~\nd: 1.5\ne: 1.0.1")!.ToJsonString());
    }

    [Fact]
    public void YamlJsonKeepsLineAndColumnOfEveryNode()
    {
        var document = YamlJson.Load("a:\n  b:\n    - x\n    - y: 2\n");
        Assert.Equal("2:3", document.Positions["$.a.b"].ToString());
        Assert.Equal("4:7", document.Positions["$.a.b[1]"].ToString());
        Assert.Equal("4:7", document.Positions["$.a.b[1].y"].ToString());
        Assert.Equal("4:7", document.Find("$.a.b[1].y.missing")!.Value.ToString());
    }

    [Theory]
    [InlineData("a: [1, 2", "InvalidYaml")]
    [InlineData("a: 1\na: 2", "Duplicate key")]
    public void YamlJsonReportsWhereItStopped(string text, string expected)
    {
        var error = Assert.Throws<YamlJsonException>(() => YamlJson.Load(text));
        Assert.True(error.Position.Line >= 1);
        if (expected != "InvalidYaml")
        {
            Assert.Contains(expected, error.Message);
        }
    }

    [Fact]
    public void AnchorsAliasesAndMergeKeysAreResolved()
    {
        var node = YamlJson.Parse("base: &b {a: 1, b: two}\ncopy: *b\nmerged:\n  <<: *b\n  b: three\nlist: [&x 5, *x]\nquoted: '<<'\n")!;
        Assert.Equal("{\"base\":{\"a\":1,\"b\":\"two\"},\"copy\":{\"a\":1,\"b\":\"two\"},\"merged\":{\"a\":1,\"b\":\"three\"},\"list\":[5,5]}", node.ToJsonString().Replace(",\"quoted\":\"\\u003C\\u003C\"", string.Empty));
        Assert.Equal("<<", node["quoted"]!.GetValue<string>());
        var error = Assert.Throws<YamlJsonException>(() => YamlJson.Load("a: 1\nb: *missing\n"));
        Assert.Equal(2, error.Position.Line);
        Assert.Equal("{\"id\":3,\"tags\":[\"x\"]}", YamlJson.Parse("{\"id\": 3, \"tags\": [\"x\"]}")!.ToJsonString());
    }

    [Theory]
    [InlineData("a: [1, 2\nb: {x: 1\n", 1, 6, "The flow sequence opened with '[' at line 1, column 4 is not closed: after line 1, column 6 the parser expected ',' or ']'.")]
    [InlineData("a: {x: 1, y: [1,\n  2\nb: 3\n", 1, 16, "The flow sequence opened with '[' at line 1, column 14 is not closed")]
    public void AnUnclosedFlowCollectionSaysWhereItOpenedAndWhatWasExpected(string text, int line, int column, string expected)
    {
        // YamlDotNet's scanner throws a bare InvalidOperationException ("Operation is not valid due to the current state
        // of the object") for these; the reader turns it into what to fix.
        var error = Assert.Throws<YamlJsonException>(() => YamlJson.Load(text));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("current state of the object", error.Message, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Position.Line, error.Position.Column));
    }

    [Fact]
    public void AliasBombsEndInAnErrorNotAHang()
    {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        var previous = "a";
        for (var i = 0; i < 9; i++)
        {
            var name = "n" + i;
            text += $"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n";
            previous = name;
        }

        var error = Assert.Throws<YamlJsonException>(() => YamlJson.Load(text));
        Assert.Contains("nodes", error.Message);
    }
}
