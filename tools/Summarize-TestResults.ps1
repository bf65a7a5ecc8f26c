<#
.SYNOPSIS
    Sums test results from TRX files (dotnet test) and NUnit XML files (Pester, the .NET Framework smoke suite) into one
    line: "N passed, N failed, N skipped", the last line of the output. Before it, one line per skipped test with its
    reason ("skipped: <test>: <reason>") where the result file records one, and one line per failed test with the
    first lines of its message ("failed: <test>: <message>"). Exits 1 when a test failed or none ran.
#>
param(
    [Parameter(Mandatory)] [string] $ResultsDirectory
)

$passed = 0; $failed = 0; $skipped = 0
foreach ($file in Get-ChildItem -Path $ResultsDirectory -Recurse -File -Filter *.trx) {
    [xml] $trx = Get-Content -LiteralPath $file.FullName -Raw
    foreach ($result in $trx.TestRun.Results.UnitTestResult) {
        switch ($result.outcome) {
            'Passed' { $passed++ }
            'NotExecuted' {
                $skipped++
                $reason = $result.Output.ErrorInfo.Message
                "skipped: $($result.testName): $(if ($reason) { $reason } else { '(no reason recorded)' })"
            }
            default {
                $failed++
                $message = "$($result.Output.ErrorInfo.Message)".Trim() -split "`r?`n" | Select-Object -First 3
                "failed: $($result.testName): $($message -join ' | ')"
            }
        }
    }
}
foreach ($file in Get-ChildItem -Path $ResultsDirectory -Recurse -File -Filter *.nunit.xml) {
    [xml] $nunit = Get-Content -LiteralPath $file.FullName -Raw
    foreach ($case in $nunit.SelectNodes('//test-case')) {
        switch ($case.result) {
            'Success' { $passed++ }
            { $_ -in 'Ignored', 'Skipped', 'Inconclusive', 'NotRunnable' } {
                $skipped++
                $reason = $case.SelectSingleNode('reason/message')
                "skipped: $($case.name): $(if ($reason) { $reason.InnerText } else { '(no reason recorded; see the suite''s output above)' })"
            }
            default {
                $failed++
                $message = $case.SelectSingleNode('failure/message')
                $first = if ($message) { "$($message.InnerText)".Trim() -split "`r?`n" | Select-Object -First 3 } else { '(no message recorded)' }
                "failed: $($case.name): $($first -join ' | ')"
            }
        }
    }
}
"$passed passed, $failed failed, $skipped skipped"
if ($failed -gt 0 -or ($passed + $failed) -eq 0) { exit 1 }
exit 0
