using System.Management.Automation;
using Daytona.Images;

namespace Daytona.Snapshots.Images
{
    /// <summary>
    /// <para type="synopsis">Adds a pip install to a declarative Daytona image: named packages, a requirements file, or the dependencies of a pyproject.toml.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Add, "DaytonaImagePackage", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(DaytonaImage))]
    public sealed class AddDaytonaImagePackageCommand : ImageBuilderCmdlet
    {
        private const string NameSet = "Name";
        private const string RequirementsSet = "Requirements";
        private const string PyprojectSet = "Pyproject";

        /// <summary>Package requirements, e.g. numpy or 'django>=4'. They are installed in one step, sorted.</summary>
        [Parameter(ParameterSetName = NameSet, Mandatory = true, Position = 0)]
        [AllowEmptyCollection]
        public string[] Name { get; set; } = null!;

        /// <summary>A requirements.txt file; it is copied into the image and installed with pip install -r.</summary>
        [Parameter(ParameterSetName = RequirementsSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string RequirementsFile { get; set; } = null!;

        /// <summary>A pyproject.toml file; its [project] dependencies are installed.</summary>
        [Parameter(ParameterSetName = PyprojectSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string PyprojectFile { get; set; } = null!;

        /// <summary>Optional dependency groups of the pyproject.toml to install as well (e.g. dev).</summary>
        [Parameter(ParameterSetName = PyprojectSet)]
        [ValidateNotNullOrEmpty]
        public string[]? OptionalDependency { get; set; }

        /// <summary>pip --find-links locations.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? FindLinks { get; set; }

        /// <summary>pip --index-url.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? IndexUrl { get; set; }

        /// <summary>pip --extra-index-url locations.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? ExtraIndexUrl { get; set; }

        /// <summary>pip --pre: allow pre-releases.</summary>
        [Parameter]
        public SwitchParameter Pre { get; set; }

        /// <summary>More pip options, appended as written (e.g. --no-cache-dir).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ExtraOptions { get; set; }

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case RequirementsSet:
                    Emit(() => Image.PipInstallFromRequirements(LocalPath(RequirementsFile), Fill(new PipInstallOptions()), WorkingDirectory), RequirementsFile);
                    break;
                case PyprojectSet:
                    Emit(() => Image.PipInstallFromPyproject(LocalPath(PyprojectFile), (PyprojectOptions)Fill(new PyprojectOptions { OptionalDependencies = OptionalDependency }), WorkingDirectory), PyprojectFile);
                    break;
                default:
                    Emit(() => Image.PipInstall(Name, Fill(new PipInstallOptions())), Image);
                    break;
            }
        }

        // Not generic on purpose: a generic constraint naming an engine type would make PowerShell load the engine
        // assembly while it scans the module's types, before the module's dependency resolver is in place.
        private PipInstallOptions Fill(PipInstallOptions options)
        {
            options.FindLinks = FindLinks;
            options.IndexUrl = IndexUrl;
            options.ExtraIndexUrls = ExtraIndexUrl;
            options.Pre = Pre.IsPresent;
            options.ExtraOptions = ExtraOptions;
            return options;
        }
    }
}
