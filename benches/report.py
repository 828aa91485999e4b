#!/usr/bin/env python3
"""The report of BENCHMARKS.md from one run: reads criterion's estimates of
`cargo bench --bench peers` (target/criterion/), times the reference
documents' own verification code in their languages (benches/seeds/: Node.js,
Python, Java, and Go when it can be installed from Debian), prints the
markdown tables of ratios, and draws benches/throughput.png (throughput
against body size, next to the bare MAC).

    cargo bench --bench peers && python3 benches/report.py

Installs matplotlib from PyPI and Go from Debian when missing."""

import json
import pathlib
import shutil
import subprocess
import sys

root = pathlib.Path("target/criterion")
here = pathlib.Path(__file__).parent
SIZES = [("64B", 64), ("1KiB", 1024), ("16KiB", 16384), ("64KiB", 65536), ("1MiB", 1 << 20)]
PROFILES = ["webhook-hex", "sha256-prefixed", "timestamp-newline", "hex-millis"]


def mean_ns(*parts):
    path = root.joinpath(*parts, "new", "estimates.json")
    return json.loads(path.read_text())["mean"]["point_estimate"]


def peers():
    rows = {}
    for label, size in SIZES:
        group = f"peers_{label}"
        entry = {"bare MAC": mean_ns(group, "bare_mac")}
        for profile in PROFILES:
            entry[f"ours ({profile})"] = mean_ns(group, "ours", profile)
        entry["standardwebhooks"] = mean_ns(group, "standardwebhooks")
        entry["webhook-verify (GitHub)"] = mean_ns(group, "webhook_verify_github")
        rows[label] = entry
    return rows


def seeds():
    """{language: {size: ns}} from each seed script that can run here."""
    if shutil.which("go") is None:
        subprocess.run("apt-get install -y -qq golang-go >/dev/null 2>&1", shell=True)
    commands = {
        "Node.js (seed 002)": ["node", str(here / "seeds/node.mjs")],
        "Python (seed 003)": [sys.executable, str(here / "seeds/python.py")],
        "Java (seed 004)": ["java", str(here / "seeds/SeedVerify.java")],
        "Go (seed 000)": ["go", "run", str(here / "seeds/go_verify.go")],
    }
    results = {}
    for language, command in commands.items():
        if shutil.which(command[0]) is None:
            print(f"({language}: {command[0]} not available, skipped)", file=sys.stderr)
            continue
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        results[language] = {int(size): float(ns) for _, size, ns in (line.split() for line in output.splitlines())}
    return results


def plot(rows):
    try:
        import matplotlib
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "matplotlib"], check=True)
        import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [size for _, size in SIZES]
    figure, axes = plt.subplots(figsize=(8, 5))
    for name in rows["1KiB"]:
        throughput = [size / rows[label][name] * 1e3 for label, size in SIZES]  # MB/s
        style = {"linewidth": 3, "color": "black"} if name == "bare MAC" else {}
        axes.plot(sizes, throughput, marker="o", label=name, **style)
    axes.set_xscale("log", base=2)
    axes.set_xticks(sizes, [label for label, _ in SIZES])
    axes.set_xlabel("body size")
    axes.set_ylabel("verifications × body size, MB/s")
    axes.set_title("HMAC-SHA256 webhook verification throughput (one core)")
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(here / "throughput.png", dpi=110)


def main():
    rows = peers()
    print("| body | implementation | ns | ratio to bare MAC | ours (webhook-hex) is faster by |")
    print("|---|---|---|---|---|")
    for label, entry in rows.items():
        bare, ours = entry["bare MAC"], entry["ours (webhook-hex)"]
        for name, ns in entry.items():
            faster = f"{ns / ours:.2f}×" if not name.startswith(("ours", "bare")) else ""
            print(f"| {label} | {name} | {ns:,.0f} | {ns / bare:.3f} | {faster} |")
    print()
    print("| profile | rejection | ratio to an acceptance |")
    print("|---|---|---|")
    for profile in PROFILES:
        group = f"rejections_1KiB_{profile}"
        accepted = mean_ns(group, "accepted")
        for case in ["bad_signature", "stale_timestamp", "malformed_header"]:
            print(f"| {profile} | {case} | {mean_ns(group, case) / accepted:.3f} |")
    print()
    same_profile = {
        "Node.js (seed 002)": "sha256-prefixed",
        "Python (seed 003)": "timestamp-newline",
        "Java (seed 004)": "hex-millis",
        "Go (seed 000)": "webhook-hex",
    }
    print("| reference code | body | its ns | ours (same profile) ns | ours is faster by |")
    print("|---|---|---|---|---|")
    for language, results in seeds().items():
        for size, ns in results.items():
            label = {1024: "1KiB", 16384: "16KiB"}[size]
            ours = rows[label][f"ours ({same_profile[language]})"]
            print(f"| {language} | {label} | {ns:,.0f} | {ours:,.0f} | {ns / ours:.2f}× |")
    plot(rows)
    print(f"\nplot: {here / 'throughput.png'}")


main()
