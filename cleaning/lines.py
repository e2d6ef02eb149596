"""Line-level boilerplate rules: contact headers, counters, prev/next, breadcrumbs, share, ...

The patterns are data in :mod:`cleaning.rules`; this module only applies them.

Speed: the anchored rules are one big case-insensitive alternation, and case-insensitive
branches cannot be rejected on their first character by the regex engine, so every line paid
for every rule (~6 µs). :func:`start_rules_for` keeps only the rules whose first character
(computed from the parsed patterns) can be the line's, which gives the same match (the
left-out rules cannot match) for a third less. Each rule is also tried only on lines holding a
character of every class it requires (:func:`required_classes`: a digit for dates and
counters, a colon for labels, ...), and the keyword-gated unanchored rules are skipped after
one trie search when no keyword is present: ~16 regex calls per line down to ~8, same results.
When cleaning._speedups is built, :data:`match_line_rule` and :data:`drop_rule_lines` are its
``LineRules`` (built from this module's data): strip, signals, the narrowed rules' lookup and
the keyword test in one pass over the line, only the regexes left to ``re``; it also skips the
rules that cannot end with the line's last character (:func:`line_end_mask`): a third the time.
"""
from __future__ import annotations

import re
import string
from collections.abc import Iterable
from functools import lru_cache

try:  # the regex parser: public as re._parser since 3.11, sre_parse before
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

from cleaning.compiled import load_speedups
from cleaning.rules import (
    ANYWHERE_RULES,
    LINE_RULES,
    MAX_BOILERPLATE_LINE,
)

# ---------------------------------------------------------------------------
# First characters of a pattern (an over-approximation: "any" when unsure)
# ---------------------------------------------------------------------------

ANY_FIRST = None  # a pattern that may start with any character


def _is_plain(ch: str) -> bool:
    """ASCII or uncased: case-insensitive matching of it is a comparison of lower/upper forms
    (cased non-ASCII letters have special folds, e.g. 'ſ' matches 's').

    >>> _is_plain("a"), _is_plain("上"), _is_plain("é")
    (True, True, False)
    """
    return ch.isascii() or ch.lower() == ch.upper()


def _first_of_in(items: list) -> tuple | None:
    """(literals, ranges, categories) of a character class; None (any) when negated."""
    literals, ranges, categories = set(), [], set()
    for op, av in items:
        if op is sre_constants.LITERAL:  # (non-plain ones: see can_start_with)
            literals.add(chr(av))
        elif op is sre_constants.RANGE:
            ranges.append(av)
        elif op is sre_constants.CATEGORY and av in (sre_constants.CATEGORY_DIGIT,
                                                      sre_constants.CATEGORY_WORD,
                                                      sre_constants.CATEGORY_SPACE):
            categories.add(av)
        else:  # NEGATE, negated categories, ...: could be anything
            return ANY_FIRST
    return literals, ranges, categories


def _first_of_sequence(items: list, from_end: bool = False) -> tuple[list | None, bool]:
    """(first-character classes, nullable) of a parsed sequence; classes None = any. With
    ``from_end``, of its last characters (the sequence read backwards)."""
    firsts: list = []
    for op, av in reversed(items) if from_end else items:
        if op is sre_constants.AT or op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue  # zero width (a lookaround only narrows: ignoring it over-approximates)
        if op is sre_constants.LITERAL:  # (non-plain ones: see can_start_with)
            firsts.append(({chr(av)}, [], set()))
            return firsts, False
        if op is sre_constants.IN:
            first = _first_of_in(av)
            if first is ANY_FIRST:
                return None, False
            firsts.append(first)
            return firsts, False
        if op is sre_constants.BRANCH:
            nullable = False
            for branch in av[1]:
                sub, sub_nullable = _first_of_sequence(branch, from_end)
                if sub is None:
                    return None, False
                firsts.extend(sub)
                nullable = nullable or sub_nullable
            if not nullable:
                return firsts, False
            continue
        if op is sre_constants.SUBPATTERN:
            sub, nullable = _first_of_sequence(av[-1], from_end)
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT,
                    getattr(sre_constants, "POSSESSIVE_REPEAT", sre_constants.MAX_REPEAT)):
            sub, nullable = _first_of_sequence(av[2], from_end)
            nullable = nullable or av[0] == 0
        elif op is getattr(sre_constants, "ATOMIC_GROUP", None):
            sub, nullable = _first_of_sequence(av, from_end)
        else:  # ANY, NOT_LITERAL, GROUPREF, ...
            return None, False
        if sub is None:
            return None, False
        firsts.extend(sub)
        if not nullable:
            return firsts, False
    return firsts, True


