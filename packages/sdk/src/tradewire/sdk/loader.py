"""Load a Strategy subclass from a Python file (what `tradewire backtest FILE.py` runs)."""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
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


def parse_params(pairs: list[str] | None, cls: type[Strategy] | None = None) -> dict[str, Any]:
    """`["fast=5", "symbol=AAPL"]` → {"fast": 5, "symbol": "AAPL"}.

    With `cls`, each value takes the type of the class attribute it overrides (bool, int, float,
    Decimal, str, or a tuple of text split at commas); without, ints are parsed and the rest kept as text.

    Raises:
        StrategyLoadError: not NAME=VALUE, an unknown name, or a value of the wrong type.
    """
    out: dict[str, Any] = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise StrategyLoadError(f"--param needs NAME=VALUE, got {pair!r}")
        if cls is None:
            try:
                out[key] = int(value)
            except ValueError:
                out[key] = value
            continue
        if key.startswith("_") or not hasattr(cls, key) or callable(getattr(cls, key)):
            raise StrategyLoadError(f"{cls.__name__} has no parameter {key!r}")
        out[key] = _typed(cls, key, value)
    return out


def _typed(cls: type[Strategy], key: str, value: str) -> Any:
    """`value` converted to the type of `cls.<key>`'s default."""
    default = getattr(cls, key)
    kind = type(default)
    try:
        if kind is bool:
            lowered = value.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if kind is int:
            return int(value)
        if kind is float:
            return float(value)
        if kind is Decimal:
            number = Decimal(value)
            if not number.is_finite():
                raise ValueError(value)
            return number
        if kind in (tuple, list):
            return kind(v.strip() for v in value.split(",") if v.strip())
    except (ValueError, ArithmeticError):
        name = {bool: "true/false", int: "an integer", float: "a number", Decimal: "a decimal"}[kind]
        raise StrategyLoadError(
            f"--param {key}={value}: {key} must be {name} (default {cls.__name__}.{key} = {default!r})"
        ) from None
    return value


def instantiate(cls: type[Strategy], params: dict[str, Any]) -> Strategy:
    """`cls(**params)`, with an unknown parameter, or an error raised by the class's own `__init__`,
    reported as a StrategyLoadError (one line; the cause kept for a traceback)."""
    try:
        return cls(**params)
    except TypeError as e:
        raise StrategyLoadError(str(e)) from None
    except Exception as e:
        raise StrategyLoadError(f"{cls.__name__}() raised {type(e).__name__}: {e}") from e
