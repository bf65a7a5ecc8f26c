using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Security;
using System.Text.Json.Nodes;
using Daytona.Arazzo.Expressions;

namespace Daytona.Snapshots.Arazzo
{
    /// <summary>Accepts seconds (a number or numeric text) or a TimeSpan for a TimeSpan parameter.</summary>
    internal sealed class ArazzoTimeSpanAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case TimeSpan span:
                    return span;
                case int i:
                    return TimeSpan.FromSeconds(i);
                case long l:
                    return TimeSpan.FromSeconds(l);
                case double d:
                    return TimeSpan.FromSeconds(d);
                case decimal m:
                    return TimeSpan.FromSeconds((double)m);
                case string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds):
                    return TimeSpan.FromSeconds(seconds);
                case string s when TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var parsed):
                    return parsed;
                default:
                    return inputData;
            }
        }
    }

    /// <summary>Turns PowerShell values (hashtables, PSObjects, SecureStrings, arrays) into the engine's JSON values.</summary>
    internal static class ArazzoValues
    {
        /// <summary>Merges a hashtable's entries or a PSObject's properties into <paramref name="into"/>.</summary>
        public static void Merge(JsonObject into, object? source, Func<string, bool>? accept = null, System.Collections.Generic.ICollection<string>? secrets = null)
        {
            source = source is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject) ? wrapped.BaseObject : source;
            switch (source)
            {
                case null:
                    return;
                case IDictionary dictionary:
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                        if (accept == null || accept(key))
                        {
                            into[key] = ToJson(entry.Value, 0, secrets);
                        }
                    }

                    return;
                default:
                    var psObject = source as PSObject ?? PSObject.AsPSObject(source);
                    foreach (var property in psObject.Properties)
                    {
                        if (!property.IsGettable || (accept != null && !accept(property.Name)))
                        {
                            continue;
                        }

                        object? value;
                        try
                        {
                            value = property.Value;
                        }
                        catch (GetValueException)
                        {
                            continue;
                        }

                        into[property.Name] = ToJson(value, 0, secrets);
                    }

                    return;
            }
        }

        public static JsonNode? ToJson(object? value, int depth, System.Collections.Generic.ICollection<string>? secrets = null)
        {
            if (depth > 32)
            {
                throw new ArgumentException("The value nests too deeply.");
            }

            switch (value)
            {
                case null:
                    return null;
                case PSObject wrapped when wrapped.BaseObject is PSCustomObject:
                    {
                        var obj = new JsonObject();
                        foreach (var property in wrapped.Properties)
                        {
                            obj[property.Name] = ToJson(property.Value, depth + 1, secrets);
                        }

                        return obj;
                    }

                case PSObject wrapped:
                    return ToJson(wrapped.BaseObject, depth, secrets);
                case SecureString secure:
                    {
                        // A value given as a SecureString is a secret whatever the input is called.
                        var plain = Common.SecureStrings.ToPlainText(secure);
                        secrets?.Add(plain);
                        return JsonValue.Create(plain);
                    }

                case PSCredential credential:
                    {
                        var password = Common.SecureStrings.ToPlainText(credential.Password);
                        secrets?.Add(password);
                        return new JsonObject { ["username"] = credential.UserName, ["password"] = password };
                    }
                case IDictionary dictionary:
                    {
                        var obj = new JsonObject();
                        foreach (DictionaryEntry entry in dictionary)
                        {
                            obj[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = ToJson(entry.Value, depth + 1, secrets);
                        }

                        return obj;
                    }

                case string _:
                    return JsonValue.Create((string)value);
                case IEnumerable enumerable:
                    {
                        var array = new JsonArray();
                        foreach (var item in enumerable)
                        {
                            array.Add(ToJson(item, depth + 1, secrets));
                        }

                        return array;
                    }

                default:
                    return JsonUtil.FromObject(value);
            }
        }

    }
}
