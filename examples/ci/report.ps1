<#
.SYNOPSIS
    CI step of a later job or stage: read what an earlier job published as output variables (the snapshot's id, the
    workflow's snapshot id) and check both snapshots are active.
.EXAMPLE
    ./report.ps1 -SnapshotId $(snapshotId) -WorkflowSnapshotId $(workflowSnapshotId)
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $SnapshotId,
    [string] $WorkflowSnapshotId
)
$ErrorActionPreference = 'Stop'
Import-Module Daytona.Snapshots
Connect-Daytona | Out-Null

$ids = @($SnapshotId) + @($WorkflowSnapshotId | Where-Object { $_ })
foreach ($id in $ids) {
    $snapshot = Get-DaytonaSnapshot -Id $id
    Write-Host "Snapshot $($snapshot.Name) ($($snapshot.Id)): $($snapshot.State)"
    if ($snapshot.State -ne 'Active') { throw "Snapshot $($snapshot.Name) is $($snapshot.State), not Active." }
}
