"""Site configs: ``sites/<name>.yaml`` read, validated and frozen before anything is fetched.

Every key is declared once in ``SECTIONS`` (dotted path -> converter), so the
validator, the error messages and ``sites/README.md`` agree. A problem raises
``SiteConfigError(file, key, reason)``; its text names all three, e.g.::

    sites/acme.yaml: limits.max_pages: expected a whole number >= 1, got 'lots'
    sites/acme.yaml: start_url: unknown key (did you mean 'start_urls'?)

The CLI maps it to exit code 2. ``site_config_from_url`` builds the config of a
bare ``gleaner crawl URL`` run with the same defaults.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml
from cssselect import GenericTranslator, SelectorError

from crawler.health import HealthThresholds
from crawler.urls import fold_host, is_same_site, matches_any

if TYPE_CHECKING:  # imported when used: validating a config must not need the cleaner loaded
    from cleaning.types import CleaningConfig


class SiteConfigError(ValueError):
    """A site config that cannot be used: which file, which key (dotted path), why."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        self.file, self.key, self.reason = str(file), key, reason
        super().__init__(f"{self.file}: {key}: {reason}" if key else f"{self.file}: {reason}")


@dataclass(frozen=True, slots=True)
class Limits:
    """How far one run may go (None: no limit)."""

    max_pages: int | None = None  # responses per run (Scrapy CLOSESPIDER_PAGECOUNT)
    max_depth: int | None = None  # link hops from a start URL (Scrapy DEPTH_LIMIT)


@dataclass(frozen=True, slots=True)
class Politeness:
    """Per-site overrides of the crawl's politeness settings (None: project default)."""

    download_delay: float | None = None  # seconds between requests to one host
    concurrency_per_domain: int | None = None  # parallel requests to one host
    autothrottle_target: float | None = None  # AutoThrottle target concurrency (turns it on)
    user_agent_suffix: str = ""  # appended to the project's User-Agent, e.g. a contact address


@dataclass(frozen=True, slots=True)
class CleaningAdditions:
    """Per-site additions to the cleaning rules."""

    drop_selectors: tuple[str, ...] = ()  # CSS selectors removed before extraction
    drop_line_patterns: tuple[str, ...] = ()  # regexes: matching text lines are dropped


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """One site's crawl settings, validated (see sites/README.md for every key)."""

    name: str
    source: str = ""  # the file it came from, or the URL of a bare-URL run
    enabled: bool = True
    start_urls: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()  # defaults to the hosts of the URLs above
    allow: tuple[re.Pattern[str], ...] = ()  # follow only URLs matching one (when given)
    deny: tuple[re.Pattern[str], ...] = ()  # never follow URLs matching one
    article_patterns: tuple[re.Pattern[str], ...] = ()  # URLs that are articles (when given)
    limits: Limits = field(default_factory=Limits)
    politeness: Politeness = field(default_factory=Politeness)
    cleaning: CleaningAdditions = field(default_factory=CleaningAdditions)
    health: HealthThresholds = field(default_factory=HealthThresholds)

    def allows(self, url: str) -> bool:
        """True when the crawl may follow ``url``: same site, not denied, allowed."""
        if not is_same_site(url, self.allowed_hosts) or matches_any(url, self.deny):
            return False
        return not self.allow or matches_any(url, self.allow)

    def is_article_url(self, url: str) -> bool | None:
        """True/False by ``article_patterns``; None when the site gives none (let cleaning judge)."""
        if not self.article_patterns:
            return None
        return matches_any(url, self.article_patterns)

    def cleaning_config(self, base: CleaningConfig | None = None) -> CleaningConfig:
        """The CleaningConfig for this site: ``base`` plus the site's drop rules."""
        import dataclasses

        from cleaning.types import CleaningConfig

        base = base or CleaningConfig()
        return dataclasses.replace(
            base,
            extra_drop_selectors=base.extra_drop_selectors + self.cleaning.drop_selectors,
            extra_drop_line_patterns=(base.extra_drop_line_patterns
                                      + self.cleaning.drop_line_patterns))

    def scrapy_settings(self, base_user_agent: str | None = None) -> dict[str, Any]:
        """Scrapy settings this site overrides (only the ones it sets)."""
        out: dict[str, Any] = {}
        p, lim = self.politeness, self.limits
        if p.download_delay is not None:
            out["DOWNLOAD_DELAY"] = p.download_delay
        if p.concurrency_per_domain is not None:
            out["CONCURRENT_REQUESTS_PER_DOMAIN"] = p.concurrency_per_domain
            # the engine hands the downloader no more than it may fetch at once, so no
            # requests wait in a slot's delay queue (a max_pages stop would fetch them all)
            out["CONCURRENT_REQUESTS"] = p.concurrency_per_domain * max(1, len(self.allowed_hosts))
        if p.autothrottle_target is not None:
            out["AUTOTHROTTLE_ENABLED"] = True
            out["AUTOTHROTTLE_TARGET_CONCURRENCY"] = p.autothrottle_target
        if p.user_agent_suffix and base_user_agent:
            out["USER_AGENT"] = f"{base_user_agent} {p.user_agent_suffix}"
        if lim.max_pages is not None:
            out["CLOSESPIDER_PAGECOUNT"] = lim.max_pages
        if lim.max_depth is not None:
            out["DEPTH_LIMIT"] = lim.max_depth
        return out

    def download_slots(self) -> dict[str, dict[str, float | int]]:
        """Per-host politeness for Scrapy's ``DOWNLOAD_SLOTS`` (several sites in one process)."""
        slot: dict[str, float | int] = {}
        if self.politeness.download_delay is not None:
            slot["delay"] = self.politeness.download_delay
        if self.politeness.concurrency_per_domain is not None:
            slot["concurrency"] = self.politeness.concurrency_per_domain
        if not slot:
            return {}
        bare = {fold_host(host.rsplit(":", 1)[0] if ":" in host else host)
                for host in self.allowed_hosts}  # slots are keyed by host name, no port
        hosts = {h for host in bare for h in (host, f"www.{host}")}
        return {h: dict(slot) for h in sorted(hosts)}


