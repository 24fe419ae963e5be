#!/usr/bin/env python3
"""Template keys agree with the code that fills them (python3 standard library only).

Keys are free strings between the C handlers (tdict_set* in src/web/*.c) and the templates
(templates/*.html), so a typo shows an empty field to the user and a forgotten key shows
nothing at all. This reads both sides and fails, with file:line, when

  1. a handler sets a key that no template it renders uses (set and never shown);
  2. a template uses a key that no handler rendering it sets (shown and never set);
  3. a template uses raw output {{&key}} outside the allow-list RAW below;
  4. a template is rendered by no handler and included by no other template.

Which templates a piece of code renders: a C function renders the templates whose names
it passes as a string literal to a call (http_render(req, 200, "exams", d),
show_form(req, status, "register", d)), plus everything the functions it calls render;
a helper that renders nothing itself (add_progress) fills the dictionaries of its callers,
so it counts for what its callers render. Fields declared in a form table of a file
({ .name = "email", ... }) fill their value and reason keys on that file's pages. Every page is wrapped in layout.html, and a
template counts with the partials it includes ({{>name}}). This over-approximates
(a helper shared by two pages may set a key only one of them shows), never the reverse,
so a failure is always a real mismatch.

The mails (templates/mail/*.html, rendered as plain text by src/mail/render.c) get the same
checks against what composes them: the payload each outbox hook of src/db/*.c writes
(INSERT INTO outbox ... jsonb_build_object('key', ...), to_jsonb(alias) of a view: the view's
columns, less those removed with - 'key'), plus the keys src/mail/*.c sets itself. A hook's
kinds are the literal kind it inserts, or the OUTBOX_* constants its callers pass (through
callers that pass their own parameter on). A payload key counts as used when a template of
one of the hook's kinds shows it or the renderer reads it by name (MAIL_READERS: the
calendar event's columns); a template's key must be set for every kind that renders it.
Mails are plain text, so {{& has no place in them (MAIL_RAW is empty); every kind of
outbox_kind_name() has its template, and every mail template is a kind or included.

Prints "ok - NAME" / "not ok - NAME: file:line: reason" lines; exit 1 if one failed.
Usage: tests/static/template_keys.py [ROOT]
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Raw output ({{&key}}): only HTML the code itself built, never a user's text.
RAW = {
    ("layout", "content"): "the page's body, rendered by the template engine itself (escaped there)",
}

# Raw output in a mail: none. Mails are rendered as plain text (nothing is escaped) and the HTML
# part is the whole text escaped at once (src/mail/message.c), so {{&key}} could only mislead.
MAIL_RAW = {}
# Calls through which the mail renderer reads payload keys by name (file, function): the
# booking mails' calendar event (src/domain/ics.c reads the booking_calendar columns).
MAIL_READERS = {("src/mail/render.c", "payload_value"), ("src/domain/ics.c", "column")}

# Calls that set a key: the key is their second argument (tdict_set(d, "key", ...)).
SETTER_RE = re.compile(r"\b(tdict_set\w*|tdict_push)\s*\(")
# http_push_row(d, "list", r, row, (const char *const[]){ "key", ... }): the list and every key.
PUSH_ROW_RE = re.compile(r"\bhttp_push_row\s*\(")
# tdict_get(d, "key"): the code reads the key back (a select's chosen option), so it is used.
GET_RE = re.compile(r'\btdict_get\s*\(\s*\w+\s*,\s*"([^"]*)"')
CALL_RE = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
STRING_RE = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
TAG_RE = re.compile(r"\{\{\s*([#^/&>!]?)\s*([A-Za-z0-9_.-]*)[^}]*\}\}")
# Pages that nearly every handler can end on: sharing them does not make two handlers one page.
COMMON = {"layout", "error", "refused"}
NOT_CALLS = {"if", "for", "while", "switch", "return", "sizeof", "defined"}


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def strip_comments(src):
    """C source with comments blanked (newlines kept, so offsets and lines stay), strings kept."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            out.append(src[i:j + 1])
            i = j + 1
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", src[i:j]))
            i = j
        elif src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def call_args(text, open_paren):
    """The top-level arguments of the call whose '(' is at open_paren: [(start offset, text)]."""
    depth, start, args, i = 0, open_paren + 1, [], open_paren
    while i < len(text):
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append((start, text[start:i]))
                return args
        elif c == "," and depth == 1:
            args.append((start, text[start:i]))
            start = i + 1
        i += 1
    return args


