#!/bin/bash
# ParallelCoverage injected (CMAKE_PROJECT_INCLUDE) into C and C++ projects nobody here wrote,
# fetched as Debian bookworm source packages (Debian's patches applied): ctest -j4 + coverage
# must give exactly the gcovr JSON of a plain --coverage build tested serially, parcov's own
# reader must not fall back to gcovr, and its coverage.json must be byte for byte what gcovr
# makes of the same data; the time of each is printed. Their code is fetched, never committed.
# Usage: tests/real-projects.sh [WORKDIR [PACKAGE...]]   (needs network access to Debian's
# archive, and dpkg-dev)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$repo/build/real-projects}
shift || true
only=" $* "
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

# seconds CMD...: run CMD, print how long it took (to stderr), keep its status.
seconds() {
  local start end rc=0
  start=$(date +%s.%N)
  "$@" || rc=$?
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')" >&2
  return $rc
}

check_project() { # PACKAGE[:SUBDIR] CMAKE_ARGS...
  pkg=${1%%:*} sub=
  case $1 in *:*) sub=${1#*:} ;; esac
  shift
  [ "$only" = "  " ] || [[ "$only" == *" $pkg "* ]] || return 0
  step "$pkg"
  rm -rf "$work/$pkg" && mkdir -p "$work/$pkg"
  (cd "$work/$pkg" && apt-get "${apt_opts[@]}" source -qq "$pkg" >/dev/null 2>&1)
  src=$(find "$work/$pkg" -mindepth 1 -maxdepth 1 -type d | head -n 1)${sub:+/$sub}

  run_ok cmake -S "$src" -B "$work/$pkg/ref" "$@" -DCMAKE_C_FLAGS="$COVERAGE_FLAGS" \
    -DCMAKE_CXX_FLAGS="$COVERAGE_FLAGS"
  run_ok cmake --build "$work/$pkg/ref" -j 2
  # Twice, to tell the project's own nondeterminism (random hash seeds...) from ours.
  for i in 1 2; do
    find "$work/$pkg/ref" -name '*.gcda' -delete
    ctest --test-dir "$work/$pkg/ref" -j 1 >"$work/$pkg/ref$i.log" 2>&1 || true
    (cd "$src" && gcovr --root . --exclude 'tests/' --exclude 'test/' --exclude 'examples/' \
       --json "$work/$pkg/ref$i.json" "$work/$pkg/ref")
  done

  b="$work/$pkg/par"
  run_ok cmake -S "$src" -B "$b" "$@" -DPARALLEL_COVERAGE=ON \
    -DCMAKE_PROJECT_INCLUDE="$repo/modules/ParallelCoverage.cmake"
  run_ok cmake --build "$b" -j 2
  ctest --test-dir "$b" -j 4 >"$work/$pkg/par-ctest.log" 2>&1 || true
  printf '%s: coverage target, s: ' "$pkg"
  seconds run_ok cmake --build "$b" --target coverage 2>&1 >/dev/null
  cat "$WORK/last.log" >"$work/$pkg/coverage.log"
  if grep -q "gcovr makes the report" "$WORK/last.log"; then fail "$pkg: fell back to gcovr"; fi
  json_equal "$work/$pkg/ref1.json" "$b/coverage/coverage.json" "$work/$pkg/ref2.json" ||
    fail "$pkg: ctest -j4 counts differ from the serial reference"
  printf '%s: gcovr -j2 (json, cobertura, html-details) on the same data, s: ' "$pkg"
  mkdir -p "$work/$pkg/gcovr/html"
  (cd "$src" && seconds gcovr --root . --exclude 'tests/' --exclude 'test/' --exclude 'examples/' \
     --exclude-directories "$b/coverage-data\$" -j2 --json "$work/$pkg/gcovr/coverage.json" \
     --cobertura "$work/$pkg/gcovr/coverage.xml" --html-details "$work/$pkg/gcovr/html/index.html" \
     "$b" 2>&1 >/dev/null)
  cmp "$work/$pkg/gcovr/coverage.json" "$b/coverage/coverage.json" ||
    fail "$pkg: coverage.json is not gcovr's byte for byte"
  echo "PASS: $pkg"
}

# C
check_project cjson -DENABLE_CJSON_TEST=ON
check_project json-c -DBUILD_TESTING=ON
check_project expat:expat -DEXPAT_BUILD_TESTS=ON -DEXPAT_DTD=OFF # Debian's patches need autotools' XML_DTD=1
check_project libyaml -DBUILD_TESTING=ON
check_project pcre2 -DPCRE2_BUILD_TESTS=ON
# C++
check_project yaml-cpp -DYAML_CPP_BUILD_TESTS=ON
check_project fmtlib -DFMT_TEST=ON
check_project libjsoncpp -DJSONCPP_WITH_TESTS=ON
check_project double-conversion -DBUILD_TESTING=ON
check_project tinyxml2 -DBUILD_TESTING=ON
echo "PASS: real projects"
