"""complaint figures

Complaint analysis (issue 15): the complaint's service area and first verdict time, and the daily counts'
repeats, judged and minutes to a verdict, with the ``all`` and ``area`` dimensions. The daily counts are
made again here from the complaints (as huiyin/complaints/service.py ``do_rebuild_daily`` does), so that
the figures of complaints registered before this migration are whole.

Revision ID: b7cd7dac880c
Revises: 98f8a6b87af9
Create Date: 2026-12-06 14:58:11.725355
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = 'b7cd7dac880c'
down_revision: str | None = '98f8a6b87af9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('complaint_daily', schema=None) as batch_op:
        batch_op.add_column(sa.Column('repeats', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('judged', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('verdict_minutes', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('first_verdict_at', huiyin.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_complaints_area_id_areas'), 'areas', ['area_id'], ['id'])

    op.execute(
        "UPDATE complaints SET area_id = (SELECT w.area_id FROM work_orders w WHERE w.id = complaints.order_id)"
    )
    op.execute(
        "UPDATE complaints SET first_verdict_at = (SELECT v.at FROM complaint_verdicts v "
        "WHERE v.order_id = complaints.order_id AND v.version = 1)"
    )
    _rebuild_daily(op.get_bind())


def _rebuild_daily(bind: sa.Connection) -> None:
    when = huiyin.db.UTCDateTime(timezone=True)
    complaints = sa.table(
        "complaints",
        sa.column("day", sa.Date), sa.column("stage", sa.String), sa.column("responsible_unit_id", sa.Integer),
        sa.column("root_cause", sa.String), sa.column("area_id", sa.Integer),
        sa.column("responsible_staff_ids", sa.JSON), sa.column("validity", sa.String),
        sa.column("repeat_of", sa.Integer), sa.column("created_at", when), sa.column("first_verdict_at", when),
    )
    rows = bind.execute(sa.select(*complaints.c))
    acc: dict[tuple[str, object, str], list[int]] = {}
    for day, stage, unit, cause, area, staff, validity, repeat_of, created, first in rows:
        minutes = int((first - created).total_seconds() // 60) if first is not None and created is not None else 0
        ones = [1, validity == "valid", validity == "invalid", repeat_of is not None, first is not None, minutes]
        keys = [("all", ""), ("stage", stage or ""), ("unit", str(unit) if unit else ""),
                ("root_cause", cause or ""), ("area", str(area) if area else ""),
                *(("staff", str(p)) for p in (staff or []))]
        for dim, key in keys:
            row = acc.setdefault((dim, day, key), [0] * 6)
            for i, n in enumerate(ones):
                row[i] += int(n)
    bind.execute(sa.text("DELETE FROM complaint_daily"))
    if acc:
        bind.execute(
            sa.text(
                "INSERT INTO complaint_daily (dim, day, key, complaints, valid, invalid, repeats, judged, "
                "verdict_minutes) VALUES (:dim, :day, :key, :n, :v, :i, :r, :j, :m)"
            ).bindparams(sa.bindparam("day", type_=sa.Date)),
            [
                {"dim": d, "day": day, "key": k, "n": n[0], "v": n[1], "i": n[2], "r": n[3], "j": n[4], "m": n[5]}
                for (d, day, k), n in acc.items()
            ],
        )



def downgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_complaints_area_id_areas'), type_='foreignkey')
        batch_op.drop_column('first_verdict_at')
        batch_op.drop_column('area_id')

    with op.batch_alter_table('complaint_daily', schema=None) as batch_op:
        batch_op.drop_column('verdict_minutes')
        batch_op.drop_column('judged')
        batch_op.drop_column('repeats')

