#!/usr/bin/env bash
# Many writers, one folder repository, as users meet it: 4 pwsh processes start together and each runs New-Checkpoint
# 3 times (two capture one 96 MiB tree, two another that shares most of its content), all into one repository.
# Then Test-Checkpoint checks everything. Run from the project root: bench/checkpoint-writers.sh [MiB] [processes]
# Prints each process's captures (id, start and end in seconds from the go, new data) and, last: "N of M captures
# succeeded in X s, up to K at once; ids unique: yes; verified: yes" (K = the most captures whose start..end overlap:
# 1 would mean the writers queued one after another).
set -euo pipefail
size=${1:-96}
processes=${2:-4}
pwsh=$(bash tools/find-pwsh.sh)
dotnet build Module.sln -c Release >/tmp/checkpoint-writers-build.log 2>&1 || { echo "build failed: /tmp/checkpoint-writers-build.log"; exit 2; }
module=$(find "$PWD/out" -name Daytona.Snapshots.psd1 | head -1)
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
python3 ../shared/checks/mktree.py "$w/a" "$size" >/dev/null
cp -r "$w/a" "$w/b"; head -c $((4 << 20)) /dev/urandom >"$w/b/own.bin"
sync
for p in $(seq 1 "$processes"); do
  src=$([ $((p % 2)) -eq 1 ] && echo "$w/a" || echo "$w/b")
  "$pwsh" -NoProfile -NonInteractive -Command "\$ErrorActionPreference='Stop'; Import-Module '$module'
while (-not (Test-Path '$w/go')) { Start-Sleep -Milliseconds 20 }
1..3 | ForEach-Object {
  \$s = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000.0
  try { \$c = New-Checkpoint -Path '$src' -Repository '$w/repo'; \$e = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000.0
        'OK ' + \$c.Id + ' ' + \$s + ' ' + \$e + ' ' + [math]::Round(\$c.NewData / 1MB, 1) + ' MiB new' }
  catch { 'FAIL ' + \$_.FullyQualifiedErrorId + ': ' + \$_.Exception.Message }
}" >"$w/out$p" 2>&1 &
done
sleep 3; start=$(date +%s.%N); touch "$w/go"; wait; end=$(date +%s.%N)
for p in $(seq 1 "$processes"); do
  awk -v t0="$start" -v p="$p" '/^OK /{ printf "process %s: %s  %.1f..%.1f s  %s MiB new\n", p, $2, $3 - t0, $4 - t0, $5; next } { print "process " p ": " $0 }' "$w/out$p"
done
# The most captures in flight at one moment: +1 at each start, -1 at each end, in time order.
overlap=$(cat "$w"/out* | awk '/^OK /{ print $3, 1; print $4, -1 }' | sort -n -k1,1 -k2,2n | awk '{ n += $2; if (n > m) m = n } END { print m + 0 }')
ok=$(cat "$w"/out* | grep -c '^OK ' || true)
total=$((processes * 3))
unique=$(cat "$w"/out* | grep '^OK ' | awk '{print $2}' | sort | uniq -d | wc -l)
verified=$("$pwsh" -NoProfile -NonInteractive -Command "Import-Module '$module'; \$r = @(Test-Checkpoint -Repository '$w/repo'); if (\$r.Count -eq $ok -and -not (\$r | Where-Object { -not \$_.IsValid })) { 'yes' } else { 'no' }" 2>&1 | tail -1)
printf '%s of %s captures succeeded in %.1f s, up to %s at once; ids unique: %s; verified: %s\n' "$ok" "$total" "$(echo "$end - $start" | bc)" "$overlap" "$([ "$unique" -eq 0 ] && echo yes || echo no)" "$verified"
