"""Seam: `scripts/unasync.py`, which writes the blocking SDK modules from their asyncio sources.

`nox -s lint` runs it with `--check`; a check that cannot fail proves nothing, so these tests make
the sources and the generated files disagree in a copy of the tree and expect it to fail, naming
the stale file, and pass again once the script has rewritten it.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "unasync.py"

pytestmark = pytest.mark.skipif(
    not SCRIPT.is_file(), reason="needs a checkout of the repository (scripts/unasync.py)"
)


@pytest.fixture(scope="module")
def unasync() -> ModuleType:
    spec = importlib.util.spec_from_file_location("unasync_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tree(tmp_path: Path, unasync: ModuleType) -> Path:
    """The generator's sources and outputs copied into tmp_path, laid out as in the repository."""
    for pair in unasync.PAIRS:
        for relative in pair:
            (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / relative, tmp_path / relative)
    return tmp_path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_committed_blocking_modules_are_current(unasync: ModuleType) -> None:
    assert unasync.stale(ROOT) == []


def test_check_fails_on_a_changed_source_and_passes_once_regenerated(tree: Path) -> None:
    source = tree / "packages/sdk/src/tradewire/sdk/_surface_async.py"
    target = tree / "packages/sdk/src/tradewire/sdk/_surface.py"
    assert run("--check", "--root", str(tree)).returncode == 0
    source.write_text(
        source.read_text()
        + "\n\nasync def ping(client: AsyncRestSurface) -> None:\n    await asyncio.sleep(0)\n"
    )
    stale = run("--check", "--root", str(tree))
    assert stale.returncode == 1
    assert "stale: packages/sdk/src/tradewire/sdk/_surface.py" in stale.stderr
    assert "stream_sync" not in stale.stderr
    assert "def ping" not in target.read_text()  # --check writes nothing

    wrote = run("--root", str(tree))
    assert wrote.returncode == 0 and "_surface.py" in wrote.stdout
    assert "\ndef ping(client: RestSurface) -> None:\n    time.sleep(0)\n" in target.read_text()
    assert run("--check", "--root", str(tree)).returncode == 0


def test_check_fails_on_a_hand_edited_blocking_module(tree: Path) -> None:
    target = tree / "packages/sdk/src/tradewire/sdk/stream_sync.py"
    target.write_text(target.read_text().replace("time.sleep(", "time.sleep(0 * "))
    result = run("--check", "--root", str(tree))
    assert result.returncode == 1 and "stream_sync.py" in result.stderr
    target.unlink()
    assert "stream_sync.py" in run("--check", "--root", str(tree)).stderr  # a missing one too


def test_the_rules_turn_asyncio_into_blocking_code(unasync: ModuleType) -> None:
    source = Path("stream.py")
    text = (
        "import asyncio\n"
        "from websockets.asyncio.client import connect\n"
        "class AsyncEventStream:\n"
        "    async def __aiter__(self) -> AsyncIterator[int]:\n"
        "        async with lock:\n"
        "            async for raw in await connect(url).__aenter__():\n"
        "                await asyncio.sleep(1)\n"
        "    async def aclose(self) -> AsyncClient: ...\n"
        "    # awaited_total and AsyncClientX keep their names\n"
    )
    assert unasync.unasync(source, text) == (
        unasync.header(source) + "import time\n"
        "from websockets.sync.client import connect\n"
        "class EventStream:\n"
        "    def __iter__(self) -> Iterator[int]:\n"
        "        with lock:\n"
        "            for raw in connect(url).__enter__():\n"
        "                time.sleep(1)\n"
        "    def close(self) -> Client: ...\n"
        "    # awaited_total and AsyncClientX keep their names\n"
    )
