#!/usr/bin/env python3
"""Prints the ratios of one `cargo bench --bench verify` run from criterion's
estimates: each profile's whole verification against the bare MAC of the
same size (for a profile that signs more than the body, the bare MAC of
its signed bytes, `bare_mac_<profile>`), and each rejection against the acceptance of the same profile.
Reads target/criterion/; run from the repository root."""

import json
import pathlib

root = pathlib.Path("target/criterion")


def mean_ns(*parts):
    path = root.joinpath(*parts, "new", "estimates.json")
    return json.loads(path.read_text())["mean"]["point_estimate"]


print("| body | profile | ns | ratio to bare MAC |")
print("|---|---|---|---|")
for size in ["256B", "1KiB", "16KiB", "1MiB"]:
    group = f"verify_{size}"
    if not root.joinpath(group).exists():
        continue
    bare = mean_ns(group, "bare_mac")
    print(f"| {size} | bare MAC | {bare:.0f} | 1.000 |")
    for d in sorted(root.joinpath(group).iterdir()):
        if d.name.startswith("bare_mac") or d.name == "report":
            continue
        own = root.joinpath(group, f"bare_mac_{d.name}")
        baseline = mean_ns(group, own.name) if own.exists() else bare
        ns = mean_ns(group, d.name)
        print(f"| {size} | {d.name} | {ns:.0f} | {ns / baseline:.3f} |")

print()
print("| profile | case | ns | ratio to acceptance |")
print("|---|---|---|---|")
for d in sorted(root.glob("reject_1KiB_*")):
    accepted = mean_ns(d.name, "accepted")
    for case in ["accepted", "bad_signature", "stale_timestamp", "malformed_header"]:
        ns = mean_ns(d.name, case)
        print(f"| {d.name.removeprefix('reject_1KiB_')} | {case} | {ns:.0f} | {ns / accepted:.3f} |")
