"""Unit tests of parse_html / extract_content / judge_page, and bad input through clean_html."""
from __future__ import annotations

import pathlib
import time

import pytest

from cleaning import CleaningConfig, Rejected, clean_html
from cleaning.extract import Content, Link, extract_content, find_prev_next
from cleaning.parse import parse_html
from cleaning.verdict import judge_page

CONFIG = CleaningConfig()
PARA = ("The council approved the new budget on Tuesday, after a long debate about transport, "
        "housing and the future of the harbour district. ")


def article(body: str, title: str = "Budget approved") -> str:
    return (f"<html><head><title>{title}</title></head><body>"
            "<nav><a href='/'>Home</a><a href='/news'>News</a></nav>"
            f"<div class='main'><h1>{title}</h1>{body}</div>"
            "<footer>Copyright 2024 City Paper</footer></body></html>")


def extract(html: str, url: str = "https://example.com/a/1", title: str | None = None,
            config: CleaningConfig = CONFIG) -> Content:
    return extract_content(parse_html(html), url, config, title)


# --- parse -----------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   \n", "\x00\x01\x02", "<", "<<<>>>", "<html", "\ufeff"])
def test_parse_degenerate_input_never_raises(text):
    root = parse_html(text)
    assert root is None or root.tag == "html"


def test_parse_strips_code_but_keeps_json_ld():
    root = parse_html("<html><head><script type='application/ld+json'>{}</script>"
                      "<script>var x = 1;</script><style>p{}</style></head>"
                      "<body><noscript>enable js</noscript><p>Hi</p><svg><text>s</text></svg></body></html>")
    assert [s.get("type") for s in root.iter("script")] == ["application/ld+json"]
    assert root.find(".//style") is None
    assert root.find(".//svg") is None and root.findtext(".//p") == "Hi"


def test_noscript_dropped_unless_it_holds_the_only_text():
    with_js = article(f"<p>{PARA * 3}</p><noscript>Please enable JavaScript to comment</noscript>")
    assert "enable JavaScript" not in extract(with_js).text
    crawler_view = ("<html><body><div id='app'></div><noscript><div class='topic'>"
                    + "".join(f"<p>Post {i}: {PARA}</p>" for i in range(3)) + "</div></noscript></body></html>")
    assert "Post 2: The council approved" in extract(crawler_view).text


def test_parse_keeps_text_after_removed_script():
    root = parse_html("<body><p>before<script>x()</script> after</p></body>")
    assert "".join(root.find(".//p").itertext()) == "before after"


# --- extraction ------------------------------------------------------------

def test_paragraphs_headings_lists_and_breaks():
    html = article(f"<p>{PARA * 2}</p><h2>Transport</h2><p>{PARA}</p>"
                   "<ul><li>Buses: more routes</li><li>Trams: new depot</li></ul>"
                   f"<p>First line<br>second line</p><p>{PARA}</p>")
    text = extract(html, title="Budget approved").text
    assert text.startswith("The council approved")
    assert "\n\nTransport\n\n" in text
    assert "Buses: more routes\nTrams: new depot" in text
    assert "First line\nsecond line" in text
    assert "Budget approved" not in text and "Home" not in text and "Copyright" not in text


def test_prev_next_links_resolved_to_absolute_urls():
    html = article(f"<p>{PARA * 3}</p><div class='pn'><p>Pre:<a href='/news/1.html'>Older story</a></p>"
                   "<p>下一篇：<a href='2.html'>Newer story</a></p></div>")
    content = extract(html, url="https://example.com/news/x/5.html")
    assert content.prev_link == Link("https://example.com/news/1.html", "Older story")
    assert content.next_link == Link("https://example.com/news/x/2.html", "Newer story")
    assert "Older story" not in content.text and "Newer story" not in content.text


def test_prev_next_placeholder_means_none():
    root = parse_html("<body><p>上一篇：<a href='/1.html'>没有了</a></p></body>")
    assert find_prev_next(root.find("body"), "https://e.cn/") == (None, None)


