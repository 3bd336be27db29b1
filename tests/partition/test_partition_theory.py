"""accelbook.partition.theory: β of Theorem 7, the rates and bounds of Theorems 6 and 7, the methods' parameters
and the stable step of the additive model."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelbook import partition as P, theory

kappas = st.floats(1.0, 1e4)
cs = st.floats(0.01, 1.0)


def test_nesterov_beta_values():
    assert P.nesterov_beta(1.0) == pytest.approx(3 / 11)
    assert P.nesterov_beta(16.0) == pytest.approx(15 / 23)
    assert P.nesterov_beta(100.0, c=0.25) == pytest.approx((40 - 0.5) / (40 + 3.5))
    k = np.array([1.0, 10.0, 1e3])
    np.testing.assert_allclose(P.nesterov_beta(k, 0.5), [P.nesterov_beta(float(x), 0.5) for x in k])
    assert isinstance(P.nesterov_beta(4.0), float)


@given(kappa=kappas, c=cs)
def test_nesterov_beta_properties(kappa, c):
    b = P.nesterov_beta(kappa, c)
    assert 3 / 11 - 1e-12 <= b < 1
    assert P.nesterov_beta(kappa * 1.5, c) > b  # more momentum for worse conditioning
    assert P.nesterov_beta(kappa, c * 0.5) > b  # and for a smaller step
    # 1 - beta = 8 sqrt(c) / (4 sqrt(kappa) + 7 sqrt(c))
    assert 1 - b == pytest.approx(8 * np.sqrt(c) / (4 * np.sqrt(kappa) + 7 * np.sqrt(c)), rel=1e-9)


def test_nesterov_beta_asymptotics():
    k = 1e12
    assert (1 - P.nesterov_beta(k, 0.36)) * np.sqrt(k) == pytest.approx(2 * 0.6, rel=1e-5)


@given(kappa=kappas, c=cs, k=st.integers(0, 500))
def test_rates_and_bounds(kappa, c, k):
    assert P.theorem6_rate(kappa, c) == pytest.approx(1 - c / (4 * kappa))
    assert P.theorem7_rate(kappa, c) == pytest.approx(1 - c / (4 * np.sqrt(kappa)))
    assert P.theorem7_rate(kappa, c) <= P.theorem6_rate(kappa, c) + 1e-15  # equality only at kappa = 1
    assert P.theorem6_bound(kappa, k, c) == pytest.approx(P.theorem6_rate(kappa, c) ** k)
    assert P.theorem7_bound(kappa, k, c) == pytest.approx(2 * P.theorem7_rate(kappa, c) ** k)


def test_rate_iteration_counts_scale_like_kappa_and_sqrt_kappa():
    its = lambda rate: np.log(1e-2) / np.log(rate)  # noqa: E731
    ratio = [its(P.theorem6_rate(k)) / its(P.theorem7_rate(k)) for k in (1e4, 1e6)]
    assert ratio[1] / ratio[0] == pytest.approx(10, rel=0.01)  # the ratio grows like sqrt(kappa)
    np.testing.assert_array_equal(P.theorem7_bound(10.0, [0, 0]), [2.0, 2.0])


def test_method_parameters():
    assert P.method_parameters("gd", 50.0, 2.0, 0.5) == (0.25, 0.0)
    eta, beta = P.method_parameters("nesterov", 50.0, 2.0, 0.5)
    assert eta == 0.25 and beta == P.nesterov_beta(50.0, 0.5)
    # heavy ball with c = 1 is Corollary 1 of Wang et al. (Chapter 1)
    np.testing.assert_allclose(P.method_parameters("heavy_ball", 50.0, 2.0),
                               theory.corollary1_parameters(2.0 / 50, 2.0))


def test_safe_c():
    model, _ = P.make_additive(100.0, 5.0, n_trials=2, seed=0)
    assert P.safe_c(model) == pytest.approx(1 / 26)
    model, _ = P.make_additive(100.0, 0.0, n_trials=2, seed=0)
    assert P.safe_c(model) == 1.0


@pytest.mark.parametrize("call, exc, match", [
    (lambda: P.nesterov_beta(0.5), ValueError, "kappa must be >= 1"),
    (lambda: P.nesterov_beta(np.nan), ValueError, "kappa must contain only finite values"),
    (lambda: P.nesterov_beta("abc"), TypeError, "kappa must be a real number"),
    (lambda: P.nesterov_beta(10.0, c=0.0), ValueError, "c must be > 0"),
    (lambda: P.nesterov_beta(10.0, c=17.0), ValueError, "c must be <= 16"),
    (lambda: P.theorem7_rate(10.0, c=4.5), ValueError, "c must be <= 4"),
    (lambda: P.method_parameters("heavy_ball", 1.0, 1.0, c=4.0), ValueError, "c must be < 4 kappa"),
    (lambda: P.nesterov_beta(10.0, c="1"), TypeError, "c must be a real number"),
    (lambda: P.theorem6_bound(10.0, -1), ValueError, "k must be >= 0"),
    (lambda: P.theorem7_bound(10.0, 1.5), ValueError, "k must contain integers"),
    (lambda: P.method_parameters("adam", 10.0, 1.0), ValueError, "method must be one of"),
    (lambda: P.method_parameters("gd", 10.0, 0.0), ValueError, "L1 must be > 0"),
    (lambda: P.safe_c("model"), TypeError, "model must be a AdditiveModel"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_theorem_conditions_on_the_issue_instance():
    """kappa = 100 (mu = 0.01, L1 = L2 = 1), constants 1: sigma_max(A2) = 0.01 already exceeds Theorem 7's
    G1^2 G2^2 condition by more than an order of magnitude (explainer form), 0.3 by about seven."""
    r = P.theorem_conditions(0.01, 1.0, 1.0, 0.01, 0.01, 1.0)["ratios"]
    assert r["thm7_G1G2_explainer"] > 10 and r["thm7_G1G2"] == pytest.approx(10.0)
    assert r["thm6_G1"] == pytest.approx(1e-4) and r["thm6_Rx"] == 0 and r["thm7_Ru"] == 0  # R = inf
    r = P.theorem_conditions(0.01, 1.0, 1.0, 0.3, 0.3, 1.0)["ratios"]
    assert 6.5 < np.log10(r["thm7_G1G2_explainer"]) < 7.5 and r["thm6_G1"] == pytest.approx(81.0)


@given(mu=st.floats(1e-3, 1.0), kappa=st.floats(1.0, 1e4), L2=st.floats(0.1, 10.0), G1=st.floats(0.0, 1.0),
       G2=st.floats(0.0, 1.0), C=st.floats(0.01, 100.0), R=st.floats(0.1, 1e3))
def test_theorem_conditions_scale_as_stated(mu, kappa, L2, G1, G2, C, R):
    """Each smallness ratio scales like 1/constant and each radius ratio like constant/R; Theorem 6's G1
    condition is met exactly at G1^4 = constant mu^2/L2^2; R = inf always meets the radius conditions."""
    L1 = mu * kappa
    one = P.theorem_conditions(mu, L1, L2, G1, G2, 2.0, R_x=R, R_u=R)
    r = P.theorem_conditions(mu, L1, L2, G1, G2, 2.0, R_x=R, R_u=R, constant=C)
    for key in one["ratios"]:
        factor = C / 1.0 if key.endswith(("Rx", "Ru")) else 1.0 / C
        assert r["ratios"][key] == pytest.approx(one["ratios"][key] * factor, rel=1e-9, abs=1e-300)
    edge = (C * mu ** 2 / L2 ** 2) ** 0.25
    assert P.theorem_conditions(mu, L1, L2, edge, G2, 2.0, constant=C)["ratios"]["thm6_G1"] == pytest.approx(1.0)
    far = P.theorem_conditions(mu, L1, L2, G1, G2, 2.0)["ratios"]
    assert all(far[k] == 0 for k in far if k.endswith(("Rx", "Ru")))


def test_the_two_forms_of_theorem_7_agree_up_to_constants():
    """For L2 = 1 and large kappa, the explainer's conditions are the poster's times 4/c^(3/2) (G1^4) and 2/c
    (G1^2 G2^2): the same powers of mu, L1, L2, different absolute constants."""
    for c in (0.25, 1.0):
        r = P.theorem_conditions(1e-6, 1.0, 1.0, 1e-3, 1e-3, 1.0, c=c)["ratios"]
        assert r["thm7_G1_explainer"] / r["thm7_G1"] == pytest.approx(4 / c ** 1.5, rel=1e-2)
        assert r["thm7_G1G2_explainer"] / r["thm7_G1G2"] == pytest.approx(2 / c, rel=1e-2)
    hold = P.conditions_hold(P.theorem_conditions(0.01, 1.0, 1.0, [1e-4, 0.3], 0.0, 1.0)["ratios"], ["thm6_G1"])
    assert hold.tolist() == [True, False]


@given(mu=st.floats(1e-3, 10.0), kappa=st.floats(1.0, 1e3), L2=st.floats(0.1, 10.0), G1=st.floats(1e-3, 3.0),
       G2=st.floats(1e-3, 3.0), gap=st.floats(1e-2, 1e2), c=st.floats(0.01, 4.0), C=st.floats(0.01, 100.0),
       R_x=st.floats(0.1, 1e3), R_u=st.floats(0.1, 1e3))
def test_theorem_conditions_are_the_stated_monomials(mu, kappa, L2, G1, G2, gap, c, C, R_x, R_u):
    """Each ratio is its condition of CONDITIONS (left side over right side, hidden constants = C) with eta = c/L1
    and kappa = L1/mu substituted by hand: Theorem 6's radii become C c sqrt(L1 gap)/mu and C c G1 sqrt(L2 gap)/mu,
    and the explainer's (1 - beta)/(1 + beta) with Theorem 7's beta is 4 sqrt(c)/(4 sqrt(kappa) + 3 sqrt(c)).
    Catches a wrong power, a product for a quotient, a wrong eta or kappa, a required radius not divided by R."""
    L1 = mu * kappa  # L1 != 1 and mu != L1 in general
    out = P.theorem_conditions(mu, L1, L2, G1, G2, gap, c=c, R_x=R_x, R_u=R_u, constant=C)
    r, req = out["ratios"], out["required"]
    q = 4 * np.sqrt(c) / (4 * np.sqrt(kappa) + 3 * np.sqrt(c))
    expected_required = {
        "R_x_thm6": C * c * np.sqrt(L1 * gap) / mu,
        "R_u_thm6": C * c * G1 * np.sqrt(L2 * gap) / mu,
        "R_x_thm7": C * (L1 * L2 ** 2 * gap ** 2 / mu ** 3) ** 0.25,
        "R_u_thm7": C * G1 * L2 * np.sqrt(gap) * (L1 ** 3 / mu ** 7) ** 0.25,
    }
    expected = {
        "thm6_G1": (G1 ** 2 * L2 / mu) ** 2 / C,
        "thm6_Rx": expected_required["R_x_thm6"] / R_x,
        "thm6_Ru": expected_required["R_u_thm6"] / R_u,
        "thm7_G1": G1 ** 4 * L1 * np.sqrt(L1) * L2 ** 3 / (C * mu ** 3 * np.sqrt(mu)),
        "thm7_G1G2": (G1 * G2) ** 2 * L1 * np.sqrt(L1) * L2 ** 2 / (C * mu ** 4 * np.sqrt(mu)),
        "thm7_Rx": expected_required["R_x_thm7"] / R_x,
        "thm7_Ru": expected_required["R_u_thm7"] / R_u,
        "thm7_G1_explainer": G1 ** 4 * L2 * (L2 + 1) ** 2 / (C * mu ** 2 * q ** 3),
        "thm7_G1G2_explainer": (G1 * G2) ** 2 * L2 * (L2 + 1) * np.sqrt(kappa) / (C * mu ** 3 * q ** 2),
    }
    assert set(r) == set(P.CONDITIONS) == set(expected) and set(req) == set(expected_required)
    for key, value in expected.items():
        assert r[key] == pytest.approx(value, rel=1e-9), key
        assert type(r[key]) is float, key  # scalar in, float out
    for key, value in expected_required.items():
        assert req[key] == pytest.approx(value, rel=1e-9), key


def test_theorem_conditions_boundaries():
    """mu = L1 (kappa = 1) is allowed, and so is mu a rounding error above L1; mu above L1 is refused by name;
    R = inf meets the radius conditions; an array input broadcasts trial by trial."""
    r = P.theorem_conditions(2.0, 2.0, 1.0, 0.1, 0.1, 1.0)["ratios"]
    assert r["thm6_G1"] == pytest.approx(0.1 ** 4 / 4.0)
    q = 4 / 7  # (1 - beta)/(1 + beta) with beta = 3/11 (kappa = 1, c = 1)
    assert r["thm7_G1_explainer"] == pytest.approx(0.1 ** 4 * 1 * 2 ** 2 / (2.0 ** 2 * q ** 3), rel=1e-12)
    assert r["thm7_G1G2_explainer"] == pytest.approx(0.1 ** 4 * 1 * 2 / (2.0 ** 3 * q ** 2), rel=1e-12)
    P.theorem_conditions(1.0 + 1e-12, 1.0, 1.0, 0.1, 0.1, 1.0)
    with pytest.raises(ValueError, match=r"mu must be <= L1 \(strong convexity cannot exceed smoothness\)"):
        P.theorem_conditions(1.5, 1.0, 1.0, 0.1, 0.1, 1.0)
    with pytest.raises(TypeError, match="R_x must be a positive real number or inf, got bool True"):
        P.theorem_conditions(0.5, 1.0, 1.0, 0.1, 0.1, 1.0, R_x=True)
    arr = P.theorem_conditions(0.5, 1.0, 1.0, [0.1, 0.2], 0.1, 1.0, R_x=[1.0, 2.0])["ratios"]
    one = [P.theorem_conditions(0.5, 1.0, 1.0, g, 0.1, 1.0, R_x=R)["ratios"] for g, R in ((0.1, 1.0), (0.2, 2.0))]
    for key in arr:
        np.testing.assert_allclose(arr[key], [o[key] for o in one], rtol=1e-12)


def test_conditions_hold_at_the_boundary():
    """A condition holds when its ratio is <= 1: exactly 1 holds, anything above does not."""
    ratios = {"thm6_G1": np.array([0.5, 1.0, 1.0 + 1e-9, 1.5]), "thm7_G1": np.array([1.0, 1.0, 0.0, 0.0])}
    assert P.conditions_hold(ratios, ["thm6_G1"]).tolist() == [True, True, False, False]
    assert P.conditions_hold(ratios, ("thm6_G1", "thm7_G1")).tolist() == [True, True, False, False]
    assert bool(P.conditions_hold({"thm6_G1": 1.0}, ["thm6_G1"])) is True


def test_scalar_inputs_give_floats_and_arrays_broadcast():
    """Scalar in, Python float out (rates, beta, bounds); array in, array out, entry by entry."""
    for value in (P.nesterov_beta(10.0), P.theorem6_rate(10.0), P.theorem7_rate(10.0),
                  P.theorem6_bound(10.0, 3), P.theorem7_bound(10.0, 3), P.theorem6_bound(10.0, 0)):
        assert type(value) is float
    assert P.theorem6_bound(10.0, 0) == 1.0 and P.theorem7_bound(10.0, 0) == 2.0
    ks = np.array([0, 1, 7])
    np.testing.assert_allclose(P.theorem6_bound(10.0, ks, 0.5), [P.theorem6_bound(10.0, int(k), 0.5) for k in ks])
    np.testing.assert_allclose(P.theorem7_bound(10.0, ks, 0.5), [P.theorem7_bound(10.0, int(k), 0.5) for k in ks])


@given(kappa=st.floats(1.0, 1e4), L1=st.floats(0.01, 100.0), c=st.floats(0.01, 3.99))
def test_method_parameters_step_is_c_over_L1(kappa, L1, c):
    """eta = c/L1 for every method and any L1 > 0 (also below 1); heavy ball's beta is (1 - sqrt(c/kappa)/2)^2,
    so 1 - sqrt(beta) = sqrt(eta mu)/2 with mu = L1/kappa."""
    for method in ("gd", "nesterov", "heavy_ball"):
        if method == "heavy_ball" and c >= 4 * kappa:
            continue
        eta, beta = P.method_parameters(method, kappa, L1, c)
        assert eta == pytest.approx(c / L1, rel=1e-12)
    eta, beta = P.method_parameters("heavy_ball", kappa, L1, c)
    assert 1 - np.sqrt(beta) == pytest.approx(0.5 * np.sqrt(eta * L1 / kappa), rel=1e-9, abs=1e-15)


def test_heavy_ball_refusal_states_the_bound():
    with pytest.raises(ValueError, match=r"c must be < 4 kappa = 8 for heavy ball's beta < 1, got 8"):
        P.method_parameters("heavy_ball", 2.0, 1.0, c=8.0)
