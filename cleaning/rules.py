"""Boilerplate rules as data: ordered tuples grouped by concept, first match wins.

Nothing here runs on import except compiling the regexes and token sets; the functions that use
the rules live in :mod:`cleaning.extract` (tree rules) and :mod:`cleaning.lines`
(line rules). Every rule has a parametrised table of cases in tests/test_rules.py,
including sentences that must survive ("Tel Aviv", "Next steps", 下一步).
"""
from __future__ import annotations

import re
from functools import lru_cache

# ---------------------------------------------------------------------------
# Tags
# ---------------------------------------------------------------------------

# Never content: removed with their subtree before scoring (tails kept).
SKIP_TAGS = frozenset({"nav", "aside", "button", "select", "input", "textarea", "label",
                       "figcaption", "address",
                       "dialog", "menu", "option", "map", "area", "audio", "video", "picture",
                       "head", "title", "meta", "link", "base", "script", "form-control"})
# Chrome that is skipped unless it holds most of the page's text (ASP.NET <form>, odd layouts).
GUARDED_SKIP_TAGS = frozenset({"footer", "header", "form"})
# Elements that start a new text block when read out.
BLOCK_TAGS = frozenset({"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5",
                        "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table",
                        "tr", "figure", "figcaption", "header", "footer", "address", "hr",
                        "center", "details", "summary", "form", "fieldset", "caption", "tbody",
                        "thead", "tfoot", "body", "html", "nav", "aside", "hgroup", "legend",
                        "listing", "plaintext", "xmp", "noframes", "frameset", "frame", "br"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Leaf-ish elements whose text readability-style scoring credits to their ancestors.
SCORED_TAGS = frozenset({"p", "pre", "td", "blockquote"})
# Tag weights of readability (candidate base score).
TAG_WEIGHTS = (
    (("div", "article", "main"), 5),
    (("pre", "td", "blockquote", "section"), 3),
    (("address", "ol", "ul", "dl", "dd", "dt", "li", "form"), -3),
    (("h1", "h2", "h3", "h4", "h5", "h6", "th", "header", "footer", "nav"), -5),
)

# ---------------------------------------------------------------------------
# class / id tokens (matched on token boundaries: start, end, space, '_' or '-')
# ---------------------------------------------------------------------------


def expand_token_pattern(pattern: str) -> tuple[str, ...]:
    """Literal forms of a token pattern, separators removed ('-?' optional dash, 'x?' optional
    letter); class/id strings are compared the same way (tokens joined without separators).

    >>> expand_token_pattern("share-?buttons?")
    ('sharebutton', 'sharebuttons')
    >>> expand_token_pattern("article__body")
    ('articlebody',)
    """
    p = pattern.lower().replace("-?", "").replace("-", "").replace("_", "")
    variants = [""]
    i = 0
    while i < len(p):
        ch = p[i]
        if i + 1 < len(p) and p[i + 1] == "?":
            variants = [v + ch for v in variants] + variants
            i += 2
        else:
            variants = [v + ch for v in variants]
            i += 1
    return tuple(sorted(set(variants)))


def token_set(patterns: tuple[str, ...]) -> frozenset[str]:
    """All literal forms of a tuple of token patterns.

    >>> sorted(token_set(("ads?", "nav")))
    ['ad', 'ads', 'nav']
    """
    return frozenset(form for p in patterns for form in expand_token_pattern(p))


# Hard junk: an element whose class/id carries one of these is skipped.
JUNK_TOKENS = (
    # navigation
    "nav", "navbar", "navigation", "menu", "menubar", "mainmenu", "submenu", "topmenu",
    "breadcrumbs?", "crumbs?", "pagination", "pager", "paging", "skip-?links?", "toc-?nav",
    # page chrome
    "sidebar", "side-?bar", "sidebox", "leftbar", "rightbar", "widget-?area", "site-?header",
    "site-?footer", "page-?footer", "global-?footer", "footer", "masthead", "top-?bar",
    # sharing / social
    "share", "sharing", "social", "shares", "sharebar", "share-?buttons?", "addthis",
    "sharethis", "social-?links", "follow-?us",
    # related / recommendations
    "related", "related-?posts?", "related-?articles?", "recommended", "recommendations?",
    "more-?stories", "read-?more", "also-?read", "trending", "popular", "most-?read",
    "outbrain", "taboola", "you-?may-?like",
    # comments
    "comments?", "comment-?list", "comment-?form", "disqus", "respond", "replies",
    # ads / promos
    "ads?", "advert", "adverts", "advertisement", "adsbygoogle", "ad-?slot", "ad-?container",
    "sponsor", "sponsored", "promo", "promotion", "banner-?ad", "dfp",
    # consent / newsletter / modal
    "cookies?", "cookie-?banner", "consent", "gdpr", "newsletter", "subscribe", "subscription",
    "signup", "sign-?up", "popup", "modal", "overlay", "login", "signin", "sign-?in", "paywall",
    # misc
    "print-?button", "print-?link", "visually-?hidden", "sr-?only", "screen-?reader-?text", "tags",
    "tag-?list", "tagcloud", "post-?tags", "author-?bio", "about-?author", "byline", "dateline",
    "post-?meta", "entry-?meta", "article-?meta", "meta-?info", "copyright", "contact-?info",
    "prev-?next", "post-?navigation", "nav-?links", "lightbox",
    # author boxes, captions and credits, ratings, embeds
    "author-?info", "author-?box", "authorbox", "author-?details", "author-?card",
    "about-?the-?author", "caption", "captions", "wp-?caption-?text", "image-?caption",
    "img-?caption", "media-?caption", "photo-?caption", "photo-?credit", "image-?credit",
    "credit", "credits", "img-?metadata", "post-?ratings", "ratings", "sharedaddy",
    "sd-?sharing", "jp-?relatedposts", "likes-?widget",
    # more related / next-story boxes, figure captions, disclosures, popup plugins
    "related-?links?", "related-?content", "next-?posts?", "next-?story", "figcaption",
    "editorial-?disclosure", "affiliate-?disclosure", "popmake",
)
# Strong content: never junk, and preferred as the main region.
CONTENT_TOKENS = (
    "article-?body", "articlebody", "article-?content", "article-?text", "article-?main",
    "post-?body", "post-?content", "post-?text", "entry-?content", "entry-?body", "entry-?text",
    "story-?body", "story-?content", "story-?text", "body-?text", "main-?content",
    "page-?content", "content-?body", "news-?content", "news-?text", "news-?detail",
    "detail-?content", "content-?detail", "text-?content", "rich-?text", "richtext",
    "single-?content", "blog-?content", "blog-?post", "fulltext", "full-?text", "td-post-content",
    "article__body", "article__content", "c-article-body", "markdown-?body", "prose",
)
# Positive and negative words of readability's class weight (+-25 each).
POSITIVE_TOKENS = ("article", "body", "content", "entry", "main", "page", "post", "text", "blog",
                   "story", "detail", "news", "con", "txt", "zw", "wenzhang")
NEGATIVE_TOKENS = ("hidden", "banner", "combx", "comment", "com", "contact", "foot", "footer",
                   "footnote", "masthead", "media", "meta", "outbrain", "promo", "related",
                   "scroll", "share", "shoutbox", "sidebar", "side", "skyscraper", "sponsor",
                   "shopping", "tags", "tool", "widget", "nav", "menu", "links", "list", "teaser",
                   "card", "thumb", "header", "login", "rss", "subscribe", "newsletter")

# A class/id string is split on spaces, '_' and '-'; runs of up to MAX_TOKEN_RUN tokens joined
# without separators are looked up in these sets ("c-article-body" -> "carticlebody").
MAX_TOKEN_RUN = 3
# Standfirst / lead paragraphs that often sit just above the body container.
LEAD_TOKENS = ("lead", "leads", "intro", "introduction", "standfirst", "dek", "deck", "summary",
               "subtitle", "subheadline", "sub-?title", "excerpt", "abstract", "teaser-?text",
               "article-?lead", "article-?intro", "article-?summary", "article-?teaser",
               "post-?excerpt", "description", "kicker-?text", "chapo", "entradilla", "bajada",
               "teaser", "subheadline", "sub-?headline", "article-?subheadline", "standfirst",
               "vorspann", "einleitung", "lede")
LEAD_WORDS = token_set(LEAD_TOKENS)
def compound_starts(*groups: tuple[str, ...]) -> frozenset[str]:
    """First parts of the multi-part token patterns: only runs of class/id tokens starting with
    one of these need joining ("article-body" -> "articlebody").

    >>> sorted(compound_starts(("article-?body", "nav", "c-article-body")))
    ['article', 'c']
    """
    starts = set()
    for group in groups:
        for pattern in group:
            parts = [p for p in re.split(r"-\?|-|_+", pattern.lower()) if p]
            if len(parts) > 1:
                starts.update(expand_token_pattern(parts[0]))
    return frozenset(starts)


JUNK_WORDS = token_set(JUNK_TOKENS)
CONTENT_WORDS = token_set(CONTENT_TOKENS)
POSITIVE_WORDS = token_set(POSITIVE_TOKENS)
NEGATIVE_WORDS = token_set(NEGATIVE_TOKENS)
COMPOUND_STARTS = compound_starts(JUNK_TOKENS, CONTENT_TOKENS, POSITIVE_TOKENS, NEGATIVE_TOKENS,
                                  LEAD_TOKENS)

# Roles and attribute values that mark chrome or hidden elements.
JUNK_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "menu",
                        "menubar", "search", "dialog", "alert", "toolbar", "tablist"})
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Utility classes that hide an element (whole class tokens: "hide", not "hide-on-mobile")...
HIDDEN_CLASS_TOKENS = frozenset({"hide", "hidden", "is-hidden", "d-none", "invisible", "u-hidden",
                                 "js-hidden", "display-none", "visuallyhidden"})
