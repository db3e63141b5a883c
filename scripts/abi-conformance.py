#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Compare pvx's public ABI headers with Xen's, item by item.

Everything compared is discovered from the headers themselves:

  1. pvx's headers are preprocessed as one translation unit and parsed for
     struct/union/enum definitions, typedefs and enumerators; `gcc -dM`
     lists every macro they define.  Xen's headers (the same relative paths
     under --xen) are parsed the same way, so members that Xen has and pvx
     lacks are found too.
  2. For each side one C program is generated that prints a table of
     sizes, alignments, member offsets, member sizes, array element sizes,
     signedness, and constant values/types.  Items that do not compile on a
     side are removed (the compiler's error lines say which) and recorded as
     missing on that side.
  3. The two tables are diffed.  A mismatch fails the run, as does any name
     (type, member, constant, macro) that pvx defines and Xen's headers lack,
     unless tests/abi/allowlist.txt lists it with a reason.  pvx's own
     structures must also have no implicit padding.

Exit status: 0 when everything matches, 1 on any failure, 2 on usage or
environment errors.
"""
import argparse
import fnmatch
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Xen headers that pvx deliberately replaces with its own design; their Xen
# versions are tools-only and are not included on the Xen side.
XEN_SKIP = {"domctl.h", "sysctl.h"}
# pvx's explicit padding where Xen relies on implicit compiler padding.
PVX_PAD = re.compile(r"(^|\.)_pvx_pad\d*$")

CFLAGS = ["-std=gnu11", "-O0", "-w", "-fmax-errors=0", "-Werror=int-conversion",
          "-Werror=incompatible-pointer-types"]


def die(msg):
    print("abi-conformance: " + msg, file=sys.stderr)
    sys.exit(2)


# --------------------------------------------------------------------------
# A small parser for preprocessed C declarations.

TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>"(?:\\.|[^"\\])*")
  | (?P<chr>'(?:\\.|[^'\\])*')
  | (?P<num>\.?\d[\w.]*)
  | (?P<id>[A-Za-z_]\w*)
  | (?P<op>->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||\.\.\.|[{}()\[\];,:*=.&|^~!<>+\-/%?])
""", re.X)

QUALIFIERS = {"const", "volatile", "static", "extern", "inline", "__inline",
              "__inline__", "register", "restrict", "__restrict", "__restrict__",
              "__extension__", "signed", "unsigned", "short", "long", "int", "char",
              "void", "float", "double", "_Bool", "struct", "union", "enum"}


def tokenize(text):
    toks = []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        pos = 0
        while pos < len(line):
            m = TOKEN.match(line, pos)
            if not m:
                pos += 1
                continue
            pos = m.end()
            if m.lastgroup != "ws":
                toks.append(m.group())
    return strip_attributes(toks)


def strip_attributes(toks):
    out = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t in ("__attribute__", "__asm__", "__asm", "__declspec"):
            i += 1
            if i < len(toks) and toks[i] == "(":
                i = match(toks, i) + 1
            continue
        if t == "__extension__":
            i += 1
            continue
        out.append(t)
        i += 1
    return out


PAIRS = {"(": ")", "[": "]", "{": "}"}


def match(toks, i):
    """Index of the bracket closing toks[i]."""
    open_, close = toks[i], PAIRS[toks[i]]
    depth = 0
    for j in range(i, len(toks)):
        if toks[j] == open_:
            depth += 1
        elif toks[j] == close:
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("unbalanced " + open_)


def split_top(toks, sep):
    """Split a token list at `sep` outside brackets."""
    parts, cur, depth = [], [], 0
    for t in toks:
        if t in PAIRS:
            depth += 1
        elif t in (")", "]", "}"):
            depth -= 1
        if t == sep and depth == 0:
            parts.append(cur)
            cur = []
        else:
            cur.append(t)
    if cur:
        parts.append(cur)
    return parts


class Member:
    def __init__(self, path, is_array=False, flex=False, bitfield=False):
        self.path = path
        self.is_array = is_array
        self.flex = flex
        self.bitfield = bitfield


