"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage import migrate
from storage.db import make_engine
from storage.models import Base
from storage.search import index_schema_object


def test_upgrade_from_empty_matches_models(db_url):
    engine = make_engine(db_url)
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_name": lambda name, kind, _parents: kind != "table" or not index_schema_object(name)}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_twice_is_a_no_op(engine):
    before = set(inspect(engine).get_table_names())
    migrate.upgrade(engine)
    assert set(inspect(engine).get_table_names()) == before
    assert {"tickets", "outbox", "raw_messages", "imap_cursors", "sla_alerts"} <= before
