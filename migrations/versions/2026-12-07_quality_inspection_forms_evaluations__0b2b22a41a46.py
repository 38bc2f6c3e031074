"""Quality inspection (issue 17): QA forms, samples, calibrations, evaluations, appeals, the rule table and phrase
lists; each call analysis says which kinds of flag it holds, whether it is flagged, its agent and its time.

Revision ID: 0b2b22a41a46
Revises: 543e93f7841f
Create Date: 2026-12-07 03:28:53.317199
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import huiyin.db

revision: str = '0b2b22a41a46'
down_revision: str | None = '543e93f7841f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('qa_phrases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('text', sa.String(length=100), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_phrases')),
    sa.UniqueConstraint('kind', 'text', name='uq_qa_phrases_kind_text')
    )
    op.create_table('qa_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('contact_kind', sa.String(length=16), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_qa_forms_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_forms')),
    sa.UniqueConstraint('code', 'version', name='uq_qa_forms_code_version')
    )
    op.create_table('qa_rules',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('updated_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_qa_rules_updated_by_users')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_qa_rules'))
    )
    op.create_table('qa_sampling_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('updated_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('drawn_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_qa_sampling_plan_updated_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_sampling_plan'))
    )
    op.create_table('qa_calibrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_pk', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('inspector_ids', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_pk'], ['calls.id'], name=op.f('fk_qa_calibrations_call_pk_calls')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_qa_calibrations_created_by_users')),
    sa.ForeignKeyConstraint(['form_id'], ['qa_forms.id'], name=op.f('fk_qa_calibrations_form_id_qa_forms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_calibrations'))
    )
    op.create_table('qa_samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('call_pk', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('drawn_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_qa_samples_agent_id_users')),
    sa.ForeignKeyConstraint(['call_pk'], ['calls.id'], name=op.f('fk_qa_samples_call_pk_calls')),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_qa_samples_inspector_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_samples')),
    sa.UniqueConstraint('call_pk', name='uq_qa_samples_call')
    )
    with op.batch_alter_table('qa_samples', schema=None) as batch_op:
        batch_op.create_index('ix_qa_samples_month_agent', ['month', 'agent_id'], unique=False)
        batch_op.create_index('ix_qa_samples_month_inspector', ['month', 'inspector_id', 'state'], unique=False)

    op.create_table('qa_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('call_pk', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=True),
    sa.Column('calibration_id', sa.Integer(), nullable=True),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('comments', sa.JSON(), nullable=False),
    sa.Column('summary', sa.String(length=1000), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('original_score', sa.Float(), nullable=False),
    sa.Column('red_line', sa.Boolean(), nullable=False),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('appeal_until', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_qa_evaluations_agent_id_users')),
    sa.ForeignKeyConstraint(['calibration_id'], ['qa_calibrations.id'], name=op.f('fk_qa_evaluations_calibration_id_qa_calibrations')),
    sa.ForeignKeyConstraint(['call_pk'], ['calls.id'], name=op.f('fk_qa_evaluations_call_pk_calls')),
    sa.ForeignKeyConstraint(['form_id'], ['qa_forms.id'], name=op.f('fk_qa_evaluations_form_id_qa_forms')),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_qa_evaluations_inspector_id_users')),
    sa.ForeignKeyConstraint(['sample_id'], ['qa_samples.id'], name=op.f('fk_qa_evaluations_sample_id_qa_samples')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_evaluations')),
    sa.UniqueConstraint('calibration_id', 'inspector_id', name='uq_qa_evaluations_calibration_inspector')
    )
    with op.batch_alter_table('qa_evaluations', schema=None) as batch_op:
        batch_op.create_index('ix_qa_evaluations_agent_month', ['agent_id', 'month'], unique=False)
        batch_op.create_index('ix_qa_evaluations_call', ['call_pk'], unique=False)
        batch_op.create_index('ix_qa_evaluations_month', ['month'], unique=False)

    op.create_table('qa_appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('created_at', huiyin.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', huiyin.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('score_before', sa.Float(), nullable=False),
    sa.Column('score_after', sa.Float(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_qa_appeals_agent_id_users')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_qa_appeals_decided_by_users')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['qa_evaluations.id'], name=op.f('fk_qa_appeals_evaluation_id_qa_evaluations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_appeals'))
    )
    with op.batch_alter_table('qa_appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_appeals_evaluation_id'), ['evaluation_id'], unique=False)
        batch_op.create_index('ix_qa_appeals_state', ['state', 'created_at'], unique=False)

    with op.batch_alter_table('call_analyses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kinds', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('flagged', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('agent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('call_at', huiyin.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_call_analyses_call_at', ['call_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_call_analyses_agent_id_users'), 'users', ['agent_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('call_analyses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_call_analyses_agent_id_users'), type_='foreignkey')
        batch_op.drop_index('ix_call_analyses_call_at')
        batch_op.drop_column('call_at')
        batch_op.drop_column('agent_id')
        batch_op.drop_column('flagged')
        batch_op.drop_column('kinds')

    with op.batch_alter_table('qa_appeals', schema=None) as batch_op:
        batch_op.drop_index('ix_qa_appeals_state')
        batch_op.drop_index(batch_op.f('ix_qa_appeals_evaluation_id'))

    op.drop_table('qa_appeals')
    with op.batch_alter_table('qa_evaluations', schema=None) as batch_op:
        batch_op.drop_index('ix_qa_evaluations_month')
        batch_op.drop_index('ix_qa_evaluations_call')
        batch_op.drop_index('ix_qa_evaluations_agent_month')

    op.drop_table('qa_evaluations')
    with op.batch_alter_table('qa_samples', schema=None) as batch_op:
        batch_op.drop_index('ix_qa_samples_month_inspector')
        batch_op.drop_index('ix_qa_samples_month_agent')

    op.drop_table('qa_samples')
    op.drop_table('qa_calibrations')
    op.drop_table('qa_sampling_plan')
    op.drop_table('qa_rules')
    op.drop_table('qa_forms')
    op.drop_table('qa_phrases')
