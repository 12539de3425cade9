#!/usr/bin/env python3
"""Prints a pre-signed STS GetCallerIdentity URL: the agent's name when the agent type verifies
names through AWS STS. The URL carries temporary credentials: it is written to the agent's
config (mode 600) and never logged."""
import boto3

sts = boto3.client("sts")
print(sts.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=15 * 60, HttpMethod="GET"))
