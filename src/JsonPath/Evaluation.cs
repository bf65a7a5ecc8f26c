// Hand-written: no JSONPath library is served by the package registry here (JsonPath.Net is not), so the RFC 9535 evaluator is ours.
using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Daytona.JsonPath;

/// <summary>A node during evaluation: its value and (when locations are tracked) its path.</summary>
internal readonly struct Item
{
    public readonly JsonNode? Value;
    public readonly PathLink? Path;

    public Item(JsonNode? value, PathLink? path)
    {
        Value = value;
        Path = path;
    }
}

/// <summary>Per-Select state: the root, and pools of scratch lists and traversal stacks (evaluation is re-entrant
/// because filters can hold queries that hold filters).</summary>
internal sealed class EvalContext
{
    public readonly JsonNode? Root;
    private readonly Stack<List<Item>> _lists = new();
    private readonly Stack<FrameStack> _frames = new();
    private readonly long _budget;
    private readonly System.Threading.CancellationToken _cancellation;
    private long _used;

    public EvalContext(JsonNode? root, long budget = long.MaxValue, System.Threading.CancellationToken cancellation = default)
    {
        Root = root;
        _budget = budget;
        _cancellation = cancellation;
    }

    /// <summary>Counts nodes visited or selected; past the budget the evaluation stops, and every 4096 it observes cancellation.</summary>
    public void Charge(long nodes)
    {
        var before = _used;
        _used += nodes;
        if (_used > _budget) throw new JsonPathLimitException(_budget);
        if ((before >> 12) != (_used >> 12)) _cancellation.ThrowIfCancellationRequested();
    }

    public List<Item> RentList() => _lists.Count > 0 ? _lists.Pop() : new List<Item>();

    public void ReturnList(List<Item> list)
    {
        list.Clear();
        _lists.Push(list);
    }

    public FrameStack RentFrames() => _frames.Count > 0 ? _frames.Pop() : new FrameStack();

    public void ReturnFrames(FrameStack frames)
    {
        frames.Clear();
        _frames.Push(frames);
    }
}

/// <summary>Explicit stack for the pre-order walk of a descendant segment: (container, its path, next child).</summary>
internal sealed class FrameStack
{
    public struct Frame
    {
        public JsonNode Container;
        public PathLink? Path;
        public int Next;
    }

    private Frame[] _items = new Frame[16];
    public int Count;

    public void Push(JsonNode container, PathLink? path)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = new Frame { Container = container, Path = path, Next = 0 };
    }

    public ref Frame Top => ref _items[Count - 1];

    public void Pop() => _items[--Count] = default;

    public void Clear()
    {
        Array.Clear(_items, 0, Count);
        Count = 0;
    }
}

/// <summary>A compiled query: root or current identifier followed by segments.</summary>
internal sealed class Query
{
    public readonly bool Absolute;
    public readonly Segment[] Segments;
    /// <summary>Non-null when the query is a singular query (RFC 9535 §2.3.5.1): names and indexes only.</summary>
    public readonly SingularStep[]? Singular;

    public Query(bool absolute, Segment[] segments, SingularStep[]? singular)
    {
        Absolute = absolute;
        Segments = segments;
        Singular = singular;
    }

    public bool IsSingular => Singular != null;

    /// <summary>Appends the result nodelist to <paramref name="output"/>.</summary>
    public void Evaluate(EvalContext ctx, JsonNode? current, bool track, List<Item> output)
    {
        var start = Absolute ? ctx.Root : current;
        if (Segments.Length == 0)
        {
            output.Add(new Item(start, null));
            return;
        }

        var input = ctx.RentList();
        input.Add(new Item(start, null));
        for (int i = 0; i < Segments.Length; i++)
        {
            bool last = i == Segments.Length - 1;
            var next = last ? output : ctx.RentList();
            Segments[i].Apply(ctx, input, next, track);
            ctx.ReturnList(input);
            if (last) return;
            input = next;
            if (input.Count == 0)
            {
                ctx.ReturnList(input);
                return;
            }
        }
    }

