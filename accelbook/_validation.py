"""Argument checks shared by the public functions.

Every check raises ``TypeError`` (wrong kind of object) or ``ValueError`` (right kind,
inadmissible value) with a message that names the parameter and the violated condition.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["real_scalar", "int_scalar", "finite_array", "symmetric_psd", "rng_from", "choice", "flag",
           "callable_arg", "instance_of", "shown"]


def shown(value, limit=60):
    """A short ``repr`` of a received value for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def real_scalar(name, value, *, lo=None, hi=None, lo_open=False, hi_open=False):
    """Return ``value`` as a float after checking it is a finite real in the given range."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {shown(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if lo is not None and (value < lo or (lo_open and value == lo)):
        op = ">" if lo_open else ">="
        raise ValueError(f"{name} must be {op} {lo:g}, got {value:g}")
    if hi is not None and (value > hi or (hi_open and value == hi)):
        op = "<" if hi_open else "<="
        raise ValueError(f"{name} must be {op} {hi:g}, got {value:g}")
    return value


def int_scalar(name, value, *, lo=None):
    """Return ``value`` as an int after checking it is an integer ``>= lo``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {shown(value)}")
    value = int(value)
    if lo is not None and value < lo:
        raise ValueError(f"{name} must be >= {lo}, got {value}")
    return value


def finite_array(name, value, *, ndim=None, shape=None):
    """Return ``value`` as a float64 array after checking it is finite and of the right shape (complex
    values are refused: casting them would silently drop their imaginary parts)."""
    if np.iscomplexobj(value):
        raise TypeError(f"{name} must be an array of real numbers, got complex values")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of real numbers ({exc})") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return arr


def symmetric_psd(name, value, *, positive_definite=False, rtol=1e-10):
    """Check a symmetric positive semidefinite matrix; return it and its ascending eigenvalues.

    Symmetry is checked to ``rtol`` relative to the largest entry.  The eigensolver's absolute error is of
    order ``n eps max|eig|``: a computed eigenvalue in ``[-10 n eps max|eig|, 0)`` is rounding of a zero and is
    returned as 0 (one below that range means ``value`` is not PSD).  Positive computed eigenvalues are kept
    however small, so a positive definite matrix with a huge condition number (``diag(1e-16, 1)``, or a dense
    one with kappa = 1e13 and n = 50) is accepted as such.  Below about ``n eps max|eig|`` the computed
    eigenvalues of a *dense* matrix are dominated by rounding, and so is ``positive_definite``'s verdict.
    """
    H = finite_array(name, value, ndim=2)
    if H.shape[0] != H.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {H.shape}")
    if H.shape[0] == 0:
        raise ValueError(f"{name} must not be empty")
    scale = max(np.max(np.abs(H)), np.finfo(float).tiny)
    if not np.allclose(H, H.T, rtol=0.0, atol=rtol * scale):
        raise ValueError(f"{name} must be symmetric (max |{name} - {name}.T| = {np.max(np.abs(H - H.T)):.3g})")
    H = 0.5 * (H + H.T)
    eig = np.linalg.eigvalsh(H)
    tol = 10 * H.shape[0] * np.finfo(float).eps * max(np.max(np.abs(eig)), np.finfo(float).tiny)
    if eig[0] < -tol:
        raise ValueError(f"{name} must be positive semidefinite (smallest eigenvalue {eig[0]:.3g} < 0)")
    eig = np.maximum(eig, 0.0)
    if positive_definite and eig[0] <= 0:
        raise ValueError(f"{name} must be positive definite (smallest eigenvalue is 0)")
    return H, eig


def rng_from(seed):
    """A ``numpy.random.Generator`` from an int seed or an existing Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        raise TypeError("seed must be an int or a numpy.random.Generator (None is not reproducible)")
    return np.random.default_rng(int_scalar("seed", seed, lo=0))


def choice(name, value, options):
    """Return ``value`` after checking it is one of ``options`` (strings)."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(repr(o) for o in options)}, got {shown(value)}")
    return value


