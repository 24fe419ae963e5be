#!/usr/bin/env python3
"""The layers of src/ hold (STYLE.md, issue 8): core → domain → db → auth → web, and the
programs (portal, cli, signer, mailer) on top.

- every #include "folder/file.h" of src/ goes to a folder that LAYERS allows for the
  including folder: never from a lower layer into a higher one, never between programs;
- the include graph of src/'s files has no cycle (so neither has the graph of folders);
- no file outside src/db/ holds SQL, a PGresult, a libpq call or the db/ layer's statement
  functions (db_query, db_exec, db_run, db_read, db_batch, db_val, db_rows, db_int): handlers and
  programs get plain structs from db/ functions.

Usage: python3 tests/static/layers.py [ROOT]; prints "ok - …" / "not ok - …" lines and
exits 1 when one is not ok.
"""
import os
import re
import sys

# What each folder of src/ may include, besides itself. The libraries under db/ (pdf, sign)
# stand on core only; mail/ renders db/'s outbox rows for the mailer.
BASE = {"core"}
LAYERS = {
    "core": set(),
    "domain": BASE,
    "pdf": BASE,
    "sign": BASE,
    "db": BASE | {"domain", "pdf", "sign"},
    "auth": BASE | {"domain", "db"},
    "mail": BASE | {"domain", "db"},
    "web": BASE | {"domain", "pdf", "sign", "db", "auth"},
}
LIBRARIES = set(LAYERS)
PROGRAMS = {"portal", "cli", "signer", "mailer"}
for program in PROGRAMS:
    LAYERS[program] = LIBRARIES  # anything below, never another program

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SYSTEM_INCLUDE = re.compile(r'^\s*#\s*include\s+<([^>]+)>', re.M)
# SQL in a C string literal: a statement's first word, upper-case as the code writes SQL.
SQL = re.compile(r'"\s*(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|BEGIN(?!:)|COMMIT|ROLLBACK|'
                 r'LISTEN|NOTIFY|CREATE\s+|ALTER\s+|DROP\s+|WITH\s+\w+\s+AS|SET\s+(LOCAL\s+)?\w+\s*(=|TO))\b')
DB_ONLY = re.compile(r'\b(PGresult|PGconn|PQ[a-z]\w*|db_query|db_exec|db_run|db_read|db_batch|db_val|db_rows|db_int)\b')

results = []


def report(ok, what, detail=None):
    results.append(ok)
    print(f"{'ok' if ok else 'not ok'} - {what}")
    if not ok and detail:
        for line in detail[:40]:
            print(f"#   {line}")
        if len(detail) > 40:
            print(f"#   … and {len(detail) - 40} more")


def strip_comments(text):
    """The code without its comments (string literals kept), so that prose naming a
    function or a word of SQL does not count."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    src = os.path.join(root, "src")
    files = {}
    for folder in sorted(os.listdir(src)):
        path = os.path.join(src, folder)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            if name.endswith((".c", ".h")):
                with open(os.path.join(path, name), encoding="utf-8") as f:
                    files[f"{folder}/{name}"] = f.read()

    unknown = sorted({name.split("/")[0] for name in files} - set(LAYERS))
    report(not unknown, "every folder of src/ has its place in the layers", unknown)

    edges, upward, missing = {}, [], []
    for name, text in files.items():
        folder = name.split("/")[0]
        code = strip_comments(text)
        edges[name] = []
        for target in INCLUDE.findall(code):
            tfolder = target.split("/")[0]
            if target not in files:
                missing.append(f"{name} includes {target}, which is not in src/")
                continue
            edges[name].append(target)
            if tfolder != folder and tfolder not in LAYERS.get(folder, set()):
                upward.append(f"{name} includes {target} ({folder} may include "
                              f"{', '.join(sorted(LAYERS.get(folder, ()))) or 'only itself'})")
    report(not missing, "every quoted include names a file of src/", missing)
    report(not upward, "no include goes from a lower layer into a higher one, or between programs "
           "(core → domain → db → auth → web; portal, cli, signer, mailer on top)", upward)

    # Cycles in the file graph (a .c file includes headers; a header may include headers).
    state, stack, cycles = {}, [], []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in edges.get(node, ()):
            if state.get(nxt) == 1:
                cycles.append(" → ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    report(not cycles, "the include graph of src/ has no cycle", cycles)

    folder_edges = {(a.split("/")[0], b.split("/")[0]) for a, bs in edges.items() for b in bs
                    if a.split("/")[0] != b.split("/")[0]}
    folder_cycles = sorted(f"{a} ⇄ {b}" for a, b in folder_edges if (b, a) in folder_edges and a < b)
    report(not folder_cycles, "no two folders of src/ include each other", folder_cycles)

    leaks = []
    for name, text in files.items():
        if name.startswith("db/"):
            continue
        code = strip_comments(text)
        for lineno, line in enumerate(code.splitlines(), 1):
            if SQL.search(line):
                leaks.append(f"{name}:{lineno}: SQL: {line.strip()[:100]}")
            m = DB_ONLY.search(line)
            if m:
                leaks.append(f"{name}:{lineno}: {m.group(1)}: {line.strip()[:100]}")
        for header in SYSTEM_INCLUDE.findall(code):
            if header in ("libpq-fe.h", "postgresql/libpq-fe.h"):
                leaks.append(f"{name}: includes <{header}>")
    report(not leaks, "no file outside src/db holds SQL, a PGresult or a libpq call", leaks)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