    /// <summary>
    /// The size of the result nodelist, found depth first: each node a segment selects goes through the next segments
    /// before its siblings, so only one node's selections per segment are held at a time, never a whole intermediate
    /// nodelist (a pathological query near its budget holds kilobytes, not a million nodes). The nodes visited and
    /// selected, and so the budget, are those of <see cref="Evaluate"/>.
    /// </summary>
    public long Count(EvalContext ctx, JsonNode? current)
    {
        var start = Absolute ? ctx.Root : current;
        return Segments.Length == 0 ? 1 : CountFrom(ctx, 0, new Item(start, null));
    }

    private long CountFrom(EvalContext ctx, int segment, Item item)
    {
        var selected = ctx.RentList();
        Segments[segment].ApplyOne(ctx, item, selected, track: false);
        long count = 0;
        if (segment == Segments.Length - 1)
        {
            count = selected.Count;
        }
        else
        {
            for (int i = 0; i < selected.Count; i++) count += CountFrom(ctx, segment + 1, selected[i]);
        }
        ctx.ReturnList(selected);
        return count;
    }

    /// <summary>Resolves a singular query without building nodelists.</summary>
    public bool TryResolveSingular(EvalContext ctx, JsonNode? current, out JsonNode? value)
    {
        var node = Absolute ? ctx.Root : current;
        foreach (var step in Singular!)
        {
            if (step.Name != null)
            {
                if (node is JsonObject obj && obj.TryGetPropertyValue(step.Name, out var child))
                {
                    node = child;
                    continue;
                }
            }
            else if (node is JsonArray arr)
            {
                long idx = step.Index < 0 ? arr.Count + step.Index : step.Index;
                if (idx >= 0 && idx < arr.Count)
                {
                    node = arr[(int)idx];
                    continue;
                }
            }
            value = null;
            return false;
        }
        value = node;
        return true;
    }

    public bool Exists(EvalContext ctx, JsonNode? current)
    {
        if (Singular != null) return TryResolveSingular(ctx, current, out _);
        var list = ctx.RentList();
        Evaluate(ctx, current, false, list);
        bool any = list.Count > 0;
        ctx.ReturnList(list);
        return any;
    }
}

internal readonly struct SingularStep
{
    public readonly string? Name;
    public readonly long Index;

    public SingularStep(string name)
    {
        Name = name;
        Index = 0;
    }

    public SingularStep(long index)
    {
        Name = null;
        Index = index;
    }
}

internal sealed class Segment
{
    public readonly bool Descendant;
    public readonly Selector[] Selectors;

    public Segment(bool descendant, Selector[] selectors)
    {
        Descendant = descendant;
        Selectors = selectors;
    }

    public void Apply(EvalContext ctx, List<Item> input, List<Item> output, bool track)
    {
        for (int i = 0; i < input.Count; i++) ApplyOne(ctx, input[i], output, track);
    }

    /// <summary>The segment applied to one input node (what <see cref="Apply"/> does for each, in order).</summary>
    public void ApplyOne(EvalContext ctx, Item item, List<Item> output, bool track)
    {
        if (Descendant)
        {
            Descend(ctx, item, output, track);
            return;
        }

        var selectors = Selectors;
        var before = output.Count;
        for (int s = 0; s < selectors.Length; s++) selectors[s].Apply(ctx, item.Value, item.Path, track, output);
        ctx.Charge(1 + output.Count - before);
    }

    /// <summary>
    /// RFC 9535 §2.5.2.2: apply the selectors to the input node and to each of its descendants, in pre-order
    /// (a node before its children, array elements in order). Iterative; only containers are visited, since
    /// no selector selects anything from a primitive.
    /// </summary>
    private void Descend(EvalContext ctx, Item start, List<Item> output, bool track)
    {
        var selectors = Selectors;
        for (int s = 0; s < selectors.Length; s++) selectors[s].Apply(ctx, start.Value, start.Path, track, output);
        if (start.Value is not JsonObject && start.Value is not JsonArray) return;

        var frames = ctx.RentFrames();
        frames.Push(start.Value, start.Path);
        while (frames.Count > 0)
        {
            ref var top = ref frames.Top;
            JsonNode? child;
            PathLink? childPath = null;
            if (top.Container is JsonArray arr)
            {
                if (top.Next >= arr.Count)
                {
                    frames.Pop();
                    continue;
                }
                int index = top.Next++;
                child = arr[index];
                if (child is not JsonObject && child is not JsonArray) continue;
                if (track) childPath = new PathLink(top.Path, index);
            }
            else
            {
                var obj = (JsonObject)top.Container;
                if (top.Next >= obj.Count)
                {
                    frames.Pop();
                    continue;
                }
                var member = obj.GetAt(top.Next++);
                child = member.Value;
                if (child is not JsonObject && child is not JsonArray) continue;
                if (track) childPath = new PathLink(top.Path, member.Key);
            }

            var before = output.Count;
            for (int s = 0; s < selectors.Length; s++) selectors[s].Apply(ctx, child, childPath, track, output);
            ctx.Charge(1 + output.Count - before);
            frames.Push(child, childPath); // note: 'top' is not used after this point (the array may move)
        }
        ctx.ReturnFrames(frames);
    }
}

