"""Eager checks for construct props.

Each check skips unresolved Terraform tokens (their value is only known at apply time)
and raises ``ValidationError`` naming the construct path, the field, the value received
and what is allowed. The ``allowed`` texts are module constants so tests can assert them.

Every construct's validation starts with ``require_props``: the props object must be of
the props class, and every field must have the shape its annotation declares, checked
recursively through nested options. A string where a ``Sequence`` is declared is refused
(Python would read it as a list of characters), a mapping where an options object is
declared is refused, and each error quotes the value as the caller gave it. The format
checks (IDs, ARNs, policy documents) run after it, on values of the right shape.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import ipaddress
import json
import re
import sys
import types
import typing
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from eksguard._framework import Token, is_token
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


CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")
"""An EKS cluster name (EKS API Reference, CreateCluster: name)."""
ALLOWED_CLUSTER_NAME = (
    "1-100 letters, digits, '-' or '_', starting with a letter or digit"
)


def require_cluster_name(path: str, field: str, value: Any) -> None:
    """An EKS cluster's name, or a reference to one (``cluster.cluster_name``): every
    construct and helper that takes a cluster name checks it here, the same way."""
    require_match(path, field, value, CLUSTER_NAME, ALLOWED_CLUSTER_NAME)


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


# Shapes ------------------------------------------------------------------------------
# Every construct's validation starts here, so no later check sees a split string or a
# dict standing in for an options object.

ALLOWED_LIST_NOT_STRING = (
    "a list, not a single string (Python would read the string as its characters); "
    "pass [{value!r}]"
)
ALLOWED_LIST = (
    "a list or tuple; not a set, mapping or generator (synthesis needs a fixed order, and "
    "validation reads the items before the construct does)"
)
ALLOWED_MAPPING = "a mapping such as a dict"
ALLOWED_STRING = "a string"
ALLOWED_BOOL = "True or False"
ALLOWED_INT = "an integer"
ALLOWED_INSTANCE = "{article} {name}"
"""Formatted by ``allowed_instance``: ``a ManagedNodeGroupOptions``, ``an Imdsv2LaunchTemplate``."""


def allowed_instance(*classes: type) -> str:
    """``ALLOWED_INSTANCE`` for one class, joined with "or" for several."""
    return " or ".join(
        ALLOWED_INSTANCE.format(article="an" if cls.__name__[:1] in "AEIOU" else "a", name=cls.__name__)
        for cls in classes)


def require_instance(path: str, field: str, value: Any, cls: type | tuple[type, ...]) -> None:
    """``value`` must be a ``cls``: a dict or a raw provider resource where an options
    object or an eksguard construct belongs is refused here, not with an AttributeError
    further down."""
    if not isinstance(value, cls):
        fail(path, field, value, allowed_instance(*(cls if isinstance(cls, tuple) else (cls,))))


def require_sequence(path: str, field: str, value: Any) -> None:
    """A list or tuple (or a list token). A ``str`` or ``bytes`` is a sequence too, of
    its characters: it is refused even when it is a token, since a reference to one
    string never stands for a list."""
    if isinstance(value, (str, bytes, bytearray)):
        fail(path, field, value, ALLOWED_LIST_NOT_STRING.format(value=value))
    if _unresolved(value):
        return
    if not isinstance(value, Sequence):
        fail(path, field, value, ALLOWED_LIST)


def require_mapping(path: str, field: str, value: Any) -> None:
    if not isinstance(value, Mapping) and not _unresolved(value):
        fail(path, field, value, ALLOWED_MAPPING)


def require_props(path: str, props: Any, cls: type, field: str = "props") -> None:
    """The entry check of every construct and options-taking method: ``props`` is a
    ``cls`` and each of its fields has the declared shape (``require_field_types``)."""
    require_instance(path, field, props, cls)
    require_field_types(path, props)


def require_field_types(path: str, obj: Any, prefix: str = "") -> None:
    """Check every field of the dataclass ``obj`` against its annotation, descending into
    nested dataclasses (``grants[0].namespaces``) and mapping values
    (``node_groups['a'].subnet_ids``). Constructs in fields are checked by class only:
    they validated their own props when they were built."""
    hints = _field_hints(type(obj))
    for f in dataclasses.fields(obj):
        if f.name in hints:
            require_type(path, prefix + f.name, getattr(obj, f.name), hints[f.name])


def require_type(path: str, field: str, value: Any, hint: Any) -> None:
    """``value`` has the shape of the annotation ``hint``: Sequence, Mapping, Optional,
    a union, str, bool, a class, or Any. Numbers and Enums are left to the construct's own
    check, which names the range or the members allowed. Tokens pass where a scalar, list
    or mapping is declared."""
    if hint is Any or isinstance(hint, typing.TypeVar):
        return
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(hint) if m is not type(None)]
        if value is None and len(members) < len(typing.get_args(hint)):
            return
        if len(members) == 1:
            return require_type(path, field, value, members[0])
        for member in members:
            if _fits(value, member):
                return require_type(path, field, value, member)
        if not _unresolved(value):
            fail(path, field, value, " or ".join(_describe(m) for m in members))
        return
    if origin in (Sequence, list, tuple, Collection, Iterable):
        require_sequence(path, field, value)
        if _unresolved(value):
            return
        args = typing.get_args(hint)
        item = args[0] if args else Any
        for index, element in enumerate(value):
            require_type(path, f"{field}[{index}]" if _is_object_type(item) else field, element, item)
        return
    if origin in (Mapping, dict):
        require_mapping(path, field, value)
        if _unresolved(value):
            return
        key_hint, value_hint = typing.get_args(hint) or (Any, Any)
        for key, element in value.items():
            require_type(path, field, key, key_hint)
            require_type(path, f"{field}[{key!r}]", element, value_hint)
        return
    if not isinstance(hint, type):
        return  # a Literal, a Callable ...: nothing eksguard declares today
    if issubclass(hint, enum.Enum):
        return
    if hint in (int, float):
        return  # every number prop has a range check, which names the range it allows
    if hint is bool:
        if not isinstance(value, bool) and not _unresolved(value):
            fail(path, field, value, ALLOWED_BOOL)
    elif hint is str:
        if not isinstance(value, str) and not _unresolved(value):
            fail(path, field, value, ALLOWED_STRING)
    else:
        require_instance(path, field, value, hint)
        if dataclasses.is_dataclass(value):
            require_field_types(path, value, prefix=f"{field}.")


@functools.lru_cache(maxsize=None)
def _field_hints(cls: type) -> dict[str, Any]:
    """The resolved field annotations of a props class (they are strings under
    ``from __future__ import annotations``). Should one not resolve (a name imported only
    for type checkers), the others are still resolved one by one; that field goes unchecked."""
    try:
        return typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 - an unresolvable annotation must not break building
        pass
    hints: dict[str, Any] = {}
    for owner in reversed(cls.__mro__):
        namespace = vars(sys.modules.get(owner.__module__, object()))
        for name, annotation in vars(owner).get("__annotations__", {}).items():
            try:
                hints[name] = eval(annotation, namespace) if isinstance(annotation, str) else annotation  # noqa: S307
            except Exception:  # noqa: BLE001
                hints.pop(name, None)
    return hints


def _unresolved(value: Any) -> bool:
    """A Terraform token: a token string, number or list, or a provider object such as a
    variable's ``value`` (an ``IResolvable``)."""
    if value is None or isinstance(value, (bool, bytes, bytearray, Mapping, set, frozenset)):
        return False
    if isinstance(value, (str, int, float, list, tuple)):
        return is_token(value)
    if dataclasses.is_dataclass(value) or not type(value).__module__.startswith(("cdktn", "cdktf", "jsii")):
        return False
    try:
        return bool(Token.is_unresolved(value))
    except Exception:  # noqa: BLE001 - jsii refuses what it cannot marshal: not a token
        return False


