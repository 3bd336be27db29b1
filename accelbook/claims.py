"""Claims the book's prose makes about its own computations, checked where they are computed.

A chapter cell that computes a number, a comparison or a trend the text states also calls :func:`claim`
with the condition and the sentence it backs; the build fails (the cell raises) the moment the claim stops
being true, with the sentence in the error::

    ab.claims.claim(hb_iters < gd_iters / 5, "heavy ball needs less than a fifth of GD's iterations")

:func:`claim_close` does the same for "equals", "about" and "to six digits".
"""

from __future__ import annotations

import numpy as np

from ._validation import real_scalar

__all__ = ["ClaimError", "claim", "claim_close"]


class ClaimError(AssertionError):
    """A sentence of the book is no longer true of the computation behind it."""


def _text(text):
    if not isinstance(text, str) or not text.strip():
        raise TypeError(f"text must be the sentence the claim backs (a non-empty str), got {text!r}")


def claim(condition, text):
    """Raise :class:`ClaimError` quoting ``text`` unless ``condition`` holds (every entry, for an array).

    Parameters
    ----------
    condition : bool or array_like of bool
    text : str
        The sentence (or its gist) in the prose that the condition backs.
    """
    _text(text)
    ok = np.asarray(condition)
    if ok.dtype != bool:
        raise TypeError(f"condition must be a bool or an array of bools, got dtype {ok.dtype}")
    if ok.size == 0 or not bool(np.all(ok)):
        raise ClaimError(f"The book claims: {text!r}, but the computation says otherwise.")
    return True


def claim_close(value, expected, text, *, rtol=1e-9, atol=0.0):
    """Raise :class:`ClaimError` quoting ``text`` unless ``value`` is within ``atol + rtol |expected|``.

    Parameters
    ----------
    value, expected : float or array_like
    text : str
    rtol, atol : float
        Non-negative tolerances.
    """
    _text(text)
    rtol = real_scalar("rtol", rtol, lo=0.0)
    atol = real_scalar("atol", atol, lo=0.0)
    v = np.asarray(value, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if not (np.all(np.isfinite(v)) and np.all(np.isfinite(e))):
        raise ClaimError(f"The book claims: {text!r}, but the value {value!r} or {expected!r} is not finite.")
    if not np.all(np.abs(v - e) <= atol + rtol * np.abs(e)):
        raise ClaimError(f"The book claims: {text!r}, but {value!r} is not within rtol={rtol:g}, atol={atol:g} "
                         f"of {expected!r}.")
    return True
