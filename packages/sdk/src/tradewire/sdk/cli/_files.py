"""Output files of the CLI: checked before a run, folders created when written, written whole or not at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tradewire.sdk.errors import ConfigurationError

__all__ = ["atomic", "check_output", "temporary"]


def check_output(path: Path, flag: str) -> Path:
    """`path` if it can be written; ConfigurationError (before any work) when it cannot.

    Nothing is created here: its folders are made when the file is written, so a run that stops at
    a later check (a bad data file) leaves no empty folder behind.
    """
    if path.is_dir():
        raise ConfigurationError(f"{flag} {path}: is a folder; give a file name")
    folder = path.parent
    existing = _existing_parent(folder)
    if not existing.is_dir():
        raise ConfigurationError(f"{flag} {path}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        if existing != folder:
            raise ConfigurationError(f"{flag} {path}: cannot create its folder (no permission in {existing})")
        raise ConfigurationError(f"{flag} {path}: not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise ConfigurationError(f"{flag} {path}: not writable")
    return path


def _existing_parent(folder: Path) -> Path:
    """`folder`, or its nearest ancestor that exists (as a folder or as a file)."""
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
    path.parent.mkdir(parents=True, exist_ok=True)
    part = temporary(path)
    try:
        yield part
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, path)
