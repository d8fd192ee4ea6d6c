"""Which Node.js jsii gets: a supported one found in the project, never a silent downgrade."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from eksguard import _node


def _fake_node(path: Path, version: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho v{version}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def old_node_on_path(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    _fake_node(bin_dir / "node", "20.20.2")
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def test_a_project_node_22_is_chosen_over_an_old_node_on_path(tmp_path, old_node_on_path):
    # GIVEN Node 20 on PATH and the project's own Node 22, looked up from a sub-folder
    project = tmp_path / "project"
    node22 = _fake_node(project / _node.PROJECT_NODE, "22.21.0")
    (project / "app").mkdir()
    environ: dict[str, str] = {}

    # WHEN jsii's Node is chosen THEN it is the project's Node 22
    assert _node.choose_jsii_node(environ, cwd=project / "app") == str(node22.resolve())
    assert environ == {"JSII_NODE": str(node22.resolve())}


@pytest.mark.parametrize(("environ", "project_version", "path_version"), [
    ({"JSII_NODE": "/opt/node24/bin/node"}, "22.21.0", "20.20.2"),  # the user's choice wins
    ({}, None, "20.20.2"),                                            # nothing better to choose
    ({}, "20.1.0", "20.20.2"),                                        # the project's is old too
    ({}, "22.21.0", "24.1.0"),                                        # PATH's is supported
], ids=["explicit", "no-project-node", "old-project-node", "path-supported"])
def test_nothing_changes_without_a_better_node(tmp_path, monkeypatch, environ, project_version, path_version):
    bin_dir = tmp_path / "bin"
    _fake_node(bin_dir / "node", path_version)
    monkeypatch.setenv("PATH", str(bin_dir))
    if project_version:
        _fake_node(tmp_path / _node.PROJECT_NODE, project_version)
    before = dict(environ)
    assert _node.choose_jsii_node(environ, cwd=tmp_path) is None
    assert environ == before
