# The package build.ps1 -Task Package makes installs the way Install-PSResource installs a module from a local
# repository: the .nupkg's content unpacked into <modules>/Daytona.Snapshots/<version>/, found by name on
# PSModulePath. (PSResourceGet itself is not available on every build machine; this does its file layout.)
BeforeAll {
    $script:root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:source = Import-PowerShellDataFile (Join-Path $root 'Daytona.Snapshots.psd1')
    $script:package = Join-Path $root "out/packages/Daytona.Snapshots.$($source.ModuleVersion).nupkg"
}

Describe 'The module package' {
    It 'exists after build.ps1 -Task Package' {
        $package | Should -Exist
    }

    It 'carries the manifest at its root, the module, its dependencies, formats and help, and nuspec metadata' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($package)
        try {
            $names = $zip.Entries.FullName
            foreach ($name in 'Daytona.Snapshots.psd1', 'Daytona.Snapshots.dll', 'Dependencies/Daytona.Api.dll', 'Dependencies/YamlDotNet.dll', 'Formats/Snapshots.format.ps1xml', 'en-US/Daytona.Snapshots.dll-Help.xml', 'Daytona.Snapshots.nuspec') {
                $names | Should -Contain $name
            }
            $names | Where-Object { $_ -like '*.pdb' } | Should -BeNullOrEmpty
            $reader = [System.IO.StreamReader]::new(($zip.Entries | Where-Object FullName -EQ 'Daytona.Snapshots.nuspec').Open())
            [xml] $nuspec = $reader.ReadToEnd()
            $reader.Dispose()
            $nuspec.package.metadata.version | Should -Be $source.ModuleVersion
            $nuspec.package.metadata.tags | Should -Match '\bPSModule\b'
            $nuspec.package.metadata.tags | Should -Match 'PSCmdlet_Connect-Daytona'
        }
        finally {
            $zip.Dispose()
        }
    }

    It 'carries the precompiled copies the build made, one folder per runtime identifier' {
        $built = @(Get-ChildItem -File (Join-Path $root 'out/Daytona.Snapshots/Dependencies/*/*.dll') | ForEach-Object { "Dependencies/$($_.Directory.Name)/$($_.Name)" })
        if ([System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier -eq 'linux-x64') {
            # The build host that makes them: all three platforms, each with the engine.
            foreach ($rid in 'linux-x64', 'win-x64', 'osx-arm64') {
                $built | Should -Contain "Dependencies/$rid/Daytona.Checkpoints.dll"
            }
        }
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($package)
        try {
            $packed = @($zip.Entries.FullName | Where-Object { $_ -like 'Dependencies/*/*.dll' })
        }
        finally {
            $zip.Dispose()
        }
        ($packed | Sort-Object) | Should -Be ($built | Sort-Object)
    }

    It 'installs into a modules folder and imports by name in a fresh pwsh' {
        $modules = Join-Path $TestDrive 'Modules'
        $target = Join-Path $modules "Daytona.Snapshots/$($source.ModuleVersion)"
        New-Item -ItemType Directory -Path $target -Force | Out-Null
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        [System.IO.Compression.ZipFile]::ExtractToDirectory($package, $target)
        Remove-Item -Recurse -Force (Join-Path $target '_rels'), (Join-Path $target 'package') -ErrorAction SilentlyContinue
        $pwsh = Join-Path $PSHOME 'pwsh'
        $separator = [System.IO.Path]::PathSeparator
        $result = & $pwsh -NoProfile -NonInteractive -Command "`$env:PSModulePath = '$modules$separator' + `$env:PSModulePath; Import-Module Daytona.Snapshots -ErrorAction Stop; (Get-Module Daytona.Snapshots).ModuleBase; (Get-Help Connect-Daytona).Synopsis"
        $LASTEXITCODE | Should -Be 0
        $result[0] | Should -Be $target
        $result[1] | Should -Match 'Connects to the Daytona API'
    }
}
