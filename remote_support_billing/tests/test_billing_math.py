"""Plain pytest tests of billing_math, the addon's pure arithmetic: no database, no Odoo.

Run alone, without a database (well under a second):
    python remote_support_billing/tests/test_billing_math.py [pytest options]
They also run in the normal `make test` suite (pytest-odoo).
"""

import importlib.util
import os
import sys
import types
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def _load_billing_math():
    """billing_math from its file: importing it through the addon package would import the
    addon's Odoo models (the package's __init__), which need a registry."""
    name = "rsb_billing_math"
    if name not in sys.modules:
        path = Path(__file__).resolve().parent.parent / "billing_math.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


bm = _load_billing_math()
D = Decimal
# Few examples per property, so the file stays well under a second; more with e.g.
# RSB_MATH_EXAMPLES=2000.
FAST = settings(
    max_examples=int(os.environ.get("RSB_MATH_EXAMPLES", 25)), deadline=None, database=None
)

minutes_st = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False)
cents_st = st.decimals(min_value=D("0.01"), max_value=1_000_000, places=2, allow_nan=False)


# --------------------------------------------------------------------------- helpers
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, D("0.1")),
        (1.1666666666666667, D("1.1666666666666667")),
        ("2.50", D("2.50")),
        (3, D(3)),
        (None, D(0)),
        (D("1.005"), D("1.005")),
    ],
)
def test_to_decimal(value, expected):
    assert bm.to_decimal(value) == expected


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        (1.005, 0.01, D("1.01")),
        (2.675, 0.01, D("2.68")),
        (-1.005, 0.01, D("-1.01")),
        (1.02, 0.05, D("1.00")),
        (1.025, 0.05, D("1.05")),
        (14.3333, "0.01", D("14.33")),
        (7, 1, D(7)),
    ],
)
def test_round_to_half_up(value, rounding, expected):
    assert bm.round_to(value, rounding) == expected


def test_round_to_refuses_zero_rounding():
    with pytest.raises(ValueError):
        bm.round_to(1, 0)


# --------------------------------------------------------------------------- minutes
@pytest.mark.parametrize(
    ("logged", "increment", "minimum", "free", "expected"),
    [
        (0, 15, 30, 0, 0),  # nothing logged, nothing billed (even with a minimum)
        (5, 15, 30, 5, 0),  # quick fix at the free limit: free
        (5.01, 15, 30, 5, 30),  # just over it: the minimum
        (61, 10, 0, 0, 70),  # 10-minute increments: exact minutes
        (60, 10, 0, 0, 60),
        (70, 15, 0, 0, 75),
        (70, 0, 0, 0, 70),  # no increment: as logged
        (20, 15, 60, 0, 60),  # the minimum
        (1.1666666666666667 * 60, 10, 0, 0, 70),  # a float 70 min is 70, not 80
        (D("45.5"), 0, 0, 0, D("45.5")),
    ],
)
def test_charged_minutes(logged, increment, minimum, free, expected):
    assert bm.charged_minutes(logged, increment, minimum, free) == expected


def test_charged_minutes_refuses_negative_settings():
    with pytest.raises(ValueError):
        bm.charged_minutes(10, increment=-5)


@FAST
@given(
    logged=minutes_st,
    increment=st.integers(min_value=0, max_value=60),
    minimum=st.integers(min_value=0, max_value=120),
    free=st.integers(min_value=0, max_value=15),
)
def test_charged_minutes_properties(logged, increment, minimum, free):
    charged = bm.charged_minutes(logged, increment, minimum, free)
    if logged <= free:
        assert charged == 0
        return
    assert charged >= logged
    assert charged >= minimum
    if increment and charged != minimum:
        assert charged % increment == 0
        assert charged - logged < increment


@FAST
@given(blocks=st.integers(min_value=1, max_value=200), extra=st.integers(min_value=1, max_value=9))
def test_ten_minute_increment_is_exact(blocks, extra):
    """Any time in 10-minute increments bills exactly blocks of 10 minutes: at 86.00/h,
    each block is 86/6 and the total is rounded once."""
    logged = blocks * 10 - 10 + extra  # inside the block
    charged = bm.charged_minutes(logged, increment=10)
    assert charged == blocks * 10
    assert bm.amount_for_minutes(charged, 86) == bm.round_to(D(86) * blocks / 6)


