# Get-Help as a user reads it: the built help renders as PowerShell's own cmdlets' help (no markdown marks, examples
# as code then remarks), the about topic is plain text, -Online opens the command's page in the repository's docs,
# and Update-Help fails cleanly because the module does not claim updatable help.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:commands = @((Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../Daytona.Snapshots.psd1')).CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    $script:root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:manifest = Import-PowerShellDataFile (Join-Path $root 'Daytona.Snapshots.psd1')
    $script:docsBase = $manifest.PrivateData.PSData.ProjectUri.TrimEnd('/') + '/blob/main/'
}

Describe 'Get-Help <Name>' -ForEach $commands {
    BeforeAll {
        $help = Get-Help $Name -Full
        $text = $help | Out-String -Width 200
    }

    It 'shows no markdown: no code fences, no link or emphasis syntax' {
        $text | Should -Not -Match '```'
        $text | Should -Not -Match '\]\((https?://|[\w.-]+\.md)'
        $text | Should -Not -Match '\*\*\w'
        $text | Should -Not -Match ([string][char]0x80)
    }

    It 'holds each example''s code as code, the explanation as remarks' {
        foreach ($example in $help.Examples.Example) {
            $example.Code | Should -Not -BeNullOrEmpty -Because "$($example.Title) has code"
            $example.Code | Should -Not -Match '```'
            (@($example.Remarks.Text) -join ' ').Trim() | Should -Not -BeNullOrEmpty -Because "$($example.Title) is explained"
        }
    }

    It 'names its page in the repository''s docs as its online version, and that page exists' {
        $online = @($help.relatedLinks.navigationLink)[0]
        $online.linkText | Should -Be 'Online Version:'
        $online.uri | Should -Be ($docsBase + "docs/en-US/$Name.md")
        Join-Path $root "docs/en-US/$Name.md" | Should -Exist
        @($help.relatedLinks.navigationLink | Select-Object -Skip 1 | Where-Object { $_.uri -and $_.uri -notmatch '^https?://' }) |
            Should -BeNullOrEmpty -Because 'a related command is named without a URI, as in PowerShell''s own help'
    }
}

Describe 'about_Daytona_Snapshots' {
    BeforeAll {
        $lines = @((Get-Help about_Daytona_Snapshots | Out-String) -split "`r?`n")
    }

    It 'is laid out as PowerShell''s own about topics: TOPIC, the sections in capitals' {
        ($lines | Where-Object { $_ -ne '' } | Select-Object -First 2) | Should -Be @('TOPIC', '    about_Daytona_Snapshots')
        $lines | Should -Contain 'SHORT DESCRIPTION'
        $lines | Should -Contain 'LONG DESCRIPTION'
        $lines | Should -Contain '  CHECKPOINTS AND TIME'
    }

    It 'is plain text: no headings marks, fences, backticks or links' {
        $lines | Where-Object { $_ -match '^\s*#|```|`|\]\(|\*\*' } | Should -BeNullOrEmpty
    }

    It 'wraps its prose at 80 columns and indents code under it' {
        $prose = $lines | Where-Object { $_ -match '^ {0,4}\S' }
        $prose | Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
        $lines | Should -Contain '        New-DaytonaSnapshot -Name web -Image python:3.12-slim | Wait-DaytonaSnapshot | Enable-DaytonaSnapshot'
    }
}

Describe 'Get-Help -Online' -Skip:(-not $IsLinux) {
    It 'opens the command''s page in the repository''s docs' {
        # The browser pwsh starts on Linux is xdg-open; a stand-in on PATH records what it was asked to open.
        $bin = Join-Path $TestDrive 'browser'
        New-Item -ItemType Directory -Path $bin | Out-Null
        $opened = Join-Path $TestDrive 'opened.txt'
        Set-Content -LiteralPath (Join-Path $bin 'xdg-open') -Value "#!/bin/sh`necho `"`$1`" >> '$opened'"
        chmod +x (Join-Path $bin 'xdg-open')
        $run = Invoke-ChildPowerShell -Script 'Get-Help Get-Checkpoint -Online' -Environment @{ PATH = "$bin$([System.IO.Path]::PathSeparator)$env:PATH" }
        $run.Error | Should -BeNullOrEmpty
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while (-not (Test-Path $opened) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        (Get-Content -LiteralPath $opened) | Should -Be ($docsBase + 'docs/en-US/Get-Checkpoint.md')
    }
}

Describe 'Update-Help' {
    It 'fails cleanly: the module claims no updatable help, so none is looked for' {
        $manifest.Keys | Should -Not -Contain 'HelpInfoURI'
        (Get-Module Daytona.Snapshots).HelpInfoUri | Should -BeNullOrEmpty
        Update-Help -Module Daytona.Snapshots -UICulture en-US -Force -ErrorAction SilentlyContinue -ErrorVariable problems
        @($problems).Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'HelpInfoUriNotFound,*'
        $problems[0].Exception.Message | Should -BeLike '*does not support updatable help*'
    }
}
