# A declarative image: defined in PowerShell, hashed exactly as Daytona's SDKs hash it, built once.
if (-not $emulator) { $emulator = Start-DaytonaEmulator -TimeScale 0.3 }
$emulator | Connect-Daytona

# A small project folder for the image's build context.
$project = [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'daytona-demo-app')).FullName
[System.IO.File]::WriteAllText([System.IO.Path]::Combine($project, 'app.py'), "print('hello from a Daytona sandbox')`n")
Push-Location $project

$image = New-DaytonaImage -DebianSlim 3.12 |
    Add-DaytonaImageCommand 'apt-get update', 'apt-get install -y git' |
    Add-DaytonaImagePackage numpy, pandas |
    Add-DaytonaImageFile ./app.py -Destination /app/app.py |
    Set-DaytonaImageEnvironment @{ PORT = '8000' } |
    Set-DaytonaImageWorkingDirectory /app

# The Dockerfile and the build context, as Daytona will see them.
$image.Dockerfile
$image.Context

# Build it: the context is uploaded, Daytona builds, the log streams on the information stream.
$built = $image | New-DaytonaSnapshot -Name demo-app | Wait-DaytonaSnapshot -ShowBuildLog | Enable-DaytonaSnapshot
$built

# The same definition again: the existing build is reused — no upload, no build.
$again = $image | New-DaytonaSnapshot -Name demo-app
"Reused the existing build: $($again.Id -eq $built.Id)"

Pop-Location
