"""Write the SDK's blocking modules from their asyncio sources (or, with --check, fail when one is stale)."""

# Why a script of our own rather than the `unasync` package: the rules are a short table of whole
# words, all visible here, and the output must be byte-for-byte reproducible for `--check` without a
# formatter run (the generated files are excluded from `ruff format`, and still linted by `ruff check`
# and typed by mypy). httpcore keeps its sync code the same way.

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SDK = Path("packages/sdk/src/tradewire/sdk")

#: (asyncio source, blocking module written from it), relative to the repository root.
PAIRS: tuple[tuple[Path, Path], ...] = (
    (SDK / "_surface_async.py", SDK / "_surface.py"),
    (SDK / "stream.py", SDK / "stream_sync.py"),
)

#: Applied in order to every line: async syntax first, then names with a blocking twin.
SUBSTITUTIONS: tuple[tuple[str, str], ...] = (
    (r"\basync def\b", "def"),
    (r"\basync for\b", "for"),
    (r"\basync with\b", "with"),
    (r"\bawait ", ""),
    (r"\bimport asyncio\b", "import time"),
    (r"\basyncio\.sleep\b", "time.sleep"),
    (r"\bwebsockets\.asyncio\.client\b", "websockets.sync.client"),
    (r"\btradewire\.sdk\._surface_async\b", "tradewire.sdk._surface"),
    (r"\btradewire\.sdk\._stream_drivers\b", "tradewire.sdk._stream_drivers_sync"),
    (r"\bAsyncRestSurface\b", "RestSurface"),
    (r"\bAsyncEventStream\b", "EventStream"),
    (r"\bAsyncClient\b", "Client"),
    (r"\bAsyncIterator\b", "Iterator"),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"\b__aiter__\b", "__iter__"),
    (r"\baclose\b", "close"),
)
_COMPILED = tuple((re.compile(pattern), replacement) for pattern, replacement in SUBSTITUTIONS)


def header(source: Path) -> str:
    return f"# Generated from {source.name} by scripts/unasync.py: edit that file, then run the script.\n"


def unasync_line(line: str) -> str:
    for pattern, replacement in _COMPILED:
        line = pattern.sub(replacement, line)
    return line


def unasync(source: Path, text: str) -> str:
    """The blocking module for the asyncio module `source` whose text is `text`."""
    return header(source) + "".join(unasync_line(line) for line in text.splitlines(keepends=True))


def stale(root: Path) -> list[Path]:
    """The generated modules under `root` that differ from what their sources give (missing ones too)."""
    out = []
    for source, target in PAIRS:
        expected = unasync(source, (root / source).read_text())
        path = root / target
        if not path.is_file() or path.read_text() != expected:
            out.append(target)
    return out


def write(root: Path) -> list[Path]:
    """Write every generated module under `root`; returns those that changed."""
    changed = stale(root)
    for source, target in PAIRS:
        if target in changed:
            (root / target).write_text(unasync(source, (root / source).read_text()))
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is stale")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this checkout)")
    args = parser.parse_args(argv)
    if args.check:
        outdated = stale(args.root)
        for path in outdated:
            print(f"stale: {path} (run: python scripts/unasync.py)", file=sys.stderr)
        return 1 if outdated else 0
    for path in write(args.root):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
