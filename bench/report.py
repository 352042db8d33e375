#!/usr/bin/env python3
"""Helper of bench/run.sh: file lists, the results table, the JSON, the
file-set check and the memory check. It measures nothing itself (run.sh does
the timing with /usr/bin/time) and asserts nothing about speed: it only
computes ratios and prints whether the team's targets are met.

  report.py lists SRC_DIR OUT_DIR
      Writes OUT_DIR/all.list0 (every regular file, NUL-separated, sorted)
      and OUT_DIR/default.list0 (the same minus lambdapack's default excludes:
      __pycache__/, *.pyc, .git/, .DS_Store, .terraform/) and prints a JSON
      summary of the tree (file counts, bytes, largest file).

  report.py report --tools TOOLS.tsv --raw RAW.tsv --tree TREE.json
                   --profile P --seed S --runs N --json OUT.json
                   [--mem-raw RAW.tsv --mem-tree TREE.json --mem-profile P]
      Prints the table and the ratios, writes OUT.json. Exit status 1 when
      the outputs do not hold the same files, 0 otherwise.

TOOLS.tsv: name, kind, output path ("-" for none), command (tab-separated).
RAW.tsv:   name, run, wall, user, sys, maxrss_kib (space-separated).
"""

import argparse
import json
import os
import platform
import statistics
import sys
import zipfile

MIB = 1024 * 1024
DEFAULT_EXCLUDED_DIRS = ("__pycache__", ".git", ".terraform")

# Targets from the issue. Only reported, never asserted.
TARGET_SPEEDUP = 3.0  # full build vs the fastest peer
TARGET_SIZE = 1.0  # output size vs Info-ZIP zip -6
TARGET_MANIFEST = 2.0  # manifest vs read + SHA-256 of every file
# Memory check: per-entry metadata a build may keep (path, sizes, hashes,
# libzip's central directory entry), on top of the largest file.
PER_FILE_ALLOWANCE = 2048

LABELS = {
    "lambdapack_build": "lambdapack build (default excludes)",
    "lambdapack_build_all": "lambdapack build --no-default-excludes",
    "lambdapack_manifest": "lambdapack manifest (default excludes)",
    "lambdapack_manifest_all": "lambdapack manifest --no-default-excludes",
    "zip": "Info-ZIP zip -r -X (-6)",
    "py_zipfile": "Python zipfile (package.py)",
    "go_archive_zip": "Go archive/zip (archive_file)",
}


def default_excluded(rel):
    parts = rel.split("/")
    if any(p in DEFAULT_EXCLUDED_DIRS for p in parts[:-1]):
        return True
    return parts[-1].endswith(".pyc") or parts[-1] == ".DS_Store"


def cmd_lists(src, out_dir):
    entries = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            if os.path.isfile(path):
                rel = os.path.relpath(path, src).replace(os.sep, "/")
                entries.append((rel, os.path.abspath(path), os.path.getsize(path)))
    entries.sort()
    default = [e for e in entries if not default_excluded(e[0])]
    for fname, sel in (("all.list0", entries), ("default.list0", default)):
        with open(os.path.join(out_dir, fname), "wb") as f:
            f.write(b"".join(e[1].encode() + b"\0" for e in sel))
    info = {
        "files": len(entries),
        "bytes": sum(e[2] for e in entries),
        "largest_file_bytes": max((e[2] for e in entries), default=0),
        "default_set_files": len(default),
        "default_set_bytes": sum(e[2] for e in default),
    }
    print(json.dumps(info, sort_keys=True))
    return 0


# ------------------------------------------------------------------ report
def read_tools(path):
    tools = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            name, kind, output, command = line.split("\t", 3)
            tools.append({"name": name, "kind": kind,
                          "output": None if output == "-" else output, "command": command})
    return tools


def read_raw(path):
    runs = {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) != 6:
                continue
            runs.setdefault(p[0], []).append({
                "run": int(p[1]), "wall_s": float(p[2]), "user_s": float(p[3]),
                "sys_s": float(p[4]), "cpu_s": round(float(p[3]) + float(p[4]), 2),
                "maxrss_kib": int(p[5]),
            })
    return runs


