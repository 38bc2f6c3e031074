"""The complaint figures (issue 15): the analyses by stage, unit, staff, root cause and area, the desk's
summary, stage × month, complaints per 10,000 customers a month, all from the daily counts that
``complaints.service`` keeps in the complaint's own transaction (``complaint_daily``), and those counts made
again from the complaints when they must be (``do_rebuild_daily``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from huiyin.complaints.models import Complaint, ComplaintDaily, RootCause
from huiyin.complaints.service import _COUNT, STAGE_NAMES, _keys, _ones
from huiyin.customers.service import customers_by_area
from huiyin.org.refs import org
from huiyin.org.service import check_staff_refs


@dataclass(frozen=True)
class Tally:
    key: str
    complaints: int
    valid: int
    invalid: int

    @property
    def pending(self) -> int:
        return self.complaints - self.valid - self.invalid


def analysis(session: Session, *, by: str, first: date, last: date) -> list[Tally]:
    """Complaints registered on the days ``first``..``last`` counted by disputed stage, responsible unit,
    root cause (one group each, ``''`` while not known) or responsible staff member (a complaint counts for
    each person it names), most complaints first: from the daily counts, one range of their key."""
    d = ComplaintDaily
    rows = session.execute(
        select(d.key, func.sum(d.complaints), func.sum(d.valid), func.sum(d.invalid))
        .where(d.dim == by, d.day >= first, d.day <= last)
        .group_by(d.key)
    )
    tallies = [Tally(str(k), int(n or 0), int(v or 0), int(i or 0)) for k, n, v, i in rows]
    return sorted((t for t in tallies if t.complaints), key=lambda t: (-t.complaints, t.key))


@dataclass(frozen=True)
class Summary:
    complaints: int
    valid: int
    invalid: int
    repeats: int
    judged: int
    verdict_minutes: int

    @property
    def pending(self) -> int:
        return self.complaints - self.valid - self.invalid

    @property
    def valid_share(self) -> float | None:
        """有效投诉占比: valid ÷ judged (valid + invalid)."""
        judged = self.valid + self.invalid
        return round(self.valid / judged, 4) if judged else None

    @property
    def hours_to_verdict(self) -> float | None:
        """The average time from registration to the first verdict, in hours."""
        return round(self.verdict_minutes / self.judged / 60, 1) if self.judged else None


def summary(session: Session, *, first: date, last: date) -> Summary:
    """The period's complaints in all: valid, invalid, repeats, and the time to a verdict (one range read)."""
    d = ComplaintDaily
    row = session.execute(
        select(
            func.sum(d.complaints),
            func.sum(d.valid),
            func.sum(d.invalid),
            func.sum(d.repeats),
            func.sum(d.judged),
            func.sum(d.verdict_minutes),
        ).where(d.dim == "all", d.day >= first, d.day <= last)
    ).one()
    return Summary(*(int(x or 0) for x in row))


@dataclass(frozen=True)
class MonthCell:
    key: str
    month: str  # YYYY-MM
    complaints: int
    valid: int


def by_month(session: Session, *, by: str, first: date, last: date) -> list[MonthCell]:
    """Complaints by ``by`` (stage, root cause, unit, area, staff) and month of registration: the matrix
    behind 投诉易发环节 (stage × month). Summed from the daily rows in one grouped read."""
    d = ComplaintDaily
    rows = session.execute(
        select(d.key, d.day, d.complaints, d.valid).where(d.dim == by, d.day >= first, d.day <= last)
    )
    cells: dict[tuple[str, str], list[int]] = {}
    for key, day, n, v in rows:
        cell = cells.setdefault((str(key), day.strftime("%Y-%m")), [0, 0])
        cell[0] += n
        cell[1] += v
    return [MonthCell(k, m, n, v) for (k, m), (n, v) in sorted(cells.items()) if n]


@dataclass(frozen=True)
class Rate:
    key: str
    complaints: int
    valid: int
    customers: int
    per_10k_month: float | None  # complaints per 10,000 customers per month
    valid_per_10k_month: float | None


MONTH_DAYS = 365.25 / 12


def rates(session: Session, *, by: str, first: date, last: date) -> list[Rate]:
    """投诉率: complaints per 10,000 customers per month, by the service area of the complaint's order or by
    the station that owns the area (the customers of its areas): the period's complaints ÷ customers ×
    10,000 ÷ the period in months (days ÷ 30.44). Complaints without an area are left out; highest first."""
    customers = customers_by_area(session)
    tallies = {t.key: t for t in analysis(session, by="area", first=first, last=last)}
    months = ((last - first).days + 1) / MONTH_DAYS
    areas = org(session).areas
    groups: dict[str, list[int]] = {}  # key → [complaints, valid, customers]
    for area_id, area in areas.items():
        key = str(area_id) if by == "area" else str(area.unit_id)
        t = tallies.get(str(area_id))
        g = groups.setdefault(key, [0, 0, 0])
        g[0] += t.complaints if t else 0
        g[1] += t.valid if t else 0
        g[2] += customers.get(area_id, 0)

    def per(n: int, people: int) -> float | None:
        return round(n / people * 10_000 / months, 2) if people else None

    out = [Rate(k, n, v, c, per(n, c), per(v, c)) for k, (n, v, c) in groups.items() if c or n]
    return sorted(out, key=lambda r: (-(r.per_10k_month or 0), r.key))


def do_rebuild_daily(session: Session, *, chunk: int = 5000) -> None:
    """The daily counts made again from the complaints (after a bulk load, or to check them), in Python:
    the same ``_keys`` and ``_ones`` the writes use, so kept and rebuilt cannot count differently."""
    session.execute(text("DELETE FROM complaint_daily"))
    acc: dict[tuple[str, date, str], dict[str, int]] = {}
    for c in session.scalars(select(Complaint).execution_options(yield_per=chunk)):
        ones = _ones(c, 1)
        for dim, key in _keys(c):
            row = acc.setdefault((dim, c.day, key), dict.fromkeys(ones, 0))
            for name, n in ones.items():
                row[name] += n
        session.expunge(c)
    rows = [{"dim": d, "day": day, "key": k, **n} for (d, day, k), n in acc.items()]
    for i in range(0, len(rows), chunk):
        session.execute(_COUNT, rows[i : i + chunk])


def names_of(session: Session, by: str, keys: Sequence[str]) -> dict[str, str]:
    """Names for the keys of an analysis: stages and root causes in Chinese, units, staff."""
    if by == "stage":
        return {k: STAGE_NAMES.get(k, k) for k in keys}
    if by == "root_cause":
        return {r.code: r.name for r in session.scalars(select(RootCause))}
    ids = [int(k) for k in keys if k.isdigit()]
    if by == "area":
        areas = org(session).areas
        return {str(i): areas[i].name for i in ids if i in areas}
    if by == "unit":
        units = org(session).units
        return {str(i): units[i].name for i in ids if i in units}
    return {str(p.id): p.name for p in check_staff_refs(session, ids)} if ids else {}
