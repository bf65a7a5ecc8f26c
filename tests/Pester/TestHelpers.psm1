# Shared by the Pester suites: where the built module is.
function Get-BuiltModulePath {
    $path = Join-Path $PSScriptRoot '../../out/Daytona.Snapshots/Daytona.Snapshots.psd1'
    if (-not (Test-Path $path)) { throw "The module is not built: run 'dotnet build Module.sln -c Release' (or ./build.ps1)." }
    (Resolve-Path $path).Path
}

function Import-PlatyPS {
    # platyPS v2: installed for this pwsh, else beside the pwsh unpacked from ../shared/tools/powershell.
    $installed = Get-Module -ListAvailable -Name Microsoft.PowerShell.PlatyPS | Sort-Object Version -Descending | Select-Object -First 1
    if ($installed) { Import-Module $installed -Force -Global; return }
    $beside = Join-Path (Split-Path $PSHOME) 'platyps/Microsoft.PowerShell.PlatyPS/Microsoft.PowerShell.PlatyPS.psd1'
    if (-not (Test-Path $beside)) { throw "platyPS v2 (Microsoft.PowerShell.PlatyPS) is needed: Install-PSResource Microsoft.PowerShell.PlatyPS." }
    Import-Module $beside -Force -Global
}

function ConvertFrom-YamlFile([string] $Path) {
    # YAML through YamlDotNet: platyPS v2 ships it, so a pwsh with platyPS can read YAML without another module.
    Import-PlatyPS
    $yamlDotNet = Join-Path (Split-Path (Get-Module Microsoft.PowerShell.PlatyPS).Path) 'YamlDotNet.dll'
    if (-not ([System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'YamlDotNet' })) {
        Add-Type -Path $yamlDotNet
    }
    $deserializer = [YamlDotNet.Serialization.DeserializerBuilder]::new().Build()
    $deserializer.Deserialize([System.IO.StringReader]::new((Get-Content -LiteralPath $Path -Raw)))
}

function Find-YamlMapping($Node) {
    # Every mapping (dictionary) in a deserialized YAML tree, depth first.
    if ($Node -is [System.Collections.IDictionary]) {
        $Node
        foreach ($value in $Node.Values) { Find-YamlMapping $value }
    }
    elseif ($Node -is [System.Collections.IEnumerable] -and $Node -isnot [string]) {
        foreach ($item in $Node) { Find-YamlMapping $item }
    }
}
function Get-EmulatorKey($Emulator) {
    # The emulator's API key as plain text (only ever for a local emulator).
    [System.Net.NetworkCredential]::new('', $Emulator.ApiKey).Password
}

function Invoke-EmulatorControl {
    # Calls the emulator's control API (/_emulator, same bearer key) as a user would with Invoke-RestMethod.
    param(
        [Parameter(Mandatory)] $Emulator,
        [Parameter(Mandatory)] [string] $Path,
        [string] $Method = 'Post',
        $Body
    )
    $origin = ([uri]$Emulator.ApiUrl.ToString()).GetLeftPart([System.UriPartial]::Authority)
    $request = @{
        Method  = $Method
        Uri     = "$origin/_emulator/$($Path.TrimStart('/'))"
        Headers = @{ Authorization = "Bearer $(Get-EmulatorKey $Emulator)" }
    }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $request.Body = $Body | ConvertTo-Json -Depth 5 -Compress
        $request.ContentType = 'application/json'
    }
    Invoke-RestMethod @request
}

function Wait-SnapshotGone([string] $Name, $Connection, [double] $TimeoutSeconds = 10) {
    # Waits until a removed snapshot is gone (Daytona shows it as removing for a moment first).
    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([datetime]::UtcNow -lt $deadline) {
        $with = @{}
        if ($Connection) { $with.Connection = $Connection }
        $found = Get-DaytonaSnapshot -Name $Name @with -ErrorAction SilentlyContinue
        if (-not $found) { return }
        Start-Sleep -Milliseconds 50
    }
    throw "Snapshot '$Name' was still there after $TimeoutSeconds s."
}

function Invoke-ChildPowerShell {
    # Runs a script in a fresh process of the PowerShell that runs the tests (pwsh, or Windows PowerShell 5.1), with the
    # built module imported and the given environment variables ($null removes one); returns the lines it wrote to
    # stdout (what a terminal or a pipeline agent shows), its stderr text and its exit code.
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $file = Join-Path ([System.IO.Path]::GetTempPath()) ("daytona-child-" + [guid]::NewGuid().ToString('N') + '.ps1')
    Set-Content -LiteralPath $file -Value "Import-Module '$(Get-BuiltModulePath)'`n$Script" -Encoding UTF8
    try {
        $start = New-Object System.Diagnostics.ProcessStartInfo (Get-Process -Id $PID).Path
        $start.Arguments = "-NoProfile -NonInteractive -ExecutionPolicy Bypass -File `"$file`""
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.UseShellExecute = $false
        foreach ($name in $Environment.Keys) {
            if ($null -eq $Environment[$name]) { $start.Environment.Remove($name) | Out-Null } else { $start.Environment[$name] = [string]$Environment[$name] }
        }
        $process = [System.Diagnostics.Process]::Start($start)
        $stderr = $process.StandardError.ReadToEndAsync()
        $stdout = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        [pscustomobject]@{
            Lines    = @($stdout -split "`r?`n" | Where-Object { $_ -ne '' })
            Error    = $stderr.Result
            ExitCode = $process.ExitCode
        }
    }
    finally {
        Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
    }
}

Export-ModuleMember -Function Get-BuiltModulePath, Import-PlatyPS, ConvertFrom-YamlFile, Find-YamlMapping, Get-EmulatorKey, Invoke-EmulatorControl, Wait-SnapshotGone, Invoke-ChildPowerShell
