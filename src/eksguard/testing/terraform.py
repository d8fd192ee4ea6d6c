"""Drive the Terraform CLI through its machine interfaces (``-json``, ``show -json``,
``output -json``), with a timeout per command, retries for known transient errors, and a
log of every command for the test report."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eksguard.errors import EksguardError, TerraformCommandError
from eksguard.testing.synth import LOG as TIMING

TRANSIENT_ERRORS = (
    "connection reset by peer",
    "TLS handshake timeout",
    "i/o timeout",
    "text file busy",
    "Error acquiring the state lock",
    "RequestLimitExceeded",
    "ThrottlingException",
)
"""Output fragments that mean: the same command may pass when run again."""

RETRIES = 2


def resolve_binary(configured: str | None) -> str:
    """The Terraform binary: the configured one, then ``terraform``, then ``tofu``."""
    checked = []
    if configured:
        found = shutil.which(configured)
        if found:
            return found
        checked.append(f"--eksguard-terraform / EKSGUARD_TERRAFORM = {configured!r} (not found)")
    for name in ("terraform", "tofu"):
        found = shutil.which(name)
        if found:
            return found
        checked.append(f"{name!r} on PATH (not found)")
    raise EksguardError(
        "no Terraform binary. Checked: " + "; ".join(checked) + ". Fix: install Terraform "
        ">= 1.5 or OpenTofu and put it on PATH, or name it with --eksguard-terraform.")


@dataclass
class Terraform:
    """One working directory's Terraform.

    Example::

        tf = Terraform(binary, workdir, env)
        tf.init(); tf.apply(); tf.output()
    """

    binary: str
    workdir: Path
    env: dict[str, str]
    timeout: int = 900
    log: list[str] = field(default_factory=list)

    def run(self, *args: str, capture_json: bool = False) -> str:
        command = [self.binary, *args]
        for attempt in range(RETRIES + 1):
            started = time.monotonic()
            returncode, output = self._run_once(command)
            elapsed = time.monotonic() - started
            TIMING.info("step terraform-%s %.2f", args[0] if args else "", elapsed)
            self.log.append(f"$ {' '.join(command)}  # exit {returncode}, {elapsed:.1f}s\n"
                            + ("" if capture_json and returncode == 0 else output))
            if returncode == 0:
                return output
            if returncode is None or attempt == RETRIES or not any(
                    fragment in output for fragment in TRANSIENT_ERRORS):
                raise TerraformCommandError(command, returncode, output, str(self.workdir))
            time.sleep(2 * (attempt + 1))
        raise AssertionError("unreachable")

    def _run_once(self, command: Sequence[str]) -> tuple[int | None, str]:
        # Own process group: a timeout kills Terraform and its provider plugins together.
        process = subprocess.Popen(
            command, cwd=self.workdir, env=self.env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            output, _ = process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                output, _ = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                output, _ = process.communicate()
            return None, output
        except KeyboardInterrupt:
            # Let Terraform stop gracefully and release its state before teardown runs.
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=60)
            raise
        return process.returncode, output

    def init(self) -> None:
        self.run("init", "-input=false", "-no-color")

    def apply(self, targets: Sequence[str] = ()) -> None:
        self.run("apply", "-auto-approve", "-input=false", "-no-color", *(f"-target={t}" for t in targets))

    def plan(self, targets: Sequence[str] = ()) -> dict[str, Any]:
        """A fresh plan, as ``terraform show -json`` gives it."""
        self.run("plan", "-input=false", "-no-color", "-out=eksguard.tfplan", *(f"-target={t}" for t in targets))
        return json.loads(self.run("show", "-json", "eksguard.tfplan", capture_json=True))

    def output(self) -> dict[str, Any]:
        """Output name -> value."""
        raw = json.loads(self.run("output", "-json", capture_json=True))
        return {name: entry["value"] for name, entry in raw.items()}

    def state_addresses(self) -> list[str]:
        listed = self.run("state", "list")
        return [line for line in listed.splitlines() if line.strip()]

    def destroy(self) -> None:
        self.run("destroy", "-auto-approve", "-input=false", "-no-color")

    def command_line(self, *args: str) -> str:
        """The shell command a person runs to repeat ``args`` here."""
        env = " ".join(f"{k}={v}" for k, v in sorted(self.env.items()) if k.startswith(("TF_", "AWS_")))
        return f"cd {self.workdir} && {env} {self.binary} {' '.join(args)}"
