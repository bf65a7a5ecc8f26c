<#
.SYNOPSIS
    CI step: create a snapshot from an image, wait for it, activate it, record it in a checkpoint and publish its
    properties as output variables (snap.Id, snap.Name, snap.State, ...).
.EXAMPLE
    ./build-and-activate.ps1 -Name ci-42 -Image python:3.12-slim -Repository ./checkpoints
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Name,
    [Parameter(Mandatory)] [string] $Image,
    [Parameter(Mandatory)] [string] $Repository,
    [timespan] $Timeout = '00:30:00'
)
$ErrorActionPreference = 'Stop'
Import-Module Daytona.Snapshots

# Connect-Daytona reads DAYTONA_API_KEY (and DAYTONA_API_URL) from the environment; in Azure Pipelines the key is
# masked in the log from this moment on.
Connect-Daytona | Out-Null

$snapshot = New-DaytonaSnapshot -Name $Name -Image $Image |
    Wait-DaytonaSnapshot -Timeout $Timeout -ShowBuildLog |
    Enable-DaytonaSnapshot |
    Set-DaytonaPipelineVariable -Prefix snap -IsOutput

$snapshot | New-Checkpoint -Repository $Repository -Name "ci $Name" | Set-DaytonaPipelineVariable -Prefix checkpoint -IsOutput | Out-Null
$snapshot
