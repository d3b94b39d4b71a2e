"""Load a Strategy subclass from a Python file (what `tradewire backtest FILE.py` runs)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from tradewire.sdk.errors import ConfigurationError
from tradewire.sdk.strategy import Strategy

__all__ = ["StrategyLoadError", "instantiate", "load_strategy_class", "parse_params"]


class StrategyLoadError(ConfigurationError):
    """The strategy file is missing, does not import, or holds no (or several) Strategy subclasses."""


def load_strategy_class(path: str | Path, name: str | None = None) -> type[Strategy]:
    """The Strategy subclass defined in `path` (by `name` when the file defines several).

    Raises:
        StrategyLoadError: with a one-line reason.
    """
    file = Path(path)
    if not file.is_file():
        raise StrategyLoadError(f"strategy file not found: {path}")
    module_name = f"tradewire_user_strategy_{abs(hash(str(file.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        raise StrategyLoadError(f"cannot load {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        raise StrategyLoadError(f"{path}:{e.lineno}: syntax error: {e.msg}") from None
    except Exception as e:
        raise StrategyLoadError(f"{path}: failed to import: {type(e).__name__}: {e}") from None
    found = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, Strategy)
        and obj is not Strategy
        and obj.__module__ == module_name
    ]
    if name is not None:
        for cls in found:
            if cls.__name__ == name:
                return cls
        raise StrategyLoadError(
            f"{path}: no Strategy subclass named {name!r} (found: {', '.join(c.__name__ for c in found) or 'none'})"
        )
    if not found:
        raise StrategyLoadError(
            f"{path}: no Strategy subclass found (define `class MyStrategy(Strategy): ...`)"
        )
    if len(found) > 1:
        names = ", ".join(c.__name__ for c in found)
        raise StrategyLoadError(
            f"{path}: several Strategy subclasses ({names}); choose one with --strategy NAME"
        )
    return found[0]


def parse_params(pairs: list[str] | None) -> dict[str, Any]:
    """`["fast=5", "symbol=AAPL"]` → {"fast": 5, "symbol": "AAPL"} (ints, then decimals kept as text)."""
    out: dict[str, Any] = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise StrategyLoadError(f"--param needs NAME=VALUE, got {pair!r}")
        try:
            out[key] = int(value)
        except ValueError:
            out[key] = value
    return out


def instantiate(cls: type[Strategy], params: dict[str, Any]) -> Strategy:
    """`cls(**params)`, with an unknown parameter reported as a StrategyLoadError."""
    try:
        return cls(**params)
    except TypeError as e:
        raise StrategyLoadError(str(e)) from None