@lru_cache(maxsize=4096)
def folds_to(literal: str, ch: str) -> bool:
    """True when a cased non-ASCII pattern character matches ``ch`` case-insensitively. The
    regex engine decides: it has special folds (ſ matches s, K matches k) that lower() and
    upper() do not show.

    >>> folds_to("ü", "Ü"), folds_to("ü", "u"), folds_to("ſ", "S")
    (True, False, True)
    """
    return re.fullmatch(re.escape(literal), ch, re.IGNORECASE) is not None


FirstChars = tuple[frozenset[str], tuple[str, ...], tuple[tuple[int, int], ...], frozenset]


def first_chars(pattern: str) -> FirstChars | None:
    """First characters of a regex, merged into one class (None: it may start with anything,
    or match empty): (literals with their lower/upper forms, cased non-ASCII literals, ranges,
    categories). Merged and case-expanded once here, as every distinct line start tests it.

    >>> sorted(first_chars(r"^(?:tel|fax)\\s*:")[0])
    ['F', 'T', 'f', 't']
    >>> first_chars(r"^.{0,80}x") is None, first_chars(r"^a?") is None
    (True, True)
    """
    return _merged(*_first_of_sequence(list(sre_parse.parse(pattern, re.IGNORECASE).data)))


def last_chars(pattern: str) -> FirstChars | None:
    """Last characters of a regex that ends with '$' (as :func:`first_chars`): what a stripped
    line (no final newline) it matches ends with. None when it may end with anything, match
    empty, or does not end with '$' (a match could stop before the line's end).

    >>> sorted(last_chars(r"^(?:tel|fax)\\s*:?\\s*$")[0])
    [':', 'L', 'X', 'l', 'x']
    >>> last_chars(r"^views?"), last_chars(r"^a.$"), last_chars(r"^a|b$")
    (None, None, None)
    """
    items = list(sre_parse.parse(pattern, re.IGNORECASE).data)
    if not items or items[-1] != (sre_constants.AT, sre_constants.AT_END):
        return None
    return _merged(*_first_of_sequence(items, from_end=True))


def _merged(firsts: list | None, nullable: bool) -> FirstChars | None:
    """The classes found by _first_of_sequence as one case-expanded class (see first_chars)."""
    if firsts is None or nullable:
        return None
    literals = {c for lits, _, _ in firsts for c in lits}
    forms = literals | {c.lower() for c in literals} | {c.upper() for c in literals}
    return (frozenset(forms), tuple(sorted(c for c in literals if not _is_plain(c))),
            tuple(r for _, ranges, _ in firsts for r in ranges),
            frozenset(c for _, _, cats in firsts for c in cats))


DIGIT = r"\d"  # the class atom of a decimal digit (any Unicode one, as \d and str.isdecimal)


def _class_atoms(items: list) -> frozenset[str] | None:
    """The characters of a character class as atoms (uncased literals, DIGIT), None when it
    holds anything else (ranges, other categories, cased letters: case folding is skipped).
    """
    atoms = set()
    for op, av in items:
        if op is sre_constants.LITERAL and chr(av).lower() == chr(av).upper():
            atoms.add(chr(av))
        elif op is sre_constants.CATEGORY and av is sre_constants.CATEGORY_DIGIT:
            atoms.add(DIGIT)
        elif op is sre_constants.RANGE and 0x30 <= av[0] <= av[1] <= 0x39:
            atoms.add(DIGIT)
        else:
            return None
    return frozenset(atoms) or None