def test_link_inside_label_text():
    root = parse_html("<body><a href='/n/3'>Next: The bridge opens</a></body>")
    _, nxt = find_prev_next(root.find("body"), "https://e.com/n/2")
    assert nxt == Link("https://e.com/n/3", "The bridge opens")


def test_end_marker_cuts_related_block():
    html = article(f"<p>{PARA * 3}</p><p>{PARA * 2}</p><h3>Related articles</h3>"
                   "<p>Harbour plan delayed again as costs rise sharply this year</p>")
    text = extract(html).text
    assert "Related articles" not in text and "Harbour plan delayed" not in text


LINKS = "<ul><li><a href='/a'>Harbour plan delayed again</a></li><li><a href='/b'>Ferry fares rise</a></li></ul>"


@pytest.mark.parametrize("label, dropped", [
    ("<p>Related Coverage</p>", True),  # a label over a link list that is dropped
    ("<h4>Weitere Informationen:</h4>", True),
    ("<h3>Mehr zum Thema</h3>", True),
    ("<p>Ferries were late on Monday.</p>", False),  # a sentence, not a label
    ("<p>Background</p>", False),  # neither a heading nor ends in a colon
    ("<h3>3. The ferry</h3>", False),  # a numbered item heading
])
def test_label_over_dropped_link_list(label, dropped):
    html = article(f"<p>{PARA * 3}</p>{label}{LINKS}<p>{PARA * 2}</p>")
    text = extract(html).text
    word = label.split(">")[1].split("<")[0]
    assert (word not in text) is dropped and "Harbour plan delayed" not in text
    assert text.count("The council approved") == 5


def test_repeated_labels_over_links_are_structure():
    tiles = "".join(f"<h3>Shop {i}:</h3><p><a href='/s/{i}'>Visit the shop number {i}</a></p>"
                    for i in range(4))
    text = extract(article(f"<p>{PARA * 3}</p>{tiles}<p>{PARA * 2}</p>")).text
    assert "Shop 1:" in text and "Shop 3:" in text


def test_extra_selectors_and_line_patterns_applied():
    html = article(f"<p>{PARA * 3}</p><div class='promo-box'>Buy our merch today and save</div>"
                   "<p>Sponsored: brought to you by ACME</p>")
    config = CleaningConfig(extra_drop_selectors=("div.promo-box", "div["),
                            extra_drop_line_patterns=(r"^Sponsored:", "([bad"))
    text = extract(html, config=config).text
    assert "Buy our merch" not in text and "Sponsored" not in text
    assert "The council approved" in text


def test_hidden_and_aria_hidden_content_skipped():
    html = article(f"<p>{PARA * 3}</p><div style='display:none'>secret hidden text here</div>"
                   "<div aria-hidden='true'>decorative text</div><p hidden>also hidden</p>")
    text = extract(html).text
    assert "secret" not in text and "decorative" not in text and "also hidden" not in text


def test_code_blocks_are_verbatim():
    # line rules (bare numbers, "Contact us", "Share") never cut lines out of code
    code = "print(answer)\n42\nContact us\nShare"
    html = article(f"<p>{PARA * 3}</p><pre>{code}</pre><p>{PARA}</p>")
    assert code in extract(html).text


def test_address_blocks_skipped():
    # <address> holds bylines and postal addresses, never article text
    html = article("<address>By Maureen Example, Executive Editor</address>"
                   f"<p>{PARA * 3}</p><address>8600 Harbour Road, Springfield</address>")
    text = extract(html).text
    assert "Maureen" not in text and "Harbour Road" not in text
    assert "The council approved" in text


def test_junk_named_wrapper_holding_the_article_is_kept():
    html = ("<html><body><div class='page-with-sidebar'>"
            + "".join(f"<p>{i}. {PARA}</p>" for i in range(6))
            + "</div><div class='sidebar'><a href='/x'>Popular story</a></div></body></html>")
    text = extract(html).text
    assert text.count("The council approved") == 6 and "Popular story" not in text


