#!/bin/sh
# Produce the .gcda/.gcno fixtures of check_gcda from counted.c with the compiler at hand
# (committed binaries would tie the tests to one GCC release).
#
# usage: make-fixtures.sh OUTDIR CC GCOV_TOOL
#   CC must be GCC 12 or 11 (e.g. gcc-12) and GCOV_TOOL its gcov-tool (e.g. gcov-tool-12).
# Writes into OUTDIR (created; previous fixtures replaced):
#   counted.gcno          notes of build "v1" (counted.c as is)
#   run-0.gcda, run-3.gcda, run-10.gcda
#                         v1 run once with argument 0, 3, 10 (separate GCOV_PREFIX dirs)
#   merged-3-10.gcda      gcov-tool merge of run-3 (target) and run-10
#   merged-0-3.gcda       gcov-tool merge of run-0 (target) and run-3
#   rebuild.gcno, rebuild-run-3.gcda
#                         counted.c compiled again: same checksum, different stamp
#   v2.gcno, v2-run-3.gcda
#                         counted.c with -DCOUNTED_V2: different checksum and stamp
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 OUTDIR CC GCOV_TOOL" >&2
	exit 2
fi
cc=$2
gcov_tool=$3
here=$(cd "$(dirname "$0")" && pwd)
src=$here/counted.c
mkdir -p "$1"
out=$(cd "$1" && pwd)
work=$out/work

rm -rf "$work"
rm -f "$out"/*.gcda "$out"/*.gcno
mkdir -p "$work"

# Header word 2 of a .gcno/.gcda, as hex.
stamp_of() {
	od -A n -t x4 -j 8 -N 4 "$1" | tr -d ' '
}

# build NAME [CFLAGS...]: compile and link counted.c in its own directory, keep the notes.
build() {
	name=$1
	shift
	mkdir -p "$work/$name"
	"$cc" -std=c11 -O0 --coverage "$@" -c "$src" -o "$work/$name/counted.o"
	"$cc" --coverage "$work/$name/counted.o" -o "$work/$name/counted"
	cp "$work/$name/counted.gcno" "$out/$name.gcno"
}

# run BUILD PREFIXNAME ARG: one run into a fresh GCOV_PREFIX; prints the .gcda's directory.
run() {
	prefix=$work/prefix/$2
	rm -rf "$prefix"
	mkdir -p "$prefix"
	GCOV_PREFIX=$prefix "$work/$1/counted" "$3"
	found=$(find "$prefix" -name counted.gcda)
	if [ -z "$found" ]; then
		echo "$0: the $1 build wrote no counted.gcda under $prefix" >&2
		exit 1
	fi
	dirname "$found"
}

# merge DIR1 DIR2 OUTNAME: gcov-tool merge into a fresh directory (it would merge into an
# existing output file instead of replacing it).
merge() {
	rm -rf "$work/merge"
	"$gcov_tool" merge -o "$work/merge" "$1" "$2"
	cp "$work/merge/counted.gcda" "$out/$3"
}

build v1
# The notes header's version word must be "B2x*" or "B1x*" (0x4232...., 0x4231....): clang's
# --coverage, for one, writes another gcov format.
case $(od -A n -t x4 -j 4 -N 4 "$out/v1.gcno" | tr -d ' ') in
4232???? | 4231????) ;;
*)
	echo "$0: $cc is not GCC 12 or 11 (its .gcno version is not B2x* or B1x*)" >&2
	exit 1
	;;
esac
d0=$(run v1 run-0 0)
d3=$(run v1 run-3 3)
d10=$(run v1 run-10 10)
cp "$d0/counted.gcda" "$out/run-0.gcda"
cp "$d3/counted.gcda" "$out/run-3.gcda"
cp "$d10/counted.gcda" "$out/run-10.gcda"
mv "$out/v1.gcno" "$out/counted.gcno"
merge "$d3" "$d10" merged-3-10.gcda
merge "$d0" "$d3" merged-0-3.gcda

# The stamp is GCC's millisecond clock: recompile until it has moved on.
tries=0
while :; do
	build rebuild
	[ "$(stamp_of "$out/rebuild.gcno")" != "$(stamp_of "$out/counted.gcno")" ] && break
	tries=$((tries + 1))
	if [ $tries -ge 10 ]; then
		echo "$0: $cc gives every build the same stamp (-frandom-seed in CFLAGS?)" >&2
		exit 1
	fi
	sleep 1
done
d=$(run rebuild rebuild-run-3 3)
cp "$d/counted.gcda" "$out/rebuild-run-3.gcda"

build v2 -DCOUNTED_V2
d=$(run v2 v2-run-3 3)
cp "$d/counted.gcda" "$out/v2-run-3.gcda"

rm -rf "$work"
