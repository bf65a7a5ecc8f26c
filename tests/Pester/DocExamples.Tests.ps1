# Doc-tests: every example in docs/en-US runs, as written, in real pwsh against the bundled emulator.
#
# The contract an example is written to (say so in the example's prose when it matters):
# - the current location is a new folder holding a copy of a small Python project (DocExamples/project: app.py,
#   requirements.txt, pyproject.toml, src/, config/settings.json, docker/Dockerfile, web/); the example may change
#   or add files there;
# - an emulator is running and is the default connection (Start-DaytonaEmulator | Connect-Daytona), and
#   DAYTONA_API_URL / DAYTONA_API_KEY point at it;
# - Read-Host answers with the emulator's API key (as a SecureString with -AsSecureString);
# - environment variables, the location and the default connection are restored after each example.
# An example fails on any error, terminating or not.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PlatyPS
    $docs = Join-Path $PSScriptRoot '../../docs/en-US'
    $script:examples = foreach ($page in Get-ChildItem $docs -Filter '*.md' | Where-Object Name -NotLike 'about_*') {
        $help = Import-MarkdownCommandHelp -Path $page.FullName
        $index = 0
        foreach ($example in $help.Examples) {
            $index++
            $blocks = [regex]::Matches($example.Remarks, '```powershell\r?\n(?<code>.*?)```', 'Singleline')
            foreach ($block in $blocks) {
                @{ Page = $page.BaseName; Title = $example.Title; Index = $index; Code = $block.Groups['code'].Value }
            }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    $script:emulator = Start-DaytonaEmulator -TimeScale 0.05
    $script:emulatorKey = [System.Net.NetworkCredential]::new('', $script:emulator.ApiKey).Password
    $script:variables = 'DAYTONA_API_URL', 'DAYTONA_API_KEY', 'DAYTONA_ORGANIZATION_ID', 'TF_BUILD'
}

AfterAll {
    $script:emulator | Stop-DaytonaEmulator -ErrorAction SilentlyContinue
}

Describe 'Example <Index> of <Page>: <Title>' -ForEach $script:examples {
    It 'runs without an error' {
        $saved = @{}
        foreach ($name in $variables) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
        $folder = Join-Path ([System.IO.Path]::GetTempPath()) ("doc-example-" + [guid]::NewGuid().ToString('N'))
        Copy-Item -Path (Join-Path $PSScriptRoot 'DocExamples/project') -Destination $folder -Recurse
        Push-Location $folder
        try {
            $env:DAYTONA_API_URL = $emulator.ApiUrl.ToString()
            $env:DAYTONA_API_KEY = $emulatorKey
            Remove-Item Env:DAYTONA_ORGANIZATION_ID, Env:TF_BUILD -ErrorAction SilentlyContinue
            $emulator | Connect-Daytona | Out-Null
            $key = $emulatorKey
            $run = [scriptblock]::Create(@"
function Read-Host { param([switch] `$AsSecureString, [object] `$Prompt) if (`$AsSecureString) { ConvertTo-SecureString '$key' -AsPlainText -Force } else { 'y' } }
`$ErrorActionPreference = 'Stop'
`$ConfirmPreference = 'None'
$Code
"@)
            { & $run | Out-Null } | Should -Not -Throw
        }
        finally {
            Pop-Location
            Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue
            foreach ($name in $variables) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
    }
}
