# Snapshots from the pipeline: build, wait, activate — step by step, as at a prompt.
#
# The bundled emulator is a private Daytona on 127.0.0.1; piping it to Connect-Daytona makes it the default
# connection. Against Daytona itself: Connect-Daytona -ApiKey (Read-Host -AsSecureString), or set DAYTONA_API_KEY.
if (-not $emulator) { $emulator = Start-DaytonaEmulator -TimeScale 0.3 }
$emulator | Connect-Daytona

# Register a snapshot from a registry image, wait for Daytona to pull it, activate it.
New-DaytonaSnapshot -Name demo-python -Image python:3.12-slim -Cpu 2 -Memory 4 -Disk 10 |
    Wait-DaytonaSnapshot |
    Enable-DaytonaSnapshot

# More snapshots, still being pulled when the next line runs.
$null = New-DaytonaSnapshot -Name demo-node -Image node:22-bookworm-slim
$null = New-DaytonaSnapshot -Name demo-go -Image golang:1.23-bookworm

# The user's line: everything named demo-*, waited on together, each written out as it settles and activated
# (demo-python is active already: it passes through).
Get-DaytonaSnapshot -Name 'demo-*' | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot

# A build that fails says why, while the others carry on.
New-DaytonaSnapshot -Name demo-broken -Image registry.example/fail-image:1.0 | Wait-DaytonaSnapshot -ErrorAction Continue

# Snapshots not needed for a while can be deactivated (Daytona also does this to unused ones after 14 days).
Get-DaytonaSnapshot -Name demo-go | Disable-DaytonaSnapshot

# What the organization holds now.
Get-DaytonaSnapshot
