"""Shared integration fixtures: boto3 clients for the embedded emulator, and a
localstack-core server started without Docker by the project's own script."""

from __future__ import annotations

import logging
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from eksguard.testing import Emulator, connect
from tests.integration.eks_api import SUBNETS, TRUST, delete_cluster, unique

log = logging.getLogger(__name__)
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


@pytest.fixture
def new_role(iam: Any) -> Iterator[Callable[..., str]]:
    """``new_role(path="/")`` -> the ARN of a new IAM role, deleted after the test."""
    names: list[str] = []

    def create(path: str = "/") -> str:
        name = unique("role")
        names.append(name)  # registered before it exists: a half-made test still cleans up
        return iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]

    yield create
    for name in names:
        try:
            iam.delete_role(RoleName=name)
        except ClientError as error:  # cleanup must not hide the test's own failure
            log.warning("could not delete role %s: %s", name, error)


@pytest.fixture
def new_user(iam: Any) -> Iterator[Callable[[], str]]:
    """``new_user()`` -> the ARN of a new IAM user, deleted after the test."""
    names: list[str] = []

    def create() -> str:
        name = unique("user")
        names.append(name)
        return iam.create_user(UserName=name)["User"]["Arn"]

    yield create
    for name in names:
        try:
            iam.delete_user(UserName=name)
        except ClientError as error:
            log.warning("could not delete user %s: %s", name, error)


@pytest.fixture
def new_cluster(eks: Any, new_role: Callable[..., str]) -> Iterator[Callable[..., str]]:
    """``new_cluster(version="1.33", name=None, **CreateCluster settings)`` -> the cluster's
    name; the cluster (node groups first) is deleted after the test."""
    names: list[str] = []

    def create(*, version: str = "1.33", name: str | None = None, **settings: Any) -> str:
        name = name or unique("cluster")
        names.append(name)
        eks.create_cluster(name=name, version=version, roleArn=new_role(),
                           resourcesVpcConfig={"subnetIds": SUBNETS}, **settings)
        return name

    yield create
    for name in names:
        delete_cluster(eks, name)
