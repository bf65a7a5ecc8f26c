# Which files the module's loader (src/Daytona.Snapshots.Loader) loads in a real pwsh: the precompiled (ReadyToRun) copy
# in Dependencies/<rid>/ where the build made one for this OS/architecture, the IL file of Dependencies/ where it did not.
# Each case runs in a new pwsh process: assemblies, once loaded, stay loaded.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifestPath = Get-BuiltModulePath
    $script:moduleFolder = Split-Path $script:manifestPath
    $script:rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    $script:pwsh = Join-Path $PSHOME 'pwsh'

    # A capture and a lookup in a new pwsh (engine, hashing, compression), then where each assembly came from.
    function Invoke-CaptureInNewPwsh([string] $Manifest) {
        $source = Join-Path $TestDrive ([guid]::NewGuid())
        New-Item -ItemType Directory -Path $source | Out-Null
        Set-Content -LiteralPath (Join-Path $source 'a.txt') -Value 'hello'
        $repository = Join-Path $TestDrive ([guid]::NewGuid())
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$Manifest'
`$made = New-Checkpoint -Path '$source' -Repository '$repository'
`$found = Get-Checkpoint -Repository '$repository' -At ([DateTime]::UtcNow)
'ID ' + (`$made.Id -eq `$found.Id)
'PRECOMPILED ' + [Daytona.Snapshots.Loader.ModuleAssemblyResolver]::Precompiled.RuntimeIdentifier
foreach (`$a in [AppDomain]::CurrentDomain.GetAssemblies()) {
    if (`$a.GetName().Name -in 'Daytona.Checkpoints', 'Daytona.Common', 'System.IO.Hashing', 'ZstdSharp') {
        'LOADED ' + `$a.GetName().Name + '|' + `$a.Location + '|' + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$a).Name
    }
}
"@
        $output = & $script:pwsh -NoProfile -NonInteractive -Command $script 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $loaded = @{}
        foreach ($line in $output | Where-Object { "$_" -like 'LOADED *' }) {
            $name, $location, $context = "$line".Substring(7).Split('|')
            $loaded[$name] = [pscustomobject]@{ Location = $location; Context = $context }
        }
        [pscustomobject]@{
            SameCheckpoint = @($output | Where-Object { "$_" -like 'ID *' })[0] -eq 'ID True'
            Precompiled    = "$(@($output | Where-Object { "$_" -like 'PRECOMPILED*' })[0])".Substring(11).Trim()
            Loaded         = $loaded
        }
    }
}

Describe 'The module loader' {
    It 'loads the precompiled engine and dependencies from Dependencies/<rid>/ on this OS/architecture' {
        $precompiled = Join-Path $script:moduleFolder "Dependencies/$($script:rid)"
        if (-not (Test-Path $precompiled)) {
            Set-ItResult -Skipped -Because "the module was built without ReadyToRun images for $($script:rid) (they are built on linux-x64 hosts for linux-x64, win-x64 and osx-arm64)"
            return
        }

        $run = Invoke-CaptureInNewPwsh $script:manifestPath

        $run.SameCheckpoint | Should -BeTrue
        $run.Precompiled | Should -Be $script:rid
        foreach ($name in 'Daytona.Checkpoints', 'Daytona.Common', 'System.IO.Hashing', 'ZstdSharp') {
            $run.Loaded[$name].Location | Should -Be (Join-Path $precompiled "$name.dll")
            $run.Loaded[$name].Context | Should -Be 'Daytona.Snapshots'
        }
    }

    It 'loads the IL file of an assembly whose precompiled copy is for another platform' {
        $precompiled = Join-Path $script:moduleFolder "Dependencies/$($script:rid)"
        $other = Get-ChildItem -Directory (Join-Path $script:moduleFolder 'Dependencies') | Where-Object Name -NE $script:rid | Select-Object -First 1
        if (-not (Test-Path $precompiled) -or -not $other) {
            Set-ItResult -Skipped -Because "the module was built without ReadyToRun images for $($script:rid) and another platform"
            return
        }

        # Another platform's copy in this platform's folder: the same assembly (identity, metadata), but code the runtime
        # would refuse (BadImageFormatException), and after it the IL file too: the loader must not try it.
        $copy = Join-Path $TestDrive 'refused/Daytona.Snapshots'
        New-Item -ItemType Directory -Path $copy -Force | Out-Null
        Copy-Item -Path (Join-Path $script:moduleFolder '*') -Destination $copy -Recurse
        Copy-Item -LiteralPath (Join-Path $other.FullName 'Daytona.Common.dll') -Destination (Join-Path $copy "Dependencies/$($script:rid)/Daytona.Common.dll") -Force

        $run = Invoke-CaptureInNewPwsh (Join-Path $copy 'Daytona.Snapshots.psd1')

        $run.SameCheckpoint | Should -BeTrue
        $run.Loaded['Daytona.Common'].Location | Should -Be (Join-Path $copy 'Dependencies/Daytona.Common.dll')
        $run.Loaded['Daytona.Checkpoints'].Location | Should -Be (Join-Path $copy "Dependencies/$($script:rid)/Daytona.Checkpoints.dll")
    }

    It 'loads the IL files of Dependencies/ when the module has no folder for this OS/architecture' {
        $copy = Join-Path $TestDrive 'il-only/Daytona.Snapshots'
        New-Item -ItemType Directory -Path $copy -Force | Out-Null
        Copy-Item -Path (Join-Path $script:moduleFolder '*') -Destination $copy -Recurse
        Get-ChildItem -Directory (Join-Path $copy 'Dependencies') | Remove-Item -Recurse -Force

        $run = Invoke-CaptureInNewPwsh (Join-Path $copy 'Daytona.Snapshots.psd1')

        $run.SameCheckpoint | Should -BeTrue
        $run.Precompiled | Should -BeNullOrEmpty
        foreach ($name in 'Daytona.Checkpoints', 'Daytona.Common', 'System.IO.Hashing', 'ZstdSharp') {
            $run.Loaded[$name].Location | Should -Be (Join-Path $copy "Dependencies/$name.dll")
            $run.Loaded[$name].Context | Should -Be 'Daytona.Snapshots'
        }
    }
}
