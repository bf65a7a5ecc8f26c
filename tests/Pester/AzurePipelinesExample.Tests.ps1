# examples/azure-pipelines.yml is a real pipeline: the YAML parses, every script file it names exists and parses,
# and every inline script parses.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:pipeline = Join-Path $root 'examples/azure-pipelines.yml'
    $script:document = ConvertFrom-YamlFile $pipeline
    $script:tasks = @(Find-YamlMapping $script:document | Where-Object { $_.Keys -contains 'task' -and $_['task'] -like 'PowerShell@*' })
}

Describe 'examples/azure-pipelines.yml' {
    It 'parses as YAML and has PowerShell tasks' {
        $document | Should -Not -BeNullOrEmpty
        $tasks.Count | Should -BeGreaterOrEqual 3
    }

    It 'runs every PowerShell task with pwsh' {
        foreach ($task in $tasks) { $task['inputs']['pwsh'] | Should -Be 'true' }
    }

    It 'names script files that exist and parse' {
        $files = @($tasks | ForEach-Object { $_['inputs']['filePath'] } | Where-Object { $_ })
        $files.Count | Should -BeGreaterOrEqual 2
        foreach ($file in $files) {
            $path = Join-Path $root $file
            $path | Should -Exist
            $errors = $null
            [System.Management.Automation.Language.Parser]::ParseFile($path, [ref]$null, [ref]$errors) | Out-Null
            $errors | Should -BeNullOrEmpty -Because "$file must parse"
        }
    }

    It 'has inline scripts that parse' {
        $inline = @($tasks | ForEach-Object { $_['inputs']['script'] } | Where-Object { $_ })
        $inline.Count | Should -BeGreaterOrEqual 1
        foreach ($script in $inline) {
            # Pipeline macros $(name) are replaced by the agent before PowerShell sees the script.
            $text = $script -replace '\$\((?<name>[A-Za-z_][A-Za-z0-9_.]*)\)', 'MACRO'
            $errors = $null
            [System.Management.Automation.Language.Parser]::ParseInput($text, [ref]$null, [ref]$errors) | Out-Null
            $errors | Should -BeNullOrEmpty
        }
    }

    It 'maps the API key from a secret variable and never writes it inline' {
        $text = Get-Content $pipeline -Raw
        $text | Should -Match 'DAYTONA_API_KEY: \$\(DAYTONA_API_KEY\)'
        $text | Should -Not -Match 'dtn_[0-9a-f]{8,}'
    }
}
