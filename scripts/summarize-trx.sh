#!/usr/bin/env bash
# Adds up the counters of every TRX file under a folder and prints "N passed, M failed[, K skipped]".
# Fails (exit 1) when no test ran at all, so an empty run can never look green.
set -euo pipefail
dir="${1:-TestResults}"
passed=0; failed=0; skipped=0; files=0
while IFS= read -r -d '' trx; do
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  value() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  # The VSTest logger counts skipped tests as total minus executed (its notExecuted stays 0).
  not_run=$(( $(value total) - $(value executed) ))
  skipped=$((skipped + (not_run > $(value notExecuted) ? not_run : $(value notExecuted))))
done < <(find "$dir" -name '*.trx' -print0 2>/dev/null)

line="$passed passed, $failed failed"
if (( skipped > 0 )); then line="$line, $skipped skipped"; fi
echo "$line"
if (( files == 0 || passed + failed == 0 )); then
  echo "no test results found under $dir" >&2
  exit 1
fi
