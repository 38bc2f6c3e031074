"""QA's rule table: the thresholds of the automatic analysis and the phrase lists, both editable by QA.

The thresholds are modelled on the rule fields of the smart conversation analysis services centres use (speed
in characters per minute, a silence interval, a talk-over delay): each key below, its bounds and its unit. A
key never saved keeps ``limits.Rules``' default. A change applies to recordings analysed from then on (an
analysis keeps the thresholds it was made with, and says which in its result).

The phrase lists (禁用语, 推诿语, the standard opening and closing) are seeded from ``phrases.SEED_RULES`` the
first time they are read; a phrase is switched off rather than deleted, so a flag found with it still names
a phrase on the list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiyin.errors import Conflict, Invalid, NotFound
from huiyin.quality import limits, phrases
from huiyin.quality.models import QaPhrase, QaRule


@dataclass(frozen=True)
class Threshold:
    key: str
    name: str
    unit: str
    low: float
    high: float


THRESHOLDS = {
    t.key: t
    for t in (
        Threshold("fast_cpm", "语速过快（字/分钟）", "cpm", 150, 600),
        Threshold("slow_cpm", "语速过慢（字/分钟）", "cpm", 30, 250),
        Threshold("dead_air_s", "静音时长（秒）", "s", 1, 60),
        Threshold("talk_over_s", "抢话时长（秒）", "s", 0.2, 10),
        Threshold("loudness_jump_db", "音量突增（dB）", "dB", 2, 30),
        Threshold("monotone_st", "语调平淡（半音）", "st", 0.1, 6),
    )
}
PHRASE_KINDS = (
    phrases.FORBIDDEN,
    phrases.SHIRKING,
    phrases.STANDARD_OPENING,
    phrases.STANDARD_CLOSING,
    phrases.STANDARD_HOLD,
)
SEVERITIES = ("red_line", "major", "minor", "info")
_DEFAULTS: dict[str, float] = {
    f.name: float(f.default) for f in fields(limits.Rules) if isinstance(f.default, int | float)
}


def audio_rules(session: Session) -> limits.Rules:
    saved = {r.key: r.value for r in session.scalars(select(QaRule)) if r.key in THRESHOLDS}
    return replace(limits.Rules(), **saved)  # type: ignore[arg-type]


def thresholds(session: Session) -> list[dict[str, object]]:
    saved = {r.key: r for r in session.scalars(select(QaRule))}
    out: list[dict[str, object]] = []
    for t in THRESHOLDS.values():
        row = saved.get(t.key)
        out.append(
            {
                "key": t.key,
                "name": t.name,
                "unit": t.unit,
                "low": t.low,
                "high": t.high,
                "default": _DEFAULTS[t.key],
                "value": row.value if row else _DEFAULTS[t.key],
                "updated_at": row.updated_at if row else None,
            }
        )
    return out


def check_thresholds(values: Mapping[str, float]) -> dict[str, float]:
    out = {}
    for key, value in values.items():
        t = THRESHOLDS.get(key)
        if t is None:
            raise Invalid(
                f"{key}: not a threshold (one of {', '.join(THRESHOLDS)})", code="quality.unknown_threshold", field=key
            )
        if not t.low <= value <= t.high:
            raise Invalid(
                f"{key}: between {t.low:g} and {t.high:g} {t.unit}",
                code="quality.threshold_range",
                field=key,
                low=t.low,
                high=t.high,
            )
        out[key] = float(value)
    return out


def do_set_thresholds(session: Session, values: Mapping[str, float], by: int, at: datetime) -> None:
    saved = {r.key: r for r in session.scalars(select(QaRule).with_for_update())}
    merged = {k: float(saved[k].value) if k in saved else float(_DEFAULTS[k]) for k in THRESHOLDS} | dict(values)
    if merged["slow_cpm"] >= merged["fast_cpm"]:
        raise Invalid("slow_cpm must be below fast_cpm", code="quality.slow_below_fast", field="slow_cpm")
    for key, value in values.items():
        row = saved.get(key)
        if row is None:
            session.add(QaRule(key=key, value=value, updated_at=at, updated_by=by))
        else:
            row.value, row.updated_at, row.updated_by = value, at, by
    session.flush()


# ------------------------------------------------------------------------------------------------ phrases


def ensure_phrases(session: Session, at: datetime) -> None:
    if session.scalar(select(func.count()).select_from(QaPhrase)):
        return
    seen: set[tuple[str, str]] = set()
    for rule in phrases.SEED_RULES:
        if (rule.kind, rule.text) in seen:
            continue
        seen.add((rule.kind, rule.text))
        session.add(QaPhrase(kind=rule.kind, text=rule.text, severity=rule.severity, active=True, updated_at=at))
    session.flush()


def phrase_list(session: Session, at: datetime) -> list[QaPhrase]:
    ensure_phrases(session, at)
    return list(session.scalars(select(QaPhrase).order_by(QaPhrase.kind, QaPhrase.id)))


_CACHE: dict[tuple[int, str], phrases.RuleSet] = {}


def phrase_rules(session: Session) -> phrases.RuleSet:
    """The active phrases, compiled (cached until the list changes); the seed while the list was never read."""
    count, latest = session.execute(select(func.count(), func.max(QaPhrase.updated_at))).one()
    if not count:
        return phrases.SEED
    key = (int(count), str(latest))
    if key not in _CACHE:
        rows = session.scalars(select(QaPhrase).where(QaPhrase.active.is_(True)))
        _CACHE.clear()
        _CACHE[key] = phrases.compile_rules(phrases.PhraseRule(r.kind, r.text, r.severity) for r in rows)
    return _CACHE[key]


def check_phrase(kind: str, text: str, severity: str) -> str:
    if kind not in PHRASE_KINDS:
        raise Invalid(f"kind: one of {', '.join(PHRASE_KINDS)}", code="quality.phrase_kind", field="kind")
    if severity not in SEVERITIES:
        raise Invalid(f"severity: one of {', '.join(SEVERITIES)}", code="quality.phrase_severity", field="severity")
    if not phrases.normalise_phrase(text.replace("…", "")):
        raise Invalid("text: the phrase has no words", code="quality.phrase_empty", field="text")
    return text.strip()


def do_add_phrase(session: Session, kind: str, text: str, severity: str, at: datetime) -> QaPhrase:
    ensure_phrases(session, at)
    if session.scalar(select(QaPhrase).where(QaPhrase.kind == kind, QaPhrase.text == text)) is not None:
        raise Conflict(f"“{text}” is already on the {kind} list", code="quality.phrase_listed", text=text)
    row = QaPhrase(kind=kind, text=text, severity=severity, active=True, updated_at=at)
    session.add(row)
    session.flush()
    return row


def get_phrase(session: Session, phrase_id: int) -> QaPhrase:
    row = session.get(QaPhrase, phrase_id, with_for_update=True)
    if row is None:
        raise NotFound(f"phrase {phrase_id} not found", code="quality.no_such_phrase")
    return row


def do_update_phrase(
    session: Session, row: QaPhrase, *, active: bool | None, severity: str | None, at: datetime
) -> QaPhrase:
    if active is not None:
        row.active = active
    if severity is not None:
        row.severity = severity
    row.updated_at = at
    session.flush()
    return row
