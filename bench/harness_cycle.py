"""Benchmarks, each timed as a whole process, reported as ratios against a baseline run in
the same process tree:

1. synthesis: main.py (eksguard) against bench/raw_synth.py (raw bindings, same kinds);
2. the harness cycle on the reference stack with teardown=destroy and teardown=reset,
   against plain `terraform init/apply/destroy` of the same synthesized stack on a
   moto_server with eksguard's EKS extension — and where plain destroy spends its time;
3. what the EKS extension costs: the same harness cycles run, in the same round, on a git
   worktree of an earlier revision (``--before``, default 4edabdd: the last one without
   ``eksguard.testing.moto_eks``, which left 7 of the reference's resources out); and N
   DescribeCluster calls against moto with and without the extension
   (bench/describe_overhead.py).

Everything but the raw-bindings synth runs on the "after" tree: the working tree, or with
``--after REV`` a worktree of that revision — a fixed point when the working tree is being
edited while the benchmark runs.

Usage: .venv/bin/python bench/harness_cycle.py [--rounds N] [--before REV] [--after REV]
(results: docs/benchmarks.md)
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
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DEFAULT_BEFORE = "4edabdd"
DESCRIBE_CALLS = 200
DESCRIBE_PAIRS = 2
"""Processes per variant of the DescribeCluster measure, alternated: on a shared machine one
process pair says little."""
SERVER_START_TIMEOUT = 60.0
NOT_DEPLOYED = re.compile(r"^not deployed on \S+: (\S+)", re.M)


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


def wait_for_port(port: int, server: subprocess.Popen[bytes]) -> None:
    """The extension's server imports more than a bare moto_server: wait for it to listen
    rather than for a fixed time."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the moto server exited with {server.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the moto server did not listen on {port} within {SERVER_START_TIMEOUT:.0f} s")


def resource_count(stack_dir: Path) -> int:
    document = json.loads((stack_dir / "cdk.tf.json").read_text())
    return sum(len(blocks) for blocks in document.get("resource", {}).values())


@dataclass(frozen=True)
class Tree:
    """A source tree whose bench/test_cycle.py and main.py are run, with its own eksguard."""

    label: str
    root: Path
    env: dict[str, str]


def plain_terraform_cycle(tree: Tree, workdir: Path) -> dict[str, float | int | dict[str, float]]:
    """The README's by-hand procedure: moto_server with eksguard's EKS extension (a bare
    moto_server cannot create the reference's access entries, Pod Identity association or
    add-ons), override file, init/apply/destroy."""
    port = free_port()
    server = subprocess.Popen([PY, "-m", "eksguard.testing.moto_eks", str(port)], cwd=tree.root, env=tree.env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, server)
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
        apply, apply_log = timed(["terraform", "apply", "-auto-approve", "-input=false", "-no-color"], tf_env, workdir)
        destroy, log = timed(["terraform", "destroy", "-auto-approve", "-input=false", "-no-color"], tf_env, workdir)
        added = re.search(r"Resources: (\d+) added", apply_log)
        per_resource = {m.group(1): float(m.group(2)) for m in re.finditer(
            r"^(\S+): Destruction complete after (?:(\d+)s|\d+m\d+s)", log, re.M) if m.group(2)}
        slowest = dict(sorted(per_resource.items(), key=lambda kv: -kv[1])[:3])
        return {"init": init, "apply": apply, "destroy": destroy, "total": init + apply + destroy,
                "added": int(added.group(1)) if added else -1, "slowest_destroys": slowest}
    finally:
        server.terminate()
        server.wait()


def current_tree() -> Tree:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.strip()
    return Tree(f"the working tree at {head}{' with uncommitted changes' if dirty else ''}", ROOT, dict(os.environ))


