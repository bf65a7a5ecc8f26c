using System;
using System.Text;

namespace Daytona.Common
{
    /// <summary>
    /// Azure Pipelines logging commands, formatted and escaped exactly as the task library formats them
    /// (azure-pipelines-task-lib taskcommand.ts): data escapes <c>%</c>, CR and LF; property values also <c>]</c> and <c>;</c>.
    /// Pure text: the caller decides where the line goes (a PowerShell host writes it to stdout).
    /// </summary>
    public static class AzurePipelines
    {
        /// <summary>True when running inside an Azure Pipelines job (the agent sets TF_BUILD=True).</summary>
        public static bool IsActive => string.Equals(Environment.GetEnvironmentVariable("TF_BUILD"), "True", StringComparison.OrdinalIgnoreCase);

        public static string GroupStart(string title) => "##[group]" + SingleLine(title);

        public static string GroupEnd() => "##[endgroup]";

        public static string SetVariable(string name, string value, bool isOutput, bool isSecret = false, bool isReadOnly = false)
        {
            var properties = new StringBuilder("variable=").Append(EscapeProperty(name));
            if (isOutput)
            {
                properties.Append(";isOutput=true");
            }

            if (isSecret)
            {
                properties.Append(";issecret=true");
            }

            if (isReadOnly)
            {
                properties.Append(";isreadonly=true");
            }

            return Command("task.setvariable", properties.ToString(), value);
        }

        public static string SetSecret(string value) => Command("task.setsecret", null, value);

        /// <summary>
        /// A pipeline issue: <paramref name="type"/> is <c>error</c> or <c>warning</c>; <paramref name="code"/> an error id;
        /// <paramref name="sourcePath"/>, <paramref name="line"/> and <paramref name="column"/> where it comes from, which the
        /// run's summary links to.
        /// </summary>
        public static string LogIssue(string type, string message, string? code = null, string? sourcePath = null, int? line = null, int? column = null)
        {
            var properties = new StringBuilder("type=").Append(EscapeProperty(type));
            if (!string.IsNullOrEmpty(sourcePath))
            {
                properties.Append(";sourcepath=").Append(EscapeProperty(sourcePath!));
                if (line != null)
                {
                    properties.Append(";linenumber=").Append(line.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                if (column != null)
                {
                    properties.Append(";columnnumber=").Append(column.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            if (!string.IsNullOrEmpty(code))
            {
                properties.Append(";code=").Append(EscapeProperty(code!));
            }

            return Command("task.logissue", properties.ToString(), message);
        }

        public static string EscapeData(string value) =>
            value.Replace("%", "%AZP25").Replace("\r", "%0D").Replace("\n", "%0A");

        public static string EscapeProperty(string value) =>
            EscapeData(value).Replace("]", "%5D").Replace(";", "%3B");

        private static string Command(string area, string? properties, string data) =>
            "##vso[" + area + (string.IsNullOrEmpty(properties) ? string.Empty : " " + properties) + "]" + EscapeData(data);

        private static string SingleLine(string text) => text.Replace("\r", " ").Replace("\n", " ");
    }
}