def _is_object_type(hint: Any) -> bool:
    return isinstance(hint, type) and hint not in (str, int, float, bool) and not issubclass(hint, enum.Enum)


def _fits(value: Any, hint: Any) -> bool:
    """Whether ``value`` has the outer shape of one member of a union."""
    origin = typing.get_origin(hint) or hint
    if hint is Any:
        return True
    if origin in (Sequence, list, tuple, Collection, Iterable):
        return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))
    if origin in (Mapping, dict):
        return isinstance(value, Mapping)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(origin, type) and isinstance(value, origin)


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint) or hint
    if origin in (Sequence, list, tuple, Collection, Iterable):
        return "a list"
    if origin in (Mapping, dict):
        return ALLOWED_MAPPING
    return {str: ALLOWED_STRING, bool: ALLOWED_BOOL, int: ALLOWED_INT}.get(
        origin, allowed_instance(origin) if isinstance(origin, type) else str(hint))


# AWS identifiers ---------------------------------------------------------------------

SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
SECURITY_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")
VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
IAM_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")
KMS_ALIAS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias/[A-Za-z0-9/_-]+$")
KMS_KEY_ID = re.compile(r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")
KMS_ALIAS = re.compile(r"^alias/[A-Za-z0-9/_-]{1,250}$")

ALLOWED_SUBNET_ID = (
    "a subnet ID such as 'subnet-0a1b2c3d4e5f60718': 'subnet-' and 8 to 17 lowercase "
    "hexadecimal digits"
)
ALLOWED_VPC_ID = (
    "a VPC ID such as 'vpc-0a1b2c3d4e5f60718': 'vpc-' and 8 to 17 lowercase hexadecimal digits"
)
ALLOWED_SECURITY_GROUP_ID = (
    "a security group ID such as 'sg-0a1b2c3d4e5f60718': 'sg-' and 8 to 17 lowercase "
    "hexadecimal digits"
)
ALLOWED_UNIQUE = "each value once; {repeated!r} is given more than once"
ALLOWED_ROLE_ARN = (
    "an IAM role ARN, an ARN such as 'arn:aws:iam::111122223333:role/eks-cluster': "
    "arn:<partition>:iam::<12-digit account>:role/<path and name>"
)
ALLOWED_KMS_KEY_ARN = (
    "a KMS key ARN, an ARN such as 'arn:aws:kms:us-east-1:111122223333:key/"
    "1234abcd-12ab-34cd-56ef-1234567890ab' (not an alias: key grants and IAM name the key itself)"
)
ALLOWED_KMS_KEY = (
    "a KMS key: an ARN such as 'arn:aws:kms:us-east-1:111122223333:key/"
    "1234abcd-12ab-34cd-56ef-1234567890ab', an alias ARN ('arn:aws:kms:...:alias/ebs'), "
    "a key ID ('1234abcd-12ab-34cd-56ef-1234567890ab' or 'mrk-...') or an alias ('alias/ebs')"
)
ALLOWED_BOUNDARY_ARN = (
    "an IAM policy ARN, an ARN such as 'arn:aws:iam::111122223333:policy/boundary'"
)


def require_unique(path: str, field: str, values: Any) -> None:
    """No value twice (a token string twice is the same reference twice)."""
    if _unresolved(values):
        return
    seen: set[Any] = set()
    for value in values:
        try:
            repeated = value in seen
            seen.add(value)
        except TypeError:  # unhashable: its own check reports it
            continue
        if repeated:
            fail(path, field, values, ALLOWED_UNIQUE.format(repeated=value))


def require_ids(path: str, field: str, values: Any, pattern: re.Pattern[str], allowed: str) -> None:
    """A list of literal IDs (tokens pass) with no duplicates."""
    if _unresolved(values):
        return
    for value in values:
        require_match(path, field, value, pattern, allowed)
    require_unique(path, field, values)


def require_subnet_ids(path: str, field: str, values: Any) -> None:
    require_ids(path, field, values, SUBNET_ID, ALLOWED_SUBNET_ID)


def require_security_group_ids(path: str, field: str, values: Any) -> None:
    require_ids(path, field, values, SECURITY_GROUP_ID, ALLOWED_SECURITY_GROUP_ID)


def require_role_arn(path: str, field: str, value: str | None) -> None:
    if value is not None:
        require_match(path, field, value, IAM_ROLE_ARN, ALLOWED_ROLE_ARN)


def require_kms_key_arn(path: str, field: str, value: str | None) -> None:
    """A key ARN, for what must name the key itself (the cluster role's grant, a log group)."""
    if value is not None:
        require_match(path, field, value, KMS_KEY_ARN, ALLOWED_KMS_KEY_ARN)


def require_kms_key(path: str, field: str, value: str | None) -> None:
    """Any form EC2 accepts for a volume key: key or alias ARN, key ID, alias."""
    if value is None or is_token(value):
        return
    if not isinstance(value, str) or not any(
            p.match(value) for p in (KMS_KEY_ARN, KMS_ALIAS_ARN, KMS_KEY_ID, KMS_ALIAS)):
        fail(path, field, value, ALLOWED_KMS_KEY)


def require_boundary_arn(path: str, field: str, value: str | None) -> None:
    if value is not None:
        require_match(path, field, value, IAM_POLICY_ARN, ALLOWED_BOUNDARY_ARN)


def require_managed_policy_arns(path: str, field: str, values: Any) -> None:
    """Policy ARNs, each once (a second attachment of one policy is refused by IAM, and
    its construct id would repeat)."""
    require_policy_arns(path, field, values)
    require_unique(path, field, values)


# IAM policy documents ----------------------------------------------------------------

POLICY_VERSIONS = ("2012-10-17", "2008-10-17")
POLICY_EFFECTS = ("Allow", "Deny")
ALLOWED_POLICY_JSON = "an IAM policy document: a dict, or a string of JSON holding an object"
ALLOWED_POLICY_VERSION = (
    "a policy document whose \"Version\" is \"2012-10-17\" (or the legacy \"2008-10-17\")"
)
ALLOWED_POLICY_STATEMENTS = (
    "a policy document with a non-empty \"Statement\": one statement object or a list of them"
)
ALLOWED_POLICY_STATEMENT = (
    "a policy document whose statements are objects, each with \"Effect\" \"Allow\" or "
    "\"Deny\" and an \"Action\" or \"NotAction\""
)


def require_policy_document(path: str, field: str, document: Any) -> None:
    """An IAM policy document, as a mapping or JSON text; a whole-document token (a
    ``data.aws_iam_policy_document``'s ``json``) passes, and so do tokens inside it."""
    parsed = document
    if isinstance(document, str):
        try:
            parsed = json.loads(document)
        except ValueError:
            if is_token(document):
                return
            fail(path, field, document, ALLOWED_POLICY_JSON)
    if not isinstance(parsed, Mapping):
        fail(path, field, document, ALLOWED_POLICY_JSON)
    version = parsed.get("Version")
    if not is_token(version) and not (isinstance(version, str) and version in POLICY_VERSIONS):
        fail(path, field, document, ALLOWED_POLICY_VERSION)
    statements = parsed.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, Sequence) or isinstance(statements, str) or not statements:
        fail(path, field, document, ALLOWED_POLICY_STATEMENTS)
    for statement in statements:
        if not isinstance(statement, Mapping):
            fail(path, field, document, ALLOWED_POLICY_STATEMENT)
        effect = statement.get("Effect")
        if not (is_token(effect) or (isinstance(effect, str) and effect in POLICY_EFFECTS)) or (
                "Action" not in statement and "NotAction" not in statement):
            fail(path, field, document, ALLOWED_POLICY_STATEMENT)


def require_inline_policies(path: str, field: str, policies: Mapping[str, Any]) -> None:
    """Valid names, and each document a policy document; errors name the policy:
    ``inline_policies['read']``."""
    if _unresolved(policies):
        return
    require_inline_policy_names(path, field, policies)
    for name, document in policies.items():
        require_policy_document(path, f"{field}[{name!r}]", document)
