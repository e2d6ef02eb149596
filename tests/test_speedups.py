"""The compiled annotate walk (cleaning/_speedups.pyx) gives what the Python walk gives.

Both walks run on the same tree (the walk does not change it), so their ``stats`` dicts are
keyed by the same element proxies and compare directly.
"""
from __future__ import annotations

import os
import pathlib
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from cleaning import extract
from cleaning.parse import parse_page

CASES_DIR = pathlib.Path(__file__).parent / "cases"
PURE = bool(os.environ.get("GLEANER_PURE_PYTHON"))
needs_speedups = pytest.mark.skipif(extract._SPEEDUPS is None, reason="cleaning._speedups not built")


def body_of(html: str) -> etree._Element:
    root = parse_page(html).root
    etree.strip_elements(root, "script", with_tail=False)
    body = root.find("body")
    return root if body is None else body


def assert_same_walk(body: etree._Element) -> None:
    """Annotate walk, render_blocks and text_length: compiled == Python."""
    assert extract.render_blocks(list(body)) == extract.render_blocks_py(list(body))
    assert extract.render_blocks([body]) == extract.render_blocks_py([body])
    for el in body.iter():
        assert extract.text_length(el) == len(extract.text_of(el))
        assert extract.comma_count(el) == extract.count_commas(extract.text_of(el))
    for skip_chrome in (True, False):
        py = extract.walk_annotate_py(body, skip_chrome)
        c = extract.walk_annotate(body, skip_chrome)
        assert list(c.stats.items()) == list(py.stats.items())  # same order too
        for field in ("paragraphs", "junk", "anchors", "teasers", "teaser_heads", "labels",
                      "skipped"):
            assert getattr(c, field) == getattr(py, field), field
    assert_same_scores(body)


def assert_same_scores(body: etree._Element) -> None:
    """Readability scores and paragraph mass: compiled == Python, float for float, in the same
    order, and the same best candidate (prunes the tree: call last)."""
    ann = extract.annotate(body)
    removed = extract.prune_junk(body, ann)
    scores, mass = extract.score_candidates(body, ann, removed)
    assert not isinstance(scores, dict)  # the compiled form ran
    py_scores, py_mass = extract.score_candidates_py(body, ann, removed)
    assert list(scores.items()) == list(py_scores.items())
    assert list(mass.items()) == list(py_mass.items())
    assert extract.best_candidate(scores) is extract.best_candidate(py_scores)
    for el in body.iter():
        assert scores.get(el, -1.0) == py_scores.get(el, -1.0)
        assert (el in mass) == (el in py_mass) and len(mass) == len(py_mass)


def assert_same_pruning(html: str) -> None:
    """prune_junk on the compiled walk's ElementStats (ancestors' counters changed in C) ==
    on the Python walk's dict: same removed ranges, counters and tree (two parses: it prunes)."""
    results = []
    for walk in (extract.walk_annotate_py, extract.walk_annotate):
        body = body_of(html)
        ann = walk(body, True)
        removed = extract.prune_junk(body, ann)
        counters = [list(s) for el in body.iter() if (s := ann.stats.get(el)) is not None]
        results.append((removed, counters, etree.tostring(body)))
    assert results[0] == results[1]


def test_speedup_is_built() -> None:
    """CI has a C compiler: a missing build would silently make cleaning ~2x slower."""
    if PURE:
        pytest.skip("GLEANER_PURE_PYTHON set")
    assert extract._SPEEDUPS is not None


@needs_speedups
@pytest.mark.parametrize("name", sorted(p.stem for p in CASES_DIR.glob("*.html")))
def test_saved_pages(name: str) -> None:
    html = (CASES_DIR / f"{name}.html").read_text(encoding="utf-8")
    assert_same_walk(body_of(html))
    assert_same_pruning(html)


