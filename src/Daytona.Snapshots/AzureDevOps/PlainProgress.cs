using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace Daytona.Snapshots.AzureDevOps
{
    /// <summary>
    /// A build log has no progress bars: inside Azure Pipelines a progress record becomes a plain line when its status
    /// changes, and at most every <see cref="Interval"/> while it stays the same, so long waits show signs of life
    /// without flooding the log.
    /// </summary>
    internal sealed class PlainProgress
    {
        private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
        private readonly Dictionary<int, (string Status, DateTime Written)> _last = new Dictionary<int, (string, DateTime)>();

        public void Write(PSCmdlet cmdlet, ProgressRecord record)
        {
            if (record.RecordType == ProgressRecordType.Completed)
            {
                _last.Remove(record.ActivityId);
                return;
            }

            var status = record.StatusDescription ?? string.Empty;
            var now = DateTime.UtcNow;
            if (_last.TryGetValue(record.ActivityId, out var last) && last.Status == status && now - last.Written < Interval)
            {
                return;
            }

            _last[record.ActivityId] = (status, now);
            var percent = record.PercentComplete >= 0 ? $" ({record.PercentComplete}%)" : string.Empty;
            cmdlet.Host.UI.WriteLine($"{record.Activity}: {status}{percent}");
        }
    }
}