# ...unless another token shows it again at some screen size ("hide medium-show",
# "d-none d-md-block", "hidden lg:flex").
SHOWN_CLASS_RE = re.compile(r"show|visible|block|flex|inline|grid|table", re.IGNORECASE)
JUNK_ITEMPROPS = frozenset({"author", "datepublished", "datemodified", "publisher",
                            "breadcrumb", "comment", "headline"})
CONTENT_ITEMPROPS = frozenset({"articlebody", "text", "reviewbody"})

# ---------------------------------------------------------------------------
# Text lines (applied to each line of the extracted text, short lines only)
# ---------------------------------------------------------------------------

MAX_BOILERPLATE_LINE = 160  # longer lines are prose, whatever they start with

_PHONE = r"\+?[\d(][\d\s().\-/]{5,}"
CONTACT_LINE_PATTERNS = (
    rf"^(?:tel|tel\.|telephone|phone|mob|mobile|cell|fax|hotline|电话|手机|传真|热线|联系电话)\s*[:：.]?\s*{_PHONE}",
    r"^(?:whats\s*app|wechat|we\s*chat|skype|viber|line\s*id|qq|微信|e-?mail|email|邮箱|电子邮件)\s*[:：]",
    r"^(?:contact\s*us|contact|kontakt|contacto|contatto|联系我们|联系方式)\s*[:：]?\s*$",
    r"^(?:add|addr|address|地址)\s*[:：]\s*\S",
)
CITY_LIST_PATTERNS = (
    # "Shanghai - Beijing - Guangzhou - Xiamen": three or more short capitalised names
    r"^[A-Z][\w.']*(?: [A-Z][\w.']*)?(?:\s+[-–/·•]\s+[A-Z][\w.']*(?: [A-Z][\w.']*)?){2,}$",
    r"^[\u4e00-\u9fff]{2,6}(?:\s*[-–|/·•、]\s*[\u4e00-\u9fff]{2,6}){2,}$",
)
_DATE = r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
COUNTER_LINE_PATTERNS = (
    rf"^(?:(?:date|time|posted|published|发布时间|发布日期|时间|日期)\s*[:：]?\s*)?{_DATE}\s*(?:click|clicks|views?|hits|reads?|点击|浏览|阅读)",
    r"(?:^|\s)(?:click|clicks|views|hits|点击(?:数|量|率|次数)?|浏览(?:次数|量|数)?|阅读(?:数|量|次数)?|人气)\s*[:：]\s*\d*\s*(?:次)?\s*$",
    r"^(?:views?|hits|clicks?|reads?)\s*[:：]?\s*\d+\s*$",
    r"^\d{1,3}$",  # a bare number: carousel index, score, counter
    r"^[\d.,]+\s*(?:k|m)?\s*views?$",
    r"^(?:asked|answered|edited|modified|posted|replied)\s+(?:\w{3,9}\s+\d{1,2}(?:,\s*\d{4})?|\d+\s+\w+\s+ago)(?:\s+at\s+\d{1,2}:\d{2})?$",
    r"^[\d.,k]+\s*\d*\s*gold badges?.{0,40}bronze badges?$",
    # a post-meta row ending in its comment count or categories: "... | 0 Comments"
    r"(?:\||·)\s*(?:\d+\s+)?(?:comments?|kommentare|commentaires|comentarios|categories|kategorien|view comments)\s*[:：]?\s*$",
    rf"^{_DATE}\s*$",
    r"^(?:来源|作者|编辑|责任编辑|发布者|发布人|出处|source|author|editor|posted by)\s*[:：].{0,40}(?:时间|日期|date|点击|浏览|views)\s*[:：]",
    # Chinese news info lines: "新华网河北频道 (2012-06-04 09:20:26) 稿件来源：新华网"
    rf"^.{{0,40}}{_DATE}\s*[)）]?\s*(?:稿件来源|来源|作者|编辑|责任编辑|发布者|出处)\s*[:：]",
    rf"^(?:稿件来源|来源|出处)\s*[:：].{{0,40}}{_DATE}\s*$",
    r"^(?:aufrufe|zugriffe|gelesen|visitas|lecturas|vues|visualizzazioni|wyświetlenia)\s*[:：]?\s*[\d.,]+(?:\s*mal)?$",
    r"^(?:comments?|kommentare|commentaires|comentarios|commenti|komentarze)(?:\s+(?:insgesamt|total|gesamt))?\s*[:：]\s*\d+$",
    r"^\d{1,2}:\d{2}(?:\s*(?:[ap]\.?\s?m\.?|uhr|h))?$",  # a bare time of day
)
PREV_NEXT_LINE_PATTERNS = (
    r"^(?:pre|prev|previous|next|previous\s+(?:post|article|news|page|item)|next\s+(?:post|article|news|page|item)|older\s+post|newer\s+post)\s*[:：]",
    r"^(?:上一篇|下一篇|上一条|下一条|上一页|下一页|上篇|下篇|上一则|下一则)\s*[:：]?",
    r"^(?:«|‹|←)\s*(?:previous|prev|older)\b|\b(?:next|newer)\s*(?:»|›|→)\s*$",
)
BREADCRUMB_LINE_PATTERNS = (
    r"^(?:home|homepage|首页|主页|网站首页)\s*(?:>|»|/|›|→|＞|>>)",
    r"^(?:you are here|current location|your location|location|当前位置|您的位置|你的位置|您现在的位置|所在位置)\s*[:：]",
)
SHARE_LINE_PATTERNS = (
    r"^(?:share(?:\s+(?:this|on|via|article|post|the article))?|分享到?|分享至)\s*[:：]?\s*(?:$|facebook|twitter|linkedin|微信|微博|qq)",
    r"^(?:(?:facebook|twitter|linkedin|pinterest|whatsapp|email|e-mail|print|reddit|tumblr|telegram|x|微信|微博|qq空间|豆瓣)[\s|,/·]*){2,}$",
    r"^(?:tweet|like|print|email this|pin it|print this page|permalink|permalien|打印|关闭窗口|打印本页|关闭)$",
)
READ_MORE_LINE_PATTERNS = (
    r"^(?:read more|read also|see also|also read|related|more|related (?:articles?|posts?|news|stories)|recommended|更多|相关(?:文章|新闻|阅读|链接)|推荐阅读|延伸阅读)\s*[:：]\s*\S",
    r"^(?:read more|read the full (?:article|story)|continue reading|more\s*(?:»|>>|›)|查看更多|阅读全文|更多\s*>>?|"
    r"weiterlesen|mehr lesen|lire la suite|leer más|seguir leyendo|leia mais|continua a leggere|czytaj (?:dalej|więcej))\s*[.…»>›]*$",
    r"^(?:related|see also|read more|read also|also read|lesen sie auch|lire aussi|ver también)\s*[:：]\s*$",
)
WIDGET_LINE_PATTERNS = (
    r"^(?:loading|wird geladen|cargando|chargement|caricamento|加载中)(?:\b.{0,60})?(?:\.\.\.|…)$",
    r"^(?:download|herunterladen|descargar|télécharger|下载)(?: (?:pdf|as pdf|the pdf|article|file|now))?$",
    r"^(?:article )?pdf has been downloaded$",
    r"^(?:pdf|download pdf|pdf herunterladen|pdf-download)$",
    r"^(?:dieses|diesen|den|das|this) .{1,30} (?:als|as) pdf (?:herunterladen|downloaden|download)$",
    r"^(?:bild|bilder|foto|image|photo|picture)s? (?:anzeigen|zeigen|ansehen|ausblenden)$|^(?:show|view) (?:image|photo|picture)s?$",
    r"^(?:externer inhalt|external content|contenido externo|contenu externe|contenuto esterno)$",
    # placeholders of blocked embeds (consent managers)
    r"^(?:klicken sie|klicke) auf (?:den|die|das) .{0,40}(?:button|schaltfläche)\b.{0,80}(?:laden|anzuzeigen|entsperren)",
    r"^click (?:on )?the .{0,30}button .{0,80}(?:load|show|unblock)",
    r"^wir respektieren (?:deine|ihre) privatsphäre\b",
)
CONSENT_LINE_PATTERNS = (
    r"\b(?:we|this (?:web)?site) uses? cookies\b",
    r"^(?:accept|allow|reject|manage) (?:all )?cookies\b",
    r"^(?:subscribe|sign up|join) (?:to|for) (?:our|the) newsletter",
    r"^(?:enter your e-?mail|your e-?mail address)\b",
    r"\b(?:subscribe to|sign up (?:to|for)|signing up (?:to|for)|abonnieren sie|abonniere|suscr[ií]bete a|"
    r"suscribirse (?:aquí )?a|abonnez-vous à|iscriviti alla) (?:our|unseren?|unsere|nuestra|nuestro|notre|la nostra) .{0,30}newsletter",
)
COPYRIGHT_LINE_PATTERNS = (
    r"^(?:copyright\s*(?:©|\(c\)|&copy;)?\s*(?:\d{4}|[:：])|copyright\s*(?:©|\(c\))|©\s*\d{4}|\(c\)\s*\d{4}|版权所有|版权\s*[:：©])",
    r"all rights reserved",
    r"ICP[备证]\s*[\d\-号]+",
    r"公网安备\s*\d+",
    r"^powered by\s+\S+\s*$",
    r"^技术支持\s*[:：]",
    r"\b(?:cc-by|cc by|creative commons)(?:[- ](?:sa|nd|nc))*\b",  # licence notes
    # a footer link row: "Impressum | Datenschutz | Copyright ..."
    r"\b(?:impressum|datenschutz(?:erklärung)?|imprint|privacy policy|mentions légales|aviso legal)\b(?=[^|]{0,40}\|)|"
    r"\|\s*(?:impressum|datenschutz(?:erklärung)?|imprint|privacy policy|mentions légales|aviso legal)\b",
)

