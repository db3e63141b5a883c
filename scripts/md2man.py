#!/usr/bin/env python3
"""Turn one of pvx's Markdown documents into a man page (roff with tbl
tables), for the Debian packages (make deb): docs/toolstack.md becomes
xl(1), docs/xlcfg.md xl.cfg(5).

    md2man.py --name xl --section 1 --summary "..." [--synopsis LINE]...
              [--date YYYY-MM-DD] [--version V] docs/toolstack.md OUT

The document's own title is dropped (NAME replaces it); its `##` headings
become sections, `###` subsections; paragraphs, lists, code blocks and
tables follow.  Only the Markdown this project writes is understood:
`code`, **bold**, *emphasis*, [links](...), pipe tables, - and 1. lists,
indented or fenced code blocks.
"""
import argparse
import re
import sys


def esc(text):
    """Escape roff's special characters in running text."""
    text = text.replace("\\", "\\e")
    return text


def inline(text):
    """Markdown inline markup to roff font changes; text is escaped."""
    out = []
    pos = 0
    # `code` spans first: their content is literal.
    for m in re.finditer(r"``? ?(.+?) ?``?", text):
        out.append(spans(text[pos:m.start()]))
        code = esc(m.group(1)).replace("-", "\\-")
        out.append("\\fB" + code + "\\fR")
        pos = m.end()
    out.append(spans(text[pos:]))
    return "".join(out)


def spans(text):
    text = esc(text)
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\\fB\1\\fR", text)
    text = re.sub(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])", r"\\fI\1\\fR", text)
    return text


def line_out(text):
    """A text line: a leading . or ' would be read as a request."""
    if text.startswith((".", "'")):
        return "\\&" + text
    return text


def table(rows):
    """Pipe-table rows (header first, separator already dropped) as tbl."""
    ncol = len(rows[0])
    lines = [".TS", "allbox tab(\t);", " ".join(["lbx"] * ncol), " ".join(["lx"] * ncol) + "."]
    for r in rows:
        r = (r + [""] * ncol)[:ncol]
        lines.append("\t".join("T{\n" + line_out(inline(c)) + "\nT}" for c in r))
    lines.append(".TE")
    return lines


def split_row(line):
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells = re.split(r"(?<!\\)\|", line)
    return [c.strip().replace("\\|", "|") for c in cells]


def convert(md, name, section, summary, synopsis, date, version):
    out = [f'.TH "{name.upper()}" "{section}" "{date}" "pvx {version}" "pvx"',
           ".ad l", ".SH NAME", f"{esc(name)} \\- {esc(summary)}"]
    if synopsis:
        out.append(".SH SYNOPSIS")
        for s in synopsis:
            out += [".PP", inline(s)]
    lines = md.splitlines()
    i = 0
    in_description = False
    para = []

    def flush():
        if para:
            out.append(".PP")
            out.extend(line_out(inline(p)) for p in para)
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if line.startswith("# "):
            flush()
            i += 1
            continue
        if line.startswith("## ") or line.startswith("### "):
            flush()
            title = line.lstrip("#").strip()
            if line.startswith("## "):
                out.append(".SH " + esc(title.upper()))
            else:
                out.append('.SS "' + esc(title) + '"')
            in_description = True
            i += 1
            continue
        if not in_description and stripped:
            out.append(".SH DESCRIPTION")
            in_description = True
        if stripped.startswith("```"):
            flush()
            i += 1
            block = []
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i])
                i += 1
            i += 1
            out += [".PP", ".RS 4", ".nf"] + [line_out(esc(b)) for b in block] + [".fi", ".RE"]
            continue
        if line.startswith("    ") and not para:
            flush()
            block = []
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                block.append(lines[i][4:])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            out += [".PP", ".RS 4", ".nf"] + [line_out(esc(b)) for b in block] + [".fi", ".RE"]
            continue
        if stripped.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                row = split_row(lines[i])
                if not all(re.fullmatch(r":?-+:?", c) for c in row):
                    rows.append(row)
                i += 1
            out += table(rows)
            continue
        m = re.match(r"^(\s*)(- |\d+\. )(.*)", line)
        if m:
            flush()
            depth = len(m.group(1)) // 2
            mark = "\\(bu" if m.group(2) == "- " else m.group(2).strip()
            item = [m.group(3)]
            i += 1
            # Continuation lines are indented deeper than the marker.
            while (i < len(lines) and lines[i].strip() and
                   not re.match(r"^\s*(- |\d+\. )", lines[i]) and
                   lines[i].startswith(" " * (len(m.group(1)) + 2))):
                item.append(lines[i].strip())
                i += 1
            if depth:
                out.append(".RS 4")
            out.append(f'.IP "{mark}" 4')
            out.extend(line_out(inline(t)) for t in item)
            if depth:
                out.append(".RE")
            continue
        if not stripped:
            flush()
            i += 1
            continue
        para.append(stripped)
        i += 1
    flush()
    return "'\\\" t\n" + "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--name", required=True)
    ap.add_argument("--section", required=True)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--synopsis", action="append", default=[])
    ap.add_argument("--date", default="")
    ap.add_argument("--version", default="")
    ap.add_argument("markdown")
    ap.add_argument("out")
    args = ap.parse_args()
    with open(args.markdown, encoding="utf-8") as f:
        md = f.read()
    page = convert(md, args.name, args.section, args.summary, args.synopsis, args.date,
                   args.version)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
