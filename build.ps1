#Requires -Version 7.0
<#
.SYNOPSIS
    Builds, tests, documents, demonstrates and packages the Daytona.Snapshots module.
.DESCRIPTION
    Each task is a thin wrapper over dotnet:
      Build    dotnet build Module.sln; leaves an importable module in out/Daytona.Snapshots/
      Test     dotnet test Module.sln (engine and hosted-engine tests), then the Pester 5 suite in tests/Pester
      Docs     MAML help from docs/en-US (platyPS v2) into out/Daytona.Snapshots/en-US; -UpdateMarkdown first
               brings the pages in step with the cmdlets (Update-MarkdownCommandHelp)
      Demo     dotnet run --project examples/Demo: runs examples/*.ps1 against the bundled emulator
      Package  Build + Docs, then out/packages/Daytona.Snapshots.<version>.nupkg for Install-PSResource/Install-Module
.EXAMPLE
    ./build.ps1
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Package; Register-PSResourceRepository -Name local -Uri ./out/packages; Install-PSResource Daytona.Snapshots -Repository local
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Docs', 'Demo', 'Package')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Skip the build a task would otherwise start with (the caller built already).
    [switch] $NoBuild,

    # Docs: update the markdown pages from the live cmdlets before generating help.
    [switch] $UpdateMarkdown
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = $PSScriptRoot
$moduleOut = Join-Path $root 'out/Daytona.Snapshots'

function Invoke-Dotnet {
    param([string[]] $Arguments)
    Write-Host "dotnet $($Arguments -join ' ')" -ForegroundColor Cyan
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE." }
}

function Invoke-Build {
    if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) { throw 'The .NET SDK is required: https://dot.net' }
    Invoke-Dotnet 'build', (Join-Path $root 'Module.sln'), '-c', $Configuration
}

function Import-ToolModule {
    # Pester and platyPS: installed for this pwsh, else beside the pwsh unpacked from ../shared/tools/powershell.
    param([string] $Name, [string] $BesidePath, [version] $MinimumVersion)
    $installed = Get-Module -ListAvailable -Name $Name | Where-Object Version -GE $MinimumVersion | Sort-Object Version -Descending | Select-Object -First 1
    if ($installed) { Import-Module $installed -Force; return }
    $beside = Join-Path (Split-Path $PSHOME) $BesidePath
    if (Test-Path $beside) { Import-Module $beside -Force; return }
    throw "$Name $MinimumVersion or later is needed: Install-PSResource $Name, or run with the pwsh from ../shared/tools/powershell/install.sh."
}

function Invoke-Docs {
    Import-ToolModule -Name Microsoft.PowerShell.PlatyPS -BesidePath 'platyps/Microsoft.PowerShell.PlatyPS/Microsoft.PowerShell.PlatyPS.psd1' -MinimumVersion 1.0.0
    $docs = Join-Path $root 'docs/en-US'
    $pages = Get-ChildItem -Path $docs -Filter '*.md' | Where-Object Name -NotLike 'about_*'
    if ($UpdateMarkdown) {
        # Brings parameters, syntax and metadata in step with the cmdlets; prose and examples are kept.
        $job = Start-Job -ScriptBlock {
            param($manifest, $paths, $platyPS)
            Import-Module $platyPS
            Import-Module $manifest
            Update-MarkdownCommandHelp -Path $paths | Out-Null
        } -ArgumentList (Join-Path $moduleOut 'Daytona.Snapshots.psd1'), $pages.FullName, (Get-Module Microsoft.PowerShell.PlatyPS).Path
        Receive-Job $job -Wait -AutoRemoveJob
    }

    Import-Module (Join-Path $root 'tools/HelpRendering.psm1') -Force
    $manifest = Import-PowerShellDataFile (Join-Path $root 'Daytona.Snapshots.psd1')
    $help = Import-MarkdownCommandHelp -Path $pages.FullName
    $staging = Join-Path ([System.IO.Path]::GetTempPath()) ("daytona-help-" + [guid]::NewGuid())
    try {
        Export-MamlCommandHelp -CommandHelp $help -OutputFolder $staging -Force | Out-Null
        $maml = Get-ChildItem -Path $staging -Recurse -Filter '*.xml'
        if (-not $maml) { throw "platyPS wrote no MAML from $($pages.Count) pages." }
        $target = Join-Path $moduleOut 'en-US'
        New-Item -ItemType Directory -Force -Path $target | Out-Null
        # Get-Help -Online opens the command's page in the repository's docs (the manifest's ProjectUri).
        $onlineUri = ($manifest.PrivateData.PSData.ProjectUri.TrimEnd('/')) + '/blob/main/docs/en-US/{0}.md'
        foreach ($file in $maml) {
            Repair-MamlHelp -Path $file.FullName -OnlineUri $onlineUri
            Copy-Item -LiteralPath $file.FullName -Destination $target -Force
        }
    }
    finally {
        Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
    }

    # About topics ship as plain text, laid out as PowerShell's own.
    foreach ($about in Get-ChildItem -Path $docs -Filter 'about_*.help.md') {
        $name = $about.Name -replace '\.md$', '.txt'
        $text = ConvertTo-AboutHelpText -Markdown (Get-Content -LiteralPath $about.FullName -Raw)
        Set-Content -LiteralPath (Join-Path $moduleOut "en-US/$name") -Value $text -Encoding utf8NoBOM -NoNewline
    }
    Write-Host "Help written to $(Join-Path $moduleOut 'en-US')"
}

function Invoke-Test {
    Invoke-Dotnet 'test', (Join-Path $root 'Module.sln'), '-c', $Configuration, '--no-build', '--logger', 'trx', '--results-directory', (Join-Path $root 'TestResults/dotnet')
    & (Join-Path $PSHOME 'pwsh') -NoProfile -File (Join-Path $root 'tests/Pester/Invoke-PesterSuite.ps1') -OutputFile (Join-Path $root 'TestResults/pester.nunit.xml')
    if ($LASTEXITCODE -ne 0) { throw 'The Pester suite failed.' }
}

function Invoke-Package {
    $manifest = Import-PowerShellDataFile (Join-Path $root 'Daytona.Snapshots.psd1')
    $version = $manifest.ModuleVersion
    $packages = Join-Path $root 'out/packages'
    New-Item -ItemType Directory -Force -Path $packages | Out-Null
    $escape = [System.Security.SecurityElement]
    $nuspec = @"
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>Daytona.Snapshots</id>
    <version>$version</version>
    <authors>$($escape::Escape($manifest.Author))</authors>
    <description>$($escape::Escape($manifest.Description))</description>
    <releaseNotes>$($escape::Escape($manifest.PrivateData.PSData.ReleaseNotes))</releaseNotes>
    <copyright>$($escape::Escape($manifest.Copyright))</copyright>
    <license type="expression">MIT</license>
    <projectUrl>$($manifest.PrivateData.PSData.ProjectUri)</projectUrl>
    <tags>PSModule PSIncludes_Cmdlet $(($manifest.PrivateData.PSData.Tags) -join ' ') $(($manifest.CmdletsToExport | ForEach-Object { "PSCmdlet_$_" }) -join ' ')</tags>
  </metadata>
  <files>
    <file src="$moduleOut/**" target="" exclude="**/*.pdb" />
  </files>
