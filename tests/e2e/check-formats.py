#!/usr/bin/env python3
"""Check parcov's summary.md, sonarqube.xml, coveralls.json and html/ against coverage.json
(gcovr's JSON, which e2e.report holds to gcovr byte for byte), line by line, and each against
the rules its consumer documents:

- SonarQube generic test data, "Generic Coverage" (docs.sonarsource.com, analysis parameters
  sonar.coverageReportPaths): <coverage version="1">, <file path="..."> children only,
  <lineToCover lineNumber=".." covered="true|false" [branchesToCover=".." coveredBranches=".."]/>;
  lineNumber mandatory, covered boolean, coveredBranches mandatory with branchesToCover.
- Coveralls API reference, "Source Files" (docs.coveralls.io/api-reference): source_files
  with name (path relative to the repository root), source_digest (MD5 of the source), coverage
  (one entry per source line: null for not relevant, else the hit count) and branches (flat,
  four integers per branch: line number, block number, branch number, hits).
- Markdown (GitHub-flavoured tables): the totals row and a row per file.

usage: check-formats.py COVERAGE_JSON OUT_DIR ROOT [FORMAT...]"""
import hashlib
import html
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

cov_json, out, root = sys.argv[1:4]
formats = sys.argv[4:] or ["md", "sonarqube", "coveralls", "html"]
data = json.load(open(cov_json))
problems = []


def problem(msg):
    problems.append(msg)


def code_lines(f):
    return {l["line_number"]: l for l in f["lines"] if not l["gcovr/noncode"]}


def totals(f):
    lines = code_lines(f).values()
    return dict(lines=(sum(l["count"] > 0 for l in lines), len(lines)),
                branches=(sum(b["count"] > 0 for l in lines for b in l["branches"]),
                          sum(len(l["branches"]) for l in lines)),
                functions=(sum(fn["execution_count"] > 0 for fn in f["functions"]), len(f["functions"])))


def add(a, b):
    return {k: (a[k][0] + b[k][0], a[k][1] + b[k][1]) for k in a}


def missing(f):
    """gcovr's Missing column: runs of code lines not run, a covered code line ends a run."""
    runs, start, end = [], None, None
    for n, l in sorted(code_lines(f).items()):
        if l["count"] == 0:
            start = n if start is None else start
            end = n
        elif start is not None:
            runs.append((start, end))
            start = None
    if start is not None:
        runs.append((start, end))
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


files = {f["file"]: f for f in data["files"]}
if not files:
    problem("coverage.json has no files")
grand = None
for f in files.values():
    grand = totals(f) if grand is None else add(grand, totals(f))


def source_bytes(name):
    return open(os.path.join(root, name), "rb").read()


def check_sonarqube():
    tree = ET.parse(os.path.join(out, "sonarqube.xml")).getroot()
    if tree.tag != "coverage" or tree.attrib != {"version": "1"}:
        problem(f"sonarqube: root is <{tree.tag} {tree.attrib}>, not <coverage version=\"1\">")
    seen = set()
    for fe in tree:
        if fe.tag != "file" or set(fe.attrib) != {"path"}:
            problem(f"sonarqube: unexpected <{fe.tag} {fe.attrib}> under <coverage>")
            continue
        path = fe.get("path")
        seen.add(path)
        if not os.path.isfile(os.path.join(root, path)):
            problem(f"sonarqube: {path} is not a file below the project root")
        want = code_lines(files.get(path, {"lines": []}))
        got = {}
        for lt in fe:
            a = lt.attrib
            if lt.tag != "lineToCover" or not {"lineNumber", "covered"} <= set(a) <= {
                    "lineNumber", "covered", "branchesToCover", "coveredBranches"}:
                problem(f"sonarqube: {path}: unexpected <{lt.tag} {a}>")
                continue
            if ("branchesToCover" in a) != ("coveredBranches" in a):
                problem(f"sonarqube: {path}: branchesToCover without coveredBranches: {a}")
            n = int(a["lineNumber"])
            if n < 1 or n in got or a["covered"] not in ("true", "false"):
                problem(f"sonarqube: {path}: bad or repeated line {a}")
            got[n] = a
        if sorted(got) != sorted(want):
            problem(f"sonarqube: {path}: lines {sorted(set(got) ^ set(want))[:10]} differ from coverage.json")
        for n in sorted(set(got) & set(want)):
            l, a = want[n], got[n]
            br = l["branches"]
            exp = {"lineNumber": str(n), "covered": "true" if l["count"] > 0 else "false"}
            if br:
                exp["branchesToCover"] = str(len(br))
                exp["coveredBranches"] = str(sum(b["count"] > 0 for b in br))
            if a != exp:
                problem(f"sonarqube: {path}:{n}: {a} != {exp}")
    if seen != set(files):
        problem(f"sonarqube: files {sorted(seen ^ set(files))} differ from coverage.json")


