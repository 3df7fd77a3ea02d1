"""`supportbot db …`: schema management."""

from __future__ import annotations

import click
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.context import CliContext, fail, pass_cli
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
        fail(f"database error: {type(exc.orig or exc).__name__}: {str(exc.orig or exc).splitlines()[0]}", code=1)
    finally:
        engine.dispose()
    click.echo(f"schema at {after} (was {before or 'empty'})")


@db.command()
@pass_cli
def current(cli: CliContext) -> None:
    """Print the schema revision of the database and the newest one available."""
    from storage import migrate

    engine = _engine(cli)
    try:
        revision = migrate.current_revision(engine)
    except SQLAlchemyError as exc:
        fail(f"database error: {str(exc.orig or exc).splitlines()[0]}", code=1)
    finally:
        engine.dispose()
    click.echo(f"database: {revision or 'empty'}; newest: {migrate.head_revision()}")
