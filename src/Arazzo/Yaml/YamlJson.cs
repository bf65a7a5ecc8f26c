using System;
using System.Globalization;
using System.IO;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Daytona.Arazzo.Yaml
{
    /// <summary>
    /// Reads YAML (and therefore JSON, a subset of YAML 1.2) into System.Text.Json nodes, the runtime value model
    /// of the Arazzo engine. Plain scalars become numbers, booleans and null by the YAML 1.2 core schema; quoted
    /// scalars stay strings.
    /// </summary>
    public static class YamlJson
    {
        public static JsonNode? Parse(string text)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
        }

        public static JsonNode? Convert(YamlNode node)
        {
            switch (node)
            {
                case YamlMappingNode mapping:
                    var obj = new JsonObject();
                    foreach (var pair in mapping.Children)
                    {
                        var key = ((YamlScalarNode)pair.Key).Value ?? string.Empty;
                        obj[key] = Convert(pair.Value);
                    }

                    return obj;
                case YamlSequenceNode sequence:
                    var array = new JsonArray();
                    foreach (var item in sequence.Children)
                    {
                        array.Add(Convert(item));
                    }

                    return array;
                case YamlScalarNode scalar:
                    return ConvertScalar(scalar);
                default:
                    throw new InvalidDataException($"Unsupported YAML node at {node.Start}.");
            }
        }

        private static JsonNode? ConvertScalar(YamlScalarNode scalar)
        {
            var value = scalar.Value ?? string.Empty;
            if (scalar.Style != YamlDotNet.Core.ScalarStyle.Plain)
            {
                return JsonValue.Create(value);
            }

            switch (value)
            {
                case "":
                case "~":
                case "null":
                case "Null":
                case "NULL":
                    return null;
                case "true":
                case "True":
                case "TRUE":
                    return JsonValue.Create(true);
                case "false":
                case "False":
                case "FALSE":
                    return JsonValue.Create(false);
            }

            if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return JsonValue.Create(integer);
            }

            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && !double.IsInfinity(real) && !double.IsNaN(real))
            {
                return JsonValue.Create(real);
            }

            return JsonValue.Create(value);
        }
    }
}
