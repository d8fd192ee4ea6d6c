"""What an error or a log line may show of a value: never one that looks like a secret.

A value handed to the wrong field is often the secret itself (a docker config JSON where
the secret's ARN belongs, a private key, an access key): eksguard's errors show such a
value as its type and length, never its content, so a CI log never carries it.

Example::

    shown('{"auths": {"ghcr.io": {"auth": "dXNlcjpwYXNz"}}}')  # <redacted docker config: str, 46 characters>
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

SECRET_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")),
    ("docker config", re.compile(r'"auths?"\s*:')),
    ("AWS access key", re.compile(r"(?<![A-Z0-9])(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("AWS secret access key", re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")),
    ("GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})")),
    ("Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")),
    ("bearer token", re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/-]{16,}")),
    ("password", re.compile(r"(?i)(?<![a-z])(password|passwd|pwd|secret_?key|api_?key|access_?token|token)\b[\"']?\s*[=:]"
                            r"\s*[\"']?[^\s\"',}]{4,}")),
)
"""The shapes a secret takes, by name (docker's config.json ``auths``/``auth``; AWS's key
formats, IAM User Guide "Managing access keys"; GitHub's token prefixes; RFC 7519)."""


class Redacted:
    """Stands for a value that looked like a secret: its kind, type and length only."""

    def __init__(self, kind: str, value: Any) -> None:
        self.kind, self.type, self.length = kind, type(value).__name__, _length(value)

    def __repr__(self) -> str:
        return f"<redacted {self.kind}: {self.type}, {self.length} characters>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Redacted) and (self.kind, self.type, self.length) == (
            other.kind, other.type, other.length)

    def __hash__(self) -> int:
        return hash((self.kind, self.type, self.length))


def _length(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    try:
        return len(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return len(repr(value))


def _strings(value: Any, depth: int = 0) -> list[str]:
    if isinstance(value, str):
        return [value]
    if depth > 5:
        return []
    if isinstance(value, Mapping):
        return [s for k, v in value.items() for s in (*_strings(k, depth + 1), *_strings(v, depth + 1))]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [s for item in value for s in _strings(item, depth + 1)]
    return []


RANDOM = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"))
"""A random key mixes lower case, upper case and digits; a 40-letter name does not."""


def secret_kind(value: Any) -> str | None:
    """The kind of secret ``value`` (or any string in it) looks like; None if none."""
    for text in _strings(value):
        for kind, shape in SECRET_SHAPES:
            for match in shape.finditer(text):
                if kind != "AWS secret access key" or all(c.search(match.group(0)) for c in RANDOM):
                    return kind
    return None


def shown(value: Any) -> Any:
    """``value`` as an error may show it: itself, or ``Redacted`` when it looks like a secret."""
    kind = secret_kind(value)
    return value if kind is None else Redacted(kind, value)
