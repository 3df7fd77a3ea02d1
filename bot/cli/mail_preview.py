"""`supportbot mail preview TEMPLATE`: render an e-mail template with sample data."""

from __future__ import annotations

import click

from bot.cli.context import CliContext, fail, pass_cli
from bot.rendering.email import RenderError, TemplateMissingError, TemplateRenderer
from bot.rendering.samples import sample_context


@click.command()
@click.argument("template")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True, help="The contact's language.")
@click.option("--html", "show_html", is_flag=True, help="Also print the HTML part.")
@pass_cli
def preview(cli: CliContext, template: str, lang: str, show_html: bool) -> None:
    """Print a template rendered with sample data: Subject, a blank line, the text part."""
    renderer = TemplateRenderer.from_settings(cli.settings)
    try:
        # The desk's own settings win over the sample desk values, so the
        # operator sees their portal URL, phone number and opening hours.
        context = {**sample_context(template, lang), **renderer.defaults}
    except KeyError:
        known = ", ".join(renderer.list_templates())
        fail(f"no sample data for template {template!r}; templates: {known}")
    try:
        message = renderer.render(template, lang, context)
    except (TemplateMissingError, RenderError) as exc:
        fail(str(exc))
    click.echo(f"Subject: {message.subject}")
    click.echo("")
    click.echo(message.text, nl=False)
    if show_html:
        click.echo("")
        click.echo(message.html, nl=False)