@contextmanager
def worktree(revision: str, directory: Path) -> Iterator[Tree]:
    """``revision`` checked out in a detached worktree, run with its own ``src`` first on
    PYTHONPATH: the venv's editable install points at this checkout's ``src``."""
    subprocess.run(["git", "worktree", "add", "--detach", str(directory), revision], cwd=ROOT,
                   check=True, capture_output=True, text=True)
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=directory, capture_output=True,
                             text=True, check=True).stdout.strip()
        path = os.pathsep.join([str(directory / "src"), str(directory)]
                               + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))
        yield Tree(f"{revision}{'' if sha.startswith(revision) else f' ({sha})'}, from a git worktree", directory,
                   {**os.environ, "PYTHONPATH": path})
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(directory)], cwd=ROOT, check=False)


def imported_code(tree: Tree) -> dict[str, str | bool]:
    """Where eksguard and main come from under the tree's environment, and whether it has the
    EKS extension: proof that a worktree run really runs the worktree's code."""
    probe = ("import importlib.util, json, eksguard, main; print(json.dumps({"
             "'eksguard': eksguard.__file__, 'main': main.__file__, "
             "'moto_eks': importlib.util.find_spec('eksguard.testing.moto_eks') is not None}))")
    found = json.loads(timed([PY, "-c", probe], tree.env, tree.root)[1].strip().splitlines()[-1])
    for module in ("eksguard", "main"):
        if not Path(found[module]).resolve().is_relative_to(tree.root.resolve()):
            raise SystemExit(f"{tree.label}: {module} was imported from {found[module]}, outside {tree.root}")
    return found


def synth_count(tree: Tree) -> int:
    """Resources in the tree's reference stack, synthesized by its own main.py."""
    timed([PY, "main.py"], {**tree.env, "EKSGUARD_STACK_NAME": "bench-synth"}, tree.root)
    return resource_count(tree.root / "cdktf.out/stacks/bench-synth")


STEP = re.compile(r"step (\S+) ([\d.]+)")
"""A line of the harness's ``eksguard.testing.timing`` log: a step's name and wall seconds."""
HARNESS_STEPS: dict[str, list[dict[str, float]]] = {}
"""Per teardown mode, each round's harness steps (synth, every Terraform command, reset)."""


def harness_cycle(tree: Tree, mode: str, steps: bool = False) -> tuple[float, list[str]]:
    """The tree's own bench/test_cycle.py as one pytest process; returns its wall time and
    the resources the harness reported as left out. With ``steps``, the harness's timing log
    of that process (which older trees do not write) is kept in ``HARNESS_STEPS``."""
    command = [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "bench/test_cycle.py",
               f"--eksguard-teardown={mode}", "--rootdir", str(tree.root), "-c", str(tree.root / "pyproject.toml"),
               "-o", "log_cli=true", "--log-cli-level=INFO"]
    elapsed, output = timed(command, tree.env, tree.root)
    if steps:
        totals: dict[str, float] = {}
        for name, seconds in STEP.findall(output):
            totals[name] = totals.get(name, 0.0) + float(seconds)
        HARNESS_STEPS.setdefault(mode, []).append(totals)
    return elapsed, sorted(set(NOT_DEPLOYED.findall(output)))


def step_table(plain: dict[str, float | int | dict[str, float]], rounds: int) -> list[str]:
    """Where each harness cycle's time goes, step by step, beside plain Terraform's commands
    (the last round of each; medians would hide which step moved)."""
    rows = ["| step | plain Terraform, s | harness teardown=destroy, s | harness teardown=reset, s |",
            "|---|---|---|---|"]
    destroy, reset = (HARNESS_STEPS.get(m, [{}])[-1] for m in ("destroy", "reset"))
    names = ["synth", "terraform-init", "terraform-apply", "terraform-output", "terraform-plan", "terraform-show",
             "terraform-destroy", "emulator-reset"]
    plain_steps = {"terraform-init": plain.get("init"), "terraform-apply": plain.get("apply"),
                   "terraform-destroy": plain.get("destroy")}
    for name in [*names, *sorted((set(destroy) | set(reset)) - set(names))]:
        if name not in destroy and name not in reset and name not in plain_steps:
            continue
        cells = [plain_steps.get(name), destroy.get(name), reset.get(name)]
        rows.append(f"| {name} | " + " | ".join("—" if c is None else f"{float(c):.1f}" for c in cells) + " |")
    for label, steps_ in (("destroy", destroy), ("reset", reset)):
        rows.append("")
        rows.append(f"teardown={label}: the steps above sum to {sum(steps_.values()):.1f} s of the process; "
                    "the rest is pytest, imports and the embedded emulator starting.")
    return rows


