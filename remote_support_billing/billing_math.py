"""Pure billing arithmetic (placeholder until the full module lands): billable minutes."""

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal


def _dec(value):
    return value if isinstance(value, Decimal) else Decimal(str(value))


def charged_minutes(logged_minutes, increment=0, minimum=0, free=0):
    minutes = _dec(logged_minutes).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if minutes <= _dec(free):
        return 0.0
    if increment:
        minutes = (minutes / _dec(increment)).to_integral_value(ROUND_CEILING) * _dec(increment)
    return float(max(minutes, _dec(minimum)))


def amount_for_minutes(minutes, hourly_rate, rounding=0.01):
    amount = _dec(minutes) * _dec(hourly_rate) / Decimal(60)
    return float(amount.quantize(_dec(rounding), rounding=ROUND_HALF_UP))


def hours_quantity(minutes, digits=2):
    return float((_dec(minutes) / Decimal(60)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP))