TRICKY = [
    "<body>  </body>",
    "<body><p>\u3000 Next: <a href='/n'>x</a>\xa0</p><div>上一篇：<a href='/p'>y</a></div></body>",
    "<body><nav>skipped <b>x</b></nav>tail after nav: 上<p>p</p></body>",
    "<body><article><header class='site'>h</header><p>text " + "w" * 40 + "</p></article></body>",
    "<body><div hidden>h</div><div class='hide'>t</div><div style='display:none'>s</div></body>",
    "<body><nav style='display:none'>n</nav><header style='display:none'>h</header><article "
    "class='post' style='visibility: hidden'>a</article><div class='content' style='c'>c</div></body>",
    "<body><div id='main-content' class='x' data-a='1'><p>" + "y " * 30 + "</p></div></body>",
    "<body><div itemprop='articleBody'><h2><a href='/a'>Linked heading text</a></h2></div></body>",
    "<body><main><section><p>a</p><br>b<img src=x>c</section></main></body>",
    "<body><p>\u2028\u2029\x1c\x1f\x85 ok \u205f</p><span>\U0001F600 😀 emoji</span></body>",
    "<body><div class='share'><div class='content'>anchor inside junk</div></div></body>",
    "<body><table><tr><td> </td><td>a</td><td>b<br>c</td></tr><tr><th>h</th></tr></table></body>",
    "<body><pre>  code\n   indented  </pre><p>x<a href='/'> link <b>bold</b></a> tail</p></body>",
    "<body>top text<div>\n  \n</div><ul><li>one</li><li><a href=x>two</a></li></ul>end</body>",
    # junk-named wrappers of content anchors, each small, together most of the page: content
    "<body>" + ("<div class='comment'><div class='entry-content'>" + "post words here " * 10
                + "</div></div>") * 4 + "<p>" + "other text " * 40 + "</p></body>",
]


@needs_speedups
@pytest.mark.parametrize("html", TRICKY)
def test_tricky_markup(html: str) -> None:
    assert_same_walk(body_of(html))
    assert_same_pruning(html)


WHITESPACE = "".join(chr(c) for c in range(0x3100) if chr(c).isspace())


@needs_speedups
def test_module_doctests() -> None:
    import doctest

    assert doctest.testmod(extract._SPEEDUPS).failed == 0


@needs_speedups
def test_stripped_length_matches_python_strip() -> None:
    for ch in WHITESPACE:
        assert extract._SPEEDUPS.stripped_length(f"{ch}a{ch}b{ch}") == 3, hex(ord(ch))
    assert extract._SPEEDUPS.stripped_length(WHITESPACE) == 0
    assert extract._SPEEDUPS.stripped_length("\u200bx\u200b") == 3  # zero-width space is not space


TAGS = ["div", "p", "a", "span", "nav", "article", "main", "header", "h2", "li", "ul", "br",
        "section", "aside", "td", "footer", "pre", "b", "table", "tr", "th"]
ATTRS = ["", " class='content'", " class='share-bar'", " id='post-1' class='entry'",
         " hidden", " style='display:none'", " class='hide'", " itemprop='articleBody'",
         " role='navigation'", " class='nav' id='x'", " aria-hidden='true'",
         " class='share-bar' data-x='1'", " id='main-content' lang='en'", " data-x='1'",
         " class='content' style='color:red'", " class='a' class='b'",
         " class='entry-content' style='Display : NONE'", " style=''", " style='x' style='y'",
         " id='nav' style='visibility:hidden'", " class='hide' style='color:blue'",
         " class='médias' style='display:none'", " style='display:block' role='main'"]
TEXTS = st.text(alphabet=st.sampled_from(list("ab :：上下一篇\u3000\xa0\n\t.Next" + "é中,，、،|\r\x1c\u2028")),
                max_size=12)


