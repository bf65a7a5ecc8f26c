using System;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>
    /// Object keys: '/'-separated segments of letters, digits and <c>. _ - ~</c>, relative to the repository (no
    /// leading or trailing '/', no empty, '.' or '..' segment). Every backend maps them onto its own names the same way
    /// (the folder: sub-folders; object stores: the repository's prefix plus the key).
    /// </summary>
    public static class StorageKeys
    {
        public static bool IsValid(string? key)
        {
            if (string.IsNullOrEmpty(key) || key![0] == '/' || key[key.Length - 1] == '/')
            {
                return false;
            }

            var segmentStart = 0;
            for (var i = 0; i <= key.Length; i++)
            {
                if (i == key.Length || key[i] == '/')
                {
                    var length = i - segmentStart;
                    if (length == 0 || (length == 1 && key[segmentStart] == '.') || (length == 2 && key[segmentStart] == '.' && key[segmentStart + 1] == '.'))
                    {
                        return false;
                    }

                    segmentStart = i + 1;
                    continue;
                }

                var c = key[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '~'))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Throws <see cref="ArgumentException"/> for a key that breaks the rules (a bug in the caller, not user input).</summary>
        public static string Check(string key)
        {
            if (!IsValid(key))
            {
                throw new ArgumentException($"'{key}' is not a valid object key.", nameof(key));
            }

            return key;
        }

        /// <summary>A listing prefix: empty, or a key prefix (may end with '/').</summary>
        public static string CheckPrefix(string prefix)
        {
            if (prefix.Length == 0)
            {
                return prefix;
            }

            var trimmed = prefix[prefix.Length - 1] == '/' ? prefix.Substring(0, prefix.Length - 1) : prefix;
            if (!IsValid(trimmed))
            {
                throw new ArgumentException($"'{prefix}' is not a valid key prefix.", nameof(prefix));
            }

            return prefix;
        }
    }
}