class Model:
    def __init__(self):
        self.types = {}        # key -> list of Member ("struct x", "union y", "z_t")
        self.typedefs = {}     # name -> is pointer typedef
        self.enum_consts = []  # names
        self.enum_tags = set()


def declarator_info(decl):
    """(name, is_array, flex, bitfield, is_pointer) of one declarator's tokens."""
    bitfield = ":" in decl
    if bitfield:
        decl = decl[:decl.index(":")]
    # function pointer: ( * name ) ( ... )
    for i, t in enumerate(decl):
        if t == "(" and i + 1 < len(decl) and decl[i + 1] == "*":
            inner = decl[i + 1:match(decl, i)]
            names = [x for x in inner if re.match(r"[A-Za-z_]\w*$", x)]
            return (names[-1] if names else None), False, False, bitfield, True
    name = None
    is_array = flex = False
    for i, t in enumerate(decl):
        if t == "[":
            is_array = True
            if decl[i + 1] == "]":
                flex = True
            break
        if re.match(r"[A-Za-z_]\w*$", t) and t not in QUALIFIERS:
            name = t
    return name, is_array, flex, bitfield, "*" in decl


def parse_record(toks, i, model):
    """toks[i] is struct/union/enum.  Returns (end index after body or tag,
    kind, tag, members or None)."""
    kind = toks[i]
    i += 1
    tag = None
    if i < len(toks) and re.match(r"[A-Za-z_]\w*$", toks[i]):
        tag = toks[i]
        i += 1
    if i >= len(toks) or toks[i] != "{":
        return i, kind, tag, None
    end = match(toks, i)
    body = toks[i + 1:end]
    if kind == "enum":
        if tag:
            model.enum_tags.add(tag)
        for part in split_top(body, ","):
            if part and re.match(r"[A-Za-z_]\w*$", part[0]):
                model.enum_consts.append(part[0])
        return end + 1, kind, tag, []
    members = []
    for decl in split_top(body, ";"):
        if not decl:
            continue
        members.extend(parse_member_decl(decl, model))
    if tag:
        model.types[kind + " " + tag] = members
    return end + 1, kind, tag, members


def parse_member_decl(decl, model):
    out = []
    # find a nested record definition
    for j, t in enumerate(decl):
        if t in ("struct", "union", "enum"):
            k = j + 1
            if k < len(decl) and re.match(r"[A-Za-z_]\w*$", decl[k]):
                k += 1
            if k < len(decl) and decl[k] == "{":
                nxt, kind, tag, inner = parse_record(decl, j, model)
                rest = decl[nxt:]
                if kind == "enum":
                    inner = None
                decls = split_top(rest, ",") if rest else []
                if not decls:
                    if inner:  # anonymous struct/union member
                        out.extend(inner)
                    return out
                for d in decls:
                    name, is_array, flex, bitf, _ = declarator_info(d)
                    if not name:
                        continue
                    out.append(Member(name, is_array, flex, bitf))
                    if inner:
                        prefix = name + ("[0]" if is_array else "")
                        for m in inner:
                            out.append(Member(prefix + "." + m.path, m.is_array, m.flex,
                                              m.bitfield))
                return out
            break
    parts = split_top(decl, ",")
    first = parts[0]
    name, is_array, flex, bitf, _ = declarator_info(first)
    if name:
        out.append(Member(name, is_array, flex, bitf))
    for d in parts[1:]:
        name, is_array, flex, bitf, _ = declarator_info(d)
        if name:
            out.append(Member(name, is_array, flex, bitf))
    return out


def parse_tu(text):
    toks = tokenize(text)
    model = Model()
    i = 0
    stmt = []
    while i < len(toks):
        t = toks[i]
        if t in ("struct", "union", "enum"):
            nxt, kind, tag, members = parse_record(toks, i, model)
            stmt.append(("REC", kind, tag, members))
            i = nxt
            continue
        if t == "{":  # function body (or initializer): skip it
            end = match(toks, i)
            is_init = stmt and stmt[-1] == "="
            i = end + 1
            if not is_init:
                finish_stmt(stmt, model)
                stmt = []
            continue
        if t == ";":
            finish_stmt(stmt, model)
            stmt = []
            i += 1
            continue
        stmt.append(t)
        i += 1
    return model


