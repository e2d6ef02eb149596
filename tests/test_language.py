"""Language detection: offline classifier, the page's hint, and text too short to judge."""
import pytest

from cleaning.language import SAMPLE_CHARS, detect_language, normalize_language

EN = ("Innovation is the first driving force leading development. Chengdu is speeding up the "
      "construction of a scientific and technological innovation center.")
ZH = "成都加快建设具有全国影响力的科技创新中心，打造带动全国高质量发展的重要增长极和新的动力源。"
DE = "Die Bundesregierung hat am Mittwoch neue Regeln für den Ausbau der Windkraft beschlossen."
FR = "Le gouvernement a présenté mercredi un projet de loi sur la transition énergétique du pays."
ES = "El gobierno presentó el miércoles un proyecto de ley sobre la transición energética del país."
JA = "東京都は新しい政策を発表しました。これは市民の生活に大きな影響を与える重要なニュースです。"
RU = "Правительство в среду представило законопроект об энергетическом переходе в стране."


@pytest.mark.parametrize("text,expected", [
    (EN, "en"), (ZH, "zh"), (DE, "de"), (FR, "fr"), (ES, "es"), (JA, "ja"), (RU, "ru"),
])
def test_detects_without_hint(text, expected):
    assert detect_language(text, None) == expected


@pytest.mark.parametrize("text,hint,expected", [
    (EN, "en-US", "en"),  # agrees
    (ZH, "zh-CN", "zh"),
    (ZH, "en", "zh"),  # a template's lang="en" on a Chinese article: the text wins
    (DE, "en", "de"),
    ("OK", "fr", "fr"),  # too short to judge: the hint is trusted
    ("Read more »", "de", "de"),
])
def test_hint(text, hint, expected):
    assert detect_language(text, hint) == expected


@pytest.mark.parametrize("text", ["", "OK", "12345 67890", "— · —", "Home | News"])
def test_too_short_without_hint_is_none(text):
    assert detect_language(text, None) is None


def test_only_the_head_is_classified():
    text = DE * 3 + " " + ("x" * (SAMPLE_CHARS * 2))
    assert detect_language(text, None) == "de"


@pytest.mark.parametrize("tag,code", [
    ("zh-CN", "zh"), ("en_US", "en"), ("EN", "en"), ("pt-br", "pt"), ("iw", "he"),
    ("x-default", None), ("", None), (None, None), ("zho", None), ("e1", None),
])
def test_normalize_language(tag, code):
    assert normalize_language(tag) == code