@st.composite
def nested_markup(draw, tags: Sequence[str], attrs: Sequence[str] = ("",),
                  fillers: Sequence[str] = ("",), max_depth: int = 4, lead: bool = False,
                  depth: int = 0) -> str:
    """Random nested elements of ``tags`` with ``attrs``, text around and inside them, and a
    ``filler`` (comment, PI) after each; ``lead``: text before the first element too."""
    parts = [draw(TEXTS)] if lead else []
    for _ in range(draw(st.integers(0, 4 if depth < max_depth else 0))):
        tag = draw(st.sampled_from(tags))
        inner = draw(nested_markup(tags, attrs, fillers, max_depth, lead, depth + 1))
        parts.append(f"<{tag}{draw(st.sampled_from(attrs))}>{draw(TEXTS)}{inner}</{tag}>"
                     f"{draw(st.sampled_from(fillers))}{draw(TEXTS)}")
    return "".join(parts)


def markup() -> st.SearchStrategy[str]:
    return nested_markup(TAGS, ATTRS)


@needs_speedups
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markup())
def test_generated_markup(html: str) -> None:
    assert_same_walk(body_of(f"<html><body>{html}</body></html>"))
    assert_same_pruning(f"<html><body>{html}</body></html>")


# Class/id verdicts judged in C (cleaning._speedups.VerdictRules) == element_verdict.
from cleaning import rules as rule_sets  # noqa: E402

WORDS = sorted(rule_sets.JUNK_WORDS | rule_sets.CONTENT_WORDS | rule_sets.POSITIVE_WORDS
               | rule_sets.HIDDEN_CLASS_TOKENS | rule_sets.COMPOUND_STARTS)[:400] + [
    "x", "Main", "NAV", "md-show", "block", "ſ", "ÄRTICLE", "\xa0", "post", "body", "c"]
SEPARATORS = [" ", "-", "_", "  ", "\t", "\n", "\x1c", "\xa0", ""]
VERDICT_TAGS = ["div", "header", "article", "main", "nav", "footer", "section", "form", "p"]


@st.composite
def class_string(draw) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)),
                          max_size=6))
    text = "".join(w + s for w, s in parts)
    return text.upper() if draw(st.booleans()) and text.isascii() else text


@needs_speedups
@settings(max_examples=2000, deadline=None)
@given(st.sampled_from(VERDICT_TAGS), class_string(), class_string())
def test_class_id_verdict_matches_python(tag: str, cls: str, ident: str) -> None:
    expected = extract.element_verdict(tag, {"class": cls, "id": ident})
    assert extract._VERDICT_RULES.verdict(tag, cls, ident) == expected


@needs_speedups
@pytest.mark.parametrize("name", sorted(p.stem for p in CASES_DIR.glob("*.html")))
def test_class_id_verdicts_of_saved_pages(name: str) -> None:
    body = body_of((CASES_DIR / f"{name}.html").read_text(encoding="utf-8"))
    for el in body.iter():
        if isinstance(el.tag, str):
            cls, ident = el.get("class") or "", el.get("id") or ""
            assert extract._VERDICT_RULES.verdict(el.tag, cls, ident) == \
                extract.element_verdict(el.tag, {"class": cls, "id": ident})


# Parse input: one-pass UTF-8 encode without control characters == encode + translate.
from cleaning import parse  # noqa: E402


@pytest.mark.skipif(parse._speedups is None, reason="cleaning._speedups not built")
@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.one_of(st.characters(max_codepoint=0x300), st.characters(),
                                  st.sampled_from(["\ud800", "\udfff", "\x00", "\x7f"])),
               max_size=60))
def test_utf8_without_controls(text: str) -> None:
    expected = text.encode("utf-8", "replace").translate(None, parse._CONTROL_BYTES)
    assert parse._speedups.utf8_without_controls(text) == expected
    assert parse._speedups.bytes_without_controls(text.encode("utf-8", "replace")) == expected


# Word count in one pass == the regex form.
from cleaning import pipeline  # noqa: E402


@pytest.mark.skipif(pipeline._speedups is None, reason="cleaning._speedups not built")
@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(list("ab_1 ,.-'\n\t\xa0\u3000你好カ한ª²٣𝟘")),
                                  st.characters()), max_size=60))
def test_count_words(text: str) -> None:
    assert pipeline._speedups.count_words(text) == pipeline.count_words_py(text)


