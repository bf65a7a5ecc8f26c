# Checkpoints: capture a workspace at an instant, find it again by time (as Pulp does), restore it.
if (-not $emulator) { $emulator = Start-DaytonaEmulator -TimeScale 0.3 }
$emulator | Connect-Daytona

$root = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'daytona-demo-checkpoints-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
$workspace = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($root, 'workspace')).FullName
$repository = [System.IO.Path]::Combine($root, 'checkpoints')
[System.IO.File]::WriteAllText([System.IO.Path]::Combine($workspace, 'notes.txt'), "first draft`n")
[System.IO.File]::WriteAllBytes([System.IO.Path]::Combine($workspace, 'data.bin'), [byte[]]::new(1MB))

$first = New-Checkpoint -Path $workspace -Repository $repository -Name 'first draft'
[System.IO.File]::WriteAllText([System.IO.Path]::Combine($workspace, 'notes.txt'), "second draft`n")
$second = New-Checkpoint -Path $workspace -Repository $repository -Name 'second draft'

# Every checkpoint, oldest first; then the one in force at an instant: the newest at or before it.
Get-Checkpoint -Repository $repository
Get-Checkpoint -Repository $repository -At $first.Id
Compare-Checkpoint -Repository $repository -ReferenceId $first.Id -DifferenceId $second.Id

# Restore the first draft into a new folder, and check the repository end to end.
$restored = [System.IO.Path]::Combine($root, 'restored')
$first | Restore-Checkpoint -Destination $restored
[System.IO.File]::ReadAllText([System.IO.Path]::Combine($restored, 'notes.txt'))
Test-Checkpoint -Repository $repository

# Snapshot definitions too: record the demo snapshots, so a restore can re-create any that go missing.
Get-DaytonaSnapshot -Name 'demo-*' | Where-Object State -EQ 'active' | New-Checkpoint -Repository $repository -Name 'demo snapshots'
