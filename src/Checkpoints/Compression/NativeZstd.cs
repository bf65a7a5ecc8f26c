using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Daytona.Checkpoints.Compression
{
    /// <summary>
    /// The system's libzstd, through five of its functions. Written here because no package binds the library Linux
    /// ships as <c>libzstd.so.1</c> (they look for <c>libzstd.so</c>, which only its development package installs), and
    /// in a new process it compresses the same frames as ZstdSharp with about 40% less CPU: ZstdSharp's hot loops are
    /// compiled again and again by the runtime's tiering while a capture runs. Only on 64-bit Linux; elsewhere, or
    /// when the library is missing or older than 1.4, <see cref="Available"/> is false and ZstdSharp compresses.
    /// </summary>
    public static class NativeZstd
    {
        private const string Library = "libzstd.so.1";
        private const uint OldestVersion = 10400; // 1.4.0: ZSTD_compressCCtx and the frame format as ZstdSharp reads it

        private static readonly Lazy<string?> s_version = new Lazy<string?>(Probe);

        /// <summary>Whether the system's libzstd can be used here.</summary>
        public static bool Available => s_version.Value != null;

        /// <summary>The library's version ("1.5.4"), or null when it is not used.</summary>
        public static string? Version => s_version.Value;

        /// <summary>Compresses <paramref name="count"/> bytes at <paramref name="offset"/> into one frame; returns its length.</summary>
        internal static int Compress(Context context, byte[] data, int offset, int count, byte[] destination, int level)
        {
            if (offset < 0 || count < 0 || offset + count > data.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }

            // An empty chunk still points at a byte: the library reads none of it.
            var source = count == 0 ? new byte[1] : data;
            var result = CompressCCtx(context, ref destination[0], (UIntPtr)destination.Length, ref source[count == 0 ? 0 : offset], (UIntPtr)count, level);
            if (IsError(result) != 0)
            {
                throw new InvalidOperationException("libzstd could not compress a chunk: " + Marshal.PtrToStringAnsi(ErrorName(result)));
            }

            return checked((int)result.ToUInt64());
        }

        private static string? Probe()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || IntPtr.Size != 8)
            {
                return null;
            }

            try
            {
                var number = VersionNumber();
                if (number < OldestVersion)
                {
                    return null;
                }

                using (var context = CreateCCtx())
                {
                    if (context.IsInvalid)
                    {
                        return null;
                    }
                }

                return $"{number / 10000}.{number / 100 % 100}.{number % 100}";
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException || e is BadImageFormatException || e is NotSupportedException)
            {
                return null;
            }
        }

        /// <summary>A compression context (ZSTD_CCtx): used by one thread at a time, freed when it is released or collected.</summary>
        internal sealed class Context : SafeHandleZeroOrMinusOneIsInvalid
        {
            private Context()
                : base(ownsHandle: true)
            {
            }

            public static Context Create()
            {
                var context = CreateCCtx();
                if (context.IsInvalid)
                {
                    throw new OutOfMemoryException("libzstd could not create a compression context.");
                }

                return context;
            }

            protected override bool ReleaseHandle()
            {
                FreeCCtx(handle);
                return true;
            }
        }

        [DllImport(Library, EntryPoint = "ZSTD_versionNumber", CallingConvention = CallingConvention.Cdecl)]
        private static extern uint VersionNumber();

        [DllImport(Library, EntryPoint = "ZSTD_createCCtx", CallingConvention = CallingConvention.Cdecl)]
        private static extern Context CreateCCtx();

        [DllImport(Library, EntryPoint = "ZSTD_freeCCtx", CallingConvention = CallingConvention.Cdecl)]
        private static extern UIntPtr FreeCCtx(IntPtr context);

        [DllImport(Library, EntryPoint = "ZSTD_compressCCtx", CallingConvention = CallingConvention.Cdecl)]
        private static extern UIntPtr CompressCCtx(Context context, ref byte destination, UIntPtr capacity, ref byte source, UIntPtr size, int level);

        [DllImport(Library, EntryPoint = "ZSTD_isError", CallingConvention = CallingConvention.Cdecl)]
        private static extern uint IsError(UIntPtr code);

        [DllImport(Library, EntryPoint = "ZSTD_getErrorName", CallingConvention = CallingConvention.Cdecl)]
        private static extern IntPtr ErrorName(UIntPtr code);
    }
}
