#!/bin/bash
# The test phase of real suites, ParallelCoverage's defaults against plain `--coverage -O0`
# in place, both `ctest -jJOBS`, runs alternated (each repetition runs both in turn; median
# and min-max). Fetches Debian bookworm source packages (expat, yaml-cpp), never committed;
# the module is injected with CMAKE_PROJECT_INCLUDE. Also times ParallelCoverage with
# PARALLEL_COVERAGE_ATOMIC=ON (every target atomic: the former default) for comparison.
#   bench/real-suites.sh [-r REPS] [-j JOBS] [-d DIR] [PACKAGE...]
# Needs network access to Debian's archive, cmake, gcc, g++, gcovr, dpkg-dev, libgtest-dev
# and libgmock-dev (yaml-cpp).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
R=5 J=$(nproc) D=/tmp/parcov-bench-real
while getopts "r:j:d:h" o; do
  case $o in
  r) R=$OPTARG ;; j) J=$OPTARG ;; d) D=$OPTARG ;;
  h) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(expat yaml-cpp)
log() { printf 'bench: %s\n' "$*" >&2; }

# Each package: the CMake source directory inside it, its configure arguments.
declare -A subdir=([expat]=expat [yaml-cpp]=.)
# Debian's patches: yaml-cpp's make its tests use the system's googletest; expat's security
# fixes assume its autotools config.h (XML_DTD == 1) and break its CMake build.
declare -A patches=([expat]=--skip-patches [yaml-cpp]=)
declare -A args=([expat]="-DEXPAT_BUILD_TESTS=ON -DEXPAT_BUILD_EXAMPLES=OFF -DEXPAT_BUILD_TOOLS=OFF"
                 [yaml-cpp]="-DYAML_CPP_BUILD_TESTS=ON -DYAML_CPP_BUILD_TOOLS=OFF -DINSTALL_GTEST=OFF")

# A private apt configuration with a deb-src entry (as tests/real-projects.sh): the system's
# stays untouched.
apt_dir=$D/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/parts" "$D/src"
cat >"$apt_dir/parts/bookworm-src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt_dir/parts"
          -o "Dir::State::Lists=$apt_dir/lists")
[ -n "$(ls "$apt_dir/lists" 2>/dev/null | grep -v partial)" ] || apt-get "${apt_opts[@]}" update -qq

# source_of PKG: unpack once; prints the CMake source directory.
source_of() {
  local pkg=$1 dsc
  if [ ! -d "$D/$pkg/src" ]; then
    (cd "$D/src" && apt-get "${apt_opts[@]}" source --download-only -qq "$pkg" >/dev/null 2>&1)
    dsc=$(ls "$D"/src/"${pkg}"_*.dsc | head -n 1)
    rm -rf "$D/$pkg" && mkdir -p "$D/$pkg"
    dpkg-source --no-check ${patches[$pkg]} -x "$dsc" "$D/$pkg/src" >/dev/null
  fi
  echo "$D/$pkg/src/${subdir[$pkg]}"
}

# build PKG NAME CMAKE_ARGS...: configure and build one tree (Debug-free: no build type).
build() {
  local pkg=$1 name=$2; shift 2
  local b=$D/$pkg/$name
  # shellcheck disable=SC2086
  cmake -S "$(source_of "$pkg")" -B "$b" ${args[$pkg]} "$@" >"$b.configure.log" 2>&1 ||
    { cat "$b.configure.log" >&2; exit 1; }
  cmake --build "$b" -j"$J" >"$b.build.log" 2>&1 || { tail -50 "$b.build.log" >&2; exit 1; }
}

# time_ctest PKG NAME: one ctest -jJ of a tree (plain: its .gcda files deleted first, as a
# fresh run would start), appending to $D/times/PKG.NAME the wall time and to
# $D/times/PKG.NAME.cpu the CPU time (user + system, ctest and its children) in seconds. On a
# loaded machine the CPU time varies less than the wall time.
time_ctest() {
  local b=$D/$1/$2
  [ "$2" = plain ] && find "$b" -name '*.gcda' -delete
  /usr/bin/time -f '%e %U %S' -o "$D/time.out" ctest --test-dir "$b" -j"$J" >"$b.ctest.log" 2>&1 ||
    { cat "$b.ctest.log" >&2; log "$1/$2: ctest failed"; exit 1; }
  awk '{ print $1 }' "$D/time.out" >>"$D/times/$1.$2"
  awk '{ print $2 + $3 }' "$D/time.out" >>"$D/times/$1.$2.cpu"
}

rm -rf "$D/times"; mkdir -p "$D/times"
inject=(-DPARALLEL_COVERAGE=ON -DCMAKE_PROJECT_INCLUDE="$repo/modules/ParallelCoverage.cmake")
for pkg in "${pkgs[@]}"; do
  log "$pkg: fetching and building three trees (-j$J)"
  build "$pkg" plain -DCMAKE_C_FLAGS="--coverage -O0" -DCMAKE_CXX_FLAGS="--coverage -O0"
  build "$pkg" ours "${inject[@]}"
  build "$pkg" atomic "${inject[@]}" -DPARALLEL_COVERAGE_ATOMIC=ON
  [ -d "$D/$pkg/ours/_parcov" ] && cmake --build "$D/$pkg/ours/_parcov" --target parcov >/dev/null
  grep 'ParallelCoverage: atomic' "$D/$pkg/ours.configure.log" >&2 || true
done
for ((rep = 1; rep <= R; rep++)); do
  log "repetition $rep/$R"
  for pkg in "${pkgs[@]}"; do
    for name in plain ours atomic; do
      time_ctest "$pkg" "$name"
    done
  done
done

python3 - "$D/times" "$R" "$J" "${pkgs[@]}" <<'PY'
import os, statistics, sys
T, R, J, pkgs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
t = {f: [float(x) for x in open(os.path.join(T, f))] for f in os.listdir(T)}
def cell(k):
    v = t[k]
    return f"{statistics.median(v):.3f} s ({min(v):.3f}–{max(v):.3f})"
def ratio(a, b):
    return statistics.median(t[a]) / statistics.median(t[b])
print(f"\nctest -j{J}, {R} alternated repetitions; wall time median (min–max), and the ratios of "
      "the medians of wall time and of CPU time (user + system)\n")
print("| Suite | plain --coverage -O0 | ParallelCoverage defaults | defaults / plain: wall, CPU "
      "| PARALLEL_COVERAGE_ATOMIC=ON | ON / plain: wall, CPU |")
print("|---|---|---|---|---|---|")
for p in pkgs:
    print(f"| {p} | {cell(p + '.plain')} | {cell(p + '.ours')} "
          f"| {ratio(p + '.ours', p + '.plain'):.2f}×, {ratio(p + '.ours.cpu', p + '.plain.cpu'):.2f}× "
          f"| {cell(p + '.atomic')} "
          f"| {ratio(p + '.atomic', p + '.plain'):.2f}×, {ratio(p + '.atomic.cpu', p + '.plain.cpu'):.2f}× |")
PY