def summarize(runs):
    """The median run by wall time (the lower middle one for an even count)
    gives wall, CPU and RSS; best and worst wall are kept too."""
    ordered = sorted(runs, key=lambda r: r["wall_s"])
    med = ordered[(len(ordered) - 1) // 2]
    return {
        "wall_s": med["wall_s"], "cpu_s": med["cpu_s"], "user_s": med["user_s"],
        "sys_s": med["sys_s"], "maxrss_kib": med["maxrss_kib"],
        "best_wall_s": ordered[0]["wall_s"], "worst_wall_s": ordered[-1]["wall_s"],
        "median_wall_s": statistics.median(r["wall_s"] for r in runs),
        "max_maxrss_kib": max(r["maxrss_kib"] for r in runs),
    }


def zip_files(path):
    """File entries only (directory entries are dropped): name -> (CRC, size)."""
    with zipfile.ZipFile(path) as z:
        return {i.filename: (i.CRC, i.file_size) for i in z.infolist() if not i.is_dir()}


def describe_diff(got, want, limit=5):
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    changed = sorted(n for n in set(got) & set(want) if got[n] != want[n])
    out = []
    for label, names in (("missing", missing), ("extra", extra), ("changed", changed)):
        if names:
            out.append("%d %s (%s%s)" % (len(names), label, ", ".join(names[:limit]),
                                         ", ..." if len(names) > limit else ""))
    return out


def fileset_check(tools):
    """Every output must hold the same files with the same CRC and size:
    the peers and `lambdapack build --no-default-excludes` all of the tree,
    the default `lambdapack build` the tree minus the default excludes."""
    outputs = {t["name"]: t["output"] for t in tools if t["output"] and os.path.exists(t["output"])}
    if "zip" not in outputs:
        return {"ok": False, "reference": None, "results": {}, "error": "no Info-ZIP output"}
    ref = zip_files(outputs["zip"])
    ref_default = {n: v for n, v in ref.items() if not default_excluded(n)}
    results = {}
    ok = True
    for name, path in sorted(outputs.items()):
        try:
            got = zip_files(path)
        except (zipfile.BadZipFile, OSError) as e:
            results[name] = {"ok": False, "files": 0, "compared_to": "-", "diff": [str(e)]}
            ok = False
            continue
        want, against = ((ref_default, "Info-ZIP minus default excludes")
                         if name == "lambdapack_build" else (ref, "Info-ZIP"))
        diff = describe_diff(got, want)
        results[name] = {"ok": not diff, "files": len(got), "compared_to": against, "diff": diff}
        ok = ok and not diff
    return {"ok": ok, "reference": "zip", "reference_files": len(ref),
            "reference_default_set_files": len(ref_default), "results": results}


def ratio(a, b):
    return round(a / b, 2) if a and b else None


def fmt_ratio(r):
    return "n/a" if r is None else "%.2fx" % r


def verdict(ok):
    return "met" if ok else "NOT met"


def machine_info(load_start):
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {"cpus": os.cpu_count(), "cpu_model": model, "kernel": platform.release(),
            "loadavg_at_start": load_start, "loadavg_at_report": load}


def cmd_report(a):
    tools = read_tools(a.tools)
    raw = read_raw(a.raw)
    with open(a.tree) as f:
        tree = json.load(f)
    by_name = {}
    for t in tools:
        if t["name"] not in raw:
            continue
        t["runs"] = raw[t["name"]]
        t.update(summarize(t["runs"]))
        t["output_bytes"] = (os.path.getsize(t["output"])
                             if t["output"] and os.path.exists(t["output"]) else None)
        by_name[t["name"]] = t

    print()
    print("profile %s (seed %d): %d files, %.1f MB, largest file %.1f MiB; "
          "default-excludes set: %d files, %.1f MB"
          % (a.profile, a.seed, tree["files"], tree["bytes"] / 1e6,
             tree["largest_file_bytes"] / MIB, tree["default_set_files"],
             tree["default_set_bytes"] / 1e6))
    print("median of %d runs (by wall time), warm page cache, %d CPUs, load average %s at "
          "start, %s at the end" % (a.runs, os.cpu_count() or 0, a.load_start or "?",
                                    " ".join("%.2f" % x for x in os.getloadavg())))
    busy = max([float(x) for x in (a.load_start or "0").split()[:1]] + [os.getloadavg()[0]])
    if busy > 0.5 * (os.cpu_count() or 1):
        print("warning: load average up to %.2f on %d CPUs: other processes compete for the "
              "CPUs, wall times are noisy (compare the CPU column, or rerun when idle)"
              % (busy, os.cpu_count() or 0))
    print()
    header = "%-46s %8s %8s %9s %12s" % ("tool", "wall s", "CPU s", "peak MiB", "output B")
    print(header)
    print("-" * len(header))
    for t in tools:
        if t["name"] not in by_name:
            continue
        label = LABELS.get(t["name"], t["name"])
        print("%-46s %8.2f %8.2f %9.1f %12s" % (
            label[:46], t["wall_s"], t["cpu_s"], t["maxrss_kib"] / 1024.0,
            "-" if t["output_bytes"] is None else str(t["output_bytes"])))

    peers = [by_name[n] for n in ("zip", "py_zipfile", "go_archive_zip") if n in by_name]
    fastest = min(peers, key=lambda t: t["wall_s"]) if peers else None
    ratios = {}
    targets = {}
    print()
    for bname in ("lambdapack_build_all", "lambdapack_build"):
        b = by_name.get(bname)
        if not b:
            continue
        same_set = bname == "lambdapack_build_all" or "lambdapack_build_all" not in by_name
        r = {"speedup_vs": {p["name"]: ratio(p["wall_s"], b["wall_s"]) for p in peers}}
        r["fastest_peer"] = fastest["name"] if fastest else None
        r["speedup_vs_fastest_peer"] = ratio(fastest["wall_s"], b["wall_s"]) if fastest else None
        r["cpu_ratio_vs_fastest_peer"] = ratio(fastest["cpu_s"], b["cpu_s"]) if fastest else None
        z = by_name.get("zip")
        r["size_vs_zip6"] = (round(b["output_bytes"] / z["output_bytes"], 4)
                             if z and b["output_bytes"] and z["output_bytes"] else None)
        r["same_file_set_as_peers"] = bname == "lambdapack_build_all"
        ratios[bname] = r
        print("%s:" % LABELS[bname])
        print("  speed-up (peer wall / lambdapack wall): %s" % ", ".join(
            "%s %s" % (LABELS[p["name"]].split(" (")[0], fmt_ratio(r["speedup_vs"][p["name"]]))
            for p in peers))
        if fastest:
            print("  vs fastest peer (%s): %s wall, %s CPU; target >= %.0fx: %s" % (
                LABELS[fastest["name"]], fmt_ratio(r["speedup_vs_fastest_peer"]),
                fmt_ratio(r["cpu_ratio_vs_fastest_peer"]), TARGET_SPEEDUP,
                verdict((r["speedup_vs_fastest_peer"] or 0) >= TARGET_SPEEDUP)))
        if r["size_vs_zip6"] is not None:
            note = "" if r["same_file_set_as_peers"] else \
                " (packs fewer files than zip: not a like-for-like size comparison)"
            print("  output size / zip -6 size: %.4f; target <= %.2f: %s%s" % (
                r["size_vs_zip6"], TARGET_SIZE, verdict(r["size_vs_zip6"] <= TARGET_SIZE), note))
        if same_set:
            targets["build_speedup_vs_fastest_peer"] = {
                "value": r["speedup_vs_fastest_peer"], "target": ">= %.1f" % TARGET_SPEEDUP,
                "met": (r["speedup_vs_fastest_peer"] or 0) >= TARGET_SPEEDUP, "row": bname}
            if r["size_vs_zip6"] is not None:
                targets["size_vs_zip6"] = {
                    "value": r["size_vs_zip6"], "target": "<= %.2f" % TARGET_SIZE,
                    "met": r["size_vs_zip6"] <= TARGET_SIZE, "row": bname}

    # The manifest against the fastest read + SHA-256 baseline over the same files.
    for mname, bkind in (("lambdapack_manifest_all", "baseline_all"),
                         ("lambdapack_manifest", "baseline_default")):
        m = by_name.get(mname)
        bases = [t for t in by_name.values() if t["kind"] == bkind]
        if not m or not bases:
            continue
        base = min(bases, key=lambda t: t["wall_s"])
        rv = ratio(m["wall_s"], base["wall_s"])
        ratios[mname] = {"fastest_baseline": base["name"], "baseline_command": base["command"],
                         "manifest_over_baseline": rv,
                         "baselines": {t["name"]: t["wall_s"] for t in bases}}
        print("%s: %s of the fastest read+SHA-256 baseline over the same files" % (
            LABELS[mname], fmt_ratio(rv)))
        print("  baseline: %s = %.2f s (%s); target <= %.0fx: %s" % (
            base["name"], base["wall_s"], base["command"], TARGET_MANIFEST,
            verdict(rv is not None and rv <= TARGET_MANIFEST)))
        if mname == "lambdapack_manifest" or "manifest_vs_read_sha256" not in targets:
            targets["manifest_vs_read_sha256"] = {
                "value": rv, "target": "<= %.1f" % TARGET_MANIFEST,
                "met": rv is not None and rv <= TARGET_MANIFEST, "row": mname,
                "baseline": base["name"]}

    # Same files in every output.
    fs = fileset_check(tools)
    print()
    print("file-set check (file entries, CRC and size, via Python zipfile; directory "
          "entries ignored):")
    for name, res in sorted(fs["results"].items()):
        print("  %-22s %-4s %5d files vs %s%s" % (
            name, "OK" if res["ok"] else "FAIL", res["files"], res["compared_to"],
            "" if res["ok"] else ": " + "; ".join(res["diff"])))
    if fs.get("error"):
        print("  " + fs["error"])

    mem = None
    if a.mem_raw and a.mem_tree and os.path.exists(a.mem_raw):
        mem = memory_check(a, by_name.get("lambdapack_build"), tree)

    result = {
        "profile": a.profile, "seed": a.seed, "runs": a.runs, "tree": tree,
        "machine": machine_info(a.load_start),
        "method": {
            "timer": "/usr/bin/time -f '%e %U %S %M' (wall, user, sys, peak RSS of the "
                     "largest process)",
            "statistic": "median run by wall time; CPU and RSS from that run",
            "cache": "warm: every file read twice before the first timed run; page cache "
                     "not dropped",
            "order": "tools interleaved round-robin in each run",
        },
        "tools": {t["name"]: {k: t[k] for k in t if k != "name"} for t in by_name.values()},
        "ratios": ratios, "targets": targets, "fileset_check": fs, "memory_check": mem,
    }
    with open(a.json, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")
    print()
    print("targets: " + "; ".join("%s %s (%s %s)" % (
        k, verdict(v["met"]), "n/a" if v["value"] is None else v["value"], v["target"])
        for k, v in sorted(targets.items())))
    print("results written to %s" % a.json)
    return 0 if fs["ok"] else 1


def memory_check(a, build, tree):
    raw = read_raw(a.mem_raw)
    with open(a.mem_tree) as f:
        other_tree = json.load(f)
    other = raw.get("lambdapack_build")
    if not build or not other:
        return None
    o = summarize(other)
    rows = [(a.profile, tree, build["maxrss_kib"], build["max_maxrss_kib"]),
            (a.mem_profile, other_tree, o["maxrss_kib"], o["max_maxrss_kib"])]
    rows.sort(key=lambda r: r[1]["bytes"])
    (p_small, t_small, rss_small, _), (p_large, t_large, rss_large, _) = rows
    growth_kib = rss_large - rss_small
    added = t_large["default_set_bytes"] - t_small["default_set_bytes"]
    added_files = t_large["default_set_files"] - t_small["default_set_files"]
    largest = max(t_small["largest_file_bytes"], t_large["largest_file_bytes"])
    # Entry metadata (paths, hashes, libzip's central directory) legitimately
    # grows with the file count; the file contents must not stay in memory.
    allowance = largest + PER_FILE_ALLOWANCE * max(added_files, 0)
    bounded = growth_kib * 1024 <= allowance
    print()
    print("memory check, lambdapack build peak RSS (median run):")
    for p, t, rss, rss_max in rows:
        print("  %-6s %6d files %8.1f MB  largest file %5.1f MiB  peak RSS %7.1f MiB "
              "(max over runs %.1f)" % (p, t["files"], t["bytes"] / 1e6,
                                         t["largest_file_bytes"] / MIB, rss / 1024.0,
                                         rss_max / 1024.0))
    print("  growth %+.1f MiB for %+.1f MiB / %+d files more packaged input (%.1f%% of the "
          "bytes, %.0f B per file)" % (
              growth_kib / 1024.0, added / MIB, added_files,
              100.0 * growth_kib * 1024 / added if added else 0,
              growth_kib * 1024.0 / added_files if added_files else 0))
    print("  allowance: largest file + %d B per added file = %.1f MiB: %s" % (
        PER_FILE_ALLOWANCE, allowance / MIB,
        "bounded (contents are not held in memory)" if bounded
        else "GROWS with the package size"))
    return {"profiles": {p: {"files": t["files"], "bytes": t["bytes"],
                             "largest_file_bytes": t["largest_file_bytes"],
                             "maxrss_kib": rss, "max_maxrss_kib": rss_max}
                         for p, t, rss, rss_max in rows},
            "other_profile_runs": other, "growth_kib": growth_kib,
            "added_input_bytes": added, "added_files": added_files,
            "allowance_bytes": allowance, "bounded": bounded}


def main():
    ap = argparse.ArgumentParser(description="helper of bench/run.sh")
    sub = ap.add_subparsers(dest="cmd", required=True)
    lp = sub.add_parser("lists")
    lp.add_argument("src")
    lp.add_argument("out_dir")
    rp = sub.add_parser("report")
    rp.add_argument("--tools", required=True)
    rp.add_argument("--raw", required=True)
    rp.add_argument("--tree", required=True)
    rp.add_argument("--profile", required=True)
    rp.add_argument("--seed", type=int, required=True)
    rp.add_argument("--runs", type=int, required=True)
    rp.add_argument("--json", required=True)
    rp.add_argument("--load-start", default="")
    rp.add_argument("--mem-raw")
    rp.add_argument("--mem-tree")
    rp.add_argument("--mem-profile")
    a = ap.parse_args()
    if a.cmd == "lists":
        return cmd_lists(a.src, a.out_dir)
    return cmd_report(a)


if __name__ == "__main__":
    sys.exit(main())
