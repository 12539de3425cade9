# Runs every minute once the agent has started (scheduled task "Semaphore agent health check");
# the counterpart of common/health-check.sh. An agent that is gone retires its instance.
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'agent-lib.ps1')

if ((Get-State) -ne 'started') { exit 0 }
if ((Get-Service semaphore-agent).Status -eq 'Running') {
  Write-Log 'Agent is running.'
  exit 0
}
Write-Log 'Agent is not running - retiring the instance.'
Import-IdentityFromCache
Invoke-Aws autoscaling set-instance-health --instance-id $script:InstanceId --health-status Unhealthy