internal abstract class Selector
{
    public abstract void Apply(EvalContext ctx, JsonNode? node, PathLink? path, bool track, List<Item> output);
}

internal sealed class NameSelector : Selector
{
    public readonly string Name;

    public NameSelector(string name) => Name = name;

    public override void Apply(EvalContext ctx, JsonNode? node, PathLink? path, bool track, List<Item> output)
    {
        if (node is JsonObject obj && obj.TryGetPropertyValue(Name, out var value))
            output.Add(new Item(value, track ? new PathLink(path, Name) : null));
    }
}

internal sealed class WildcardSelector : Selector
{
    public static readonly WildcardSelector Instance = new();

    public override void Apply(EvalContext ctx, JsonNode? node, PathLink? path, bool track, List<Item> output)
    {
        if (node is JsonArray arr)
        {
            for (int i = 0; i < arr.Count; i++) output.Add(new Item(arr[i], track ? new PathLink(path, i) : null));
        }
        else if (node is JsonObject obj)
        {
            for (int i = 0; i < obj.Count; i++)
            {
                var member = obj.GetAt(i);
                output.Add(new Item(member.Value, track ? new PathLink(path, member.Key) : null));
            }
        }
    }
}

internal sealed class IndexSelector : Selector
{
    public readonly long Index;

    public IndexSelector(long index) => Index = index;

    public override void Apply(EvalContext ctx, JsonNode? node, PathLink? path, bool track, List<Item> output)
    {
        if (node is not JsonArray arr) return;
        long idx = Index < 0 ? arr.Count + Index : Index;
        if (idx >= 0 && idx < arr.Count)
            output.Add(new Item(arr[(int)idx], track ? new PathLink(path, (int)idx) : null));
    }
}

internal sealed class SliceSelector : Selector
{
    public readonly long? Start;
    public readonly long? End;
    public readonly long Step;

    public SliceSelector(long? start, long? end, long? step)
    {
        Start = start;
        End = end;
        Step = step ?? 1;
    }

    /// <summary>RFC 9535 §2.3.4.2.2 (array slice selector semantics).</summary>
    public override void Apply(EvalContext ctx, JsonNode? node, PathLink? path, bool track, List<Item> output)
    {
        if (node is not JsonArray arr || Step == 0) return;
        long len = arr.Count;
        long step = Step;
        long start = Start ?? (step >= 0 ? 0 : len - 1);
        long end = End ?? (step >= 0 ? len : -len - 1);
        long nStart = start >= 0 ? start : len + start;
        long nEnd = end >= 0 ? end : len + end;

        if (step > 0)
        {
            long lower = Math.Min(Math.Max(nStart, 0), len);
            long upper = Math.Min(Math.Max(nEnd, 0), len);
            for (long i = lower; i < upper; i += step)
                output.Add(new Item(arr[(int)i], track ? new PathLink(path, (int)i) : null));
        }
        else
        {
            long upper = Math.Min(Math.Max(nStart, -1), len - 1);
            long lower = Math.Min(Math.Max(nEnd, -1), len - 1);
            for (long i = upper; lower < i; i += step)
                output.Add(new Item(arr[(int)i], track ? new PathLink(path, (int)i) : null));
        }
    }
}

internal sealed class FilterSelector : Selector
{
    public readonly LogicalExpr Expression;

