# Makes the help platyPS builds from docs/en-US read as PowerShell's own help reads at a prompt. platyPS v2 writes an
# example's whole markdown (fences included) into one paragraph, keeps relative page links as URIs (Get-Help -Online
# then fails on them) and has no writer for about topics; these functions finish its MAML and turn the about page into
# the plain text about topics are. Written here because no library does this last step.

function ConvertTo-HelpText {
    # Inline markdown as help text: [text](https://…) -> "text (https://…)", [text](Page.md) -> "text", **bold** -> bold.
    # Backticks around code stay, as in PowerShell's own help; -Plain removes them too (about topics).
    param([AllowEmptyString()] [string] $Text, [switch] $Plain)
    $result = [regex]::Replace($Text, '\[([^\]]+)\]\(([^)\s]*)\)', {
            param($m)
            $label = $m.Groups[1].Value; $target = $m.Groups[2].Value
            if ($target -match '^[a-z]+://' -and $target -ne $label) { "$label ($target)" } else { $label }
        })
    $result = [regex]::Replace($result, '\*\*(.+?)\*\*', '$1')
    $result = [regex]::Replace($result, '(?<![\w`])__(.+?)__(?![\w`])', '$1')
    if ($Plain) { $result = [regex]::Replace($result, '`([^`]+)`', '$1') }
    $result
}

function Split-ExampleMarkdown {
    # An example's markdown as PowerShell's help holds it: the text before the first code block (introduction), that
    # code block (code), and what follows (remarks: paragraphs, and later code blocks, such as output, without fences).
    param([string] $Markdown)
    $introduction = [System.Collections.Generic.List[string]]::new()
    $remarks = [System.Collections.Generic.List[string]]::new()
    $code = $null
    $paragraph = [System.Collections.Generic.List[string]]::new()
    $block = $null
    $flush = {
        if ($paragraph.Count) {
            $text = ConvertTo-HelpText (($paragraph | ForEach-Object Trim) -join ' ')
            if ($null -eq $code) { $introduction.Add($text) } else { $remarks.Add($text) }
            $paragraph.Clear()
        }
    }
    foreach ($line in ($Markdown -replace "`r", '') -split "`n") {
        if ($null -ne $block) {
            if ($line -match '^\s*```\s*$') {
                $body = ($block -join "`n").TrimEnd()
                if ($null -eq $code) { $code = $body } else { $remarks.Add($body) }
                $block = $null
            }
            else { $block.Add($line) }
            continue
        }
        if ($line -match '^\s*```') { & $flush; $block = [System.Collections.Generic.List[string]]::new(); continue }
        if ($line.Trim() -eq '' -or $line.Trim() -eq [string][char]0x80) { & $flush; continue }
        $paragraph.Add($line)
    }
    & $flush
    [pscustomobject]@{ Introduction = @($introduction); Code = $(if ($null -eq $code) { '' } else { $code }); Remarks = @($remarks) }
}

function Repair-MamlHelp {
    # Finishes the MAML platyPS wrote: examples split into introduction, code and remarks; inline markdown as help
    # text; "Online Version" pointing at the command's page ($OnlineUri is a format string, {0} the command's name);
    # links to sibling pages without a URI (PowerShell's own help names related commands the same way).
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $OnlineUri)
    $xml = [xml]::new()
    $xml.PreserveWhitespace = $false
    $xml.Load($Path)
    $ns = [System.Xml.XmlNamespaceManager]::new($xml.NameTable)
    $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
    $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
    $ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
    $mamlNs = 'http://schemas.microsoft.com/maml/2004/10'

    foreach ($command in $xml.SelectNodes('//command:command', $ns)) {
        $name = $command.SelectSingleNode('command:details/command:name', $ns).InnerText.Trim()

        foreach ($example in $command.SelectNodes('command:examples/command:example', $ns)) {
            $introduction = $example.SelectSingleNode('maml:introduction', $ns)
            # platyPS keeps the example's markdown as paragraphs, one per run of lines, with a U+0080 paragraph for
            # each blank line between them.
            $markdown = (@($introduction.SelectNodes('maml:para', $ns)) | ForEach-Object { if ($_.InnerText -eq [string][char]0x80) { '' } else { $_.InnerText } }) -join "`n"
            $parts = Split-ExampleMarkdown $markdown
            $introduction.RemoveAll()
            foreach ($text in $parts.Introduction) { $p = $xml.CreateElement('maml', 'para', $mamlNs); $p.InnerText = $text; [void]$introduction.AppendChild($p) }
            $example.SelectSingleNode('dev:code', $ns).InnerText = $parts.Code
            $remarks = $example.SelectSingleNode('dev:remarks', $ns)
            $remarks.RemoveAll()
            # The empty paragraph last leaves a blank line before the next example, as in PowerShell's own help.
            foreach ($text in @($parts.Remarks) + '') { $p = $xml.CreateElement('maml', 'para', $mamlNs); $p.InnerText = $text; [void]$remarks.AppendChild($p) }
        }

        # Every other paragraph: drop platyPS's empty markers, render inline markdown.
        foreach ($para in @($command.SelectNodes('.//maml:para', $ns))) {
            if ($para.SelectSingleNode('ancestor::command:example', $ns)) { continue }
            if ($para.InnerText.Trim() -eq [string][char]0x80) { [void]$para.ParentNode.RemoveChild($para); continue }
            $para.InnerText = ConvertTo-HelpText $para.InnerText
        }

        foreach ($link in $command.SelectNodes('command:relatedLinks/maml:navigationLink', $ns)) {
            $text = $link.SelectSingleNode('maml:linkText', $ns)
            $uri = $link.SelectSingleNode('maml:uri', $ns)
            if ($text.InnerText.Trim() -match '^Online Version:?$') { $text.InnerText = 'Online Version:'; $uri.InnerText = $OnlineUri -f $name }
            elseif ($uri.InnerText -notmatch '^[a-z]+://') { $uri.InnerText = '' }
        }
    }

    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
    $writer = [System.Xml.XmlWriter]::Create($Path, $settings)
    try { $xml.Save($writer) } finally { $writer.Dispose() }
}

