#!/usr/bin/env bash
# Cold start of the seven Lambdas, each next to the same handler wired by hand without Micronaut.
#
#   scripts/cold-start.sh [N] [MODULE...]     N runs per variant (default 10); modules default to all seven;
#                                             SKIP_BUILD=1 reuses the jars and test classes already built.
#
# A run is a new JVM on the Lambda's shaded jar, with the JVM flags of Lambda's Java runtime
# (-XX:TieredStopAtLevel=1), that builds the handler (SDK clients included) and handles the Lambda's one real
# invocation (functions/lambda-testing: LambdaScenarios) against a loopback stand-in that answers every AWS
# call and Semaphore in their wire formats: no other network. "micronaut" is the Lambda entry (lean Micronaut
# context); "plain" is the module's Plain* entry (its test sources), the same adapters from the same factory
# methods, built by hand. The two alternate run by run; each run's answer is checked; the time is the wall
# time of the whole process. Prints medians, the ratio, classes loaded, jar sizes and the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10}
shift || true
ALL=(stack-api stack-deployer demand-poller scaler token-rotator mac-host-allocator mac-host-releaser)
[[ $# -gt 0 ]] && MODULES=("$@") || MODULES=("${ALL[@]}")
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  # package builds the shaded jars; -DskipTests still compiles the tests, where the plain entries are.
  mvn -B -q -o -Dstyle.color=never package -DskipTests -pl "$(printf 'functions/%s,' "${MODULES[@]}")functions/lambda-testing" -am
fi
CLASSPATH_FILE=$(mktemp)
trap 'rm -f "$CLASSPATH_FILE"' EXIT
mvn -B -q -o -Dstyle.color=never dependency:build-classpath -pl functions/lambda-testing -Dmdep.outputFile="$CLASSPATH_FILE"
echo "# $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# This checkout's own modules, not whatever an earlier install left in the local repository.
OWN=functions/lambda-testing/target/classes:functions/adapters/target/classes:functions/core/target/classes
LIBS=$(tr ':' '\n' < "$CLASSPATH_FILE" | grep -v '/io/agentstacks/' | paste -sd:)
java -cp "$OWN:$LIBS" io.agentstacks.lambdatesting.ColdStart \
  functions "$N" "${MODULES[@]}"
