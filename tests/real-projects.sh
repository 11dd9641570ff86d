#!/bin/bash
# ParallelCoverage injected (CMAKE_PROJECT_INCLUDE) into C projects nobody here wrote, fetched
# as Debian bookworm source packages: ctest -j4 + coverage must give exactly the gcovr JSON of
# a plain --coverage build tested serially. Their code is fetched, never committed.
# Usage: tests/real-projects.sh [WORKDIR]   (needs network access to Debian's archive)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$repo/build/real-projects}
export REPO=$repo WORK=$work GENERATOR="Unix Makefiles"
. "$repo/tests/e2e/lib.sh"

# A private apt configuration with a deb-src entry: the system's stays untouched.
apt_dir="$work/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/parts" "$work/src"
cat >"$apt_dir/parts/bookworm-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt_dir/parts"
          -o "Dir::State::Lists=$apt_dir/lists")
apt-get "${apt_opts[@]}" update -qq

check_project() { # PACKAGE TARBALL_GLOB CMAKE_ARGS...
  pkg=$1 glob=$2; shift 2
  step "$pkg"
  (cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only -qq "$pkg" >/dev/null 2>&1)
  tarball=$(ls "$work"/src/$glob | head -n 1)
  rm -rf "$work/$pkg" && mkdir -p "$work/$pkg"
  tar -xf "$tarball" -C "$work/$pkg"
  src=$(find "$work/$pkg" -mindepth 1 -maxdepth 1 -type d | head -n 1)

  run_ok cmake -S "$src" -B "$work/$pkg/ref" "$@" -DCMAKE_C_FLAGS="$COVERAGE_FLAGS"
  run_ok cmake --build "$work/$pkg/ref" -j 2
  # Twice, to tell the project's own nondeterminism (random hash seeds...) from ours.
  for i in 1 2; do
    find "$work/$pkg/ref" -name '*.gcda' -delete
    run_ok ctest --test-dir "$work/$pkg/ref" -j 1
    (cd "$src" && gcovr --root . --exclude 'tests/' --exclude 'test/' --exclude 'examples/' \
       --json "$work/$pkg/ref$i.json" "$work/$pkg/ref")
  done

  run_ok cmake -S "$src" -B "$work/$pkg/par" "$@" -DPARALLEL_COVERAGE=ON \
    -DCMAKE_PROJECT_INCLUDE="$repo/modules/ParallelCoverage.cmake"
  run_ok cmake --build "$work/$pkg/par" -j 2
  run_ok ctest --test-dir "$work/$pkg/par" -j 4
  run_ok cmake --build "$work/$pkg/par" --target coverage
  json_equal "$work/$pkg/ref1.json" "$work/$pkg/par/coverage/coverage.json" "$work/$pkg/ref2.json" ||
    fail "$pkg: ctest -j4 counts differ from the serial reference"
  echo "PASS: $pkg"
}

check_project cjson 'cjson_*.orig.tar.gz' -DENABLE_CJSON_TEST=ON
check_project json-c 'json-c_*.orig.tar.gz' -DBUILD_TESTING=ON
echo "PASS: real projects"
