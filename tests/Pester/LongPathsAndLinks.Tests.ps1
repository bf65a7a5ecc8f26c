# Long paths and links through the cmdlets. A tree deeper than 260 characters (a deep node_modules) is captured,
# restored and verified: Windows PowerShell 5.1 needs the extended path form for that, PowerShell 7 does not. On
# Windows, a junction is recorded as a link and comes back as one. Written for both editions (the windows-latest
# workflow runs this file in powershell.exe as well as in pwsh).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    $script:onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT

    # The form a test must use to touch a long path itself on Windows PowerShell (New-Item refuses long paths there).
    function ConvertTo-IoPath([string] $Path) {
        if ($script:onWindows -and $PSVersionTable.PSEdition -eq 'Desktop') { return '\\?\' + $Path }
        return $Path
    }
}

Describe 'A folder deeper than 260 characters' {
    BeforeAll {
        $workspace = Join-Path $TestDrive 'deep'
        $repository = Join-Path $TestDrive 'deep-checkpoints'
        $restored = Join-Path $TestDrive 'deep-restored'
        $script:deep = $workspace
        while ($script:deep.Length -lt 300) { $script:deep = [System.IO.Path]::Combine($script:deep, 'node_modules_' + ('x' * 20)) }
        [System.IO.Directory]::CreateDirectory((ConvertTo-IoPath $script:deep)) | Out-Null
        [System.IO.File]::WriteAllText((ConvertTo-IoPath ([System.IO.Path]::Combine($script:deep, 'index.js'))), 'module.exports = 42;')
        [System.IO.File]::WriteAllText((ConvertTo-IoPath ([System.IO.Path]::Combine($workspace, 'package.json'))), '{}')

        $script:checkpoint = New-Checkpoint -Path $workspace -Repository $repository -Name 'deep'
        $script:checkpoint | Restore-Checkpoint -Destination $restored
        $script:restoredFile = [System.IO.Path]::Combine($restored, $script:deep.Substring($workspace.Length + 1), 'index.js')
        $script:verification = Test-Checkpoint -Repository $repository -Id $script:checkpoint.Id
    }

    It 'is captured whole' {
        $script:deep.Length | Should -BeGreaterThan 260
        $script:checkpoint.Files | Should -Be 2
        $script:checkpoint.Warnings | Should -BeNullOrEmpty
    }

    It 'is restored with the deep file as it was' {
        $script:restoredFile.Length | Should -BeGreaterThan 260
        [System.IO.File]::ReadAllText((ConvertTo-IoPath $script:restoredFile)) | Should -Be 'module.exports = 42;'
    }

    It 'verifies' {
        $script:verification.IsValid | Should -BeTrue
    }
}

Describe 'A junction on Windows' {
    BeforeAll {
        if (-not $script:onWindows) { return }
        $workspace = Join-Path $TestDrive 'with-junction'
        $repository = Join-Path $TestDrive 'junction-checkpoints'
        $restored = Join-Path $TestDrive 'junction-restored'
        $packages = Join-Path $workspace 'packages'
        New-Item -ItemType Directory -Path $packages | Out-Null
        Set-Content -Path (Join-Path $packages 'lib.js') -Value 'x'
        cmd.exe /c mklink /J (Join-Path $workspace 'node_modules') $packages | Out-Null

        $script:checkpoint = New-Checkpoint -Path $workspace -Repository $repository
        $script:checkpoint | Restore-Checkpoint -Destination $restored
        $script:link = Get-Item -LiteralPath (Join-Path $restored 'node_modules') -Force
    }

    It 'is recorded as a link, not skipped and not read as a folder' {
        if (-not $script:onWindows) { Set-ItResult -Skipped -Because 'junctions exist only on Windows (NTFS); the windows-latest workflow runs this' }
        $script:checkpoint.Warnings | Should -BeNullOrEmpty
        # packages/lib.js only: the junction's content is not captured twice.
        $script:checkpoint.Files | Should -Be 1
    }

    It 'comes back as a link to the same folder' {
        if (-not $script:onWindows) { Set-ItResult -Skipped -Because 'junctions exist only on Windows (NTFS); the windows-latest workflow runs this' }
        ($script:link.Attributes -band [System.IO.FileAttributes]::ReparsePoint) | Should -Not -Be 0
        @($script:link.Target)[0] | Should -Be $packages
    }
}
