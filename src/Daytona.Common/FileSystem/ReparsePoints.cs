using System;
using System.Text;

namespace Daytona.Common.FileSystem
{
    /// <summary>What a file-system entry is, as far as links go.</summary>
    public enum LinkKind
    {
        /// <summary>An ordinary file or folder.</summary>
        None,

        /// <summary>A symbolic link (Windows IO_REPARSE_TAG_SYMLINK, or a Unix symlink).</summary>
        SymbolicLink,

        /// <summary>A Windows junction (IO_REPARSE_TAG_MOUNT_POINT): a link to a folder.</summary>
        Junction,

        /// <summary>
        /// Another reparse point: a OneDrive/cloud-files placeholder, a deduplicated or compressed (WOF) file, an app
        /// execution alias. Not a link: its content is read like any file's (the file system supplies it).
        /// </summary>
        OtherReparsePoint,
    }

    /// <summary>
    /// Windows reparse tags and REPARSE_DATA_BUFFER, decoded without calling Windows (so they are tested everywhere).
    /// Only symbolic links and junctions are links; every other reparse point is content.
    /// </summary>
    public static class ReparsePoints
    {
        public const uint SymlinkTag = 0xA000000C;
        public const uint MountPointTag = 0xA0000003;
        public const uint CloudFilesTag = 0x9000001A;
        public const uint DedupTag = 0x80000013;

        private const uint SymlinkFlagRelative = 1;

        public static LinkKind KindOf(uint tag) => tag switch
        {
            0 => LinkKind.None,
            SymlinkTag => LinkKind.SymbolicLink,
            MountPointTag => LinkKind.Junction,
            _ => LinkKind.OtherReparsePoint,
        };

        /// <summary>
        /// The target a symbolic link or junction names, from its REPARSE_DATA_BUFFER (what .NET's LinkTarget returns:
        /// the substitute name, without the NT prefix <c>\??\</c>; a relative symlink's target as stored). Null for
        /// another kind of reparse point or a malformed buffer.
        /// </summary>
        public static string? TargetOf(byte[] buffer)
        {
            if (buffer == null || buffer.Length < 16)
            {
                return null;
            }

            var tag = BitConverter.ToUInt32(buffer, 0);
            int pathBuffer;
            var relative = false;
            if (tag == SymlinkTag)
            {
                if (buffer.Length < 20)
                {
                    return null;
                }

                relative = (BitConverter.ToUInt32(buffer, 16) & SymlinkFlagRelative) != 0;
                pathBuffer = 20;
            }
            else if (tag == MountPointTag)
            {
                pathBuffer = 16;
            }
            else
            {
                return null;
            }

            int substituteOffset = BitConverter.ToUInt16(buffer, 8);
            int substituteLength = BitConverter.ToUInt16(buffer, 10);
            if (pathBuffer + substituteOffset + substituteLength > buffer.Length)
            {
                return null;
            }

            var target = Encoding.Unicode.GetString(buffer, pathBuffer + substituteOffset, substituteLength);
            if (relative)
            {
                return target;
            }

            if (target.StartsWith(@"\??\UNC\", StringComparison.OrdinalIgnoreCase))
            {
                return @"\\" + target.Substring(8);
            }

            return target.StartsWith(@"\??\", StringComparison.Ordinal) ? target.Substring(4) : target;
        }
    }
}
