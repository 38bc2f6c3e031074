"""survey staff on site

Who went on site for an order (the resolve's ``on_site_staff_ids``) is kept beside its delayed survey
(``survey_staff``), so that the answers rate the field staff too, not only the unit handler (客户评优评级,
issue 15); indexed by person for their rating history.

Revision ID: 13b9683a0828
Revises: b7cd7dac880c
Create Date: 2026-12-06 17:55:52.916603
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '13b9683a0828'
down_revision: str | None = 'b7cd7dac880c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('survey_staff',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_survey_staff_staff_id_staff')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_staff_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'staff_id', name=op.f('pk_survey_staff'))
    )
    with op.batch_alter_table('survey_staff', schema=None) as batch_op:
        batch_op.create_index('ix_survey_staff_staff', ['staff_id', 'survey_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('survey_staff', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_staff_staff')

    op.drop_table('survey_staff')
