"""checkov's posture scan of the reference stack: 0 failed checks, and the waivers in
.checkov.yaml are exactly the checks that would fail without them."""

from __future__ import annotations

from pathlib import Path

import pytest

import main
from eksguard.testing.checkov import assert_checkov_clean, scan

CONFIG = Path(__file__).resolve().parents[2] / ".checkov.yaml"
WAIVED = ["CKV_AWS_37", "CKV_AWS_394"]


@pytest.mark.parametrize("capacity", main.CAPACITIES)
def test_reference_stack_passes_checkov_with_only_its_written_waivers(synth_stack, capacity):
    # GIVEN the reference stack with each capacity choice (node groups, Auto Mode, Karpenter)
    settings = main.ReferenceSettings(capacity=capacity)
    stack = synth_stack(lambda app: main.ReferenceStack(app, f"posture-{capacity}", settings=settings))
    report = scan(stack, config_file=CONFIG)
    assert_checkov_clean(report)
    assert report.passed >= 80  # the Auto Mode variant, the smallest, runs 88
    unwaived = scan(stack)
    assert sorted({f.check_id for f in unwaived.failed}) == WAIVED
    config = CONFIG.read_text()
    assert all(f"#   {check}" in config and f"  - {check}" in config for check in WAIVED)
