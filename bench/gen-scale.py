#!/usr/bin/env python3
"""Generates a seeded tree of exactly N files for the scaling table.

Unlike gen-tree.py (a realistic vendored tree of a given size), this one holds
a fixed number of small files, so that the cost per file shows: the handler
package course_request_handler/ (handler.py), the shared/ package the handler
imports, and N - 3 small Python modules spread over packages of 100 files
each (pkgNNNN/modNN.py, 200 to 1,800 bytes of Python-like text). Same seed
and count give the same bytes.

Usage: gen-scale.py --seed S --files N OUT_DIR
Prints "files=<count> bytes=<total>" on stdout.
"""

import argparse
import os
import random

WORDS = (
    "course student enroll request handler shared logic find value items "
    "result total count index name title code limit offset page token event "
    "context record table query cache level "
).split()

HANDLER = b'''from shared.logic.courses import find_course


def lambda_handler(event, context):
    return {"statusCode": 200, "body": str(find_course(event.get("id")))}
'''
COURSES = b'''def find_course(course_id):
    return {"id": course_id}
'''


def module(rng):
    lines = []
    size = rng.randint(200, 1800)
    n = 0
    while n < size:
        a, b, c = rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS)
        line = "def %s_%s_%d(%s):\n    return %s + %d\n\n" % (
            a, b, rng.randint(0, 9999), c, c, rng.randint(0, 999))
        lines.append(line)
        n += len(line)
    return "".join(lines).encode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--files", type=int, required=True)
    ap.add_argument("out_dir")
    args = ap.parse_args()
    if args.files < 3:
        ap.error("--files must be at least 3")
    rng = random.Random(args.seed)
    total = 0

    def write(rel, data):
        nonlocal total
        path = os.path.join(args.out_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        total += len(data)

    write("course_request_handler/handler.py", HANDLER)
    write("shared/__init__.py", b"")
    write("shared/logic/courses.py", COURSES)
    for i in range(args.files - 3):
        write("pkg%04d/mod%02d.py" % (i // 100, i % 100), module(rng))
    print("files=%d bytes=%d" % (args.files, total))


if __name__ == "__main__":
    main()
