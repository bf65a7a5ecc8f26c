namespace Daytona.Emulator.Engine;

/// <summary>Request counts and the faults waiting for the next API requests. Thread-safe.</summary>
internal sealed class Traffic
{
    private readonly object _gate = new();
    private readonly Dictionary<string, int> _byRoute = new(StringComparer.Ordinal);
    private int _total;
    private EmulatorFaults _faults = new();
    private int _drops;
    private int _dropsAfter;
    private Random? _random;
    private int _throttles;
    private int _errors;
    private bool _cutNextLog;

    public enum Fault
    {
        None,
        Drop,
        DropAfterProcessing,
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
            _dropsAfter = Math.Max(0, faults.DropAfterProcessing ?? 0);
            _throttles = Math.Max(0, faults.TooManyRequests?.Count ?? 0);
            _errors = Math.Max(0, faults.ServerErrors?.Count ?? 0);
            _random = faults.Intermittent == null ? null : (faults.Intermittent.Seed is int seed ? new Random(seed) : new Random());
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
                DropAfterProcessing = _dropsAfter,
                TooManyRequests = new TooManyRequestsFault
                {
                    Count = _throttles,
                    RetryAfterSeconds = _faults.TooManyRequests?.RetryAfterSeconds ?? 1,
                    RetryAfterForm = _faults.TooManyRequests?.RetryAfterForm ?? RetryAfterForm.Both,
                },
                ServerErrors = new ServerErrorFault { Count = _errors, Status = _faults.ServerErrors?.Status ?? 503 },
                Intermittent = _faults.Intermittent,
                Methods = _faults.Methods,
                Scope = _faults.Scope ?? FaultScope.Api,
            };
        }
    }

    /// <summary>Whether faults (and latency) apply to a request with this method, to the API or to object storage.</summary>
    public bool Applies(string method, bool storage)
    {
        lock (_gate)
        {
            var scope = _faults.Scope ?? FaultScope.Api;
            var inScope = scope == FaultScope.All || (storage ? scope == FaultScope.Storage : scope == FaultScope.Api);
            var methods = _faults.Methods;
            return inScope && (methods == null || methods.Length == 0 || methods.Any(m => string.Equals(m, method, StringComparison.OrdinalIgnoreCase)));
        }
    }

    /// <summary>Takes the fault for one request (at most one), and the latency to add before answering.</summary>
    public TakenFault Take()
    {
        lock (_gate)
        {
            var latency = Math.Max(0, _faults.LatencyMs ?? 0);
            var retryAfter = Math.Max(0, _faults.TooManyRequests?.RetryAfterSeconds ?? 1);
            var form = _faults.TooManyRequests?.RetryAfterForm ?? RetryAfterForm.Both;
            if (_drops > 0)
            {
                _drops--;
                return new TakenFault(Fault.Drop, latency);
            }

            if (_dropsAfter > 0)
            {
                _dropsAfter--;
                return new TakenFault(Fault.DropAfterProcessing, latency);
            }

            if (_throttles > 0)
            {
                _throttles--;
                return new TakenFault(Fault.TooManyRequests, latency, retryAfter, form, 429);
            }

            if (_errors > 0)
            {
                _errors--;
                return new TakenFault(Fault.ServerError, latency, Status: _faults.ServerErrors?.Status is >= 500 and <= 599 ? _faults.ServerErrors.Status : 503);
            }

            var intermittent = _faults.Intermittent;
            if (intermittent != null && _random != null)
            {
                var draw = _random.NextDouble();
                if ((draw -= intermittent.DropRate) < 0) return new TakenFault(Fault.Drop, latency);
                if ((draw -= intermittent.DropAfterProcessingRate) < 0) return new TakenFault(Fault.DropAfterProcessing, latency);
                if ((draw -= intermittent.TooManyRequestsRate) < 0) return new TakenFault(Fault.TooManyRequests, latency, retryAfter, form, 429);
                if ((draw -= intermittent.ServerErrorRate) < 0)
                {
                    return new TakenFault(Fault.ServerError, latency, Status: intermittent.ServerErrorStatus is >= 500 and <= 599 ? intermittent.ServerErrorStatus : 503);
                }
            }

            return new TakenFault(Fault.None, latency);
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

/// <summary>The fault one request takes: what happens, the latency before it, and for a 429 when to come back and how to say it.</summary>
internal readonly record struct TakenFault(Traffic.Fault Fault, int LatencyMs, int RetryAfterSeconds = 0, string RetryAfterForm = "both", int Status = 0);
