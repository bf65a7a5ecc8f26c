using System;
using System.Collections.Generic;
using System.Globalization;
using Tomlyn;
using Tomlyn.Model;

namespace Daytona.Images
{
    /// <summary>
    /// Reads TOML (<c>pyproject.toml</c>) with Tomlyn into plain values: <see cref="Dictionary{TKey,TValue}"/> (tables),
    /// <see cref="List{T}"/> (arrays and arrays of tables), <see cref="string"/>, <see cref="long"/>, <see cref="double"/>
    /// and <see cref="bool"/>; dates and times are kept as their TOML text.
    /// </summary>
    public static class TomlReader
    {
        // TOML forbids defining a key twice; the serializer's default keeps the last value.
        private static readonly TomlSerializerOptions s_options = new TomlSerializerOptions { DuplicateKeyHandling = TomlDuplicateKeyHandling.Error };

        /// <exception cref="FormatException">The text is not valid TOML (the message says where).</exception>
        public static Dictionary<string, object> Parse(string text)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            Dictionary<string, object> table;
            try
            {
                // Read as a dictionary: that path checks for keys defined twice (a TomlTable target does not).
                table = TomlSerializer.Deserialize<Dictionary<string, object>>(text, s_options) ?? new Dictionary<string, object>();
            }
            catch (TomlException e)
            {
                throw new FormatException(e.Message.Trim(), e);
            }

            return Table(table);
        }

        private static Dictionary<string, object> Table(IEnumerable<KeyValuePair<string, object>> table)
        {
            var result = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var pair in table)
            {
                result[pair.Key] = Value(pair.Value);
            }

            return result;
        }

        private static object Value(object? value)
        {
            switch (value)
            {
                case TomlTable table:
                    return Table(table);
                case TomlTableArray tables:
                    var list = new List<object>(tables.Count);
                    foreach (var item in tables)
                    {
                        list.Add(Table(item));
                    }

                    return list;
                case TomlArray array:
                    var values = new List<object>(array.Count);
                    foreach (var item in array)
                    {
                        values.Add(Value(item));
                    }

                    return values;
                case string _:
                case long _:
                case double _:
                case bool _:
                    return value;
                case int i:
                    return (long)i;
                case float f:
                    return (double)f;
                case TomlDateTime date:
                    return date.ToString();
                case IFormattable formattable:
                    return formattable.ToString(null, CultureInfo.InvariantCulture);
                default:
                    return value?.ToString() ?? string.Empty;
            }
        }
    }
}
