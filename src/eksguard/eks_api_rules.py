"""EKS's own API rules, one source for the constructs (at construction, for literal values)
and the emulator (at apply, with AWS's error codes: ``eksguard.testing.moto_eks.rules``).

Each check raises ``EksApiRefusal`` with the error code and message EKS answers; it needs
nothing but the values, so the constructs use it without moto installed.
"""

from __future__ import annotations

from collections.abc import Sequence

NODE_ENTRY_TYPES = ("EC2_LINUX", "EC2_WINDOWS", "FARGATE_LINUX", "HYBRID_LINUX", "EC2")
"""Entry types for node roles; ``EC2`` is EKS Auto Mode's (EKS API Reference,
CreateAccessEntry ``type``: "EC2 (for EKS Auto Mode)")."""
ENTRY_TYPES = ("STANDARD", *NODE_ENTRY_TYPES)
RESERVED_USERNAME_PREFIXES = ("system:", "eks:", "aws:", "amazon:", "iam:")


class EksApiRefusal(Exception):
    """What EKS answers to a request that breaks one of its rules."""

    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


def check_entry_shape(entry_type: str, kubernetes_groups: Sequence[str] | None, username: str | None) -> None:
    """Node entry types take no Kubernetes groups and no username: EKS binds them to its
    own node identity (EKS API Reference, CreateAccessEntry ``type``: "If you set the value
    to EC2_LINUX or EC2_WINDOWS, you can't specify values for kubernetesGroups, or
    associate an AccessPolicy to the access entry"; ``username``: for those types, EKS
    sets it). A custom username can't start with system:, eks:, aws:, amazon: or iam:, and
    group names starting with system: are reserved to Kubernetes (EKS User Guide, "Create
    access entries")."""
    def refuse(message: str, field: str) -> EksApiRefusal:
        return EksApiRefusal("InvalidParameterException", message, field)

    if entry_type not in ENTRY_TYPES:
        raise refuse(f"The specified type is invalid: {entry_type}. Valid types: {list(ENTRY_TYPES)}", "type")
    if entry_type in NODE_ENTRY_TYPES and kubernetes_groups:
        raise refuse(f"kubernetesGroups cannot be specified for access entries of type {entry_type}.",
                     "kubernetes_groups")
    if entry_type in NODE_ENTRY_TYPES and username:
        raise refuse(f"username cannot be specified for access entries of type {entry_type}.", "username")
    if username and username.startswith(RESERVED_USERNAME_PREFIXES):
        raise refuse(f"The username {username} is invalid, it cannot start with any of "
                     f"{list(RESERVED_USERNAME_PREFIXES)}", "username")
    for group in kubernetes_groups or ():
        if group.startswith("system:"):
            raise refuse(f"The kubernetes group name {group} is invalid, it cannot start with system:",
                         "kubernetes_groups")
