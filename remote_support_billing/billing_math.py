"""Exact arithmetic of remote support billing (billable minutes, money for time, annuity
schedules, late interest, aging buckets) as plain functions, with no Odoo import."""

# Conventions of every function here:
# - numbers may be given as int, float, str or Decimal; floats are read through their
#   shortest repr (0.1 is 0.1, not 0.1000000000000000055...);
# - results are Decimal, exact or rounded half-up to the given ``rounding`` (a currency's
#   rounding, e.g. 0.01 or 0.05); Odoo fields accept Decimals, call float() before mixing a
#   result with float arithmetic;
# - rates are fractions: 0.12 is 12 % a year.

from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

__all__ = [
    "AGING_LIMITS",
    "aging_bucket",
    "aging_buckets",
    "amount_for_minutes",
    "annuity_schedule",
    "charged_minutes",
    "hours_quantity",
    "interest_days",
    "interest_due",
    "interest_for_period",
    "interest_on_balance",
    "to_decimal",
    "round_to",
]

# Logged minutes are read to a millionth of a minute, well below a second and well above the
# noise of a float (1.1666666666666667 h * 60 = 70.00000000000001 min is 70 min).
MINUTE_QUANTUM = Decimal("0.000001")
# Aging bucket limits in days overdue: not due, 1-30, 31-60, 61-90, over 90.
AGING_LIMITS = (0, 30, 60, 90)


