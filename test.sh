#!/usr/bin/env bash
# The one test command (see README): installs what the tests need, restores, builds and runs every test,
# then prints one summary line "N passed, M failed[, K skipped]". Exit code 0 only when nothing failed.
set -euo pipefail
cd "$(dirname "$0")"

results_dir="TestResults"
rm -rf "$results_dir"

# Pinned, checksummed tools (kubectl, helm, ...) for end-to-end tests; a no-op when already installed.
if [[ -x scripts/install-tools.sh ]]; then
  scripts/install-tools.sh
fi

dotnet restore CryptoIndex.sln
dotnet build CryptoIndex.sln --no-restore --configuration Release -warnaserror

status=0
dotnet test CryptoIndex.sln --no-build --configuration Release \
  --logger "trx" --results-directory "$results_dir" "$@" || status=$?

scripts/summarize-trx.sh "$results_dir"
exit "$status"
