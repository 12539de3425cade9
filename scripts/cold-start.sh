#!/usr/bin/env bash
# Cold start of the demand-poller and scaler Lambdas, next to the same handlers built without Micronaut.
#
#   scripts/cold-start.sh [N]        (N runs per variant, default 10; SKIP_BUILD=1 to reuse the jars)
#
# Each run is a new JVM on the shaded Lambda jar that builds the handler and handles one call: the
# poller polls one live stack (SSM GetParameter, Semaphore metrics, one event), the scaler handles one
# DemandObserved (DescribeAutoScalingGroups, SetDesiredCapacity). No network: the SDK clients and
# Semaphore point at a loopback stand-in (scripts/cold-start/StandIn.java) answering in the real wire
# formats. Variants run interleaved so that machine drift hits all alike; JVM flags as Lambda's Java
# runtime sets them (-XX:+TieredCompilation -XX:TieredStopAtLevel=1). Time = wall clock of the whole
# process. Prints medians, the Micronaut/plain ratio, classes loaded and jar sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10}
JAVA=${JAVA:-java}
JVM_FLAGS=${JVM_FLAGS:--XX:+TieredCompilation -XX:TieredStopAtLevel=1}
WORK=$(mktemp -d)
STANDIN_PID=""
cleanup() { [[ -n $STANDIN_PID ]] && kill "$STANDIN_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  mvn -B -q -o package -pl functions/demand-poller,functions/scaler -am -DskipTests
fi
POLLER_JAR=functions/demand-poller/target/demand-poller.jar
SCALER_JAR=functions/scaler/target/scaler.jar

mkdir -p "$WORK/poller" "$WORK/scaler"
javac -nowarn -d "$WORK/poller" -cp "$POLLER_JAR" scripts/cold-start/io/agentstacks/demandpoller/PollerProbe.java
javac -nowarn -d "$WORK/scaler" -cp "$SCALER_JAR" scripts/cold-start/io/agentstacks/scaler/ScalerProbe.java

"$JAVA" scripts/cold-start/StandIn.java > "$WORK/standin.url" &
STANDIN_PID=$!
for _ in $(seq 100); do [[ -s $WORK/standin.url ]] && break; sleep 0.1; done
URL=$(head -1 "$WORK/standin.url")
[[ $URL == http://127.0.0.1:* ]] || { echo "stand-in did not start" >&2; exit 1; }

# name | classpath | main class | mode
VARIANTS=(
  "poller-plain|$WORK/poller:$POLLER_JAR|io.agentstacks.demandpoller.PollerProbe|plain"
  "poller-micronaut|$WORK/poller:$POLLER_JAR|io.agentstacks.demandpoller.PollerProbe|micronaut"
  "scaler-plain|$WORK/scaler:$SCALER_JAR|io.agentstacks.scaler.ScalerProbe|plain"
  "scaler-micronaut|$WORK/scaler:$SCALER_JAR|io.agentstacks.scaler.ScalerProbe|micronaut"
)

declare -A CLASSES
for v in "${VARIANTS[@]}"; do
  IFS='|' read -r name cp main mode <<< "$v"
  answer=$($JAVA $JVM_FLAGS -cp "$cp" "$main" "$mode" "$URL" 2>/dev/null | grep '^ANSWER' || true)
  case $name in
    poller-*) [[ $answer == *'"polled":1'* && $answer == *'"published":1'* ]] ;;
    scaler-*) [[ $answer == *'"outcome":"scaled"'* ]] ;;
  esac || { echo "$name did not answer as expected: ${answer:-nothing}" >&2; exit 1; }
  echo "# $name: $answer"
  CLASSES[$name]=$($JAVA $JVM_FLAGS -Xlog:class+load=info -cp "$cp" "$main" "$mode" "$URL" 2>/dev/null | grep -c 'source:')
done

: > "$WORK/raw"
for ((i = 0; i < N; i++)); do
  for v in "${VARIANTS[@]}"; do
    IFS='|' read -r name cp main mode <<< "$v"
    s=$(date +%s%N)
    $JAVA $JVM_FLAGS -cp "$cp" "$main" "$mode" "$URL" > /dev/null 2>&1
    e=$(date +%s%N)
    echo "$name $(( (e - s) / 1000000 ))" >> "$WORK/raw"
  done
done

median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
printf "%-18s %9s %7s %8s\n" variant median_ms ratio classes
for lambda in poller scaler; do
  plain=$(awk -v n="$lambda-plain" '$1 == n {print $2}' "$WORK/raw" | median)
  for kind in plain micronaut; do
    m=$(awk -v n="$lambda-$kind" '$1 == n {print $2}' "$WORK/raw" | median)
    printf "%-18s %9s %7s %8s\n" "$lambda-$kind" "$m" "$(awk -v a="$m" -v b="$plain" 'BEGIN {printf "%.2f", a / b}')" \
      "${CLASSES[$lambda-$kind]}"
  done
done
printf "jars: demand-poller.jar %s MB, scaler.jar %s MB (N=%s runs per variant)\n" \
  "$(awk -v b="$(stat -c %s "$POLLER_JAR")" 'BEGIN {printf "%.1f", b / 1048576}')" \
  "$(awk -v b="$(stat -c %s "$SCALER_JAR")" 'BEGIN {printf "%.1f", b / 1048576}')" "$N"