# --- converters: value -> clean value, or raise Invalid(reason) ------------------------------

class Invalid(ValueError):
    """Raised by a converter; the loader adds the file and key."""


Converter = Callable[[Any], Any]
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
HOST_RE = re.compile(r"^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*"
                     r"[a-z0-9_])?)*(?::\d{1,5})?$")
PERCENT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def describe(value: Any) -> str:
    """Short description of a wrong value for an error message.

    >>> describe("lots"), describe([1, 2]), describe(None)
    ("'lots'", 'a list', 'nothing')
    """
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def to_bool(value: Any) -> bool:
    """YAML true/false only.

    >>> to_bool(False)
    False
    """
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {describe(value)}")
    return value


def to_text(value: Any) -> str:
    """A one-line string.

    >>> to_text(" contact: ops@example.com ")
    'contact: ops@example.com'
    """
    if not isinstance(value, str):
        raise Invalid(f"expected text, got {describe(value)}")
    if "\n" in value or "\r" in value:
        raise Invalid("expected one line of text")
    return value.strip()


def to_name(value: Any) -> str:
    """A site name usable as a file name: lower-case letters, digits, '.', '_', '-'.

    >>> to_name("acme-news")
    'acme-news'
    """
    if not isinstance(value, str) or not NAME_RE.match(value):
        raise Invalid("expected a name of lower-case letters, digits, '.', '_' or '-' "
                      f"(at most 64, starting with a letter or digit), got {describe(value)}")
    return value


def whole_number(minimum: int) -> Converter:
    """Converter for an int >= minimum (YAML booleans refused).

    >>> whole_number(1)(5)
    5
    """
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise Invalid(f"expected a whole number >= {minimum}, got {describe(value)}")
        return value
    return convert


def number(minimum: float, *, exclusive: bool = False) -> Converter:
    """Converter for a float >= minimum (> when exclusive).

    >>> number(0.0)(2)
    2.0
    """
    def convert(value: Any) -> float:
        ok = (isinstance(value, int | float) and not isinstance(value, bool)
              and (value > minimum if exclusive else value >= minimum))
        if not ok:
            sign = ">" if exclusive else ">="
            raise Invalid(f"expected a number {sign} {minimum:g}, got {describe(value)}")
        return float(value)
    return convert


