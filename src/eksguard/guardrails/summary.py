"""Synthesize an app with its guardrails, and say what was written and what was waived."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eksguard.guardrails.aspect import synthesize


@dataclass(frozen=True)
class StackSummary:
    """One synthesized stack: where it went, its size, and its guardrail waivers."""

    name: str
    stack_file: Path
    """``<outdir>/stacks/<name>/cdk.tf.json``."""
    resource_count: int
    guarded: bool
    """Whether guardrails ran on the stack (``Guardrails.of(stack)``; ``SecureEksCluster`` adds them)."""
    waivers: tuple[str, ...]
    """One line per waived finding: rule, construct path, reason (and the prop that gave it)."""

    def lines(self) -> list[str]:
        lines = [f"  {self.name}: {self.resource_count} resources -> {self.stack_file}"]
        if not self.guarded:
            return [*lines, f"  {self.name}: no guardrails (Guardrails.of(stack) adds them)"]
        lines.append(f"  {self.name}: guardrails passed, {len(self.waivers)} waiver(s)")
        return lines + [f"    {waiver}" for waiver in self.waivers]


@dataclass(frozen=True)
class SynthSummary:
    """What a synth wrote, stack by stack; ``str()`` is the text ``make synth`` prints.

    Example::

        summary = eksguard.synth(app)
        print(summary)                      # eksguard: synthesized 1 stack(s) into ...
        assert summary.waivers == []
    """

    outdir: Path
    stacks: tuple[StackSummary, ...]

    @property
    def waivers(self) -> list[str]:
        """Every stack's waiver lines, prefixed with the stack name."""
        return [f"{stack.name}: {waiver}" for stack in self.stacks for waiver in stack.waivers]

    def __str__(self) -> str:
        lines = [f"eksguard: synthesized {len(self.stacks)} stack(s) into {self.outdir.resolve()}"]
        return "\n".join(lines + [line for stack in self.stacks for line in stack.lines()])


def synth(app: Any) -> SynthSummary:
    """Synthesize ``app`` and summarize it. A stack with guardrails and findings without a
    waiver raises ``GuardrailViolation`` (with the findings and the code to waive each), and
    that stack is not written.

    Example::

        print(eksguard.synth(app))
    """
    synthesize(app)
    return synth_summary(app)


def synth_summary(app: Any, outdir: str | Path | None = None) -> SynthSummary:
    """The summary of an app already synthesized into ``outdir`` (default: the app's)."""
    folder = Path(outdir if outdir is not None else app.outdir)
    manifest = json.loads((folder / "manifest.json").read_text())
    stacks = []
    for name, entry in manifest["stacks"].items():
        stack_file = folder / entry["synthesizedStackPath"]
        document = json.loads(stack_file.read_text())
        guardrails = getattr(app.node.try_find_child(name), "_eksguard_guardrails", None)
        guarded = guardrails is not None and guardrails.attached
        stacks.append(StackSummary(
            name=name, stack_file=stack_file,
            resource_count=sum(len(v) for v in document.get("resource", {}).values()),
            guarded=guarded, waivers=tuple(guardrails.summary()) if guarded else ()))
    return SynthSummary(outdir=folder, stacks=tuple(stacks))
