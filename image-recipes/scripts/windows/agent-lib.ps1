# Shared helpers of the agent's Windows instance scripts; the counterpart of common/agent-lib.sh.
# Dot-sourced, never run. Paths and endpoints can be overridden by the environment:
# SEMAPHORE_AGENT_DIR, SEMAPHORE_IMDS_ENDPOINT, SEMAPHORE_AWS_CLI, SEMAPHORE_POLL_SECONDS,
# SEMAPHORE_CLOUDWATCH_AGENT_DIR (its program), SEMAPHORE_CLOUDWATCH_AGENT_CONFIG_DIR (its configuration).

$AgentDir = if ($env:SEMAPHORE_AGENT_DIR) { $env:SEMAPHORE_AGENT_DIR } else { 'C:\semaphore-agent' }
$ImdsEndpoint = if ($env:SEMAPHORE_IMDS_ENDPOINT) { $env:SEMAPHORE_IMDS_ENDPOINT } else { 'http://169.254.169.254' }
$AwsBin = if ($env:SEMAPHORE_AWS_CLI) { $env:SEMAPHORE_AWS_CLI } else { 'aws' }
$PollSeconds = if ($env:SEMAPHORE_POLL_SECONDS) { [int]$env:SEMAPHORE_POLL_SECONDS } else { 5 }
$CloudWatchAgentDir = if ($env:SEMAPHORE_CLOUDWATCH_AGENT_DIR) { $env:SEMAPHORE_CLOUDWATCH_AGENT_DIR } else { 'C:\Program Files\Amazon\AmazonCloudWatchAgent' }
$CloudWatchAgentConfigDir = if ($env:SEMAPHORE_CLOUDWATCH_AGENT_CONFIG_DIR) { $env:SEMAPHORE_CLOUDWATCH_AGENT_CONFIG_DIR } else { 'C:\ProgramData\Amazon\AmazonCloudWatchAgent' }

$StateFile = Join-Path $AgentDir 'state'
$IdentityFile = Join-Path $AgentDir 'instance.json'
$StackConfigFile = Join-Path $AgentDir 'stack-config.json'
$ConfigParameterFile = Join-Path $AgentDir 'config-parameter'

$script:InstanceId = ''
$script:Region = ''
$script:GroupName = ''

function Write-Log([string]$Message) {
  [Console]::Error.WriteLine("[{0}] {1}" -f (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'), $Message)
}

function Invoke-Retry([scriptblock]$Action, [int]$Attempts = 10) {
  for ($attempt = 1; ; $attempt++) {
    try { return & $Action } catch {
      if ($attempt -ge $Attempts) { throw }
      Start-Sleep -Milliseconds (Get-Random -Minimum 750 -Maximum 5000)
    }
  }
}

# IMDSv2: every read takes a fresh session token.
function Get-Imds([string]$Path) {
  $token = Invoke-RestMethod -Method Put -Uri "$ImdsEndpoint/latest/api/token" -TimeoutSec 5 `
    -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '300' }
  Invoke-RestMethod -Uri "$ImdsEndpoint/latest/$Path" -TimeoutSec 5 -Headers @{ 'X-aws-ec2-metadata-token' = $token }
}

function Get-TargetLifecycleState {
  try { Get-Imds 'meta-data/autoscaling/target-lifecycle-state' } catch { 'InService' }
}

# The AWS CLI with the instance profile's credentials only: jobs may leave keys or profiles behind.
function Invoke-Aws {
  $saved = @{}
  foreach ($name in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE') {
    $saved[$name] = [Environment]::GetEnvironmentVariable($name)
    [Environment]::SetEnvironmentVariable($name, $null)
  }
  $env:AWS_SHARED_CREDENTIALS_FILE = 'NUL'
  $env:AWS_CONFIG_FILE = 'NUL'
  try {
    $output = & $AwsBin --region $script:Region @args
    if ($LASTEXITCODE -ne 0) { throw "aws $($args[0]) $($args[1]) failed with exit code $LASTEXITCODE" }
    $output
  } finally {
    foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
  }
}

function Import-IdentityFromImds {
  $script:InstanceId = Invoke-Retry { Get-Imds 'meta-data/instance-id' }
  $script:Region = Invoke-Retry { Get-Imds 'meta-data/placement/region' }
}

function Import-IdentityFromCache {
  if (-not (Test-Path $IdentityFile)) { throw "no cached identity at ${IdentityFile}: the agent was not started by start.ps1" }
  $identity = Get-Content -Raw $IdentityFile | ConvertFrom-Json
  $script:InstanceId = $identity.instanceId
  $script:Region = $identity.region
  $script:GroupName = $identity.groupName
}

function Save-Identity {
  @{ instanceId = $script:InstanceId; region = $script:Region; groupName = $script:GroupName } |
    ConvertTo-Json | Set-Content -Encoding ascii $IdentityFile
}

function Find-GroupName {
  $name = Invoke-Retry { Invoke-Aws autoscaling describe-auto-scaling-instances --instance-ids $script:InstanceId `
      --query 'AutoScalingInstances[0].AutoScalingGroupName' --output text }
  $script:GroupName = if ($name -eq 'None') { '' } else { "$name".Trim() }
}

function Get-State {
  if (Test-Path $StateFile) { (Get-Content -Raw $StateFile).Trim() } else { 'none' }
}

function Set-State([string]$State) {
  Set-Content -Encoding ascii -Path $StateFile -Value $State
}

# A key of the stack's config parameter (cached by start.ps1), or the default when absent or null.
# Booleans may be JSON booleans or the strings "true"/"false".
function Get-StackConfig([string]$Key, [string]$Default) {
  $config = Get-Content -Raw $StackConfigFile | ConvertFrom-Json
  $value = $config.$Key
  if ($null -eq $value) { return $Default }
  if ($value -is [bool]) { return $value.ToString().ToLowerInvariant() }
  return "$value"
}
