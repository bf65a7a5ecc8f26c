<#
.SYNOPSIS
    CI step: run the build-and-activate Arazzo workflow (examples/workflows, its -Strict-clean form) for one snapshot and publish the
    workflow's outputs as output variables (workflow.snapshotId, workflow.state).
.EXAMPLE
    ./run-seed-workflow.ps1 -Name ci-42-arazzo -Image python:3.12-slim
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Name,
    [Parameter(Mandatory)] [string] $Image,
    [string] $ApiUrl = $(if ($env:DAYTONA_API_URL) { $env:DAYTONA_API_URL } else { 'https://app.daytona.io/api' })
)
$ErrorActionPreference = 'Stop'
Import-Module Daytona.Snapshots

$workflow = Join-Path $PSScriptRoot '../workflows/build-and-activate-snapshot.arazzo.yaml'
$result = Invoke-ArazzoWorkflow -Path $workflow -ServerUrl @{ snapshotsApi = $ApiUrl } -Inputs @{
    apiToken  = $env:DAYTONA_API_KEY
    name      = $Name
    imageName = $Image
}
if ($result.Status -ne 'Succeeded') { throw "The workflow ended $($result.Status) ($($result.EndedBy))." }
$result.Outputs | Set-DaytonaPipelineVariable -Prefix workflow -IsOutput | Out-Null
$result
