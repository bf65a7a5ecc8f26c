using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Daytona.JsonPath;

internal enum ValKind : byte
{
    Nothing,
    Null,
    False,
    True,
    Number,
    String,
    Array,
    Object,
}

/// <summary>
/// A ValueType value of RFC 9535 §2.4.1: either a JSON value or the special result Nothing. Primitives are unpacked
/// (number as double, string as string); arrays and objects keep their node for deep comparison.
/// </summary>
internal readonly struct Val
{
    public readonly ValKind Kind;
    public readonly double Number;
    public readonly string? Str;
    public readonly JsonNode? Node;

    private Val(ValKind kind, double number, string? str, JsonNode? node)
    {
        Kind = kind;
        Number = number;
        Str = str;
        Node = node;
    }

    public static readonly Val Nothing = default;
    public static readonly Val Null = new(ValKind.Null, 0, null, null);
    public static readonly Val True = new(ValKind.True, 0, null, null);
    public static readonly Val False = new(ValKind.False, 0, null, null);

    public static Val FromNumber(double d) => new(ValKind.Number, d, null, null);
    public static Val FromString(string s) => new(ValKind.String, 0, s, null);
    public static Val FromBool(bool b) => b ? True : False;

    public static Val FromNode(JsonNode? node)
    {
        switch (node)
        {
            case null: return Null;
            case JsonObject o: return new Val(ValKind.Object, 0, null, o);
            case JsonArray a: return new Val(ValKind.Array, 0, null, a);
            case JsonValue v: return FromJsonValue(v);
            default: return Null;
        }
    }

    private static Val FromJsonValue(JsonValue v)
    {
        switch (v.GetValueKind())
        {
            case JsonValueKind.String: return FromString(JsonValues.GetString(v));
            case JsonValueKind.Number: return FromNumber(JsonValues.GetNumber(v));
            case JsonValueKind.True: return True;
            case JsonValueKind.False: return False;
            case JsonValueKind.Null: return Null;
            case JsonValueKind.Object:
            case JsonValueKind.Array:
                // A JsonValue wrapping a structured value (rare): view it as a detached node for comparison.
                return FromNode(JsonNode.Parse(v.ToJsonString()));
            default: return Nothing;
        }
    }
}

internal static class JsonValues
{
    public static string GetString(JsonValue v)
    {
        if (v.TryGetValue<string>(out var s)) return s;
        if (v.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.String) return e.GetString()!;
        using var doc = JsonDocument.Parse(v.ToJsonString());
        return doc.RootElement.GetString() ?? string.Empty;
    }

    public static double GetNumber(JsonValue v)
    {
        if (v.TryGetValue<double>(out var d)) return d;
        if (v.TryGetValue<JsonElement>(out var e)) return ParseNumberText(e.GetRawText());
        if (v.TryGetValue<long>(out var l)) return l;
        if (v.TryGetValue<int>(out var i)) return i;
        if (v.TryGetValue<decimal>(out var m)) return (double)m;
        if (v.TryGetValue<float>(out var f)) return f;
        if (v.TryGetValue<ulong>(out var ul)) return ul;
        if (v.TryGetValue<uint>(out var ui)) return ui;
        if (v.TryGetValue<short>(out var sh)) return sh;
        if (v.TryGetValue<ushort>(out var us)) return us;
        if (v.TryGetValue<byte>(out var b)) return b;
        if (v.TryGetValue<sbyte>(out var sb)) return sb;
        return ParseNumberText(v.ToJsonString());
    }

    /// <summary>Parses JSON number text; magnitudes beyond double's range become ±Infinity (never throws on valid JSON).</summary>
    public static double ParseNumberText(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        // .NET Framework reports overflow as failure; the value is then necessarily huge (or tiny → 0).
        int e = text.IndexOfAny(new[] { 'e', 'E' });
        bool negativeExponent = e >= 0 && e + 1 < text.Length && text[e + 1] == '-';
        if (negativeExponent) return text.StartsWith("-", StringComparison.Ordinal) ? -0.0 : 0.0;
        return text.StartsWith("-", StringComparison.Ordinal) ? double.NegativeInfinity : double.PositiveInfinity;
    }

