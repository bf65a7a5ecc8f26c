<#
.SYNOPSIS
    Sums test results from TRX files (dotnet test) and NUnit XML files (Pester, the .NET Framework smoke suite) into one
    line: "N passed, N failed, N skipped", the last line of the output. Before it, one line per skipped test with its
    reason ("skipped: <test>: <reason>") where the result file records one. Exits 1 when a test failed or none ran.
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
            default { $failed++ }
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
            default { $failed++ }
        }
    }
}
"$passed passed, $failed failed, $skipped skipped"
if ($failed -gt 0 -or ($passed + $failed) -eq 0) { exit 1 }
exit 0