def finish_stmt(stmt, model):
    if not stmt or stmt[0] != "typedef":
        return
    rec = None
    rest = []
    for x in stmt[1:]:
        if isinstance(x, tuple):
            rec = x
            rest = []
        else:
            rest.append(x)
    if rec is None:
        # typedef of a scalar/array/pointer/function: the declarators follow the specifiers
        decls = split_top(rest, ",")
        if not decls:
            return
        name, _, _, _, ptr = declarator_info(decls[0])
        if name and not ("(" in decls[0] and not ptr):
            model.typedefs[name] = ptr
        return
    _, kind, tag, members = rec
    for d in split_top(rest, ","):
        name, is_array, _, _, ptr = declarator_info(d)
        if not name:
            continue
        model.typedefs[name] = ptr
        if tag is None and members is not None and not ptr and not is_array \
                and kind != "enum":
            model.types[name] = members


# --------------------------------------------------------------------------
# Running the compiler.

def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def preprocess(src, incdir, extra, build, name):
    path = os.path.join(build, name + "-tu.c")
    with open(path, "w") as f:
        f.write(src)
    r = run(["gcc", "-E", "-P"] + CFLAGS + extra + ["-iquote", incdir, path])
    if r.returncode:
        sys.stderr.write(r.stderr)
        die("cannot preprocess %s headers" % name)
    d = run(["gcc", "-E", "-dM"] + CFLAGS + extra + ["-iquote", incdir, path])
    return r.stdout, d.stdout


def macro_table(dm_text):
    """name -> (function-like?, value text)."""
    out = {}
    for line in dm_text.splitlines():
        m = re.match(r"#define ([A-Za-z_]\w*)(\(([^)]*)\))?(?: (.*))?$", line)
        if m:
            out[m.group(1)] = (m.group(2) is not None, (m.group(4) or "").strip())
    return out


def compile_table(header_src, items, incdir, extra, build, name):
    """items: list of (key, kind, C expression(s)).  Returns ({key: value},
    {key: error}).  Items that do not compile are removed one round at a time."""
    live = list(items)
    failed = {}
    for _round in range(8):
        lines = [header_src, "#include <stdio.h>", "#include <stddef.h>",
                 "static const char *pvx_s(const char *s) { return s; }",
                 "int main(void)", "{"]
        first = len("\n".join(lines).splitlines()) + 1
        for key, kind, expr in live:
            lines.append('    printf("%%s\\t%s\\n", "%s", %s);' % (FMT[kind], cstr(key), expr))
        lines += ["    return 0;", "}", ""]
        src = "\n".join(lines)
        cpath = os.path.join(build, name + "-table.c")
        exe = os.path.join(build, name + "-table")
        with open(cpath, "w") as f:
            f.write(src)
        r = run(["gcc"] + CFLAGS + extra + ["-iquote", incdir, cpath, "-o", exe])
        if r.returncode == 0:
            break
        bad = {}
        # An error inside a macro expansion is reported at the header line;
        # the table line follows in a "note: in expansion of macro" line.
        pat = re.compile(re.escape(os.path.basename(cpath)) + r":(\d+):\d+: ")
        pending = None
        for line in r.stderr.splitlines():
            if ": error: " in line:
                pending = line.split(": error: ", 1)[1]
            if pending is None:
                continue
            m = pat.search(line)
            if m:
                idx = int(m.group(1)) - first
                if 0 <= idx < len(live):
                    bad.setdefault(idx, pending)
                    pending = None
        if not bad:
            sys.stderr.write(r.stderr[-4000:])
            die("%s table does not compile for reasons outside the items" % name)
        for idx, err in bad.items():
            failed[live[idx][0]] = err
        live = [it for k, it in enumerate(live) if k not in bad]
    else:
        die("%s table still fails after several rounds" % name)
    out = run([exe])
    if out.returncode:
        die("%s table program failed" % name)
    values = {}
    for line in out.stdout.splitlines():
        key, _, val = line.partition("\t")
        values[key] = val
    return values, failed


