using System;
using System.Linq;
using System.Management.Automation;
using Daytona.Common;
using Daytona.Images;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.Images
{
    /// <summary>
    /// Shared plumbing of the image cmdlets: relative paths resolve against the PowerShell current location (not the
    /// process working directory), and a definition error becomes an ErrorRecord for the image at hand (ImageFileNotFound,
    /// ImagePythonVersionUnsupported, ImageDefinitionInvalid) before anything is sent anywhere.
    /// </summary>
    public abstract class ImageCmdlet : DaytonaCmdlet
    {
        /// <summary>The current PowerShell file system location, for relative paths.</summary>
        protected string WorkingDirectory => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

        /// <summary>
        /// A local path as the image records it. Paths the SDK would understand (relative, absolute, <c>~</c>) are kept
        /// as written — they are part of the Dockerfile and of the context hash. A path on a PowerShell drive other than
        /// a drive letter (<c>TestDrive:\app.py</c>, <c>Temp:\x</c>) means nothing outside PowerShell, so it becomes the
        /// file system path it names.
        /// </summary>
        protected string LocalPath(string path)
        {
            var colon = path.IndexOf(':');
            if (colon > 1 && path.Substring(0, colon).All(c => char.IsLetterOrDigit(c) || c == '_' || c == '-'))
            {
                PSDriveInfo? drive;
                try
                {
                    drive = SessionState.Drive.Get(path.Substring(0, colon));
                }
                catch (System.Management.Automation.DriveNotFoundException)
                {
                    drive = null;
                }

                if (drive != null && drive.Provider.Name == "FileSystem")
                {
                    return SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
                }
            }

            return path;
        }

        /// <summary>Runs one image operation and writes its result, or writes its failure as a non-terminating error.</summary>
        protected void Emit(Func<DaytonaImage> operation, object? target)
        {
            DaytonaImage result;
            try
            {
                result = operation();
            }
            catch (DaytonaException e)
            {
                AsyncCmdlet.WriteFailure(this, e, target ?? e.Target);
                return;
            }

            WriteObject(Wrap(result));
        }

        /// <summary>
        /// The image as the pipeline carries it: with an <c>Image</c> note property naming itself, so it binds to
        /// <c>New-DaytonaSnapshot -Image</c> by property name — the way every object in this module binds — and a
        /// piped row with Name and ImageName properties still binds as before.
        /// </summary>
        internal static PSObject Wrap(DaytonaImage image)
        {
            var wrapped = PSObject.AsPSObject(image);
            if (wrapped.Properties["Image"] == null)
            {
                wrapped.Properties.Add(new PSNoteProperty("Image", image));
            }

            return wrapped;
        }
    }

    /// <summary>A builder cmdlet: takes an image from the pipeline and writes a new one.</summary>
    public abstract class ImageBuilderCmdlet : ImageCmdlet
    {
        /// <summary>The image to extend. The image itself is not changed; a new one is written.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        public DaytonaImage Image { get; set; } = null!;
    }
}