# --------------------------------------------------------------------------- money for time
@pytest.mark.parametrize(
    ("minutes", "rate", "rounding", "expected"),
    [
        (10, 86, 0.01, D("14.33")),
        (70, 86, 0.01, D("100.33")),
        (75, 86, 0.01, D("107.50")),
        (60, 86, 0.01, D("86.00")),
        (1, 100, 0.01, D("1.67")),
        (10, 86, 0.05, D("14.35")),
        (10, 86, 1, D("14")),
        (0, 86, 0.01, D("0.00")),
    ],
)
def test_amount_for_minutes(minutes, rate, rounding, expected):
    assert bm.amount_for_minutes(minutes, rate, rounding) == expected


@pytest.mark.parametrize(
    ("minutes", "digits", "expected"),
    [
        (10, 2, D("0.17")),
        (70, 2, D("1.17")),
        (75, 2, D("1.25")),
        (10, 3, D("0.167")),
        (90, 0, D("2")),
        (0, 2, D("0.00")),
    ],
)
def test_hours_quantity(minutes, digits, expected):
    assert bm.hours_quantity(minutes, digits) == expected


@FAST
@given(minutes=minutes_st, rate=cents_st)
def test_amount_for_minutes_within_half_a_cent(minutes, rate):
    amount = bm.amount_for_minutes(minutes, rate)
    assert abs(amount - minutes * rate / 60) <= D("0.005")
    assert amount == amount.quantize(D("0.01"))


# --------------------------------------------------------------------------- annuity
def test_annuity_monthly_with_interest():
    """$600 at 12 % over 6 months: 103.53 a month, the last one 103.51."""
    rows = bm.annuity_schedule(600, 6, 0.12, 12)
    assert rows == [
        (D("103.53"), D("6.00"), D("97.53")),
        (D("103.53"), D("5.02"), D("98.51")),
        (D("103.53"), D("4.04"), D("99.49")),
        (D("103.53"), D("3.04"), D("100.49")),
        (D("103.53"), D("2.04"), D("101.49")),
        (D("103.51"), D("1.02"), D("102.49")),
    ]


def test_annuity_weekly():
    rows = bm.annuity_schedule(1000, 4, D("0.104"), 52)
    assert [row[1] for row in rows] == [D("2.00"), D("1.50"), D("1.00"), D("0.50")]
    assert {row[0] for row in rows} == {D("251.25")}


def test_annuity_zero_rate_equal_parts():
    assert bm.annuity_schedule(100, 3, 0, 12) == [
        (D("33.33"), D("0.00"), D("33.33")),
        (D("33.33"), D("0.00"), D("33.33")),
        (D("33.34"), D("0.00"), D("33.34")),
    ]


def test_annuity_edge_cases():
    assert bm.annuity_schedule(100, 0, 0.1, 12) == []
    assert bm.annuity_schedule(100, 1, 0.12, 12) == [(D("101.00"), D("1.00"), D("100.00"))]
    # too small for the count: a part of 0 or less, which the plan refuses
    assert any(part <= 0 for _p, _i, part in bm.annuity_schedule(0.07, 10, 0, 12))
    with pytest.raises(ValueError):
        bm.annuity_schedule(100, 3, -0.1, 12)


@FAST
@given(
    principal=cents_st,
    count=st.integers(min_value=1, max_value=240),
    rate=st.decimals(min_value=0, max_value=1, places=4),
    periods=st.sampled_from([12, 26, 52]),
)
def test_annuity_principal_parts_sum_to_principal(principal, count, rate, periods):
    rows = bm.annuity_schedule(principal, count, rate, periods)
    assert len(rows) == count
    assert sum(part for _p, _i, part in rows) == principal
    for payment, interest, part in rows:
        assert payment == interest + part
        assert payment == payment.quantize(D("0.01"))
    # a schedule the plan accepts (every part repays something): interest is never negative
    # and falls as the balance is repaid; the payments are equal except the last
    interests = [interest for _p, interest, _part in rows]
    if all(part > 0 for _p, _i, part in rows):
        assert min(interests) >= 0
        assert interests == sorted(interests, reverse=True)
        assert len({payment for payment, _i, _part in rows[:-1]}) <= 1


@FAST
@given(principal=cents_st, count=st.integers(min_value=1, max_value=60))
def test_annuity_zero_rate_parts_differ_by_cents(principal, count):
    rows = bm.annuity_schedule(principal, count, 0, 12)
    assert all(interest == 0 for _p, interest, _part in rows)
    if principal >= count * D("0.01") * 2:
        parts = [part for _p, _i, part in rows]
        assert max(parts) - min(parts) <= D("0.01") * count