def to_fraction(value: Any) -> float:
    """A share between 0 and 1, written 0.25 or '25%'.

    >>> to_fraction("25%"), to_fraction(0.5), to_fraction(1)
    (0.25, 0.5, 1.0)
    """
    if isinstance(value, str) and (m := PERCENT_RE.match(value)):
        value = float(m.group(1)) / 100
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise Invalid(f"expected a share between 0 and 1 (or 0% to 100%), got {describe(value)}")
    return float(value)


def optional(convert: Converter) -> Converter:
    """Let ``null`` (YAML ``~``) through as None: the check or limit is off."""
    def convert_optional(value: Any) -> Any:
        return None if value is None else convert(value)
    return convert_optional


def to_url(value: Any) -> str:
    """An absolute http(s) URL with a host.

    >>> to_url("https://example.com/news/")
    'https://example.com/news/'
    """
    if not isinstance(value, str):
        raise Invalid(f"expected a URL, got {describe(value)}")
    url = value.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError on a bad port
    except ValueError as exc:
        raise Invalid(f"bad URL {url!r}: {exc}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise Invalid(f"bad URL {url!r}: expected an http:// or https:// URL")
    if not parts.hostname:
        raise Invalid(f"bad URL {url!r}: no host")
    if any(ch.isspace() for ch in url):
        raise Invalid(f"bad URL {url!r}: contains white space")
    return url


def to_host(value: Any) -> str:
    """A host name (optionally with a port), lower-cased; IDN hosts become punycode.

    >>> to_host("News.Example.COM"), to_host("127.0.0.1:8080")
    ('news.example.com', '127.0.0.1:8080')
    """
    if not isinstance(value, str):
        raise Invalid(f"expected a host name, got {describe(value)}")
    host = value.strip().lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    if not HOST_RE.match(host):
        raise Invalid(f"bad host {value!r}: expected a name like news.example.com "
                      "(no scheme, no path)")
    return host


def to_regex(value: Any) -> re.Pattern[str]:
    """A compiled regular expression (Python syntax, searched anywhere in the URL).

    >>> to_regex(r"/news/\\d+").pattern
    '/news/\\\\d+'
    """
    if not isinstance(value, str) or not value:
        raise Invalid(f"expected a regular expression, got {describe(value)}")
    try:
        return re.compile(value)
    except re.error as exc:
        raise Invalid(f"bad regex {value!r}: {exc}") from None


def to_line_regex(value: Any) -> str:
    """A regex for cleaning (kept as text: CleaningConfig takes strings).

    >>> to_line_regex("^Source:")
    '^Source:'
    """
    return to_regex(value).pattern


_CSS = GenericTranslator()


def to_selector(value: Any) -> str:
    """A CSS selector that cssselect (what cleaning uses) can translate.

    >>> to_selector("div.share-bar, #related")
    'div.share-bar, #related'
    """
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"expected a CSS selector, got {describe(value)}")
    try:
        _CSS.css_to_xpath(value)
    except SelectorError as exc:
        raise Invalid(f"bad CSS selector {value!r}: {exc}") from None
    return value.strip()


def list_of(convert: Converter) -> Converter:
    """A YAML list whose items each go through ``convert``. The section walker calls
    ``convert_list`` with ``item_converter`` instead, to name a failing item as ``key[i]``.

    >>> list_of(str.upper)(["a", "b"])
    ('A', 'B')
    """
    def convert_items(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise Invalid(f"expected a list, got {describe(value)}")
        return tuple(convert(item) for item in value)
    convert_items.item_converter = convert  # type: ignore[attr-defined]
    return convert_items


# --- the declared keys (dotted path -> converter); a section maps to None ----------------------

SECTIONS: dict[str, tuple[tuple[str, Converter | None], ...]] = {
    "": (
        ("name", to_name),
        ("enabled", to_bool),
        ("start_urls", list_of(to_url)),
        ("sitemaps", list_of(to_url)),
        ("feeds", list_of(to_url)),
        ("allowed_hosts", list_of(to_host)),
        ("allow", list_of(to_regex)),
        ("deny", list_of(to_regex)),
        ("article_patterns", list_of(to_regex)),
        ("limits", None),
        ("politeness", None),
        ("cleaning", None),
        ("health", None),
    ),
    "limits": (
        ("max_pages", optional(whole_number(1))),
        ("max_depth", optional(whole_number(0))),
    ),
    "politeness": (
        ("download_delay", optional(number(0.0))),
        ("concurrency_per_domain", optional(whole_number(1))),
        ("autothrottle_target", optional(number(0.0, exclusive=True))),
        ("user_agent_suffix", to_text),
    ),
    "cleaning": (
        ("drop_selectors", list_of(to_selector)),
        ("drop_line_patterns", list_of(to_line_regex)),
    ),
    "health": (
        ("min_articles", optional(whole_number(0))),
        ("max_error_share", optional(to_fraction)),
        ("max_text_drop", optional(to_fraction)),
    ),
}
SECTION_TYPES: dict[str, type] = {"limits": Limits, "politeness": Politeness,
                                  "cleaning": CleaningAdditions, "health": HealthThresholds}
URL_SOURCES: tuple[str, ...] = ("start_urls", "sitemaps", "feeds")


def suggest_key(key: str, known: Iterable[str]) -> str:
    """' (did you mean ...?)' for a misspelt or shortened key, or ''.

    >>> suggest_key("start_url", ["start_urls", "feeds"])
    " (did you mean 'start_urls'?)"
    >>> suggest_key("delay", ["download_delay", "user_agent_suffix"])
    " (did you mean 'download_delay'?)"
    >>> suggest_key("zzz", ["feeds"])
    ''
    """
    known = list(known)
    close = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.6)
    if not close:
        close = [k for k in known if key.lower() in k.split("_") or k.startswith(key.lower())]
    return f" (did you mean {close[0]!r}?)" if close else ""


