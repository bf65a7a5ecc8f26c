# The cmdlet pages in docs/en-US cannot drift from the cmdlets: every exported cmdlet has a page in platyPS v2's
# schema; every parameter is documented with its real type, aliases, positions, mandatory flags, pipeline input and
# parameter sets; no page documents a parameter that does not exist; every page has a synopsis and two examples.
BeforeDiscovery {
    $manifest = Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../Daytona.Snapshots.psd1')
    $script:commands = @($manifest.CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-PlatyPS
    Import-Module (Get-BuiltModulePath) -Force
    $script:docs = Join-Path $PSScriptRoot '../../docs/en-US'
    $script:common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

    function Get-LiveParameterSets([System.Management.Automation.CommandInfo] $command, [string] $parameter) {
        $sets = @($command.ParameterSets | Where-Object { $_.Parameters.Name -contains $parameter })
        $all = $sets.Count -eq $command.ParameterSets.Count
        foreach ($set in $sets) {
            $p = $set.Parameters | Where-Object Name -EQ $parameter
            [pscustomobject]@{
                Name                            = if ($all -and $command.ParameterSets.Count -eq 1) { '(All)' } else { $set.Name }
                Position                        = if ($p.Position -lt 0) { 'Named' } else { [string]$p.Position }
                IsRequired                      = $p.IsMandatory
                ValueFromPipeline               = $p.ValueFromPipeline
                ValueFromPipelineByPropertyName = $p.ValueFromPipelineByPropertyName
            }
        }
    }
}

Describe 'The page of <Name>' -ForEach $script:commands {
    BeforeAll {
        $script:page = Join-Path $docs "$Name.md"
        $script:command = Get-Command $Name
        $script:help = if (Test-Path $page) { Import-MarkdownCommandHelp -Path $page }
    }

    It 'exists and follows the platyPS schema' {
        $page | Should -Exist
        Test-MarkdownCommandHelp -Path $page | Should -BeTrue
        $help.Title | Should -Be $Name
        $help.ModuleName | Should -Be 'Daytona.Snapshots'
    }

    It 'has no placeholder left' {
        Get-Content $page -Raw | Should -Not -Match '\{\{ ?(Fill|Add|Insert)'
    }

    It 'has a synopsis, a description and at least two examples with code' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Description | Should -Not -BeNullOrEmpty
        @($help.Examples).Count | Should -BeGreaterOrEqual 2
        foreach ($example in $help.Examples) { $example.Remarks | Should -Match '```powershell' }
    }

    It 'documents exactly the parameters the cmdlet has' {
        $live = @($command.Parameters.Keys | Where-Object { $_ -notin $common -and $_ -notin 'WhatIf', 'Confirm' } | Sort-Object)
        $documented = @($help.Parameters.Name | Where-Object { $_ -notin 'WhatIf', 'Confirm' } | Sort-Object)
        $documented | Should -Be $live
    }

    It 'documents each parameter with its real type, aliases and parameter sets' {
        foreach ($parameter in $help.Parameters | Where-Object Name -NotIn 'WhatIf', 'Confirm') {
            $metadata = $command.Parameters[$parameter.Name]
            $parameter.Type | Should -Be $metadata.ParameterType.FullName -Because "-$($parameter.Name) has that type"
            @($parameter.Aliases | Sort-Object) | Should -Be @($metadata.Aliases | Sort-Object) -Because "-$($parameter.Name) has those aliases"
            $expected = @(Get-LiveParameterSets $command $parameter.Name | Sort-Object Name)
            $actual = @($parameter.ParameterSets | Sort-Object Name)
            $actual.Count | Should -Be $expected.Count -Because "-$($parameter.Name) is in $($expected.Count) parameter set(s)"
            for ($i = 0; $i -lt $expected.Count; $i++) {
                foreach ($key in 'Name', 'Position', 'IsRequired', 'ValueFromPipeline', 'ValueFromPipelineByPropertyName') {
                    [string]$actual[$i].$key | Should -Be ([string]$expected[$i].$key) -Because "-$($parameter.Name) in set $($expected[$i].Name): $key"
                }
            }
        }
    }

    It 'shows the real syntax of every parameter set' {
        $documentedSets = @($help.Syntax.ParameterSetName | Sort-Object)
        $liveSets = @($command.ParameterSets.Name | Sort-Object)
        $documentedSets | Should -Be $liveSets
    }
}
