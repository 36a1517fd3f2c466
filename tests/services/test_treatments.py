"""The treatment answers: complete entries, search by everyday words, practice overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.domain.treatments import FIELDS, Treatment
from frontdesk.services.catalog import DEFAULT_VISIT_TYPES
from frontdesk.services.treatments import load_library, search

KEYS = ["pain-medication", "muscle-relaxants", "massage-therapy", "trigger-point",
        "facet-diagnostic", "facet-therapeutic", "rfa", "facet-not-working"]


@pytest.fixture
def no_overrides(tmp_path: Path) -> Path:
    return tmp_path / "none"


def test_every_treatment_has_every_section_and_a_real_visit_type(no_overrides: Path) -> None:
    library = load_library(no_overrides)
    assert [t.key for t in library.entries] == KEYS
    assert library.problems == ()
    codes = {v.code for v in DEFAULT_VISIT_TYPES}
    for entry in library.entries:
        for field in FIELDS:
            assert getattr(entry, field), (entry.key, field)
        assert entry.visit_type in codes
        assert len(entry.escalate) >= 3
        assert entry.source == "packaged"


@pytest.mark.parametrize(("words", "key"), [
    ("muscle spasm", "muscle-relaxants"),
    ("arthritis", "facet-diagnostic"),
    ("burn the nerve", "rfa"),
    ("RFA", "rfa"),
    ("radiofrequency", "rfa"),
    ("numbing shot", "facet-diagnostic"),
    ("medial branch block", "facet-diagnostic"),
    ("massge", "massage-therapy"),  # misspelt
    ("knots", "trigger-point"),
    ("trigger point", "trigger-point"),
    ("pain pills", "pain-medication"),
    ("relaxer", "muscle-relaxants"),
    ("therapeutic", "facet-therapeutic"),
    ("didn't work", "facet-not-working"),
])
def test_search_finds_each_treatment_from_everyday_words(
    no_overrides: Path, words: str, key: str
) -> None:
    found = [t.key for t in search(load_library(no_overrides), words)]
    assert key in found[:3], found


def test_nonsense_finds_nothing_and_empty_lists_everything(no_overrides: Path) -> None:
    library = load_library(no_overrides)
    assert search(library, "xqzvw") == []
    assert [t.key for t in search(library, "  ")] == KEYS


def test_an_override_replaces_the_packaged_entry(tmp_path: Path) -> None:
    (tmp_path / "rfa.toml").write_text('''
[[treatment]]
key = "rfa"
name = "Radiofrequency ablation"
aliases = ["rfa", "nerve ablation", "burn the nerve", "ablation", "heat treatment"]
symptoms = ["facet joint damage"]
what = "Our own words about RFA."
who = "For facet joint pain."
expect = "About an hour."
say = "The physician explains it at the consult."
escalate = ["new weakness"]
visit_type = "rfa-consult"
''', encoding="utf-8")
    library = load_library(tmp_path)
    assert library.problems == ()
    rfa = library.get("rfa")
    assert rfa is not None
    assert (rfa.what, rfa.source) == ("Our own words about RFA.", str(tmp_path / "rfa.toml"))
    assert [t.key for t in library.entries] == KEYS  # same place, same set
    assert search(library, "heat treatment")[0].key == "rfa"


def test_a_broken_override_is_reported_with_file_and_line_and_the_packaged_entry_used(
    tmp_path: Path,
) -> None:
    bad_toml = tmp_path / "a_broken.toml"
    bad_toml.write_text('[[treatment]]\nkey = "rfa"\nname = "unclosed\n', encoding="utf-8")
    incomplete = tmp_path / "b_incomplete.toml"
    incomplete.write_text('# a comment\n\n[[treatment]]\nkey = "massage-therapy"\n'
                          'name = "Massage"\n', encoding="utf-8")
    library = load_library(tmp_path)
    assert len(library.problems) == 2
    first, second = library.problems
    assert first.startswith(f"{bad_toml}: line 3: not valid TOML")
    assert second == (f"{incomplete}: line 3: massage-therapy: 'what' must be non-empty text; "
                      "the packaged entry is used")
    packaged = load_library(tmp_path / "none")
    assert library.get("rfa") == packaged.get("rfa")
    assert library.get("massage-therapy") == packaged.get("massage-therapy")


def test_treatment_words_include_name_key_aliases_and_symptoms() -> None:
    entry = Treatment(key="x-y", name="Thing", aliases=("a",), symptoms=("b",), what="w",
                      who="w", expect="e", say="s", escalate=("c",), visit_type="follow-up")
    assert entry.words() == ("thing", "x y", "a", "b")


def test_no_treatment_text_interprets_or_promises(no_overrides: Path) -> None:
    """Staff read these to callers (issue 17, item 6): no result interpreted, no outcome
    promised; the read-back's visit instructions neither."""
    from tests.domain.test_pathway_words import INTERPRETING, offending

    texts = [(f"{t.key}.{part}", getattr(t, part))
             for t in load_library(no_overrides).entries
             for part in ("what", "who", "expect", "say")]
    texts += [(f"{v.code}.prep", v.prep) for v in DEFAULT_VISIT_TYPES]
    for where, text in texts:
        assert not offending(text, INTERPRETING), (where, text)


def test_the_therapeutic_injection_says_what_the_workflow_does(no_overrides: Path) -> None:
    """It is booked from the desk after a report that fits the protocol, not after a review."""
    entries = {t.key: t for t in load_library(no_overrides).entries}
    therapeutic = entries["facet-therapeutic"]
    for text in (therapeutic.what, therapeutic.who, therapeutic.say):
        assert "reviewed how your test injection went" not in text
        assert "makes that call from the relief report" not in text
    assert "the practice's plan" in therapeutic.say
    assert "stop sending pain signals" not in entries["rfa"].what
    assert "differs from person to person" in entries["rfa"].what
