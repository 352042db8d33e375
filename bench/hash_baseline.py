#!/usr/bin/env python3
"""Baseline for `lambdapack manifest`: read every file of a list once and
SHA-256 it (hashlib, i.e. OpenSSL), nothing else. With --threads N the files
are spread over N threads (reads and large hash updates release the GIL).

Usage: hash_baseline.py [--threads N] LIST0
LIST0 holds NUL-separated paths (bench/report.py lists). Prints one digest
per file, in list order, so the work cannot be skipped.
"""

import argparse
import hashlib
import sys
from concurrent.futures import ThreadPoolExecutor

CHUNK = 1 << 20


def digest(path):
    h = hashlib.sha256()
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as f:
        while True:
            n = f.readinto(buf)
            if not n:
                break
            h.update(view[:n])
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("list0")
    a = ap.parse_args()
    with open(a.list0, "rb") as f:
        paths = [p.decode() for p in f.read().split(b"\0") if p]
    if a.threads > 1:
        with ThreadPoolExecutor(max_workers=a.threads) as pool:
            digests = list(pool.map(digest, paths, chunksize=16))
    else:
        digests = [digest(p) for p in paths]
    sys.stdout.write("".join("%s  %s\n" % (d, p) for d, p in zip(digests, paths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
