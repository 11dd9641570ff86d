#!/usr/bin/env python3
"""Fail when the sources in DIR have an include cycle, each x.c/x.h pair taken as one unit
(issue 14): a unit that includes another must not be included back, even indirectly.

    include-graph.py DIR

Prints the cycle it finds (a -> b -> a), or the units in an order where each comes after
the ones it includes. System headers (<...>) are not units."""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def graph(directory):
    """unit -> set of units its .c and .h include (quoted includes of files in directory)."""
    units = {}
    for name in sorted(os.listdir(directory)):
        stem, ext = os.path.splitext(name)
        if ext not in (".c", ".h"):
            continue
        with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as f:
            text = f.read()
        deps = units.setdefault(stem, set())
        for inc in INCLUDE.findall(text):
            target = os.path.splitext(os.path.basename(inc))[0]
            if target != stem and os.path.exists(os.path.join(directory, inc)):
                deps.add(target)
    return units


def find_cycle(units):
    """A list [a, b, ..., a] of units that include each other in a circle, or None."""
    state, stack = {}, []

    def visit(u):
        state[u] = "open"
        stack.append(u)
        for v in sorted(units.get(u, ())):
            if state.get(v) == "open":
                return stack[stack.index(v):] + [v]
            if v not in state:
                found = visit(v)
                if found:
                    return found
        stack.pop()
        state[u] = "done"
        return None

    for u in sorted(units):
        if u not in state:
            found = visit(u)
            if found:
                return found
    return None


def order(units):
    done, out = set(), []

    def visit(u):
        if u in done:
            return
        done.add(u)
        for v in sorted(units.get(u, ())):
            visit(v)
        out.append(u)

    for u in sorted(units):
        visit(u)
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    # The check itself can fail: a made-up cycle is found, and a chain is not one.
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    units = graph(sys.argv[1])
    if not units:
        sys.exit(f"include-graph: no .c or .h files in {sys.argv[1]}")
    cycle = find_cycle(units)
    if cycle:
        print("include cycle among the units of %s: %s" % (sys.argv[1], " -> ".join(cycle)))
        for a, b in zip(cycle, cycle[1:]):
            print(f"  {a}.c/{a}.h includes {b}.h")
        sys.exit(1)
    print(f"no include cycle among {len(units)} units; each after those it includes:")
    print("  " + " ".join(order(units)))


if __name__ == "__main__":
    main()