def describe_overhead(tree: Tree, rounds: int) -> dict[str, float]:
    """This checkout's bench/describe_overhead.py, importing the tree's extension."""
    samples: dict[str, list[float]] = {"plain": [], "extension": []}
    for _ in range(rounds * DESCRIBE_PAIRS):
        for variant in samples:
            samples[variant].append(float(timed(
                [PY, str(ROOT / "bench/describe_overhead.py"), variant, str(DESCRIBE_CALLS)],
                tree.env, tree.root)[1].strip()))
    return {variant: statistics.median(values) for variant, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--before", default=DEFAULT_BEFORE,
                        help=f"revision whose harness cycle is the 'before' (default: {DEFAULT_BEFORE})")
    parser.add_argument("--after", default=None,
                        help="revision measured as the 'after' (default: the working tree)")
    arguments = parser.parse_args()
    rounds = arguments.rounds
    load_start = os.getloadavg()
    results: dict[str, list[float]] = {k: [] for k in (
        "raw_synth", "eksguard_synth", "plain_cycle", "harness_destroy", "harness_reset",
        "before_destroy", "before_reset")}
    destroy_breakdown: dict[str, float | int | dict[str, float]] = {}
    left_out: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as trees:
        before = trees.enter_context(worktree(arguments.before, Path(scratch) / "before"))
        after = (trees.enter_context(worktree(arguments.after, Path(scratch) / "after")) if arguments.after
                 else current_tree())
        imports = {"after": imported_code(after), "before": imported_code(before)}
        totals = {"before": synth_count(before)}
        for _ in range(rounds):
            raw_elapsed, _ = timed([PY, "bench/raw_synth.py", f"{scratch}/raw"])
            results["raw_synth"].append(raw_elapsed)
            env = {"EKSGUARD_STACK_NAME": "bench-synth"}
            results["eksguard_synth"].append(timed([PY, "main.py"], {**after.env, **env}, after.root)[0])
            stack = Path(scratch) / "plain"
            shutil.rmtree(stack, ignore_errors=True)
            shutil.copytree(after.root / "cdktf.out/stacks/bench-synth", stack)
            plain = plain_terraform_cycle(after, stack)
            results["plain_cycle"].append(float(plain["total"]))  # type: ignore[arg-type]
            destroy_breakdown = plain
            # after and before alternate, so drift in the machine's load hits both alike
            for mode in ("destroy", "reset"):
                for name, tree, key in (("after", after, f"harness_{mode}"), ("before", before, f"before_{mode}")):
                    elapsed, unserved = harness_cycle(tree, mode, steps=name == "after")
                    results[key].append(elapsed)
                    left_out[name] = unserved
        raw_count = resource_count(Path(scratch) / "raw/stacks/raw")
        totals["after"] = resource_count(after.root / "cdktf.out/stacks/bench-synth")
        describe = describe_overhead(after, rounds)
    load_end = os.getloadavg()
    median = {k: statistics.median(v) for k, v in results.items()}
    deployed = {name: f"{totals[name] - len(left_out[name])} of {totals[name]} ({len(left_out[name])} left out)"
                for name in ("before", "after")}
    lines = [
        f"# Benchmarks\n\nMeasured {date.today()} on a shared {os.cpu_count()}-core {platform.machine()} "
        f"machine (other engineers' jobs were running: load average {load_start[0]:.1f} at the start, "
        f"{load_end[0]:.1f} at the end), Python {platform.python_version()}, {rounds} round(s), medians of "
        "whole-process wall time. Regenerate with `make bench`; this file: "
        f"`bench/harness_cycle.py {' '.join(sys.argv[1:])}`; all but the \"before\" column measured on "
        f"{after.label}.\n",
        "| measurement | seconds | ratio to its baseline |", "|---|---|---|",
        f"| synth, raw bindings, {raw_count} resources (baseline) | {median['raw_synth']:.1f} | 1.00 |",
        f"| synth, eksguard reference app, {totals['after']} resources | {median['eksguard_synth']:.1f} | "
        f"{median['eksguard_synth'] / median['raw_synth']:.2f} |",
        f"| plain terraform init+apply+destroy on moto_server with the EKS extension, "
        f"{destroy_breakdown['added']} resources (baseline) | {median['plain_cycle']:.1f} | 1.00 |",
        f"| harness cycle, teardown=destroy (pytest process: synth, init, apply, assert, destroy) | "
        f"{median['harness_destroy']:.1f} | {median['harness_destroy'] / median['plain_cycle']:.2f} |",
        f"| harness cycle, teardown=reset | {median['harness_reset']:.1f} | "
        f"{median['harness_reset'] / median['plain_cycle']:.2f} |",
        "",
        "Where plain destroy spends its time (last round): "
        f"init {destroy_breakdown['init']:.1f} s, apply {destroy_breakdown['apply']:.1f} s, "
        f"destroy {destroy_breakdown['destroy']:.1f} s; slowest resources to destroy: "
        + ", ".join(f"`{k}` {v:.0f} s"
                    for k, v in destroy_breakdown["slowest_destroys"].items()) + ".",  # type: ignore[union-attr]
        "",
        "## Where the harness cycle's time goes\n",
        "From the harness's own log (`eksguard.testing.timing`: `step <name> <seconds>`, one line per "
        "synth, Terraform command and emulator reset) in the same processes as the table above; "
        "the plain column is the same round's plain cycle. Steps plain Terraform does not run are "
        "the harness's own: `terraform-validate` before apply, `terraform-output` after it, and a "
        "second plan where a test asks for one (`deployment.replan()`; this cycle does not). "
        "Destroy includes the AWS provider's random 0-60 s wait before DeleteCluster, so its two "
        "columns differ by chance as much as by cost.\n",
        *step_table(destroy_breakdown, rounds),
        "",
        "## What the EKS extension costs\n",
        "The same harness cycle in the same run, each side with its own eksguard, "
        "`bench/test_cycle.py` and `main.py` (checked: both imported from the side's tree). "
        f"Before: {before.label} (`eksguard.testing.moto_eks` importable: "
        f"{'yes' if imports['before']['moto_eks'] else 'no'}). After: {after.label} (importable: "
        f"{'yes' if imports['after']['moto_eks'] else 'no'}).\n",
        "| harness cycle | before, seconds | after, seconds | after / before |", "|---|---|---|---|",
        f"| resources deployed | {deployed['before']} | {deployed['after']} | |",
        f"| teardown=destroy | {median['before_destroy']:.1f} | {median['harness_destroy']:.1f} | "
        f"{median['harness_destroy'] / median['before_destroy']:.2f} |",
        f"| teardown=reset | {median['before_reset']:.1f} | {median['harness_reset']:.1f} | "
        f"{median['harness_reset'] / median['before_reset']:.2f} |",
        "",
        f"Left out before: {', '.join(f'`{a}`' for a in left_out['before']) or 'none'}.",
        "",
        f"Per request: {DESCRIBE_CALLS} DescribeCluster calls through boto3 against an in-process "
        f"ThreadedMotoServer take {describe['plain']:.2f} s without the extension and "
        f"{describe['extension']:.2f} s after `moto_eks.install()`: "
        f"{describe['extension'] / describe['plain']:.2f}× (medians of {rounds * DESCRIBE_PAIRS} "
        "process(es) per variant, alternated, each the median of five batches).",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    (ROOT / "docs" / "benchmarks.md").write_text(report + (ROOT / "bench" / "NOTES.md").read_text())


if __name__ == "__main__":
    main()
