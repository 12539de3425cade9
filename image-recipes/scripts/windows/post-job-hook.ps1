# The agent's post-job hook on Windows; the counterpart of common/post-job-hook.sh.
. (Join-Path $PSScriptRoot 'agent-lib.ps1')
try {
  Import-IdentityFromCache
  if ($script:GroupName) {
    Invoke-Retry { Invoke-Aws autoscaling set-instance-protection --instance-ids $script:InstanceId `
        --auto-scaling-group-name $script:GroupName --no-protected-from-scale-in } 3 | Out-Null
    Write-Log 'Scale-in protection removed.'
  }
} catch { Write-Log 'Could not remove the scale-in protection.' }
exit 0