CREDIT_LINE_PATTERNS = (
    r"^(?:photo|photos|foto|fotos|bild|bilder|image|images|imagen|imagem|immagine|zdjęcie|"
    r"fot\.|credit|credits|photo credit|image credit|bildquelle|fotoquelle|图片来源|图片|摄影)\s*[:：]",
    r"^\((?:photo|foto|image|bild)\s*[:：]",
    r"^(?:źródło|quelle|fuente|fonte)\s*[:：]\s*[^.!?]{0,50}$",  # a source label: "Quelle: dpa"
    r"^(?:titelbild|beitragsbild|headerbild|vorschaubild|bildnachweis|crédits? photos?|photo credits?|credit)(?:\s*[:：].{0,60})?\s*$",
    r"^(?:photograph|photo|picture|image|foto|fotos|bild) (?:by|von|de|di|par)\b.{0,80}$",
    r"^.{0,80}(?:/|\(|©\s*)\s*(?:getty images|afp|dpa|ap photo|imago(?: images)?|shutterstock|istock(?:photo)?|"
    r"picture alliance|reuters|epa)\s*\)?\s*$",
    r"(?:\||\s)©\s*[\w .,/&'’-]{2,50}\)?$",  # caption ending in "| © Agency"
    r"[.!?]\s+(?:foto|photo|fotografía|imagen|bild|crédito|credit)\s*[:：]\s*[\w .,/&'’-]{2,40}$",
    r"^(?:abbildung|abb\.|fig\.|figure|grafik)\s*\d+[a-z]?\s*[:：.]|^abbildung\s*[:：]",
)
_MONTH = (r"(?:jan|feb|mär|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez|dec|janv|févr|avr|"
          r"juil|déc|ene|abr|ago|dic|sty|lut|kwi|maj|cze|lip|sie|wrz|paź|lis|gru)[a-zäéû]*\.?")
