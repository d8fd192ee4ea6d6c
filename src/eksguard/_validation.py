"""Eager checks for construct props.

Each check skips unresolved Terraform tokens (their value is only known at apply time)
and raises ``ValidationError`` naming the construct path, the field, the value received
and what is allowed. The ``allowed`` texts are module constants so tests can assert them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from eksguard._framework import is_token
from eksguard.errors import ValidationError

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
IAM_POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]+$")
ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
INLINE_POLICY_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:.+$")

ALLOWED_DNS1123_LABEL = (
    "a DNS-1123 label: 1-63 lowercase letters, digits or '-', starting and ending with a "
    "letter or digit"
)
ALLOWED_DNS1123_SUBDOMAIN = (
    "a DNS-1123 subdomain: at most 253 characters of lowercase letters, digits, '-' and "
    "'.', each part starting and ending with a letter or digit"
)
ALLOWED_LABEL_KEY = (
    "a Kubernetes label key: an optional DNS-1123 subdomain prefix and '/', then a name of "
    "1-63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit"
)
ALLOWED_LABEL_VALUE = (
    "a Kubernetes label value: empty, or at most 63 letters, digits, '-', '_' or '.' "
    "starting and ending with a letter or digit"
)
ALLOWED_POLICY_ARN = "an IAM policy ARN such as 'arn:aws:iam::aws:policy/ReadOnlyAccess'"
ALLOWED_ARN = "an ARN such as 'arn:aws:kms:us-east-1:111122223333:key/...'"
ALLOWED_ROLE_NAME = "1-64 letters, digits or any of '+=,.@_-'"
ALLOWED_INLINE_POLICY_NAME = "1-128 letters, digits or any of '+=,.@_-'"
ALLOWED_CIDR = "an IPv4 CIDR block such as '10.0.0.0/16'"
ALLOWED_NON_EMPTY = "at least one item"


def fail(path: str, field: str, value: Any, allowed: str) -> None:
    raise ValidationError(path, field, value, allowed)


def require_match(path: str, field: str, value: str, pattern: re.Pattern[str], allowed: str,
                  max_length: int | None = None) -> None:
    if is_token(value):
        return
    if not isinstance(value, str) or not pattern.match(value) or (
        max_length is not None and len(value) > max_length
    ):
        fail(path, field, value, allowed)


def require_one_of(path: str, field: str, value: Any, choices: Collection[Any]) -> None:
    if is_token(value):
        return
    if value not in choices:
        fail(path, field, value, "one of " + ", ".join(repr(c) for c in choices))


def require_int_range(path: str, field: str, value: Any, low: int, high: int) -> None:
    if is_token(value):
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        fail(path, field, value, f"an integer from {low} to {high}")


def require_non_empty(path: str, field: str, values: Any) -> None:
    if is_token(values):
        return
    if not values:
        fail(path, field, values, ALLOWED_NON_EMPTY)


def require_dns1123_label(path: str, field: str, value: str) -> None:
    require_match(path, field, value, DNS1123_LABEL, ALLOWED_DNS1123_LABEL, max_length=63)


def require_dns1123_subdomain(path: str, field: str, value: str) -> None:
    require_match(path, field, value, DNS1123_SUBDOMAIN, ALLOWED_DNS1123_SUBDOMAIN, max_length=253)


def require_ipv4_cidrs(path: str, field: str, values: Iterable[str]) -> None:
    for value in values:
        if is_token(value):
            continue
        try:
            network = ipaddress.ip_network(value, strict=True)
        except (TypeError, ValueError):
            fail(path, field, value, ALLOWED_CIDR)
        else:
            if network.version != 4:
                fail(path, field, value, ALLOWED_CIDR)


def require_policy_arns(path: str, field: str, values: Iterable[str]) -> None:
    for value in values:
        require_match(path, field, value, IAM_POLICY_ARN, ALLOWED_POLICY_ARN)


def require_arn(path: str, field: str, value: str | None) -> None:
    if value is not None:
        require_match(path, field, value, ARN, ALLOWED_ARN)


def require_kubernetes_labels(path: str, field: str, labels: Mapping[str, str]) -> None:
    for key, value in labels.items():
        require_label_key(path, field, key)
        require_label_value(path, field, value)


def require_label_key(path: str, field: str, key: str) -> None:
    if is_token(key):
        return
    prefix, _, name = key.rpartition("/")
    if not isinstance(key, str) or not QUALIFIED_NAME.match(name) or len(name) > 63 or (
        "/" in key and (not DNS1123_SUBDOMAIN.match(prefix) or len(prefix) > 253)
    ):
        fail(path, field, key, ALLOWED_LABEL_KEY)


def require_label_value(path: str, field: str, value: str) -> None:
    if is_token(value):
        return
    if not isinstance(value, str) or len(value) > 63 or (value and not QUALIFIED_NAME.match(value)):
        fail(path, field, value, ALLOWED_LABEL_VALUE)


def require_role_name(path: str, field: str, value: str | None) -> None:
    if value is not None:
        require_match(path, field, value, ROLE_NAME, ALLOWED_ROLE_NAME)


def require_inline_policy_names(path: str, field: str, policies: Mapping[str, Any]) -> None:
    for name in policies:
        require_match(path, field, name, INLINE_POLICY_NAME, ALLOWED_INLINE_POLICY_NAME)
