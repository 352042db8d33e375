#!/usr/bin/env python3
"""Prints the h1: hash Terraform records in .terraform.lock.hcl for a provider
zip, computed here independently of Terraform: the "Hash1" directory hash
(golang.org/x/mod/sumdb/dirhash) of the unpacked files, which is SHA-256 over
the lines "<hex sha256 of file>  <slash path>\\n", sorted by path, then base64.
Directories are not hashed; modes are not either.

usage: h1hash.py ZIP...
"""
import base64
import hashlib
import sys
import zipfile


def h1(path):
    lines = []
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.is_dir():
                continue
            digest = hashlib.sha256(z.read(info)).hexdigest()
            lines.append((info.filename, f"{digest}  {info.filename}\n"))
    lines.sort(key=lambda t: t[0])
    summary = "".join(line for _, line in lines).encode()
    return "h1:" + base64.b64encode(hashlib.sha256(summary).digest()).decode()


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(h1(arg))