    public FilterSelector(LogicalExpr expression) => Expression = expression;

    public override void Apply(EvalContext ctx, JsonNode? node, PathLink? path, bool track, List<Item> output)
    {
        if (node is JsonArray arr)
        {
            for (int i = 0; i < arr.Count; i++)
            {
                var child = arr[i];
                if (Expression.Evaluate(ctx, child)) output.Add(new Item(child, track ? new PathLink(path, i) : null));
            }
        }
        else if (node is JsonObject obj)
        {
            for (int i = 0; i < obj.Count; i++)
            {
                var member = obj.GetAt(i);
                if (Expression.Evaluate(ctx, member.Value))
                    output.Add(new Item(member.Value, track ? new PathLink(path, member.Key) : null));
            }
        }
    }
}

// ---- filter expressions: LogicalType ----

internal abstract class LogicalExpr
{
    public abstract bool Evaluate(EvalContext ctx, JsonNode? current);
}

internal sealed class OrExpr : LogicalExpr
{
    private readonly LogicalExpr[] _operands;

    public OrExpr(LogicalExpr[] operands) => _operands = operands;

    public override bool Evaluate(EvalContext ctx, JsonNode? current)
    {
        foreach (var op in _operands)
            if (op.Evaluate(ctx, current)) return true;
        return false;
    }
}

internal sealed class AndExpr : LogicalExpr
{
    private readonly LogicalExpr[] _operands;

    public AndExpr(LogicalExpr[] operands) => _operands = operands;

    public override bool Evaluate(EvalContext ctx, JsonNode? current)
    {
        foreach (var op in _operands)
            if (!op.Evaluate(ctx, current)) return false;
        return true;
    }
}

internal sealed class NotExpr : LogicalExpr
{
    private readonly LogicalExpr _operand;

    public NotExpr(LogicalExpr operand) => _operand = operand;

    public override bool Evaluate(EvalContext ctx, JsonNode? current) => !_operand.Evaluate(ctx, current);
}

/// <summary>Existence test: a filter query used as a test-expr is true when its nodelist is not empty.</summary>
internal sealed class ExistsExpr : LogicalExpr
{
    private readonly Query _query;

    public ExistsExpr(Query query) => _query = query;

    public override bool Evaluate(EvalContext ctx, JsonNode? current) => _query.Exists(ctx, current);
}

internal enum ComparisonOp
{
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

internal sealed class ComparisonExpr : LogicalExpr
{
    private readonly ValueExpr _left;
    private readonly ComparisonOp _op;
    private readonly ValueExpr _right;

    public ComparisonExpr(ValueExpr left, ComparisonOp op, ValueExpr right)
    {
        _left = left;
        _op = op;
        _right = right;
    }

    public override bool Evaluate(EvalContext ctx, JsonNode? current)
    {
        var a = _left.Evaluate(ctx, current);
        var b = _right.Evaluate(ctx, current);
        switch (_op)
        {
            case ComparisonOp.Eq: return JsonValues.AreEqual(a, b);
            case ComparisonOp.Ne: return !JsonValues.AreEqual(a, b);
            case ComparisonOp.Lt: return JsonValues.IsLess(a, b);
            case ComparisonOp.Le: return JsonValues.IsLess(a, b) || JsonValues.AreEqual(a, b);
            case ComparisonOp.Gt: return JsonValues.IsLess(b, a);
            default: return JsonValues.IsLess(b, a) || JsonValues.AreEqual(a, b);
        }
    }
}

/// <summary>match() (full match) and search() (substring) over I-Regexp patterns.</summary>
internal sealed class RegexFunctionExpr : LogicalExpr
{
    private readonly ValueExpr _input;
    private readonly ValueExpr _pattern;
    private readonly bool _fullMatch;
    private readonly bool _precompiled;
    private readonly Regex? _regex; // when the pattern is a string literal; null if the literal is not a valid I-Regexp

    public RegexFunctionExpr(ValueExpr input, ValueExpr pattern, bool fullMatch)
    {
        _input = input;
        _pattern = pattern;
        _fullMatch = fullMatch;
        if (pattern is LiteralValue lit && lit.Value.Kind == ValKind.String)
        {
            _precompiled = true;
            _regex = InteroperableRegexTranslator.GetOrCompile(lit.Value.Str!, fullMatch);
        }
    }

