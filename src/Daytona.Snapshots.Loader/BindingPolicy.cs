using System;
using System.Linq;
using System.Reflection;

namespace Daytona.Snapshots.Loader
{
    /// <summary>
    /// Which requests for an assembly the module answers with a file of its Dependencies/ folder. One decision, used
    /// by the resolver at run time and by the build's binding check, so the check proves what the resolver does.
    /// <list type="bullet">
    /// <item>The module's own engine assemblies (<c>Daytona.*</c>) are answered for anyone: a script may use their types.</item>
    /// <item>A third-party assembly is answered only for the module's own assemblies (found by where they were loaded
    /// from, never by name, since another module may ship a file of the same name), or when the runtime does not say
    /// who asks.</item>
    /// <item>The shipped file must be the version asked or newer, from the same publisher: on .NET Framework a
    /// reference to System.Runtime.CompilerServices.Unsafe 4.0.4.1 is answered with the shipped 6.0.0.0 (what a binding
    /// redirect would do, without one), never with an older file, which could lack what the caller uses.</item>
    /// </list>
    /// </summary>
    public static class BindingPolicy
    {
        public static Binding Decide(DependencyFolder folder, AssemblyName requested, Assembly? requester)
        {
            string? location = null;
            if (requester != null)
            {
                try
                {
                    location = requester.IsDynamic ? null : requester.Location;
                }
                catch (NotSupportedException)
                {
                    location = null;
                }
            }

            return Decide(folder, requested, requester != null, location);
        }

        /// <param name="folder">What the module ships.</param>
        /// <param name="requested">The reference being resolved.</param>
        /// <param name="requesterKnown">Whether the runtime said which assembly asks.</param>
        /// <param name="requesterLocation">The file the asking assembly was loaded from (null or empty when in memory).</param>
        public static Binding Decide(DependencyFolder folder, AssemblyName requested, bool requesterKnown, string? requesterLocation)
        {
            if (folder == null)
            {
                throw new ArgumentNullException(nameof(folder));
            }

            if (requested?.Name == null || !folder.TryGet(requested.Name, out var shipped))
            {
                return new Binding(BindingKind.NotShipped, requested!, null);
            }

            var ownEngine = requested.Name.StartsWith("Daytona.", StringComparison.Ordinal);
            if (!ownEngine && requesterKnown && !folder.Holds(requesterLocation))
            {
                return new Binding(BindingKind.NotOurs, requested, shipped);
            }

            var askedToken = requested.GetPublicKeyToken();
            var shippedToken = shipped.Identity.GetPublicKeyToken() ?? Array.Empty<byte>();
            if (askedToken != null && askedToken.Length > 0 && !askedToken.SequenceEqual(shippedToken))
            {
                return new Binding(BindingKind.OtherPublisher, requested, shipped);
            }

            if (requested.Version == null || requested.Version == shipped.Version)
            {
                return new Binding(BindingKind.Exact, requested, shipped);
            }

            return shipped.Version > requested.Version
                ? new Binding(BindingKind.NewerShipped, requested, shipped)
                : new Binding(BindingKind.OlderShipped, requested, shipped);
        }
    }

    public enum BindingKind
    {
        /// <summary>The module ships no assembly of that name: someone else's request.</summary>
        NotShipped,

        /// <summary>Shipped, but asked for by an assembly that is not the module's: left to its owner.</summary>
        NotOurs,

        /// <summary>The shipped file is the version asked.</summary>
        Exact,

        /// <summary>The shipped file is newer than the version asked: answered with it (a redirect, without a config file).</summary>
        NewerShipped,

        /// <summary>The shipped file is older than the version asked: refused.</summary>
        OlderShipped,

        /// <summary>The request names another publisher's key: refused.</summary>
        OtherPublisher,
    }

    /// <summary>The decision for one request: answered with <see cref="Shipped"/>, or not, and why.</summary>
    public sealed class Binding
    {
        internal Binding(BindingKind kind, AssemblyName requested, ShippedAssembly? shipped)
        {
            Kind = kind;
            Requested = requested;
            Shipped = shipped;
        }

        public BindingKind Kind { get; }

        public AssemblyName Requested { get; }

        public ShippedAssembly? Shipped { get; }

        /// <summary>The file the resolver loads, or null when it leaves the request alone.</summary>
        public string? Path => Kind == BindingKind.Exact || Kind == BindingKind.NewerShipped ? Shipped?.Path : null;

        public override string ToString()
        {
            var asked = $"{Requested.Name} {Requested.Version}";
            switch (Kind)
            {
                case BindingKind.Exact:
                    return $"{asked}: shipped as asked";
                case BindingKind.NewerShipped:
                    return $"{asked}: answered with the shipped {Shipped!.Version}";
                case BindingKind.OlderShipped:
                    return $"{asked}: refused, the module ships the older {Shipped!.Version}";
                case BindingKind.OtherPublisher:
                    return $"{asked}: refused, the shipped file has another publisher's key";
                case BindingKind.NotOurs:
                    return $"{asked}: left to the assembly's owner (not asked by this module)";
                default:
                    return $"{asked}: not shipped by this module";
            }
        }
    }
}