# --------------------------------------------------------------------------- interest
def test_interest_for_period():
    assert bm.interest_for_period(1000, 0.12, 30) == D("9.86")
    assert bm.interest_for_period(1000, 0.12, 7) == D("2.30")
    assert bm.interest_for_period(1000, 0.12, 365) == D("120.00")
    assert bm.interest_for_period(1000, 0.12, 366, days_in_year=366) == D("120.00")
    assert bm.interest_for_period(1000, 0.12, -3) == D("0.00")
    assert bm.interest_for_period(1000, 0.12, 30, rounding=None) == D(1000) * D("0.12") * 30 / 365


def test_interest_due_once_per_day_across_levels():
    """$1,000 at 12 %, levels at +7 and +30: 2.30 + 7.56 = 9.86, the interest of 30
    days (not 2.30 + 9.86 = 12.16)."""
    due = date(2026, 1, 1)
    first = bm.interest_due(1000, 0.12, due, due + timedelta(days=7))
    second = bm.interest_due(1000, 0.12, due, due + timedelta(days=30), due + timedelta(days=7))
    assert (first, second) == (D("2.30"), D("7.56"))
    assert first + second == bm.interest_for_period(1000, 0.12, 30) == D("9.86")


def test_interest_due_never_negative():
    due = date(2026, 1, 31)
    assert bm.interest_due(1000, 0.12, due, date(2026, 1, 1)) == 0
    # already charged beyond the date asked
    assert bm.interest_due(1000, 0.12, due, date(2026, 2, 10), date(2026, 3, 1)) == 0
    # charged_until before the due date: counts from the due date
    assert bm.interest_due(1000, 0.365, due, date(2026, 2, 10), date(2026, 1, 1)) == D("10.00")
    with pytest.raises(TypeError):
        bm.interest_due(1000, 0.12, "2026-01-01", date(2026, 2, 1))


@FAST
@given(
    amount=cents_st,
    rate=st.decimals(min_value=0, max_value=D("0.5"), places=4),
    cuts=st.lists(st.integers(min_value=-10, max_value=400), max_size=6),
)
def test_interest_days_add_up_across_levels(amount, rate, cuts):
    """However the lateness is cut into levels, each day is charged once: the days charged
    add up to the days late, and the amounts to the total within half a cent a level."""
    due = date(2026, 1, 1)
    charged_until, days, total = None, 0, D(0)
    for cut in sorted(cuts):
        as_of = due + timedelta(days=cut)
        days += bm.interest_days(due, as_of, charged_until)
        total += bm.interest_due(amount, rate, due, as_of, charged_until)
        charged_until = max(as_of, charged_until or as_of)
    late = max(max(cuts, default=0), 0)
    assert days == late
    exact = bm.interest_for_period(amount, rate, late, rounding=None)
    assert abs(total - exact) <= D("0.005") * max(len(cuts), 1)


# --------------------------------------------------------------------------- aging
@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, "current"),
        (0, "current"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "90_plus"),
        (5000, "90_plus"),
    ],
)
def test_aging_bucket_default_limits(days, bucket):
    assert bm.aging_bucket(days) == bucket


def test_aging_buckets_custom_limits():
    assert bm.aging_buckets((0, 15, 45)) == [
        ("current", 0),
        ("1_15", 15),
        ("16_45", 45),
        ("45_plus", None),
    ]
    assert bm.aging_bucket(16, (0, 15, 45)) == "16_45"
    with pytest.raises(ValueError):
        bm.aging_buckets((0, 60, 30))


@FAST
@given(days=st.integers(min_value=-1000, max_value=10_000))
def test_aging_bucket_is_monotonic(days):
    keys = [key for key, _upper in bm.aging_buckets()]
    assert keys.index(bm.aging_bucket(days)) <= keys.index(bm.aging_bucket(days + 1))


if __name__ == "__main__":
    # Run alone: `pytest -p no:odoo <this file>` is not enough, pytest would import the file
    # as part of the addon package and so run the addon's __init__, which loads its Odoo
    # models. Empty stand-ins for the addon's packages let pytest import only this file.
    addon = Path(__file__).resolve().parent.parent
    for package, folder in (
        ("remote_support_billing", addon),
        ("remote_support_billing.tests", addon / "tests"),
    ):
        stand_in = types.ModuleType(package)
        stand_in.__path__ = [str(folder)]
        sys.modules.setdefault(package, stand_in)
    options = [
        "-p",
        "no:odoo",
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    ]
    sys.exit(pytest.main([*options, __file__, *sys.argv[1:]]))
