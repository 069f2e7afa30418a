"""Safe evaluation of string expressions such as ``"exp(-d/100)"`` or ``"d < 3"``.

The expression is parsed with ``ast`` and only numbers, the allowed variable names,
arithmetic, comparisons, boolean operators, conditional expressions and a fixed set
of numpy functions are accepted; anything else is an error naming the expression.
Nothing is passed to ``eval``.
"""
from __future__ import annotations

import ast
import operator
from typing import Callable

import numpy as np

from pynnlite.errors import InvalidParameterValueError

FUNCTIONS: dict[str, Callable] = {
    name: getattr(np, name) for name in (
        "exp", "log", "log10", "log2", "sqrt", "sin", "cos", "tan", "arcsin", "arccos", "arctan",
        "sinh", "cosh", "tanh", "abs", "floor", "ceil", "minimum", "maximum", "where", "clip",
        "sign", "power", "arctan2", "hypot", "round")}
FUNCTIONS["fabs"] = np.abs
FUNCTIONS["min"] = np.minimum
FUNCTIONS["max"] = np.maximum
CONSTANTS = {"pi": np.pi, "e": np.e, "inf": np.inf}

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow, ast.Mod: operator.mod,
           ast.FloorDiv: operator.floordiv}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: np.logical_not}
_COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
            ast.Eq: operator.eq, ast.NotEq: operator.ne}


def compile_expression(expression: str, variables: tuple[str, ...], argument: str = "expression"
                       ) -> Callable[..., np.ndarray]:
    """A vectorised function of ``variables`` computing ``expression``."""
    if not isinstance(expression, str):
        raise InvalidParameterValueError(f"{argument} must be a string, got {type(expression).__name__}")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as err:
        raise InvalidParameterValueError(f"{argument} {expression!r} is not a valid expression: {err.msg}") from None

    def check(node: ast.AST) -> None:
        if isinstance(node, ast.Expression):
            check(node.body)
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, (int, float, bool)):
                raise InvalidParameterValueError(f"{argument} {expression!r}: only numbers are allowed as constants")
        elif isinstance(node, ast.Name):
            if node.id not in variables and node.id not in CONSTANTS:
                raise InvalidParameterValueError(
                    f"{argument} {expression!r}: unknown name {node.id!r}; allowed: "
                    f"{', '.join(variables + tuple(CONSTANTS))}")
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            check(node.left), check(node.right)
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            check(node.operand)
        elif isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
            check(node.left)
            for comparator in node.comparators:
                check(comparator)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                check(value)
        elif isinstance(node, ast.IfExp):
            check(node.test), check(node.body), check(node.orelse)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS \
                and not node.keywords:
            for arg in node.args:
                check(arg)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in variables:
            check(node.slice)
        else:
            raise InvalidParameterValueError(
                f"{argument} {expression!r}: {type(node).__name__} is not allowed "
                f"(numbers, {', '.join(variables)}, arithmetic, comparisons and "
                f"{', '.join(sorted(FUNCTIONS))} only)")

    check(tree)

    def evaluate(node: ast.AST, env: dict[str, np.ndarray]):
        if isinstance(node, ast.Expression):
            return evaluate(node.body, env)
        if isinstance(node, ast.Constant):   # numpy numbers: 1/0 or 10**400 give inf, not a Python error
            return node.value if isinstance(node.value, bool) else np.float64(node.value)
        if isinstance(node, ast.Name):
            return env[node.id] if node.id in env else CONSTANTS[node.id]
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](evaluate(node.left, env), evaluate(node.right, env))
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](evaluate(node.operand, env))
        if isinstance(node, ast.Compare):
            left = evaluate(node.left, env)
            result = True
            for op, comparator in zip(node.ops, node.comparators):
                right = evaluate(comparator, env)
                result = np.logical_and(result, _COMPARE[type(op)](left, right))
                left = right
            return result
        if isinstance(node, ast.BoolOp):
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            result = evaluate(node.values[0], env)
            for value in node.values[1:]:
                result = combine(result, evaluate(value, env))
            return result
        if isinstance(node, ast.IfExp):
            return np.where(evaluate(node.test, env), evaluate(node.body, env), evaluate(node.orelse, env))
        if isinstance(node, ast.Subscript):
            index = evaluate(node.slice, env)
            if isinstance(index, np.floating):
                if not float(index).is_integer():
                    raise InvalidParameterValueError(f"{expression!r}: an index must be a whole number, got {index}")
                index = int(index)
            return env[node.value.id][index]
        if isinstance(node, ast.Call):
            return FUNCTIONS[node.func.id](*(evaluate(a, env) for a in node.args))
        raise AssertionError(node)  # pragma: no cover - excluded by check()

    def function(*args: np.ndarray) -> np.ndarray:
        env = dict(zip(variables, args))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.asarray(evaluate(tree, env), dtype=float)

    function.expression = expression  # type: ignore[attr-defined]
    return function


def distance_expression(expression: str, argument: str = "d_expression") -> Callable[[np.ndarray], np.ndarray]:
    """A vectorised function of the distance ``d`` (µm) from a string such as ``"exp(-d/100)"``."""
    return compile_expression(expression, ("d",), argument)
