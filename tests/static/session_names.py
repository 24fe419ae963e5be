#!/usr/bin/env python3
"""Two meanings of "session" stay apart (issue 8): exam sessions are exam_sessions, the
browser's are websessions (sql/045_websessions.sql renamed the table `sessions`). No SQL in
src/, tests/ or a migration after 045 names a table `sessions`: a statement written against
the old name would fail only when it runs.

Usage: python3 tests/static/session_names.py [ROOT]; prints "ok - …" / "not ok - …".
"""
import os
import re
import sys

OLD_NAME = re.compile(r"\b(FROM|INTO|UPDATE|JOIN|TABLE|ON|TRUNCATE)\s+(public\.)?sessions\b")
RENAMED_IN = "045_websessions.sql"


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    found = []
    for top in ("src", "tests", "sql", "scripts"):
        for folder, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if not name.endswith((".c", ".h", ".py", ".sh", ".sql")):
                    continue
                if top == "sql" and name <= RENAMED_IN:
                    continue  # the migrations before the rename, and the rename itself
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        if OLD_NAME.search(line):
                            found.append(f"{os.path.relpath(path, root)}:{lineno}: {line.strip()[:100]}")
    ok = not found
    print(f"{'ok' if ok else 'not ok'} - no SQL names the browser sessions' old table `sessions` "
          f"(it is websessions since sql/{RENAMED_IN})")
    for line in found[:40]:
        print(f"#   {line}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