FMT = {"int": "%llu", "str": "[%s]"}


def cstr(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


# --------------------------------------------------------------------------

def gen_items(pvx_model, pvx_macros, xen_model):
    """The list of (key, kind, expr, category) to evaluate on both sides."""
    items = []

    def add_num(key, expr, cat):
        items.append((key, "int", "(unsigned long long)(%s)" % expr, cat))

    for tkey in sorted(pvx_model.types):
        members = pvx_model.types[tkey]
        t = tkey  # a type name usable in C: "struct x", "union y" or a typedef
        add_num(tkey + " :size", "sizeof(%s)" % t, "layout")
        add_num(tkey + " :align", "__alignof__(%s)" % t, "layout")
        own = {m.path for m in members}
        seen = set()
        # pvx's members, then Xen's members that pvx lacks (reported later)
        for m in members + [x for x in xen_model.types.get(tkey, []) if x.path not in own]:
            if m.path in seen or m.bitfield:
                continue
            seen.add(m.path)
            acc = "((%s *)0)->%s" % (t, m.path)
            add_num("%s::%s :offset" % (tkey, m.path), "offsetof(%s, %s)" % (t, m.path),
                    "member")
            if not m.flex:
                add_num("%s::%s :size" % (tkey, m.path), "sizeof(%s)" % acc, "layout")
            if m.is_array and not m.flex:
                add_num("%s::%s :elem" % (tkey, m.path), "sizeof((%s)[0])" % acc, "layout")
            if not m.is_array:
                add_num("%s::%s :signed" % (tkey, m.path),
                        "((__typeof__(%s))-1 < (__typeof__(%s))0)" % (acc, acc), "optional")
    for name in sorted(pvx_model.typedefs):
        key = "typedef " + name
        add_num(key + " :size", "sizeof(%s)" % name, "type")
        add_num(key + " :signed", "((%s)-1 < (%s)0)" % (name, name), "optional")
    for tag in sorted(pvx_model.enum_tags):
        add_num("enum %s :size" % tag, "sizeof(enum %s)" % tag, "type")
    consts = set(pvx_model.enum_consts)
    for name, (fn, val) in sorted(pvx_macros.items()):
        if fn or not val:
            continue
        consts.add(name)
    for name in sorted(consts):
        val = pvx_macros.get(name, (False, ""))[1]
        if has_string(name, pvx_macros, 0):
            items.append((name + " :value", "str", "pvx_s(%s)" % name, "const-value"))
        else:
            add_num(name + " :value", name, "const-value")
            add_num(name + " :type", "sizeof(%s) * 2 + ((%s) - (%s) - 1 < 0)" % (name, name, name),
                    "optional")
    return items


def describe(key, val):
    """Human-readable form of a table value."""
    if key.endswith(" :type") and val.isdigit():
        n = int(val)
        return "%s %d-byte" % ("signed" if n & 1 else "unsigned", n // 2)
    if key.endswith(" :signed") and val in ("0", "1"):
        return "signed" if val == "1" else "unsigned"
    return val


def has_string(name, macros, depth):
    """Whether an object-like macro expands to something with a string literal."""
    fn, val = macros.get(name, (True, ""))
    if fn or depth > 16:
        return False
    if '"' in val:
        return True
    return any(has_string(t, macros, depth + 1) for t in re.findall(r"[A-Za-z_]\w*", val))


def load_allowlist(path):
    entries = []
    if not os.path.exists(path):
        return entries
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"(.*?)\s*\|\s*(\S.*)$", line)
            if not m:
                die("%s:%d: entry without a reason: %s" % (path, n, line))
            entries.append([m.group(1), m.group(2), 0])
    return entries


def allowed(name, allow):
    for e in allow:
        if fnmatch.fnmatchcase(name, e[0]):
            e[2] += 1
            return True
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pvx", default=os.path.join(ROOT, "include", "public"))
    ap.add_argument("--xen", default="/usr/include/xen")
    ap.add_argument("--allowlist", default=os.path.join(ROOT, "tests", "abi", "allowlist.txt"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "abi"))
    ap.add_argument("--xen-interface", default="0x00040e00",
                    help="__XEN_INTERFACE_VERSION__ for Xen's side (Debian 4.17's default)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    pvx_dir = os.path.abspath(args.pvx)
    xen_dir = os.path.abspath(args.xen)
    if not os.path.isfile(os.path.join(xen_dir, "xen.h")):
        die("Xen's public headers not found at %s (install libxen-dev)" % xen_dir)
    os.makedirs(args.build, exist_ok=True)

    headers = []
    for dirpath, _, files in os.walk(pvx_dir):
        for fn in files:
            if fn.endswith(".h"):
                headers.append(os.path.relpath(os.path.join(dirpath, fn), pvx_dir))
    headers.sort(key=lambda h: (h != "xen.h", h))
    xen_headers = [h for h in headers
                   if h not in XEN_SKIP and os.path.isfile(os.path.join(xen_dir, h))]

    pre = "#include <errno.h>\n#include <stdint.h>\n#include <stddef.h>\n"
    pvx_src = pre + "".join('#include "%s"\n' % h for h in headers)
    xen_src = pre + "".join('#include "%s"\n' % h for h in xen_headers)
    xen_extra = ["-D__XEN_INTERFACE_VERSION__=%s" % args.xen_interface]

    pvx_pp, pvx_dm = preprocess(pvx_src, pvx_dir, [], args.build, "pvx")
    xen_pp, _ = preprocess(xen_src, xen_dir, xen_extra, args.build, "xen")
    base_pp, base_dm = preprocess(pre, pvx_dir, [], args.build, "base")
    base = macro_table(base_dm)
    pvx_macros = {k: v for k, v in macro_table(pvx_dm).items() if k not in base}

    # Definitions from the C library headers included first are not compared.
    base_model = parse_tu(base_pp)
    pvx_model = parse_tu(pvx_pp)
    xen_model = parse_tu(xen_pp)
    for model in (pvx_model, xen_model):
        for k in set(model.types) & set(base_model.types):
            del model.types[k]
        for k in set(model.typedefs) & set(base_model.typedefs):
            del model.typedefs[k]
        model.enum_consts = [c for c in model.enum_consts if c not in base_model.enum_consts]
        model.enum_tags -= base_model.enum_tags

    items = gen_items(pvx_model, pvx_macros, xen_model)
    table_items = [(k, kind, e) for k, kind, e, _ in items]
    pvx_vals, pvx_fail = compile_table(pvx_src, table_items, pvx_dir, [], args.build, "pvx")
    xen_vals, xen_fail = compile_table(xen_src, table_items, xen_dir, xen_extra, args.build,
                                       "xen")

    allow = load_allowlist(args.allowlist)
    problems = []
    checked = 0
    only_pvx = 0
    pvx_member_paths = {t: {m.path for m in ms} for t, ms in pvx_model.types.items()}
    stats = {"layout": 0, "member": 0, "type": 0, "const": 0, "macro": 0, "padding": 0}

    def name_of(key):
        return key.rsplit(" :", 1)[0]

    reported_missing = set()
    for key, kind, expr, cat in items:
        name = name_of(key)
        in_pvx = key in pvx_vals
        in_xen = key in xen_vals
        if not in_pvx:
            if cat in ("optional",):
                continue
            if cat == "fnmacro":
                continue
            if "::" in name:
                tkey, path = name.split("::", 1)
                if path not in pvx_member_paths.get(tkey, ()):
                    # a member only Xen has
                    if in_xen and not allowed(name, allow) and name not in reported_missing:
                        reported_missing.add(name)
                        problems.append("%s: Xen has this member, pvx does not" % name)
                    if in_xen:
                        checked += 1
                    continue
            if cat == "const-value":
                continue  # a macro that is not a value (type alias, attribute...)
            problems.append("%s: does not compile against pvx's headers: %s"
                            % (key, pvx_fail.get(key, "?")))
            continue
        if cat == "fnmacro":
            continue
        if not in_xen:
            if cat == "optional":
                continue
            if "::" in name and PVX_PAD.search(name.split("::", 1)[1]):
                continue
            if name in reported_missing:
                continue
            reported_missing.add(name)
            if allowed(name, allow) or allowed(key, allow):
                only_pvx += 1
                continue
            problems.append("%s: pvx defines it, Xen's headers do not (%s)"
                            % (name, xen_fail.get(key, "not evaluated")))
            continue
        checked += 1
        s = "member" if ":offset" in key else ("const" if cat.startswith("const") else
                                                 ("type" if cat in ("type", "optional")
                                                  else "layout"))
        stats[s] += 1
        if pvx_vals[key] != xen_vals[key]:
            problems.append("%s: pvx %s, Xen %s" % (key, describe(key, pvx_vals[key]),
                                                    describe(key, xen_vals[key])))
        elif args.verbose:
            print("ok   %s = %s" % (key, pvx_vals[key]))

    # function-like macros: the name must exist on Xen's side
    xen_pp_dm = run(["gcc", "-E", "-dM"] + CFLAGS + xen_extra +
                    ["-iquote", xen_dir, os.path.join(args.build, "xen-tu.c")]).stdout
    xen_macros = macro_table(xen_pp_dm)
    for name, (fn, val) in sorted(pvx_macros.items()):
        if not fn and (name + " :value") in pvx_vals:
            continue  # a constant: its value was compared above
        # function-like macros, and object-like ones that are not values
        # (type aliases, member aliases, empty markers): the name must exist
        if name in xen_macros:
            checked += 1
            stats["macro"] += 1
        elif re.match(r"PVX_PUBLIC_.*_H$", name) or allowed(name, allow):
            only_pvx += 1
        else:
            problems.append("%s: pvx defines this macro, Xen's headers do not" % name)

    # pvx's own structures have no implicit padding: members cover every byte
    for tkey, members in sorted(pvx_model.types.items()):
        size = int(pvx_vals.get(tkey + " :size", "0"))
        spans = []
        for m in members:
            off = pvx_vals.get("%s::%s :offset" % (tkey, m.path))
            sz = pvx_vals.get("%s::%s :size" % (tkey, m.path))
            if off is None:
                continue
            spans.append((int(off), int(off) + (int(sz) if sz is not None else 0)))
        covered = 0
        holes = []
        for a, b in sorted(spans):
            if a > covered:
                holes.append((covered, a))
            covered = max(covered, b)
        if covered < size:
            holes.append((covered, size))
        checked += 1
        stats["padding"] += 1
        if holes and not allowed(tkey + " :padding", allow):
            problems.append("%s: implicit padding at %s (add explicit pad fields)"
                            % (tkey, ", ".join("%d..%d" % h for h in holes)))

    unused = [e for e in allow if e[2] == 0]
    for e in unused:
        print("note: allow-list entry matched nothing: %s" % e[0])

    xen_types_only = sorted(set(xen_model.types) - set(pvx_model.types))
    print("abi-conformance: pvx %d headers, Xen %d headers (__XEN_INTERFACE_VERSION__=%s)"
          % (len(headers), len(xen_headers), args.xen_interface))
    print("abi-conformance: %d items checked (%s)"
          % (checked, ", ".join("%s %d" % kv for kv in sorted(stats.items()))))
    print("abi-conformance: %d pvx-only names allowed by %s; %d Xen types pvx does not define"
          % (only_pvx, os.path.relpath(args.allowlist, ROOT), len(xen_types_only)))
    if args.verbose and xen_types_only:
        print("abi-conformance: Xen types not in pvx: " + ", ".join(xen_types_only))
    if problems:
        for p in problems:
            print("MISMATCH " + p)
        print("abi-conformance: FAILED, %d problem(s)" % len(problems))
        return 1
    print("abi-conformance: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
