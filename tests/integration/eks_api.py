"""Shared pieces of the boto3 tests of eksguard's EKS extension (rules and operations)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

log = logging.getLogger(__name__)

SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": ["eks.amazonaws.com", "ec2.amazonaws.com",
                                                 "pods.eks.amazonaws.com"]},
    "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
API_ONLY = {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False}
"""A cluster whose access entries are only the test's own (no creator entry)."""


def unique(kind: str) -> str:
    return f"eksguard-api-{kind}-{uuid.uuid4().hex[:10]}"


def error_of(call: Callable[..., Any], **request: Any) -> dict[str, str]:
    """The error AWS answers ``call(**request)`` with; the request must be refused."""
    with pytest.raises(ClientError) as refused:
        call(**request)
    return refused.value.response["Error"]


def delete_cluster(eks: Any, name: str) -> None:
    """Delete a cluster and its node groups, if it exists; log, never raise."""
    try:
        for group in eks.list_nodegroups(clusterName=name)["nodegroups"]:
            eks.delete_nodegroup(clusterName=name, nodegroupName=group)
        eks.delete_cluster(name=name)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":  # never created
            log.warning("could not delete cluster %s: %s", name, error)
