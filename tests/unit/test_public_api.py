"""The package root lists exactly the public constructs and modules, and loads them lazily."""

from __future__ import annotations

import subprocess
import sys

import eksguard
import eksguard.constructs
import eksguard.modules


def test_root_exports_every_construct_and_module_name_and_nothing_else():
    lazy = eksguard._LAZY
    assert {n for n, m in lazy.items() if m == "eksguard.constructs"} == set(eksguard.constructs.__all__)
    assert {n for n, m in lazy.items() if m == "eksguard.modules"} == set(eksguard.modules.__all__)
    assert all(getattr(eksguard, name) is not None for name in eksguard.__all__)


def test_importing_the_plugin_does_not_start_the_cdk_framework():
    code = "import sys, eksguard, eksguard.testing.plugin; print('jsii' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
