using Daytona.Common;

namespace Daytona.Images
{
    /// <summary>
    /// The failures of an image definition, with the SDK's messages. Where the TypeScript SDK raises
    /// <c>DaytonaNotFoundError</c> we raise <see cref="ErrorKind.ObjectNotFound"/> (ErrorId <c>ImageFileNotFound</c>);
    /// where it raises <c>DaytonaInvalidArgumentError</c>, <see cref="ErrorKind.InvalidArgument"/>
    /// (<c>ImagePythonVersionUnsupported</c> for the Python series, <c>ImageDefinitionInvalid</c> otherwise).
    /// </summary>
    public static class ImageErrors
    {
        public static readonly string FileNotFound = ErrorCatalog.ImageFileNotFound.Id;
        public static readonly string PythonVersionUnsupported = ErrorCatalog.ImagePythonVersionUnsupported.Id;
        public static readonly string DefinitionInvalid = ErrorCatalog.ImageDefinitionInvalid.Id;

        public static DaytonaException NotFound(string message, object? target) =>
            new DaytonaException(FileNotFound, ErrorKind.ObjectNotFound, message, target)
            {
                RecommendedAction = "Check the path; relative paths resolve against the current location.",
            };

        public static DaytonaException Invalid(string message, object? target = null) =>
            new DaytonaException(DefinitionInvalid, ErrorKind.InvalidArgument, message, target);

        public static DaytonaException UnsupportedPython(string message, object? target) =>
            new DaytonaException(PythonVersionUnsupported, ErrorKind.InvalidArgument, message, target)
            {
                RecommendedAction = "Use one of the supported Python series: " + string.Join(", ", DaytonaImage.SupportedPythonSeries) + ".",
            };
    }
}
