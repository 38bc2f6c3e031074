"""Seed the django-helpdesk peer with users, queues and N tickets with their follow-ups (issue 13).

Runs with the peer's own virtualenv (django-helpdesk installed), from ``bench/peer``::

    PEER_DB=pg /var/tmp/huiyin-peer/venv/bin/python seed.py --tickets 100000 --summary-out summary.json

Into a freshly migrated, empty database. It makes:

* the staff user ``agent`` (password ``demo``; is_staff, not a superuser) with a DRF token and a logged-in
  session, and 20 more staff users (``agent01``…) that tickets are assigned to;
* 8 queues of different sizes (the busiest takes ~30 % of the tickets);
* ``--tickets`` tickets over the last 365 days, 3–6 follow-ups each (opened, comments, updates,
  resolution, closing) at increasing times, with statuses that depend on age: tickets of the last weeks
  are mostly open, older ones mostly closed; overall ~7 % open or reopened.

PostgreSQL: tickets and follow-ups go in through ``COPY`` (psycopg 3), sequences are moved past the
maxima, then ``VACUUM ANALYZE``. SQLite: ``bulk_create`` in batches, then ``ANALYZE``.
The summary JSON has what the load needs: queue ids, the busiest queue and its open count, the highest
ticket id, the token and the session key.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk_peer.settings")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import django

django.setup()

from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from helpdesk.models import FollowUp, Queue, Ticket  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

OPEN, REOPENED, RESOLVED, CLOSED, DUPLICATE = 1, 2, 3, 4, 5
QUEUES = (  # (title, slug, weight)
    ("燃气报修 Gas repairs", "gas", 30),
    ("电力报修 Power outages", "power", 20),
    ("水务 Water", "water", 15),
    ("账单 Billing", "billing", 12),
    ("投诉 Complaints", "complaints", 10),
    ("咨询 Enquiries", "enquiries", 7),
    ("表具 Meters", "meters", 4),
    ("网站 Web", "web", 2),
)
TITLES = (
    "燃气灶无法点火",
    "燃气表读数异常",
    "小区停电",
    "热水器打不着火",
    "电表箱冒烟",
    "水压不足",
    "账单金额有误",
    "预约上门时间",
)
DESCRIPTIONS = (  # the same texts bench/loadclient.py registers
    "家中燃气灶无法点火，闻到轻微燃气味，请尽快派人上门检修。",
    "燃气表显示异常，读数不走，用户要求核查表具。",
    "小区整栋楼停电，已超过两小时，请尽快处理。",
    "热水器打不着火，怀疑燃气压力不足，用户在家等候。",
    "楼道电表箱冒烟，有焦糊味，请紧急派员处理。",
)
COMMENTS = (
    "已电话联系用户，约定今日下午上门。",
    "师傅已到场，正在检查。",
    "需要更换配件，等待备件到货。",
    "用户不在家，改约明天上午。",
    "已转交相关班组处理。",
    "用户来电催办，已安抚并加急。",
)
RESOLUTIONS = (
    "已更换点火器，试用正常。",
    "表具已校验并更换，读数正常。",
    "线路故障已排除，恢复供电。",
    "已调整减压阀，压力恢复正常。",
)


def status_for(age_days: float, rng: random.Random) -> int:
    """Recent tickets are mostly open; after a few weeks nearly all are closed (~10 % open overall)."""
    if age_days < 7:
        weights = (55, 5, 25, 15, 0)
    elif age_days < 30:
        weights = (30, 5, 25, 38, 2)
    elif age_days < 90:
        weights = (6, 3, 8, 80, 3)
    else:
        weights = (2, 1, 2, 92, 3)
    return rng.choices((OPEN, REOPENED, RESOLVED, CLOSED, DUPLICATE), weights)[0]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tickets", type=int, default=100_000)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--summary-out", required=True)
    args = p.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    phases: dict[str, float] = {}

    if Ticket.objects.exists():
        print("seed.py: the database already has tickets; seed an empty one", file=sys.stderr)
        return 1

    # ------------------------------------------------------------------ users, queues, token, session
    t0 = time.monotonic()
    User = get_user_model()
    with transaction.atomic():
        agent = User.objects.create_user("agent", "agent@example.invalid", "demo", is_staff=True)
        staff = [agent] + [  # the same password hash: hashing 20 more times would take seconds
            User.objects.create(
                username=f"agent{i:02d}", email=f"agent{i:02d}@example.invalid", password=agent.password, is_staff=True
            )
            for i in range(1, 21)
        ]
        queues = [
            Queue.objects.create(title=title, slug=slug, email_address=f"{slug}@example.invalid")
            for title, slug, _ in QUEUES
        ]
        token = Token.objects.create(user=agent).key
        session = SessionStore()
        session[SESSION_KEY] = str(agent.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
        session.set_expiry(30 * 86400)
        session.create()
    phases["reference"] = time.monotonic() - t0

    # ------------------------------------------------------------------ tickets and follow-ups
    t0 = time.monotonic()
    now = datetime.now(UTC).replace(microsecond=0)
    span = args.days * 86400
    qweights = [w for _, _, w in QUEUES]
    # Tickets get ids in creation order, like the real thing: draw the times first, then sort them.
    created_at = sorted(now - timedelta(seconds=span * rng.random()) for _ in range(args.tickets))
    tickets: list[tuple] = []
    followups: list[tuple] = []
    open_by_queue: dict[int, int] = {q.id: 0 for q in queues}
    by_queue: dict[int, int] = {q.id: 0 for q in queues}
    fid = 0
    for tid, created in enumerate(created_at, start=1):
        queue = rng.choices(queues, qweights)[0]
        age = (now - created).total_seconds() / 86400
        status = status_for(age, rng)
        by_queue[queue.id] += 1
        if status in (OPEN, REOPENED):
            open_by_queue[queue.id] += 1
        assigned = None if (status == OPEN and rng.random() < 0.4) else rng.choice(staff[1:]).id
        desc = rng.choice(DESCRIPTIONS)
        n_follow = rng.randint(3, 6)
        # Follow-up times: spread over the ticket's life, never in the future.
        life = min(age * 86400, rng.uniform(3600, 14 * 86400))
        steps = sorted(rng.uniform(0, life) for _ in range(n_follow - 1))
        times = [created] + [created + timedelta(seconds=s) for s in steps]
        rows = []
        for k, when in enumerate(times):
            user = agent.id if k == 0 else (assigned or rng.choice(staff).id)
            last = k == n_follow - 1
            if k == 0:
                rows.append((when, "Ticket Opened", desc, True, None, user))
            elif last and status in (RESOLVED, CLOSED):
                rows.append(
                    (when, "Resolved" if status == RESOLVED else "Closed", rng.choice(RESOLUTIONS), True, status, user)
                )
            elif last and status == DUPLICATE:
                rows.append((when, "Closed (duplicate)", "重复工单。", False, DUPLICATE, user))
            elif last and status == REOPENED:
                rows.append((when, "Reopened", "用户反馈问题仍未解决。", True, REOPENED, user))
            else:
                rows.append(
                    (when, rng.choice(("Comment", "Updated")), rng.choice(COMMENTS), rng.random() < 0.5, None, user)
                )
        for when, title, comment, public, new_status, user in rows:
            fid += 1
            followups.append((fid, when, title, comment, public, new_status, tid, user))
        modified = times[-1]
        resolution = rows[-1][2] if status in (RESOLVED, CLOSED) else None
        priority = rng.choices((1, 2, 3, 4, 5), (3, 12, 60, 20, 5))[0]
        due = created + timedelta(days=3) if rng.random() < 0.2 else None
        email = f"customer{rng.randrange(50_000)}@example.invalid"
        secret = str(uuid.UUID(int=rng.getrandbits(128)))
        tickets.append(
            (
                tid,
                f"{rng.choice(TITLES)} #{tid}",
                created,
                modified,
                email,
                status,
                False,
                desc,
                resolution,
                priority,
                due,
                assigned,
                queue.id,
                secret,
            )
        )
    phases["simulate"] = time.monotonic() - t0

    t0 = time.monotonic()
    tcols = (
        "id",
        "title",
        "created",
        "modified",
        "submitter_email",
        "status",
        "on_hold",
        "description",
        "resolution",
        "priority",
        "due_date",
        "assigned_to_id",
        "queue_id",
        "secret_key",
    )
    fcols = ("id", "date", "title", "comment", "public", "new_status", "ticket_id", "user_id")
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cur:
            with cur.copy(f"COPY helpdesk_ticket ({', '.join(tcols)}) FROM STDIN") as copy:
                for row in tickets:
                    copy.write_row(row)
            with cur.copy(f"COPY helpdesk_followup ({', '.join(fcols)}) FROM STDIN") as copy:
                for row in followups:
                    copy.write_row(row)
            for table in ("helpdesk_ticket", "helpdesk_followup"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        phases["write"] = time.monotonic() - t0
        t0 = time.monotonic()
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE helpdesk_ticket")
            cur.execute("VACUUM ANALYZE helpdesk_followup")
    else:
        batch = 20_000
        with transaction.atomic():
            for i in range(0, len(tickets), batch):
                Ticket.objects.bulk_create([Ticket(**dict(zip(tcols, r, strict=True))) for r in tickets[i : i + batch]])
            for i in range(0, len(followups), batch):
                FollowUp.objects.bulk_create(
                    [FollowUp(**dict(zip(fcols, r, strict=True))) for r in followups[i : i + batch]]
                )
        # auto_now / auto_now_add overwrote created and modified: put the simulated times back.
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(
                "UPDATE helpdesk_ticket SET created = %s, modified = %s WHERE id = %s",
                [(r[2].isoformat(" "), r[3].isoformat(" "), r[0]) for r in tickets],
            )
        phases["write"] = time.monotonic() - t0
        t0 = time.monotonic()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    phases["analyze"] = time.monotonic() - t0

    busiest = max(open_by_queue, key=lambda q: by_queue[q])
    summary = {
        "tickets": len(tickets),
        "followups": len(followups),
        "queue_ids": [q.id for q in queues],
        "tickets_by_queue": by_queue,
        "open_by_queue": open_by_queue,
        "open_total": sum(open_by_queue.values()),
        "busiest_queue_id": busiest,
        "busiest_queue_open": open_by_queue[busiest],
        "max_ticket_id": len(tickets),
        "token": token,
        "session_key": session.session_key,
        "vendor": connection.vendor,
        "phases_s": {k: round(v, 2) for k, v in phases.items()},
        "wall_s": round(time.monotonic() - started, 2),
        "django": django.get_version(),
        "helpdesk": __import__("importlib.metadata").metadata.version("django-helpdesk"),
    }
    with open(args.summary_out, "w", encoding="utf-8") as fh:
        json.dump(summary, fh, ensure_ascii=False, indent=1)
    shown = {k: v for k, v in summary.items() if k not in ("token", "session_key")}
    print(json.dumps(shown, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
