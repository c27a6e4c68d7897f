#!/bin/bash
# run-fuzzer.sh HARNESS SECONDS [LIBFUZZER OPTIONS…] SEED_FOLDER…
#
# Runs a libFuzzer harness for SECONDS on a throw-away corpus that starts
# from the seed folders (libFuzzer writes what it finds into its first
# corpus folder, never into the source tree), and prints its final stats.
# A crashing input is kept in $FUZZ_ARTIFACTS (default: the current folder).
set -euo pipefail

harness=$1
seconds=$2
shift 2

corpus=$(mktemp -d "${TMPDIR:-/tmp}/confab-fuzz.XXXXXX")
trap 'rm -rf "$corpus"' EXIT
artifacts=${FUZZ_ARTIFACTS:-.}
mkdir -p "$artifacts"

options=()
seeds=()
for arg in "$@"; do
  case $arg in
    -*) options+=("$arg") ;;
    *) seeds+=("$arg") ;;
  esac
done

# -timeout: one input may take 10 s (ASan on a loaded machine); a slower one
# is a finding. -rss_limit_mb: a bounded parser never needs 2 GB. The
# throw-away corpus comes first: libFuzzer adds to the first folder only.
# -max_len: inputs up to 64 KiB (a larger seed is cut), so that mutations
# stay fast.
exec "$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -error_exitcode=99 -timeout_exitcode=98 \
  -artifact_prefix="$artifacts/$(basename "$harness")-" \
  "${options[@]}" "$corpus" "${seeds[@]}"
