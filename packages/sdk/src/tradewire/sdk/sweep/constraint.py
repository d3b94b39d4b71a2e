"""`--constraint "fast < slow"`: an expression over the parameters, evaluated without `eval`."""

# Only names (the parameters), numbers, strings, True/False, arithmetic, comparisons, and/or/not
# and parentheses: a typo or a stray call is refused with its reason, nothing else can run.

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

from tradewire.sdk.errors import ConfigurationError

__all__ = ["compile_constraint"]

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def _value(node: ast.AST, params: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | bool):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in params:
            raise ConfigurationError(f"--constraint names {node.id!r}, which is not a swept parameter")
        return params[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_value(node.left, params), _value(node.right, params))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
        inner = _value(node.operand, params)
        return -inner if isinstance(node.op, ast.USub) else not inner
    if isinstance(node, ast.BoolOp):
        values = (_value(v, params) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        left = _value(node.left, params)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _value(right_node, params)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    raise ConfigurationError(
        f"--constraint cannot use {ast.unparse(node)!r} (names, numbers, + - * /, <, and, or)"
    )


def compile_constraint(text: str) -> Callable[[Mapping[str, Any]], bool]:
    """A predicate on a parameter set from an expression such as `"fast < slow and slow - fast >= 10"`.

    Raises:
        ConfigurationError: not an expression, or one using anything but the allowed forms (raised
            when the predicate first runs, naming the parameter or the construct).
    """
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as e:
        raise ConfigurationError(f"--constraint {text!r} is not an expression: {e.msg}") from None

    def check(params: Mapping[str, Any]) -> bool:
        try:
            return bool(_value(tree, params))
        except (ArithmeticError, TypeError) as e:
            raise ConfigurationError(f"--constraint {text!r}: {type(e).__name__}: {e}") from None

    return check
