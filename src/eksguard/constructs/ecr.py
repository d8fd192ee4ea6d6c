"""Least-privilege image pulls: an ECR pull policy scoped to repositories, and pull
secrets for private registries built from Secrets Manager, never from literals."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from constructs import Construct

from eksguard._scope import EksguardConstruct
from eksguard import _validation as v
from eksguard._framework import Fn, aws, construct_path

ECR_REPOSITORY_ARN = re.compile(r"^arn:aws[a-z-]*:ecr:[a-z0-9-]+:\d{12}:repository/[a-z0-9._/-]+$")
ALLOWED_REPOSITORY_ARN = (
    "an ECR repository ARN such as 'arn:aws:ecr:eu-west-1:111122223333:repository/shop/cart' "
    "(any region)"
)
SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$")
ALLOWED_SECRET_ARN = "a Secrets Manager secret ARN"
PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")


def ecr_pull_policy(repository_arns: Sequence[str], *, path: str = "ecr_pull_policy") -> dict[str, Any]:
    """A policy document that pulls from the given repositories only; the registry token
    (``ecr:GetAuthorizationToken``) has no resource scope in IAM."""
    v.require_sequence(path, "repository_arns", repository_arns)
    v.require_non_empty(path, "repository_arns", list(repository_arns))
    for arn in repository_arns:
        v.require_match(path, "repository_arns", arn, ECR_REPOSITORY_ARN, ALLOWED_REPOSITORY_ARN)
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Effect": "Allow", "Action": list(PULL_ACTIONS), "Resource": list(repository_arns)},
    ]}


class RegistryPullSecret(EksguardConstruct):
    """A ``kubernetes.io/dockerconfigjson`` Secret manifest whose content is read from a
    Secrets Manager secret holding the docker config JSON; no password appears in code.
    The manifest is a sensitive Terraform value (``manifest``), as is the secret in state.

    Example::

        secret = RegistryPullSecret(stack, "ghcr", name="ghcr", namespace="shop",
                                    secret_arn="arn:aws:secretsmanager:...:secret:ghcr-AbCdEf")
        TerraformOutput(stack, "ghcr_pull_secret", value=secret.manifest, sensitive=True)

    Properties: ``name``, ``manifest``.
    """

    def __init__(self, scope: Construct, id: str, *, name: str, namespace: str, secret_arn: str) -> None:
        super().__init__(scope, id)
        path = construct_path(self)
        v.require_dns1123_subdomain(path, "name", name)
        v.require_dns1123_label(path, "namespace", namespace)
        v.require_match(path, "secret_arn", secret_arn, SECRET_ARN, ALLOWED_SECRET_ARN)
        self._name = name
        version = aws.data_aws_secretsmanager_secret_version.DataAwsSecretsmanagerSecretVersion(
            self, "docker-config", secret_id=secret_arn)
        self._manifest: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "kubernetes.io/dockerconfigjson",
            "metadata": {"name": name, "namespace": namespace},
            "data": {".dockerconfigjson": Fn.base64encode(version.secret_string)},
        }

    @property
    def name(self) -> str:
        """The Kubernetes Secret's name, what a pod spec's ``imagePullSecrets`` lists."""
        return self._name

    @property
    def manifest(self) -> dict[str, Any]:
        """The Secret manifest; its data is a sensitive Terraform value until apply."""
        return self._manifest