function ConvertTo-AboutHelpText {
    # An about_ page (platyPS markdown) as the plain text about topics are, the layout of PowerShell's own
    # default.help.txt: TOPIC, headings in capitals, text indented and wrapped at 80 columns, code indented further,
    # tables and lists kept as lines, no markdown marks.
    param([Parameter(Mandatory)] [string] $Markdown, [int] $Width = 80)
    $text = ($Markdown -replace "`r", '') -replace '(?s)\A---.*?\n---\s*\n', ''
    $out = [System.Collections.Generic.List[string]]::new()
    $paragraph = [System.Collections.Generic.List[string]]::new()
    $indent = 4

    $wrap = {
        param([string] $Line, [string] $First, [string] $Rest)
        $words = $Line -split ' ' | Where-Object { $_ -ne '' }
        $current = $First
        $fresh = $true
        foreach ($word in $words) {
            if (-not $fresh -and ($current.Length + 1 + $word.Length) -gt $Width) { $out.Add($current.TrimEnd()); $current = $Rest; $fresh = $true }
            $current += $(if ($fresh) { $word } else { " $word" })
            $fresh = $false
        }
        if (-not $fresh) { $out.Add($current.TrimEnd()) }
    }
    $flush = {
        if ($paragraph.Count) {
            & $wrap (ConvertTo-HelpText -Plain (($paragraph | ForEach-Object Trim) -join ' ')) (' ' * $indent) (' ' * $indent)
            $out.Add('')
            $paragraph.Clear()
        }
    }

    $lines = $text -split "`n"
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($line -match '^\s*```') {
            & $flush
            $fence = ([regex]::Match($line, '^\s*')).Value.Length
            for ($i++; $i -lt $lines.Count -and $lines[$i] -notmatch '^\s*```\s*$'; $i++) {
                $codeLine = $lines[$i]
                $codeLine = $codeLine.Substring([Math]::Min($fence, ([regex]::Match($codeLine, '^\s*')).Value.Length))
                $out.Add($(if ($codeLine.Trim()) { (' ' * ($indent + 4)) + $codeLine.TrimEnd() } else { '' }))
            }
            $out.Add('')
            continue
        }
        if ($line -match '^# (.+)$') { & $flush; $out.Add('TOPIC'); $out.Add('    ' + $Matches[1].Trim()); $out.Add(''); continue }
        if ($line -match '^## (.+)$') { & $flush; $out.Add($Matches[1].Trim().ToUpperInvariant()); $indent = 4; continue }
        if ($line -match '^#{3,} (.+)$') { & $flush; $out.Add('  ' + $Matches[1].Trim().ToUpperInvariant()); $indent = 4; continue }
        if ($line -match '^\s*\|') {
            & $flush
            if ($line -match '^\s*\|[\s:|-]+\|\s*$') { continue } # the header separator
            $cells = $line.Trim().Trim('|') -split '\|' | ForEach-Object { ConvertTo-HelpText -Plain $_.Trim() }
            & $wrap ($cells -join ' - ') (' ' * $indent) (' ' * ($indent + 4))
            if ($i + 1 -ge $lines.Count -or $lines[$i + 1] -notmatch '^\s*\|') { $out.Add('') }
            continue
        }
        if ($line -match '^(\s*)([-*]|\d+\.) (.+)$') {
            & $flush
            $item = $Matches[3]
            while ($i + 1 -lt $lines.Count -and $lines[$i + 1] -match '^\s{2,}\S' -and $lines[$i + 1] -notmatch '^\s*([-*]|\d+\.) ' -and $lines[$i + 1] -notmatch '^\s*```') {
                $i++; $item += ' ' + $lines[$i].Trim()
            }
            $marker = $Matches[2]; if ($marker -eq '*') { $marker = '-' }
            & $wrap (ConvertTo-HelpText -Plain $item) ((' ' * $indent) + "$marker ") (' ' * ($indent + $marker.Length + 1))
            if ($i + 1 -ge $lines.Count -or $lines[$i + 1] -notmatch '^\s*([-*]|\d+\.) ') { $out.Add('') }
            continue
        }
        if ($line.Trim() -eq '') { & $flush; continue }
        $paragraph.Add($line)
    }
    & $flush
    while ($out.Count -and $out[$out.Count - 1] -eq '') { $out.RemoveAt($out.Count - 1) }
    ($out -join [Environment]::NewLine) + [Environment]::NewLine
}

Export-ModuleMember -Function ConvertTo-HelpText, Split-ExampleMarkdown, Repair-MamlHelp, ConvertTo-AboutHelpText
