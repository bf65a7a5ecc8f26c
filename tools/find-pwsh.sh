#!/usr/bin/env bash
# Prints the path of pwsh: from PATH first, else unpacked from ../shared/tools/powershell (pwsh 7.6 with Pester 5
# and platyPS v2). Exits 1 with a clear message when neither exists.
set -euo pipefail
if command -v pwsh >/dev/null 2>&1; then command -v pwsh; exit 0; fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
installer="$here/../shared/tools/powershell/install.sh"
if [ -x "$installer" ] || [ -f "$installer" ]; then
  if ! command -v zstd >/dev/null 2>&1; then
    echo "find-pwsh: zstd is needed to unpack pwsh; installing it (apt-get install zstd)" >&2
    (apt-get update -qq && apt-get install -y -qq zstd) >&2 || true
  fi
  bash "$installer"
  exit 0
fi
echo "find-pwsh: pwsh is not on PATH and $installer does not exist. Install PowerShell 7 (https://aka.ms/powershell) or place ../shared beside the repository." >&2
exit 1