def test_junk_box_around_a_content_class_is_dropped():
    box = ("<section class='author-box'><div class='entry-content'><p>Jane Doe writes about "
           "transport and housing for the paper, after ten years at the city council.</p></div>"
           "</section>")
    text = extract(article(f"<div class='entry-content'><p>{PARA * 4}</p><p>{PARA * 3}</p>{box}"
                           "</div>")).text
    assert "The council approved" in text and "Jane Doe writes" not in text


def test_junk_box_dropped_inside_a_junk_named_page_wrapper():
    box = ("<section class='author-box'><div class='entry-content'><p>Jane Doe writes about "
           "transport and housing for the paper, after ten years at the city council.</p></div>"
           "</section>")
    html = ("<html><body><div class='page-with-sidebar'><div class='entry-content'>"
            f"<p>{PARA * 4}</p><p>{PARA * 3}</p>{box}</div></div></body></html>")
    text = extract(html).text
    assert "The council approved" in text and "Jane Doe writes" not in text


def test_forum_posts_in_comment_wrappers_are_kept():
    posts = "".join(f"<div class='comment'><div class='post-content'><p>{i}. {PARA}</p></div></div>"
                    for i in range(6))
    text = extract(f"<html><body><h1>Thread</h1>{posts}</body></html>").text
    assert text.count("The council approved") == 6


def test_hidden_copy_of_the_article_is_dropped():
    hidden = f"<div style='display:none'><div class='entry-content'><p>Secret {PARA}</p></div></div>"
    text = extract(article(f"<div class='entry-content'><p>{PARA * 4}</p>{hidden}</div>")).text
    assert "The council approved" in text and "Secret" not in text


def test_title_after_dropped_link_blocks_is_dropped():
    # links dropped from the region's start do not count in the title's position
    links = "".join(f"<p><a href='/n/{i}'>Recent story number {i}</a></p>" for i in range(8))
    html = article(f"{links}<h1>Budget approved</h1><p>{PARA * 3}</p>", title="Budget approved")
    text = extract(html, title="Budget approved").text
    assert "Budget approved" not in text and text.startswith("The council approved")


def test_duplicate_paragraphs_dropped():
    html = article(f"<p>{PARA}</p><p>{PARA}</p><p>{PARA * 2}</p>")
    assert extract(html).text.count(PARA.strip()) == 3


def test_region_features_for_the_verdict():
    teasers = "".join(f"<div class='item'><h3><a href='/n/{i}'>Headline number {i} here</a></h3>"
                      f"<p>Teaser {i}</p></div>" for i in range(12))
    content = extract(f"<html><body><div class='list'>{teasers}</div></body></html>")
    assert content.teaser_count >= 12
    assert judge_page(content, content.text, CONFIG) == "listing"


@pytest.mark.parametrize("content,text,reason", [
    (Content(text=""), "", "no_content"),
    (Content(text="x", heading_text="Page not found"), "Sorry, nothing here.", "error_page"),
    (Content(text="x", paragraph_count=1), "A short note.", "too_short"),
    (Content(text="x", paragraph_count=5), PARA * 5, None),
    (Content(text="x", page_link_density=0.8, paragraph_count=1), PARA * 3, "listing"),
])
def test_judge_page(content, text, reason):
    assert judge_page(content, text, CONFIG) == reason


# --- bad input through the whole pipeline ----------------------------------

