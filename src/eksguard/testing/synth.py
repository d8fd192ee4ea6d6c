"""Synthesize a CDK stack and address its resources by construct path or Terraform address."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STACK_FILE = "cdk.tf.json"
LOG = logging.getLogger("eksguard.testing.timing")
"""One line per step a deployment takes, with its wall time (``bench/cycle_breakdown.py``
reads them): ``synth``, and each Terraform command."""


@dataclass(frozen=True)
class SynthesizedStack:
    """One synthesized stack: its JSON document and where it was written.

    Example::

        stack = synthesize(lambda app: MyStack(app, "demo"), tmp_path)
        stack.resource("demo/eks/cluster/cluster")["version"]
    """

    name: str
    directory: Path
    document: dict[str, Any]
    by_path: dict[str, str] = field(default_factory=dict)
    """Construct path -> Terraform address (``aws_iam_role.x``)."""

    @classmethod
    def from_directory(cls, name: str, directory: Path) -> SynthesizedStack:
        document = json.loads((directory / STACK_FILE).read_text())
        by_path: dict[str, str] = {}
        for kind in ("resource", "data"):
            for rtype, items in document.get(kind, {}).items():
                for rname, body in items.items():
                    path = body.get("//", {}).get("metadata", {}).get("path")
                    address = f"{'data.' if kind == 'data' else ''}{rtype}.{rname}"
                    if path:
                        by_path[path] = address
        return cls(name=name, directory=directory, document=document, by_path=by_path)

    @property
    def addresses(self) -> list[str]:
        """Every managed resource address, sorted."""
        return sorted(f"{t}.{n}" for t, items in self.document.get("resource", {}).items() for n in items)

    def address(self, path_or_address: str) -> str:
        """The Terraform address of a construct path (an address is returned as is)."""
        if path_or_address in self.by_path:
            return self.by_path[path_or_address]
        if path_or_address in self.addresses:
            return path_or_address
        known = "\n  ".join(sorted(self.by_path))
        raise KeyError(f"no resource at {path_or_address!r} in stack {self.name}; paths:\n  {known}")

    def resource(self, path_or_address: str) -> dict[str, Any]:
        """The resource's synthesized body, without the ``//`` metadata."""
        address = self.address(path_or_address)
        kind = "data" if address.startswith("data.") else "resource"
        rtype, rname = address.removeprefix("data.").split(".", 1)
        body = dict(self.document[kind][rtype][rname])
        body.pop("//", None)
        return body

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        """Construct path -> body of every resource of one type."""
        return {path: self.resource(path) for path, address in self.by_path.items()
                if address.split(".", 1)[0] == rtype}


def synthesize(build: Callable[[Any], Any], outdir: Path) -> dict[str, SynthesizedStack]:
    """Run ``build(app)`` on a fresh App writing to ``outdir``, synthesize, and return the
    stacks by name."""
    started = time.monotonic()
    from eksguard._framework import App

    app = App(outdir=str(outdir))
    build(app)
    app.synth()
    LOG.info("step synth %.2f", time.monotonic() - started)
    manifest = json.loads((outdir / "manifest.json").read_text())
    return {
        name: SynthesizedStack.from_directory(name, outdir / Path(stack["synthesizedStackPath"]).parent)
        for name, stack in manifest["stacks"].items()
    }