@needs_speedups
def test_element_stats_reads_like_the_dict() -> None:
    body = body_of("<body><div class='x'><p>one two</p><nav><a>skip</a></nav></div></body>")
    stats = extract.walk_annotate(body, True).stats
    div, p = body[0], body[0][0]
    nav_link = body[0][1][0]  # inside a skipped subtree: not walked
    assert stats[p] is stats[p] and stats.get(p) is stats[p]  # one list, kept
    stats[p][extract.TEXT] -= 3  # prune_junk changes counters in place
    assert stats[p][extract.TEXT] == 4
    assert stats.get(nav_link) is None and stats.get(nav_link, "x") == "x"
    with pytest.raises(KeyError):
        stats[nav_link]
    assert stats[div][extract.LAST] == 3 and len(stats) == 4  # body 0, div 1, p 2, nav 3
    extract.release_in_reverse(stats)
    assert stats.get(p) is None and len(stats) == 0


def test_a_build_from_other_sources_is_not_used() -> None:
    """A build whose API number is not the sources' (an older install, a scrapyd egg picking
    up another checkout's build) is left unused, with a warning, instead of failing later."""
    import types

    from cleaning import compiled
    with pytest.warns(RuntimeWarning, match="other sources"):
        assert not compiled.is_current(types.SimpleNamespace(API=compiled.SPEEDUPS_API - 1))
    with pytest.warns(RuntimeWarning):
        assert not compiled.is_current(types.SimpleNamespace())
    if not PURE:
        assert compiled.load_speedups() is not None and compiled.load_speedups().API == \
            compiled.SPEEDUPS_API
@needs_speedups
def test_node_values_read_like_the_dict() -> None:
    body = body_of("<body><div class='post'><p>" + "words, more words " * 4 + "</p>"
                   "<p>" + "x" * 30 + "</p></div><div><a href='/'>link</a></div></body>")
    ann = extract.annotate(body)
    scores, mass = extract.score_candidates(body, ann, [])
    div, other = body[0], body[1]
    assert scores[div] == scores.get(div) and div in scores and other not in scores
    assert scores.get(other) is None and scores.get(other, 0.0) == 0.0
    with pytest.raises(KeyError):
        scores[other]
    assert [el.tag for el, _ in mass.items()] == ["div", "body"] and len(scores) == 2
    assert extract.best_candidate(scores) is div
    extract.release_in_reverse(ann.stats)  # the counters are gone: nothing is found
    assert scores.get(div) is None and scores.best() is None and scores.items() == []


SCORED_TIES = [
    "<body><div><p>" + "a, " * 20 + "</p></div><div><p>" + "a, " * 20 + "</p></div></body>",
    "<body><section><div><div><div><div><div><p>" + "deep " * 20 + "</p></div></div></div>"
    "</div></div></section></body>",
    "<body><div class='content'><p>" + "y" * 400 + "</p><p><a href='/'>" + "l" * 40 + "</a>"
    "</p></div><div class='share'><p>" + "shared text " * 10 + "</p></div></body>",
]


@needs_speedups
@pytest.mark.parametrize("html", SCORED_TIES)
def test_scores_ties_and_depth(html: str) -> None:
    assert_same_scores(body_of(html))


# Line rules in one pass (cleaning._speedups.LineRules) == match_line_rule_py / drop_rule_lines_py.
from cleaning import lines  # noqa: E402

LINE_RULES = lines.compiled_line_rules()
needs_line_rules = pytest.mark.skipif(LINE_RULES is None, reason="cleaning._speedups not built")


def assert_same_line_rules(text: str) -> None:
    """Every line of ``text``, and ``text`` as a block, judged alike by both forms."""
    assert LINE_RULES.drop_lines(text) == lines.drop_rule_lines_py(text), repr(text)
    for line in text.split("\n"):
        assert LINE_RULES.match(line) == lines.match_line_rule_py(line), repr(line)


def page_texts(html: str) -> list[str]:
    """Texts of a page as the line rules meet them: rendered blocks, element texts and tails."""
    body = body_of(html)
    texts = [block.text for block in extract.render_blocks_py([body])]
    for el in body.iter():
        texts += [el.text or "", el.tail or ""]
    return texts


