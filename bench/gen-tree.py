#!/usr/bin/env python3
"""Generates a realistic, seeded Lambda source tree for the benchmarks.

The tree looks like what `pip install -t .` plus a function's own code gives:
vendored packages (Python source, __pycache__/*.pyc, *.dist-info/ with a
RECORD that lists real hashes, a few large native extension modules, some
incompressible data blobs) next to the handler package
course_request_handler/ and the function's shared/ package.

Same --seed and --profile give the same tree, byte for byte: everything is
drawn from one random.Random(seed), files are produced in a fixed order and no
set or hash-randomised iteration is involved. Only the standard library is
used. This generator must not depend on the Python version's marshal or
compile output (that would change the bytes across interpreters).

Usage: gen-tree.py --seed N --profile small|large OUT_DIR
Prints "files=<count> bytes=<total> largest=<bytes>" on stdout.
"""

import argparse
import base64
import hashlib
import os
import random
import sys

MIB = 1024 * 1024

# Sizes are chosen so that "small" is ~3,000 files / ~60 MB and "large" is
# ~15,000 files / ~250 MB. The largest file is capped at the same size in both
# profiles, so that a peak-RSS difference between them cannot come from a
# larger single file.
PROFILES = {
    "small": {
        "packages": 40,
        "native_modules": 6,
        "blobs": 4,
    },
    "large": {
        "packages": 200,
        "native_modules": 12,
        "blobs": 8,
    },
}
MAX_FILE = 8 * MIB

SYLLABLES = (
    "ab ac ad al am an ap ar as at ba be bo ca ce co cu da de di do du el em en "
    "er es ex fa fi fo ga ge go ha he ho id il im in io ir is it ka ke ko la le "
    "li lo lu ma me mi mo mu na ne no nu ob oc od ol om on op or os ot pa pe pi "
    "po pu ra re ri ro ru sa se si so su ta te ti to tu ul um un ur us va ve vi "
    "vo xa xe yo za ze zo"
).split()

STDLIB = (
    "os sys re json time typing logging functools itertools collections "
    "datetime base64 hashlib dataclasses enum pathlib struct threading io"
).split()

PY_OPS = ("+", "-", "*", "//", "%")
PY_CMP = ("==", "!=", "<", ">", "<=", ">=", "in", "not in")


