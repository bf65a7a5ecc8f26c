# Done: stop the emulator the examples started (it would also stop with this PowerShell process).
if ($emulator) { $emulator | Stop-DaytonaEmulator; $emulator = $null }
