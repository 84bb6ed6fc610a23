"""Numbers as text for the tables people read (Markdown and HTML tables, log summaries): one rule, so that the
report, the evaluation, the comparison and the ensemble's contributions show a number the same way."""
from __future__ import annotations

import math

import numpy as np

#: What a table shows where a value is missing or not finite (an en dash).
DASH = "\u2013"


def number(value, digits: int = 3, fixed: bool = False, missing: str = DASH, small: float = 0.0) -> str:
    """``value`` for a table: ``digits`` significant digits (with ``fixed``, decimals); integers as they are
    (unless ``fixed``); text unchanged; None, NaN and infinities as ``missing``; with ``small``, magnitudes below
    it (0 excepted) in e-notation with two decimals."""
    if isinstance(value, str):
        return value
    if value is None:
        return missing
    if isinstance(value, (int, np.integer)) and not fixed:
        return str(int(value))
    value = float(value)
    if not math.isfinite(value):
        return missing
    if fixed:
        return f"{value:.{digits}f}"
    if small and value != 0 and abs(value) < small:
        return f"{value:.2e}"
    return f"{value:.{digits}g}"


def markdown_row(cells) -> str:
    """One row of a Markdown (GitHub) table."""
    return "| " + " | ".join(str(c) for c in cells) + " |"


def markdown_header(head) -> list[str]:
    """The header row of a Markdown table and its separator row."""
    return [markdown_row(head), "|" + "|".join("---" for _ in head) + "|"]
