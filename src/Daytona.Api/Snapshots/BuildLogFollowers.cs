using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Api
{
    /// <summary>The build-log followers of one wait: one per building snapshot, each reconnecting until told to stop.</summary>
    internal sealed class BuildLogFollowers : IDisposable
    {
        private readonly DaytonaClient _client;
        private readonly SnapshotWaitOptions _options;
        private readonly CancellationToken _waitToken;
        private readonly Dictionary<string, (Task Task, CancellationTokenSource Stop, Func<bool> Settled)> _followers = new Dictionary<string, (Task, CancellationTokenSource, Func<bool>)>();

        public BuildLogFollowers(DaytonaClient client, SnapshotWaitOptions options, CancellationToken waitToken)
        {
            _client = client;
            _options = options;
            _waitToken = waitToken;
        }

        public void Start(Snapshot snapshot)
        {
            if (_followers.ContainsKey(snapshot.Id) || _options.OnBuildLogLine == null)
            {
                return;
            }

            var stop = CancellationTokenSource.CreateLinkedTokenSource(_waitToken);
            var settled = false;
            var task = Task.Run(() => FollowAsync(snapshot, () => settled, stop.Token));
            _followers[snapshot.Id] = (task, stop, () => settled = true);
        }

        /// <summary>The snapshot settled: let its follower drain what the server still sends (briefly), then stop it.</summary>
        /// <returns>False when the snapshot had no follower.</returns>
        public async Task<bool> FinishAsync(string id)
        {
            if (!_followers.TryGetValue(id, out var follower))
            {
                return false;
            }

            _followers.Remove(id);
            follower.Settled();
            await Task.WhenAny(follower.Task, Task.Delay(TimeSpan.FromSeconds(1), _waitToken)).ConfigureAwait(false);
            follower.Stop.Cancel();
            follower.Stop.Dispose();
            return true;
        }

        public void CancelAll()
        {
            foreach (var follower in _followers.Values)
            {
                follower.Stop.Cancel();
            }
        }

        public void Dispose()
        {
            CancelAll();
            foreach (var follower in _followers.Values)
            {
                follower.Stop.Dispose();
            }

            _followers.Clear();
        }

        private async Task FollowAsync(Snapshot snapshot, Func<bool> settled, CancellationToken token)
        {
            var emitted = 0;
            var failures = 0;
            while (!token.IsCancellationRequested)
            {
                var index = 0;
                try
                {
                    await foreach (var line in _client.GetBuildLogAsync(snapshot.Id, follow: true, token).ConfigureAwait(false))
                    {
                        // A reopened stream starts again from the first line: skip what was already shown.
                        if (index++ < emitted) continue;
                        emitted++;
                        _options.OnBuildLogLine?.Invoke(snapshot, line);
                    }

                    failures = 0;
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    failures++;
                    _options.OnLog?.Invoke($"The build log of '{snapshot.Name}' was cut ({e.Message}); reopening it.");
                }

                if (settled())
                {
                    return;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 500 * Math.Pow(2, Math.Min(failures, 4)))), token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