def flag(name, value):
    """Return ``value`` after checking it is a bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {shown(value)}")
    return bool(value)


def callable_arg(name, value, what="a function"):
    """Return ``value`` after checking it is callable."""
    if not callable(value):
        raise TypeError(f"{name} must be callable ({what}), got {type(value).__name__} {shown(value)}")
    return value


def instance_of(name, value, cls):
    """Return ``value`` after checking ``isinstance(value, cls)`` (a class or a tuple of classes)."""
    if not isinstance(value, cls):
        names = " or ".join(c.__name__ for c in (cls if isinstance(cls, tuple) else (cls,)))
        raise TypeError(f"{name} must be a {names}, got {type(value).__name__} {shown(value)}")
    return value


# ---------------------------------------------------------------- added for the flat modules (issue 12)
__all__ += ["real_array", "numeric_array", "count_array", "square_matrix", "optional_text", "text"]


def _kind_of_array(name, value):
    """Refuse what numpy would silently turn into numbers: strings, bools, None, objects."""
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(f"{name} must be a real number or an array of real numbers, got "
                        f"{type(value).__name__} {shown(value)}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of real numbers ({exc})") from None
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a real number or an array of real numbers, got dtype {arr.dtype} "
                        f"{shown(value)}")
    return arr.astype(np.float64)


def real_array(name, value, *, lo=None, hi=None, lo_open=False, hi_open=False, ndim=None, nonempty=False):
    """Return ``value`` as a finite float64 array (a scalar gives a 0-d array) with entries in the range.

    Unlike :func:`finite_array`, strings, bools and ``None`` are refused with a ``TypeError`` (numpy would
    read ``True`` as 1.0), and the range is checked entry by entry.
    """
    arr = _kind_of_array(name, value)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (no NaN or inf), got {shown(value)}")
    if arr.size and lo is not None:
        bad = arr <= lo if lo_open else arr < lo
        if np.any(bad):
            raise ValueError(f"{name} must be {'>' if lo_open else '>='} {lo:g}, got {arr[bad].flat[0]:g}")
    if arr.size and hi is not None:
        bad = arr >= hi if hi_open else arr > hi
        if np.any(bad):
            raise ValueError(f"{name} must be {'<' if hi_open else '<='} {hi:g}, got {arr[bad].flat[0]:g}")
    return arr


def numeric_array(name, value, *, ndim=None):
    """Return ``value`` as a float64 array of numbers, NaN and inf allowed (values to draw: matplotlib
    leaves gaps there); strings, bools and ``None`` are refused with a ``TypeError``."""
    arr = _kind_of_array(name, value)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    return arr


def count_array(name, value, *, lo=0):
    """Return ``value`` as an int array after checking every entry is a whole number ``>= lo``
    (iteration counts ``t``; integral floats such as ``3.0`` are accepted)."""
    arr = real_array(name, value)
    if np.any(arr != np.round(arr)):
        raise ValueError(f"{name} must hold whole numbers (iteration counts), got {shown(value)}")
    if arr.size and np.any(arr < lo):
        raise ValueError(f"{name} must be >= {lo}, got {int(arr.min())}")
    return arr.astype(np.int64)


def square_matrix(name, value):
    """Return ``value`` as a finite, non-empty, square float64 matrix."""
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(f"{name} must be a square matrix of real numbers, got {type(value).__name__} {shown(value)}")
    M = finite_array(name, value, ndim=2)
    if M.shape[0] != M.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {M.shape}")
    if M.size == 0:
        raise ValueError(f"{name} must not be empty")
    return M


def optional_text(name, value):
    """Return ``value`` after checking it is a str or ``None`` (labels, titles)."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str or None, got {type(value).__name__} {shown(value)}")
    return value


def text(name, value):
    """Return ``value`` after checking it is a str (axis labels)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__} {shown(value)}")
    return value


def int_array(name, value, *, lo=None):
    """Return ``value`` (an integer or an array of integers, integral floats accepted) as an int array after
    checking that it is non-empty and every entry is ``>= lo`` (bools and strings are refused)."""
    arr = real_array(name, value, lo=lo, nonempty=True)
    if np.any(arr != np.round(arr)):
        raise ValueError(f"{name} must contain integers, got {shown(value)}")
    return arr.astype(np.int64)


def int_sequence(name, values, *, lo=None):
    """Return ``values`` as a non-empty list of ints, each checked by :func:`int_scalar` (named ``name[i]``)."""
    if isinstance(values, (str, bytes)) or not np.iterable(values):
        raise TypeError(f"{name} must be a sequence of integers, got {type(values).__name__} {shown(values)}")
    out = [int_scalar(f"{name}[{i}]", v, lo=lo) for i, v in enumerate(values)]
    if not out:
        raise ValueError(f"{name} must not be empty, got {shown(values)}")
    return out


def real_sequence(name, values, **bounds):
    """Return ``values`` as a non-empty list of floats, each checked by :func:`real_scalar` (named ``name[i]``)
    with the given ``lo``/``hi``/``lo_open``/``hi_open``."""
    if isinstance(values, (str, bytes)) or not np.iterable(values):
        raise TypeError(f"{name} must be a sequence of real numbers, got {type(values).__name__} {shown(values)}")
    out = [real_scalar(f"{name}[{i}]", v, **bounds) for i, v in enumerate(values)]
    if not out:
        raise ValueError(f"{name} must not be empty, got {shown(values)}")
    return out