def expand_macros(text, src):
    """TEXT with the uses of SRC's function-like macros written out once (not the macros
    their bodies use): a statement built from one, as the SQL of src/db/outbox.c's booking
    mails is, reads as if it were written whole."""
    macros = {}
    for m in re.finditer(r"^#define\s+(\w+)\(([^)]*)\)((?:[^\n]*\\\n)*[^\n]*)", src, re.M):
        params = [p.strip() for p in m.group(2).split(",") if p.strip()]
        macros[m.group(1)] = (params, m.group(3).replace("\\\n", " "))
    out, i = [], 0
    for m in re.finditer(r"\b(\w+)\s*\(", text):
        if m.start() < i or m.group(1) not in macros:
            continue
        params, body = macros[m.group(1)]
        args = [a for _, a in call_args(text, m.end() - 1)]
        end = args and (text.index(args[-1], m.end() - 1) + len(args[-1]) + 1) or m.end()
        # Parameters are replaced outside the body's string literals only.
        parts = re.split(r'("(?:[^"\\]|\\.)*")', body)
        for k in range(0, len(parts), 2):
            for p, a in zip(params, args):
                parts[k] = re.sub(r"\b" + re.escape(p) + r"\b", lambda _m, a=a: a, parts[k])
        out.append(text[i:m.start()])
        out.append("".join(parts))
        i = end
    out.append(text[i:])
    return "".join(out)


def literal(arg):
    m = re.fullmatch(r'\s*"((?:[^"\\]|\\.)*)"\s*', arg)
    return m.group(1) if m else None


class Function:
    def __init__(self, file, name, line):
        self.file, self.name, self.line = file, name, line
        self.sets = []        # (key, line): keys this function sets itself
        self.literals = set() # every string literal of the body
        self.renders = set()  # template names passed as a literal to a call
        self.calls = set()
        self.reads = set()    # keys read back with tdict_get


def declared_form_keys(src):
    """The page keys a file's declared form fields fill (web/form_spec.h, form_input_show):
    each field's value under .key (default .name), its reason under .error_key (default key_error)."""
    keys = set()
    for entry in re.findall(r"\{\s*(\.name\s*=\s*\"[^\"]*\"[^{}]*)\}", src):
        attrs = dict(re.findall(r"\.(name|key|error_key)\s*=\s*\"([^\"]*)\"", entry))
        key = attrs.get("key") or attrs.get("name")
        if key:
            keys |= {key, attrs.get("error_key") or f"{key}_error"}
    return keys


def functions_of(path, templates):
    """The function definitions of a C file, with what each sets, reads, renders and calls."""
    src = strip_comments(open(path, encoding="utf-8").read())
    rel = os.path.relpath(path, ROOT)
    form_keys = declared_form_keys(src)
    out = []
    for name, line, body_start, end in definitions(src):
        f = Function(rel, name, line)
        body = src[body_start:end]
        setter_spans = []
        for s in SETTER_RE.finditer(body):
            args = call_args(body, s.end() - 1)
            if len(args) >= 2 and literal(args[1][1]) is not None:
                if literal(args[1][1]):
                    f.sets.append((literal(args[1][1]), line_of(src, body_start + s.start())))
            if args:
                setter_spans.append((s.start(), args[-1][0] + len(args[-1][1])))
        for s in PUSH_ROW_RE.finditer(body):
            args = call_args(body, s.end() - 1)
            for k, (off, text) in enumerate(args[1:], 1):
                if k in (2, 3):
                    continue  # the result and the row
                for lit in STRING_RE.finditer(text):
                    if lit.group(1) == "":
                        continue  # a column the page does not show
                    f.sets.append((lit.group(1), line_of(src, body_start + off + lit.start())))
            if args:
                setter_spans.append((s.start(), args[-1][0] + len(args[-1][1])))
        for lit in STRING_RE.finditer(body):
            f.literals.add(lit.group(1))
        f.literals |= form_keys  # the file's declared forms fill these on the pages it renders
        # Keys made with a format (arena_printf(a, "%s_error", window[i])): every literal it can take.
        words = {w for w in f.literals if re.fullmatch(r"[A-Za-z0-9_.-]+", w)}
        for pattern in [w for w in f.literals if w.count("%s") == 1]:
            f.literals |= {pattern.replace("%s", w) for w in words}
        f.reads = set(GET_RE.findall(body))
        for c in CALL_RE.finditer(body):
            if c.group(1) in NOT_CALLS or any(a <= c.start() < b for a, b in setter_spans):
                continue
            f.calls.add(c.group(1))
            for _, text in call_args(body, c.end() - 1):
                name = literal(text)
                if name in templates:
                    f.renders.add(name)
        out.append(f)
    return out