class Gen:
    """All randomness goes through self.rng, in a fixed call order."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.words = self._make_words(600)

    # ---------------------------------------------------------------- names
    def _make_words(self, n):
        words = []
        seen = {}
        while len(words) < n:
            w = "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 4)))
            if w not in seen:
                seen[w] = True
                words.append(w)
        return words

    def word(self):
        return self.rng.choice(self.words)

    def ident(self, parts=None):
        k = parts or self.rng.choice((1, 2, 2, 3))
        return "_".join(self.word() for _ in range(k))

    def cls_name(self):
        return "".join(self.word().capitalize() for _ in range(self.rng.randint(1, 3)))

    def sentence(self, lo=5, hi=14):
        s = " ".join(self.word() for _ in range(self.rng.randint(lo, hi)))
        return s.capitalize() + "."

    def paragraph(self, width=72, indent=""):
        text = " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))
        lines, cur = [], indent
        for w in text.split(" "):
            if len(cur) + len(w) + 1 > width and cur.strip():
                lines.append(cur.rstrip())
                cur = indent
            cur += w + " "
        lines.append(cur.rstrip())
        return "\n".join(lines)

    # -------------------------------------------------------- python source
    def expr(self, names):
        r = self.rng.random()
        if r < 0.3:
            return self.rng.choice(names)
        if r < 0.45:
            return str(self.rng.randint(0, 4096))
        if r < 0.6:
            return '"%s"' % "-".join(self.word() for _ in range(self.rng.randint(1, 3)))
        if r < 0.75:
            return "%s %s %s" % (self.rng.choice(names), self.rng.choice(PY_OPS),
                                 self.rng.randint(1, 64))
        if r < 0.9:
            args = ", ".join(self.rng.choice(names) for _ in range(self.rng.randint(0, 3)))
            return "%s.%s(%s)" % (self.rng.choice(names), self.ident(), args)
        var = self.word()
        return "[%s.%s for %s in %s]" % (var, self.word(), var, self.rng.choice(names))

    def body(self, names, indent, depth=0):
        out = []
        for _ in range(self.rng.randint(2, 8)):
            r = self.rng.random()
            if r < 0.35 or depth >= 2:
                var = self.ident()
                out.append("%s%s = %s" % (indent, var, self.expr(names)))
                names = names + [var]
            elif r < 0.55:
                out.append("%sif %s %s %s:" % (indent, self.rng.choice(names),
                                                self.rng.choice(PY_CMP), self.expr(names)))
                out.extend(self.body(names, indent + "    ", depth + 1))
                if self.rng.random() < 0.4:
                    out.append("%selse:" % indent)
                    out.extend(self.body(names, indent + "    ", depth + 1))
            elif r < 0.7:
                var = self.word()
                out.append("%sfor %s in %s:" % (indent, var, self.rng.choice(names)))
                out.extend(self.body(names + [var], indent + "    ", depth + 1))
            elif r < 0.8:
                out.append("%stry:" % indent)
                out.extend(self.body(names, indent + "    ", depth + 1))
                out.append("%sexcept (KeyError, ValueError) as exc:" % indent)
                out.append('%s    logger.debug("%s: %%s", exc)' % (indent, self.sentence(2, 5)))
                out.append("%s    raise" % indent)
            elif r < 0.9:
                out.append("%s# %s" % (indent, self.sentence()))
            else:
                out.append("%s%s.%s(%s)" % (indent, self.rng.choice(names), self.ident(),
                                            self.expr(names)))
        out.append("%sreturn %s" % (indent, self.expr(names)))
        return out

    def function(self, indent="", method=False):
        name = self.ident()
        params = [self.ident(1) for _ in range(self.rng.randint(0, 4))]
        params = list(dict.fromkeys(params))
        sig = (["self"] if method else []) + params
        if self.rng.random() < 0.3:
            extra = self.ident(1)
            if extra not in params:
                sig.append("%s=None" % extra)
        lines = ["%sdef %s(%s):" % (indent, name, ", ".join(sig))]
        if self.rng.random() < 0.7:
            lines.append('%s    """%s' % (indent, self.sentence()))
            if self.rng.random() < 0.5:
                lines.append("")
                lines.append(self.paragraph(indent=indent + "    "))
            lines.append('%s    """' % indent)
        names = (["self"] if method else []) + (params or ["value"])
        if not params and not method:
            lines.append("%s    value = None" % indent)
        lines.extend(self.body(names, indent + "    "))
        return name, lines

    def klass(self):
        name = self.cls_name()
        base = self.rng.choice(("object", "Exception", "dict", "Base" + self.cls_name()))
        if base.startswith("Base"):
            base = "object"
        lines = ["class %s(%s):" % (name, base),
                 '    """%s' % self.sentence(), "", self.paragraph(indent="    "), '    """', ""]
        for _ in range(self.rng.randint(1, 3)):
            lines.append("    %s = %s" % (self.ident().upper(), self.expr(["None"])))
        for _ in range(self.rng.randint(1, 6)):
            lines.append("")
            _, f = self.function(indent="    ", method=True)
            lines.extend(f)
        return name, lines

    def py_module(self, siblings, target):
        """Python source of roughly `target` bytes; `siblings` are module names
        importable with `from . import x`."""
        lines = ['"""' + self.sentence(), "", self.paragraph(), '"""', "",
                 "from __future__ import annotations", ""]
        imports = ["logging"] + self.rng.sample(STDLIB, self.rng.randint(1, 5))
        for m in sorted(dict.fromkeys(imports)):
            lines.append("import %s" % m)
        lines.append("from typing import Any, Optional")
        if siblings:
            lines.append("")
            for s in sorted(self.rng.sample(siblings, min(len(siblings), self.rng.randint(0, 3)))):
                lines.append("from . import %s" % s)
        lines += ["", "logger = logging.getLogger(__name__)", ""]
        for _ in range(self.rng.randint(1, 4)):
            lines.append("%s = %s" % (self.ident().upper(), self.expr(["None"])))
        exported = []
        size = sum(len(x) + 1 for x in lines)
        while size < target:
            lines += ["", ""]
            if self.rng.random() < 0.35:
                name, block = self.klass()
            else:
                name, block = self.function()
            exported.append(name)
            lines += block
            size += sum(len(x) + 1 for x in block) + 2
        lines += ["", "", "__all__ = [%s]" % ", ".join('"%s"' % n for n in exported[:12]), ""]
        return "\n".join(lines).encode()

    # -------------------------------------------------------------- binaries
    def pyc(self, source):
        """A .pyc-looking file: CPython 3.11 header, then a marshal-like body made
        of a small per-file instruction vocabulary and the source's names.
        Semi-compressible, like real bytecode."""
        header = b"\xa7\x0d\x0d\x0a" + b"\0\0\0\0" + b"\0\0\0\0" + len(source).to_bytes(4, "little")
        alphabet = [self.rng.randrange(256) for _ in range(48)]
        snippets = [bytes(self.rng.choices(alphabet, k=self.rng.randint(4, 12))) for _ in range(96)]
        names = [w.encode() for w in source.split()[:400:3] if w.isidentifier()]
        parts = [header, b"\xe3"]
        target = len(source) * self.rng.randint(50, 90) // 100
        size = 0
        while size < target:
            if names and self.rng.random() < 0.3:
                n = self.rng.choice(names)[:255]
                chunk = b"\xda" + bytes([len(n)]) + n
            elif self.rng.random() < 0.15:
                chunk = self.rng.randbytes(self.rng.randint(2, 10))
            else:
                chunk = b"".join(self.rng.choices(snippets, k=4))
            parts.append(chunk)
            size += len(chunk)
        return b"".join(parts)

    def native(self, size, symbols):
        """An extension-module-looking binary: ELF header, a .text made of
        repeated and fresh machine-code-like bytes, a string table of symbols,
        and zero padding. Partially compressible."""
        out = [b"\x7fELF\x02\x01\x01\x00" + bytes(56)]
        pool = [self.rng.randbytes(16) for _ in range(1024)]
        total = 64
        strtab = b"\0".join(("PyInit_" + s if i == 0 else s).encode()
                            for i, s in enumerate(symbols)) + b"\0"
        text_end = size - len(strtab) - 4096
        while total < text_end:
            r = self.rng.random()
            if r < 0.7:
                chunk = b"".join(self.rng.choices(pool, k=64))
            elif r < 0.9:
                chunk = self.rng.randbytes(1024)
            else:
                chunk = bytes(self.rng.choice((16, 64, 256, 512)))
            chunk = chunk[: max(0, text_end - total)]
            out.append(chunk)
            total += len(chunk)
        out.append(strtab)
        total += len(strtab)
        out.append(bytes(max(0, size - total)))
        return b"".join(out)[:size]


