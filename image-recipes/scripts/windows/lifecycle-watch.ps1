# The counterpart of common/lifecycle-watch.sh (scheduled task "Semaphore agent lifecycle watch"):
# when the instance is told to terminate, stop the agent gracefully, then complete the lifecycle action.
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'agent-lib.ps1')

if ((Get-State) -ne 'started') { Write-Log 'The agent has not started: nothing to watch.'; exit 0 }
Import-IdentityFromCache
$hook = Get-StackConfig 'lifecycleHookName' ''
$grace = Get-StackConfig 'interruptionGracePeriodSeconds' '0'
if (-not $hook -or -not $script:GroupName) { Write-Log 'No terminate lifecycle hook configured for this instance: nothing to watch.'; exit 0 }

while ((Get-TargetLifecycleState) -ne 'Terminated') { Start-Sleep -Seconds $PollSeconds }

Set-State 'terminating'
Write-Log "The instance is terminating: stopping the agent (grace period ${grace}s)."
try { Stop-Service semaphore-agent } catch { Write-Log 'The agent service did not stop cleanly.' }

Invoke-Retry { Invoke-Aws autoscaling complete-lifecycle-action --lifecycle-hook-name $hook `
    --auto-scaling-group-name $script:GroupName --instance-id $script:InstanceId --lifecycle-action-result CONTINUE }
Write-Log 'Lifecycle action completed: the instance may terminate.'