@needs_line_rules
def test_line_rules_are_used() -> None:
    for name in ("match_line_rule", "drop_rule_lines"):
        assert isinstance(getattr(lines, name).__self__, type(LINE_RULES)), name


@needs_line_rules
@pytest.mark.parametrize("name", sorted(p.stem for p in CASES_DIR.glob("*.html")))
def test_line_rules_on_saved_pages(name: str) -> None:
    for text in page_texts((CASES_DIR / f"{name}.html").read_text(encoding="utf-8")):
        assert_same_line_rules(text)


TRICKY_LINES = [
    "", " ", "\n", "\n\n", "x", "x\n", "\nTel: 123 456 789", "Tel: 123 456 789\n", "\u3000Tel：123456\xa0",
    "İmpressum", "İMPRESSUM", "IMPRESSUM", "ımpressum", "Photo: AFP", "PHOTO: AFP", "ſhare: x",
    "Share: x", "\u212aommentare", "KOMMENTARE (3)", "Kategorie: Sport", "Straße 1, 12345 Berlin",
    "STRASSE", "Σ © 2021 ΑΣ", "ΣΣ views", "١٢٣ views", "২০২১-০৭-১৭", "７ min read", "12 MIN READ",
    "Posted：２０２１年", "点击：123", "浏览次数：45", "阅读 12", "人气：8", "公网安备 110", "© 2024",
    "CC BY-SA 4.0", "cc-by", "Creative Commons", "All Rights Reserved.", "Datenschutz", "Foto: dpa",
    "Crédito: Reuters", "CRÉDITO: X", "Apóyanos", "APÓYANOS", "Mentions légales", "Unterstütze uns",
    "UNTERSTÜTZE UNS", "Whatsapp Telegram Youtube", "Follow us on YouTube", "Support us", "ICP备12号",
    "Newsletter abonnieren", "views", "hits: 12", "12 hits", "Click here", "Tags: a, b", "上一篇：x",
    "下一篇: y", "« Previous", "Next »", "Home > News > World", "Home / News", "By Jane Doe",
    "Von Hans Müller", "March 3, 2021", "Lesezeit: 4 Minuten", "Anzeige", "- Werbung -", "Werbung",
    "Table of contents", "Über den Autor", "Źródło: PAP", "x" * 160, "x" * 161, " Tel: 1234567 " + "x" * 147,
    "Tel: 1234567 " + "x" * 148, "a\n" * 5 + "Tel: 123 456 789", "Tel: 123 456 789\nTel: 123 456 789",
    "Body text.\nFoto: dpa\nMore body text.\n© 2021\n", "\U0001F600 views", "😀 © 2020", "\x85Tel: 123456\x1c",
]


@needs_line_rules
@pytest.mark.parametrize("text", TRICKY_LINES)
def test_line_rules_on_tricky_lines(text: str) -> None:
    assert_same_line_rules(text)


LINE_PIECES = sorted({word for word, _ in lines.ANYWHERE_RULES}
                     | {word.upper() for word, _ in lines.ANYWHERE_RULES}) + [
    "Tel", "Fax:", "Foto", "Photo:", "Tags", "Share", "By ", "Von ", "Next", "Prev", "Home", " > ",
    " / ", " | ", " - ", "»", "›", "上一篇", "下一篇", "：", ":", "(", ")", "/", "·", "•", "–", "7", "2021",
    "٣", "۴", "१", "৭", "７", "²", "İ", "ı", "ß", "ẞ", "ſ", "\u212a", "\u212b", "Σ", "σ", "ς", "ǅ",
    "ﬁ", "É", "é", "e\u0301", " ", "  ", "\xa0", "\u3000", "\t", "\n", "\x1c", "\x85", "\u2028",
    "min read", "views", "Click", "ago", "Minuten", "Anzeige", "Werbung", "Kommentare", "x" * 70,
]