def template_tags(path):
    """[(sigil, key, line)] of a template."""
    text = open(path, encoding="utf-8").read()
    return [(m.group(1), m.group(2), line_of(text, m.start())) for m in TAG_RE.finditer(text)
            if m.group(1) != "!"]


class Folder:
    """The templates of one folder (templates/, templates/mail/): name -> [(sigil, key, line)]."""
    def __init__(self, rel):
        self.rel = rel
        path = os.path.join(ROOT, rel)
        names = sorted(os.listdir(path)) if os.path.isdir(path) else []
        self.tags = {f[:-5]: template_tags(os.path.join(path, f)) for f in names if f.endswith(".html")}
        self.partials = {t: {k for s, k, _ in tags if s == ">"} for t, tags in self.tags.items()}

    def closure(self, t, seen=None):
        """t and every template it includes."""
        seen = set() if seen is None else seen
        if t in seen or t not in self.tags:
            return seen
        seen.add(t)
        for p in self.partials[t]:
            self.closure(p, seen)
        return seen

    def keys(self, t):
        """The keys read while rendering t and its partials."""
        return {k for u in self.closure(t) for s, k, _ in self.tags[u] if s in ("", "&", "#", "^") and k != "."}

    def raw_problems(self, allowed, list_name):
        """Raw output ({{&key}}) not in allowed, and entries of allowed no longer used; and the count."""
        raw = [(t, k, line) for t, tags in self.tags.items() for s, k, line in tags if s == "&"]
        bad = [f"{self.rel}/{t}.html:{line}: {{{{&{k}}}}} is raw output, not in {list_name} of tests/static/template_keys.py"
               for t, k, line in raw if (t, k) not in allowed]
        stale = [f"{os.path.basename(__file__)}: {list_name} names {{{{&{k}}}}} in {self.rel}/{t}.html, which no longer uses it"
                 for t, k in allowed if not any((t, k) == (a, b) for a, b, _ in raw)]
        return bad + stale, len(raw)


def verdict(report, name, problems, detail=""):
    """One "not ok" line a problem, or one "ok" line (with detail) when there is none."""
    for w in problems:
        report(False, name, w)
    if not problems:
        report(True, f"{name} ({detail})" if detail else name)


def definitions(src):
    """[(name, first line, body start, body end)] of the function definitions of comment-free C
    source (the project's style: '{' and '}' alone in column 0)."""
    out = []
    for m in re.finditer(r"^\{\n", src, re.M):
        head = src[:m.start()]
        # The name: the last identifier followed by '(' since the previous top-level statement.
        prev = max(head.rfind(";\n"), head.rfind("}\n"), head.rfind("\n\n"), head.rfind("#"))
        sig = head[prev + 1:]
        names = [n for n in re.findall(r"\b([A-Za-z_]\w*)\s*\(", sig) if n not in NOT_CALLS]
        end = src.find("\n}", m.end())
        if names and end >= 0:
            out.append((names[0], line_of(src, m.start()), m.end(), end))
    return out


def sql_items(sql, start, depth=0):
    """The comma-separated items of SQL from start, at the given parenthesis depth, up to the
    ')' that closes it or (at depth 0) a FROM; '...' strings skipped."""
    level, begin, items, i = depth, start, [], start
    while i < len(sql):
        c = sql[i]
        if c == "'":
            j = sql.find("'", i + 1)
            i = len(sql) if j < 0 else j
        elif c == "(":
            level += 1
        elif c == ")":
            level -= 1
            if level < depth:
                break
        elif c == "," and level == depth:
            items.append(sql[begin:i].strip())
            begin = i + 1
        elif level == 0 and re.match(r"FROM\b", sql[i:i + 5], re.I) and not re.match(r"\w", sql[i - 1]):
            break
        i += 1
    items.append(sql[begin:i].strip())
    return items


