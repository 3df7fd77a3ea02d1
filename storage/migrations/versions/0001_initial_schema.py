"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa
import storage.models.base


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=True),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('line IN (1, 2, 3)', name=op.f('ck_agents_line')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agents')),
    sa.UniqueConstraint('email', name=op.f('uq_agents_email')),
    sa.UniqueConstraint('slack_user_id', name=op.f('uq_agents_slack_user_id'))
    )
    op.create_table('imap_cursors',
    sa.Column('mailbox', sa.String(length=512), nullable=False),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=False),
    sa.Column('last_uid', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('mailbox', name=op.f('pk_imap_cursors'))
    )
    op.create_table('leases',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('holder', sa.String(length=255), nullable=False),
    sa.Column('expires_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_leases'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('number', name=op.f('uq_organisations_number'))
    )
    op.create_table('raw_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('message_id', sa.String(length=998), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=True),
    sa.Column('mailbox', sa.String(length=512), nullable=True),
    sa.Column('uid', sa.BigInteger(), nullable=True),
    sa.Column('envelope_from', sa.String(length=320), nullable=True),
    sa.Column('envelope_to', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('traceback', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('received_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('processed_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('received', 'processed', 'quarantined', 'dropped')", name=op.f('ck_raw_messages_state')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_raw_messages')),
    sa.UniqueConstraint('message_id', name=op.f('uq_raw_messages_message_id'))
    )
    with op.batch_alter_table('raw_messages', schema=None) as batch_op:
        batch_op.create_index('ix_raw_messages_state_id', ['state', 'id'], unique=False)

    op.create_table('reference_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_reference_counters'))
    )
    op.create_table('seen_events',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('seen_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_seen_events'))
    )
    with op.batch_alter_table('seen_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seen_events_seen_at'), ['seen_at'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('authorised', sa.Boolean(), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("language IN ('sv', 'en')", name=op.f('ck_contacts_language')),
    sa.CheckConstraint("role IN ('main_admin', 'it_contact')", name=op.f('ck_contacts_role')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_contacts_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sa.UniqueConstraint('email', name=op.f('uq_contacts_email')),
    sa.UniqueConstraint('slack_user_id', name=op.f('uq_contacts_slack_user_id'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('oncall_shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_oncall_shifts_agent_id_agents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_shifts'))
    )
    with op.batch_alter_table('oncall_shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oncall_shifts_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_oncall_shifts_starts_at'), ['starts_at'], unique=False)

    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=998), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('suggested_line', sa.Integer(), nullable=True),
    sa.Column('suggested_category', sa.String(length=64), nullable=True),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('portal_case_id', sa.String(length=64), nullable=True),
    sa.Column('reply_token', sa.String(length=64), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('slack_channel', sa.String(length=32), nullable=True),
    sa.Column('slack_card_ts', sa.String(length=32), nullable=True),
    sa.Column('customer_channel', sa.String(length=32), nullable=True),
    sa.Column('customer_thread_ts', sa.String(length=32), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('first_response_due_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('first_response_warn_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('first_response_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('sla_next_check_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('closure_requested_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("origin IN ('email', 'slack', 'portal', 'staff')", name=op.f('ck_tickets_origin')),
    sa.CheckConstraint("priority IN ('low', 'normal', 'high', 'urgent')", name=op.f('ck_tickets_priority')),
    sa.CheckConstraint("status IN ('new', 'open', 'waiting_on_customer', 'closure_requested', 'closed')", name=op.f('ck_tickets_status')),
    sa.CheckConstraint('line IN (1, 2, 3)', name=op.f('ck_tickets_line')),
    sa.ForeignKeyConstraint(['assignee_id'], ['agents.id'], name=op.f('fk_tickets_assignee_id_agents')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_tickets_contact_id_contacts')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_tickets_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('portal_case_id', name=op.f('uq_tickets_portal_case_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_tickets_reference')),
    sa.UniqueConstraint('reply_token', name=op.f('uq_tickets_reply_token'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_tickets_sla_pending', ['sla_next_check_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_status'), ['status'], unique=False)

    op.create_table('autoreply_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('sent_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_autoreply_log_ticket_id_tickets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_autoreply_log'))
    )
    with op.batch_alter_table('autoreply_log', schema=None) as batch_op:
        batch_op.create_index('ix_autoreply_log_recipient_sent_at', ['recipient', 'sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_autoreply_log_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('inquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('sender_email', sa.String(length=320), nullable=True),
    sa.Column('sender_name', sa.String(length=255), nullable=True),
    sa.Column('slack_user_id', sa.String(length=32), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=998), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('message_id', sa.String(length=998), nullable=True),
    sa.Column('slack_key', sa.String(length=80), nullable=True),
    sa.Column('raw_message_id', sa.Integer(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('handled_by_agent_id', sa.Integer(), nullable=True),
    sa.Column('slack_notice_ts', sa.String(length=32), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('handled_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('new_case', 'unknown_sender')", name=op.f('ck_inquiries_kind')),
    sa.CheckConstraint("status IN ('waiting', 'opened', 'dismissed')", name=op.f('ck_inquiries_status')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_inquiries_contact_id_contacts')),
    sa.ForeignKeyConstraint(['handled_by_agent_id'], ['agents.id'], name=op.f('fk_inquiries_handled_by_agent_id_agents')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_inquiries_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['raw_message_id'], ['raw_messages.id'], name=op.f('fk_inquiries_raw_message_id_raw_messages')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_inquiries_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inquiries')),
    sa.UniqueConstraint('message_id', name=op.f('uq_inquiries_message_id')),
    sa.UniqueConstraint('slack_key', name=op.f('uq_inquiries_slack_key'))
    )
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inquiries_sender_email'), ['sender_email'], unique=False)
        batch_op.create_index(batch_op.f('ix_inquiries_status'), ['status'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('idempotency_key', sa.String(length=255), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=128), nullable=True),
    sa.Column('claimed_until', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_state')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_outbox_ticket_id_tickets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_idempotency_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_state_next_attempt_at', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('sla_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('occurrence', sa.Integer(), nullable=False),
    sa.Column('acknowledged_by_agent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("level IN ('warning', 'breach', 'reminder')", name=op.f('ck_sla_alerts_level')),
    sa.ForeignKeyConstraint(['acknowledged_by_agent_id'], ['agents.id'], name=op.f('fk_sla_alerts_acknowledged_by_agent_id_agents')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_sla_alerts_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_alerts')),
    sa.UniqueConstraint('ticket_id', 'kind', 'level', 'occurrence', name=op.f('uq_sla_alerts_ticket_id_kind_level_occurrence'))
    )
    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('line', sa.Integer(), nullable=True),
    sa.Column('answered_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_survey_responses_rating')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_survey_responses_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_survey_responses_ticket_id'))
    )
    op.create_table('ticket_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=16), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_ticket_events_agent_id_agents')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_events_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_events'))
    )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_events_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('visibility', sa.String(length=8), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('author_email', sa.String(length=320), nullable=True),
    sa.Column('author_name', sa.String(length=255), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.String(length=998), nullable=True),
    sa.Column('slack_key', sa.String(length=80), nullable=True),
    sa.Column('in_reply_to', sa.String(length=998), nullable=True),
    sa.Column('references', sa.Text(), nullable=True),
    sa.Column('subject', sa.String(length=998), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('stripped_text', sa.Text(), nullable=True),
    sa.Column('html', sa.Text(), nullable=True),
    sa.Column('raw_message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('email', 'slack', 'portal', 'staff')", name=op.f('ck_ticket_messages_channel')),
    sa.CheckConstraint("direction IN ('inbound', 'outbound')", name=op.f('ck_ticket_messages_direction')),
    sa.CheckConstraint("visibility IN ('customer', 'internal')", name=op.f('ck_ticket_messages_visibility')),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_ticket_messages_agent_id_agents')),
    sa.ForeignKeyConstraint(['raw_message_id'], ['raw_messages.id'], name=op.f('fk_ticket_messages_raw_message_id_raw_messages')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_messages_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_messages')),
    sa.UniqueConstraint('message_id', name=op.f('uq_ticket_messages_message_id')),
    sa.UniqueConstraint('slack_key', name=op.f('uq_ticket_messages_slack_key'))
    )
    with op.batch_alter_table('ticket_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_messages_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('added_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_participants_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_participants')),
    sa.UniqueConstraint('ticket_id', 'email', name=op.f('uq_ticket_participants_ticket_id_email'))
    )
    with op.batch_alter_table('ticket_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_participants_email'), ['email'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=1024), nullable=False),
    sa.Column('content_type', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('inline', sa.Boolean(), nullable=False),
    sa.Column('stored', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['ticket_messages.id'], name=op.f('fk_attachments_message_id_ticket_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_sha256'), ['sha256'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachments_message_id'))

    op.drop_table('attachments')
    with op.batch_alter_table('ticket_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_participants_email'))

    op.drop_table('ticket_participants')
    with op.batch_alter_table('ticket_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_messages_ticket_id'))

    op.drop_table('ticket_messages')
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_events_ticket_id'))

    op.drop_table('ticket_events')
    op.drop_table('survey_responses')
    op.drop_table('sla_alerts')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_ticket_id'))
        batch_op.drop_index('ix_outbox_state_next_attempt_at')

    op.drop_table('outbox')
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inquiries_status'))
        batch_op.drop_index(batch_op.f('ix_inquiries_sender_email'))

    op.drop_table('inquiries')
    with op.batch_alter_table('autoreply_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_autoreply_log_ticket_id'))
        batch_op.drop_index('ix_autoreply_log_recipient_sent_at')

    op.drop_table('autoreply_log')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_status'))
        batch_op.drop_index('ix_tickets_sla_pending')
        batch_op.drop_index(batch_op.f('ix_tickets_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_contact_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_assignee_id'))

    op.drop_table('tickets')
    with op.batch_alter_table('oncall_shifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oncall_shifts_starts_at'))
        batch_op.drop_index(batch_op.f('ix_oncall_shifts_agent_id'))

    op.drop_table('oncall_shifts')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_organisation_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('seen_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seen_events_seen_at'))

    op.drop_table('seen_events')
    op.drop_table('reference_counters')
    with op.batch_alter_table('raw_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_raw_messages_state_id')

    op.drop_table('raw_messages')
    op.drop_table('organisations')
    op.drop_table('leases')
    op.drop_table('imap_cursors')
    op.drop_table('agents')