def check_coveralls():
    doc = json.load(open(os.path.join(out, "coveralls.json")))
    if not isinstance(doc, dict) or not isinstance(doc.get("source_files"), list):
        problem("coveralls: no source_files array")
        return
    seen = set()
    for sf in doc["source_files"]:
        name = sf.get("name")
        seen.add(name)
        if set(sf) - {"name", "source_digest", "coverage", "branches", "source"}:
            problem(f"coveralls: {name}: unknown keys {sorted(sf)}")
        src = source_bytes(name)
        if sf.get("source_digest") != hashlib.md5(src).hexdigest():
            problem(f"coveralls: {name}: source_digest is not the MD5 of the source")
        nlines = len(src.decode("utf-8", "replace").splitlines())
        cov = sf.get("coverage")
        if not isinstance(cov, list) or len(cov) != nlines:
            problem(f"coveralls: {name}: coverage has {len(cov or [])} entries for {nlines} source lines")
            continue
        if not all(c is None or (type(c) is int and c >= 0) for c in cov):
            problem(f"coveralls: {name}: coverage entries are not null or counts")
        want = code_lines(files[name])
        for n in range(1, nlines + 1):
            exp = want[n]["count"] if n in want else None
            if cov[n - 1] != exp:
                problem(f"coveralls: {name}:{n}: {cov[n - 1]} != {exp}")
        br = sf.get("branches", [])
        if len(br) % 4 or not all(type(x) is int and x >= 0 for x in br):
            problem(f"coveralls: {name}: branches is not groups of four counts")
            continue
        got = [tuple(br[i:i + 4]) for i in range(0, len(br), 4)]
        exp = [(n, 0, i, b["count"]) for n, l in sorted(want.items()) for i, b in enumerate(l["branches"])]
        if got != exp:
            problem(f"coveralls: {name}: branches {got[:4]}... != {exp[:4]}...")
    if seen != set(files):
        problem(f"coveralls: files {sorted(seen ^ set(files))} differ from coverage.json")


def md_cell(t):
    hit, whole = t
    return "–" if not whole else f"{100.0 * hit / whole:.1f}% ({hit}/{whole})"


def check_md():
    text = open(os.path.join(out, "summary.md"), encoding="utf-8").read()
    rows = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| File") and not line.startswith("| |"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            rows[re.sub(r"\\(.)", r"\1", cells[0])] = cells[1:]
    exp_total = [md_cell(grand[k]) for k in ("lines", "branches", "functions")]
    if rows.pop("**Total**", None) != exp_total:
        problem(f"md: the total row is not {exp_total}")
    for name, f in files.items():
        t = totals(f)
        exp = [md_cell(t[k]) for k in ("lines", "branches", "functions")] + [missing(f)]
        if rows.pop(name, None) != exp:
            problem(f"md: {name}: row is not {exp}")
    if rows:
        problem(f"md: rows of no file: {sorted(rows)}")
    if not re.search(r"^\|---\|", text, re.M):
        problem("md: no table header separator")


ROW = re.compile(r'<tr id="L(\d+)"(?: class="(\w)")?(?: data-changed="1")?><td>(\d+)</td><td>(\d*)</td>'
                 r'<td>(.*?)</td>.*<td>(.*?)</td></tr>$')


def check_html():
    index = open(os.path.join(out, "html", "index.html"), encoding="utf-8").read()
    shown = {}
    for m in re.finditer(r'<tr><th scope="row" data-v="[^"]*"><a href="([^"]+)">([^<]*)</a></th>(.*?)</tr>', index):
        page, name = m.group(1), html.unescape(m.group(2))
        nums = [tuple(map(int, x)) for x in re.findall(r'<span class="of">(\d+)/(\d+)</span>', m.group(3))]
        shown[name] = page
        if name not in files:
            problem(f"html: index lists {name}, not in coverage.json")
            continue
        t = totals(files[name])
        if nums != [t["lines"], t["branches"], t["functions"]]:
            problem(f"html: index: {name}: {nums} != {t}")
    if set(shown) != set(files):
        problem(f"html: index files {sorted(set(shown) ^ set(files))} differ from coverage.json")
    for name, page in shown.items():
        if name not in files:
            continue
        want = code_lines(files[name])
        src = source_bytes(name).decode("utf-8", "replace").replace("\r", "").split("\n")
        seen = 0
        for line in open(os.path.join(out, "html", page), encoding="utf-8"):
            m = ROW.match(line.rstrip("\n"))
            if not m:
                continue
            seen += 1
            n, cls, count, mark, text = int(m.group(1)), m.group(2), m.group(4), m.group(5), m.group(6)
            l = want.get(n)
            exp_cls = None
            if l:
                partial = any(b["count"] == 0 for b in l["branches"])
                exp_cls = "u" if l["count"] == 0 else "p" if partial else "h"
            if l and (count != str(l["count"]) or cls != exp_cls):
                problem(f"html: {name}:{n}: count {count} class {cls}, coverage.json {l['count']} ({exp_cls})")
            if not l and count:
                problem(f"html: {name}:{n}: a count on a line that is not code")
            if cls == "u" and not mark.startswith("✗"):
                problem(f"html: {name}:{n}: a line not run without its ✗ mark")
            if l and l["branches"]:
                taken = sum(b["count"] > 0 for b in l["branches"])
                if f"{taken}/{len(l['branches'])}</summary>" not in mark:
                    problem(f"html: {name}:{n}: no branch details {taken}/{len(l['branches'])}")
            if n <= len(src) and html.unescape(text) != src[n - 1]:
                problem(f"html: {name}:{n}: source {html.unescape(text)!r} != {src[n - 1]!r}")
        if seen < max(want or [0]):
            problem(f"html: {name}: {seen} source rows, coverage.json has line {max(want)}")


for fmt in formats:
    {"md": check_md, "sonarqube": check_sonarqube, "coveralls": check_coveralls, "html": check_html}[fmt]()
for p in problems[:30]:
    print(p)
if problems:
    print(f"{len(problems)} problems")
    sys.exit(1)
print(f"{', '.join(formats)}: {len(files)} files agree with coverage.json line by line")
