"""Building blocks of the readiness tests: variants of a hand-written synthesized stack."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

VPC = "${aws_vpc.vpc.id}"
DROP = object()
"""As a field value in ``set_fields``: remove the field."""
Change = Callable[[dict[str, Any]], None]


def _section(document: dict[str, Any], rtype: str) -> dict[str, Any]:
    if rtype.startswith("data."):
        return document["data"].setdefault(rtype.removeprefix("data."), {})
    return document["resource"].setdefault(rtype, {})


def set_fields(rtype: str, name: str, **fields: Any) -> Change:
    """Set (or, with DROP, remove) fields of one block."""
    def change(document: dict[str, Any]) -> None:
        body = _section(document, rtype)[name]
        for key, value in fields.items():
            if value is DROP:
                body.pop(key, None)
            else:
                body[key] = value
    return change


def add(rtype: str, name: str, body: dict[str, Any]) -> Change:
    return lambda document: _section(document, rtype).__setitem__(name, body)


def drop(rtype: str, name: str) -> Change:
    return lambda document: _section(document, rtype).pop(name)


def variant(ready: dict[str, Any], *changes: Change) -> dict[str, Any]:
    """``ready`` with the changes, each block given its construct path ``s/<name>``."""
    document = copy.deepcopy(ready)
    for change in changes:
        change(document)
    for section in document.values():
        for named in section.values():
            for name, body in named.items():
                body["//"] = {"metadata": {"path": f"s/{name}"}}
    return document


def endpoint(service: str, kind: str = "Interface", **fields: Any) -> dict[str, Any]:
    return {"vpc_id": VPC, "service_name": f"com.amazonaws.us-east-1.{service}", "vpc_endpoint_type": kind,
            **({"private_dns_enabled": True} if kind == "Interface" else {}), **fields}
