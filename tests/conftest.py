"""Shared test helpers: a stack with an AWS provider, synthesized to a temporary folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sys

import pytest

from eksguard._framework import TerraformStack, aws
from eksguard.testing.synth import SynthesizedStack, synthesize

STACK = "test"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the reference app, main.py, lives at the repository root


@pytest.fixture
def synth_one(tmp_path: Path, terraform_validate: Callable[[SynthesizedStack], None],
              ) -> Callable[[Callable[[Any], None]], SynthesizedStack]:
    """``synth_one(lambda stack: EksCluster(stack, ...))`` -> the synthesized stack, which
    must also pass ``terraform validate`` when the ``validate`` setting is on."""

    def run(add: Callable[[Any], None]) -> SynthesizedStack:
        def build(app: Any) -> None:
            stack = TerraformStack(app, STACK)
            aws.provider.AwsProvider(stack, "aws", region="us-east-1")
            add(stack)

        synthesized = synthesize(build, tmp_path / "cdktf.out")[STACK]
        terraform_validate(synthesized)
        return synthesized

    return run


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Any]:
    """A bare stack, for tests that only construct (bad input): after the test, nothing
    may have been written to its output folder."""
    from eksguard._framework import App

    outdir = tmp_path / "cdktf.out"
    app = App(outdir=str(outdir))
    yield TerraformStack(app, STACK)
    # The App makes empty folders when constructed; no file may appear.
    written = [p for p in outdir.rglob("*") if p.is_file()]
    assert written == [], f"bad input wrote {written}"
