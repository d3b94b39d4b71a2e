"""The sweep report: every section in the file, and a headless chromium draws it offline."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("pyarrow", reason="needs tradewire-sdk[sweep]")

from tradewire.sdk.loader import load_strategy_class
from tradewire.sdk.sweep import LocalExecutor, Sweep, SweepResult

sys.path.insert(0, str(Path(__file__).parent))
from sweep_strategy import write_strategy

SECTIONS = [
    "Summary",
    "sharpe over fast × slow",
    "Distribution of the objective",
    "Walk-forward",
    "Top trials",
    "Failed trials",
]


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> SweepResult:
    folder = tmp_path_factory.mktemp("sweep")
    cls = load_strategy_class(write_strategy(folder, crash=15))
    params = {"fast": "5:20:5", "slow": "20:60:20"}
    sweep = Sweep(cls, sample=True, params=params, constraint="fast < slow", walk_forward="train=1y,test=6m")
    return sweep.run(LocalExecutor(1))


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.h2: list[str] = []
        self.svg = 0
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_h2 = tag == "h2"
        if self._in_h2:
            self.h2.append("")
        self.svg += tag == "svg"

    def handle_endtag(self, tag: str) -> None:
        self._in_h2 = self._in_h2 and tag != "h2"

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.h2[-1] += data


def test_every_section_is_in_the_file_with_no_script_or_remote_resource(result: SweepResult, tmp_path: Path):
    text = result.report(tmp_path / "report.html").read_text()
    parsed = _Headings()
    parsed.feed(text)
    assert parsed.h2 == SECTIONS
    assert parsed.svg >= 4  # heat map, distribution, objective per window, stitched equity
    assert "<script" not in text and "http://" not in text and "https://" not in text
    assert "walk-forward efficiency" in text and "ZeroDivisionError" in text  # the failed trials' reason


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _drawn(png: Path, width: int, height: int) -> bool:
    """The screenshot has the asked size and more than a blank page's handful of byte values."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return (w, h) == (width, height) and len(set(zlib.decompress(idat))) > 64


@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_chromium_draws_the_report(result: SweepResult, tmp_path: Path):
    url = result.report(tmp_path / "report.html").resolve().as_uri()
    flags = [
        _chromium() or "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--hide-scrollbars",
    ]
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    parsed = _Headings()
    parsed.feed(dom.stdout)
    assert parsed.h2 == SECTIONS and parsed.svg >= 4
    shot = tmp_path / "report.png"
    done = subprocess.run(
        [*flags, "--window-size=1280,2400", f"--screenshot={shot}", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert _drawn(shot, 1280, 2400)