</package>
"@
    $work = Join-Path $root 'obj/package'
    New-Item -ItemType Directory -Force -Path $work | Out-Null
    Set-Content -LiteralPath (Join-Path $work 'Daytona.Snapshots.nuspec') -Value $nuspec -Encoding utf8NoBOM
    # A project whose only job is to pack the nuspec: dotnet pack needs one.
    Set-Content -LiteralPath (Join-Path $work 'Package.csproj') -Encoding utf8NoBOM -Value @'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <IsPackable>true</IsPackable>
    <NuspecFile>Daytona.Snapshots.nuspec</NuspecFile>
    <NoWarn>$(NoWarn);NU5100;NU5110;NU5111;NU5128</NoWarn>
  </PropertyGroup>
</Project>
'@
    Invoke-Dotnet 'pack', (Join-Path $work 'Package.csproj'), '--output', $packages
    Write-Host "Package: $(Join-Path $packages "Daytona.Snapshots.$version.nupkg")"
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { if (-not $NoBuild) { Invoke-Build }; Invoke-Test }
    'Docs' { if (-not $NoBuild) { Invoke-Build }; Invoke-Docs }
    'Demo' { Invoke-Dotnet 'run', '--project', (Join-Path $root 'examples/Demo'), '-c', $Configuration }
    'Package' { if (-not $NoBuild) { Invoke-Build }; Invoke-Docs; Invoke-Package }
}
