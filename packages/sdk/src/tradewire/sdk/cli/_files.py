"""Output files of the CLI: checked before a run, folders created, written whole or not at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tradewire.sdk.errors import ConfigurationError

__all__ = ["atomic", "check_output", "temporary"]


def check_output(path: Path, flag: str) -> Path:
    """`path`, with its folder created; ConfigurationError (before any work) when it cannot be written."""
    if path.is_dir():
        raise ConfigurationError(f"{flag} {path}: is a folder; give a file name")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ConfigurationError(f"{flag} {path}: {_existing_file(folder)} is a file, not a folder") from None
    except OSError as e:
        raise ConfigurationError(f"{flag} {path}: cannot create its folder ({e.strerror})") from None
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ConfigurationError(f"{flag} {path}: not writable")
    return path


def _existing_file(folder: Path) -> Path:
    for parent in (folder, *folder.parents):
        if parent.exists():
            return parent
    return folder


def temporary(path: Path) -> Path:
    """The name a file is written under before it is renamed to `path` (same folder, same suffix, so
    the rename is atomic and writers that pick a format by suffix see the real one)."""
    return path.with_name(f".{path.stem}.{os.getpid()}.part{path.suffix}")


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; renamed onto `path` when the block ends normally, removed
    when it raises, so a failed run leaves neither a 0-byte nor a half-written file."""
    part = temporary(path)
    try:
        yield part
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, path)
