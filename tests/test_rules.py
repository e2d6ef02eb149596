"""Parametrised tables for every boilerplate rule group (cleaning.rules), positives and negatives."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaning.extract import CONTENT, JUNK, NEUTRAL, classify_attrs, is_hidden_class
from cleaning.lines import (
    drop_boilerplate_lines,
    drop_rule_lines,
    drop_rule_lines_py,
    is_boilerplate_line,
    match_line_rule,
    match_line_rule_py,
)
from cleaning.rules import (
    END_MARKER_RE,
    ERROR_PAGE_RE,
    HARD_END_MARKER_RE,
    NEXT_LABEL_RE,
    PREV_LABEL_RE,
    READ_MORE_BUTTON_RE,
)

LINE_CASES = [
    ("Autorin: Jane Doe", "byline"),
    # reading time
    ("7 min read", "reading_time"), ("2 minute read", "reading_time"),
    ("The Spotter Team - 7 min read", "reading_time"), ("27 Nov. 2025 - 10 min read", "reading_time"),
    ("Reading time: 5 minutes", "reading_time"), ("Lesezeit: ca. 4 Minuten", "reading_time"),
    # contact headers
    ("Tel: +86-17091920596", "contact"),
    ("TEL：0592-5556666", "contact"),
    ("Phone: (021) 5555 6666", "contact"),
    ("whatsapp:\xa0 17091920596", "contact"),
    ("WhatsApp: +86 170 9192 0596", "contact"),
    ("Wechat: 17091920596", "contact"),
    ("微信：17091920596", "contact"),
    ("电话：0592-5556666", "contact"),
    ("E-mail: sales@example.com", "contact"),
    ("Contact us", "contact"),
    ("联系我们", "contact"),
    ("Address: No. 88 Industrial Road, Pudong", "contact"),
    # city lists
    ("Shanghai - Beijing - Guangzhou - Xiamen", "city_list"),
    ("New York - Hong Kong - Dubai", "city_list"),
    ("上海 - 北京 - 广州 - 厦门", "city_list"),
    # date + counter lines
    ("2021-07-17 16:38:28 Click:", "counter"),
    ("2021-07-17 Click: 35", "counter"),
    ("Views: 12", "counter"),
    ("Hits: 1024", "counter"),
    ("发布时间：2021-07-17 16:38:28 点击：128次", "counter"),
    ("浏览次数：56", "counter"),
    ("2021年07月17日 点击：12", "counter"),
    ("来源：本站 作者：admin 时间：2021-07-17", "counter"),
    ("新华网河北频道 (2012-06-04 09:20:26) 稿件来源：新华网", "counter"),
    ("2019年11月20日 10:30 来源：人民网", "counter"),
    ("来源：中国新闻网 2023-09-19 08:15", "counter"),
    ("2021-07-17", "counter"),
    ("83", "counter"),
    ("16803 views", "counter"),
    ("asked May 24, 2022 at 17:49", "counter"),
    ("answered Aug 25, 2011 at 21:26", "counter"),
    ("6,42681 gold badges36 silver badges41 bronze badges", "counter"),
    # datelines
    ("Aktualisiert: 11.04.2020, 10:27", "dateline"),
    ("Publiziert: 03.04.2020, 12:35", "dateline"),
    ("Letzte Änderung 14.02.2019", "dateline"),
    ("11 Jan 2019", "dateline"),
    ("March 3, 2021", "dateline"),
    ("Updated on 2021-07-17", "dateline"),
    ("Permalink", "share"),
    ("Related:", "read_more"),
    ("Loading the Elevenlabs Text to Speech AudioNative Player...", "widget"),
    ("Download PDF", "widget"),
    # bylines
    ("By Matthew Richardson ⋅ Review Editor ⋅ Updated November 18, 2025", "byline"),
    ("Von Max Mustermann | 3. März 2021", "byline"),
    ("By Jane Doe and John Smith", "byline"),
    ("Posted by admin", "byline"),
    # prev / next footers
    ("Pre:Experts are optimistic about the future of Chengdu", "prev_next"),
    ("Prev: Older news item", "prev_next"),
    ("Previous: Company attends fair", "prev_next"),
    ("Next:Chengdu's Jiuyan Bridge becomes a landmark", "prev_next"),
    ("上一篇：专家看好成都未来发展", "prev_next"),
    ("下一篇：成都九眼桥成为地标", "prev_next"),
    ("下一条：没有了", "prev_next"),
    # breadcrumbs
    ("Home > News > Company News", "breadcrumb"),
    ("首页 > 新闻中心", "breadcrumb"),
    ("当前位置：首页 > 新闻中心 > 公司新闻", "breadcrumb"),
    ("You are here: Home / Blog", "breadcrumb"),
    # share bars
    ("Share this:", "share"),
    ("Share: Facebook Twitter", "share"),
    ("Facebook Twitter LinkedIn", "share"),
    ("分享到：", "share"),
    ("Print this page", "share"),
    # read more
    ("Read more: How the bridge was built", "read_more"),
    ("Read more", "read_more"),
    ("相关新闻：成都九眼桥", "read_more"),
    # consent / newsletter
    ("We use cookies to improve your experience.", "consent"),
    ("This website uses cookies", "consent"),
    ("Subscribe to our newsletter", "consent"),
    ("Abonnieren Sie unsere Newsletter und wir liefern die Nachrichten direkt in Ihre Mailbox.", "consent"),
    ("Puede escribirnos o suscribirse aquí a nuestra newsletter.", "consent"),
    # promotions, app and support appeals, comment-form notes
    ("If you’re seeing this message but you’re already a subscriber, you can log in.", "ad_label"),
    ("HAZTE MIEMBRO Y DISFRUTA DE BENEFICIOS EXCLUSIVOS", "ad_label"),
    ("For the latest stories and breaking news updates download the Example apps for iOS and Android.", "ad_label"),
    ("Get the latest news straight to your phone with the Example app.", "ad_label"),
    ("Never miss the latest news by signing up to our newsletter today!", "ad_label"),
    ("If you enjoyed reading this post – would you consider supporting our work?", "ad_label"),
    ("Unterstütze das Magazin bereits mit 2,50!", "ad_label"),
    ("Bitte registrieren Sie sich und halten Sie sich an unsere Netiquette.", "ad_label"),
    # widgets and blocked embeds
    ("Bild anzeigen", "widget"),
    ("PDF", "widget"),
    ("Dieses Skript als PDF herunterladen", "widget"),
    ("Externer Inhalt", "widget"),
    ("Klicken Sie auf den unteren Button, um den Inhalt von www.example.de zu laden.", "widget"),
    ("Wir respektieren deine Privatsphäre und stellen ohne dein Einverständnis keine Verbindung her.", "widget"),
    ("weiterlesen", "read_more"),
    # counters and times
    ("Aufrufe: 1120", "counter"),
    ("Kommentare insgesamt: 0", "counter"),
    ("3:59 PM", "counter"),
    ("19:49", "counter"),
    # captions and credits
    ("Abbildung 4: klassische Schwachschicht. Der Unterschied ist klar ersichtlich.", "credit"),
    ("Figure 2. Flow chart of the method.", "credit"),
    ("Lee Elder war mit golferischem Talent und einem farbenfrohen Kleidungsstil gesegnet. | © Augusta National/Getty Images", "credit"),
    ("Son tres los periodos de vacaciones durante el año escolar. Foto: Andina", "credit"),
    ("Follow The Gazette on Twitter and Instagram @Gazette and on Facebook.", "follow"),
    ("Para comentar debes registrarte y completar los datos generales.", "ad_label"),
    ("¡Mira lo que tiene nuestro canal de YouTube!", "ad_label"),
    ("Wesprzyj nas darowizną lub przekaż nam 1% podatku.", "ad_label"),
    ("Sofern nicht anders ausgewiesen, stehen Inhalte dieser Website unter CC-BY", "copyright"),
    ("IMPRESSUM | DATENSCHUTZ | COPYRIGHT JANE DOE", "copyright"),
    ("January 13, 2020 at 08:45 AM | categories:", "counter"),
    ("Freitag | 14. Juni 2019 | 15:49 VON Jane Doe IN Fashion | 0 COMMENTS", "counter"),
    ("Kontakt:", "contact"),
    ("ANZEIGE - Heute mal ausgehen? Wie wäre es mit:", "ad_label"),
    ("Der Beitrag wurde am Mittwoch, den 27. November 2019 veröffentlicht.", "dateline"),
    ("Release Date:", "dateline"),
    ("Quelle: Landesregierung", "credit"),
    ("Źródło: ISBnews", "credit"),
    # standalone section labels
    ("Diesen Artikel teilen", "section_label"),
    ("Möchten Sie den Artikel teilen?", "section_label"),
    ("Den Artikel mit anderen teilen/diskutieren:", "section_label"),
    ("Schon gelesen?", "section_label"),
    ("Meistgelesene Artikel", "section_label"),
    ("Weitere Artikel zum Thema:", "section_label"),
    ("Mehr Kolumnen auf MeinMMO", "section_label"),
    ("Czytaj też", "section_label"),
    ("En savoir plus", "section_label"),
    ("Inhaltsverzeichnis", "section_label"),
    ("Table of Contents", "section_label"),
    ("Keine Kommentare", "section_label"),
    ("Tagged:", "section_label"),
    ("Quellenangaben:", "section_label"),
    ("Lade weitere Inhalte", "section_label"),
    ("Titelbild: Jane Doe", "credit"),
    ("Crédits photos : Bestimage", "credit"),
    ("Credit:", "credit"),
    ("- Anzeige-", "ad_label"),
    # copyright / ICP
    ("Copyright © 2021 Example Co., Ltd.", "copyright"),
    ("© 2024 The Tinkering Blog", "copyright"),
    ("All Rights Reserved.", "copyright"),
    ("京ICP备12345678号-1", "copyright"),
    ("蜀ICP备12345678号", "copyright"),
    ("版权所有 © 2021 天府机械", "copyright"),
    ("京公网安备 11010502030000号", "copyright"),
]

NEGATIVE_LINES = [
    # byline/dateline words are whole words: not "Authorization", "Textile", "Standard"
    "Authorization: Bearer YOUR_API_KEY",
    "Textile makers gather in Milan",
    "Authority figures in the village",
    "Standard 2020",
    "It takes 5 min to read the whole manual, the author says.",
    "Give it 10 minutes reading time before you decide.",
    "Tel Aviv engineers joined the project team in January.",
    "He said to tell the council twice.",
    "Telephone companies raised prices by 3% this year, the regulator said.",
    "Next steps include a public consultation and a second round of surveys.",
    "Next year the plant will double its output.",
    "下一步，项目组将与市政府共同制定详细的施工计划。",
    "The first phase was completed on 2021-07-17, two weeks ahead of schedule.",
    "Click here is not what the engineers said.",
    "Contact with the contractors will continue through the summer.",
    "Home prices rose by 4% in March.",
    "Share prices fell sharply on Monday.",
    "Previously, the company made only pumps.",
    "Copyright law was changed in 2019 to cover text and data mining.",
    "Related parties must disclose their interests.",
    "Region | January | February | March",
    "Views of the river from the bridge are spectacular at sunset.",
    "He read more than forty reports before deciding.",
    "Pretoria - the capital - hosted the talks.",
    "2024",
    "By Monday, the talks had collapsed.",
    "Updated figures will follow next week.",
    "Loading docks were closed during the strike, which lasted three weeks and cost millions.",
    "Downloads of the app doubled in a month.",
    "Published in 1998, the novel sold two million copies.",
    "By the end of the year the plant closed.",
    "by 2030 emissions must halve",
    "Photographers lined the route.",
    "Creditors met on Friday to discuss the plan.",
    "2019年11月20日，记者从市政府获悉，来自各地的代表参加了会议，主要议题是水源保护。",
    "来源于2012年的数据显示，该市人口增长了百分之三。",
    "If you enjoyed this post, you might like our photos from the fields!",
    "Figure 2 shows the flow of water through the dam.",
    "The photo: a boy on a bridge, taken in 1950, became famous.",
    "Comments from readers: 12 letters arrived in one week.",
    "Get the latest version of the firmware from the vendor's site before updating.",
    "Support for the plan grew over the summer.",
    "At 3:59 PM the train left the station.",
    "The newsletter of the society is printed twice a year.",
    "Credit cards – $34,000",
    "Quelle: Die Zahlen stammen aus dem Bericht des Landesamts. Sie wurden 2020 erhoben.",
    "Kontakte zu den Behörden gab es nicht.",
    "Der Beitrag wurde heftig diskutiert.",
    "Manna Foodbank | Volunteers sort food donations. | Mills River, NC | Sign up here",
    "Region | Privacy | Population",
    "Our team followed the storm on Twitter all night.",
    "Support for the union grew, the survey says.",
    "Themen wie Klima und Verkehr bestimmten den Wahlkampf.",
    "Weitere Artikel folgen in der nächsten Ausgabe, kündigte die Redaktion an.",
    "Table of contents entries link to each chapter of the report.",
    "Schon gelesen hatte er das Buch, als der Film erschien.",
]


@pytest.mark.parametrize("line,reason", LINE_CASES)
def test_boilerplate_line_is_recognised(line, reason):
    """(match_line_rule is the compiled form when cleaning._speedups is built)"""
    assert match_line_rule(line) == reason
    assert match_line_rule_py(line) == reason


@pytest.mark.parametrize("line", NEGATIVE_LINES)
def test_real_sentence_survives(line):
    assert match_line_rule(line) is None
    assert match_line_rule_py(line) is None


def test_anywhere_keywords_cover_every_unanchored_pattern():
    from cleaning.rules import ANYWHERE_KEYWORDS, LINE_RULES

    for _, patterns in LINE_RULES:
        for pattern in patterns:
            if not pattern.startswith("^"):
                assert any(word in pattern.lower() for word in ANYWHERE_KEYWORDS), pattern


@pytest.mark.parametrize("line", [line for line, _ in LINE_CASES] + NEGATIVE_LINES)
def test_keyword_gated_search_equals_the_full_search(line):
    from cleaning.rules import ANYWHERE_RULES, full_rule_regex

    full = full_rule_regex(anchored=False).search(line) is not None
    gated = any(word in line.lower() and regex.search(line) for word, regex in ANYWHERE_RULES)
    assert gated == full


@pytest.mark.parametrize("line", [line for line, _ in LINE_CASES] + NEGATIVE_LINES
                         + ["ſhare: x", "Kontakt", "İ", "© 2021 x", "/ Getty Images", "上一篇：x",
                            "Über den Autor", "Źródło: PAP", "7 min read", "March 3, 2021",
                            "Posted 3 days ago", "২০২১-০৭-১৭", "Lesezeit: ca. 4 Minuten"])
def test_first_character_dispatch_matches_the_full_rule_regex(line):
    """match_start_rule (rules narrowed by the line's first character) finds what the full
    anchored regex finds, with the same reason."""
    from cleaning.lines import match_start_rule
    from cleaning.rules import full_rule_regex

    stripped = line.strip()
    full = full_rule_regex(anchored=True).match(stripped)
    assert (full.lastgroup if full else None) == match_start_rule(stripped)


def test_long_lines_are_never_boilerplate():
    assert match_line_rule("Tel: +86-17091920596 " + "and a very long sentence " * 10) is None


def test_extra_patterns_and_block_filtering():
    import re

    extra = (re.compile(r"^Sponsored by"),)
    assert is_boilerplate_line("Sponsored by ACME", extra)
    text = "Shanghai - Beijing - Guangzhou - Xiamen\nContact us\nTel: +86-17091920596\nReal text stays."
    assert drop_boilerplate_lines(text) == "Real text stays."


@pytest.mark.parametrize("attrs,verdict", [
    ("entry-content", CONTENT), ("article__body", CONTENT), ("c-article-body", CONTENT),
    ("post-content clearfix", CONTENT), ("articleBody", CONTENT), ("td-post-content", CONTENT),
    ("main-nav", JUNK), ("navbar navbar-expand", JUNK), ("sidebar-left", JUNK),
    ("share-buttons", JUNK), ("related-posts", JUNK), ("comment-list", JUNK),
    ("cookie-banner", JUNK), ("newsletter-signup", JUNK), ("breadcrumb", JUNK),
    ("ad-slot", JUNK), ("site-footer", JUNK), ("social", JUNK),
    # token boundaries: substrings do not count
    ("canvas", NEUTRAL), ("navigator-wrapper", NEUTRAL), ("shadow", NEUTRAL), ("header-title", NEUTRAL),
    ("field--label-hidden", NEUTRAL), ("widget-builder", NEUTRAL), ("bannerimage", NEUTRAL),
    ("metadata-panel", NEUTRAL), ("", NEUTRAL),
    # WordPress puts tag-<slug> / category-<slug> on the post itself
    ("post-27529 post type-post status-publish hentry category-news tag-chengdu", NEUTRAL),
    ("tags", JUNK),
    ("relatedlinks block", JUNK), ("mdl-media__figcaption", JUNK), ("editorial-disclosure", JUNK),
    ("next-post-thumbnails", JUNK), ("pum-container popmake", JUNK),
    ("disclosure disclosure--row", NEUTRAL),  # a <details> widget, not a disclosure notice
])
def test_class_id_verdicts(attrs, verdict):
    assert classify_attrs(attrs) == verdict


@pytest.mark.parametrize("cls,hidden", [
    ("hide", True), ("w-richtext hide", True), ("hidden", True), ("d-none", True),
    ("is-hidden card", True), ("invisible", True),
    # shown again at some screen size, or not a whole token
    ("hide medium-show", False), ("d-none d-md-block", False), ("hidden lg:flex", False),
    ("hide-on-mobile", False), ("field--label-hidden", False), ("hidden-xs", False),
    ("overflow-hidden", False), ("", False),
])
def test_hidden_utility_classes(cls, hidden):
    assert is_hidden_class(cls) is hidden


@pytest.mark.parametrize("text,is_marker", [
    ("Related articles", True), ("Related", True), ("Read more", True), ("You may also like", True),
    ("Comments", True), ("3 Comments", True), ("About the Author", True), ("Reviewed by", True),
    ("Lies auch!", True), ("Zobacz także", True), ("Notas relacionadas", True), ("Leave a Reply", True), ("相关文章", True),
    ("推荐阅读", True), ("Share this article", True),
    ("Related parties", False), ("Comments from the minister were brief", False),
    ("Reading the report", False), ("Frequently asked questions", False),
])
def test_end_markers(text, is_marker):
    assert bool(END_MARKER_RE.match(text)) is is_marker


@pytest.mark.parametrize("text", [
    "Comments", "3 Comments", "Leave a Reply", "Post a comment", "Join the discussion",
    "About the Author", "About the authors", "About the reviewer", "Reviewed by", "References",
    "Footnotes", "Bibliography", "Works cited", "Disclaimer", "Disclaimers & Disclosures", "Tags",
    "Filed under", "Schlagworte", "Kommentare", "Commentaires", "Comentarios", "Commenti",
    "Komentarze", "Reacties", "网友评论", "发表评论", "评论",
])
def test_hard_end_markers_are_end_markers(text):
    # filter_blocks only tries the hard pattern on blocks the end-marker pattern matched
    assert HARD_END_MARKER_RE.match(text) and END_MARKER_RE.match(text)


@pytest.mark.parametrize("text,is_button", [
    ("Read more", True), ("Read More »", True), ("Continue reading…", True), ("Weiterlesen", True),
    ("Lire la suite", True), ("阅读全文", True),
    ("Read more about our methodology", False), ("Related articles", False), ("Read next", False),
])
def test_read_more_buttons(text, is_button):
    assert bool(READ_MORE_BUTTON_RE.match(text)) is is_button


@pytest.mark.parametrize("label,prev,nxt", [
    ("Pre:", True, False), ("Prev:", True, False), ("Previous:", True, False),
    ("上一篇：", True, False), ("Next:", False, True), ("下一篇：", False, True),
    ("Next steps", False, False), ("下一步", False, False), ("Press", False, False),
])
def test_prev_next_labels(label, prev, nxt):
    assert bool(PREV_LABEL_RE.search(label)) is prev
    assert bool(NEXT_LABEL_RE.search(label)) is nxt


@pytest.mark.parametrize("text,is_error", [
    ("404 - Page not found", True), ("Sorry, the page you are looking for does not exist", True),
    ("页面不存在", True), ("Bridge opens to traffic", False), ("Found: a new species of frog", False),
    ("404", True), ("Error 404", True), ("404 error", True), ("404 | Example News", True),
    ("HTTP 404 Not Found", True), ("404错误", True), ("The Peugeot 404 turns 65", False),
    ("404 people were evacuated", False), ("Route 404 reopens", False),
])
def test_error_page_patterns(text, is_error):
    assert bool(ERROR_PAGE_RE.search(text)) is is_error


@pytest.mark.parametrize("line", [line for line, _ in LINE_CASES])
def test_rules_matching_a_line_are_never_gated_out(line):
    """Every anchored rule that matches a line on its own is among the rules tried for it (the
    first-character and required-class gates only drop rules that cannot match)."""
    import re

    from cleaning.lines import _START_RULES, line_rules_for, line_signals, start_rules_for

    stripped = line.strip()
    tried = {regex.pattern for _, regex in start_rules_for(stripped[0], line_signals(stripped))}
    narrowed = {regex.pattern for _, regex in line_rules_for(stripped[:2], line_signals(stripped))}
    for _, pattern, _, _ in _START_RULES:
        if re.match(pattern[1:], stripped, re.IGNORECASE):
            assert pattern[1:] in tried, pattern
            assert pattern[1:] in narrowed, pattern


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from([line for line, _ in LINE_CASES] + NEGATIVE_LINES), st.data())
def test_two_character_dispatch_on_mutated_lines(line, data):
    """Case flips, look-alike letters (ſ, K, İ) and cut starts: the rules narrowed by the first
    two characters find what the full anchored regex finds."""
    from cleaning.lines import match_start_rule
    from cleaning.rules import full_rule_regex

    chars = list(line.strip())
    for i in data.draw(st.lists(st.integers(0, max(len(chars) - 1, 0)), max_size=3)):
        if chars:
            chars[i] = data.draw(st.sampled_from([chars[i].swapcase(), "ſ", "\u212a", "İ", "ı",
                                                  chars[i].upper()]))
    stripped = "".join(chars[data.draw(st.integers(0, 2)):]).strip()
    if stripped:
        full = full_rule_regex(anchored=True).match(stripped)
        assert (full.lastgroup if full else None) == match_start_rule(stripped)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from([line for line, _ in LINE_CASES] + NEGATIVE_LINES), max_size=4),
       st.data())
def test_line_rules_compiled_and_python_agree_on_mutated_blocks(block_lines, data):
    """Case flips, look-alike letters (ſ, K, İ, Σ), other digits and padding: the compiled
    line rules (when built) judge every line and block as match_line_rule_py does."""
    mutated = []
    for line in block_lines:
        chars = list(line)
        for i in data.draw(st.lists(st.integers(0, max(len(chars) - 1, 0)), max_size=3)):
            if chars:
                chars[i] = data.draw(st.sampled_from([chars[i].swapcase(), "ſ", "\u212a", "İ", "Σ",
                                                      "٣", "\u3000", chars[i].upper()]))
        mutated.append("".join(chars))
    text = "\n".join(mutated)
    assert drop_rule_lines(text) == drop_rule_lines_py(text)
    for line in mutated:
        assert match_line_rule(line) == match_line_rule_py(line)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from([line for line, _ in LINE_CASES] + NEGATIVE_LINES), st.data())
def test_line_end_gate_keeps_every_rule_that_matches(line, data):
    """line_end_mask (the compiled form's last-character gate) never rules out an anchored
    rule that matches the line, on case flips, look-alike letters and cut ends."""
    import re

    from cleaning.lines import _START_RULES, LATIN1, line_end_mask

    chars = list(line.strip())
    for i in data.draw(st.lists(st.integers(0, max(len(chars) - 1, 0)), max_size=3)):
        if chars:
            chars[i] = data.draw(st.sampled_from([chars[i].swapcase(), "ſ", "\u212a", "İ", "ı",
                                                  "\xb5", "\xdf", "\xe9", chars[i].upper()]))
    stripped = "".join(chars[:len(chars) - data.draw(st.integers(0, 3))]).strip()
    if not stripped or ord(stripped[-1]) >= LATIN1:
        return
    for _, pattern, _, _ in _START_RULES:
        regex = re.compile(pattern[1:], re.IGNORECASE)
        if regex.match(stripped):
            assert line_end_mask(regex) >> ord(stripped[-1]) & 1, pattern


# rules.PREV_NEXT_WORDS: a text without any of them is never matched by the label regexes.
from cleaning import rules  # noqa: E402

LABEL_REGEXES = (rules.PREV_LABEL_RE, rules.NEXT_LABEL_RE, rules.PREV_IN_LINK_RE,
                 rules.NEXT_IN_LINK_RE)
LABEL_SAMPLES = ["pre:", "Prev", "PREVIOUS", "previous  Post", "previous article：",
                 "previous news", "previous item", "older post", "上一篇", "上一条", "上篇",
                 "上一则", "next", "Next Post", "next article", "next news", "next item",
                 "Newer post", "下一篇", "下一条", "下篇", "下一则", "Pre: title", "next：t",
                 "上一篇：t", "下篇: t", "ſ: x", "İ:", "Posted: 2020"]


def has_label_word(text: str) -> bool:
    return rules.PREV_NEXT_WORD_RE.search(text.lower()) is not None


@pytest.mark.parametrize("text", LABEL_SAMPLES)
def test_label_regex_matches_hold_a_label_word(text: str) -> None:
    for regex in LABEL_REGEXES:
        if regex.search(text):
            assert has_label_word(text), (regex.pattern, text)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("prevPREVnxtNXTiousPOSTldwaickmſİı上下一篇条则 ：:\xa0\u3000")),
               max_size=20))
def test_label_regexes_need_a_label_word(text: str) -> None:
    if not has_label_word(text):
        assert not any(regex.search(text) for regex in LABEL_REGEXES), text
