"""Reading a synthesized stack for the guardrails: its blocks by address, the
``${type.name.attr}`` references between them, and the IAM and KMS policies in it.

Everything here answers "cannot know" (None, or nothing) for what Terraform only learns
at apply time, so that a rule fires only on facts it can see."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

REFERENCE = re.compile(r"^\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}$")
"""``${aws_subnet.private-0_ABC.id}``: one reference and nothing else (no function call)."""

IDENTITY_POLICY_TYPES = ("aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy")
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"


@dataclass(frozen=True)
class Block:
    """A resource or data source of the stack."""

    address: str
    """``aws_subnet.private-0_ABC`` or ``data.aws_availability_zones.zones``."""
    path: str
    """The construct path (the address when the block has none)."""
    body: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.body.get(key, default)


def reference(value: Any) -> tuple[str, str] | None:
    """("aws_subnet.a", "id") for ``"${aws_subnet.a.id}"``; None for anything else."""
    match = REFERENCE.match(value) if isinstance(value, str) else None
    return (match.group(1), match.group(2).lstrip(".")) if match else None


def is_token(value: Any) -> bool:
    """True for a string Terraform computes (it holds an expression)."""
    return isinstance(value, str) and "${" in value


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def blocks(value: Any) -> list[dict[str, Any]]:
    """A nested block as a list of dicts (synth writes a single block as a dict)."""
    return [item for item in as_list(value) if isinstance(item, dict)]


def first(value: Any) -> dict[str, Any]:
    found = blocks(value)
    return found[0] if found else {}


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def glob_match(value: str, pattern: str, *, ignore_case: bool = False) -> bool:
    """IAM wildcard matching: ``*`` is any run of characters, ``?`` one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def statements(policy: dict[str, Any] | None) -> list[dict[str, Any]]:
    found = (policy or {}).get("Statement", [])
    return [s for s in as_list(found) if isinstance(s, dict)]


def allows(statement: dict[str, Any], action: str, *, bare_wildcard: bool = True) -> bool:
    """The statement is an Allow whose Action covers ``action``; ``bare_wildcard=False``
    ignores ``"*"`` (it grants everything, which says nothing about intent)."""
    if statement.get("Effect") != "Allow":
        return False
    patterns = [str(p) for p in as_list(statement.get("Action")) if bare_wildcard or p != "*"]
    return any(glob_match(action, pattern, ignore_case=True) for pattern in patterns)


def principals(statement: dict[str, Any], kind: str) -> list[str]:
    """The ``kind`` ("AWS", "Service", "Federated") principals; ``["*"]`` for ``Principal: "*"``."""
    principal = statement.get("Principal")
    if principal == "*" or (isinstance(principal, dict) and "*" in principal):
        return ["*"]
    return [str(p) for p in as_list(principal.get(kind))] if isinstance(principal, dict) else []


def conditions(statement: dict[str, Any], operators: tuple[str, ...]) -> dict[str, list[Any]]:
    """Condition key (lower case) -> values, over the given operators."""
    found: dict[str, list[Any]] = {}
    for operator, entries in (statement.get("Condition") or {}).items():
        if operator in operators and isinstance(entries, dict):
            for key, values in entries.items():
                found.setdefault(key.lower(), []).extend(as_list(values))
    return found


