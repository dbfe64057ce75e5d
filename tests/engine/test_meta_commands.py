"""!about, !source, !ping and !invite in the engine (the console's answers), from the knowledge base's profile."""

from __future__ import annotations

from bot.engine import Engine


def test_about_names_the_bot_the_article_and_how_to_use_it(engine: Engine, kb):
    text = engine.answer("!about").to_text()
    p = kb.profile
    for part in (p.name, p.description, p.article.headline, p.article.author, p.article.publisher, p.event_date,
                 "!help"):
        assert part in text, part


def test_source_gives_the_reference_and_says_no_url_is_recorded(engine: Engine, kb):
    answer = engine.answer("!source")
    text = answer.to_text()
    ref = kb.profile.article
    assert ref.headline in text and f"By {ref.author}" in text and ref.publisher in text
    assert ref.published_in in text
    assert "No URL is recorded" in text
    assert "http" not in text and "www." not in text


def test_source_alias(engine: Engine):
    assert engine.answer("!reference").to_text() == engine.answer("!source").to_text()


def test_ping_pongs(engine: Engine):
    answer = engine.answer("!ping")
    assert answer.title == "Pong!"


def test_invite_in_the_console_points_to_discord(engine: Engine):
    text = engine.answer("!invite").to_text()
    assert "works on Discord" in text and "http" not in text


def test_help_lists_the_meta_commands(engine: Engine):
    text = engine.answer("!help").to_text()
    for usage in ("!about", "!source", "!ping", "!invite"):
        assert usage in text