def to_decimal(value):
    """``value`` (int, float, str or Decimal; None is 0) as a Decimal."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_to(value, rounding=0.01, mode=ROUND_HALF_UP):
    """``value`` rounded to a multiple of ``rounding`` (half-up by default)."""
    step = to_decimal(rounding)
    if step <= 0:
        raise ValueError(f"The rounding must be positive ({rounding} given).")
    return (to_decimal(value) / step).quantize(Decimal(1), rounding=mode) * step


# --------------------------------------------------------------------------- time billing
def charged_minutes(logged_minutes, increment=0, minimum=0, free=0):
    """Minutes billed for ``logged_minutes`` of work.

    A quick fix of at most ``free`` minutes is free (0). Otherwise the time is rounded up to
    the next multiple of ``increment`` (0: not rounded), then raised to ``minimum``.
    Exact: 61 minutes in 10-minute increments are 70 minutes, not 1.17 hours.
    """
    logged = to_decimal(logged_minutes).quantize(MINUTE_QUANTUM, rounding=ROUND_HALF_UP)
    increment, minimum, free = (to_decimal(v) for v in (increment, minimum, free))
    if min(increment, minimum, free) < 0:
        raise ValueError("Increment, minimum and free minutes cannot be negative.")
    if logged <= 0 or logged <= free:
        return Decimal(0)
    charged = round_to(logged, increment, ROUND_CEILING) if increment else logged
    return max(charged, minimum)


def amount_for_minutes(minutes, hourly_rate, rounding=0.01):
    """The price of ``minutes`` at ``hourly_rate``, rounded half-up to the currency's
    ``rounding``: 10 minutes at 86.00 an hour are 14.33."""
    return round_to(to_decimal(minutes) * to_decimal(hourly_rate) / 60, rounding)


def hours_quantity(minutes, digits=2):
    """The quantity in hours shown for ``minutes`` on an invoice line, at the unit of
    measure's precision (``digits`` decimals): 10 minutes are 0.17 h. The price of the line
    must come from amount_for_minutes, not from this rounded quantity."""
    return round_to(to_decimal(minutes) / 60, Decimal(1).scaleb(-int(digits)))


# --------------------------------------------------------------------------- instalments
def annuity_schedule(principal, count, annual_rate, periods_per_year, rounding=0.01):
    """Instalments repaying ``principal`` in ``count`` periods at ``annual_rate`` a year.

    Returns a list of ``(payment, interest, principal_part)`` rows, in order. With interest,
    a standard annuity: payment = P r / (1 - (1 + r)^-n), r = annual_rate / periods_per_year,
    each interest the rounded interest of the balance still owed. At 0 %, equal parts. The
    last row takes what is left, so the principal parts add up exactly to ``principal``
    (rounded to ``rounding``). An amount too small for ``count`` instalments gives rows with
    a principal part of 0 or less: the caller refuses such a schedule.
    """
    count = int(count)
    if count <= 0:
        return []
    financed = round_to(principal, rounding)
    rate = to_decimal(annual_rate) / to_decimal(periods_per_year)
    if rate < 0:
        raise ValueError(f"The interest rate cannot be negative ({annual_rate} given).")
    if rate:
        payment = round_to(financed * rate / (1 - (1 + rate) ** -count), rounding)
    else:
        payment = round_to(financed / count, rounding)
    balance = financed
    rows = []
    for index in range(count):
        interest = round_to(balance * rate, rounding)
        part = balance if index == count - 1 else payment - interest
        balance -= part
        rows.append((part + interest, interest, part))
    return rows


# --------------------------------------------------------------------------- late interest
def interest_for_period(amount, annual_rate, days, days_in_year=365, rounding=0.01):
    """Simple interest on ``amount`` for ``days`` days at ``annual_rate`` a year
    (actual/``days_in_year``), rounded half-up to ``rounding`` (None: not rounded).
    No interest for zero or negative days."""
    days = max(int(days), 0)
    interest = to_decimal(amount) * to_decimal(annual_rate) * days / to_decimal(days_in_year)
    return round_to(interest, rounding) if rounding else interest


def interest_days(due_date, as_of, charged_until=None):
    """Days of lateness not charged yet: from the later of ``due_date`` and
    ``charged_until`` (the day interest was last charged up to) to ``as_of``, never
    negative."""
    start = max(due_date, charged_until) if charged_until else due_date
    return max((as_of - start).days, 0)


def interest_due(
    amount, annual_rate, due_date, as_of, charged_until=None, days_in_year=365, rounding=0.01
):
    """Late interest to charge on ``amount`` at ``as_of``, each day of lateness once.

    Interest runs from ``due_date``; ``charged_until`` is the date up to which interest was
    already charged (by an earlier dunning level), so only the days after it are charged:
    levels at +7 and +30 days on 1,000 at 12 % charge 2.30 then 7.56, i.e. 30 days in all.
    """
    if not isinstance(due_date, date) or not isinstance(as_of, date):
        raise TypeError("due_date and as_of must be dates.")
    days = interest_days(due_date, as_of, charged_until)
    return interest_for_period(amount, annual_rate, days, days_in_year, rounding)


def interest_on_balance(
    items, annual_rate, as_of, charged_until=None, days_in_year=365, rounding=0.01
):
    """Late interest at ``as_of`` on the balance outstanding day by day, each day of
    lateness once (actual/``days_in_year``, simple interest).

    ``items`` are ``(due_date, balance, payments)``: what is left unpaid of an amount due on
    ``due_date`` (an invoice, or one instalment of it) and ``payments``, the
    ``(date, amount)`` paid or credited on it since. Interest runs from the later of the due
    date and ``charged_until`` (the day an earlier dunning level charged interest up to): a
    payment bears interest until its date, the balance left until ``as_of``. $1,000 due,
    $400 paid 10 days late, charged 30 days late at 12 %: 1,000 x 10 + 600 x 20 days, i.e.
    7.23, not 600 x 30 (5.92) nor 1,000 x 30 (9.86).
    """
    if not isinstance(as_of, date):
        raise TypeError("as_of must be a date.")
    day_amounts = Decimal(0)
    for due_date, balance, payments in items:
        if not isinstance(due_date, date):
            raise TypeError("due_date must be a date.")
        start = max(due_date, charged_until) if charged_until else due_date
        day_amounts += to_decimal(balance) * max((as_of - start).days, 0)
        for paid_on, amount in payments:
            day_amounts += to_decimal(amount) * max((min(paid_on, as_of) - start).days, 0)
    interest = day_amounts * to_decimal(annual_rate) / to_decimal(days_in_year)
    return round_to(interest, rounding) if rounding else interest


# --------------------------------------------------------------------------- aging
def aging_buckets(limits=AGING_LIMITS):
    """The aging buckets for ``limits`` (ascending days overdue) as ``(key, upper)`` pairs,
    in order: a row belongs to the first bucket whose ``upper`` bound it does not exceed;
    the last bucket has no bound (None). With the default limits: current (not due), 1_30,
    31_60, 61_90, 90_plus."""
    limits = tuple(int(limit) for limit in limits)
    if not limits or any(a >= b for a, b in zip(limits, limits[1:], strict=False)):
        raise ValueError(f"Aging limits must be ascending ({limits} given).")
    buckets = [("current", limits[0])]
    for low, high in zip(limits, limits[1:], strict=False):
        buckets.append((f"{low + 1}_{high}", high))
    buckets.append((f"{limits[-1]}_plus", None))
    return buckets


def aging_bucket(days_overdue, limits=AGING_LIMITS):
    """The key of the aging bucket of a document ``days_overdue`` days after its due date
    (0 or less: not due yet, 'current')."""
    for key, upper in aging_buckets(limits):
        if upper is None or days_overdue <= upper:
            return key
    raise AssertionError("unreachable: the last bucket has no bound")
