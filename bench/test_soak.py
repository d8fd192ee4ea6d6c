"""One soak cycle on the reference stack: deploy (apply, re-plan that must be empty), assert,
destroy; run ``EKSGUARD_SOAK_CYCLES`` times on pytest-xdist workers by bench/soak.py.

Each cycle appends one JSON line to ``EKSGUARD_SOAK_OUT``: its outcome, its duration, and
what the emulator's request journal saw during it (requests, SDK retries, answers replayed
because the transport lost them, answers not delivered)."""

import json
import os
import time
import uuid

import pytest

import main
from eksguard.testing import assert_cluster, read_cluster, read_role

CYCLES = int(os.environ.get("EKSGUARD_SOAK_CYCLES", "20"))


@pytest.fixture
def journal_record(aws_emulator, request):
    """Requested first, so torn down last: it sees the destroy's requests too."""
    journal = aws_emulator.journal
    seen = {id(e) for e in journal.entries()}
    started = time.monotonic()
    yield
    new = [e for e in journal.entries() if id(e) not in seen]
    retried = {e.invocation_id for e in new if e.attempt > 1}
    record = {"cycle": request.node.callspec.params["cycle"], "worker": os.environ.get("PYTEST_XDIST_WORKER", "-"),
              "seconds": round(time.monotonic() - started, 1),
              "failed": bool(getattr(request.node, "eksguard_soak_failed", False)),
              "requests": len(new), "retried_invocations": len(retried),
              "replayed": sum(e.replayed for e in new), "not_delivered": sum(not e.written for e in new
                                                                             if e.duration is not None),
              "retries": [e.line() for e in new if e.invocation_id in retried]}
    with open(os.environ["EKSGUARD_SOAK_OUT"], "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        item.eksguard_soak_failed = True
    return report


@pytest.mark.parametrize("cycle", range(CYCLES))
def test_reference_soak_cycle(journal_record, synth_stack, deploy_stack, cycle):
    settings = main.ReferenceSettings(cluster_name=f"soak-{uuid.uuid4().hex[:6]}", stack_name=f"soak{cycle}")
    deployment = deploy_stack(synth_stack(lambda app: main.ReferenceStack(app, f"soak{cycle}", settings=settings)))
    cluster = read_cluster(deployment.client("eks"), deployment.outputs["cluster_name"])
    role = read_role(deployment.client("iam"), cluster.role_arn)
    assert_cluster(cluster, version="1.35", role_arn=role.arn, subnet_ids=deployment.outputs["private_subnet_ids"])
