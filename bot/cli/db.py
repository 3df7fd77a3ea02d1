"""`supportbot db …`: schema management."""

from __future__ import annotations

import click
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.context import CliContext, database_error, fail, pass_cli
from storage.db import make_engine


@click.group()
def db() -> None:
    """Database schema: create, upgrade, inspect."""


def _engine(cli: CliContext):
    settings = cli.settings.database
    return make_engine(settings.url.get_secret_value(), echo=settings.echo, pool_size=settings.pool_size)


@db.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@pass_cli
def upgrade(cli: CliContext, revision: str) -> None:
    """Create the schema or upgrade it to the newest revision."""
    from storage import migrate  # Alembic is heavy; only these commands need it

    engine = _engine(cli)
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine, revision)
        after = migrate.current_revision(engine)
    except SQLAlchemyError as exc:
        fail(database_error(exc), code=1)
    finally:
        engine.dispose()
    click.echo(f"schema at {after} (was {before or 'empty'})")


@db.command()
@pass_cli
def current(cli: CliContext) -> None:
    """Print the schema revision of the database and the newest one available."""
    from storage import migrate
    from storage.db import missing_sqlite_file

    missing = missing_sqlite_file(cli.settings.database.url.get_secret_value())
    if missing:  # connecting would create it
        fail(f"database {missing} does not exist: run `supportbot db upgrade`")
    engine = _engine(cli)
    try:
        revision = migrate.current_revision(engine)
    except SQLAlchemyError as exc:
        fail(database_error(exc), code=1)
    finally:
        engine.dispose()
    click.echo(f"database: {revision or 'empty'}; newest: {migrate.head_revision()}")
