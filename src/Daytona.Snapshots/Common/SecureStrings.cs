using System.Runtime.InteropServices;
using System.Security;

namespace Daytona.Snapshots.Common
{
    /// <summary>The one place a SecureString from the user becomes text, for the request that needs it.</summary>
    internal static class SecureStrings
    {
        public static string ToPlainText(SecureString secure)
        {
            var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
            try
            {
                return Marshal.PtrToStringUni(pointer) ?? string.Empty;
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }
    }
}