BAD_INPUTS = {
    "empty": "",
    "whitespace": "   \n\t ",
    "binary": bytes(range(256)) * 20,
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
    "truncated": article(f"<p>{PARA * 4}</p>")[:300],
    "deeply_nested": "<div>" * 5000 + PARA * 3 + "</div>" * 5000,
    "control_chars": "<p>" + "\x00\x01\x07\x1b" * 50 + PARA * 3 + "</p>",
    "no_text": "<html><body><div><img src='a.png'><br><hr></div></body></html>",
    "only_script": "<script>" + "var a = 1;" * 1000 + "</script>",
    "unclosed_tags": "<html><body><div><p><b><i>" + PARA * 3,
    "xml_declaration": "<?xml version='1.0' encoding='latin-1'?><html><body><p>" + PARA * 3
                       + "</p></body></html>",
    "lone_surrogate": "<p>" + PARA * 3 + "\ud800</p>",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_never_raises(name):
    result = clean_html(BAD_INPUTS[name], "https://example.com/bad")
    assert result is not None
    if isinstance(result, Rejected):
        assert result.reason and result.reason != "cleaning_error", result.detail


def test_deeply_nested_text_still_extracted():
    result = clean_html(BAD_INPUTS["deeply_nested"], "https://example.com/deep")
    assert "The council approved" in result.text


def test_ten_megabyte_page_under_one_second():
    block = ("<div class='item'><h2>Section {n}</h2>" + f"<p>{{n}}: {PARA}</p>" * 8
             + "<ul class='menu'><li><a href='/a'>Link one</a></li><li><a href='/b'>Link two</a></li></ul></div>")
    html = "<html><body>" + "".join(block.format(n=n) for n in range(10_000_000 // len(block) + 1))
    html += "</body></html>"
    assert len(html) >= 10_000_000
    clean_html(article(f"<p>{PARA * 3}</p>"))  # warm-up: one-time model/regex loading is not per page
    start = time.perf_counter()
    result = clean_html(html, "https://example.com/big")
    elapsed = time.perf_counter() - start
    assert result.text
    assert elapsed < 1.0 * SLOW_MACHINE_FACTOR, f"{elapsed:.2f}s"


# The requirement is < 1 s on an idle core; the shared CI box runs several suites at once.
SLOW_MACHINE_FACTOR = 3.0


# --- cached element verdicts -------------------------------------------------

VERDICT_MARKUP = (
    "<div class='entry-content'>a</div><div class='entry-content' id='x'>b</div>"
    "<td width='50%' data-x='1'>c</td><nav class='menu'>d</nav><header class='site'>e</header>"
    "<header class='entry-header'>f</header><div style='display:none' class='post'>g</div>"
    "<div role='navigation' data-id='3'>h</div><section hidden>i</section><main>j</main>"
    "<div itemprop='articleBody' class='share'>k</div><div aria-hidden='true'>l</div>"
    "<article data-a='1'>m</article><span id='sidebar' lang='en'>n</span><p>o</p>")


def test_cached_verdicts_equal_element_verdict() -> None:
    """The per-tag / per-class / relevant-attribute caches give element_verdict's answer."""
    from cleaning.extract import (
        VERDICT_ATTRIBUTES,
        bare_verdict,
        cached_verdict,
        class_verdict,
        element_verdict,
        items_verdict,
    )
    root = parse_html(f"<html><body>{VERDICT_MARKUP}</body></html>")
    checked = 0
    for el in root.iter():
        items = el.items()
        expected = element_verdict(el.tag, dict(items))
        assert cached_verdict(el.tag, tuple(kv for kv in items if kv[0] in VERDICT_ATTRIBUTES)) \
            == expected, el.tag
        if items:
            assert items_verdict(el.tag, items) == expected, el.tag
        if not items:
            assert bare_verdict(el.tag) == expected
        elif len(items) == 1 and items[0][0] == "class":
            assert class_verdict(el.tag, items[0][1]) == expected
        checked += 1
    assert checked > 15
    assert {element_verdict(el.tag, dict(el.items()))[0] for el in root.iter()} >= {0, 1, 2}


@pytest.mark.parametrize("href,off_site", [
    ("https://shop.example.net/item/1", True),  # another site
    ("#section-2", True),  # a permalink anchor on the heading itself
    ("/guides/other-post", False),  # relative: the same site
    ("https://blog.example.com/p/2", False),  # the page's own host
    ("https://www.example.com/p/3", False),  # another host of the same site
    ("mailto:editor@example.net", False), ("javascript:void(0)", False), ("", False),
])
def test_points_off_site(href, off_site):
    from cleaning.extract import points_off_site, site_key
    page = "https://blog.example.com/p/1"
    assert points_off_site(href, page, site_key(page)) is off_site


@pytest.mark.parametrize("html", [
    "<p>a</p>", "<html><!-- c --><body><?pi x?><div><p>a<b>b</b></p></div></body></html>",
    "<div>" * 300 + "x" + "</div>" * 300, "<table>" + "<tr><td>x</td></tr>" * 500 + "</table>",
] + sorted(str(p) for p in (pathlib.Path(__file__).parent / "cases").glob("*.html")))
def test_element_count_matches_xpath(html):
    from cleaning import parse
    if html.endswith(".html"):
        html = pathlib.Path(html).read_text(encoding="utf-8")
    root = parse.parse_tree(html)
    for top in [root, *list(root.iter())[:50]]:
        total = int(parse._COUNT_ELEMENTS(top))  # (counts the whole document from any node)
        assert parse.count_elements(top, 10**9) == total
        assert parse.count_elements(top, 3) == min(total, 3)


NOSCRIPT_PAGES = [
    "<html><head><noscript><link rel=x></noscript></head><body><p>" + "Real text here. " * 20
    + "</p><noscript>Enable JS</noscript> <b>tail kept</b></body></html>",
    "<body><div><b>a</b><noscript>x<noscript>y</noscript>z</noscript> <i>b</i></div><p>"
    + "More text. " * 30 + "</p></body>",
    "<body><noscript><p>" + "The whole article sits in noscript for no-JS clients. " * 10
    + "</p></noscript><div id=app></div></body>",  # unwrapped
    "<p>no body element</p><noscript>n</noscript><p>" + "Words and more words. " * 20 + "</p>",
    "<body><noscript><h1>Hidden heading</h1></noscript><h1>Real heading</h1><p>"
    + "Body text of the page. " * 20 + "</p><h1>Second</h1></body>",
]


@pytest.mark.parametrize("html", NOSCRIPT_PAGES)
def test_noscripts_found_at_parse_time_give_the_same_content(html):
    from cleaning.parse import parse_page
    from cleaning.types import CleaningConfig
    walked, given = parse_page(html), parse_page(html)
    assert given.noscripts, "the parse walk collects them"
    config = CleaningConfig()
    expected = extract_content(walked.root, "https://e.com/a", config)
    h1s = given.signals.h1s
    assert extract_content(given.root, "https://e.com/a", config,
                           noscripts=given.noscripts, h1s=h1s) == expected
    if "Real heading" in html:
        assert expected.heading_text == "Real heading"
    if "Enable JS" in html:
        assert "Enable JS" not in expected.text and "tail kept" in expected.text


@pytest.mark.parametrize("html", [
    "<div><h2>x</h2><h3><a href='/a'>y</a></h3><h2><span><a>z</a></span></h2></div>",
    "<div><h2><a>a</a><h3><a>b</a></h3></h2><p><a>not a heading</a></p><h4>no link</h4></div>",
    "<h1><!-- c --><a>x</a></h1>",
] + sorted(str(p) for p in (pathlib.Path(__file__).parent / "cases").glob("*.html")))
def test_headings_with_links_compiled_matches_python(html):
    from cleaning import extract, rules
    from cleaning.parse import parse_tree
    if html.endswith(".html"):
        html = pathlib.Path(html).read_text(encoding="utf-8")
    root = parse_tree(html)
    for tops in ([root], list(root.iter())[:60], list(root.iter("div"))):
        expected = [h for top in tops for h in top.iter(*rules.HEADING_TAGS)
                    if next(h.iter("a"), None) is not None]
        assert extract.headings_with_links(tops) == expected
