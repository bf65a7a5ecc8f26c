using System;
using System.Runtime.CompilerServices;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// A set of <see cref="Hash256"/> (open addressing, linear probing): the distinct chunks of a capture, counted once per
    /// capture over every chunk of every file. Written here because HashSet&lt;Hash256&gt; is a generic instantiation over a
    /// type of this assembly, which can not be precompiled: it ran unoptimized, then instrumented, in the first captures of
    /// a process.
    /// </summary>
    internal sealed class Hash256Set
    {
        private Hash256[] _slots;
        private bool[] _used;
        private int _mask;

        /// <param name="expected">About how many hashes will be added (the set grows past it).</param>
        public Hash256Set(int expected)
        {
            var capacity = 16;
            while (capacity < expected * 2 && capacity < 1 << 30)
            {
                capacity <<= 1;
            }

            _slots = new Hash256[capacity];
            _used = new bool[capacity];
            _mask = capacity - 1;
        }

        public int Count { get; private set; }

        /// <summary>Adds a hash; false when it was there already.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Add(in Hash256 hash)
        {
            if ((Count + 1) * 2 > _slots.Length)
            {
                Grow();
            }

            var i = hash.GetHashCode() & _mask;
            while (_used[i])
            {
                if (_slots[i].Equals(hash))
                {
                    return false;
                }

                i = (i + 1) & _mask;
            }

            _used[i] = true;
            _slots[i] = hash;
            Count++;
            return true;
        }

        private void Grow()
        {
            var (slots, used) = (_slots, _used);
            _slots = new Hash256[slots.Length * 2];
            _used = new bool[slots.Length * 2];
            _mask = _slots.Length - 1;
            Count = 0;
            for (var i = 0; i < slots.Length; i++)
            {
                if (used[i])
                {
                    Add(slots[i]);
                }
            }
        }
    }
}
