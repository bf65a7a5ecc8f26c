using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text.Json.Nodes;

namespace Daytona.Arazzo.Execution
{
    /// <summary>What the host wants to hear while a workflow runs. Every member is called on the engine's thread.</summary>
    public interface IRunListener
    {
        /// <summary>A step is about to run (its n-th execution in this workflow run).</summary>
        void StepStarting(string workflowId, string stepId, int attempt, int stepIndex, int stepCount);

        /// <summary>One line about a request or response, secrets already redacted.</summary>
        void Trace(string message);

        /// <summary>A leniency or another condition the user should know about.</summary>
        void Warning(string message);

        /// <summary>A step failed and no failure action handled it.</summary>
        void StepFailed(StepFailure failure);
    }

    /// <summary>A step that failed without a failure action to handle it.</summary>
    public sealed class StepFailure
    {
        public string WorkflowId { get; internal set; } = string.Empty;

        public string StepId { get; internal set; } = string.Empty;

        public int? StatusCode { get; internal set; }

        /// <summary>False when the step failed before any request was sent (e.g. a path parameter resolved to nothing).</summary>
        public bool RequestSent { get; internal set; } = true;

        /// <summary>The first few hundred characters of the response body, secrets redacted.</summary>
        public string? BodyExcerpt { get; internal set; }

        public string Message { get; internal set; } = string.Empty;
    }

    /// <summary>How to run a workflow.</summary>
    public sealed class RunOptions
    {
        /// <summary>Workflow inputs (validated against the workflow's inputs schema, defaults applied).</summary>
        public JsonObject Inputs { get; set; } = new JsonObject();

        /// <summary>Server URL per source description name, replacing the servers of its OpenAPI description.</summary>
        public IDictionary<string, string> ServerUrls { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Refuse documents that need a leniency (bare expressions, comparison-style jsonpath, …) and unresolved outputs.</summary>
        public bool Strict { get; set; }

        /// <summary>Most step executions in one run (all workflows together) before the run stops.</summary>
        public int MaxSteps { get; set; } = 1000;

        /// <summary>The whole run's time limit; null for none.</summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>The least time between two executions of the same step (a polling loop never runs faster).</summary>
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>
        /// When set, a step that keeps repeating waits longer each time (by a fifth), from <see cref="PollInterval"/>
        /// up to this, so a long build is polled gently; null keeps the interval fixed.
        /// </summary>
        public TimeSpan? MaxPollInterval { get; set; }

        /// <summary>Longest honoured Retry-After.</summary>
        public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>Time limit of one HTTP request.</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>The HTTP client to use; a shared one when null.</summary>
        public HttpClient? HttpClient { get; set; }

        public IRunListener? Listener { get; set; }

        /// <summary>Whether source descriptions may be fetched from http(s) URLs.</summary>
        public bool AllowRemoteSources { get; set; } = true;
    }
}
