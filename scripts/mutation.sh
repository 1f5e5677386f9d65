#!/usr/bin/env bash
# Mutation testing (Stryker.NET) of the Engine against tests/Engine.Tests. Slow (minutes per file), so it is
# not part of test.sh or CI. Usage: scripts/mutation.sh [glob...], e.g.
#   scripts/mutation.sh 'src/Engine/Weights/WeightKernel.cs' 'src/Engine/Weights/IndexUniverse.cs'
# Without globs every Engine file is mutated. Reports land in tests/Engine.Tests/StrykerOutput/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet tool restore

mutate_args=()
for glob in "$@"; do
  # A leading **/ makes the glob match however Stryker roots the file's path.
  mutate_args+=(--mutate "**/${glob#src/Engine/}")
done

cd tests/Engine.Tests
dotnet stryker --config-file stryker-config.json "${mutate_args[@]}"
