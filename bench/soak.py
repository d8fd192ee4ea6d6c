"""Soak: N consecutive reference deploy / re-plan / destroy cycles on two busy pytest-xdist
workers (the way `make test` runs), counting failures and what the emulator's transport
lost. Writes the "Soak" section of docs/benchmarks.md.

Usage: .venv/bin/python bench/soak.py [--cycles 20] [--workers 2]   (through
scripts/with-provider-mirror.sh on a machine without registry access; `make soak`)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Soak: reference cycles on two busy workers"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="eksguard-soak-")) / "cycles.jsonl"
    env = dict(os.environ, EKSGUARD_SOAK_CYCLES=str(args.cycles), EKSGUARD_SOAK_OUT=str(out))
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "bench/test_soak.py", "-n", str(args.workers),
                           "-p", "no:cacheprovider", "-q", "--eksguard-teardown=destroy"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    records = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    summary = re.findall(r"^=*\s*(\d+ (?:passed|failed|error).*?) in [\d.]+s", done.stdout, re.M)
    failed = [r for r in records if r["failed"]]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    seconds = sorted(r["seconds"] for r in records)
    lines = [
        SECTION, "",
        f"{date.today().isoformat()}, {commit}: `bench/soak.py --cycles {args.cycles} --workers {args.workers}`, "
        f"{len(records)} cycles recorded in {wall / 60:.1f} min on the 2-core machine (load average "
        f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end); pytest: "
        f"{summary[-1] if summary else 'no summary'}.", "",
        "| cycles | failed | requests | SDK retries | answers replayed (lost by the transport) "
        "| answers not delivered | cycle seconds (min / median / max) |",
        "|---|---|---|---|---|---|---|",
        f"| {len(records)} | {len(failed)} | {sum(r['requests'] for r in records)} "
        f"| {sum(r['retried_invocations'] for r in records)} | {sum(r['replayed'] for r in records)} "
        f"| {sum(r['not_delivered'] for r in records)} "
        f"| {seconds[0] if seconds else '-'} / {seconds[len(seconds) // 2] if seconds else '-'} "
        f"/ {seconds[-1] if seconds else '-'} |", "",
    ]
    retries = [line for r in records for line in r["retries"]]
    if retries:
        lines += ["Every SDK retry the journal saw (invocation, attempt, answer):", "", "```", *retries, "```", ""]
    _write_section("\n".join(lines))
    print("\n".join(lines))
    return 0 if done.returncode == 0 and not failed and len(records) == args.cycles else 1


def _write_section(text: str) -> None:
    doc = DOC.read_text()
    start = doc.find(SECTION)
    if start == -1:
        doc = doc.rstrip() + "\n\n" + text
    else:
        end = doc.find("\n## ", start + len(SECTION))
        doc = doc[:start] + text.rstrip() + "\n" + (doc[end:] if end != -1 else "")
    DOC.write_text(doc)


if __name__ == "__main__":
    sys.exit(main())