def _required_classes(items: list) -> list[frozenset[str]]:
    """Classes of which every match of a parsed sequence consumes some character (an
    under-approximation: what is unsure is left out)."""
    out: list[frozenset[str]] = []
    for op, av in items:
        if op is sre_constants.LITERAL:
            atoms = _class_atoms([(op, av)])
        elif op is sre_constants.IN:
            atoms = _class_atoms(av)
        elif op is sre_constants.SUBPATTERN:
            out.extend(_required_classes(av[-1]))
            continue
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT,
                    getattr(sre_constants, "POSSESSIVE_REPEAT", sre_constants.MAX_REPEAT)):
            if av[0] >= 1:
                out.extend(_required_classes(av[2]))
            continue
        elif op is sre_constants.BRANCH:  # some branch matches: the union of one class each
            per_branch = [_required_classes(branch) for branch in av[1]]
            atoms = frozenset().union(*(c[0] for c in per_branch)) \
                if all(per_branch) else None
        else:  # lookarounds, anchors, ANY, cased literals...: nothing required
            continue
        if atoms:
            out.append(atoms)
    return out


# Characters most lines hold: testing for them would cost more than the rules it skips.
_COMMON_CHARS = frozenset(" .,")


def required_classes(pattern: str) -> frozenset[frozenset[str]]:
    """Character classes a text must hold some character of for the regex to match in it
    (DIGIT for any decimal digit); classes with a space, '.' or ',' are left out.

    >>> sorted(sorted(c) for c in required_classes(r"^\\d{1,3}:(?:a|b\\d)$"))
    [[':'], ['\\\\d']]
    >>> sorted(sorted(c) for c in required_classes(r"^.{0,80}(?:/|\\(|©\\s*)x"))
    [['(', '/', '©']]
    >>> required_classes(r"^\\d*x|y"), required_classes(r"^(?:\\s+\\d)?[Aa] b")
    (frozenset(), frozenset())
    """
    classes = _required_classes(list(sre_parse.parse(pattern, re.IGNORECASE).data))
    return frozenset(c for c in classes if c.isdisjoint(_COMMON_CHARS))


def can_start_with(firsts: FirstChars | None, ch: str) -> bool:
    """True when a pattern with these first-character classes may match a line starting with
    ``ch`` case-insensitively (ASCII or uncased ``ch`` only: see :func:`start_rules_for`).

    >>> can_start_with(first_chars("^(?:tel|fax)"), "T"), can_start_with(first_chars("^fax"), "t")
    (True, False)
    >>> can_start_with(first_chars(r"^\\d+"), "7"), can_start_with(first_chars(r"^[A-Z]"), "q")
    (True, True)
    >>> can_start_with(first_chars("^über"), "u"), can_start_with(first_chars("^ſ"), "s")
    (False, True)
    """
    if firsts is None:
        return True
    literal_forms, non_plain, ranges, categories = firsts
    forms = {ch, ch.lower(), ch.upper()}
    return not forms.isdisjoint(literal_forms) \
        or bool(non_plain and any(folds_to(c, ch) for c in non_plain)) \
        or bool(ranges and any(lo <= ord(f) <= hi for lo, hi in ranges for f in forms)) \
        or (sre_constants.CATEGORY_DIGIT in categories and ch.isdecimal()) \
        or (sre_constants.CATEGORY_WORD in categories and (ch.isalnum() or ch == "_")) \
        or (sre_constants.CATEGORY_SPACE in categories and ch.isspace())


# (reason, pattern, first-character classes, required classes) of every anchored line rule,
# in rule order.
_START_RULES = tuple((reason, pattern, first_chars(pattern), required_classes(pattern))
                     for reason, patterns in LINE_RULES for pattern in patterns
                     if pattern.startswith("^"))
