namespace Daytona.Emulator.Engine;

/// <summary>Request counts and the faults waiting for the next API requests. Thread-safe.</summary>
internal sealed class Traffic
{
    private readonly object _gate = new();
    private readonly Dictionary<string, int> _byRoute = new(StringComparer.Ordinal);
    private int _total;
    private EmulatorFaults _faults = new();
    private int _drops;
    private int _throttles;
    private int _errors;
    private bool _cutNextLog;

    public enum Fault
    {
        None,
        Drop,
        TooManyRequests,
        ServerError,
    }

    public void Count(string route)
    {
        lock (_gate)
        {
            _total++;
            _byRoute[route] = _byRoute.TryGetValue(route, out var n) ? n + 1 : 1;
        }
    }

    public EmulatorRequestStats Stats()
    {
        lock (_gate)
        {
            return new EmulatorRequestStats { Total = _total, ByRoute = new SortedDictionary<string, int>(_byRoute, StringComparer.Ordinal) };
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _total = 0;
            _byRoute.Clear();
        }
    }

    public void SetFaults(EmulatorFaults faults)
    {
        lock (_gate)
        {
            _faults = faults;
            _drops = Math.Max(0, faults.DropConnections ?? 0);
            _throttles = Math.Max(0, faults.TooManyRequests?.Count ?? 0);
            _errors = Math.Max(0, faults.ServerErrors?.Count ?? 0);
        }
    }

    /// <summary>The faults still to come (counts are what remains).</summary>
    public EmulatorFaults Faults()
    {
        lock (_gate)
        {
            return new EmulatorFaults
            {
                LatencyMs = _faults.LatencyMs,
                DropConnections = _drops,
                TooManyRequests = new TooManyRequestsFault { Count = _throttles, RetryAfterSeconds = _faults.TooManyRequests?.RetryAfterSeconds ?? 1 },
                ServerErrors = new ServerErrorFault { Count = _errors, Status = _faults.ServerErrors?.Status ?? 503 },
            };
        }
    }

    /// <summary>Takes the fault for one API request (at most one), and the latency to add before answering.</summary>
    public (Fault Fault, int LatencyMs, int RetryAfterSeconds, int Status) Take()
    {
        lock (_gate)
        {
            var latency = Math.Max(0, _faults.LatencyMs ?? 0);
            if (_drops > 0)
            {
                _drops--;
                return (Fault.Drop, latency, 0, 0);
            }

            if (_throttles > 0)
            {
                _throttles--;
                return (Fault.TooManyRequests, latency, Math.Max(0, _faults.TooManyRequests?.RetryAfterSeconds ?? 1), 429);
            }

            if (_errors > 0)
            {
                _errors--;
                return (Fault.ServerError, latency, 0, _faults.ServerErrors?.Status is >= 500 and <= 599 ? _faults.ServerErrors.Status : 503);
            }

            return (Fault.None, latency, 0, 0);
        }
    }

    public void CutNextLog()
    {
        lock (_gate)
        {
            _cutNextLog = true;
        }
    }

    /// <summary>True once after <see cref="CutNextLog"/>: this followed stream is to be cut.</summary>
    public bool TakeLogCut()
    {
        lock (_gate)
        {
            var cut = _cutNextLog;
            _cutNextLog = false;
            return cut;
        }
    }
}
