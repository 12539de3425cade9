# Image build (Windows): installs the Semaphore agent verified against its SHA-256 from recipes.json,
# the agent's user and service (nssm), and the scheduled tasks of the instance scripts.
param([string]$AgentUrl, [string]$AgentSha256, [string]$ToolboxUrl, [string]$ToolboxSha256)
$ErrorActionPreference = 'Stop'

function Assert-Checksum([string]$Url, [string]$Sha256) {
  if ($Sha256 -notmatch '^[0-9a-f]{64}$') {
    throw "no SHA-256 for $Url in image-recipes/recipes.json (got '$Sha256'): fill it in before building."
  }
}

function Get-VerifiedDownload([string]$Url, [string]$Sha256, [string]$Target) {
  Invoke-WebRequest -UseBasicParsing -Uri $Url -OutFile $Target
  if ((Get-FileHash -Algorithm SHA256 $Target).Hash.ToLowerInvariant() -ne $Sha256) {
    throw "$Url does not match its SHA-256 from recipes.json."
  }
}

Assert-Checksum $AgentUrl $AgentSha256
Assert-Checksum $ToolboxUrl $ToolboxSha256

$agentDir = 'C:\semaphore-agent'
New-Item -ItemType Directory -Force -Path $agentDir | Out-Null
$work = Join-Path $env:TEMP 'semaphore-image'
New-Item -ItemType Directory -Force -Path $work | Out-Null

Get-VerifiedDownload $AgentUrl $AgentSha256 (Join-Path $work 'agent.tar.gz')
tar.exe -xf (Join-Path $work 'agent.tar.gz') -C $agentDir
Get-VerifiedDownload $ToolboxUrl $ToolboxSha256 (Join-Path $agentDir 'toolbox.tar')

# Chocolatey's community packages, pinned as in the older images.
Set-ExecutionPolicy Bypass -Scope Process -Force
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor 3072
Invoke-Expression ((New-Object Net.WebClient).DownloadString('https://community.chocolatey.org/install.ps1'))
choco install -y --no-progress git --version 2.35.1.2
choco install -y --no-progress jq --version 1.6
choco install -y --no-progress nssm --version 2.24.101.20180116
choco install -y --no-progress python3
git config --system core.autocrlf false
python -m pip install boto3

# The agent's user; its password is random and known to nssm only.
Add-Type -AssemblyName System.Web
$password = [System.Web.Security.Membership]::GeneratePassword(24, 4)
New-LocalUser -Name semaphore -Password (ConvertTo-SecureString $password -AsPlainText -Force) -PasswordNeverExpires | Out-Null
Add-LocalGroupMember -Group Administrators -Member semaphore

# The toolbox is installed into the agent user's profile from the verified archive.
$toolboxHome = 'C:\Users\semaphore\.toolbox'
New-Item -ItemType Directory -Force -Path $toolboxHome | Out-Null
tar.exe -xf (Join-Path $agentDir 'toolbox.tar') -C $toolboxHome --strip-components=1

nssm install semaphore-agent (Join-Path $agentDir 'agent.exe') start --config-file (Join-Path $agentDir 'config.yaml') | Out-Null
nssm set semaphore-agent ObjectName '.\semaphore' $password | Out-Null
nssm set semaphore-agent AppDirectory $agentDir | Out-Null
nssm set semaphore-agent AppStdout (Join-Path $agentDir 'agent.log') | Out-Null
nssm set semaphore-agent AppStderr (Join-Path $agentDir 'agent.log') | Out-Null
nssm set semaphore-agent AppExit Default Exit | Out-Null
nssm set semaphore-agent Start SERVICE_DEMAND_START | Out-Null

function Register-AgentTask([string]$Name, [string]$Script, $Trigger, [string]$Arguments = '') {
  $action = New-ScheduledTaskAction -Execute 'powershell.exe' `
    -Argument "-NonInteractive -NoLogo -NoProfile -ExecutionPolicy Bypass -File `"$(Join-Path $agentDir $Script)`" $Arguments"
  Register-ScheduledTask -TaskName $Name -Action $action -Trigger $Trigger -User 'SYSTEM' -RunLevel Highest -Force | Out-Null
}
$everyMinute = New-ScheduledTaskTrigger -Once -At (Get-Date) -RepetitionInterval (New-TimeSpan -Minutes 1)
Register-AgentTask 'Semaphore agent health check' 'health-check.ps1' $everyMinute
Disable-ScheduledTask -TaskName 'Semaphore agent health check' | Out-Null
Register-AgentTask 'Semaphore agent lifecycle watch' 'lifecycle-watch.ps1' (New-ScheduledTaskTrigger -AtStartup)
Register-AgentTask 'Semaphore agent warm wait' 'start.ps1' (New-ScheduledTaskTrigger -AtStartup) '-WaitInService'
Disable-ScheduledTask -TaskName 'Semaphore agent warm wait' | Out-Null
Remove-Item -Recurse -Force $work
