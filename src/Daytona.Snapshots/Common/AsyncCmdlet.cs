using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;
using Daytona.Common.Http;
using Daytona.Snapshots.AzureDevOps;

namespace Daytona.Snapshots.Common
{
    /// <summary>
    /// Base for cmdlets whose work is asynchronous (HTTP, file I/O, waits). The engine call runs on the thread pool
    /// with a token that Ctrl+C (<see cref="StopProcessing"/>) cancels; everything it writes is queued and written
    /// here, on the pipeline thread, as it happens — so objects stream out while the work goes on, and PowerShell's
    /// rule that only the pipeline thread may write holds.
    /// Inside an Azure Pipelines job the work runs in a collapsible log group (<see cref="LogGroupTitle"/>), errors that
    /// reach the user are also raised as pipeline issues (<see cref="DaytonaCmdlet"/>), and progress becomes plain
    /// periodic lines.
    /// <para>
    /// Per-item vs terminating is decided here, once, by the error's catalog scope (<see cref="ErrorCatalog.EndsCommand"/>):
    /// a failure about one input object is a non-terminating error for it and the pipeline goes on with the others;
    /// a failure every later input would share (rejected credentials, an API that cannot be reached at all, a bad
    /// parameter) ends the command. Work for one input runs through <see cref="RunForItem"/>; work that handles many
    /// inputs wraps each in <see cref="ForItemAsync"/>. No cmdlet catches a failure to decide this itself.
    /// </para>
    /// <para>
    /// The HTTP pipeline's lines follow the work: one per request on the debug stream, one per retry on the verbose
    /// stream (<see cref="Daytona.Common.Http.HttpLog"/>).
    /// </para>
    /// </summary>
    public abstract class AsyncCmdlet : DaytonaCmdlet
    {
        /// <summary>
        /// Writes the work may queue ahead of the pipeline. Bounded, so a producer such as a paged listing waits for the
        /// pipeline to take what it has (Select-Object -First 1 stops it before the next page is fetched).
        /// </summary>
        private const int QueueCapacity = 64;

        /// <summary>How long a stopped pipeline waits for the engine to notice before giving up on it.</summary>
        private static readonly TimeSpan s_stopGrace = TimeSpan.FromMilliseconds(500);

        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private BlockingCollection<Action>? _pending;
        private PlainProgress? _plainProgress;
        // The thread PowerShell built this cmdlet on is the one that runs its pipeline: a callback from another thread
        // (an SDK's retry report during work done before any RunAsync) must be dropped, not written.
        private int _pipelineThread = Environment.CurrentManagedThreadId;
        private readonly ConcurrentQueue<Action> _deferred = new ConcurrentQueue<Action>();

        /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
        protected CancellationToken StopToken => _stop.Token;

        protected override void StopProcessing()
        {
            _stop.Cancel();
            base.StopProcessing();
        }

        /// <summary>The title of the Azure Pipelines log group the work runs in; null for none.</summary>
        protected virtual string? LogGroupTitle => null;

        /// <summary>
        /// Runs <paramref name="work"/> and pumps its writes until it ends. A failure of the work surfaces here and is
        /// reported by its scope: terminating when it ends the command, else a non-terminating error about its target.
        /// </summary>
        protected void RunAsync(Func<CancellationToken, Task> work) => Run(work, target: null);

        /// <summary>
        /// Runs the work for one input object: a failure that concerns only it is a non-terminating error naming
        /// <paramref name="target"/>, and the command goes on with the next input.
        /// </summary>
        protected void RunForItem(object? target, Func<CancellationToken, Task> work) => Run(work, target);

