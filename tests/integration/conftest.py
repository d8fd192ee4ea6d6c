"""Shared integration fixtures: boto3 clients for the embedded emulator, and a
localstack-core server started without Docker by the project's own script."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eksguard.testing import Emulator, connect

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "localstack-core.sh"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def localstack() -> Iterator[Emulator]:
    port = _free_port()
    started = subprocess.run([str(SCRIPT), "start", str(port)], capture_output=True, text=True, timeout=900)
    if started.returncode != 0:
        pytest.fail(f"scripts/localstack-core.sh start failed:\n{started.stdout}\n{started.stderr}")
    try:
        yield connect("localstack", f"http://127.0.0.1:{port}", "us-east-1")
    finally:
        subprocess.run([str(SCRIPT), "stop"], check=False, timeout=60)


@pytest.fixture
def eks(aws_emulator: Emulator) -> Any:
    """A boto3 EKS client for the embedded emulator."""
    return aws_emulator.client("eks")


@pytest.fixture
def iam(aws_emulator: Emulator) -> Any:
    """A boto3 IAM client for the embedded emulator."""
    return aws_emulator.client("iam")
