"""The call KPIs, each one named function with its formula (docs/kpis.md holds the same table).

Every function takes the summed facts of a period and a cut (``facts.FACTS``: counts and sums of seconds,
never a percentage) and returns a fraction rounded to 4 places, or seconds rounded to 1, or None when the
denominator is zero (shown as "—", never a division by zero). "Answered" and "abandoned" are the inbound
calls routed to a person: blocked numbers and callers who left in the IVR are kept apart
(``blocked``, ``ivr_only``), as kpis.md asks.
"""

from __future__ import annotations

from collections.abc import Mapping

Facts = Mapping[str, int]
VARIANTS = ("F1", "F2", "F3", "F4", "F5")


def _ratio(n: float, d: float) -> float | None:
    return None if d <= 0 else round(n / d, 4)


def _mean(total: float, n: float) -> float | None:
    return None if n <= 0 else round(total / n, 1)


def service_level_f1(f: Facts, t: int, short: int) -> float | None:
    """F1 = (answered ≤ T + abandoned ≤ T) ÷ (answered + abandoned): abandons within T count as met."""
    return _ratio(f[f"ans_le_{t}"] + f[f"ab_le_{t}"], f["answered"] + f["abandoned"])


def service_level_f2(f: Facts, t: int, short: int) -> float | None:
    """F2 = answered ≤ T ÷ answered: abandons ignored (Asterisk's SL)."""
    return _ratio(f[f"ans_le_{t}"], f["answered"])


def service_level_f3(f: Facts, t: int, short: int) -> float | None:
    """F3 = answered ≤ T ÷ (answered + abandoned): every abandon a failure."""
    return _ratio(f[f"ans_le_{t}"], f["answered"] + f["abandoned"])


def service_level_f4(f: Facts, t: int, short: int) -> float | None:
    """F4 = answered ≤ T ÷ (answered + abandoned > T): abandons within T left out."""
    return _ratio(f[f"ans_le_{t}"], f["answered"] + f["abandoned"] - f[f"ab_le_{t}"])


def service_level_f5(f: Facts, t: int, short: int) -> float | None:
    """F5 = (answered ≤ T + short abandons) ÷ (answered + abandoned): abandons under the short-abandon
    threshold (wait < S) count as met."""
    return _ratio(f[f"ans_le_{t}"] + f[f"ab_lt_{short}"], f["answered"] + f["abandoned"])


SERVICE_LEVEL = {
    "F1": service_level_f1,
    "F2": service_level_f2,
    "F3": service_level_f3,
    "F4": service_level_f4,
    "F5": service_level_f5,
}


def answer_rate(f: Facts) -> float | None:
    """接通率 = answered ÷ offered (calls routed to a person)."""
    return _ratio(f["answered"], f["offered"])


def answered_within_rate(f: Facts, n: int) -> float | None:
    """N 秒人工接通率 = answered within N s ÷ offered."""
    return _ratio(f[f"ans_le_{n}"], f["offered"])


def abandon_rate(f: Facts, short: int) -> float | None:
    """Abandonment = (abandoned − short abandons) ÷ (answered + abandoned − short abandons); IVR hang-ups
    are not abandons."""
    real = f["abandoned"] - f[f"ab_lt_{short}"]
    return _ratio(real, f["answered"] + real)


def asa(f: Facts) -> float | None:
    """ASA = queue wait of the answered calls ÷ answered calls (seconds)."""
    return _mean(f["wait_answered"], f["answered"])


def avg_talk(f: Facts) -> float | None:
    """Average talk = talk seconds (hold excluded) ÷ answered calls."""
    return _mean(f["talk"], f["answered"])


def avg_hold(f: Facts) -> float | None:
    """Average hold = hold seconds ÷ answered calls."""
    return _mean(f["hold"], f["answered"])


def acw(f: Facts) -> float | None:
    """ACW = after-call work seconds ÷ the answered calls whose wrap-up has ended."""
    return _mean(f["acw"], f["acw_calls"])


def aht(f: Facts) -> float | None:
    """AHT = (talk + hold) ÷ answered + ACW: talk, hold and after-call work per handled call (a call still
    in wrap-up adds its talk and hold; its ACW is averaged once it is known)."""
    talk_hold = _mean(f["talk"] + f["hold"], f["answered"])
    if talk_hold is None:
        return None
    return round(talk_hold + (acw(f) or 0.0), 1)


def occupancy(handling: float, available: float) -> float | None:
    """Occupancy = handling time (on a call + after-call work) ÷ signed-in available time (ready, on a
    call, after-call work), from the agent-state intervals."""
    return _ratio(handling, available)
