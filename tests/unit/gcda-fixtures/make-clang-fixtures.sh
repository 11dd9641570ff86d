#!/bin/sh
# Produce the Clang .gcda/.gcno fixtures of check_gcda_clang from counted.c (see
# make-fixtures.sh for the GCC ones).
#
# usage: make-clang-fixtures.sh OUTDIR CLANG
# Writes into OUTDIR (created; previous fixtures replaced):
#   counted.gcno              notes of counted.c built with CLANG --coverage -O0
#   run-0.gcda, run-3.gcda, run-10.gcda
#                             one run with argument 0, 3, 10 (separate GCOV_PREFIX dirs)
#   merged-3-10.gcda          runs 3 then 10 into the same directory: Clang's runtime merged
#                             them in place, the ground truth for parcov's merge
#   v2.gcno, v2-run-3.gcda    counted.c with -DCOUNTED_V2: a different build
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 OUTDIR CLANG" >&2
	exit 2
fi
cc=$2
src=$(cd "$(dirname "$0")" && pwd)/counted.c
mkdir -p "$1"
out=$(cd "$1" && pwd)
work=$out/work
rm -rf "$work"
rm -f "$out"/*.gcda "$out"/*.gcno
mkdir -p "$work"

build() { # NAME [CFLAGS...]
	name=$1
	shift
	mkdir -p "$work/$name"
	"$cc" -std=c11 -O0 --coverage "$@" -c "$src" -o "$work/$name/counted.o"
	"$cc" --coverage "$work/$name/counted.o" -o "$work/$name/counted"
	cp "$work/$name/counted.gcno" "$out/$name.gcno"
}

run() { # BUILD PREFIXNAME ARG OUTNAME: a run into GCOV_PREFIX dir PREFIXNAME (kept: merging)
	prefix=$work/prefix/$2
	mkdir -p "$prefix"
	GCOV_PREFIX=$prefix "$work/$1/counted" "$3"
	found=$(find "$prefix" -name counted.gcda)
	if [ -z "$found" ]; then
		echo "$0: the $1 build wrote no counted.gcda under $prefix" >&2
		exit 1
	fi
	cp "$found" "$out/$4"
}

build v1
case $(od -A n -t x4 -j 4 -N 4 "$out/v1.gcno" | tr -d ' ') in
3430382a) ;;
*)
	echo "$0: $cc does not write Clang's default gcov format (408*)" >&2
	exit 1
	;;
esac
mv "$out/v1.gcno" "$out/counted.gcno"
run v1 run-0 0 run-0.gcda
run v1 run-3 3 run-3.gcda
run v1 run-10 10 run-10.gcda
run v1 merged 3 merged-3-10.gcda
run v1 merged 10 merged-3-10.gcda
build v2 -DCOUNTED_V2
run v2 v2-run-3 3 v2-run-3.gcda
rm -rf "$work"
