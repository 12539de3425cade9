# The agent's shutdown hook on Windows; the counterpart of common/shutdown-hook.sh.
# IDLE: terminate lowering desired capacity. Any other reason: terminate and let Auto Scaling replace it.
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'agent-lib.ps1')

$reason = $env:SEMAPHORE_AGENT_SHUTDOWN_REASON
Write-Log "Agent shut down (reason: $reason)."
if ((Get-State) -eq 'terminating') {
  Write-Log 'The instance is already terminating: nothing to do.'
  exit 0
}
Import-IdentityFromCache
$decrement = if ($reason -eq 'IDLE') { '--should-decrement-desired-capacity' } else { '--no-should-decrement-desired-capacity' }
Invoke-Retry { Invoke-Aws autoscaling terminate-instance-in-auto-scaling-group --instance-id $script:InstanceId $decrement }
