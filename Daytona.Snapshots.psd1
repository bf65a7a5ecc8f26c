#
# Module manifest for Daytona.Snapshots.
# This file is the single source of the manifest and of the module version: the build copies it into
# out/Daytona.Snapshots/ and every assembly takes its version from ModuleVersion below.
#
@{
    RootModule             = 'Daytona.Snapshots.dll'
    # Imported before the root module: resolves the engine assemblies in Dependencies/ into the module's own
    # load context, so it must be in place before PowerShell analyzes Daytona.Snapshots.dll.
    NestedModules          = @('Daytona.Snapshots.Loader.dll')
    ModuleVersion          = '0.1.0'
    CompatiblePSEditions   = @('Desktop', 'Core')
    GUID                   = '5f0c7d5e-3b7a-4c55-9a0e-6c1d2b8f4a31'
    Author                 = 'Daytona.Snapshots contributors'
    CompanyName            = 'Daytona.Snapshots'
    Copyright              = '(c) Daytona.Snapshots contributors. All rights reserved.'
    Description            = 'Build, wait for, activate, checkpoint and reproduce Daytona sandbox snapshots from PowerShell: pipeline cmdlets, declarative images, Arazzo workflows, point-in-time checkpoints and a local Daytona emulator.'
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @(
        'Formats/Snapshots.format.ps1xml'
        'Formats/Images.format.ps1xml'
        'Formats/Arazzo.format.ps1xml'
        'Formats/Checkpoints.format.ps1xml'
        'Formats/Emulator.format.ps1xml'
        'Formats/CheckpointServer.format.ps1xml'
        'Formats/Recording.format.ps1xml'
    )
    CmdletsToExport        = @(
        # Connection
        'Connect-Daytona'
        # Emulator
        'Start-DaytonaEmulator'
        'Stop-DaytonaEmulator'
        # Checkpoint server
        'Start-CheckpointServer'
        'Stop-CheckpointServer'
        # Snapshots
        'Get-DaytonaSnapshot'
        'New-DaytonaSnapshot'
        'Wait-DaytonaSnapshot'
        'Enable-DaytonaSnapshot'
        'Disable-DaytonaSnapshot'
        'Remove-DaytonaSnapshot'
        'Get-DaytonaSnapshotBuildLog'
        # Images
        'New-DaytonaImage'
        'Add-DaytonaImageCommand'
        'Add-DaytonaImagePackage'
        'Add-DaytonaImageFile'
        'Add-DaytonaImageDirectory'
        'Add-DaytonaImageInstruction'
        'Set-DaytonaImageEnvironment'
        'Set-DaytonaImageWorkingDirectory'
        'Set-DaytonaImageEntrypoint'
        'Set-DaytonaImageDefaultCommand'
        # Arazzo
        'Invoke-ArazzoWorkflow'
        'Test-ArazzoWorkflow'
        'Get-ArazzoWorkflow'
        # Recording
        'Start-ArazzoRecording'
        'Stop-ArazzoRecording'
        # Checkpoints
        'New-Checkpoint'
        'Get-Checkpoint'
        'Restore-Checkpoint'
        'Rename-Checkpoint'
        'Remove-Checkpoint'
        'Compare-Checkpoint'
        'Test-Checkpoint'
        'Export-Checkpoint'
        'Import-Checkpoint'
        'Get-CheckpointRepository'
        'Set-CheckpointRepository'
        # Azure DevOps
        'Set-DaytonaPipelineVariable'
    )
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('Daytona', 'Sandbox', 'Snapshot', 'Arazzo', 'Checkpoint', 'AzureDevOps', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/daytona-snapshots/Daytona.Snapshots'
            LicenseUri   = 'https://github.com/daytona-snapshots/Daytona.Snapshots/blob/main/LICENSE'
            ReleaseNotes = @'
0.1.0
- First release: module layout, dependency isolation, Connect-Daytona.
'@
        }
    }
}
