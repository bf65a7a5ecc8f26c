namespace Daytona.Emulator.Model;

/// <summary>
/// A build's log as a runner keeps it: lines appended while the build runs, then closed. Readers take what is
/// there, and followers wait for more until the log is closed.
/// </summary>
internal sealed class BuildLog
{
    private readonly object _gate = new();
    private readonly List<string> _lines = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _completed;

    public bool IsCompleted
    {
        get { lock (_gate) { return _completed; } }
    }

    public int Count
    {
        get { lock (_gate) { return _lines.Count; } }
    }

    public void Append(string line)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _lines.Add(line);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public void Complete()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            changed = _changed;
        }

        changed.TrySetResult();
    }

    /// <summary>The lines from <paramref name="from"/> on, whether the log is closed, and a task that ends on the next change.</summary>
    public (IReadOnlyList<string> Lines, bool Completed, Task Changed) Read(int from)
    {
        lock (_gate)
        {
            var lines = from < _lines.Count ? _lines.GetRange(from, _lines.Count - from) : (IReadOnlyList<string>)Array.Empty<string>();
            return (lines, _completed, _changed.Task);
        }
    }

    public IReadOnlyList<string> Tail(int count)
    {
        lock (_gate)
        {
            return _lines.Skip(Math.Max(0, _lines.Count - count)).ToList();
        }
    }
}
