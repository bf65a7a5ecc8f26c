using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Daytona.Common.Hosting
{
    /// <summary>
    /// The child apps a host started and has not stopped, each tagged with an owner (a PowerShell runspace), so
    /// Remove-Module stops what its runspace started and no other runspace's.
    /// </summary>
    public sealed class OwnedInstances<T>
        where T : class
    {
        private readonly object _gate = new object();
        private readonly List<(T Instance, object? Owner)> _started = new List<(T, object?)>();

        public void Add(T instance, object? owner)
        {
            lock (_gate)
            {
                _started.Add((instance, owner));
            }
        }

        public void Remove(T instance)
        {
            lock (_gate)
            {
                _started.RemoveAll(s => ReferenceEquals(s.Instance, instance));
            }
        }

        /// <summary>Instances started and not stopped; with an owner, only that owner's.</summary>
        public IReadOnlyList<T> Started(object? owner = null)
        {
            lock (_gate)
            {
                return _started.Where(s => owner == null || ReferenceEquals(s.Owner, owner)).Select(s => s.Instance).ToList();
            }
        }

        /// <summary>Stops every instance the owner started (all of them when owner is null), together; returns how many.</summary>
        public int StopAll(object? owner, Action<T> stop)
        {
            var instances = Started(owner);
            Parallel.ForEach(instances, stop);
            return instances.Count;
        }
    }
}
