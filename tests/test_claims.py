import numpy as np
import pytest

from accelbook.claims import ClaimError, claim, claim_close


def test_claim_passes_and_fails_quoting_the_text():
    assert claim(True, "one is one")
    assert claim(np.array([1, 2]) < 3, "both below three")
    with pytest.raises(ClaimError, match="heavy ball is faster"):
        claim(2 > 3, "heavy ball is faster")
    with pytest.raises(ClaimError, match="every entry"):
        claim(np.array([True, False]), "every entry")
    with pytest.raises(ClaimError):
        claim(np.array([], dtype=bool), "vacuous")


def test_claim_close():
    assert claim_close(1.0 + 1e-12, 1.0, "equal")
    with pytest.raises(ClaimError, match="about 4"):
        claim_close(4.2, 4.0, "about 4", rtol=0.01)
    with pytest.raises(ClaimError, match="finite"):
        claim_close(np.nan, 1.0, "finite")


@pytest.mark.parametrize("call, name", [
    (lambda: claim(True, ""), "text"), (lambda: claim("yes", "t"), "condition"),
    (lambda: claim_close(1.0, 1.0, "t", rtol=-1.0), "rtol"), (lambda: claim_close(1.0, 1.0, "t", atol=np.nan), "atol"),
])
def test_bad_input(call, name):
    with pytest.raises((TypeError, ValueError), match=name):
        call()
