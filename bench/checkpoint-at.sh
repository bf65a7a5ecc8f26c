#!/usr/bin/env bash
# Get-Checkpoint -At over a folder repository of 100,000 checkpoints, as users meet it (goal: < 50 ms).
# The repository: 100,000 manifests (one a minute apart) compacted by a capture after them, as an agent's next capture
# does. Then, each in a NEW pwsh process (module imported, nothing else run), the time of the FIRST Get-Checkpoint -At —
# what a pipeline step pays — and, in one more process after a warm-up lookup on a small repository, 4 lookups.
# Run from the project root: bench/checkpoint-at.sh [processes] (default 5 cold processes). Set CHECKPOINT_AT_REPO to a
# folder to keep the repository there between runs (made when missing), and CHECKPOINT_AT_NO_BUILD=1 to skip the build.
# Prints each figure and, last: "first call in a new pwsh X ms (median of N), after warm-up Y ms; limit 50 ms".
set -euo pipefail
processes=${1:-5}
pwsh=$(bash tools/find-pwsh.sh)
if [ -z "${CHECKPOINT_AT_NO_BUILD:-}" ]; then
  dotnet build Module.sln -c Release >/tmp/checkpoint-at-build.log 2>&1 || { echo "build failed: /tmp/checkpoint-at-build.log"; exit 2; }
fi
module=$(find "$PWD/out" -name Daytona.Snapshots.psd1 | head -1)
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
repo=${CHECKPOINT_AT_REPO:-$w/many}
mkdir -p "$w/small" "$w/src"; echo small >"$w/small/f"; echo src >"$w/src/f"
if [ ! -f "$repo/.bench-made" ]; then
  rm -rf "$repo"
  echo "making $repo: 100,000 checkpoints ..."
  "$pwsh" -NoProfile -NonInteractive -Command "\$ErrorActionPreference='Stop'; Import-Module '$module'
New-Checkpoint -Path '$w/src' -Repository '$repo' | Out-Null
Remove-Item -Recurse -Force '$repo/checkpoints/*' 
\$start = [DateTime]::new(2015, 1, 1, 0, 0, 0, [DateTimeKind]::Utc)
for (\$i = 0; \$i -lt 100000; \$i++) {
  \$id = \$start.AddSeconds(\$i * 61).ToString('yyyyMMddTHHmmssZ', [Globalization.CultureInfo]::InvariantCulture)
  [IO.File]::WriteAllText(\"$repo/checkpoints/\$id.json\", '{\"format\":1,\"id\":\"' + \$id + '\",\"time\":\"x\",\"source\":\"/src\",\"kind\":\"folder\",\"files\":0,\"size\":0,\"storedSize\":0,\"newData\":0,\"entries\":[]}')
}
New-Checkpoint -Path '$w/src' -Repository '$repo' | Out-Null   # compacts: 100,000 manifests after the (empty) catalog
'catalog: ' + ((Get-ChildItem '$repo/catalog' | ForEach-Object { \$_.Name + ' ' + \$_.Length + ' B' }) -join ', ')"
  touch "$repo/.bench-made"
fi
New-Checkpoint -Path "$w/small" -Repository "$w/smallrepo" >/dev/null 2>&1 || "$pwsh" -NoProfile -NonInteractive -Command "Import-Module '$module'; New-Checkpoint -Path '$w/small' -Repository '$w/smallrepo' | Out-Null"
at="'2020-01-01T00:00:00Z'"
cold=()
for p in $(seq 1 "$processes"); do
  line=$("$pwsh" -NoProfile -NonInteractive -Command "\$ErrorActionPreference='Stop'
\$i = Measure-Command { Import-Module '$module' }
\$c = \$null; \$t = Measure-Command { \$c = Get-Checkpoint -Repository '$repo' -At $at }
'COLD ' + [math]::Round(\$t.TotalMilliseconds, 1) + ' ' + [math]::Round(\$i.TotalMilliseconds) + ' ' + \$c.Id" 2>&1 | grep '^COLD' || true)
  [ -n "$line" ] || { echo "a cold lookup failed"; exit 1; }
  set -- $line
  echo "new pwsh $p: Import-Module $3 ms, first Get-Checkpoint -At $2 ms (found $4)"
  cold+=("$2")
done
warm=$("$pwsh" -NoProfile -NonInteractive -Command "\$ErrorActionPreference='Stop'; Import-Module '$module'
Get-Checkpoint -Repository '$w/smallrepo' -At ([DateTime]::UtcNow) | Out-Null
1..4 | ForEach-Object { [math]::Round((Measure-Command { Get-Checkpoint -Repository '$repo' -At $at }).TotalMilliseconds, 1) }" 2>&1)
echo "after a warm-up on a small repository, 4 lookups: $(echo $warm) ms"
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
first=$(median "${cold[@]}")
again=$(median $(echo "$warm" | tail -3))
echo "load: $(uptime | sed 's/.*load average: //')"
printf 'Get-Checkpoint -At over 100,000: first call in a new pwsh %s ms (median of %s), after warm-up %s ms; limit 50 ms\n' "$first" "$processes" "$again"