DATELINE_LINE_PATTERNS = (
    r"^(?:der|dieser) (?:beitrag|artikel|eintrag) wurde am\b.{0,120}$",
    r"^(?:release date|erscheinungsdatum|publication date|fecha de publicación)\s*[:：]\s*$",
    # "Aktualisiert: 11.04.2020, 10:27", "Updated on 2021-07-17", "Letzte Änderung 14.02.2019"
    r"^(?:aktualisiert|publiziert|veröffentlicht|erstellt|stand|letzte änderung|zuletzt aktualisiert|"
    r"updated|published|posted|last (?:updated|modified|changed)|actualizado|publicado|mis à jour|"
    r"publié|pubblicato|aggiornato|opublikowano|zaktualizowano)\b\s*(?:am|on|le|el|il|at)?\s*[:：]?\s*"
    r"(?:\w+,?\s+)?(?:den\s+)?[\d.,/: -]*(?:" + _MONTH + r")?[\d.,/: -]*(?:uhr|am|pm)?\s*$",
    # bare dates: "11 Jan 2019", "03.04.2020, 12:35", "March 3, 2021"
    r"^\d{1,2}\.?\s+" + _MONTH + r"\s+\d{4}(?:,?\s+\d{1,2}:\d{2}(?:\s*uhr)?)?$",
    r"^" + _MONTH + r"\s+\d{1,2},?\s+\d{4}$",
    r"^\d{1,2}[./]\d{1,2}[./]\d{2,4}(?:,?\s+\d{1,2}:\d{2}(?:\s*uhr)?)?$",
)
BYLINE_LINE_PATTERNS = (
    # "By Jane Doe", "Von Max Mustermann | 3. März 2021", "Par Jean Dupont, le 12 mai"
    r"^(?:by|von|par|por|di|door|przez|av|af)\s+(?-i:[A-ZÀ-Ý][\w.'’-]*(?:\s+(?:and|und|et|y|e|&)?\s*[A-ZÀ-Ý][\w.'’-]*){0,3})\s*(?:[,|·•⋅–-].{0,80})?(?<![.!?])$",
    r"^(?:written by|posted by|published by|author|autor|auteur|autore|verfasst von|geschrieben von|texto|text|autorin|autora|autrice)\b\s*[:：]?\s*\S.{0,60}$",
)
READING_TIME_LINE_PATTERNS = (
    # "7 min read", "Est. 7 min reading time", "The Spotter Team - 7 min read"
    r"^(?:.{0,60}?\s[-–|·•]\s*)?(?:est\.?\s*)?\d{1,3}\s*(?:min|mins|minutes?)\.?\s*"
    r"(?:read|reading(?:\s+time)?)\s*$",
    # "Reading time: 5 minutes", "Lesezeit: ca. 4 Minuten"
    r"^(?:reading time|read time|lesezeit|lesedauer|temps de lecture|tiempo de lectura|tempo di lettura)"
    r"\s*[:：]?\s*(?:ca\.\s*)?\d{1,3}\s*(?:min|mins|minutes?|minuten|minutos|minuti)\.?\s*$",
)
FOLLOW_LINE_PATTERNS = (
    r"^follow (?:us|@\w+|.{1,40}) on (?:twitter|facebook|instagram|linkedin|tiktok|youtube|telegram)\b",
    r"^(?:follow us|s[ií]guenos|folge uns|folgen sie uns|suivez-nous|seguici|obserwuj nas|segue-nos)\b.{0,80}$",
)
AD_LABEL_LINE_PATTERNS = (
    r"^[*\-–\s]*(?:anzeige|werbung|reklama|advertisement|advertising|publicidad|publicité|pubblicità|"
    r"sponsored|sponsored content|广告)\s*[:：.\-–]?\s*$",
    r"^\*?(?:werbung|anzeige)\s*[:.,\-–]",
    r"^(?:subscribe now|subscribe to (?:read|continue|our)|to (?:view|read) the full story, please subscribe|"
    r"already a subscriber\b|sign in to continue|log in to continue)",
    r"\balready a subscriber\b",
    r"^hazte (?:miembro|socio|suscriptor)\b",
    # app and support appeals
    r"^(?:for the latest (?:news|stories|updates)|never miss (?:the latest|a story|an update)|"
    r"get the latest news|get our app|download (?:the|our) .{0,30}apps?\b)",
    r"^(?:if you (?:enjoyed|liked|appreciate) (?:reading )?(?:this|our) (?:post|article|work|journalism).{0,40}\b(?:support|donat)|"
    r"(?:please )?(?:consider )?support(?:ing)? (?:our|independent) journalism|unterstütze(?:n sie)? .{1,30} (?:mit|jetzt|bereits)\b)",
    r"\bnetiquette\b",
    r"^(?:para comentar|to (?:post a )?comment|um (?:zu )?kommentieren|pour commenter|per commentare)\b.{0,80}"
    r"\b(?:regist|log|inicia|anmeld|connect|accedi)",
    r"\b(?:nuestro canal de|our|unseren?|notre chaîne) (?:youtube|telegram|whatsapp)(?:[- ]?(?:channel|kanal))?\b",
    r"\b(?:support us|unterstütze uns|unterstützen sie uns|wesprzyj nas|apóyanos|soutenez-nous)\b",
)

