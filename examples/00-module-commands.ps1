# What the module offers: every command it exports, shown as a table.
Get-Command -Module Daytona.Snapshots
