# Starts the Semaphore agent on a new Windows instance; the counterpart of common/start.sh.
# The launch template's user data runs:  C:\semaphore-agent\start.ps1 <stack>-config
# Warm pool: an instance heading into the pool only prepares; the scheduled task
# "Semaphore agent warm wait" runs  start.ps1 -WaitInService  at the next boot to register it.
# Any failure marks the instance unhealthy, so that Auto Scaling replaces it.
param([string]$ConfigParameter = '', [switch]$WaitInService)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'agent-lib.ps1')

trap {
  Write-Log "start failed: $($_.Exception.Message): marking the instance unhealthy"
  try {
    if (-not $script:InstanceId) { Import-IdentityFromImds }
    Invoke-Aws autoscaling set-instance-health --instance-id $script:InstanceId --health-status Unhealthy
  } catch { Write-Log 'could not mark the instance unhealthy' }
  exit 1
}

if (-not $ConfigParameter -and (Test-Path $ConfigParameterFile)) { $ConfigParameter = (Get-Content -Raw $ConfigParameterFile).Trim() }
if (-not $ConfigParameter) { throw 'No agent config parameter name given (usage: start.ps1 <stack>-config).' }
if ($ConfigParameter -notmatch '^[A-Za-z0-9_./-]{1,2048}$') { throw 'The agent config parameter name is not a valid SSM parameter name.' }
Set-Content -Encoding ascii -Path $ConfigParameterFile -Value $ConfigParameter

Import-IdentityFromImds

function Import-StackConfig {
  $json = Invoke-Retry { Invoke-Aws ssm get-parameter --name $ConfigParameter --query Parameter.Value --output text }
  $config = ($json -join "`n") | ConvertFrom-Json
  foreach ($key in 'endpoint', 'agentTokenParameterName') {
    if (-not $config.$key) { throw "The config parameter $ConfigParameter has no '$key'." }
  }
  # No secret in it: the token lives in its own SecureString parameter.
  ($json -join "`n") | Set-Content -Encoding ascii $StackConfigFile
}

function Install-KnownHosts {
  $keysParameter = Get-StackConfig 'sshKeysParameterName' ''
  if (-not $keysParameter) { return }
  $keys = (Invoke-Retry { Invoke-Aws ssm get-parameter --name $keysParameter --query Parameter.Value --output text }) -join "`n" | ConvertFrom-Json
  $sshDir = 'C:\Users\semaphore\.ssh'
  New-Item -ItemType Directory -Force -Path $sshDir | Out-Null
  $keys | ForEach-Object { "github.com $_" } | Add-Content -Encoding ascii (Join-Path $sshDir 'known_hosts')
}

# The image's CloudWatch agent config ships to /semaphore/<group>. This stack's template made its groups as
# <logGroupPrefix>/<group>, with their retention, and the instance role may write there only: restart the
# CloudWatch agent with the image's config rewritten to those names, without retention_in_days (the agent
# would set retention, which is the template's job and not the role's). Always from the image's file, so
# that a second run (leaving a warm pool) gives the same config. Logs are not worth an unhealthy instance:
# a failure here is logged, and the agent starts anyway.
function Set-LogShipping {
  $prefix = Get-StackConfig 'logGroupPrefix' ''
  if (-not $prefix) {
    Write-Log "The config parameter has no logGroupPrefix: the CloudWatch agent keeps the image's log groups."
    return
  }
  if ($prefix -cnotmatch '^/[A-Za-z0-9_./#-]{1,400}$') {
    Write-Log "The config parameter's logGroupPrefix is not a log group name: the CloudWatch agent keeps the image's log groups."
    return
  }
  try {
    $imageConfig = Join-Path $CloudWatchAgentConfigDir 'amazon-cloudwatch-agent.json'
    $stackConfig = Join-Path $CloudWatchAgentConfigDir 'semaphore-agent-stack.json'
    $config = Get-Content -Raw $imageConfig | ConvertFrom-Json
    foreach ($kind in 'files', 'windows_events') {
      foreach ($entry in @($config.logs.logs_collected.$kind.collect_list | Where-Object { $_ })) {
        if ($entry.log_group_name -clike '/semaphore/*') {
          $entry.log_group_name = $prefix + $entry.log_group_name.Substring('/semaphore'.Length)
        }
        $entry.PSObject.Properties.Remove('retention_in_days')
      }
    }
    $config | ConvertTo-Json -Depth 10 | Set-Content -Encoding ascii $stackConfig
    & (Join-Path $CloudWatchAgentDir 'amazon-cloudwatch-agent-ctl.ps1') -a fetch-config -m ec2 -c "file:$stackConfig" -s
  } catch {
    Write-Log "The CloudWatch agent did not restart with the stack's log groups: $($_.Exception.Message)"
  }
}