_LABEL_END = r"\s*[:：?!.…»›]*\s*$"
# Section labels standing alone on a line: share prompts, "related / more" teasers, tables of
# contents, author-box, comment and tag headers, source and picture-credit labels.
SECTION_LABEL_LINE_PATTERNS = (
    r"^(?:(?:diesen |den )?(?:artikel|beitrag|seite) (?:mit [\w ]{1,20} )?(?:teilen|empfehlen)(?:\s*/\s*diskutieren)?(?: mit .{1,20})?|"
    r"(?:mit freunden|jetzt|artikel) teilen|(?:möchten sie|willst du) (?:den|diesen) (?:artikel|beitrag) teilen|"
    r"share (?:this|the) (?:article|story|post|page)|partager (?:cet|l')article|compartir (?:esta noticia|este artículo|en))"
    + _LABEL_END,
    r"^(?:schon gelesen|zum weiterlesen|lust auf mehr|meist(?:gelesene|diskutierte|geklickte|kommentierte)n?(?: artikel| beiträge| news)?|"
    r"top[- ]?themen(?: der redaktion)?|weitere (?:aktuelle |interessante )?(?:themen|artikel|beiträge|infos|links|tipps|tourentipps|"
    r"nachrichten|news)(?: zum thema| (?:aus|zu|von|der|im) .{1,40})?|mehr (?:kolumnen|artikel|beiträge|news) (?:auf|von|aus|zu) .{1,40}|"
    r"mehr zum thema (?:auf|bei|von) .{1,30}|empfehlungen (?:aus|der) .{1,40}|czytaj (?:też|także|również)|zobacz (?:też|także|również)|"
    r"en savoir plus|à lire (?:aussi|également)|lea también|leia também|mira también|te recomendamos|más noticias|"
    r"more from .{1,40}|popular (?:now|today|stories)|don'?t miss|most (?:read|popular|viewed)(?: articles| stories)?)"
    + _LABEL_END,
    r"^(?:inhaltsverzeichnis|table of contents|índice|sommaire|spis treści|über (?:den|die) autor(?:in)?|"
    r"sobre el autor|à propos de l'auteur|keine kommentare|no comments(?: yet)?|(?:view|show) comments|kommentare anzeigen|"
    r"tagged|schlagwörter|themen|temas|etiquetas|mots-clés|tagi|quellen(?:angaben)?|quellen (?:anzeigen|ausblenden)|"
    r"zusatzinformationen|weiterführende(?:r)? links?|rezept drucken|print (?:this )?recipe|lade weitere inhalte|"
    r"mehr laden|load more|mostrar más|cargar más)" + _LABEL_END,
)

