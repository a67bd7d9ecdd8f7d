"""The ranking's scores round as Python does, so an independent recomputation ranks them the same."""

from __future__ import annotations

import math

import pandas as pd

from ledger.kpi import one_decimal


def test_scores_round_like_python_at_the_halves_numpy_rounds_up():
    values = [0.15, 1.15, 57.15, 66.65, 12.25, 99.95, 100.0, 0.0, 33.333333333333336]
    assert [x for x in pd.Series(values).round(1)] != [round(x, 1) for x in values]  # the case this guards against
    assert list(one_decimal(pd.Series(values))) == [round(x, 1) for x in values]


def test_a_missing_score_stays_missing():
    out = one_decimal(pd.Series([float("nan"), 1.25]))
    assert math.isnan(out.iat[0]) and out.iat[1] == 1.2
