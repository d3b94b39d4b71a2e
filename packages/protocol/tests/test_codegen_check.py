"""Seam: `scripts/codegen.py --check`, the drift check CI runs as `nox -s codegen -- --check`.

A check that cannot fail proves nothing, so this module changes the schema in a copy of protocol/
and expects the check (against the committed bindings) to fail and name the stale files; the
unmodified copy must pass. It runs the pinned generator (protocol/codegen-requirements.txt), which
`nox -s "tests(package='protocol')"` installs.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CODEGEN = ROOT / "scripts" / "codegen.py"
# Config files the generator's ruff may read: the copy sits under the same ones as protocol/ does.
RUFF_CONFIGS = ("pyproject.toml", "ruff.toml", ".ruff.toml")

pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("grpc_tools") is None,
        reason="grpcio-tools is not installed: pip install -r protocol/codegen-requirements.txt",
    ),
    pytest.mark.skipif(
        not CODEGEN.is_file(), reason="needs a checkout of the repository (scripts/codegen.py)"
    ),
]


@pytest.fixture
def proto_copy(tmp_path: Path) -> Path:
    """protocol/ copied into tmp_path, laid out as in the repository."""
    for name in RUFF_CONFIGS:
        if (ROOT / name).is_file():
            shutil.copy(ROOT / name, tmp_path / name)
    return Path(shutil.copytree(ROOT / "protocol", tmp_path / "protocol"))


def run_check(proto_root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CODEGEN), "--check", "--proto-root", str(proto_root)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def add_field_to_bar(proto_root: Path) -> None:
    """Append one decimal field to `message Bar` in market.proto, numbered after its last field."""
    path = proto_root / "tradewire" / "v1" / "market.proto"
    text = path.read_text()
    match = re.search(r"^message Bar \{\n(?P<body>.*?)^\}", text, flags=re.M | re.S)
    assert match, "market.proto no longer defines `message Bar`; pick another message here"
    number = max(int(n) for n in re.findall(r"=\s*(\d+)\s*[;\[]", match["body"])) + 1
    field = f"  // Added by test_codegen_check.\n  string drift_probe = {number} [(tradewire.v1.decimal) = true];\n"
    path.write_text(text[: match.end("body")] + field + text[match.end("body") :])


def test_check_passes_for_unmodified_protocol(proto_copy: Path) -> None:
    result = run_check(proto_copy)
    assert result.returncode == 0, f"the committed bindings are stale:\n{result.stdout}{result.stderr}"


def test_check_fails_and_names_the_stale_files_when_a_message_changes(proto_copy: Path) -> None:
    add_field_to_bar(proto_copy)

    result = run_check(proto_copy)

    output = result.stdout + result.stderr
    assert result.returncode != 0, f"--check passed although Bar gained a field:\n{output}"
    assert "tradewire/v1/__init__.py" in output  # the generated module that holds Bar
    assert "wire_table.py" in output  # the codec's table lists Bar's fields
    assert "nox -s codegen" in output  # the message says how to fix it