# Every required class gets a bit; a line's signals are the bits of the classes it holds a
# character of, and a rule is tried only when the line has all of the rule's bits.
_SIGNAL_CLASSES = tuple(sorted({c for *_, classes in _START_RULES for c in classes}, key=sorted))
_CHAR_BITS: dict[str, int] = {}
for _bit, _class in enumerate(_SIGNAL_CLASSES):
    for _atom in _class:
        _CHAR_BITS[_atom] = _CHAR_BITS.get(_atom, 0) | 1 << _bit
_DIGIT_BITS = _CHAR_BITS.pop(DIGIT, 0)
ALL_SIGNALS = (1 << len(_SIGNAL_CLASSES)) - 1
_SIGNAL_CHARS = re.compile("[" + "".join(re.escape(c) for c in sorted(_CHAR_BITS))
                           + (DIGIT if _DIGIT_BITS else "") + "]").findall


def line_signals(line: str) -> int:
    """Bits of the required classes the line holds a character of.

    >>> line_signals("no signal here"), line_signals("7") == line_signals("٣") != 0
    (0, True)
    """
    bits = 0
    for ch in set(_SIGNAL_CHARS(line)):
        bits |= _CHAR_BITS.get(ch, 0)
        if ch.isdecimal():
            bits |= _DIGIT_BITS
    return bits


def _required_bits(classes: frozenset[frozenset[str]]) -> int:
    return sum(1 << _SIGNAL_CLASSES.index(c) for c in classes)


@lru_cache(maxsize=1)
def compiled_start_rules() -> tuple[tuple[str, re.Pattern[str], FirstChars | None, int], ...]:
    """Every anchored rule compiled on its own (as full_rule_regex(True) has it: '^' dropped,
    used with .match) with its required signal bits, compiled once on first use."""
    return tuple((reason, re.compile(pattern[1:], re.IGNORECASE), firsts, _required_bits(classes))
                 for reason, pattern, firsts, classes in _START_RULES)


