"""E-mail templates: every one renders in both languages, lookup order, escaping, preview."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import jinja2
import jinja2.meta
import jinja2.nodes
import pytest
from click.testing import CliRunner

from bot.cli.context import CliContext
from bot.cli.mail_preview import preview
from bot.app.config import Settings
from bot.rendering.email import (
    BUILTIN_DIR,
    RenderError,
    TemplateMissingError,
    TemplateRenderer,
    desk_context,
)
from bot.rendering.samples import TEMPLATE_NAMES, sample_context

LANGUAGES = ("sv", "en")
ALL = [(name, lang) for name in TEMPLATE_NAMES for lang in LANGUAGES]
CUSTOMER_MAILS = [name for name in TEMPLATE_NAMES if name != "sla_alert"]


@pytest.fixture(scope="module")
def renderer() -> TemplateRenderer:
    return TemplateRenderer()


def _write(root: Path, lang: str, name: str, source: str) -> None:
    folder = root / "email" / lang
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.jinja").write_text(source, encoding="utf-8")


def _used_variables(lang: str, name: str) -> set[str]:
    """Context variables a built-in template and its layout read (its own `set`s excluded)."""
    env = jinja2.Environment()
    env.filters.update(dict.fromkeys(["local_datetime", "clock", "paragraphs"], str))  # the renderer's filters
    used: set[str] = set()
    assigned: set[str] = set()
    for file in (f"{name}.jinja", "_layout.jinja"):
        ast = env.parse((BUILTIN_DIR / "email" / lang / file).read_text(encoding="utf-8"))
        used |= jinja2.meta.find_undeclared_variables(ast)
        assigned |= {node.target.name for node in ast.find_all(jinja2.nodes.Assign)}
    return used - assigned - {"message_part"}


# -- the QA sweep -----------------------------------------------------------


def test_builtin_templates_are_exactly_the_documented_ones(renderer):
    assert renderer.list_templates() == sorted(TEMPLATE_NAMES)
    for name, lang in ALL:
        assert (BUILTIN_DIR / "email" / lang / f"{name}.jinja").is_file(), f"{lang}/{name} is missing"


@pytest.mark.parametrize(("name", "lang"), ALL)
def test_every_template_renders_whole_messages(renderer, name, lang):
    context = sample_context(name, lang)
    message = renderer.render(name, lang, context)

    assert message.language == lang
    assert message.subject and "\n" not in message.subject
    assert message.text.strip() and message.text.endswith("\n")
    assert message.html.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in message.html
    for part in (message.subject, message.text, message.html):
        assert "None" not in part and "Undefined" not in part
    if context.get("reference"):
        label = "Ärende" if lang == "sv" else "Case"
        assert message.text.endswith(f"{label}: {context['reference']}\n"), "customer mail ends with the reference"


@pytest.mark.parametrize(("name", "lang"), ALL)
def test_samples_define_every_variable_a_template_uses(name, lang):
    # `reference` is optional in the layout (`is defined`); everything else must be in the sample.
    missing = _used_variables(lang, name) - set(sample_context(name, lang)) - {"reference"}
    assert not missing, f"{lang}/{name} uses variables the sample lacks: {missing}"


@pytest.mark.parametrize(("name", "lang"), ALL)
def test_a_missing_variable_fails_loudly(renderer, name, lang):
    # Leaving out a value either fails with the template's name or changes
    # nothing (the template does not use it): nothing is silently optional,
    # except the layout's documented `reference` footer.
    context = sample_context(name, lang)
    full = renderer.render(name, lang, context)
    for key in sorted(set(context) - {"reference"}):
        reduced = {k: v for k, v in context.items() if k != key}
        try:
            rendered = renderer.render(name, lang, reduced)
        except RenderError as exc:
            assert name in str(exc) and key in str(exc)
        else:
            assert rendered == full, f"{lang}/{name} renders differently without {key!r} instead of failing"


# -- content ----------------------------------------------------------------


def test_case_received_names_reference_and_sla(renderer):
    sv = renderer.render("case_received", "sv", sample_context("case_received", "sv"))
    en = renderer.render("case_received", "en", sample_context("case_received", "en"))
    assert "TC-2026-00042" in sv.text and "inom två arbetstimmar" in sv.text
    assert sv.text.startswith("Hej Anna!") and "Med vänliga hälsningar" in sv.text
    assert "within two business hours" in en.text and en.text.startswith("Hello Anna,")


def test_greeting_without_a_name(renderer):
    context = sample_context("case_received", "sv") | {"contact_name": ""}
    assert renderer.render("case_received", "sv", context).text.startswith("Hej!")


def test_next_opening_is_written_in_stockholm_time(renderer):
    sv = renderer.render("out_of_hours", "sv", sample_context("out_of_hours", "sv"))
    en = renderer.render("out_of_hours", "en", sample_context("out_of_hours", "en"))
    assert "Vi öppnar igen måndag 18 maj kl. 09.00" in sv.text
    assert "vardagar 09.00–16.00, med lunchstängt 12.00–13.00" in sv.text
    assert "We open again on Monday 18 May at 09:00" in en.text


def test_portal_redirect_mentions_closure_only_when_closed(renderer):
    closed = renderer.render("portal_redirect", "sv", sample_context("portal_redirect", "sv"))
    open_ = renderer.render("portal_redirect", "sv", sample_context("portal_redirect", "sv") | {"next_open_at": None})
    for message in (closed, open_):
        assert "https://portal.example.com/" in message.text
        assert "+46 8 000 00 00" in message.text
        assert "version" in message.text and "skärmbilder" in message.text
    assert "Vi öppnar igen måndag 18 maj kl. 09.00." in closed.text
    assert "stängd" not in open_.text


def test_status_escalated_names_the_line(renderer):
    context = sample_context("status_escalated", "sv")
    assert "tredje linjen" in renderer.render("status_escalated", "sv", context | {"line": 3}).text
    assert "andra linje" in renderer.render("status_escalated", "sv", context | {"line": 2}).text


def test_survey_has_five_links_and_the_reply_option(renderer):
    context = sample_context("survey_invitation", "sv")
    message = renderer.render("survey_invitation", "sv", context)
    for url in context["rating_urls"]:
        assert url in message.text and f'href="{url}"' in message.html
    assert "siffra från 1 till 5" in message.text


def test_sla_alert_states(renderer):
    context = sample_context("sla_alert", "en")
    warning = renderer.render("sla_alert", "en", context)
    breach = renderer.render("sla_alert", "en", context | {"overdue": True})
    assert warning.subject.startswith("SLA warning:") and breach.subject.startswith("SLA breached:")
    assert context["card_url"] in breach.text and "(overdue)" in breach.text


def test_preformatted_opening_text_is_used_as_is(renderer):
    context = sample_context("out_of_hours", "sv") | {"next_open_at": "i morgon kl. 09.00"}
    assert "Vi öppnar igen i morgon kl. 09.00 och" in renderer.render("out_of_hours", "sv", context).text


def test_naive_datetime_is_refused(renderer):
    context = sample_context("out_of_hours", "sv") | {"next_open_at": datetime(2026, 5, 18, 9, 0)}
    with pytest.raises(RenderError, match="aware"):
        renderer.render("out_of_hours", "sv", context)


# -- escaping ---------------------------------------------------------------


def test_customer_text_is_escaped_in_html_only(renderer):
    body = "Hej!\n\n<script>alert('x')</script> & <b>fet</b>"
    context = sample_context("agent_reply", "sv") | {"body": body, "subject": "<img src=x onerror=alert(1)>"}
    message = renderer.render("agent_reply", "sv", context)
    assert "<script>" not in message.html and "<img" not in message.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;fet&lt;/b&gt;" in message.html
    assert "<script>alert('x')</script> & <b>fet</b>" in message.text
    assert message.subject == "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize(("name", "lang"), ALL)
def test_no_context_string_reaches_html_unescaped(renderer, name, lang):
    hostile = {k: f"{v}<script>x</script>" if isinstance(v, str) and v else v for k, v in sample_context(name, lang).items()}
    assert "<script>" not in renderer.render(name, lang, hostile).html


def test_customer_text_is_never_template_source(renderer):
    context = sample_context("agent_reply", "sv") | {"body": "{{ desk_name }} {% if true %}x{% endif %}"}
    assert "{{ desk_name }} {% if true %}x{% endif %}" in renderer.render("agent_reply", "sv", context).text


def test_paragraphs_keep_line_breaks(renderer):
    context = sample_context("agent_reply", "sv") | {"body": "Rad ett\nrad två\n\nStycke två"}
    assert "<p>Rad ett<br>\nrad två</p>\n<p>Stycke två</p>" in renderer.render("agent_reply", "sv", context).html


# -- lookup order -----------------------------------------------------------


def test_operator_template_wins_over_builtin(tmp_path):
    _write(tmp_path, "sv", "case_received", '{% extends "_layout.jinja" %}{% block subject %}Eget ämne {{ reference }}{% endblock %}'
           "{% block text %}Egen text{% endblock %}{% block html %}<p>Egen</p>{% endblock %}")
    renderer = TemplateRenderer(BUILTIN_DIR, tmp_path)
    sv = renderer.render("case_received", "sv", sample_context("case_received", "sv"))
    en = renderer.render("case_received", "en", sample_context("case_received", "en"))
    assert sv.subject == "Eget ämne TC-2026-00042"
    assert sv.text.startswith("Egen text") and "Med vänliga hälsningar" in sv.text  # the built-in layout still frames it
    assert en.language == "en" and en.subject.startswith("We have received")  # builtin/en before operator/sv


def test_operator_english_template_wins_over_builtin_english(tmp_path):
    _write(tmp_path, "en", "status_closed", '{% extends "_layout.jinja" %}{% block subject %}Closed, operator{% endblock %}'
           "{% block text %}x{% endblock %}{% block html %}x{% endblock %}")
    renderer = TemplateRenderer(BUILTIN_DIR, tmp_path)
    assert renderer.render("status_closed", "en", sample_context("status_closed", "en")).subject == "Closed, operator"


def test_operator_layout_frames_builtin_templates(tmp_path):
    layout = (BUILTIN_DIR / "email" / "sv" / "_layout.jinja").read_text(encoding="utf-8")
    _write(tmp_path, "sv", "_layout", layout.replace("Med vänliga hälsningar", "Hälsningar från oss alla"))
    renderer = TemplateRenderer(BUILTIN_DIR, tmp_path)
    message = renderer.render("status_closed", "sv", sample_context("status_closed", "sv"))
    assert "Hälsningar från oss alla" in message.text and "Hälsningar från oss alla" in message.html


def test_language_falls_back_to_swedish_as_a_whole(tmp_path):
    builtin = tmp_path / "builtin"
    _write(builtin, "sv", "_layout", "{% if message_part == 'subject' %}{% block subject %}{% endblock %}"
           "{% elif message_part == 'text' %}{% block text %}{% endblock %}{% else %}{% block html %}{% endblock %}{% endif %}")
    _write(builtin, "sv", "only_sv", '{% extends "_layout.jinja" %}{% block subject %}Ämne{% endblock %}'
           "{% block text %}Hej {{ who }}!{% endblock %}{% block html %}<p>Hej {{ who }}!</p>{% endblock %}")
    renderer = TemplateRenderer(builtin)
    for lang in ("en", "en-GB", "EN_us", "de", "", "../../etc"):
        message = renderer.render("only_sv", lang, {"who": "Åsa"})
        assert (message.language, message.subject, message.text) == ("sv", "Ämne", "Hej Åsa!\n")


def test_missing_template_names_every_place_searched(tmp_path):
    renderer = TemplateRenderer(BUILTIN_DIR, tmp_path / "operator")
    with pytest.raises(TemplateMissingError) as caught:
        renderer.render("no_such_template", "en", {})
    expected = [
        tmp_path / "operator" / "email" / "en" / "no_such_template.jinja",
        BUILTIN_DIR / "email" / "en" / "no_such_template.jinja",
        tmp_path / "operator" / "email" / "sv" / "no_such_template.jinja",
        BUILTIN_DIR / "email" / "sv" / "no_such_template.jinja",
    ]
    assert caught.value.searched == expected
    assert "'no_such_template'" in str(caught.value)
    assert all(str(path) in str(caught.value) for path in expected)


@pytest.mark.parametrize("name", ["../sv/case_received", "Case_Received", "", "a/b"])
def test_template_names_are_plain_identifiers(renderer, name):
    with pytest.raises(ValueError):
        renderer.render(name, "sv", {})


def test_subject_is_one_line_and_part_cannot_be_forced(tmp_path):
    _write(tmp_path, "sv", "multi", '{% extends "_layout.jinja" %}{% block subject %}\n  Rad ett\n\n  rad   två\n{% endblock %}'
           "{% block text %}{{ message_part }}{% endblock %}{% block html %}<p>x</p>{% endblock %}")
    renderer = TemplateRenderer(BUILTIN_DIR, tmp_path)
    message = renderer.render("multi", "sv", {"desk_name": "D", "message_part": "html"})
    assert message.subject == "Rad ett rad två"
    assert message.text.startswith("text\n")


def test_operator_only_templates_are_listed(tmp_path):
    _write(tmp_path, "en", "holiday_notice", "x")
    assert "holiday_notice" in TemplateRenderer(BUILTIN_DIR, tmp_path).list_templates()


def test_syntax_error_in_an_operator_template_names_it(tmp_path):
    _write(tmp_path, "sv", "status_closed", "{% if %}")
    with pytest.raises(RenderError, match="status_closed"):
        TemplateRenderer(BUILTIN_DIR, tmp_path).render("status_closed", "sv", sample_context("status_closed"))


# -- settings and the preview command ----------------------------------------


def test_from_settings_supplies_desk_values(tmp_path):
    settings = Settings.model_validate(
        {"desk": {"name": "Servicedesk", "templates_dir": str(tmp_path)}, "portal": {"url": "https://kund.example.se/"}}
    )
    renderer = TemplateRenderer.from_settings(settings)
    assert renderer.defaults == desk_context(settings)
    context = {k: v for k, v in sample_context("status_closed").items() if k not in desk_context(settings)}
    message = renderer.render("status_closed", "sv", context)
    assert "Servicedesk" in message.text and "https://kund.example.se/" in message.text


def _preview(args, monkeypatch, config: Path | None = None):
    for name in [n for n in os.environ if n.startswith("SUPPORTBOT_")]:
        monkeypatch.delenv(name)
    cli = CliContext(config_path=str(config) if config else None)
    return CliRunner().invoke(preview, args, obj=cli)


def test_preview_prints_subject_blank_line_and_text(monkeypatch):
    result = _preview(["case_received"], monkeypatch)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Subject: Vi har tagit emot ditt ärende: Exporten till ekonomisystemet stannar på 80 %"
    assert lines[1] == "" and lines[2] == "Hej Anna!"
    assert "<html" not in result.output


def test_preview_in_english_with_html(monkeypatch):
    result = _preview(["status_waiting", "--lang", "en", "--html"], monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Subject: We need more information")
    assert '<html lang="en">' in result.output


def test_preview_uses_the_operator_folder_and_desk_settings(tmp_path, monkeypatch):
    _write(tmp_path / "tpl", "sv", "status_closed", '{% extends "_layout.jinja" %}{% block subject %}Stängt hos {{ desk_name }}{% endblock %}'
           "{% block text %}x{% endblock %}{% block html %}x{% endblock %}")
    config = tmp_path / "supportbot.toml"
    config.write_text(f'[desk]\nname = "Servicedesk"\ntemplates_dir = "{tmp_path / "tpl"}"\n', encoding="utf-8")
    result = _preview(["status_closed"], monkeypatch, config)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Subject: Stängt hos Servicedesk\n")


def test_preview_of_an_unknown_template_fails_with_one_line(monkeypatch):
    result = _preview(["no_such_template"], monkeypatch)
    assert result.exit_code == 2
    assert "no_such_template" in result.output and "case_received" in result.output


def test_sample_dates_are_aware():
    assert sample_context("out_of_hours")["next_open_at"].tzinfo is timezone.utc
