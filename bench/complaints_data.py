"""Adds complaint records to a database ``bench.generate`` filled: a head and four field staff per station,
and for every complaint order its complaint (source, grade as the app grades it, disputed stage) with a
verdict for the resolved and closed ones (about three in five valid, naming one of the unit's staff), as
the complaints domain would have kept them. Idempotent: a database with complaints is left alone.

    .venv/bin/python -m bench.complaints_data --url sqlite:///bench/out/sat-full.db
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from huiyin.cli import upgrade_database
from huiyin.complaints.figures import do_rebuild_daily
from huiyin.complaints.models import ROOT_CAUSES, Complaint, ComplaintVerdict
from huiyin.complaints.service import ensure_root_causes, grade_of
from huiyin.db import normalize_url
from huiyin.org.models import Staff, Unit
from huiyin.settings import Settings
from huiyin.wiring import open_database
from huiyin.workorders.models import Category, WorkOrder

SOURCES = [("hotline", 70), ("wechat_web", 15), ("gov_12345", 8), ("regulator", 3), ("media", 2), ("upstream", 2)]
STAGES = {
    "CP-ATTITUDE": ("repair", "hotline", "meter_reading"),
    "CP-TIMELINESS": ("repair", "business"),
    "CP-BILLING": ("billing", "meter_reading"),
    "CP-QUALITY": ("other", "repair", "safety_check"),
    "CP-CONSTRUCTION": ("construction",),
}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--seed", type=int, default=20261206)
    a = p.parse_args()
    url = normalize_url(a.url)
    upgrade_database(url)
    rng = random.Random(a.seed)
    settings = Settings(database_url=url)
    zone = ZoneInfo(settings.timezone)
    db = open_database(settings)
    t = time.perf_counter()
    with db.session() as s:
        if s.scalar(select(func.count()).select_from(Complaint)):
            print("complaints are there already")
            return 0
        ensure_root_causes(s)
        stations = list(s.scalars(select(Unit.id).where(Unit.kind == "station")))
        staff: dict[int, list[int]] = {}
        for unit_id in stations:
            people = [Staff(unit_id=unit_id, name=f"员工{unit_id}-{i}", post=post, is_active=True)
                      for i, post in enumerate(("head", "meter_reader", "inspector", "repairer", "repairer"))]
            s.add_all(people)
            s.flush()
            staff[unit_id] = [x.id for x in people[1:]]
        codes: dict[int, str] = {i: c for i, c in s.execute(select(Category.id, Category.code))}
        causes = [c for c, _ in ROOT_CAUSES if c != "other"]
        rows = s.execute(
            select(
                WorkOrder.id, WorkOrder.created_at, WorkOrder.customer_id, WorkOrder.contact_phone,
                WorkOrder.category_id, WorkOrder.unit_id, WorkOrder.state, WorkOrder.area_id,
            ).where(WorkOrder.type == "complaint").order_by(WorkOrder.id)
        ).all()
        complaints, verdicts = [], []
        sources, weights = zip(*SOURCES, strict=True)
        for oid, created, customer, phone, cat, unit, state, area in rows:
            source = rng.choices(sources, weights)[0]
            grade, reasons = grade_of(source, False, ())
            stage = rng.choice(STAGES.get(codes.get(cat, ""), ("other",)))
            row = {
                "order_id": oid, "created_at": created, "day": created.astimezone(zone).date(),
                "source": source, "grade": grade, "grade_reasons": reasons,
                "customer_id": customer, "contact_phone": phone, "category_id": cat, "repeat_of": None,
                "area_id": area, "first_verdict_at": None,
                "stage": None, "validity": None, "reason": None, "responsible_unit_id": None,
                "responsible_staff_ids": [], "joint_head_id": None, "root_cause": None, "action": None,
                "action_due": None, "verdict_at": None, "verdict_by": None, "verdict_version": 0,
            }
            if state in ("resolved", "closed"):
                valid = rng.random() < 0.6
                crew = staff.get(unit or 0, [])
                verdict = {
                    "stage": stage, "validity": "valid" if valid else "invalid",
                    "reason": None if valid else "经核实不属实", "responsible_unit_id": unit if valid else None,
                    "responsible_staff_ids": [rng.choice(crew)] if valid and crew else [],
                    "root_cause": rng.choice(causes) if valid else "customer",
                    "verdict_at": created + timedelta(hours=rng.randint(4, 60)), "verdict_version": 1,
                }
                verdict["first_verdict_at"] = verdict["verdict_at"]
                row.update(verdict)
                verdicts.append({
                    "order_id": oid, "version": 1, "at": verdict["verdict_at"], "by": 1,
                    "validity": verdict["validity"], "reason": verdict["reason"], "stage": stage,
                    "responsible_unit_id": verdict["responsible_unit_id"],
                    "responsible_staff_ids": verdict["responsible_staff_ids"], "joint_head_id": None,
                    "root_cause": verdict["root_cause"], "action": None, "action_due": None, "review_reason": None,
                })
            complaints.append(row)
        for i in range(0, len(complaints), 20_000):
            s.execute(insert(Complaint), complaints[i : i + 20_000])
        for i in range(0, len(verdicts), 20_000):
            s.execute(insert(ComplaintVerdict), verdicts[i : i + 20_000])
        do_rebuild_daily(s)  # the daily counts, as the app keeps them
    db.dispose()
    print(f"{len(complaints):,} complaints ({len(verdicts):,} judged), {len(stations) * 5} staff, "
          f"{time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
