using System.Text.Json.Nodes;
using Daytona.Snapshots.Tests.Harness;

namespace Daytona.Snapshots.Tests.Recording;

/// <summary>
/// Compares two Arazzo documents' structure step by step — step ids and operations, parameters, request payloads,
/// success criteria, each action's name, type, target and criterion (context, type, condition), step and workflow
/// outputs, inputs (names, types, required, defaults) and source descriptions — and names each kind of difference.
/// Prose (titles, summaries, descriptions) is not structure.
/// </summary>
internal static class DocumentShape
{
    /// <summary>A document read as the module's engine reads it (its YAML reader), as JSON.</summary>
    public static JsonObject Read(ModuleSession session, string path)
    {
        var run = session.Run(@"
            $engine = @([System.Runtime.Loader.AssemblyLoadContext]::All | ForEach-Object Assemblies).Where({ $_.GetName().Name -eq 'Daytona.Arazzo' }, 'First')[0]
            $engine.GetType('Daytona.Arazzo.Yaml.YamlJson').GetMethod('Parse').Invoke($null, @([System.IO.File]::ReadAllText($args[0]))).ToJsonString()", path).ShouldSucceed();
        return JsonNode.Parse((string)run.Output.Single().BaseObject)!.AsObject();
    }

    public static SortedSet<string> Differences(JsonObject expected, JsonObject actual)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        if (Text(expected["sourceDescriptions"]?[0]?["url"]) != Text(actual["sourceDescriptions"]?[0]?["url"])) found.Add("sourceDescriptions.url");
        if (Text(expected["sourceDescriptions"]?[0]?["name"]) != Text(actual["sourceDescriptions"]?[0]?["name"])) found.Add("sourceDescriptions.name");

        var a = expected["workflows"]![0]!.AsObject();
        var b = actual["workflows"]![0]!.AsObject();
        if (Text(a["workflowId"]) != Text(b["workflowId"])) found.Add("workflowId");
        CompareInputs(a["inputs"] as JsonObject, b["inputs"] as JsonObject, found);

        var stepsA = (JsonArray)a["steps"]!;
        var stepsB = (JsonArray)b["steps"]!;
        if (stepsA.Count != stepsB.Count) found.Add("steps.count");
        for (var i = 0; i < Math.Min(stepsA.Count, stepsB.Count); i++)
        {
            CompareStep(stepsA[i]!.AsObject(), stepsB[i]!.AsObject(), found);
        }

        CompareMap(a["outputs"] as JsonObject, b["outputs"] as JsonObject, "outputs", found);
        return found;
    }

    private static void CompareInputs(JsonObject? a, JsonObject? b, SortedSet<string> found)
    {
        var propsA = a?["properties"] as JsonObject ?? new JsonObject();
        var propsB = b?["properties"] as JsonObject ?? new JsonObject();
        if (!propsA.Select(p => p.Key).SequenceEqual(propsB.Select(p => p.Key))) found.Add("inputs.names");
        foreach (var (name, schema) in propsA)
        {
            if (propsB[name] is not JsonObject other) continue;
            if (Text(schema?["type"]) != Text(other["type"])) found.Add("inputs.type");
            if (((JsonObject)schema!).ContainsKey("default") != other.ContainsKey("default")) found.Add("inputs.default");
        }

        var requiredA = (a?["required"] as JsonArray)?.Select(Text).ToList() ?? new List<string?>();
        var requiredB = (b?["required"] as JsonArray)?.Select(Text).ToList() ?? new List<string?>();
        if (!requiredA.SequenceEqual(requiredB)) found.Add("inputs.required");
    }

    private static void CompareStep(JsonObject a, JsonObject b, SortedSet<string> found)
    {
        if (Text(a["stepId"]) != Text(b["stepId"])) found.Add("stepId");
        if (Text(a["operationId"]) != Text(b["operationId"])) found.Add("operationId");

        var parametersA = (a["parameters"] as JsonArray ?? new JsonArray()).Select(p => p!.AsObject()).ToList();
        var parametersB = (b["parameters"] as JsonArray ?? new JsonArray()).Select(p => p!.AsObject()).ToList();
        if (!parametersA.Select(Key).SequenceEqual(parametersB.Select(Key))) found.Add("parameters.names");
        foreach (var parameter in parametersA)
        {
            var other = parametersB.FirstOrDefault(p => Key(p) == Key(parameter));
            if (other != null && Text(parameter["value"]) != Text(other["value"])) found.Add($"parameters.{Text(parameter["name"])}.value");
        }

        CompareMap(a["requestBody"]?["payload"] as JsonObject, b["requestBody"]?["payload"] as JsonObject, "requestBody.payload", found);
        if (Text(a["requestBody"]?["contentType"]) != Text(b["requestBody"]?["contentType"])) found.Add("requestBody.contentType");
        if (!Conditions(a["successCriteria"]).SequenceEqual(Conditions(b["successCriteria"]))) found.Add("successCriteria");
        CompareActions(a["onSuccess"] as JsonArray, b["onSuccess"] as JsonArray, "onSuccess", found);
        CompareActions(a["onFailure"] as JsonArray, b["onFailure"] as JsonArray, "onFailure", found);
        CompareMap(a["outputs"] as JsonObject, b["outputs"] as JsonObject, "step.outputs", found);
    }

    private static void CompareActions(JsonArray? a, JsonArray? b, string where, SortedSet<string> found)
    {
        var actionsA = (a ?? new JsonArray()).Select(x => x!.AsObject()).ToList();
        var actionsB = (b ?? new JsonArray()).Select(x => x!.AsObject()).ToList();
        if (!actionsA.Select(x => $"{Text(x["name"])}:{Text(x["type"])}:{Text(x["stepId"])}").SequenceEqual(actionsB.Select(x => $"{Text(x["name"])}:{Text(x["type"])}:{Text(x["stepId"])}")))
        {
            found.Add(where + ".actions");
            return;
        }

        for (var i = 0; i < actionsA.Count; i++)
        {
            var criteriaA = (actionsA[i]["criteria"] as JsonArray ?? new JsonArray()).Select(c => c!.AsObject()).ToList();
            var criteriaB = (actionsB[i]["criteria"] as JsonArray ?? new JsonArray()).Select(c => c!.AsObject()).ToList();
            var name = Text(actionsA[i]["name"]);
            if (criteriaA.Count != criteriaB.Count || criteriaA.Zip(criteriaB).Any(p => Text(p.First["context"]) != Text(p.Second["context"]) || Text(p.First["type"]) != Text(p.Second["type"])))
            {
                found.Add($"{where}.{name}.criteria");
            }
            else if (criteriaA.Zip(criteriaB).Any(p => Text(p.First["condition"]) != Text(p.Second["condition"])))
            {
                found.Add($"{where}.{name}.condition");
            }
        }
    }

    private static void CompareMap(JsonObject? a, JsonObject? b, string where, SortedSet<string> found)
    {
        var mapA = a ?? new JsonObject();
        var mapB = b ?? new JsonObject();
        if (!mapA.Select(p => p.Key).SequenceEqual(mapB.Select(p => p.Key)))
        {
            found.Add(where + ".names");
        }

        foreach (var (name, value) in mapA)
        {
            if (mapB.ContainsKey(name) && Text(value) != Text(mapB[name]))
            {
                found.Add(where + "." + name);
            }
        }
    }

    private static IEnumerable<string?> Conditions(JsonNode? criteria) => (criteria as JsonArray ?? new JsonArray()).Select(c => Text(c?["condition"]));

    private static string Key(JsonObject parameter) => Text(parameter["name"]) + "@" + Text(parameter["in"]);

    private static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };
}