    public override bool Evaluate(EvalContext ctx, JsonNode? current)
    {
        var input = _input.Evaluate(ctx, current);
        if (input.Kind != ValKind.String) return false;
        Regex? regex;
        if (_precompiled)
        {
            regex = _regex;
        }
        else
        {
            var pattern = _pattern.Evaluate(ctx, current);
            if (pattern.Kind != ValKind.String) return false;
            regex = InteroperableRegexTranslator.GetOrCompile(pattern.Str!, _fullMatch);
        }
        return regex != null && InteroperableRegexTranslator.IsMatch(regex, input.Str!);
    }
}

// ---- ValueType expressions ----

internal abstract class ValueExpr
{
    public abstract Val Evaluate(EvalContext ctx, JsonNode? current);
}

internal sealed class LiteralValue : ValueExpr
{
    public readonly Val Value;

    public LiteralValue(Val value) => Value = value;

    public override Val Evaluate(EvalContext ctx, JsonNode? current) => Value;
}

internal sealed class SingularQueryValue : ValueExpr
{
    private readonly Query _query;

    public SingularQueryValue(Query query) => _query = query;

    public override Val Evaluate(EvalContext ctx, JsonNode? current) =>
        _query.TryResolveSingular(ctx, current, out var value) ? Val.FromNode(value) : Val.Nothing;
}

internal sealed class LengthFunction : ValueExpr
{
    private readonly ValueExpr _arg;

    public LengthFunction(ValueExpr arg) => _arg = arg;

    public override Val Evaluate(EvalContext ctx, JsonNode? current)
    {
        var v = _arg.Evaluate(ctx, current);
        switch (v.Kind)
        {
            case ValKind.String: return Val.FromNumber(JsonValues.CodePointLength(v.Str!));
            case ValKind.Array: return Val.FromNumber(((JsonArray)v.Node!).Count);
            case ValKind.Object: return Val.FromNumber(((JsonObject)v.Node!).Count);
            default: return Val.Nothing;
        }
    }
}

internal sealed class CountFunction : ValueExpr
{
    private readonly NodesExpr _arg;

    public CountFunction(NodesExpr arg) => _arg = arg;

    public override Val Evaluate(EvalContext ctx, JsonNode? current)
    {
        var list = ctx.RentList();
        _arg.Evaluate(ctx, current, list);
        int n = list.Count;
        ctx.ReturnList(list);
        return Val.FromNumber(n);
    }
}

internal sealed class ValueFunction : ValueExpr
{
    private readonly NodesExpr _arg;

    public ValueFunction(NodesExpr arg) => _arg = arg;

    public override Val Evaluate(EvalContext ctx, JsonNode? current)
    {
        var list = ctx.RentList();
        _arg.Evaluate(ctx, current, list);
        var result = list.Count == 1 ? Val.FromNode(list[0].Value) : Val.Nothing;
        ctx.ReturnList(list);
        return result;
    }
}

// ---- NodesType expressions ----

internal abstract class NodesExpr
{
    public abstract void Evaluate(EvalContext ctx, JsonNode? current, List<Item> output);
}

internal sealed class QueryNodes : NodesExpr
{
    private readonly Query _query;

    public QueryNodes(Query query) => _query = query;

    public override void Evaluate(EvalContext ctx, JsonNode? current, List<Item> output)
    {
        if (_query.Singular != null)
        {
            if (_query.TryResolveSingular(ctx, current, out var value)) output.Add(new Item(value, null));
            return;
        }
        _query.Evaluate(ctx, current, false, output);
    }
}

/// <summary>A function returning NodesType used as a test-expr: true when the nodelist is not empty.</summary>
internal sealed class NodesExistExpr : LogicalExpr
{
    private readonly NodesExpr _nodes;

    public NodesExistExpr(NodesExpr nodes) => _nodes = nodes;

    public override bool Evaluate(EvalContext ctx, JsonNode? current)
    {
        var list = ctx.RentList();
        _nodes.Evaluate(ctx, current, list);
        bool any = list.Count > 0;
        ctx.ReturnList(list);
        return any;
    }
}
