using System.Diagnostics;
using System.Text.Json.Nodes;
using Daytona.JsonPath;

namespace JsonPath.Tests;

public sealed class JsonPathTests
{
    private static IReadOnlyList<JsonPathNode> Select(string query, string json) =>
        JsonPathQuery.Parse(query).Select(JsonNode.Parse(json));

    private static string[] Locations(string query, string json) => Select(query, json).Select(n => n.Location).ToArray();

    private static string Values(IReadOnlyList<JsonPathNode> nodes) =>
        "[" + string.Join(",", nodes.Select(n => n.Value?.ToJsonString() ?? "null")) + "]";

    [Fact]
    public void Count_selects_what_Select_selects_within_the_same_budget_without_building_locations()
    {
        var json = JsonNode.Parse("{\"a\":[1,{\"b\":[2,3]}],\"c\":{\"d\":4}}");
        foreach (var text in new[] { "$..*", "$.a[*]", "$..b[0]", "$[?@.d]", "$.nothing" })
        {
            var query = JsonPathQuery.Parse(text);
            Assert.Equal(query.Select(json).Count, query.Count(json, long.MaxValue, default));
        }

        var big = new JsonArray(Enumerable.Range(0, 2000).Select(i => (JsonNode?)new JsonObject { ["n"] = new JsonArray(1, 2, 3) }).ToArray());
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<JsonPathLimitException>(() => JsonPathQuery.Parse("$..*..*..*").Count(big, 1_000, default));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 32L * 1024 * 1024);
    }

    [Fact]
    public void Count_goes_depth_first_so_a_query_near_its_budget_holds_no_intermediate_nodelist()
    {
        JsonNode deep = new JsonArray(1, 2);
        for (int i = 0; i < 200; i++) deep = new JsonObject { ["id"] = i, ["next"] = deep };
        var big = new JsonArray(deep, new JsonArray(Enumerable.Range(0, 3000).Select(i => (JsonNode?)new JsonObject { ["id"] = i }).ToArray()));
        var query = JsonPathQuery.Parse("$..*..*..*..*");
        Assert.Throws<JsonPathLimitException>(() => query.Count(big, 1_000, default)); // warm-up: nothing below is first-call cost

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<JsonPathLimitException>(() => query.Count(big, 1_000_000, default));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("1000000", error.Message.Replace(",", string.Empty));
        // A breadth-first nodelist of a million nodes is 16 MB (plus its growth copies); depth first holds one node's selections per segment.
        Assert.True(allocated < 2L * 1024 * 1024, $"{allocated} bytes allocated");

        var exact = JsonPathQuery.Parse("$..*..*");
        Assert.Equal(exact.Select(big).Count, exact.Count(big, long.MaxValue, default));
    }

    // ---- normalized paths (RFC 9535 §2.7)

    [Fact]
    public void Normalized_paths_use_bracket_notation_with_single_quotes_and_plain_indexes()
    {
        Assert.Equal(new[] { "$['store']['book'][0]['title']", "$['store']['book'][1]['title']" },
            Locations("$.store.book[*].title", """{"store":{"book":[{"title":"A"},{"title":"B"}]}}"""));
        Assert.Equal(new[] { "$" }, Locations("$", "[]"));
        Assert.Equal(new[] { "$[2]" }, Locations("$[-1]", "[0,1,2]"));
    }

    [Fact]
    public void Normalized_paths_escape_names_as_the_rfc_prescribes()
    {
        var doc = new JsonObject
        {
            ["it's"] = 1,
            ["back\\slash"] = 2,
            ["tab\there"] = 3,
            ["\b\f\n\r"] = 4,
            ["\u0001\u001f"] = 5,
            ["\"quote\" /☺😀"] = 6,
        };
        var locations = JsonPathQuery.Parse("$.*").Select(doc).Select(n => n.Location).ToArray();
        Assert.Equal(new[]
        {
            @"$['it\'s']",
            @"$['back\\slash']",
            @"$['tab\there']",
            @"$['\b\f\n\r']",
            @"$['\u0001\u001f']",
            "$['\"quote\" /☺😀']",
        }, locations);
    }

    [Fact]
    public void Normalized_path_selects_the_same_node_again()
    {
        var doc = JsonNode.Parse("""{"a":[{"b c":[1,{"d'e":true}]}]}""");
        foreach (var node in JsonPathQuery.Parse("$..*").Select(doc))
        {
            var again = JsonPathQuery.Parse(node.Location).Select(doc);
            Assert.Single(again);
            Assert.Same(node.Value, again[0].Value);
            Assert.Equal(node.Location, again[0].Location);
        }
    }

    [Fact]
    public void Descendant_paths_come_in_document_order()
    {
        Assert.Equal(new[] { "$['a']", "$['b'][0]['a']", "$['b'][1]['c']['a']" },
            Locations("$..a", """{"a":1,"b":[{"a":2},{"c":{"a":3}}]}"""));
    }

    // ---- JSON null, identity, root

    [Fact]
    public void Json_null_values_are_returned_as_null_nodes()
    {
        var nodes = Select("$[*]", "[null, 1, null]");
        Assert.Equal(3, nodes.Count);
        Assert.Null(nodes[0].Value);
        Assert.Equal("$[0]", nodes[0].Location);
        Assert.Null(nodes[2].Value);

        var member = Select("$.a", """{"a":null}""");
        Assert.Single(member);
        Assert.Null(member[0].Value);

        Assert.Empty(Select("$.b", """{"a":null}"""));
    }

    [Fact]
    public void A_null_root_is_the_json_value_null()
    {
        var nodes = JsonPathQuery.Parse("$").Select(null);
        Assert.Single(nodes);
        Assert.Null(nodes[0].Value);
        Assert.Equal("$", nodes[0].Location);
        Assert.Empty(JsonPathQuery.Parse("$.a").Select(null));
    }

    [Fact]
    public void Results_are_the_documents_own_nodes_and_nothing_is_reparented()
    {
        var doc = JsonNode.Parse("""{"a":{"b":[1,2]},"c":{"b":[3]}}""")!;
        var b = doc["a"]!["b"];
        var nodes = JsonPathQuery.Parse("$..b").Select(doc);
        Assert.Same(b, nodes[0].Value);
        Assert.Same(doc["a"], b!.Parent);
        // and the same document can be queried again, or by many queries
        Assert.Equal(2, JsonPathQuery.Parse("$..b").Select(doc).Count);
    }

    [Fact]
    public void A_subtree_is_queried_as_its_own_root()
    {
        var doc = JsonNode.Parse("""{"outer":{"x":[5]}}""")!;
        var nodes = JsonPathQuery.Parse("$.x[0]").Select(doc["outer"]);
        Assert.Equal("$['x'][0]", nodes[0].Location);
        Assert.Equal(5, nodes[0].Value!.GetValue<int>());
    }

    // ---- comparisons

    [Fact]
    public void Numbers_compare_by_value_int_and_float_alike()
    {
        Assert.Equal(new[] { "$[0]", "$[1]", "$[3]", "$[4]" }, Locations("$[?@ == 1]", """[1, 1.0, "1", 1e0, 10e-1, 2, true]"""));
        Assert.Equal(new[] { "$[1]" }, Locations("$[?@ > 1.5]", """[1, 2, "3"]"""));
    }

    [Fact]
    public void Strings_order_by_code_point_not_utf16_unit()
    {
        // U+FFFF < U+1F600 by code point, although the UTF-16 unit 0xD83D < 0xFFFF
        Assert.Equal(new[] { "$[1]" }, Locations("$[?@ > '\uFFFF']", "[\"\\uffff\", \"\\ud83d\\ude00\", \"a\"]"));
    }

    [Fact]
    public void Missing_values_are_Nothing_not_null()
    {
        Assert.Equal(new[] { "$[0]" }, Locations("$[?@.a == null]", """[{"a":null},{}]"""));
        Assert.Equal(new[] { "$[1]" }, Locations("$[?@.a == @.b]", """[{"a":null},{}]"""));
        Assert.Equal(new[] { "$[0]", "$[1]" }, Locations("$[?@.a]", """[{"a":null},{"a":false},{}]"""));
    }

    [Fact]
    public void Structures_compare_deeply()
    {
        Assert.Equal(new[] { "$['x']" }, Locations("$[?@ == $.y]", """{"x":{"k":[1,{"z":2.0}]},"y":{"k":[1,{"z":2}]},"w":{"k":[1]}}""").Where(l => l != "$['y']").ToArray());
    }

    [Fact]
    public void Values_built_in_code_are_understood_like_parsed_ones()
    {
        var doc = new JsonArray
        {
            new JsonObject { ["n"] = 5, ["s"] = "x" },
            new JsonObject { ["n"] = 5.0m, ["s"] = "y" },
            new JsonObject { ["n"] = 7L, ["s"] = JsonValue.Create('x') },
            new JsonObject { ["n"] = 5.0f, ["g"] = JsonValue.Create(Guid.Empty) },
        };
        Assert.Equal(new[] { "$[0]", "$[1]", "$[3]" }, JsonPathQuery.Parse("$[?@.n == 5]").Select(doc).Select(n => n.Location).ToArray());
        Assert.Equal(new[] { "$[0]", "$[2]" }, JsonPathQuery.Parse("$[?@.s == 'x']").Select(doc).Select(n => n.Location).ToArray());
        Assert.Single(JsonPathQuery.Parse("$[?length(@.g) == 36]").Select(doc));
    }

    // ---- functions and I-Regexp

    [Fact]
    public void Length_counts_code_points()
    {
        Assert.Equal(new[] { "$[0]" }, Locations("$[?length(@) == 2]", "[\"a\\ud83d\\ude00\", \"abc\", [1,2,3]]"));
    }

    [Fact]
    public void Regex_works_on_code_points_outside_the_bmp()
    {
        var doc = "[\"\\ud83d\\ude00\", \"\\ud83d\\ude02\", \"\\ud83d\\ude05\", \"a\", \"\\ud835\\udc00\"]"; // 😀 😂 😅 a 𝐀
        Assert.Equal(new[] { "$[0]", "$[1]" }, Locations("$[?match(@, '[😀-😂]')]", doc));
        Assert.Equal(new[] { "$[2]", "$[3]", "$[4]" }, Locations("$[?match(@, '[^😀-😂]')]", doc));
        Assert.Equal(new[] { "$[0]", "$[1]", "$[2]", "$[3]", "$[4]" }, Locations("$[?match(@, '.')]", doc));
        Assert.Equal(new[] { "$[4]" }, Locations("$[?match(@, '\\\\p{Lu}')]", doc)); // MATHEMATICAL BOLD CAPITAL A
        Assert.Equal(new[] { "$[0]", "$[1]" }, Locations("$[?match(@, '😀|😂')]", doc));
        Assert.Equal(new[] { "$[0]" }, Locations("$[?match(@, '😀{1}')]", doc));
    }

    [Fact]
    public void Match_is_anchored_and_search_is_not()
    {
        Assert.Equal(new[] { "$[0]" }, Locations("$[?match(@, 'a.c')]", """["abc","xabcx"]"""));
        Assert.Equal(new[] { "$[0]", "$[1]" }, Locations("$[?search(@, 'a.c')]", """["abc","xabcx"]"""));
        // '$' is end of input, never before a final newline; '.' does not match \n or \r
        Assert.Empty(Locations("$[?search(@, 'c$')]", "[\"abc\\n\"]"));
        Assert.Empty(Locations("$[?match(@, 'a.c')]", "[\"a\\nc\", \"a\\rc\"]"));
        // alternation stays inside the anchors
        Assert.Empty(Locations("$[?match(@, 'a|b')]", """["ab","xb"]"""));
    }

    [Theory]
    [InlineData(@"\\d")]          // multi-character escapes are not I-Regexp
    [InlineData(@"\\w+")]
    [InlineData("(?:a)")]        // no group extensions
    [InlineData("a**")]          // no stacked quantifiers (no lazy quantifiers either)
    [InlineData("a{2,1}")]
    [InlineData("[]")]
    [InlineData("[a-b-c]")]
    [InlineData("[z-a]")]
    [InlineData(@"\\p{IsBasicLatin}")]
    [InlineData("a)")]
    [InlineData("^*")]           // assertions cannot be quantified
    public void Invalid_i_regexp_patterns_make_match_false(string pattern)
    {
        var q = JsonPathQuery.Parse("$[?match(@, '" + pattern + "') || !match(@, '" + pattern + "')]");
        // both match and !match: a false match makes the negation true, so every string is selected exactly once
        Assert.Single(q.Select(JsonNode.Parse("""["a"]""")));
        Assert.Empty(JsonPathQuery.Parse("$[?match(@, '" + pattern + "')]").Select(JsonNode.Parse("""["a","1","aa","","b"]""")));
    }

    [Fact]
    public void Regex_from_the_document_is_compiled_and_cached()
    {
        Assert.Equal(new[] { "$['v'][0]" }, Locations("$.v[?match(@, $.re)]", """{"re":"[a-c]+","v":["abc","abd"]}"""));
        Assert.Empty(Locations("$.v[?match(@, $.re)]", """{"re":"[","v":["["]}"""));
    }

    [Fact]
    public void Value_and_count_functions()
    {
        Assert.Equal(new[] { "$[0]" }, Locations("$[?count(@.*) == 2]", """[{"a":1,"b":2},{"a":1}]"""));
        Assert.Equal(new[] { "$[0]" }, Locations("$[?value(@..x) == 1]", """[{"x":1},{"x":1,"y":{"x":1}}]"""));
    }

    // ---- parsing: errors, limits, blank space

    [Theory]
    [InlineData("$[9007199254740991]")]
    [InlineData("$[-9007199254740991]")]
    [InlineData("$[-9007199254740991:9007199254740991:9007199254740991]")]
    [InlineData("$ .a [0] ..b")]
    [InlineData("$[?@ ['a'] == 1]")]
    [InlineData("$[ ?@.a , 'b' , 0 , 1 : 2 : 3 , * ]")]
    [InlineData("$[?(!@.a && (@.b || @.c)) || !(@.d == 1)]")]
    [InlineData("$[?@.a == -0 && @.b == 1.5e+3 && @.c == 1E-2]")]
    [InlineData("$['\\ud83d\\ude00\\/\\b']")]
    [InlineData("$.☺_1")]
    public void Valid_queries(string text)
    {
        Assert.True(JsonPathQuery.TryParse(text, out var q, out var error), error);
        Assert.Equal(text, q!.Text);
    }

    [Theory]
    [InlineData("$[9007199254740992]", 2)]
    [InlineData("$[?@.a == 1", 1)]            // points at the unclosed '['
    [InlineData("$.a ", 3)]
    [InlineData("$[?@[ 'a' ] == 1]", 3)]     // name-segment has no room for blank space: not a singular query
    [InlineData("$[?!@.a == 1]", 3)]          // '!' only prefixes a test or parentheses
    [InlineData("$[?length(@.*) == 1]", 10)]
    [InlineData("$[?foo(@)]", 3)]
    [InlineData("$[?match(@.a, 'x') == true]", 3)]
    [InlineData("$['\\uDC00']", 3)]
    [InlineData("$[?@.a == 'x]", 10)]          // points at the unterminated string
    public void Invalid_queries_report_a_position(string text, int position)
    {
        var ex = Assert.Throws<JsonPathException>(() => JsonPathQuery.Parse(text));
        Assert.Equal(position, ex.Position);
        Assert.IsAssignableFrom<FormatException>(ex);
        Assert.False(JsonPathQuery.TryParse(text, out var q, out var error));
        Assert.Null(q);
        Assert.Contains("position " + position, error);
    }

    [Fact]
    public void A_comparison_outside_a_filter_gets_a_hint()
    {
        var ex = Assert.Throws<JsonPathException>(() => JsonPathQuery.Parse("$.state == \"inactive\""));
        Assert.Equal(7, ex.Position);
        Assert.Contains("only allowed inside a filter", ex.Message);
    }

    [Fact]
    public void Hostile_nesting_is_refused_without_overflowing_the_stack()
    {
        var deep = "$[?" + new string('(', 10_000) + "@" + new string(')', 10_000) + "]";
        Assert.Throws<JsonPathException>(() => JsonPathQuery.Parse(deep));
        var ok = "$[?" + new string('(', 100) + "@" + new string(')', 100) + "]";
        Assert.Equal(2, JsonPathQuery.Parse(ok).Select(JsonNode.Parse("[1,2]")).Count);
    }

    // ---- depth and size

    [Fact]
    public void Deep_documents_do_not_blow_the_stack()
    {
        const int depth = 200_000;
        JsonNode Build(string leafName)
        {
            JsonNode node = new JsonObject { [leafName] = 1 };
            for (int i = 0; i < depth; i++) node = (i % 2 == 0) ? new JsonArray(node) : new JsonObject { ["n"] = node };
            return node;
        }

        var doc = new JsonObject { ["x"] = Build("a"), ["y"] = Build("a") };
        var nodes = JsonPathQuery.Parse("$..a").Select(doc);
        Assert.Equal(2, nodes.Count);
        Assert.StartsWith("$['x']['n'][0]['n'][0]", nodes[0].Location);
        Assert.EndsWith("['a']", nodes[0].Location);
        // deep equality is iterative too
        Assert.Single(JsonPathQuery.Parse("$[?@.x == @.y]").Select(new JsonArray(doc)));
        Assert.Equal(2, JsonPathQuery.Parse("$..[?@.a == 1]").Select(doc).Count);
    }

    [Fact]
    public void Large_documents_are_evaluated_in_linear_time()
    {
        var items = new JsonArray();
        for (int i = 0; i < 100_000; i++)
            items.Add(new JsonObject { ["id"] = i, ["price"] = i % 100, ["tags"] = new JsonArray("a", "b"), ["name"] = "item" + i });
        var doc = new JsonObject { ["store"] = new JsonObject { ["items"] = items } };
        var query = JsonPathQuery.Parse("$..[?@.price < 10 && match(@.name, 'item[0-9]*5')].id");
        var sw = Stopwatch.StartNew();
        var nodes = query.Select(doc);
        sw.Stop();
        Assert.Equal(1_000, nodes.Count);
        Assert.Equal("$['store']['items'][5]['id']", nodes[0].Location);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), "took " + sw.Elapsed);
    }

    [Fact]
    public void A_compiled_query_is_safe_to_share_across_threads()
    {
        var query = JsonPathQuery.Parse("$[?@.k > 2 && search(@.s, 'b')].k");
        var doc = JsonNode.Parse("""[{"k":1,"s":"abc"},{"k":3,"s":"abc"},{"k":4,"s":"x"},{"k":5,"s":"b"}]""");
        var results = new string[64];
        Parallel.For(0, results.Length, i => results[i] = Values(query.Select(doc)));
        Assert.All(results, r => Assert.Equal("[3,5]", r));
    }
}
