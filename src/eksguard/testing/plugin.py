"""pytest entry point (``pytest11``): options, ini keys and markers only.

Fixtures live in ``eksguard.testing.fixtures``, registered from here.
"""

from __future__ import annotations

from typing import Any

from eksguard.testing.config import SETTINGS

MARKERS = (
    "eksguard_integration: deploys to an AWS emulator with Terraform; the session stops "
    "before the first one if Terraform cannot install hashicorp/aws",
    "requires(*capabilities): the emulator capabilities a test needs, e.g. "
    "requires('eks:access-entries'); skipped with the reason where the emulator lacks one",
)


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("eksguard", "eksguard: deploy CDK stacks to an AWS emulator")
    for setting in SETTINGS:
        group.addoption(setting.option, dest=setting.ini, default=None,
                        help=f"{setting.help} (env {setting.env}, ini {setting.ini})")
        parser.addini(setting.ini, help=setting.help, default=None)


def pytest_configure(config: Any) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    config.pluginmanager.import_plugin("eksguard.testing.fixtures")