# Ordered groups: (reason, patterns). First match wins; the reason is what a debug log shows.
LINE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("contact", CONTACT_LINE_PATTERNS),
    ("city_list", CITY_LIST_PATTERNS),
    ("counter", COUNTER_LINE_PATTERNS),
    ("prev_next", PREV_NEXT_LINE_PATTERNS),
    ("breadcrumb", BREADCRUMB_LINE_PATTERNS),
    ("share", SHARE_LINE_PATTERNS),
    ("read_more", READ_MORE_LINE_PATTERNS),
    ("consent", CONSENT_LINE_PATTERNS),
    ("copyright", COPYRIGHT_LINE_PATTERNS),
    ("credit", CREDIT_LINE_PATTERNS),
    ("follow", FOLLOW_LINE_PATTERNS),
    ("byline", BYLINE_LINE_PATTERNS),
    ("dateline", DATELINE_LINE_PATTERNS),
    ("reading_time", READING_TIME_LINE_PATTERNS),
    ("widget", WIDGET_LINE_PATTERNS),
    ("ad_label", AD_LABEL_LINE_PATTERNS),
    ("section_label", SECTION_LABEL_LINE_PATTERNS),
)


def compile_rule_groups(groups: tuple[tuple[str, tuple[str, ...]], ...],
                        anchored: bool) -> re.Pattern[str]:
    """One regex of every pattern that starts with '^' (anchored=True, used with .match) or of
    every other pattern (used with .search); named groups carry the rule's reason.

    >>> compile_rule_groups((("x", ("^a", "b")),), anchored=True).match("ab").lastgroup
    'x'
    """
    parts = []
    for reason, patterns in groups:
        chosen = [p[1:] if anchored else p for p in patterns if p.startswith("^") == anchored]
        if chosen:
            parts.append(f"(?P<{reason}>{'|'.join(f'(?:{p})' for p in chosen)})")
    return re.compile("|".join(parts) or "(?!)", re.IGNORECASE)