@needs_line_rules
@settings(max_examples=3000, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(LINE_PIECES), st.text(max_size=3)), max_size=10)
       .map("".join))
def test_line_rules_on_generated_lines(text: str) -> None:
    assert_same_line_rules(text)


# cleaning.parse.scan_signals: the compiled walk == scan_signals_py (same values, same elements
# in the same order, the same scripts dropped).
from cleaning import parse as parse_stage  # noqa: E402

KEPT = parse_stage.KEPT_SCRIPT_TYPES
SIGNAL_MARKUP = [
    "<html lang='de'><head><title> A  <b>b</b> </title><title>second</title>"
    "<meta property='' name='Author' content='x'><meta name='  ' content='y'>"
    "<meta itemprop='datePublished' value='2020'><meta http-equiv='Content-Language' content='en'>"
    "<meta content='no key'><meta property='og:title'><link rel='CANONICAL' href=' /a '>"
    "<link rel='alternate canonical-x' href='/b'><link rel='canonİcal' href='/c'><link rel=''>"
    "<link href='/d'><script type=' Application/LD+JSON '>{}</script><script>x()</script>"
    "<script type=''>y</script><script type='text/javascript'>z</script></head>"
    "<body>a<script>s</script>tail<h1>H</h1><noscript><p>n</p></noscript><time>t</time>"
    "<html lang='x'></html><p>b<script>1</script><script>2</script>c</p></body></html>",
    "<p>no head</p>",
    "<html xml:lang='fr'><body><svg><title>svg</title></svg><h1/><h1/><time/></body></html>",
    "<meta name='\u0130d' content='\xa0v\xa0'><script type='\xa0application/ld+json\u3000'>"
    "{}</script><link rel='\u212aanonical canonical' href='x'>",
]


def assert_same_signals(html: str) -> None:
    """Read-only scans compare element for element on one tree; dropping scans on two parses
    compare by value and by the tree left."""
    root = parse_stage.parse_tree(html, None)
    c = extract._SPEEDUPS.scan_signals(root, KEPT, False)
    assert c == parse_stage.scan_signals_py(root, KEPT, False)
    trees = []
    for scan in (extract._SPEEDUPS.scan_signals, parse_stage.scan_signals_py):
        root = parse_stage.parse_tree(html, None)
        found = scan(root, KEPT, True)
        shape = [[(el.tag, el.get("type"), el.sourceline) for el in group]
                 if group and isinstance(group[0], etree._Element) else group for group in found]
        parse_stage.remove_keeping_tails(found[-1])
        trees.append((shape, etree.tostring(root)))
    assert trees[0] == trees[1]


@needs_speedups
@pytest.mark.parametrize("html", SIGNAL_MARKUP)
def test_scan_signals_tricky(html: str) -> None:
    assert_same_signals(html)


@needs_speedups
@pytest.mark.parametrize("name", sorted(p.stem for p in CASES_DIR.glob("*.html")))
def test_scan_signals_saved_pages(name: str) -> None:
    assert_same_signals((CASES_DIR / f"{name}.html").read_text(encoding="utf-8"))


SIGNAL_TAGS = ["meta", "link", "script", "title", "h1", "time", "html", "noscript", "div", "p"]
SIGNAL_ATTRS = ["", " name='a'", " property='og:x' content='1'", " name='' itemprop='b' value='v'",
                " http-equiv='c'", " rel='canonical' href='/x'", " rel='Canonical foo'",
                " rel='nocanonical'", " type='application/ld+json'", " type=' APPLICATION/ld+json'",
                " type='text/javascript'", " type=''", " lang='en'", " content='z'"]


def signal_markup() -> st.SearchStrategy[str]:
    return nested_markup(SIGNAL_TAGS, SIGNAL_ATTRS, max_depth=3)


@needs_speedups
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(signal_markup())
def test_scan_signals_generated(html: str) -> None:
    assert_same_signals(f"<html><head>{html}</head><body>{html}</body></html>")