def web_identity_subjects(trust: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(operator, value) of each ``:sub`` condition of the trust's web-identity statements."""
    found = []
    for statement in statements(trust):
        if statement.get("Effect") != "Allow" or WEB_IDENTITY not in as_list(statement.get("Action")):
            continue
        for operator, entries in (statement.get("Condition") or {}).items():
            for key, values in (entries.items() if isinstance(entries, dict) else ()):
                if key.endswith(":sub"):
                    found += [(operator, str(value)) for value in as_list(values)]
    return found


def subject_matches(operator: str, value: str, subject: str) -> bool:
    return glob_match(subject, value) if operator.endswith("StringLike") else subject == value


class Stack:
    """One stack's Terraform JSON, indexed by address.

    Example::

        stack = Stack(document)
        subnet = stack.ref("${aws_subnet.private-0.id}", "aws_subnet")   # Block, or None
    """

    def __init__(self, document: dict[str, Any]) -> None:
        self._blocks: dict[str, Block] = {}
        self._by_type: dict[str, list[Block]] = {}
        for prefix, section in (("", document.get("resource") or {}), ("data.", document.get("data") or {})):
            for rtype, named in section.items():
                for name, body in (named or {}).items():
                    address = f"{prefix}{rtype}.{name}"
                    path = (body.get("//") or {}).get("metadata", {}).get("path", address)
                    block = Block(address, path, body)
                    self._blocks[address] = block
                    self._by_type.setdefault(prefix + rtype, []).append(block)

    def all(self, rtype: str) -> list[Block]:
        """Every block of one type (``"data.aws_x"`` for data sources)."""
        return list(self._by_type.get(rtype, ()))

    def ref(self, value: Any, rtype: str) -> Block | None:
        """The ``rtype`` block of this stack that ``value`` references, if any."""
        parsed = reference(value)
        if parsed is None or not parsed[0].startswith(rtype + "."):
            return None
        return self._blocks.get(parsed[0])

    def refs(self, value: Any, rtype: str) -> list[Block | None] | None:
        """Each item of a list attribute as a block of the stack (None where it is not one);
        None when the list itself is computed."""
        if isinstance(value, list):
            return [self.ref(item, rtype) for item in value]
        block = self.ref(value, rtype)
        return [block] if block is not None else None

    def key(self, value: Any) -> str:
        """What ``value`` identifies: the address of the block it references, else itself."""
        parsed = reference(value)
        return parsed[0] if parsed and parsed[0] in self._blocks else str(value)

    def cluster(self, cluster_name: Any) -> Block | None:
        """The ``aws_eks_cluster`` a ``cluster_name`` (reference or literal name) denotes."""
        block = self.ref(cluster_name, "aws_eks_cluster")
        if block is None and not is_token(cluster_name):
            block = next((c for c in self.all("aws_eks_cluster") if c.get("name") == cluster_name), None)
        return block

    def cluster_key(self, cluster_name: Any) -> str:
        cluster = self.cluster(cluster_name)
        return cluster.address if cluster else str(cluster_name)

    def policy(self, value: Any) -> dict[str, Any] | None:
        """An IAM policy document from literal JSON (references inside are kept as text) or
        a ``data.aws_iam_policy_document``; None when it cannot be read."""
        parsed = reference(value)
        if parsed and parsed[0].startswith("data.aws_iam_policy_document.") and parsed[1] in ("json", "minified_json"):
            block = self._blocks.get(parsed[0])
            return _from_policy_document(block.body) if block else None
        try:
            loaded = json.loads(value) if isinstance(value, str) else value
        except ValueError:
            return None
        return loaded if isinstance(loaded, dict) else None

    def key_policy(self, key: Block) -> tuple[bool, dict[str, Any] | None]:
        """(known, policy) of an ``aws_kms_key``; (True, None) is the default key policy."""
        attached = [p.get("policy") for p in self.all("aws_kms_key_policy")
                    if self.ref(p.get("key_id"), "aws_kms_key") is key]
        text = attached[-1] if attached else key.get("policy")
        if text is None:
            return True, None
        policy = self.policy(text)
        return policy is not None, policy

    def identity_policies(self) -> Iterator[tuple[Block, str, dict[str, Any]]]:
        """(block, label, document) of each readable identity policy of the stack."""
        for rtype in IDENTITY_POLICY_TYPES:
            for block in self.all(rtype):
                policy = self.policy(block.get("policy"))
                if policy is not None:
                    yield block, _label("policy", block.get("name")), policy
        for role in self.all("aws_iam_role"):
            for inline in blocks(role.get("inline_policy")):
                policy = self.policy(inline.get("policy"))
                if policy is not None:
                    yield role, _label("inline_policy", inline.get("name")), policy


def _label(kind: str, name: Any) -> str:
    return f"{kind} {name!r}" if isinstance(name, str) and not is_token(name) else kind


def _from_policy_document(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON form of a ``data.aws_iam_policy_document`` (None when it merges others in)."""
    if any(body.get(k) for k in ("source_policy_documents", "override_policy_documents")):
        return None
    if is_token(body.get("statement")):
        return None
    converted = []
    for statement in blocks(body.get("statement")):
        condition: dict[str, dict[str, list[Any]]] = {}
        for entry in blocks(statement.get("condition")):
            condition.setdefault(str(entry.get("test")), {})[str(entry.get("variable"))] = as_list(entry.get("values"))
        converted.append({
            "Effect": statement.get("effect") or "Allow",
            "Action": as_list(statement.get("actions")),
            "Resource": as_list(statement.get("resources")),
            "Principal": {str(p.get("type")): as_list(p.get("identifiers"))
                          for p in blocks(statement.get("principals"))},
            "Condition": condition,
        })
    return {"Statement": converted}
