#!/usr/bin/env python3
"""Benchmark peer: packages a directory the way terraform-aws-modules/lambda's
package.py does in its zip step: os.walk (following links) with directories and
files sorted, a directory entry for each sub-directory, ZIP_DEFLATED at
zlib's default level, one fixed timestamp, modes from the files, each file
copied in 8 KiB chunks, written to OUT.tmp and renamed over OUT.

Standard library only; it is a peer for timing, not a packaging tool.

Usage: py_zipfile.py SRC_DIR OUT.zip
"""

import os
import shutil
import stat
import sys
import zipfile

FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def zinfo_for(path, arcname):
    st = os.stat(path)
    is_dir = stat.S_ISDIR(st.st_mode)
    zi = zipfile.ZipInfo(arcname + ("/" if is_dir else ""), FIXED_DATE)
    zi.external_attr = (st.st_mode & 0xFFFF) << 16
    if is_dir:
        zi.external_attr |= 0x10
    else:
        zi.file_size = st.st_size
        zi.compress_type = zipfile.ZIP_DEFLATED
    return zi


def build(src, out):
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for root, dirs, files in os.walk(src, followlinks=True):
            dirs.sort()
            files.sort()
            rel_root = os.path.relpath(root, src)
            if rel_root != ".":
                zi = zinfo_for(root, rel_root.replace(os.sep, "/"))
                zf.writestr(zi, b"")
            for name in files:
                path = os.path.join(root, name)
                arc = os.path.normpath(os.path.join(rel_root, name)).replace(os.sep, "/")
                zi = zinfo_for(path, arc)
                with open(path, "rb") as fsrc, zf.open(zi, "w") as fdst:
                    shutil.copyfileobj(fsrc, fdst, 8 * 1024)
    os.replace(tmp, out)


def main():
    if len(sys.argv) != 3:
        print("usage: py_zipfile.py SRC_DIR OUT.zip", file=sys.stderr)
        return 2
    build(sys.argv[1], sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
