using System;
using System.Net.Http;

namespace Daytona.Common.Http
{
    /// <summary>
    /// What may be retried for one call, chosen by the caller from what the call does. Only the pipeline
    /// (<see cref="ResilientHttp"/>) reads it; the table below is the whole rule.
    /// <list type="table">
    /// <item><term><see cref="Idempotent"/></term><description>GET, PUT, DELETE, HEAD and calls the server treats the
    /// same when repeated: 429, 502, 503, 504 and every transport failure (refused, dropped, timed out).</description></item>
    /// <item><term><see cref="NotIdempotent"/></term><description>POST create, activate: only what the server cannot
    /// have processed — a 429 (the rate limiter answers before any handler runs) and a connection that was never
    /// made. A caller that can recover by name (create → look it up) handles the ambiguous failures itself.</description></item>
    /// <item><term><see cref="TransportOnly"/></term><description>A step of someone else's design (an Arazzo step): no
    /// status is retried — statuses belong to the workflow's own criteria and retry actions — only transport
    /// failures, and of those after-send failures only for idempotent methods.</description></item>
    /// </list>
    /// </summary>
    public enum RetryPolicy
    {
        Idempotent,
        NotIdempotent,
        TransportOnly,
    }

    public static class RetryPolicies
    {
        /// <summary>The policy HTTP's method semantics give (RFC 9110 §9.2.2): idempotent methods, else not.</summary>
        public static RetryPolicy ForMethod(HttpMethod method) => IsIdempotent(method) ? RetryPolicy.Idempotent : RetryPolicy.NotIdempotent;

        /// <summary>GET, HEAD, PUT, DELETE, OPTIONS and TRACE.</summary>
        public static bool IsIdempotent(HttpMethod method)
        {
            if (method == null) throw new ArgumentNullException(nameof(method));
            var m = method.Method.ToUpperInvariant();
            return m == "GET" || m == "HEAD" || m == "PUT" || m == "DELETE" || m == "OPTIONS" || m == "TRACE";
        }
    }
}
