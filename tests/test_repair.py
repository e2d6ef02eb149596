"""Text repair: ftfy with our options, then our spacing fixers; cases that change and must not."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaning.repair import FIXERS, FTFY_CONFIG, repair_text

# (input, expected output, a fix name that must be reported or None)
CHANGES = [
    # the seed page's spacing damage
    ('(hereinafter referred to as the "Decision") .', '(hereinafter referred to as the "Decision").',
     "remove_space_before_stop"),
    ("building a strategic support and material foundation .",
     "building a strategic support and material foundation.", "remove_space_before_stop"),
    ("upgrading the level of platforms such as the'China-Europe Center', and building",
     "upgrading the level of platforms such as the 'China-Europe Center', and building",
     "insert_space_before_quote"),
    ("the coordinated development of the'two districts and one city' as the driving force",
     "the coordinated development of the 'two districts and one city' as the driving force",
     "insert_space_before_quote"),
    ("Build an innovation ecosystem of'core innovation + business incubation'.\" said Li Wei",
     "Build an innovation ecosystem of 'core innovation + business incubation'.\" said Li Wei",
     "insert_space_before_quote"),
    ("the Western Region ( Chengdu) Science City", "the Western Region (Chengdu) Science City",
     "remove_space_inside_brackets"),
    ("first , second", "first, second", "remove_space_before_stop"),
    ("two   spaces , then (x ) and [ y  ]", "two spaces, then (x) and [y]", None),
    ("the'one' and'two' glued", "the 'one' and 'two' glued", "insert_space_before_quote"),
    # mojibake and controls (ftfy)
    ("The Mona Lisa doesnâ€™t have eyebrows.", "The Mona Lisa doesn’t have eyebrows.",
     "fix_encoding"),
    ("Ã©tÃ© chaud", "été chaud", "fix_encoding"),
    ("caf\u0065\u0301", "caf\u00e9", "normalize_nfc"),
    ("ﬁnancial", "financial", "fix_latin_ligatures"),
    # invisible characters and whitespace
    ("zero\u200bwidth\u200d joiner\ufeff", "zerowidth joiner", "remove_invisible_chars"),
    ("soft\u00adhyphen", "softhyphen", "remove_invisible_chars"),
    ("bell\x07 char", "bell char", None),
    ("two  spaces\u00a0and\tnbsp", "two spaces and nbsp", "normalize_whitespace"),
    ("trailing   \nspaces  ", "trailing\nspaces", "normalize_whitespace"),
    ("para one\n\n\n\n\npara two", "para one\n\npara two", "normalize_whitespace"),
    ("\n\n  leading blank lines", "leading blank lines", "normalize_whitespace"),
    ("windows\r\nline\rends", "windows\nline\nends", None),
    ("Ð¿Ñ€Ð¸Ð²ÐµÑ‚", "привет", "fix_encoding"),  # Cyrillic read as cp1252
    ("naÃ¯ve cafÃ©\u0085", "naïve café…", "fix_encoding"),
]


@pytest.mark.parametrize("text,expected,fix", CHANGES)
def test_repairs(text, expected, fix):
    repaired, fixes = repair_text(text)
    assert repaired == expected
    if fix:
        assert fix in fixes


# Text that must come out exactly as it went in, with no fix reported.
UNCHANGED = [
    "Innovation + business incubation'.\" said Zhang Jinquan, director of the Bureau.",
    "Tianfu Laboratory’s “four-tier structure” stays curly.",
    "成都加快建设科技创新中心，打造增长极。“引号”保留；全角：标点！",
    "全角字符ＡＢＣ１２３保持不变",
    "GDP reached 1,006.57 billion yuan, up 3.5%.",
    "See https://www.example.com/a,b/c.html?x=1 . for details",
    "O'Brien said don't worry; it's McDonald's rock'n'roll.",
    "I don't know why the students' books aren't 'shared' here.",
    "We're sure you'll say it's fine, she'd agree, I'm in, they've left.",
    "Ma'am, Qur'an and y'all stay.",
    "Wait ... what?",
    "Use .NET and C# 12.",
    "R&amp;D stays as written",  # text already unescaped by the parser: a literal &amp; is meant
    "Line one\nline two\n\nParagraph two",
    "Bonjour ! Comment ça va ? Très bien : merci.",
    "a (b) c [d] e",
    ". starts with a stop, — . after a dash, ( ) empty, - ) after a dash",
    "x'Y' needs two letters before the quote",
    "Ellipsis… and em—dash – en dash",
    "",
]


@pytest.mark.parametrize("text", UNCHANGED)
def test_must_not_change(text):
    repaired, fixes = repair_text(text)
    assert repaired == text
    assert fixes == []


def test_seed_paragraph():
    text = ("reviewed and approved the \"Decision of the CPC Chengdu Municipal Committee\" "
            "(hereinafter referred to as the \"Decision\") .\n\n"
            "platforms such as the'China-Europe Center', and building the economy")
    repaired, fixes = repair_text(text)
    assert '(hereinafter referred to as the "Decision").' in repaired
    assert "the 'China-Europe Center'" in repaired
    assert set(fixes) == {"remove_space_before_stop", "insert_space_before_quote"}


@pytest.mark.parametrize("text,expected", [
    ("plain ASCII text", False),
    ("café “curly” — 中文，标点。Ä Ö Ü ß", False),
    ("cafÃ©", True),
    ("doesnâ€™t", True),
    ("Ð¿Ñ€Ð¸", True),
    ("bad\x85break", True),
    ("ﬁne", True),
    ("cafe\u0301", True),  # not NFC
    ("\x1b[31mred", True),
])
def test_needs_ftfy(text, expected):
    from cleaning.repair import needs_ftfy
    assert needs_ftfy(text) is expected


def test_ftfy_options_are_deliberate():
    assert FTFY_CONFIG.unescape_html is False
    assert FTFY_CONFIG.uncurl_quotes is False
    assert FTFY_CONFIG.fix_character_width is False
    assert FTFY_CONFIG.normalization == "NFC"


def test_fixers_are_named_verb_noun_and_idempotent():
    sample = "a  b ( c ) . the'Quoted Thing' x\u200b\n\n\n\ny ."
    for name, fixer in FIXERS:
        assert name == fixer.__name__ and "_" in name
        once = fixer(sample)
        assert fixer(once) == once, name
    once = repair_text(sample)[0]
    assert repair_text(once) == (once, [])


# Property: repairing twice changes nothing more (the fixers and ftfy do not feed each other).
TRICKY = list("ab Z'\".,()[] \n\t\u00a0\u3000中文，。Ã©â€™\u200b1-:/")


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(TRICKY), max_size=60))
def test_repair_is_idempotent(text):
    once, _ = repair_text(text)
    assert repair_text(once) == (once, [])


def _holds_non_ascii(item) -> bool:
    """True when a parsed regex item always consumes one non-ASCII character."""
    from re._constants import IN, LITERAL, RANGE
    op, arg = item
    if op == LITERAL:
        return arg > 127
    if op == IN:
        return all((kind == LITERAL and value > 127) or (kind == RANGE and value[0] > 127)
                   for kind, value in arg)
    return False


def test_mojibake_windows_cover_every_ftfy_match():
    # looks_like_mojibake searches only MOJIBAKE_WIDTH characters around non-ASCII runs: sound
    # while every branch of ftfy's BADNESS_RE must consume a non-ASCII character and no match
    # is longer than that.
    import re._parser

    from ftfy.badness import BADNESS_RE

    from cleaning.repair import MOJIBAKE_WIDTH
    parsed = re._parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    assert parsed.getwidth()[1] <= MOJIBAKE_WIDTH
    (op, (_, branches)), = parsed.data
    for branch in branches:
        assert any(_holds_non_ascii(item) for item in branch.data), branch


def test_mojibake_seeds_are_in_every_ftfy_match():
    # looks_like_mojibake looks only near MOJIBAKE_SEEDS: sound while each branch of BADNESS_RE
    # consumes two adjacent non-ASCII characters or one of MOJIBAKE_LONE_CHARS.
    import re
    import re._parser
    from itertools import pairwise
    from re._constants import LITERAL

    from ftfy.badness import BADNESS_RE

    from cleaning.repair import MOJIBAKE_LONE_CHARS
    lone = re.compile(f"[{MOJIBAKE_LONE_CHARS}]")
    parsed = re._parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    (op, (_, branches)), = parsed.data
    for branch in branches:
        at = [i for i, item in enumerate(branch.data) if _holds_non_ascii(item)]
        if len(at) > 1:
            assert any(b == a + 1 for a, b in pairwise(at)), branch
            continue
        op, arg = branch.data[at[0]]
        codes = [arg] if op == LITERAL else [c for kind, value in arg for c in (
            [value] if kind == LITERAL else range(value[0], value[1] + 1))]
        assert all(lone.match(chr(c)) for c in codes), branch


FTFY_TRICKY = list("aZé Ã©â€™\x80\x85\x9dﬁ\u0301\u206a\r\n\u2028ÂÐ¿Ñ\x1b[31m\ud800ŒœØ°×²√±") + [
    "doesnâ€™t", "Ã©tÃ©", "â€œquotedâ€\x9d", "ï¬\x81", "Â©\xa0", "\ud83d\ude00"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FTFY_TRICKY), max_size=20).map("".join))
def test_fix_like_ftfy_is_ftfy(text):
    from ftfy import fix_and_explain

    from cleaning.repair import fix_like_ftfy
    expected = fix_and_explain(text, FTFY_CONFIG)
    assert fix_like_ftfy(text) == (expected.text, [tuple(s) for s in expected.explanation])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FTFY_TRICKY), max_size=20).map("".join))
def test_fix_encoding_like_ftfy_is_ftfy(text):
    from ftfy import fix_encoding_and_explain

    from cleaning.repair import fix_encoding_like_ftfy
    expected = fix_encoding_and_explain(text, FTFY_CONFIG)
    assert fix_encoding_like_ftfy(text) == (expected.text, list(expected.explanation))


def test_other_whitespace_lists_every_whitespace_but_space_and_newline():
    import sys

    from cleaning.repair import OTHER_WHITESPACE
    spaces = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    assert "".join(OTHER_WHITESPACE.findall(spaces)) == spaces.replace(" ", "").replace("\n", "")


@pytest.mark.parametrize("text", ["a b\n\nc", "a  b", " a", "a ", "\na", "a\n", "a\n\n\nb",
                                  "a \nb", "a\n b", "a\tb", "a\u00a0b", "a\u3000b", "a\rb", ""])
def test_normal_whitespace_check_agrees_with_the_normalizer(text):
    from cleaning.repair import is_normal_whitespace, normalize_whitespace
    assert is_normal_whitespace(text) == (normalize_whitespace(text) == text) or text == ""


# Characters each scan of the first repair round looks for, with neighbours that make pairs.
PLAIN_TRICKY = list("aé ô\n\t\u00a0\u200b\x07\x1b\x80\x9d€’”\u2028\ufb01\u0301Ã©âÂ\u3000") + [
    "doesnâ€™t", "  ", " .", "( x )"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PLAIN_TRICKY), max_size=20).map("".join))
def test_plain_text_shortcut_is_exact(text):
    # is_plain_text is the single scan standing for the five of the general path
    import unicodedata

    from cleaning.repair import (
        FTFY_SIGN_CHARS,
        FTFY_SIGN_PAIRS,
        INVISIBLE_CHARS,
        OTHER_WHITESPACE,
        is_plain_text,
        repair_any_text,
    )
    scans = (INVISIBLE_CHARS, OTHER_WHITESPACE, FTFY_SIGN_CHARS, FTFY_SIGN_PAIRS)
    expected = not any(p.search(text) for p in scans) and unicodedata.is_normalized("NFC", text)
    assert is_plain_text(text) is expected
    assert repair_text(text) == (repair_any_text(text) if text else (text, []))


# One scan for the plain path (text_flags): every quick test it stands for, and the same flags
# compiled and in Python.
FLAG_TRICKY = PLAIN_TRICKY + list("'\"()[].,xAß\u0130\u017f\u2019\ud800\x00\x7f\x1c\x85") + [
    "the'Old'", "a\"B", "O'Brien", "\n\n\n", "\n ", " \n", "( ", "[ ", " )", " ]", " ,",
    "don't", "we're", "it'll", "I'd", "ab'tx", "ab'lla", "ab're'", "ab\"ve\"", "ab's", "ab'm"]


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(FLAG_TRICKY), max_size=20).map("".join),
                 st.text(max_size=40)))
def test_text_flags_stand_for_each_quick_test(text):
    from cleaning import repair
    flags = repair.text_flags_py(text)
    assert bool(flags & repair.UNUSUAL) == (repair.UNUSUAL_CHARS.search(text) is not None)
    for bit, name, fixer in ((repair.SPACING, "normalize_whitespace", repair.normalize_plain_whitespace),
                             (repair.STOP, "remove_space_before_stop", repair.remove_space_before_stop),
                             (repair.BRACKETS, "remove_space_inside_brackets", repair.remove_space_inside_brackets),
                             (repair.QUOTE, "insert_space_before_quote", repair.insert_space_before_quote)):
        if not flags & bit and not flags & repair.UNUSUAL:
            assert fixer(text) == text, name  # a clear bit: that fixer cannot change plain text
    if repair._speedups is not None:
        assert repair._speedups.text_flags(text, repair.CHAR_TABLE) == flags
    assert repair_text(text) == (repair_any_text_or_plain(text))


def repair_any_text_or_plain(text):
    """repair_text as it was before the one-scan shortcut (is_plain_text + every fixer)."""
    from cleaning import repair
    if not text:
        return text, []
    if repair.is_plain_text(text):
        applied: list[str] = []
        fixed = repair.apply_fixers(text, repair.PLAIN_TEXT_FIXERS, applied)
        if fixed == text or not repair.needs_ftfy(fixed):
            return fixed, applied
    return repair.repair_any_text(text)


def test_char_table_matches_the_regex_classes():
    from cleaning import repair
    alone = re.compile(f"[{repair._INVISIBLE}{repair._OTHER_WHITESPACE}{repair._FTFY_SIGNS}]")
    lead = re.compile(f"[{repair._UTF8_LEADS}]")
    cont = re.compile(f"[{repair._CP1252_CONTINUATION}]")
    for point in range(0x10000):
        char, bits = chr(point), repair.CHAR_TABLE[point]
        assert bool(bits & repair.CHAR_LEAD) == bool(lead.match(char)), hex(point)
        assert bool(bits & repair.CHAR_ALONE) == (bool(alone.match(char)) and not lead.match(char))
        assert bool(bits & repair.CHAR_CONTINUATION) == bool(cont.match(char)), hex(point)
    assert not any(p.search(chr(point)) for p in (alone, lead, cont)
                   for point in (0x10000, 0x1F600, 0x10FFFF))
