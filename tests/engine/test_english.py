"""The English word list: the same words as the `english-words` wheel's, kept in the cache in a form that loads fast."""

from __future__ import annotations

import random

import pytest

from bot.engine import english
from bot.engine.english import Words


def test_words_holds_exactly_its_words() -> None:
    words = Words(["brunch", "labs", "a", "zyzzyva", "mali", "émigré"])
    assert all(w in words for w in ["brunch", "labs", "a", "zyzzyva", "mali", "émigré"])
    assert not any(w in words for w in ["", "b", "brunc", "brunchy", "lab", "zz", "thant", "lab\nx", "labs\n"])
    assert len(words) == 6


def test_the_saved_list_answers_as_the_wheels_does(tmp_path, monkeypatch) -> None:
    from english_words import get_english_words_set

    reference = get_english_words_set(list(english.SOURCES), lower=True, alpha=True)
    monkeypatch.setenv("BOT_CACHE_DIR", str(tmp_path))
    english._lexicon.cache_clear()
    try:
        made = english._lexicon()  # from the wheel, then saved
        assert list(tmp_path.glob("english-*.pickle"))
        english._lexicon.cache_clear()
        loaded = english._lexicon()  # from the saved copy
        sample = [*random.Random(5).sample(sorted(reference), 3000), "labs", "brunch", "qwxz", "thant", "nguyen"]
        for words in (made, loaded):
            assert len(words) == len(reference)
            assert [w in words for w in sample] == [w in reference for w in sample]
    finally:
        english._lexicon.cache_clear()


@pytest.mark.parametrize("word", ["facilities", "emptied", "planned", "trialled", "donating", "procuring"])
def test_regular_inflections_the_list_leaves_out_are_english(word) -> None:
    assert word not in english._lexicon() and english.is_english(word)  # -ies/-ied, a doubled consonant, a dropped e


@pytest.mark.parametrize("word", ["thialand", "xyzing", "qqqies", "vietnm"])
def test_a_made_up_word_is_not_english(word) -> None:
    assert not english.is_english(word)
