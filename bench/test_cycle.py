"""One harness cycle on the reference stack (synth, init, apply, assert, teardown), run by
bench/harness_cycle.py as a whole pytest process."""

import uuid

import main
from eksguard.testing import assert_cluster, read_cluster, read_role


def test_reference_cycle(synth_stack, deploy_stack):
    settings = main.ReferenceSettings(cluster_name=f"bench-{uuid.uuid4().hex[:6]}", stack_name="bench")
    deployment = deploy_stack(synth_stack(lambda app: main.ReferenceStack(app, "bench", settings=settings)))
    cluster = read_cluster(deployment.client("eks"), deployment.outputs["cluster_name"])
    role = read_role(deployment.client("iam"), cluster.role_arn)
    subnets = deployment.outputs["private_subnet_ids"]
    assert_cluster(cluster, version="1.35", role_arn=role.arn, subnet_ids=subnets)
