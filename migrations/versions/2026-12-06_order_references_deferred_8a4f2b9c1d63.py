"""order_references_deferred

The foreign keys that name a work order are checked when the transaction commits (``DEFERRABLE INITIALLY
DEFERRED``), so that a registration can write the order once, in its final state, after the rows that name
it (its deadlines, its link to a call): the order's id is drawn first (``workorders.service``). PostgreSQL
alters the constraints in place; SQLite cannot alter a constraint, so its six tables are rebuilt with the
new clause (Alembic's batch mode: copied into a new table, their indexes made again; a database of a
million orders takes minutes).

Revision ID: 8a4f2b9c1d63
Revises: 5d1e8a2c7b40
Create Date: 2026-12-06 09:10:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = '8a4f2b9c1d63'
down_revision: str | None = '5d1e8a2c7b40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFERENCES = (
    ('callback_tasks', 'fk_callback_tasks_order_id_work_orders'),
    ('work_order_events', 'fk_work_order_events_order_id_work_orders'),
    ('attachments', 'fk_attachments_order_id_work_orders'),
    ('order_deadlines', 'fk_order_deadlines_order_id_work_orders'),
    ('notifications', 'fk_notifications_order_id_work_orders'),
    ('call_orders', 'fk_call_orders_order_id_work_orders'),
)


REFERS = (['order_id'], ['id'])


def _rebuild_sqlite(table: str, name: str, *, deferred: bool) -> None:
    options = {'deferrable': True, 'initially': 'DEFERRED'} if deferred else {}
    ondelete = 'CASCADE' if table == 'call_orders' else None
    with op.batch_alter_table(table, recreate='always') as batch_op:
        batch_op.drop_constraint(name, type_='foreignkey')
        batch_op.create_foreign_key(name, 'work_orders', *REFERS, ondelete=ondelete, **options)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table, name in REFERENCES:
        if postgresql:
            op.execute(f'ALTER TABLE {table} ALTER CONSTRAINT {name} DEFERRABLE INITIALLY DEFERRED')
        else:
            _rebuild_sqlite(table, name, deferred=True)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table, name in REFERENCES:
        if postgresql:
            op.execute(f'ALTER TABLE {table} ALTER CONSTRAINT {name} NOT DEFERRABLE')
        else:
            _rebuild_sqlite(table, name, deferred=False)
