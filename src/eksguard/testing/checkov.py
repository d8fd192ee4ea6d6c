"""Scan a synthesized stack with checkov, as an assertion.

checkov's default ``terraform`` framework skips ``cdk.tf.json``; this runs its
``terraform_json`` framework on the stack file and reads the JSON report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from eksguard.errors import EksguardError
from eksguard.testing.synth import STACK_FILE, SynthesizedStack


@dataclass(frozen=True)
class CheckovFailure:
    check_id: str
    resource: str
    name: str

    def __str__(self) -> str:
        return f"{self.check_id} {self.resource}: {self.name}"


@dataclass(frozen=True)
class CheckovReport:
    passed: int
    failed: tuple[CheckovFailure, ...]
    skipped: tuple[str, ...]
    """Check ids skipped by the config (the waivers)."""


def resolve_checkov(configured: str | None = None) -> str:
    checked = []
    for candidate in (configured, os.environ.get("EKSGUARD_CHECKOV"), "checkov"):
        if candidate:
            found = shutil.which(candidate)
            if found:
                return found
            checked.append(repr(candidate))
    raise EksguardError("no checkov. Checked: " + ", ".join(checked) + ". Fix: pip install checkov "
                        "(in its own venv if its pins clash) and set EKSGUARD_CHECKOV to its binary.")


def scan(stack: SynthesizedStack, *, config_file: Path | None = None, checkov: str | None = None) -> CheckovReport:
    """Run checkov on the stack's ``cdk.tf.json`` (offline: ``--skip-download``)."""
    command = [resolve_checkov(checkov), "-f", str(stack.directory / STACK_FILE),
               "--framework", "terraform_json", "-o", "json", "--quiet", "--skip-download"]
    if config_file is not None:
        command += ["--config-file", str(Path(config_file).resolve())]
    # Run in the stack's folder: checkov would otherwise pick up a .checkov.yaml from the cwd.
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=stack.directory)
    try:
        report = json.loads(done.stdout)
    except ValueError as error:
        raise EksguardError(f"checkov gave no JSON report (exit {done.returncode}):\n{done.stderr[-2000:]}") from error
    report = report[0] if isinstance(report, list) else report
    results = report.get("results", {})  # absent when every check passed
    return CheckovReport(
        passed=report.get("summary", {}).get("passed", 0),
        failed=tuple(CheckovFailure(c["check_id"], c["resource"], c["check_name"])
                     for c in results.get("failed_checks", [])),
        skipped=tuple(sorted({c["check_id"] for c in results.get("skipped_checks", [])})),
    )


def assert_checkov_clean(report: CheckovReport) -> None:
    """No failed check; waivers (skipped checks) are allowed."""
    if report.failed:
        raise AssertionError("checkov failed checks:\n" + "\n".join(f"  {f}" for f in report.failed))
