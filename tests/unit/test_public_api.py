"""The package root lists exactly the public constructs and modules, and loads them lazily."""

from __future__ import annotations

import json
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


def test_dir_lists_every_public_name_before_the_lazy_ones_are_loaded():
    # GIVEN a fresh interpreter WHEN dir(eksguard) is asked THEN it lists what completion needs,
    # without starting the CDK framework
    code = ("import json, sys, eksguard; "
            "print(json.dumps([dir(eksguard), eksguard.__all__, 'jsii' in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    names, public, jsii_started = json.loads(out)
    assert set(eksguard._LAZY) <= set(public) <= set(names)
    assert {"SecureEksCluster", "ManagedNodeGroupOptions", "ValidationError", "errors"} <= set(names)
    assert not jsii_started


def test_dir_of_the_construct_and_module_packages_lists_their_exports():
    for package in (eksguard.constructs, eksguard.modules):
        names = dir(package)
        assert set(package.__all__) <= set(names)
        assert not [n for n in names if n.startswith("_")]
        assert all(getattr(package, name) is not None for name in names)