def view_columns(name):
    """The output columns of CREATE [OR REPLACE] VIEW name in sql/*.sql (the last definition)."""
    cols = None
    sdir = os.path.join(ROOT, "sql")
    for f in sorted(os.listdir(sdir)) if os.path.isdir(sdir) else []:
        if not f.endswith(".sql"):
            continue
        text = re.sub(r"--[^\n]*", "", open(os.path.join(sdir, f), encoding="utf-8").read())
        for m in re.finditer(r"CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+" + re.escape(name) + r"\s+AS\s+SELECT\b", text, re.I):
            cols = set()
            for item in sql_items(text, m.end()):  # the select list, up to its FROM
                alias = re.search(r"\bAS\s+(\w+)$", item, re.I)
                cols.add(alias.group(1) if alias else item.split(".")[-1])
    return cols


def mail_checks(report):
    """The mail templates against the outbox hooks that compose their payloads (see the top)."""
    mail = Folder(os.path.join("templates", "mail"))
    templates, closure, uses = mail.tags, mail.closure, mail.keys

    # Every C file of src/, comment-free, with its function definitions.
    sources = {}
    for d, _, names in os.walk(os.path.join(ROOT, "src")):
        for name in names:
            if name.endswith(".c"):
                path = os.path.join(d, name)
                sources[os.path.relpath(path, ROOT)] = strip_comments(open(path, encoding="utf-8").read())
    defs = {rel: definitions(src) for rel, src in sources.items()}

    outbox_c = sources.get(os.path.join("src", "db", "outbox.c"), "")
    kind_names = dict(re.findall(r"\[\s*(OUTBOX_[A-Z0-9_]+)\s*\]\s*=\s*\"([^\"]*)\"", outbox_c))

    def enclosing(rel, offset):
        for name, _, start, end in defs[rel]:
            if start <= offset < end:
                return name
        return None

    def caller_kinds(fname, seen):
        """The OUTBOX_* constants that the calls of fname pass, through callers passing theirs on."""
        if fname in seen:
            return set()
        seen.add(fname)
        kinds = set()
        for rel, src in sources.items():
            for c in re.finditer(r"\b" + re.escape(fname) + r"\s*\(", src):
                outer = enclosing(rel, c.start())
                if outer is None or outer == fname:
                    continue  # the definition itself, or a prototype
                consts = set()
                for _, text in call_args(src, c.end() - 1):
                    consts |= set(re.findall(r"\bOUTBOX_[A-Z0-9_]+\b", text)) - {"OUTBOX__MAX"}
                kinds |= consts if consts else caller_kinds(outer, seen)
        return kinds

    # Prepared statements (static struct db_stmt q = DB_STMT("name", "SQL" ...)): a function that
    # runs &q runs its SQL as if it were written inline.
    stmts = {}
    for rel, src in sources.items():
        for m in re.finditer(r"\bstruct\s+db_stmt\s+(\w+)\s*=\s*DB_STMT\s*\(", src):
            args = call_args(src, m.end() - 1)
            text = expand_macros("".join(t for _, t in args[1:2]), src)
            stmts[(rel, m.group(1))] = "".join(x.group(1) for x in STRING_RE.finditer(text))

    # The hooks: functions whose SQL inserts into outbox.
    hooks = []  # (file:line, function, kinds, {key: line})
    for rel, src in sorted(sources.items()):
        for name, line, start, end in defs[rel]:
            body = src[start:end]
            sql = "".join(m.group(1) for m in STRING_RE.finditer(body))
            sql += "".join(stmts.get((rel, q), "") for q in re.findall(r"&\s*(\w+)", body))
            ins = re.search(r"INSERT\s+INTO\s+outbox\s*\(\s*kind\b[^)]*\)\s*SELECT\s+('(\w+)'|\$\d+|CASE\b(.*?)\bEND\b)",
                            sql, re.S)
            if not ins:
                continue
            if ins.group(3) is not None:  # CASE … THEN 'kind' … ELSE 'kind' END
                kinds = set(re.findall(r"\b(?:THEN|ELSE)\s+'(\w+)'", ins.group(3)))
            elif ins.group(2):
                kinds = {ins.group(2)}
            else:
                kinds = {kind_names.get(k, k) for k in caller_kinds(name, set())}
            keys = {}
            for m in re.finditer(r"\bjsonb_build_object\s*\(", sql):
                for k in sql_items(sql, m.end(), depth=1)[0::2]:
                    lit = re.fullmatch(r"'(\w+)'", k)
                    if lit:
                        keys.setdefault(lit.group(1), line)
            aliases = dict((al, tb) for tb, al in re.findall(r"\b(?:FROM|JOIN)\s+(\w+)\s+(?:AS\s+)?(\w+)", sql, re.I))
            for m in re.finditer(r"\bto_jsonb\s*\(\s*(\w+)\s*\)((?:\s*-\s*'\w+')*)", sql):
                cols = view_columns(aliases.get(m.group(1), m.group(1))) or set()
                for c in cols - set(re.findall(r"'(\w+)'", m.group(2))):
                    keys.setdefault(c, line)
            hooks.append((f"{rel}:{line}", name, kinds, keys))

    # What the renderer sets itself for every mail, and what it reads back by name.
    renderer_sets, reads = {}, set()
    for rel, src in sources.items():
        if rel.startswith(os.path.join("src", "mail") + os.sep):
            for s in SETTER_RE.finditer(src):
                args = call_args(src, s.end() - 1)
                if len(args) >= 2 and literal(args[1][1]):
                    renderer_sets[literal(args[1][1])] = f"{rel}:{line_of(src, s.start())}"
        for reader in {n for r, n in MAIL_READERS if r == rel}:
            for c in re.finditer(r"\b" + re.escape(reader) + r"\s*\(", src):
                for _, text in call_args(src, c.end() - 1):
                    if literal(text):
                        reads.add(literal(text))

    # 1. set and never shown
    unused = []
    for where, name, kinds, keys in hooks:
        shown = set().union(*(uses(k) for k in kinds if k in templates)) | reads
        for key in sorted(keys):
            if key not in shown:
                unused.append(f"{where}: {name}() puts \"{key}\" in the payload of ({', '.join(sorted(kinds)) or 'no kind'}), "
                              f"which no mail template of them shows and the renderer does not read")
    for key, where in sorted(renderer_sets.items()):
        if not any(key in uses(t) for t in templates):
            unused.append(f"{where}: the renderer sets \"{key}\", which no mail template shows")
    verdict(report, "mail: every key a mail's payload carries is shown by its template", unused,
            f"{sum(len(h[3]) for h in hooks)} keys in {len(hooks)} outbox hooks")

    # 2. shown and never set: for every kind whose template shows (or includes) it
    never_set = []
    for kind in sorted(set(kind_names.values())):
        available = set(renderer_sets).union(*(h[3] for h in hooks if kind in h[2]))
        for t in sorted(closure(kind)):
            for s, key, line in templates[t]:
                if s in ("", "&", "#", "^") and key != "." and key not in available:
                    never_set.append(f"templates/mail/{t}.html:{line}: {{{{{s}{key}}}}} is in no payload of the "
                                     f"kind {kind} and not set by the renderer")
    verdict(report, "mail: every key a mail template shows is set for its kind", never_set)

    # 3. raw output
    problems, n = mail.raw_problems(MAIL_RAW, "MAIL_RAW")
    verdict(report, "mail: {{& raw output appears only where it is allowed", problems, f"{n} place(s)")

    # 4. every kind has its template and is composed; every template is a kind or included
    gaps = []
    composed = set().union(*(h[2] for h in hooks)) if hooks else set()
    for const, kind in sorted(kind_names.items()):
        if kind not in templates:
            gaps.append(f"src/db/outbox.c: {const} is \"{kind}\", which has no templates/mail/{kind}.html")
        if kind not in composed:
            gaps.append(f"src/db/outbox.c: {const} (\"{kind}\") is composed by no outbox hook")
    reachable = set().union(*(closure(k) for k in kind_names.values())) if kind_names else set()
    for t in sorted(set(templates) - reachable):
        gaps.append(f"templates/mail/{t}.html is the template of no mail kind and included by none")
    verdict(report, "mail: every kind has a template and every mail template is used", gaps,
            f"{len(kind_names)} kinds, {len(templates)} templates")


