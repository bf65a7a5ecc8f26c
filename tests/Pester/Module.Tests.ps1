BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifestPath = Get-BuiltModulePath
    Import-Module $script:manifestPath -Force
    $script:manifest = Import-PowerShellDataFile $script:manifestPath
}

AfterAll {
    Remove-Module Daytona.Snapshots -ErrorAction SilentlyContinue
}

Describe 'The built module' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $script:manifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports exactly the cmdlets its manifest lists' {
        $exported = Get-Command -Module Daytona.Snapshots | Select-Object -ExpandProperty Name | Sort-Object
        $exported | Should -Be ($script:manifest.CmdletsToExport | Sort-Object)
    }

    It 'has the version of the source manifest' {
        $source = Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../Daytona.Snapshots.psd1')
        (Get-Module Daytona.Snapshots).Version | Should -Be ([version]$source.ModuleVersion)
    }

    It 'has help with a synopsis and examples for <_>' -ForEach @((Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../Daytona.Snapshots.psd1')).CmdletsToExport) {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\S+-\S+\s*(\[|$)' -Because 'an auto-generated syntax line is not a synopsis'
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
    }
}

Describe 'Connect-Daytona' {
    It 'falls back to the environment and never shows the key' {
        $env:DAYTONA_API_KEY = 'pester-secret-key-123'
        $env:DAYTONA_API_URL = 'http://127.0.0.1:9/api'
        try {
            $connection = Connect-Daytona -Verbose 4>&1
            $text = $connection | Out-String
            $text | Should -Not -Match 'pester-secret-key-123'
            ($connection | Where-Object { $_.PSTypeNames -contains 'Daytona.Api.DaytonaConnection' }).ApiUrl | Should -Be 'http://127.0.0.1:9/api'
        }
        finally {
            Remove-Item Env:DAYTONA_API_KEY, Env:DAYTONA_API_URL -ErrorAction SilentlyContinue
        }
    }

    It 'says what to do when there is no key' {
        Remove-Item Env:DAYTONA_API_KEY -ErrorAction SilentlyContinue
        { Connect-Daytona -ApiUrl http://127.0.0.1:9/api -ErrorAction Stop } | Should -Throw -ErrorId 'DaytonaApiKeyMissing,*'
    }
}