        /// <summary>
        /// Inside work that handles many inputs: runs the part for one of them. A failure that concerns only that input
        /// is written as a non-terminating error naming <paramref name="target"/> and false is returned; one that ends
        /// the command (or a cancellation) is thrown on.
        /// </summary>
        protected async Task<bool> ForItemAsync(object? target, Func<Task> work)
        {
            try
            {
                await work().ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (!(e is OperationCanceledException) && !ErrorCatalog.EndsCommand(e))
            {
                PostError(e, target);
                return false;
            }
        }

        /// <summary>
        /// The same rule for a failure met on the pipeline thread (a file to read, a name to look up before any
        /// work starts): terminating when it ends the command, else a non-terminating error about <paramref name="target"/>.
        /// </summary>
        protected void WriteFailure(Exception error, object? target) => WriteFailure(this, error, target);

        /// <summary><see cref="WriteFailure(Exception, object?)"/> for a cmdlet that does no asynchronous work.</summary>
        internal static void WriteFailure(DaytonaCmdlet cmdlet, Exception error, object? target)
        {
            var record = ErrorRecords.From(error, target);
            if (ErrorCatalog.EndsCommand(error))
            {
                cmdlet.ThrowTerminatingError(record);
            }

            cmdlet.WriteError(record);
        }

        private void Run(Func<CancellationToken, Task> work, object? target)
        {
            var pending = new BlockingCollection<Action>(QueueCapacity);
            var previous = _pending;
            _pipelineThread = Environment.CurrentManagedThreadId;
            WriteDeferred();
            _pending = pending;
            Task? task = null;
            var title = LogGroupTitle;
            using var group = title == null ? null : PipelineLog.Group(this, title);
            try
            {
                task = Task.Run(async () =>
                {
                    using (HttpLog.To(PostDebug, PostVerbose))
                    {
                        await work(_stop.Token).ConfigureAwait(false);
                    }
                });
                task.ContinueWith(_ => pending.CompleteAdding(), TaskScheduler.Default);
                Pump(pending, task);
                if (task.IsCanceled || (task.IsFaulted && IsCancellation(task.Exception!.GetBaseException()) && _stop.IsCancellationRequested))
                {
                    throw new PipelineStoppedException();
                }

                if (task.IsFaulted)
                {
                    var error = task.Exception!.GetBaseException();
                    var record = ErrorRecords.From(error, target);
                    if (ErrorCatalog.EndsCommand(error))
                    {
                        ThrowTerminatingError(record);
                    }

                    WriteError(record);
                }
            }
            finally
            {
                _pending = previous;
                if (task != null && !task.IsCompleted)
                {
                    // The pipeline is leaving this work behind (Select-Object -First, Ctrl+C, an error downstream):
                    // stop it, and from now on nothing it posts is written.
                    _stop.Cancel();
                }
            }
        }

        /// <summary>Runs <paramref name="work"/> and returns its result, pumping writes meanwhile.</summary>
        protected T RunAsync<T>(Func<CancellationToken, Task<T>> work)
        {
            T result = default!;
            RunAsync(async token => { result = await work(token).ConfigureAwait(false); });
            return result;
        }

        /// <summary>Queues an action for the pipeline thread; runs it at once when called from there.</summary>
        protected void Post(Action action)
        {
            var pending = _pending;
            if (pending == null)
            {
                // Outside RunAsync only the pipeline thread may write. A write from another thread (an SDK's retry report
                // while the pipeline thread waits on it) is kept for the pipeline thread's next write or RunAsync.
                if (OnThePipelineThread)
                {
                    WriteDeferred();
                    action();
                }
                else if (!_stop.IsCancellationRequested)
                {
                    _deferred.Enqueue(action);
                }

                return;
            }

            if (OnThePipelineThread)
            {
                // The pump itself (an action that posts another): run it in place rather than wait on its own queue.
                action();
                return;
            }

            try
            {
                pending.Add(action, _stop.Token);
            }
            catch (Exception e) when (e is InvalidOperationException || e is OperationCanceledException)
            {
                // The pump already ended (the pipeline was stopped): nothing more may be written.
            }
        }

        /// <summary>Runs a function on the pipeline thread (e.g. ShouldProcess) and waits for its answer.</summary>
        protected T OnPipelineThread<T>(Func<T> function)
        {
            if (_pending == null)
            {
                if (!OnThePipelineThread)
                {
                    throw new OperationCanceledException("The pipeline this work wrote to has stopped.");
                }

                return function();
            }

            var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            Post(() =>
            {
                try
                {
                    answer.SetResult(function());
                }
                catch (Exception e)
                {
                    answer.SetException(e);
                }
            });
            using (_stop.Token.Register(() => answer.TrySetCanceled()))
            {
                return answer.Task.GetAwaiter().GetResult();
            }
        }

        protected void PostObject(object? value) => Post(() => WriteObject(value));

        protected void PostError(ErrorRecord record) => Post(() => WriteErrorRecord(record));

        protected void PostError(Exception error, object? target) => Post(() => WriteErrorRecord(ErrorRecords.From(error, target)));

        /// <summary>Writes a non-terminating error (and, in Azure Pipelines, a pipeline issue when it reaches the user).</summary>
        protected void WriteErrorRecord(ErrorRecord record) => WriteError(record);

        /// <summary>Writes progress: a bar at a prompt, plain periodic lines in an Azure Pipelines log.</summary>
        protected void WriteProgressRecord(ProgressRecord record)
        {
            if (PipelineLog.IsActive)
            {
                (_plainProgress ??= new PlainProgress()).Write(this, record);
            }
            else
            {
                WriteProgress(record);
            }
        }

        protected void PostWarning(string text) => Post(() => WriteWarning(text));

        protected void PostVerbose(string text) => Post(() => WriteVerbose(text));

        protected void PostDebug(string text) => Post(() => WriteDebug(text));

        protected void PostProgress(ProgressRecord record) => Post(() => WriteProgressRecord(record));

        protected void PostInformation(object message, params string[] tags) => Post(() => WriteInformation(message, tags));

        /// <summary>
        /// Information the user asked to see (such as -ShowBuildLog): shown as Write-Host output is (a host message
        /// tagged PSHOST, which pwsh shows whatever $InformationPreference says) and still on the information stream,
        /// so <c>6&gt;</c> captures or discards it. An -InformationAction given to the cmdlet decides instead.
        /// </summary>
        protected void PostShownInformation(string text, params string[] tags) => Post(() =>
        {
            if (MyInvocation.BoundParameters.ContainsKey("InformationAction"))
            {
                WriteInformation(text, tags);
                return;
            }

            var all = new string[tags.Length + 1];
            all[0] = "PSHOST";
            Array.Copy(tags, 0, all, 1, tags.Length);
            WriteInformation(new HostInformationMessage { Message = text }, all);
        });

        private void Pump(BlockingCollection<Action> pending, Task task)
        {
            DateTime? stoppedAt = null;
            while (!pending.IsCompleted)
            {
                if (pending.TryTake(out var action, 50))
                {
                    action();
                    continue;
                }

                if (_stop.IsCancellationRequested)
                {
                    stoppedAt ??= DateTime.UtcNow;
                    if (DateTime.UtcNow - stoppedAt > s_stopGrace)
                    {
                        // The engine did not notice the stop in time: abandon it and stop the pipeline now.
                        throw new PipelineStoppedException();
                    }
                }
            }

            // Wait without observing the outcome (Task.Wait would throw an AggregateException for a faulted task and
            // hide the DaytonaException that RunAsync reports with its ErrorId).
            ((IAsyncResult)task).AsyncWaitHandle.WaitOne(_stop.IsCancellationRequested ? s_stopGrace : Timeout.InfiniteTimeSpan);
        }

        private static bool IsCancellation(Exception e) => e is OperationCanceledException;

        /// <summary>Writes what other threads posted while no RunAsync pumped (on the pipeline thread only).</summary>
        private void WriteDeferred()
        {
            while (_deferred.TryDequeue(out var action))
            {
                action();
            }
        }

        /// <summary>True on the thread that runs this cmdlet's pipeline.</summary>
        private bool OnThePipelineThread => _pipelineThread == Environment.CurrentManagedThreadId;
    }
}
