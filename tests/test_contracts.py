"""One contract test for the whole public API (optax style).

For every public callable of every accelbook module (everything in ``__all__``, and the public methods of
public classes) the tables in ``tests/contract_specs/`` say how to make a valid call and which bad values each
parameter's documented type excludes.  Each bad value must raise ValueError or TypeError whose message names
that parameter exactly as the signature spells it.  A public callable with parameters that is in no table
fails ``test_every_public_callable_has_a_contract``, so new functions cannot slip through; a table entry
that leaves a parameter unexamined fails ``test_every_parameter_is_examined``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import warnings

import matplotlib
import numpy as np
import pytest

import accelbook
import contract_specs
from contract_specs import Spec, bad_values

matplotlib.use("Agg")


def _modules():
    """Every accelbook module, sub-package modules included (private ones, ``_x``, excluded)."""
    out = []
    for info in pkgutil.walk_packages(accelbook.__path__, "accelbook."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        out.append(importlib.import_module(info.name))
    return out


def _public_callables():
    """qualified name -> object, for every callable in a module's ``__all__`` defined in that module,
    plus the public methods of public classes."""
    found = {}
    for mod in _modules():
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if not callable(obj) or inspect.ismodule(obj):
                continue
            home = getattr(obj, "__module__", mod.__name__)
            if home != mod.__name__:          # a re-export: its home module lists it
                continue
            qual = f"{mod.__name__}.{name}"
            found[qual] = obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_") or not callable(member) or isinstance(member, property):
                        continue
                    found[f"{qual}.{attr}"] = member
    return found


def _parameters(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    return [p for p in sig.parameters.values()
            if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def _tables():
    specs, exempt = {}, {}
    for info in pkgutil.iter_modules(contract_specs.__path__):
        mod = importlib.import_module(f"contract_specs.{info.name}")
        for key, spec in getattr(mod, "SPECS", {}).items():
            assert key not in specs, f"{key} has two contract entries"
            specs[key] = spec
        exempt.update(getattr(mod, "EXEMPT", {}))
    return specs, exempt


SPECS, EXEMPT = _tables()
PUBLIC = _public_callables()


def _resolve(qual):
    parts = qual.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise LookupError(qual)


def test_every_public_callable_has_a_contract():
    missing = sorted(q for q, obj in PUBLIC.items() if _parameters(obj) and q not in SPECS and q not in EXEMPT)
    assert not missing, f"public callables without a contract table entry: {missing}"


def test_the_tables_name_only_public_callables():
    stale = sorted(set(SPECS) | set(EXEMPT)) 
    stale = [q for q in stale if q not in PUBLIC]
    assert not stale, f"contract entries for names that are not public (renamed or removed?): {stale}"


@pytest.mark.parametrize("qual", sorted(SPECS))
def test_every_parameter_is_examined(qual):
    spec = SPECS[qual]
    names = {p.name for p in _parameters(_resolve(qual))}
    unexamined = names - set(spec.bad) - set(spec.free)
    assert not unexamined, f"{qual}: parameters with neither bad values nor a reason: {sorted(unexamined)}"
    unknown = (set(spec.bad) | set(spec.free)) - names
    assert not unknown, f"{qual}: the table names parameters the signature does not have: {sorted(unknown)}"


def _cases():
    for qual in sorted(SPECS):
        for param, entry in SPECS[qual].bad.items():
            for k, value in enumerate(bad_values(entry)):
                yield pytest.param(qual, param, value, id=f"{qual}-{param}-{k}")


@pytest.mark.parametrize("qual, param, value", list(_cases()))
def test_bad_input_is_refused_by_name(qual, param, value):
    spec: Spec = SPECS[qual]
    target = spec.target() if spec.target is not None else _resolve(qual)
    kwargs = dict(spec.valid())
    assert param in kwargs or param in {p.name for p in _parameters(target)}, f"{qual}: no parameter {param}"
    kwargs[param] = value
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises((ValueError, TypeError)) as info:
            target(**kwargs)
    message = str(info.value)
    assert re.search(rf"(?<![\w.]){re.escape(param)}(?![\w])", message), \
        f"{qual}({param}={value!r}) raised {type(info.value).__name__}: {message!r}, which does not name {param!r}"


@pytest.mark.parametrize("qual", sorted(SPECS))
def test_the_valid_call_succeeds(qual):
    """The baseline of every bad-value case: the table's valid call raises nothing and warns nothing, so a
    refusal in the bad-value tests comes from the bad value alone."""
    spec = SPECS[qual]
    target = spec.target() if spec.target is not None else _resolve(qual)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        target(**spec.valid())
    assert not caught, f"{qual}: the valid call warned: {[str(w.message) for w in caught]}"


def test_complex_arrays_are_refused_by_name_not_cast():
    """numpy casts complex to float with only a ComplexWarning, dropping the imaginary parts: the validators
    refuse complex input instead, naming the argument (here through one public function of each kind)."""
    ab = accelbook
    W = np.ones((4, 3)) * (1 + 1j)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match=r"^W must be an array of real numbers, got complex"):
            ab.relu.gram(W, np.eye(3)[:2] * 0.5)
        with pytest.raises(TypeError, match=r"^H must be an array of real numbers, got complex"):
            ab.theory.momentum_matrix(np.eye(2) * (1 + 0j), 0.1, 0.5)
        with pytest.raises(TypeError, match=r"^x must be a real number or an array of real numbers, got dtype complex"):
            ab.lrp.lrp_function([0.5 + 0j])
