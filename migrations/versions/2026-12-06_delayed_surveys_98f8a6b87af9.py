"""delayed surveys

延时调查 (issue 15): questionnaire versions, the sampling rules per order type or category, and each
sampled order's survey (scheduled at the close, sent, reminded, answered or expired). See
huiyin/surveys/delayed.py.

Revision ID: 98f8a6b87af9
Revises: 8c8e2448e69d
Create Date: 2026-12-06 14:47:03.812527
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = '98f8a6b87af9'
down_revision: str | None = '8c8e2448e69d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('survey_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_type', sa.String(length=32), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('share', sa.Float(), nullable=False),
    sa.Column('delay_days', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_survey_rules_category_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_rules')),
    sa.UniqueConstraint('order_type', 'category_id', name='uq_survey_rules_type_category')
    )
    op.create_table('questionnaires',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_questionnaires_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaires')),
    sa.UniqueConstraint('code', 'version', name='uq_questionnaires_code_version')
    )
    op.create_table('surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('order_type', sa.String(length=32), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('due_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=True),
    sa.Column('rating_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_surveys_agent_id_users')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_surveys_category_id_categories')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_surveys_customer_id_customers')),
    sa.ForeignKeyConstraint(['handler_id'], ['users.id'], name=op.f('fk_surveys_handler_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_surveys_order_id_work_orders'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_surveys_questionnaire_id_questionnaires')),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_surveys_rating_id_ratings')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_surveys_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys')),
    sa.UniqueConstraint('order_id', name=op.f('uq_surveys_order_id'))
    )
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index('ix_surveys_customer_due_at', ['customer_id', 'due_at'], unique=False)
        batch_op.create_index('ix_surveys_handler_answered', ['handler_id', 'answered_at'], unique=False)
        batch_op.create_index('ix_surveys_phone_due_at', ['phone', 'due_at'], unique=False)
        batch_op.create_index('ix_surveys_state_due_at', ['state', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index('ix_surveys_state_due_at')
        batch_op.drop_index('ix_surveys_phone_due_at')
        batch_op.drop_index('ix_surveys_handler_answered')
        batch_op.drop_index('ix_surveys_customer_due_at')

    op.drop_table('surveys')
    op.drop_table('questionnaires')
    op.drop_table('survey_rules')
