"""Benchmarks, each timed as a whole process, reported as ratios against a baseline run in
the same process tree:

1. synthesis: main.py (eksguard) against bench/raw_synth.py (raw bindings, same kinds);
2. the harness cycle on the reference stack with teardown=destroy and teardown=reset,
   against plain `terraform init/apply/destroy` of the same synthesized stack on a moto
   server — and where plain destroy spends its time.

Usage: .venv/bin/python bench/harness_cycle.py [--rounds N]   (results: docs/benchmarks.md)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def timed(command: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return elapsed, done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def plain_terraform_cycle(workdir: Path) -> dict[str, float | dict[str, float]]:
    """The README's by-hand procedure: moto_server, override file, init/apply/destroy."""
    port = free_port()
    env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    server = subprocess.Popen([str(Path(PY).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)
        endpoint = f"http://127.0.0.1:{port}"
        (workdir / "cdk_override.tf.json").write_text(json.dumps({
            "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": ">= 5.0"}}},
            "provider": {"aws": {"access_key": "test", "secret_key": "test",
                                 "skip_credentials_validation": True, "skip_metadata_api_check": True,
                                 "endpoints": {s: endpoint for s in ("iam", "sts", "eks", "ec2", "kms", "logs")}}}}))
        tf_env = {**os.environ, "TF_IN_AUTOMATION": "1"}
        mirror = os.environ.get("EKSGUARD_PROVIDER_MIRROR")
        if mirror:
            (workdir / "mirror.tfrc").write_text(
                f'provider_installation {{\n  filesystem_mirror {{ path = "{mirror}" }}\n}}\n')
            tf_env["TF_CLI_CONFIG_FILE"] = str(workdir / "mirror.tfrc")
        init, _ = timed(["terraform", "init", "-input=false", "-no-color"], tf_env, workdir)
        apply, _ = timed(["terraform", "apply", "-auto-approve", "-input=false", "-no-color"], tf_env, workdir)
        destroy, log = timed(["terraform", "destroy", "-auto-approve", "-input=false", "-no-color"], tf_env, workdir)
        per_resource = {m.group(1): float(m.group(2)) for m in re.finditer(
            r"^(\S+): Destruction complete after (?:(\d+)s|\d+m\d+s)", log, re.M) if m.group(2)}
        slowest = dict(sorted(per_resource.items(), key=lambda kv: -kv[1])[:3])
        return {"init": init, "apply": apply, "destroy": destroy, "total": init + apply + destroy,
                "slowest_destroys": slowest}
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=1)
    rounds = parser.parse_args().rounds
    results: dict[str, list[float]] = {k: [] for k in ("raw_synth", "eksguard_synth", "plain_cycle",
                                                       "harness_destroy", "harness_reset")}
    destroy_breakdown = {}
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(rounds):
            results["raw_synth"].append(timed([PY, "bench/raw_synth.py", f"{scratch}/raw"])[0])
            env = {**os.environ, "EKSGUARD_STACK_NAME": "bench-synth"}
            results["eksguard_synth"].append(timed([PY, "main.py"], env, ROOT)[0])
            stack = Path(scratch) / "plain"
            shutil.rmtree(stack, ignore_errors=True)
            shutil.copytree(ROOT / "cdktf.out/stacks/bench-synth", stack)
            plain = plain_terraform_cycle(stack)
            results["plain_cycle"].append(float(plain["total"]))  # type: ignore[arg-type]
            destroy_breakdown = plain
            for mode in ("destroy", "reset"):
                command = [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "bench/test_cycle.py",
                           f"--eksguard-teardown={mode}", "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml")]
                results[f"harness_{mode}"].append(timed(command)[0])
    median = {k: statistics.median(v) for k, v in results.items()}
    lines = [
        f"# Benchmarks\n\nMeasured {date.today()} on {platform.machine()} / {os.cpu_count()} cores / "
        f"Python {platform.python_version()}, {rounds} round(s), medians of whole-process wall time. "
        "Regenerate with `make bench`.\n",
        "| measurement | seconds | ratio to its baseline |", "|---|---|---|",
        f"| synth, raw bindings (baseline) | {median['raw_synth']:.1f} | 1.00 |",
        f"| synth, eksguard reference app | {median['eksguard_synth']:.1f} | "
        f"{median['eksguard_synth'] / median['raw_synth']:.2f} |",
        f"| plain terraform init+apply+destroy on moto_server (baseline) | {median['plain_cycle']:.1f} | 1.00 |",
        f"| harness cycle, teardown=destroy (pytest process: synth, init, apply, assert, destroy) | "
        f"{median['harness_destroy']:.1f} | {median['harness_destroy'] / median['plain_cycle']:.2f} |",
        f"| harness cycle, teardown=reset | {median['harness_reset']:.1f} | "
        f"{median['harness_reset'] / median['plain_cycle']:.2f} |",
        "",
        "Where plain destroy spends its time (last round): "
        f"init {destroy_breakdown['init']:.1f} s, apply {destroy_breakdown['apply']:.1f} s, "
        f"destroy {destroy_breakdown['destroy']:.1f} s; slowest resources to destroy: "
        + ", ".join(f"`{k}` {v:.0f} s" for k, v in destroy_breakdown["slowest_destroys"].items()) + ".",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    (ROOT / "docs" / "benchmarks.md").write_text(report + (ROOT / "bench" / "NOTES.md").read_text())


if __name__ == "__main__":
    main()