def main():
    pages_folder = Folder("templates")
    templates, closure = pages_folder.tags, pages_folder.closure

    def uses(t):
        """Keys read while rendering page t (its partials and the layout around it)."""
        return pages_folder.keys(t) | pages_folder.keys("layout")

    wdir = os.path.join(ROOT, "src", "web")
    sources = sorted(os.path.join(d, name) for d, _, names in os.walk(wdir) for name in names if name.endswith(".c"))
    funcs = [f for path in sources for f in functions_of(path, templates)]
    by_name = {}
    for f in funcs:
        by_name.setdefault(f.name, []).append(f)

    def callees(f):
        for n in f.calls:
            same_file = [g for g in by_name.get(n, []) if g.file == f.file]
            yield from same_file or by_name.get(n, [])

    # down: what a function renders itself or through what it calls.
    down = {id(f): set(f.renders) for f in funcs}
    changed = True
    while changed:
        changed = False
        for f in funcs:
            for g in callees(f):
                if not down[id(g)] <= down[id(f)]:
                    down[id(f)] |= down[id(g)]
                    changed = True
    # pages: down, plus whatever its callers render (a helper fills its caller's dictionary).
    pages = {id(f): set(down[id(f)]) for f in funcs}
    changed = True
    while changed:
        changed = False
        for f in funcs:
            for g in callees(f):
                if not pages[id(f)] <= pages[id(g)]:
                    pages[id(g)] |= pages[id(f)]
                    changed = True

    failures = 0

    def report(ok, name, where=""):
        nonlocal failures
        if ok:
            print(f"ok - {name}")
        else:
            failures += 1
            print(f"not ok - {name}: {where}")

    # 1. set and never shown
    shown_nowhere = []
    for f in funcs:
        rendered = pages[id(f)]
        # Keys read back by code filling the same page (not merely the error pages everyone renders).
        own = rendered - COMMON
        read_back = set().union(*(g.reads for g in funcs if pages[id(g)] & own))
        used = read_back.union(*(uses(t) for t in rendered))
        for key, line in f.sets:
            if key not in used:
                names = sorted(rendered - COMMON) or sorted(rendered)
                shown = ", ".join(names) if len(names) <= 6 else f"{len(names)} templates"
                why = f"rendered into ({shown})" if rendered else "which renders no template"
                shown_nowhere.append(f"{f.file}:{line}: {f.name}() sets \"{key}\", used by no template it is "
                                     f"{why}")
    verdict(report, "every key a handler sets is shown by its template", shown_nowhere,
            f"{sum(len(f.sets) for f in funcs)} keys set")

    # 2. shown and never set (a partial counts for every page that includes it)
    never_set = []
    for t, tags in templates.items():
        including = [p for p in templates if t in closure(p)] + (list(templates) if t == "layout" else [])
        available = set()
        for f in funcs:
            if pages[id(f)] & set(including):
                available |= f.literals | {k for k, _ in f.sets}
        sections = {k for s, k, _ in tags if s in ("#", "^")}
        for s, key, line in tags:
            if s in ("", "&", "#", "^") and key != "." and key not in available and key not in sections - {key}:
                never_set.append(f"templates/{t}.html:{line}: {{{{{s}{key}}}}} is set by no handler that renders it")
    verdict(report, "every key a template shows is set by a handler", never_set)

    # 3. raw output only where intended
    problems, n = pages_folder.raw_problems(RAW, "the allow-list RAW")
    verdict(report, "{{& raw output appears only where it is allowed", problems, f"{n} place(s)")

    # 4. every template is used
    rendered_any = set().union(*(pages[id(f)] for f in funcs)) if funcs else set()
    reachable = set().union(*(closure(t) for t in rendered_any | {"layout"}))
    verdict(report, "every template is rendered by a handler or included",
            [f"templates/{t}.html is neither" for t in sorted(set(templates) - reachable)],
            f"{len(templates)} templates")

    mail_checks(report)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
