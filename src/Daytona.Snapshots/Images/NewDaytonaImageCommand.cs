using System.Management.Automation;
using Daytona.Images;

namespace Daytona.Snapshots.Images
{
    /// <summary>
    /// <para type="synopsis">Starts a declarative Daytona image: a Python Debian slim image, any base image, or an existing Dockerfile.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "DaytonaImage", DefaultParameterSetName = DebianSlimSet)]
    [OutputType(typeof(DaytonaImage))]
    public sealed class NewDaytonaImageCommand : ImageCmdlet
    {
        private const string DebianSlimSet = "DebianSlim";
        private const string BaseSet = "Base";
        private const string DockerfileSet = "Dockerfile";

        /// <summary>The Python version of the official python:&lt;version&gt;-slim-bookworm image: a series 3.9 to 3.13, or a micro version of one. Default: the newest series.</summary>
        [Parameter(ParameterSetName = DebianSlimSet, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("PythonVersion")]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(Completion.PythonVersionCompleter))]
        public string? DebianSlim { get; set; }

        /// <summary>Any image reference to start from, e.g. ubuntu:22.04.</summary>
        [Parameter(ParameterSetName = BaseSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Base { get; set; } = null!;

        /// <summary>A Dockerfile to use as is; the sources of its COPY instructions become the build context.</summary>
        [Parameter(ParameterSetName = DockerfileSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Dockerfile { get; set; } = null!;

        /// <summary>Refuse COPY sources outside the Dockerfile's folder (absolute, ../, or reached through a symbolic link).</summary>
        [Parameter(ParameterSetName = DockerfileSet)]
        public SwitchParameter StrictContext { get; set; }

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case BaseSet:
                    Emit(() => DaytonaImage.Base(Base), Base);
                    break;
                case DockerfileSet:
                    Emit(() => DaytonaImage.FromDockerfile(LocalPath(Dockerfile), WorkingDirectory, StrictContext.IsPresent), Dockerfile);
                    break;
                default:
                    Emit(() => DaytonaImage.DebianSlim(DebianSlim), DebianSlim);
                    break;
            }
        }
    }
}