@lru_cache(maxsize=2)
def full_rule_regex(anchored: bool) -> re.Pattern[str]:
    """Every line rule in one regex (anchored ones for .match at the line start, the rest for
    .search; order kept per kind): the reference that cleaning.lines' narrowed matching must
    agree with (tests/test_rules.py). Built on demand: cleaning never needs it (~20 ms).

    >>> full_rule_regex(True).match("Tel: +86-17091920596").lastgroup
    'contact'
    """
    return compile_rule_groups(LINE_RULES, anchored=anchored)


# Every unanchored pattern contains one of these (lower-cased) words: lines without any of them
# skip the (slower) search. tests/test_rules.py checks the list stays complete.
ANYWHERE_KEYWORDS = ("click", "views", "hits", "点击", "浏览", "阅读", "人气", "cookies",
                     "rights reserved", "icp", "公网安备", "newsletter", "subscriber", "netiquette",
                     "youtube", "telegram", "whatsapp", "support us", "unterstütze", "wesprzyj",
                     "apóyanos", "soutenez", "cc-by", "cc by", "creative commons",
                     "©", "foto", "photo", "imagen", "bild", "crédito", "credit", "comment",
                     "kommentar", "commentaire", "comentario", "categor", "kategor", "impressum",
                     "datenschutz", "imprint", "privacy policy", "mentions légales", "aviso legal")
# (the credit pattern ending in an agency name is anchored with '^.{0,80}', so it is a "start"
# pattern and needs no keyword)