@lru_cache(maxsize=16384)
def start_rules_for(ch: str, signals: int = ALL_SIGNALS) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(reason, regex) of the anchored rules that can match a line starting with ``ch`` and
    holding characters of the ``signals`` classes (see line_signals: dates need a digit, most
    labels a colon), in rule order: the first that matches is the alternative the full regex
    would match.

    (Compiling one narrowed alternation per first character would match faster but costs a
    compile per distinct character class, ~0.4 s per process: too much for short runs.)
    A cased non-ASCII ``ch`` keeps every rule: case-insensitive matching has special folds
    there (ſ matches s) that the first-character test does not model.

    >>> [reason for reason, _ in start_rules_for("7")][:3]
    ['counter', 'counter', 'counter']
    >>> len(start_rules_for("T", line_signals("Tags"))) < len(start_rules_for("T"))
    True
    """
    return tuple((reason, regex) for reason, regex, needed, _ in _start_rules_for_char(ch)
                 if not needed & ~signals)


@lru_cache(maxsize=4096)
def _start_rules_for_char(ch: str) -> tuple[tuple[str, re.Pattern[str], int, frozenset[str] | None], ...]:
    """(reason, regex, required signals, two-character prefixes) of the anchored rules that can
    match a line starting with ``ch`` (see start_rules_for), computed once per character."""
    keep_all = not _is_plain(ch)
    return tuple((reason, regex, needed, prefixes)
                 for (reason, regex, firsts, needed), prefixes
                 in zip(compiled_start_rules(), _rule_prefixes(), strict=True)
                 if keep_all or can_start_with(firsts, ch))


# ---------------------------------------------------------------------------
# Two-character literal prefixes (most keyword rules start with a literal alternation)
# ---------------------------------------------------------------------------

PREFIX_LENGTH = 2
_MAX_PREFIXES = 4096  # a pattern with more is left without a prefix test


def _prefix_strings(items: list, current: set[str]) -> set[str] | None:
    """The strings a parsed sequence can start with, appended to ``current`` up to
    PREFIX_LENGTH characters; None when unsure (a class, a repeat, anything not literal)."""
    for op, av in items:
        if all(len(s) >= PREFIX_LENGTH for s in current):
            return current
        if op is sre_constants.AT or op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue  # zero width (ignoring a lookaround over-approximates)
        if op is sre_constants.LITERAL:
            chars = [chr(av)]
        elif op is sre_constants.IN and len(av) <= 8 and all(
                o is sre_constants.LITERAL for o, _ in av):
            chars = [chr(a) for _, a in av]
        elif op is sre_constants.BRANCH:
            merged: set[str] = set()
            for branch in av[1]:
                sub = _prefix_strings(branch, current)
                if sub is None:
                    return None
                merged |= sub
            current = merged
            continue
        elif op is sre_constants.SUBPATTERN:
            sub = _prefix_strings(av[-1], current)
            if sub is None:
                return None
            current = sub
            continue
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT,
                    getattr(sre_constants, "POSSESSIVE_REPEAT", sre_constants.MAX_REPEAT)):
            low, high, item = av
            once = _prefix_strings(item, current)
            if once is None or (high > 1 and any(len(s) < PREFIX_LENGTH for s in once)):
                return None  # (a second repetition could supply more of the prefix)
            current = current | once if low == 0 else once  # x? / x{1}: without or with x
            continue
        else:  # classes, categories, ANY, ...
            return None
        current = {s + c if len(s) < PREFIX_LENGTH else s for s in current for c in chars}
        if len(current) > _MAX_PREFIXES:
            return None
    return current


def _fold_forms(ch: str) -> set[str]:
    """Lower-cased plain characters a pattern character matches case-insensitively: itself,
    and for a cased non-ASCII one the ASCII letters it folds to (ſ -> s, K -> k)."""
    forms = {ch.lower()}
    if not _is_plain(ch):
        forms |= {a.lower() for a in string.ascii_letters if folds_to(ch, a)}
    return forms


def literal_prefixes(pattern: str) -> frozenset[str] | None:
    r"""Lower-cased two-character starts a case-insensitive regex can match, as a line of plain
    characters (ASCII or uncased) would start lower-cased; None when not a finite literal set.

    >>> sorted(literal_prefixes(r"^(?:tel|fax|e-?mail)\s*[:：]"))
    ['e-', 'em', 'fa', 'te']
    >>> literal_prefixes(r"^\d+ views"), literal_prefixes(r"^a\s"), sorted(literal_prefixes("^x?yz"))
    (None, None, ['xy', 'yz'])
    """
    found = _prefix_strings(list(sre_parse.parse(pattern, re.IGNORECASE).data), {""})
    if found is None or any(len(s) < PREFIX_LENGTH for s in found):
        return None
    forms = set()
    for s in found:
        forms |= {a + b for a in _fold_forms(s[0]) for b in _fold_forms(s[1])}
    return frozenset(forms)


@lru_cache(maxsize=1)
def _rule_prefixes() -> tuple[frozenset[str] | None, ...]:
    """literal_prefixes of every anchored rule, in rule order, computed once on first use."""
    return tuple(literal_prefixes(pattern) for _, pattern, _, _ in _START_RULES)


@lru_cache(maxsize=32768)
def line_rules_for(start: str, signals: int = ALL_SIGNALS) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """:func:`start_rules_for` narrowed by the line's first two characters (``start``): a rule
    whose matches all begin with other two characters is left out (plain characters only;
    a line starting with a cased non-ASCII character keeps every rule of its first).

    >>> len(line_rules_for("Th", line_signals("The end"))) < len(start_rules_for("T", line_signals("The end")))
    True
    """
    return tuple((reason, regex) for reason, regex, needed in line_rules_with_needs(start)
                 if not needed & ~signals)


@lru_cache(maxsize=16384)
def line_rules_with_needs(start: str) -> tuple[tuple[str, re.Pattern[str], int], ...]:
    """(reason, regex, required signals) of the anchored rules that can match a line starting
    with ``start`` (its first two characters), in rule order: those whose signals a line has
    are :func:`line_rules_for` (start, its signals). The compiled form caches this per start.

    >>> [reason for reason, _, needed in line_rules_with_needs("Te") if needed][:1]
    ['contact']
    """
    rules = _start_rules_for_char(start[0])
    if len(start) < PREFIX_LENGTH or not all(_is_plain(c) for c in start):
        return tuple((reason, regex, needed) for reason, regex, needed, _ in rules)
    key = start.lower()
    return tuple((reason, regex, needed) for reason, regex, needed, prefixes in rules
                 if prefixes is None or key in prefixes)


@lru_cache(maxsize=1)
def _rule_last_chars() -> dict[re.Pattern[str], FirstChars | None]:
    """last_chars of every compiled anchored rule, computed once on first use."""
    return {regex: last_chars(pattern)
            for (_, regex, _, _), (_, pattern, _, _) in zip(compiled_start_rules(), _START_RULES, strict=True)}


LATIN1 = 256  # line_end_mask's characters: the compiled form tries every rule on others


@lru_cache(maxsize=1024)
def line_end_mask(regex: re.Pattern[str]) -> int:
    """Bit c (c < LATIN1) set when an anchored rule of compiled_start_rules may match a stripped
    line ending with chr(c); every bit when unsure, and the bits of cased non-ASCII characters
    always (case-insensitive matching has special folds there). The compiled line rules skip
    a rule a line's last character rules out (half of the tries on article lines).

    >>> number_only = re.compile(r"\\d{1,3}$", re.IGNORECASE)  # the counter rule ^\\d{1,3}$
    >>> "".join(chr(c) for c in range(128) if line_end_mask(number_only) >> c & 1)
    '0123456789'
    """
    lasts = _rule_last_chars()[regex]
    if lasts is None:
        return (1 << LATIN1) - 1
    return sum(1 << c for c in range(LATIN1)
               if not _is_plain(chr(c)) or can_start_with(lasts, chr(c)))


def match_start_rule(stripped: str) -> str | None:
    """Reason of the first anchored rule matching a stripped, non-empty line, else None
    (what ``full_rule_regex(True).match(stripped).lastgroup`` gives, narrowed first).

    >>> match_start_rule("Tel: +86-17091920596"), match_start_rule("Tel Aviv")
    ('contact', None)
    """
    for reason, regex in line_rules_for(stripped[:PREFIX_LENGTH], line_signals(stripped)):
        if regex.match(stripped):
            return reason
    return None


def presence_pattern(words: Iterable[str]) -> str:
    """A regex that finds a text holding any of ``words``, as a trie (one branch per first
    character, shared prefixes once; a word that extends another is left out): the engine
    skips a failing position after one character test instead of one per word.

    >>> presence_pattern(["comment", "commentaire", "cookies", "bild"])
    '(?:bild|co(?:mment|okies))'
    """
    words = set(words)
    if "" in words:
        return ""
    by_first: dict[str, list[str]] = {}
    for word in sorted(words):
        by_first.setdefault(word[0], []).append(word[1:])
    alternatives = [re.escape(first) + presence_pattern(rests) for first, rests in by_first.items()]
    return alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"


# Some keyword of ANYWHERE_RULES occurs in a lower-cased line (literal, case-sensitive).
_ANY_KEYWORD = re.compile(presence_pattern(word for word, _ in ANYWHERE_RULES)).search


def match_line_rule_py(line: str) -> str | None:
    """Name of the first boilerplate rule a (short) line matches, else None (the reference
    form of :data:`match_line_rule`).

    >>> match_line_rule_py("Tel: +86-17091920596")
    'contact'
    >>> match_line_rule_py("2021-07-17 16:38:28 Click:")
    'counter'
    >>> match_line_rule_py("He flew to Tel Aviv on Monday.") is None
    True
    """
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_BOILERPLATE_LINE:
        return None
    for reason, regex in line_rules_for(stripped[:PREFIX_LENGTH], line_signals(stripped)):
        if regex.match(stripped):  # (match_start_rule, inlined: this runs for every line)
            return reason
    lowered = stripped.lower()
    if _ANY_KEYWORD(lowered) is None:  # one search instead of a test per keyword (most lines)
        return None
    for word, regex in ANYWHERE_RULES:  # only the patterns of the keywords present
        if word in lowered:
            match = regex.search(stripped)
            if match is not None:
                return match.lastgroup
    return None


def compiled_line_rules():  # -> cleaning._speedups.LineRules | None
    """:func:`match_line_rule_py` compiled (its ``.match``), built from this module's rule data;
    None when cleaning._speedups is not built, is turned off, was built from other sources
    (cleaning.compiled) or has other limits."""
    speedups = load_speedups()
    if speedups is None or speedups.LINE_PREFIX != PREFIX_LENGTH \
            or len(ANYWHERE_RULES) > speedups.MAX_KEYWORDS \
            or ALL_SIGNALS >> speedups.MAX_SIGNAL_BITS:
        return None
    return speedups.LineRules(_CHAR_BITS, _DIGIT_BITS, MAX_BOILERPLATE_LINE, line_rules_with_needs,
                              line_end_mask, ANYWHERE_RULES)


def drop_rule_lines_py(text: str) -> str | None:
    """``text`` without its lines ('\\n'-separated) that a boilerplate rule matches: ``text``
    itself when none does, None when every line does (the reference form of
    :data:`drop_rule_lines`).

    >>> drop_rule_lines_py("Body\\nTel: 123 456 789\\nMore"), drop_rule_lines_py("Tel: 123 456 789")
    ('Body\\nMore', None)
    """
    if "\n" not in text:  # one line (most blocks): no split and join
        return text if match_line_rule_py(text) is None else None
    lines = text.split("\n")
    kept = [line for line in lines if match_line_rule_py(line) is None]
    if len(kept) == len(lines):
        return text
    return "\n".join(kept) if kept else None


_COMPILED_LINE_RULES = compiled_line_rules()
# The compiled forms when built (one call per line or block, no Python frame), else the Python
# ones: the name of the first boilerplate rule a (short) line matches, else None ...
match_line_rule = match_line_rule_py if _COMPILED_LINE_RULES is None else _COMPILED_LINE_RULES.match
# ... and a block's text without its boilerplate lines (itself when none, None when all).
drop_rule_lines = drop_rule_lines_py if _COMPILED_LINE_RULES is None \
    else _COMPILED_LINE_RULES.drop_lines


@lru_cache(maxsize=64)
def compile_extra_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Compile per-site line regexes; an invalid one is skipped (a site config is validated
    elsewhere, extraction must not fail on it).

    >>> [p.pattern for p in compile_extra_patterns(("^Ad:", "([bad"))]
    ['^Ad:']
    """
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error:
            continue
    return tuple(compiled)


def is_boilerplate_line(line: str, extra: Iterable[re.Pattern[str]] = ()) -> bool:
    """True when a line is template furniture (built-in rules or a per-site pattern).

    >>> is_boilerplate_line("Next steps for the team are unclear.")
    False
    >>> is_boilerplate_line("Pre:Experts are optimistic about the future of Chengdu")
    True
    """
    if match_line_rule(line) is not None:
        return True
    return any(p.search(line) for p in extra)


def drop_boilerplate_lines(text: str, extra: Iterable[re.Pattern[str]] = ()) -> str:
    """Remove boilerplate lines from a block of text (lines kept in order).

    >>> drop_boilerplate_lines("Contact us\\nReal sentence here.")
    'Real sentence here.'
    """
    extra = tuple(extra)
    lines = text.split("\n")
    kept = [line for line in lines if not is_boilerplate_line(line, extra)]
    return "\n".join(kept)
