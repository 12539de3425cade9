# The agent's pre-job hook on Windows; the counterpart of common/pre-job-hook.sh: protects the
# instance from scale-in while a job runs. Never fails the job.
. (Join-Path $PSScriptRoot 'agent-lib.ps1')
try {
  Import-IdentityFromCache
  if ($script:GroupName) {
    Invoke-Retry { Invoke-Aws autoscaling set-instance-protection --instance-ids $script:InstanceId `
        --auto-scaling-group-name $script:GroupName --protected-from-scale-in } 3 | Out-Null
    Write-Log 'Instance protected from scale-in while the job runs.'
  }
} catch { Write-Log 'Could not protect the instance from scale-in.' }
exit 0