# cleaning.metadata.near_title_pieces: the compiled reading of the text around an element ==
# window_pieces over iter_preceding_text / iter_following_text, for every element of a page.
from cleaning import metadata  # noqa: E402

NEAR_TITLE_MARKUP = [
    "<html><head><title>T</title></head><body>lead<div>a <b>b</b> <!-- c --> after comment"
    "<h1>Title</h1>x<script>s</script>y<noscript>n</noscript><p>p1<svg><text>v</text></svg>"
    "t<?pi z?>after pi<i>i</i></p></div>tail</body></html>",
    "<div>\u3000 \xa0<p>" + "long " * 80 + "</p><h2>Title\u2028</h2>\x1c" + "<p>é中 " * 90
    + "</p></div>",
    "<html><body><h1>Only</h1></body></html>",
    "<table><tr><td>Menu</td></tr><tr><td><b>Title</b></td></tr><tr><td>2012-06-04</td></tr></table>",
    "<div><style>x</style><template><p>t</p></template><p>a<title>in body</title>b</p>"
    "<h1>T</h1><head>h</head>c</div>",
]


def assert_same_near_title(root: etree._Element) -> None:
    """Every element as the anchor, with the real windows and with small ones (cuts and stops
    inside generated text)."""
    windows = ((metadata.TEXT_WINDOW_BEFORE, metadata.TEXT_WINDOW_AFTER), (3, 7))
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for before, after in windows:
            compiled = extract._SPEEDUPS.near_title_pieces(el, metadata._HIDDEN_NAMES, before,
                                                           after)
            expected = (metadata.window_pieces(metadata.iter_preceding_text(el), before, before),
                        metadata.window_pieces(metadata.iter_following_text(el), after))
            assert compiled == expected, (el.tag, before)


@needs_speedups
@pytest.mark.parametrize("html", NEAR_TITLE_MARKUP)
def test_near_title_tricky(html: str) -> None:
    from lxml import html as lxml_html

    assert_same_near_title(parse_page(html).root)
    assert_same_near_title(lxml_html.fromstring(html))  # comments and PIs kept


@needs_speedups
@pytest.mark.parametrize("name", sorted(p.stem for p in CASES_DIR.glob("*.html")))
def test_near_title_saved_pages(name: str) -> None:
    assert_same_near_title(parse_page((CASES_DIR / f"{name}.html").read_text(encoding="utf-8")).root)


@needs_speedups
def test_near_title_leaves_entities_to_python() -> None:
    root = etree.fromstring("<!DOCTYPE r [<!ENTITY e 'x'>]><r><p>a&e;b</p><h1>T</h1>&e;c</r>",
                            etree.XMLParser(resolve_entities=False))
    assert extract._SPEEDUPS.near_title_pieces(root[1], metadata._HIDDEN_NAMES, 160, 500) is None
    assert metadata.text_near_title(root[1])


NEAR_TAGS = ["div", "p", "h1", "script", "title", "svg", "b", "noscript", "span"]


def near_markup() -> st.SearchStrategy[str]:
    return nested_markup(NEAR_TAGS, fillers=["", "<!--c-->", "<?pi x?>"], lead=True)


@needs_speedups
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_markup())
def test_near_title_generated(html: str) -> None:
    from lxml import html as lxml_html

    page = f"<html><body><div>{html}</div></body></html>"
    assert_same_near_title(parse_page(page).root)
    assert_same_near_title(lxml_html.document_fromstring(page))


@needs_speedups
@pytest.mark.parametrize("name", sorted(p.stem for p in CASES_DIR.glob("*.html"))[:20])
def test_enclosing_link_saved_pages(name: str) -> None:
    from lxml import html as lxml_html

    html = (CASES_DIR / f"{name}.html").read_text(encoding="utf-8")
    for root in (parse_page(html).root, lxml_html.document_fromstring(html)):
        for el in root.iter():  # comments and PIs too (lxml.html keeps them)
            for levels in (1, 3, 4):
                assert extract._SPEEDUPS.enclosing_link(el, levels) is \
                    extract.enclosing_link_py(el, levels)