class Tree:
    def __init__(self, root):
        self.root = root
        self.count = 0
        self.bytes = 0
        self.largest = 0

    def write(self, rel, data, mode=0o644):
        assert len(data) <= MAX_FILE, rel
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
        self.count += 1
        self.bytes += len(data)
        self.largest = max(self.largest, len(data))
        return data


def record_line(rel, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (rel, digest, len(data))


def py_size(g):
    """A skewed size distribution: many small modules, a few big ones."""
    r = g.rng.random()
    if r < 0.5:
        return g.rng.randint(300, 4000)
    if r < 0.9:
        return g.rng.randint(4000, 16000)
    return g.rng.randint(16000, 64000)


def gen_package(g, tree, name, native_sizes, blob_sizes):
    version = "%d.%d.%d" % (g.rng.randint(0, 9), g.rng.randint(0, 40), g.rng.randint(0, 20))
    records = []

    def add(rel, data, mode=0o644):
        tree.write(rel, data, mode)
        records.append(record_line(rel, data))

    # Sub-packages up to depth 3.
    dirs = [name]
    for _ in range(g.rng.randint(0, 6)):
        parent = g.rng.choice(dirs)
        if parent.count("/") < 2:
            dirs.append(parent + "/" + g.word())
    dirs = list(dict.fromkeys(dirs))
    n_modules = g.rng.randint(10, 80)
    per_dir = {d: [] for d in dirs}
    for _ in range(n_modules):
        per_dir[g.rng.choice(dirs)].append(g.ident(g.rng.choice((1, 1, 2))))
    for d in dirs:
        mods = sorted(dict.fromkeys(per_dir[d]))
        add(d + "/__init__.py", g.py_module(mods, g.rng.randint(0, 3000)))
        for m in mods:
            src = g.py_module([x for x in mods if x != m], py_size(g))
            add("%s/%s.py" % (d, m), src)
            if g.rng.random() < 0.35:
                add("%s/__pycache__/%s.cpython-311.pyc" % (d, m), g.pyc(src.decode()))
            if g.rng.random() < 0.05:
                add("%s/%s.pyi" % (d, m), g.py_module([], g.rng.randint(200, 3000)))
        if g.rng.random() < 0.2:
            data = ("\n".join("%s = %s" % (g.ident(), g.rng.randint(0, 10**6))
                              for _ in range(g.rng.randint(20, 400))) + "\n").encode()
            add("%s/%s.json" % (d, g.word()), data)
    add(name + "/py.typed", b"")
    for i, size in enumerate(native_sizes):
        symbols = [g.ident() for _ in range(g.rng.randint(200, 2000))]
        so = "%s/_%s%s.cpython-311-x86_64-linux-gnu.so" % (g.rng.choice(dirs), g.word(), i)
        add(so, g.native(size, symbols), 0o755)
    for i, size in enumerate(blob_sizes):
        ext = g.rng.choice((".bin", ".gz", ".npz", ".dat"))
        add("%s/data/%s%d%s" % (name, g.word(), i, ext), g.rng.randbytes(size))

    info = "%s-%s.dist-info" % (name, version)
    meta = ["Metadata-Version: 2.1", "Name: " + name, "Version: " + version,
            "Summary: " + g.sentence(), "Home-page: https://example.invalid/" + name,
            "License: Apache-2.0", "Requires-Python: >=3.8", ""]
    for _ in range(g.rng.randint(0, 6)):
        meta.append("Requires-Dist: %s (>=%d.%d)" % (g.word(), g.rng.randint(0, 5),
                                                   g.rng.randint(0, 30)))
    meta.append("")
    for _ in range(g.rng.randint(3, 30)):
        meta.append(g.paragraph())
        meta.append("")
    add(info + "/METADATA", "\n".join(meta).encode())
    add(info + "/WHEEL", ("Wheel-Version: 1.0\nGenerator: bdist_wheel (0.41.2)\n"
                          "Root-Is-Purelib: %s\nTag: py3-none-any\n\n"
                          % ("false" if native_sizes else "true")).encode())
    add(info + "/INSTALLER", b"pip\n")
    add(info + "/top_level.txt", (name + "\n").encode())
    if g.rng.random() < 0.6:
        add(info + "/LICENSE", ("\n\n".join(g.paragraph() for _ in range(12)) + "\n").encode())
    records.append(info + "/RECORD,,")
    records.sort()
    tree.write(info + "/RECORD", ("\n".join(records) + "\n").encode())


HANDLER = b'''"""Entry point of the course request function."""

import json
import logging

from shared.logic.courses import find_course
from shared.logic.enrollment import can_enroll

logger = logging.getLogger(__name__)


def lambda_handler(event, context):
    """Answers a course request: which course, and may the student enrol."""
    course_id = (event or {}).get("course_id", "C-101")
    student = (event or {}).get("student", "anonymous")
    course = find_course(course_id)
    ok = can_enroll(student, course)
    logger.info("course %s for %s: %s", course_id, student, ok)
    return {"statusCode": 200, "body": json.dumps({"course": course, "enrol": ok})}
'''

COURSES = b'''"""Course catalogue lookups."""

CATALOGUE = {
    "C-101": {"title": "Introduction to packaging", "seats": 30},
    "C-202": {"title": "Deterministic archives", "seats": 12},
}


def find_course(course_id):
    """Returns the course record, or a placeholder for an unknown id."""
    return CATALOGUE.get(course_id, {"title": "unknown", "seats": 0})
'''

ENROLLMENT = b'''"""Enrolment rules."""

from shared.logic import courses


def can_enroll(student, course):
    """A student may enrol when the course has seats left."""
    if not student:
        return False
    return course.get("seats", 0) > 0 and course is not courses.CATALOGUE.get("none")
'''


def generate(seed, profile, out):
    p = PROFILES[profile]
    g = Gen(seed)
    tree = Tree(out)

    # The function's own code.
    tree.write("course_request_handler/__init__.py", b"")
    tree.write("course_request_handler/handler.py", HANDLER)
    tree.write("shared/__init__.py", b"")
    tree.write("shared/logic/__init__.py", b'"""Business logic shared by the functions."""\n')
    tree.write("shared/logic/courses.py", COURSES)
    tree.write("shared/logic/enrollment.py", ENROLLMENT)
    util_mods = sorted(dict.fromkeys(g.ident(1) for _ in range(12)))
    tree.write("shared/util/__init__.py", b"")
    for m in util_mods:
        tree.write("shared/util/%s.py" % m, g.py_module(util_mods, py_size(g)))

    # Native modules and blobs are spread over the first packages.
    names = []
    while len(names) < p["packages"]:
        n = g.ident(g.rng.choice((1, 1, 2)))
        if n not in names and n not in ("shared", "course_request_handler"):
            names.append(n)
    natives = [[] for _ in names]
    for i in range(p["native_modules"]):
        # The first one is exactly MAX_FILE in every profile: same largest file.
        natives[i % len(names)].append(MAX_FILE if i == 0 else g.rng.randint(MIB, 4 * MIB))
    blobs = [[] for _ in names]
    for i in range(p["blobs"]):
        blobs[(i * 3 + 1) % len(names)].append(g.rng.randint(MIB // 2, 3 * MIB))
    for i, name in enumerate(names):
        gen_package(g, tree, name, natives[i], blobs[i])
    return tree


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--profile", choices=sorted(PROFILES), required=True)
    ap.add_argument("out_dir")
    args = ap.parse_args()
    if os.path.exists(args.out_dir) and os.listdir(args.out_dir):
        print("gen-tree: '%s' exists and is not empty" % args.out_dir, file=sys.stderr)
        return 2
    os.makedirs(args.out_dir, exist_ok=True)
    tree = generate(args.seed, args.profile, args.out_dir)
    print("files=%d bytes=%d largest=%d" % (tree.count, tree.bytes, tree.largest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