def keyword_rule_groups(groups: tuple[tuple[str, tuple[str, ...]], ...],
                        keywords: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(keyword, regex of the unanchored patterns whose text holds the keyword) per keyword: a
    line is searched only with the patterns of the keywords it contains, not with all of them.

    >>> [(w, r.search("x views").lastgroup) for w, r in keyword_rule_groups(
    ...     (("counter", ("views", "^a")),), ("views", "hits"))]
    [('views', 'counter')]
    """
    out = []
    for word in keywords:
        chosen = tuple((reason, tuple(p for p in patterns
                                      if not p.startswith("^") and word in p.lower()))
                       for reason, patterns in groups)
        chosen = tuple((reason, patterns) for reason, patterns in chosen if patterns)
        if chosen:
            out.append((word, compile_rule_groups(chosen, anchored=False)))
    return tuple(out)


ANYWHERE_RULES = keyword_rule_groups(LINE_RULES, ANYWHERE_KEYWORDS)

# ---------------------------------------------------------------------------
# Block-level markers
# ---------------------------------------------------------------------------

TRAILER = r"\s*[:：]?\s*$"  # how every end-marker pattern ends...
LOOSE_TRAILER = r"\s*[:：!.…»›>]*\s*$"  # ...and what is accepted there ("Lies auch!", "More »")
# A short heading/line like these after the article body ends it: everything after is cut.
END_MARKER_PATTERNS = (
    r"^(?:related|related (?:articles?|posts?|news|stories|content|topics|reading|links)|"
    r"read (?:more|next|also)|more (?:from|on|in|about|stories|news|articles|like this)|"
    r"you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|recommended(?: for you| reading| articles| stories)?|"
    r"see also|also (?:read|on)|further reading|latest (?:news|posts|articles|stories)|"
    r"popular (?:posts|articles|stories)|most (?:read|popular|viewed)|trending(?: now)?|"
    r"(?:\d+\s+)?comments?|leave a (?:comment|reply)|post a comment|join the discussion|"
    r"share (?:this|the) (?:article|post|story|page)|share this|about the author|"
    r"sign up for our newsletter|subscribe to our newsletter|newsletter|tags|filed under|"
    r"references|footnotes|bibliography|works cited|external links|explore further|"
    r"disclaimers?(?: (?:&|and) disclosures?)?|"
    r"reviewed by|about the authors?|about the reviewer|"
    r"more (?:on|about) this (?:topic|story)|recommended stories|related coverage|"
    r"相关(?:文章|新闻|阅读|推荐|产品|链接)|推荐阅读|延伸阅读|热门(?:文章|新闻|推荐)|最新(?:文章|新闻|资讯)|"
    r"猜你喜欢|网友评论|发表评论|评论|相关资讯|更多新闻)\s*[:：]?\s*$",
    # German, French, Spanish, Portuguese, Italian, Polish, Dutch
    r"^(?:auch interessant|das könnte sie (?:auch )?interessieren|lesen sie auch|mehr zum thema|"
    r"weitere artikel|weiterführende (?:informationen|links)|ähnliche (?:artikel|beiträge)|"
    r"verwandte (?:artikel|themen|beiträge)|kommentare|sie könnten auch an folgenden artikeln interessiert sein|"
    r"vorschau auf den nächsten artikel|mehr (?:kolumnen|artikel|zum thema)|"
    r"à lire aussi|lire aussi|voir aussi|sur le même sujet|articles? similaires?|commentaires|"
    r"notas relacionadas|contenido relacionado|noticias relacionadas|te puede interesar|"
    r"también te puede interesar|lee también|video recomendado|comentarios|"
    r"leia também|veja também|notícias relacionadas|leggi anche|articoli correlati|commenti|"
    r"zobacz (?:także|też|również)|czytaj (?:także|też|również)|polecamy|komentarze|"
    r"lees ook|gerelateerde artikelen|reacties|mehr themen|lies auch|weitere themen|neueste artikel|"
    r"weiterlesen|schlagworte|themen|à découvrir|más sobre .{1,40}|mehr zu .{1,40}|"
    r"lesen sie auch(?: die folgenden beiträge)?|das könnte dich (?:auch )?interessieren|"
    r"weitere (?:beiträge|meldungen|nachrichten|pressemitteilungen.{0,40})|"
    r"newsletter abonnieren|jetzt teilen|artikel teilen|beitrag teilen|seite teilen)\s*[:：]?\s*$",
)
END_MARKER_RE = re.compile(
    "|".join(f"(?:{p.replace(TRAILER, LOOSE_TRAILER)})" for p in END_MARKER_PATTERNS),
    re.IGNORECASE)

# End markers after which nothing of the article follows (the others start an inset section
# that is skipped until prose resumes). Each also matches END_MARKER_RE (tested).
HARD_END_MARKER_RE = re.compile(
    r"^(?:(?:\d+\s+)?comments?|leave a (?:comment|reply)|post a comment|join the discussion|"
    r"about the authors?|about the reviewer|reviewed by|references|footnotes|bibliography|works cited|"
    r"disclaimers?(?: (?:&|and) disclosures?)?|tags|filed under|schlagworte|kommentare|commentaires|"
    r"comentarios|commenti|komentarze|reacties|网友评论|发表评论|评论)" + LOOSE_TRAILER,
    re.IGNORECASE)

# A "read more" *link* (a teaser's button) is not a section heading: it starts no related
# section (a listicle's items often end with one), it is just dropped as a link block.
READ_MORE_BUTTON_RE = re.compile(
    r"^(?:read more|read the full (?:article|story|post)|continue reading|weiterlesen|mehr lesen|"
    r"lire la suite|leer más|seguir leyendo|leia mais|continua a leggere|czytaj dalej|lees meer|"
    r"阅读全文|查看更多)" + LOOSE_TRAILER, re.IGNORECASE)

# Soft error pages (HTTP 200 with a "not found" body).
ERROR_PAGE_PATTERNS = (
    r"\b(?:page not found|not found|no longer available|doesn'?t exist|does not exist|"
    r"couldn'?t find|could not find|cannot be found|can'?t be found|"
    r"page (?:you|you're|you are) (?:looking for|requested))\b",
    # a 404 only as a status: alone, "Error 404", "404 - ..." ("Peugeot 404", "404 people" stay)
    r"(?:^\s*|\berror\s*)404(?:\s*$|\s*[-–—:|!.]|\s+(?:error|page|not)\b|\s*错误)",
    r"页面不存在|找不到(?:该|此)?页面|页面未找到",
)
ERROR_PAGE_RE = re.compile("|".join(ERROR_PAGE_PATTERNS), re.IGNORECASE)

# Labels that introduce a previous/next article link (text just before or inside the <a>).
PREV_LABEL_RE = re.compile(
    r"(?:^|\s)(?:pre|prev|previous|previous\s+(?:post|article|news|item)|older\s+post|上一篇|上一条|上篇|上一则)\s*[:：]?\s*$",
    re.IGNORECASE)
NEXT_LABEL_RE = re.compile(
    r"(?:^|\s)(?:next|next\s+(?:post|article|news|item)|newer\s+post|下一篇|下一条|下篇|下一则)\s*[:：]?\s*$",
    re.IGNORECASE)
PREV_IN_LINK_RE = re.compile(
    r"^\s*(?:pre|prev|previous|上一篇|上一条|上篇)\s*[:：]\s*(?P<title>.+)$", re.IGNORECASE)
NEXT_IN_LINK_RE = re.compile(
    r"^\s*(?:next|下一篇|下一条|下篇)\s*[:：]\s*(?P<title>.+)$", re.IGNORECASE)
# Words that every text the four regexes above match holds once lower-cased (re.IGNORECASE maps
# no non-ASCII character to their letters, str.lower() none to them): a text holding none is not
# tested with the regexes. tests/test_rules.py checks it.
PREV_NEXT_WORDS = ("pre", "next", "older", "newer", "上", "下")
PREV_NEXT_WORD_RE = re.compile("|".join(PREV_NEXT_WORDS))  # on lower-cased text (faster than re.I)
# Substrings that any prev/next label text contains (English labels need their colon): only
# text nodes holding one are inspected (one XPath in C instead of a look at every link).
PREV_NEXT_KEYWORDS = (":", "：", "上一", "下一", "上篇", "下篇")
LABEL_HINT_RE = re.compile("|".join(re.escape(k) for k in PREV_NEXT_KEYWORDS))
# Placeholders meaning "there is no neighbour".
NO_NEIGHBOUR_TITLES = frozenset({"none", "no more", "no", "没有了", "无", "没有了!", "没有了！",
                                 "暂无", "n/a", ""})
