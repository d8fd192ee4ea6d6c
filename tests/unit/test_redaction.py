"""No error eksguard raises shows a value that looks like a secret (issue: a docker config
given where a secret's ARN belongs was quoted, password included, into CI logs)."""

from __future__ import annotations

import re

import pytest

from eksguard import (
    AccessEntry,
    AccessEntryProps,
    EksCluster,
    EksClusterProps,
    ValidationError,
)
from eksguard._redaction import Redacted, secret_kind, shown
from eksguard.constructs.ecr import RegistryPullSecret
from eksguard.constructs.karpenter import Karpenter, KarpenterProps

DOCKER_CONFIG = '{"auths": {"ghcr.io": {"username": "ci", "password": "s3cr3t-Passw0rd", "auth": "Y2k6czNjcjN0"}}}'
PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----"
SECRETS = {
    "docker config": DOCKER_CONFIG,
    "private key": PRIVATE_KEY,
    "AWS access key": "AKIAIOSFODNN7EXAMPLE",
    "AWS secret access key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "GitHub token": "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "Slack token": "xoxb-123456789012-abcdefABCDEF",
    "JSON web token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
    "bearer token": "Bearer abcdefghijklmnop0123456789",
    "password": "db_password=hunter2-hunter2",
}
"""Each secret shape, as a value someone pastes into the wrong field."""
NOT_SECRETS = [
    "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf",
    "arn:aws:iam::111122223333:role/eks-cluster-20261207", "arn:aws:kms:eu-west-1:111122223333:key/"
    "1234abcd-12ab-34cd-56ef-1234567890ab", "subnet-0a1b2c3d4e5f60718", "prod-cluster", "c" * 40, "1.35",
    {"team": "shop"}, ["m6i.large", "m7i.large"], "sha256:" + "a" * 64,
]


@pytest.mark.parametrize(("kind", "value"), SECRETS.items())
def test_each_secret_shape_is_shown_as_its_kind_type_and_length_only(kind, value):
    assert secret_kind(value) == kind
    assert repr(shown(value)) == f"<redacted {kind}: str, {len(value)} characters>"
    # inside a mapping or a list too
    assert isinstance(shown({"x": [value]}), Redacted)


@pytest.mark.parametrize("value", NOT_SECRETS)
def test_arns_ids_and_names_are_shown_as_they_are(value):
    assert secret_kind(value) is None and shown(value) is value


def _secret_fields():
    """(field, build given the value) for fields of several kinds: a secret's ARN, a
    cluster name, a role ARN, a KMS key ARN, a queue name."""
    return [
        ("secret_arn", lambda s, x: RegistryPullSecret(s, "ghcr", name="ghcr", namespace="shop", secret_arn=x)),
        ("name", lambda s, x: EksCluster(s, "eks", props=EksClusterProps(
            name=x, subnet_ids=["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60719"]))),
        ("kms_key_arn", lambda s, x: EksCluster(s, "eks", props=EksClusterProps(
            name="prod", subnet_ids=["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60719"], kms_key_arn=x))),
        ("principal_arn", lambda s, x: AccessEntry(s, "entry", props=AccessEntryProps(cluster_name="prod",
                                                                                    principal_arn=x))),
        ("queue_name", lambda s, x: Karpenter(s, "karpenter", props=KarpenterProps(cluster_name="prod",
                                                                                  queue_name=x))),
    ]


NAME_CHARACTERS = re.compile(r"^[A-Za-z0-9_-]+$")


def _refused_pairs():
    # A name field takes what is made of a name's characters (an access key id is a valid
    # cluster name): those values are accepted, not echoed, so they are left out here.
    return [pytest.param(field, build, kind, id=f"{field}-{kind}") for field, build in _secret_fields()
            for kind, value in SECRETS.items()
            if field not in ("name", "queue_name") or not NAME_CHARACTERS.match(value)]


@pytest.mark.parametrize(("field", "build", "kind"), _refused_pairs())
def test_a_secret_given_to_a_field_is_refused_without_its_content(stack, field, build, kind):
    # GIVEN a secret pasted into a field that takes an ARN, a name or an id
    value = SECRETS[kind]
    with pytest.raises(ValidationError) as caught:
        build(stack, value)
    error = caught.value
    # THEN the error names the field and the kind of value, and holds none of its content
    assert error.field == field
    assert error.value == Redacted(kind, value)
    message = str(error)
    assert f"<redacted {kind}: str, {len(value)} characters>" in message
    for part in {value, *value.split()}:
        if len(part) >= 6 and part not in ("-----BEGIN", "-----END", "PRIVATE"):
            assert part not in message, part
