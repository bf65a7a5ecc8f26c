using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using Daytona.Api.Observation;

namespace Daytona.Recording
{
    /// <summary>One call kept by a recording: the call as the client saw it, which command made it, and in what order.</summary>
    public sealed class RecordedCall
    {
        private JsonNode? _request;
        private JsonNode? _response;
        private bool _parsedRequest;
        private bool _parsedResponse;

        internal RecordedCall(long sequence, string command, int unit, IReadOnlyList<string> targets, ApiCall call)
        {
            Sequence = sequence;
            Command = command;
            Unit = unit;
            Targets = targets;
            Method = call.Method;
            Path = call.Path;
            ApiUrl = call.ApiUrl;
            OrganizationId = call.OrganizationId;
            StatusCode = call.StatusCode;
            Duration = call.Duration;
            var query = Path.IndexOf('?');
            PathOnly = query < 0 ? Path : Path.Substring(0, query);
            Query = query < 0 ? string.Empty : Path.Substring(query + 1);
            Segments = IsApiPath ? PathOnly.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries) : Array.Empty<string>();
            for (var i = 0; i < Segments.Length; i++)
            {
                Segments[i] = Uri.UnescapeDataString(Segments[i]);
            }

            // Object storage answers carry credentials (push access: a secret key and a session token): a recording
            // keeps no body of those, nor of anything outside the API (a build log).
            var keepBodies = IsApiPath && !(Segments.Length > 0 && Segments[0] == "object-storage");
            RequestBody = keepBodies ? call.RequestBody : null;
            ResponseBody = keepBodies ? call.ResponseBody : null;
            SnapshotKey = Segments.Length >= 2 && Segments[0] == "snapshots" ? Segments[1]
                : Segments.Length == 1 && Segments[0] == "snapshots" && Method == "POST" ? Text(RequestJson, "name")
                : null;
        }

        /// <summary>The order the call was made in, across every command of the recording.</summary>
        public long Sequence { get; }

        /// <summary>The command that made the call, e.g. <c>New-DaytonaSnapshot</c>.</summary>
        public string Command { get; }

        /// <summary>The unit of the command's work it belongs to (one per piped snapshot, one per wait).</summary>
        public int Unit { get; }

        /// <summary>The ids or names the unit was given to act on.</summary>
        public IReadOnlyList<string> Targets { get; }

        public string Method { get; }

        /// <summary>The path relative to the API base with its query, or the absolute URL of a call outside the API.</summary>
        public string Path { get; }

        /// <summary>The API base URL of the connection that made the call.</summary>
        public string? ApiUrl { get; }

        /// <summary>The organization the call was sent for, when one was.</summary>
        public string? OrganizationId { get; }

        public int? StatusCode { get; }

        public TimeSpan Duration { get; }

        /// <summary>The JSON request body (none kept for object storage).</summary>
        public string? RequestBody { get; }

        /// <summary>The response body (none kept for object storage or a stream).</summary>
        public string? ResponseBody { get; }

        /// <summary>True for an error answer or no answer at all.</summary>
        public bool Failed => StatusCode == null || StatusCode >= 400;

        /// <summary>True when the call went to the API (a relative path), not to a URL the API handed out (a build log).</summary>
        public bool IsApiPath => !Path.StartsWith("http:", StringComparison.OrdinalIgnoreCase) && !Path.StartsWith("https:", StringComparison.OrdinalIgnoreCase);

        /// <summary>The path without its query, relative to the API base.</summary>
        public string PathOnly { get; }

        public string Query { get; }

        /// <summary>The path's segments, unescaped.</summary>
        public string[] Segments { get; }

        /// <summary>The snapshot the call is about, as the call named it (an id, or a name), when it is about one.</summary>
        public string? SnapshotKey { get; }

        public JsonNode? RequestJson
        {
            get
            {
                if (!_parsedRequest)
                {
                    _request = Parse(RequestBody);
                    _parsedRequest = true;
                }

                return _request;
            }
        }

        public JsonNode? ResponseJson
        {
            get
            {
                if (!_parsedResponse)
                {
                    _response = Parse(ResponseBody);
                    _parsedResponse = true;
                }

                return _response;
            }
        }

        public override string ToString() => $"#{Sequence} {Command}: {Method} {Path} -> {StatusCode}";

        internal static string? Text(JsonNode? node, string property) =>
            node is JsonObject o && o.TryGetPropertyValue(property, out var value) && value is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

        private static JsonNode? Parse(string? text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            try
            {
                return JsonNode.Parse(text!);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
