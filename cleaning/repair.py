"""Text repair: ftfy with explicit options, then our small spacing fixers. Conservative, logged.

ftfy choices (DESIGN.md): ``unescape_html=False`` (the HTML parser already unescaped, so a
literal "&amp;" in text is meant), ``uncurl_quotes=False`` (keep the page's typographic quotes),
``fix_character_width=False`` (keep CJK full-width punctuation), NFC normalisation.

Our fixers are ``str -> str`` functions named verb_noun, applied in the order of ``FIXERS``;
each is reported by name in the list ``repair_text`` returns when it changed something.
They never touch CJK full-width punctuation, URLs or numbers such as ``1,006.57``.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from re import _constants as sre_constants  # the regex parser (Python >= 3.11)
from re import _parser as sre_parse

from ftfy import TextFixerConfig, _fix_encoding_one_step_and_explain, fixes
from ftfy.badness import BADNESS_RE
from ftfy.chardata import CONTROL_CHARS, LIGATURES

from cleaning.compiled import load_speedups

_speedups = load_speedups()  # text_flags in one C pass; text_flags_py gives the same flags

FTFY_CONFIG = TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=True,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=True,
    fix_surrogates=True,
    remove_control_chars=True,
    normalization="NFC",
    explain=True,
)

# What ftfy fixes looks like: a Latin-1/Windows-1252 reading of a UTF-8 lead byte (Â-ô)
# followed by a continuation byte read the same way (\x80-\xbf or its cp1252 characters),
# C1 controls, Latin ligatures, Unicode line/paragraph separators, lone surrogates, escapes.
_CP1252_CONTINUATION = ("\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                        "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
                        "\u2039\u203a\u20ac\u2122")
_FTFY_SIGNS = "\u0080-\u009f\ufb00-\ufb06\u2028\u2029\ud800-\udfff\x1b"
_UTF8_LEADS = "\u00c2-\u00f4"
# Two searches, not one alternation: a pattern that is one character class (or starts with one)
# is scanned in C at full speed; the alternation of both ran ~4x slower on accented text.
FTFY_SIGN_CHARS = re.compile(f"[{_FTFY_SIGNS}]")
FTFY_SIGN_PAIRS = re.compile(f"[{_UTF8_LEADS}][{_CP1252_CONTINUATION}]")
# fix_like_ftfy: the longest match of ftfy's mojibake regex (tests/test_repair.py checks it),
# and ftfy's character fixers in the order fix_and_explain runs them under FTFY_CONFIG, each with
# a scan for the characters it acts on (None: the fixer is a fast scan itself).
MOJIBAKE_WIDTH = 7
# Where a match of ftfy's mojibake regex can be: every branch consumes two adjacent non-ASCII
# characters, or one of these (C1 controls, Œ œ Ã Â; tests/test_repair.py checks the list).
# So only non-ASCII runs of two or more characters and these characters need a look: on
# accented Latin text most non-ASCII characters stand alone ("für", "café").
MOJIBAKE_LONE_CHARS = "\u0080-\u009f\u0152\u0153\u00c2\u00c3"
MOJIBAKE_SEEDS = re.compile(f"[^\\x00-\\x7f](?:[^\\x00-\\x7f]+|(?<=[{MOJIBAKE_LONE_CHARS}]))")


def char_class(codepoints: Iterable[int]) -> re.Pattern[str]:
    """A regex matching any of the code points (the keys of a str.translate table).

    >>> char_class([0x41, 0x5d]).findall("A]B")
    ['A', ']']
    """
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(codepoints)) + "]")


FTFY_CHAR_FIXERS: tuple[tuple[str, Callable[[str], str], re.Pattern[str] | None], ...] = (
    ("fix_c1_controls", fixes.fix_c1_controls, None),
    ("fix_latin_ligatures", fixes.fix_latin_ligatures, char_class(LIGATURES)),
    ("fix_line_breaks", fixes.fix_line_breaks, None),
    ("fix_surrogates", fixes.fix_surrogates, None),
    ("remove_terminal_escapes", fixes.remove_terminal_escapes, None),
    ("remove_control_chars", fixes.remove_control_chars, char_class(CONTROL_CHARS)),
)
# Characters that are never text: zero-width and format characters, soft hyphen, and C0
# controls except newline and tab (tab is then normalised as a space).
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
INVISIBLE_CHARS = re.compile(f"[{_INVISIBLE}]")
# Whitespace other than space and newline: every character str.isspace() accepts (listed, so
# that the regex tests a set instead of a Unicode category; tests/test_repair.py checks the list).
_OTHER_WHITESPACE = ("\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029"
                     "\u202f\u205f\u3000")
OTHER_WHITESPACE = re.compile(f"[{_OTHER_WHITESPACE}]")
# What INVISIBLE_CHARS, OTHER_WHITESPACE, FTFY_SIGN_CHARS or FTFY_SIGN_PAIRS would find, in one
# scan (each scan costs ~4 ns a character, and almost no extracted text holds any of these):
# one of their characters, or a lead character followed by a continuation character.
UNUSUAL_CHARS = re.compile(f"[{_INVISIBLE}{_OTHER_WHITESPACE}{_FTFY_SIGNS}{_UTF8_LEADS}]"
                           f"(?:(?<![{_UTF8_LEADS}])|(?=[{_CP1252_CONTINUATION}]))")
# Lines are split on "\n" and their whitespace runs (spaces of every width, tabs, the CJK
# ideographic space) collapsed to one ASCII space with str.split (fast, in C).
# "foundation ." -> "foundation." and '"Decision") .' -> '"Decision").': spaces before a
# full stop or comma that ends a clause (followed by space, quote, or end), after a word,
# a closing bracket or quote. Not "wait ..." (ellipsis), not ".NET", not "3 .5".
# Patterns that start with the character they are about (a space, a quote) and check what
# precedes it afterwards: the regex engine then skips to candidates in C, where a leading
# look-behind is tried at every position (~10x slower on long texts). A space run is written
# "  *", not " +": only a literal first character (or class) lets the engine skip; a leading
# repeat is tried at every position (~5x slower).
SPACE_BEFORE_STOP = re.compile(r"  *([.,])(?=[\s\"'”’]|$)(?!\.)")
STOP_AFTER = re.compile(r"[\w)\]\"'”’]")  # what must precede SPACE_BEFORE_STOP's spaces
URL_LIKE = re.compile(r"://|^www\.", re.I)
# "( Chengdu)" -> "(Chengdu)", "(Chengdu )" -> "(Chengdu)"; ASCII brackets only.
SPACE_INSIDE_OPEN = re.compile(r"([(\[])[ ]+(?=\w)")
SPACE_INSIDE_CLOSE = re.compile(r"  *([)\]])")
CLOSE_AFTER = re.compile(r"[\w.\"'”’]")  # what must precede SPACE_INSIDE_CLOSE's spaces
# "the'China-Europe Center'" -> "the 'China-Europe Center'", "of'core innovation'" -> "of
# 'core innovation'": a lowercase word glued to an opening quote whose phrase is closed later
# in the line (closing quote not followed by a letter). O'Brien (one letter before), don't /
# it's / we're (contraction endings) and rock'n'roll (closing quote inside a word) do not match.
GLUED_OPEN_QUOTE = re.compile(
    r"(['\"])(?<=[a-z]{2}['\"])(?!(?:t|s|re|ve|ll|d|m)(?![A-Za-z]))"
    r"(?=[A-Za-z][^'\"\n]{0,80}\1(?![A-Za-z]))")
# Where GLUED_OPEN_QUOTE could match: its test of the quote's neighbours without the search
# for the closing quote (text_flags: contractions such as "don't" are common, glued quotes rare).
GLUED_QUOTE_CANDIDATE = re.compile(
    r"(?<=[a-z]{2})['\"](?=[A-Za-z])(?!(?:t|s|re|ve|ll|d|m)(?![A-Za-z]))")


def remove_invisible_chars(text: str) -> str:
    """Drop zero-width, soft-hyphen and control characters (newlines and tabs stay).

    >>> remove_invisible_chars("a\\u200bb\\x07c\\nd\\u00ade")
    'abc\\nde'
    """
    return INVISIBLE_CHARS.sub("", text)


def normalize_whitespace(text: str) -> str:
    """One space in a row, no spaces at line ends, paragraphs split by exactly one blank line.

    >>> normalize_whitespace("a  b\\u00a0 c \\n\\n\\n\\nd\\r\\ne ")
    'a b c\\n\\nd\\ne'
    >>> normalize_whitespace("\\u3000\\u3000段落，标点。")
    '段落，标点。'
    """
    if is_normal_whitespace(text):
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines: list[str] = []
    blank = True  # drops leading blank lines
    for line in text.split("\n"):
        line = " ".join(line.split())
        if line:
            lines.append(line)
            blank = False
        elif not blank:
            lines.append("")
            blank = True
    if lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines)


def is_normal_whitespace(text: str) -> bool:
    """True when normalize_whitespace would return text unchanged: only spaces and newlines,
    no two in a row but paragraph breaks, none at either end. Five scans in C, ~2x faster
    than the line loop, and extracted text almost always passes.

    >>> is_normal_whitespace("a b\\n\\nc"), is_normal_whitespace("a  b"), is_normal_whitespace("a\\n")
    (True, False, False)
    """
    return OTHER_WHITESPACE.search(text) is None and has_normal_spacing(text)


def has_normal_spacing(text: str) -> bool:
    """is_normal_whitespace for text without OTHER_WHITESPACE: spaces and newlines in place.

    >>> has_normal_spacing("a b\\n\\nc"), has_normal_spacing("a \\nb"), has_normal_spacing(" a")
    (True, False, False)
    """
    return not ("  " in text or " \n" in text or "\n " in text or "\n\n\n" in text
                or text[:1] in " \n" or text[-1:] in " \n")


def normalize_plain_whitespace(text: str) -> str:
    """normalize_whitespace for text without OTHER_WHITESPACE (is_plain_text), which spares
    its scan.

    >>> normalize_plain_whitespace("a  b\\n\\n\\nc ")
    'a b\\n\\nc'
    """
    return text if has_normal_spacing(text) else normalize_whitespace(text)


def remove_space_before_stop(text: str) -> str:
    """Remove stray spaces before a clause-ending full stop or comma.

    >>> remove_space_before_stop('the "Decision") .')
    'the "Decision").'
    >>> remove_space_before_stop("material foundation .")
    'material foundation.'
    >>> remove_space_before_stop("1,006.57 yuan and .NET, wait ... see https://e.com/a .")
    '1,006.57 yuan and .NET, wait ... see https://e.com/a .'
    """
    if " ." not in text and " ," not in text:
        return text
    return SPACE_BEFORE_STOP.sub(_join_stop_unless_url, text)


def _join_stop_unless_url(m: re.Match[str]) -> str:
    start = m.start()
    if not start or not STOP_AFTER.match(m.string, start - 1):
        return m.group(0)  # not after a word, a closing bracket or a quote
    word = m.string[:start].rsplit(None, 1)[-1]
    return m.group(0) if URL_LIKE.search(word) else m.group(1)


def remove_space_inside_brackets(text: str) -> str:
    """'( Chengdu)' -> '(Chengdu)'.

    >>> remove_space_inside_brackets("Western Region ( Chengdu ) Science City")
    'Western Region (Chengdu) Science City'
    >>> remove_space_inside_brackets("a ( ) b")
    'a ( ) b'
    """
    # A one-character scan is ~10x faster than one for "( " (CPython skips on the last
    # character of what it looks for, and spaces are everywhere).
    if " )" not in text and " ]" not in text and ("(" not in text or "( " not in text) \
            and ("[" not in text or "[ " not in text):
        return text
    return SPACE_INSIDE_CLOSE.sub(_join_close_bracket, SPACE_INSIDE_OPEN.sub(r"\1", text))


def _join_close_bracket(m: re.Match[str]) -> str:
    start = m.start()
    return m.group(1) if start and CLOSE_AFTER.match(m.string, start - 1) else m.group(0)


def insert_space_before_quote(text: str) -> str:
    """Put back the space lost before an opening quote glued to the previous word.

    >>> insert_space_before_quote("platforms such as the'China-Europe Center', and")
    "platforms such as the 'China-Europe Center', and"
    >>> insert_space_before_quote("an ecosystem of'core innovation + business incubation'.")
    "an ecosystem of 'core innovation + business incubation'."
    >>> insert_space_before_quote("O'Brien said don't; it's McDonald's rock'n'roll, we're 'ok'")
    "O'Brien said don't; it's McDonald's rock'n'roll, we're 'ok'"
    """
    if not has_glued_quote(text):
        return text
    return GLUED_OPEN_QUOTE.sub(r" \1", text)


def has_glued_quote(text: str) -> bool:
    """Quick scan: is any quote between a lowercase letter and a letter?

    >>> has_glued_quote("the'China"), has_glued_quote("a 'Quote' here")
    (True, False)
    """
    for quote in ("'", '"'):
        i = text.find(quote, 1)
        while 0 < i < len(text) - 1:
            if text[i - 1].islower() and text[i + 1].isalpha():
                return True
            i = text.find(quote, i + 1)
    return False


# Our fixers in the order they run: (name, function).
FIXERS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("remove_invisible_chars", remove_invisible_chars),
    ("normalize_whitespace", normalize_whitespace),
    ("remove_space_before_stop", remove_space_before_stop),
    ("remove_space_inside_brackets", remove_space_inside_brackets),
    ("insert_space_before_quote", insert_space_before_quote),
)
# FIXERS[1:] for plain text (is_plain_text): the same names and results, fewer scans.
PLAIN_TEXT_FIXERS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("normalize_whitespace", normalize_plain_whitespace), *FIXERS[2:])


def name_ftfy_steps(explanation: list[tuple[str, str]] | None) -> list[str]:
    """Names of ftfy's steps: 'fix_encoding' for an encode/decode round trip, else the fixer.

    >>> name_ftfy_steps([("encode", "sloppy-windows-1252"), ("decode", "utf-8"),
    ...                  ("transcode", "fix_c1_controls"), ("normalize", "NFC")])
    ['fix_encoding', 'fix_c1_controls', 'normalize_nfc']
    """
    names: list[str] = []
    for action, parameter in explanation or ():
        if action in ("encode", "decode"):
            name = "fix_encoding"
        elif action == "normalize":
            name = f"normalize_{parameter.lower()}"
        else:
            name = parameter
        if name not in names:
            names.append(name)
    return names


def needs_ftfy(text: str) -> bool:
    """Cheap test whether ftfy could change anything: a mojibake signature (a UTF-8 lead byte
    read as Latin-1/Windows-1252 followed by a continuation byte read the same way), C1
    controls, ligatures, odd line breaks, surrogates, escapes, or text not in NFC. ftfy's own
    checks cost ~3 ms on a 7 KB article; this one a few microseconds, and almost all text
    passes it untouched.

    >>> needs_ftfy("plain café “quotes” 中文"), needs_ftfy("cafÃ©"), needs_ftfy("doesnâ€™t")
    (False, True, True)
    >>> needs_ftfy("cafe\u0301")
    True
    """
    if text.isascii():
        return "\x1b" in text
    return FTFY_SIGN_CHARS.search(text) is not None or FTFY_SIGN_PAIRS.search(text) is not None \
        or not unicodedata.is_normalized("NFC", text)


def run_ftfy(text: str) -> tuple[str, list[str]]:
    """ftfy with FTFY_CONFIG, when needs_ftfy says it could change something."""
    if not needs_ftfy(text):
        return text, []
    fixed, explanation = fix_like_ftfy(text)
    return fixed, name_ftfy_steps(explanation)


def looks_like_mojibake(text: str) -> bool:
    """``ftfy.badness.is_bad``, searched only around the places a match can be.

    Every match of ftfy's BADNESS_RE holds a MOJIBAKE_SEEDS match and is at most
    MOJIBAKE_WIDTH characters long, so it lies within that distance of one; the full-text
    search costs ~0.3 ms per KB, these windows almost nothing on Latin text.

    >>> looks_like_mojibake("doesnâ€™t"), looks_like_mojibake("naïve café “quoted” – fine")
    (True, False)
    >>> looks_like_mojibake("Â "), looks_like_mojibake("ß“ – «x»")
    (True, False)
    """
    search = BADNESS_RE.search
    start = end = -1  # the window being grown over nearby seeds
    for run in MOJIBAKE_SEEDS.finditer(text):
        if run.start() - MOJIBAKE_WIDTH < end:
            end = run.end() + MOJIBAKE_WIDTH
            continue
        if end >= 0 and search(text, start, end):
            return True
        start, end = max(run.start() - MOJIBAKE_WIDTH, 0), run.end() + MOJIBAKE_WIDTH
    return end >= 0 and search(text, start, end) is not None


def fix_encoding_like_ftfy(text: str) -> tuple[str, list[tuple[str, str]]]:
    """``ftfy.fix_encoding_and_explain(text, FTFY_CONFIG)``: its loop of one-step fixes, each
    step taken only when looks_like_mojibake (ftfy's step returns the text unchanged unless
    ``is_bad``). ftfy's own loop searches the whole text with BADNESS_RE once more after
    the last fix (~0.3 ms per KB) to learn it is clean.

    >>> fix_encoding_like_ftfy("sÃ³ cafÃ©")
    ('só café', [('encode', 'latin-1'), ('decode', 'utf-8')])
    >>> fix_encoding_like_ftfy("plain café")
    ('plain café', [])
    """
    steps: list[tuple[str, str]] = []
    while looks_like_mojibake(text):
        fixed, plan = _fix_encoding_one_step_and_explain(text, FTFY_CONFIG)
        if plan is not None:
            steps.extend(plan)
        if fixed == text:
            break
        text = fixed
    return text, steps


def fix_like_ftfy(text: str) -> tuple[str, list[tuple[str, str]]]:
    """``ftfy.fix_and_explain(text, FTFY_CONFIG)``: same steps, same result, same explanation,
    but each step is skipped when a fast scan shows it cannot change the text. ftfy runs
    every step over the whole text in every round (two at least): its mojibake search and two
    ``str.translate`` tables cost ~0.5 ms per KB a round.
    """
    steps: list[tuple[str, str]] = []
    while True:
        before = text
        text, encoding_steps = fix_encoding_like_ftfy(text)
        steps.extend(encoding_steps)
        for name, fixer, probe in FTFY_CHAR_FIXERS:
            if probe is None or probe.search(text):
                fixed = fixer(text)
                if fixed != text:
                    steps.append(("apply", name))
                    text = fixed
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
            steps.append(("normalize", "NFC"))
        if text == before:
            return text, steps


# ---------------------------------------------------------------------------- plain-text scan

# text_flags bits: what the plain-text path of repair_text looks for. UNUSUAL: UNUSUAL_CHARS
# finds something (the text is not plain). The others: the quick test of one spacing fixer
# says it may change the text (normalize_plain_whitespace, remove_space_before_stop,
# remove_space_inside_brackets; GLUED_QUOTE_CANDIDATE for insert_space_before_quote).
UNUSUAL, SPACING, STOP, BRACKETS, QUOTE = 1, 2, 4, 8, 16
FIXABLE = SPACING | STOP | BRACKETS | QUOTE
# Bits of CHAR_TABLE: one byte per BMP code point, for the compiled text_flags.
CHAR_ALONE, CHAR_LEAD, CHAR_CONTINUATION = 1, 2, 4


def class_codepoints(spec: str) -> frozenset[int]:
    """The code points of a regex character class body (single characters and ranges), read
    by Python's own regex parser.

    >>> sorted(class_codepoints("a-cz"))
    [97, 98, 99, 122]
    """
    (op, items), = sre_parse.parse(f"[{spec}]")
    if op is sre_constants.LITERAL:
        return frozenset([items])
    points: set[int] = set()
    for kind, value in items:
        if kind is sre_constants.LITERAL:
            points.add(value)
        elif kind is sre_constants.RANGE:
            points.update(range(value[0], value[1] + 1))
        else:
            raise ValueError(f"unsupported in a character table: {kind}")
    return frozenset(points)


def char_table() -> bytes:
    """CHAR_* bits of every BMP code point, from the classes UNUSUAL_CHARS is built of (no
    code point above U+FFFF is in any of them)."""
    table = bytearray(0x10000)
    for point in class_codepoints(_INVISIBLE + _OTHER_WHITESPACE + _FTFY_SIGNS):
        table[point] |= CHAR_ALONE
    for point in class_codepoints(_UTF8_LEADS):
        table[point] = CHAR_LEAD  # (a lead character is unusual only before a continuation)
    for point in class_codepoints(_CP1252_CONTINUATION):
        table[point] |= CHAR_CONTINUATION
    return bytes(table)


CHAR_TABLE = char_table()


def text_flags_py(text: str) -> int:
    """The text_flags bits of text (the Python form; the compiled one scans once).

    >>> text_flags_py("a b"), text_flags_py("a  b ( c ) ."), text_flags_py("the'Old'")
    (0, 14, 16)
    >>> text_flags_py("cafÃ©") & UNUSUAL, text_flags_py("") == SPACING
    (1, True)
    """
    flags = UNUSUAL if UNUSUAL_CHARS.search(text) is not None else 0
    if not has_normal_spacing(text):
        flags |= SPACING
    if " ." in text or " ," in text:
        flags |= STOP
    if " )" in text or " ]" in text or "( " in text or "[ " in text:
        flags |= BRACKETS
    if GLUED_QUOTE_CANDIDATE.search(text) is not None:
        flags |= QUOTE
    return flags


def text_flags(text: str) -> int:
    """text_flags_py in one compiled pass when cleaning._speedups is built.

    >>> text_flags("Ein Satz. (Noch einer)") == text_flags_py("Ein Satz. (Noch einer)") == 0
    True
    """
    if _speedups is not None:
        return _speedups.text_flags(text, CHAR_TABLE)
    return text_flags_py(text)


def repair_text(text: str) -> tuple[str, list[str]]:
    """Repaired text and the names of the repairs that changed it.

    >>> repair_text("Ã©tÃ© in the'Old Town' ( Paris) .")
    ("été in the 'Old Town' (Paris).", ['fix_encoding', 'remove_space_before_stop', 'remove_space_inside_brackets', 'insert_space_before_quote'])
    >>> repair_text("Ã\u200b€ ok")
    ('À ok', ['remove_invisible_chars', 'fix_encoding'])
    >>> repair_text("标点，“引号”。1,006.57")
    ('标点，“引号”。1,006.57', [])
    """
    if not text:
        return text, []
    flags = text_flags(text)  # one scan for every quick test of the plain path
    if is_plain_text(text, flags):  # only our spacing fixers can change it
        if not flags & FIXABLE:  # and none of their quick tests fires (almost all text)
            return text, []
        applied: list[str] = []
        fixed = apply_fixers(text, PLAIN_TEXT_FIXERS, applied)
        if fixed == text or not needs_ftfy(fixed):
            return fixed, applied
    return repair_any_text(text)


def is_plain_text(text: str, flags: int | None = None) -> bool:
    """True when neither remove_invisible_chars nor ftfy can change text and it holds no
    whitespace but spaces and newlines: repair_text's first round then runs only the spacing
    fixers. Two scans instead of five (one when the caller has the text's ``flags``).

    >>> is_plain_text("café “quotes” 中文\\n\\nok"), is_plain_text("a\\u200bb"), is_plain_text("cafÃ©")
    (True, False, False)
    >>> is_plain_text("a\\tb"), is_plain_text("cafe\\u0301"), is_plain_text("\\x1b[31m")
    (False, False, False)
    """
    unusual = UNUSUAL_CHARS.search(text) is not None if flags is None else flags & UNUSUAL
    return not unusual and (text.isascii() or unicodedata.is_normalized("NFC", text))


def repair_any_text(text: str) -> tuple[str, list[str]]:
    """repair_text without the plain-text shortcut."""
    applied: list[str] = []
    # Invisible characters first: a zero-width space inside mojibake hides it from ftfy.
    text = apply_fixers(text, FIXERS[:1], applied)
    for _ in range(2):  # a second round only when our fixers uncovered more for ftfy
        unfixed = text
        text, ftfy_fixes = run_ftfy(text)
        applied.extend(f for f in ftfy_fixes if f not in applied)
        # Invisible characters are gone already unless ftfy's decoding made new ones.
        fixed = apply_fixers(text, FIXERS if text != unfixed else FIXERS[1:], applied)
        if fixed == text or not needs_ftfy(fixed):
            return fixed, applied
        text = fixed
    return text, applied


def apply_fixers(text: str, fixers: tuple[tuple[str, Callable[[str], str]], ...],
                 applied: list[str]) -> str:
    """Run fixers in order, appending the name of each that changed the text to applied."""
    for name, fixer in fixers:
        fixed = fixer(text)
        if fixed != text:
            if name not in applied:
                applied.append(name)
            text = fixed
    return text