    /// <summary>RFC 9535 §2.3.5.2.2 equality: Nothing == Nothing; numbers by value; strings exactly; deep structure.</summary>
    public static bool AreEqual(in Val a, in Val b)
    {
        if (a.Kind != b.Kind) return false;
        switch (a.Kind)
        {
            case ValKind.Number: return a.Number == b.Number;
            case ValKind.String: return string.Equals(a.Str, b.Str, StringComparison.Ordinal);
            case ValKind.Array:
            case ValKind.Object: return DeepEquals(a.Node, b.Node);
            default: return true; // Nothing, Null, True, False
        }
    }

    /// <summary>RFC 9535 §2.3.5.2.2 ordering: numbers numerically, strings by Unicode scalar values; otherwise false.</summary>
    public static bool IsLess(in Val a, in Val b)
    {
        if (a.Kind == ValKind.Number && b.Kind == ValKind.Number) return a.Number < b.Number;
        if (a.Kind == ValKind.String && b.Kind == ValKind.String) return CompareCodePoints(a.Str!, b.Str!) < 0;
        return false;
    }

    /// <summary>Ordinal comparison by code point (UTF-16 ordinal order differs for surrogates vs U+E000..U+FFFF).</summary>
    public static int CompareCodePoints(string x, string y)
    {
        int n = Math.Min(x.Length, y.Length);
        for (int i = 0; i < n; i++)
        {
            char a = x[i], b = y[i];
            if (a == b) continue;
            return Fix(a) - Fix(b);
        }
        return x.Length - y.Length;

        static int Fix(char c)
        {
            if (c >= 0xE000) return c - 0x800;   // BMP above the surrogates sorts below supplementary code points
            if (c >= 0xD800) return c + 0x2000;  // surrogates (supplementary planes) sort last
            return c;
        }
    }

    /// <summary>Deep equality of two JSON values, iterative (an explicit stack) so document depth cannot overflow the stack.</summary>
    public static bool DeepEquals(JsonNode? x, JsonNode? y)
    {
        if (ReferenceEquals(x, y)) return true;
        var stack = new Stack<KeyValuePair<JsonNode?, JsonNode?>>();
        stack.Push(new KeyValuePair<JsonNode?, JsonNode?>(x, y));
        while (stack.Count > 0)
        {
            var pair = stack.Pop();
            var a = pair.Key;
            var b = pair.Value;
            if (ReferenceEquals(a, b)) continue;
            if (a is JsonArray aa)
            {
                if (b is not JsonArray ba || aa.Count != ba.Count) return false;
                for (int i = 0; i < aa.Count; i++) stack.Push(new KeyValuePair<JsonNode?, JsonNode?>(aa[i], ba[i]));
            }
            else if (a is JsonObject ao)
            {
                if (b is not JsonObject bo || ao.Count != bo.Count) return false;
                for (int i = 0; i < ao.Count; i++)
                {
                    var member = ao.GetAt(i);
                    if (!bo.TryGetPropertyValue(member.Key, out var other)) return false;
                    stack.Push(new KeyValuePair<JsonNode?, JsonNode?>(member.Value, other));
                }
            }
            else
            {
                if (b is JsonArray || b is JsonObject) return false;
                var va = Val.FromNode(a);
                var vb = Val.FromNode(b);
                if (va.Kind == ValKind.Array || va.Kind == ValKind.Object || vb.Kind == ValKind.Array || vb.Kind == ValKind.Object)
                {
                    if (va.Kind != vb.Kind) return false;
                    stack.Push(new KeyValuePair<JsonNode?, JsonNode?>(va.Node, vb.Node));
                    continue;
                }
                if (!AreEqual(va, vb)) return false;
            }
        }
        return true;
    }

    /// <summary>Number of Unicode scalar values in a string (a surrogate pair counts once).</summary>
    public static int CodePointLength(string s)
    {
        int count = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            count++;
        }
        return count;
    }
}