function Initialize-Instance {
  Import-StackConfig
  Set-LogShipping
  Find-GroupName
  Save-Identity
  Install-KnownHosts
}

function Get-AgentName {
  if ((Get-StackConfig 'usePreSignedURL' 'false') -eq 'true') {
    # The agent type verifies the name: a pre-signed STS GetCallerIdentity URL.
    (& python (Join-Path $AgentDir 'gen-pre-signed-url.py')).Trim()
  } else {
    '{0}__{1}' -f $script:InstanceId, (-join ((1..16) | ForEach-Object { '{0:x}' -f (Get-Random -Maximum 16) }))
  }
}

function Write-AgentConfig {
  $tokenParameter = Get-StackConfig 'agentTokenParameterName' ''
  $token = "$(Invoke-Retry { Invoke-Aws ssm get-parameter --with-decryption --name $tokenParameter --query Parameter.Value --output text })".Trim()
  if (-not $token -or $token -eq 'None') { throw "The token parameter $tokenParameter is empty." }
  $envVars = @((Get-Content -Raw $StackConfigFile | ConvertFrom-Json).envVars | Where-Object { $_ })
  # JSON is YAML. The token goes to the file only.
  $config = [ordered]@{
    'endpoint' = Get-StackConfig 'endpoint' ''
    'token' = $token
    'name' = Get-AgentName
    'no-https' = $false
    'shutdown-hook-path' = (Join-Path $AgentDir 'shutdown-hook.ps1')
    'pre-job-hook-path' = (Join-Path $AgentDir 'pre-job-hook.ps1')
    'post-job-hook-path' = (Join-Path $AgentDir 'post-job-hook.ps1')
    'fail-on-pre-job-hook-error' = $false
    'disconnect-after-job' = ((Get-StackConfig 'disconnectAfterJob' 'true') -eq 'true')
    'disconnect-after-idle-timeout' = [int](Get-StackConfig 'disconnectAfterIdleTimeout' '300')
    'interruption-grace-period' = [int](Get-StackConfig 'interruptionGracePeriodSeconds' '0')
    'env-vars' = $envVars
    'files' = @()
    'fail-on-missing-files' = $false
    'upload-job-logs' = 'when-trimmed'
  }
  $path = Join-Path $AgentDir 'config.yaml'
  $config | ConvertTo-Json | Set-Content -Encoding ascii $path
  # Mode 600's counterpart: only SYSTEM, Administrators and the agent's user may read it.
  icacls $path /inheritance:r /grant:r 'SYSTEM:F' 'Administrators:F' 'semaphore:R' | Out-Null
}

function Start-Agent {
  Initialize-Instance
  Write-AgentConfig
  $grace = [int](Get-StackConfig 'interruptionGracePeriodSeconds' '0')
  # nssm sends Ctrl+C, then waits this long before it kills the agent.
  nssm set semaphore-agent AppStopMethodConsole (($grace + 30) * 1000) | Out-Null
  Start-Service semaphore-agent
  Set-State 'started'
  Enable-ScheduledTask -TaskName 'Semaphore agent health check' | Out-Null
  if (Get-StackConfig 'lifecycleHookName' '') { Start-ScheduledTask -TaskName 'Semaphore agent lifecycle watch' }
  Write-Log "Agent started on $($script:InstanceId) (group $($script:GroupName))."
}

$state = Get-TargetLifecycleState
if (-not $WaitInService) {
  if ($state -like 'Warmed:*') {
    Initialize-Instance
    Set-State 'warmed'
    Enable-ScheduledTask -TaskName 'Semaphore agent warm wait' | Out-Null
    Write-Log "Instance is entering the warm pool ($state): prepared, the agent is not registered."
    exit 0
  }
} else {
  while ($state -ne 'InService') {
    Start-Sleep -Seconds $PollSeconds
    $state = Get-TargetLifecycleState
  }
  Disable-ScheduledTask -TaskName 'Semaphore agent warm wait' | Out-Null
  Write-Log 'Instance left the warm pool: registering the agent.'
}

Start-Agent
