"""Pick the Node.js that jsii runs the CDK in, before jsii starts.

jsii supports Node 22 and later in 2026; on an older Node it prints an end-of-life banner
on every run (and cdktn-cli refuses to start). When ``JSII_NODE`` is not set and the
``node`` on PATH is older, a Node 22+ installed by the project's own set-up is used:
``.tools/node/node_modules/node/bin/node`` under the working directory or one of its
parents (``make venv`` puts it there with ``npm install --prefix .tools/node node@22``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SUPPORTED_MAJOR = 22
PROJECT_NODE = Path(".tools") / "node" / "node_modules" / "node" / "bin" / "node"


def major_version(node: str) -> int | None:
    """The major version of a ``node`` binary, or None when it does not run."""
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10).stdout
        return int(out.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def project_node(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / PROJECT_NODE
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def choose_jsii_node(environ: dict[str, str] | os._Environ[str] = os.environ, cwd: Path | None = None) -> str | None:
    """Set ``JSII_NODE`` to a supported Node when none is chosen and PATH's is too old;
    returns what was set (None when nothing changed)."""
    if environ.get("JSII_NODE"):
        return None
    on_path = shutil.which("node")
    if on_path and (major_version(on_path) or 0) >= SUPPORTED_MAJOR:
        return None
    found = project_node(cwd or Path.cwd())
    if found is None or (major_version(str(found)) or 0) < SUPPORTED_MAJOR:
        return None
    environ["JSII_NODE"] = str(found.resolve())
    return environ["JSII_NODE"]