def section_of(key: str) -> str | None:
    """The section a key belongs to when it is written at the wrong level.

    >>> section_of("max_pages"), section_of("start_urls"), section_of("nope")
    ('limits', '', None)
    """
    for section, keys in SECTIONS.items():
        if any(key == name for name, _ in keys):
            return section
    return None


def join_key(prefix: str, key: str) -> str:
    """Dotted path of a key inside a section.

    >>> join_key("", "limits"), join_key("limits", "max_pages")
    ('limits', 'limits.max_pages')
    """
    return f"{prefix}.{key}" if prefix else key


def convert_list(value: Any, convert: Converter, file: str, key: str) -> tuple[Any, ...]:
    """Convert every item of a YAML list, naming the failing one as ``key[i]``."""
    if not isinstance(value, list):
        raise SiteConfigError(file, key, f"expected a list, got {describe(value)}"
                              + (" (write one item per line, starting with '- ')"
                                 if isinstance(value, str) else ""))
    items = []
    for i, item in enumerate(value):
        try:
            items.append(convert(item))
        except Invalid as exc:
            raise SiteConfigError(file, f"{key}[{i}]", str(exc)) from None
    return tuple(items)


def convert_section(data: Any, section: str, file: str) -> dict[str, Any]:
    """Check one mapping against ``SECTIONS[section]`` and convert its values."""
    where = section or "(top level)"
    if not isinstance(data, dict):
        raise SiteConfigError(file, section, f"expected a mapping of keys, got {describe(data)}")
    spec = dict(SECTIONS[section])
    out: dict[str, Any] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            raise SiteConfigError(file, join_key(section, str(key)),
                                  f"keys must be text, got {describe(key)}")
        dotted = join_key(section, key)
        if key not in spec:
            home = section_of(key)
            if home is None:
                hint = suggest_key(key, spec)
            else:
                hint = f" (it belongs under {home}:, as {home}.{key})" if home else (
                    " (it belongs at the top level)")
            raise SiteConfigError(file, dotted, f"unknown key in {where}{hint}")
        convert = spec[key]
        if convert is None:
            out[key] = SECTION_TYPES[key](**convert_section(value if value is not None else {},
                                                            key, file))
        elif hasattr(convert, "item_converter"):
            out[key] = convert_list(value, convert.item_converter, file, dotted)
        else:
            try:
                out[key] = convert(value)
            except Invalid as exc:
                raise SiteConfigError(file, dotted, str(exc)) from None
    return out


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key written twice in one mapping (PyYAML keeps the last)."""


def construct_unique_mapping(loader: UniqueKeyLoader, node: yaml.MappingNode,
                             deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, str) and key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice (line {mark.line + 1})", mark)
        seen.add(key) if isinstance(key, str) else None
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                construct_unique_mapping)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file safely; problems become SiteConfigError with line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SiteConfigError(str(path), "", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteConfigError(str(path), "", f"cannot read: {exc}") from None
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)  # noqa: S506 -- a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SiteConfigError(str(path), "", f"invalid YAML{where}: {problem}") from None


def default_hosts(values: dict[str, Any]) -> tuple[str, ...]:
    """Hosts of the start URLs, sitemaps and feeds (with port, lower-cased), in order."""
    hosts: list[str] = []
    for key in URL_SOURCES:
        for url in values.get(key, ()):
            parts = urlsplit(url)
            host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
            if host and host not in hosts:
                hosts.append(host)
    return tuple(hosts)


def build_site_config(data: Any, file: str, default_name: str) -> SiteConfig:
    """Validate parsed YAML (or an equivalent dict) and build the SiteConfig."""
    if data is None:
        raise SiteConfigError(file, "", "the file is empty; it needs at least start_urls, "
                                        "sitemaps or feeds")
    values = convert_section(data, "", file)
    if not any(values.get(key) for key in URL_SOURCES):
        raise SiteConfigError(file, "start_urls", "give at least one URL in start_urls, "
                                                  "sitemaps or feeds")
    if "name" not in values:
        try:
            values["name"] = to_name(default_name)
        except Invalid as exc:
            raise SiteConfigError(file, "name", f"the file name is not a usable site name; "
                                                f"set name: explicitly ({exc})") from None
    values.setdefault("allowed_hosts", default_hosts(values))
    check_urls_in_hosts(values, file)
    return SiteConfig(source=file, **values)


def check_urls_in_hosts(values: dict[str, Any], file: str) -> None:
    """Every start URL, sitemap and feed must be on one of ``allowed_hosts``."""
    for key in URL_SOURCES:
        for i, url in enumerate(values.get(key, ())):
            if not is_same_site(url, values["allowed_hosts"]):
                raise SiteConfigError(file, f"{key}[{i}]", f"host of {url!r} is not in "
                                      f"allowed_hosts ({', '.join(values['allowed_hosts'])})")


def load_site_config(path: str | Path) -> SiteConfig:
    """Read and validate one ``sites/<name>.yaml`` (raises SiteConfigError)."""
    path = Path(path)
    return build_site_config(read_yaml(path), str(path), path.stem.lower())


def load_site_configs(folder: str | Path, include_disabled: bool = False) -> tuple[SiteConfig, ...]:
    """Every enabled site config in a folder (``*.yaml``/``*.yml``, not starting with '.'
    or '_'), sorted by file name. All files are validated before any is returned; two files
    naming the same site, or no enabled site at all, are errors."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SiteConfigError(str(folder), "", "not a folder of site configs")
    files = sorted(p for p in folder.iterdir()
                   if p.suffix in (".yaml", ".yml") and not p.name.startswith((".", "_")))
    if not files:
        raise SiteConfigError(str(folder), "", "no site configs (*.yaml) in this folder")
    configs = [load_site_config(p) for p in files]
    seen: dict[str, str] = {}
    for config in configs:
        if config.name in seen:
            raise SiteConfigError(config.source, "name", f"site {config.name!r} is also "
                                                         f"configured in {seen[config.name]}")
        seen[config.name] = config.source
    chosen = tuple(c for c in configs if c.enabled or include_disabled)
    if not chosen:
        names = ", ".join(Path(c.source).name for c in configs)
        raise SiteConfigError(str(folder), "", f"no enabled site configs ({names}: "
                                               "enabled: false)")
    return chosen


def name_from_host(host: str) -> str:
    """A site name from a host (``www.`` dropped, port kept after '_').

    >>> name_from_host("www.Example.com"), name_from_host("127.0.0.1:8080")
    ('example.com', '127.0.0.1_8080')
    """
    host = host.lower()
    host = host[4:] if host.startswith("www.") else host
    return re.sub(r"[^a-z0-9._-]", "_", host)[:64].strip("._-") or "site"


def site_config_from_url(url: str) -> SiteConfig:
    """The config of a bare ``gleaner crawl URL`` run: that URL as start, its host as the
    site, project defaults for the rest. Raises SiteConfigError(url, 'url', reason)."""
    try:
        url = to_url(url)
    except Invalid as exc:
        raise SiteConfigError(url, "url", str(exc)) from None
    hosts = default_hosts({"start_urls": (url,)})
    return SiteConfig(name=name_from_host(hosts[0]), source=url, start_urls=(url,),
                      allowed_hosts=hosts)
