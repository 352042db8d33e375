#!/usr/bin/env bash
# Fails when any C source or header of ours differs from what clang-format makes of it.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' | while read -r f; do
    [ -f "$f" ] && echo "$f"; done)
[ -n "$files" ] || { echo "check-format: no C files found" >&2; exit 1; }
# shellcheck disable=SC2086
clang-format --dry-run -Werror $files
echo "check-format: $(echo "$files" | wc -l) files formatted"
