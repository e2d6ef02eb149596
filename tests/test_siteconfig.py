"""Site configs (crawler/siteconfig.py): validation errors name file, key and reason."""
import doctest
import re
from pathlib import Path

import pytest

from crawler import siteconfig
from crawler.siteconfig import (
    SECTIONS,
    SiteConfigError,
    load_site_config,
    load_site_configs,
    site_config_from_url,
)

ROOT = Path(__file__).resolve().parent.parent
SITES = ROOT / "sites"

MINIMAL = "start_urls:\n  - https://www.example.com/news/\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def all_dotted_keys() -> list[str]:
    return [f"{section}.{key}" if section else key
            for section, keys in SECTIONS.items() for key, convert in keys if convert]


def test_doctests():
    result = doctest.testmod(siteconfig)
    assert result.attempted > 15 and result.failed == 0


def test_example_config_loads_with_every_key():
    config = load_site_config(SITES / "example.yaml")
    assert config.name == "example" and config.enabled is False
    assert config.allowed_hosts == ("example.com",)
    assert config.limits.max_pages == 5000 and config.limits.max_depth == 4
    assert config.politeness.download_delay == 1.5
    assert config.health.max_error_share == pytest.approx(0.2)
    assert config.cleaning.drop_selectors[0] == "div.share-bar"
    text = (SITES / "example.yaml").read_text(encoding="utf-8")
    for dotted in all_dotted_keys():
        assert re.search(rf"^\s*{dotted.split('.')[-1]}:", text, re.M), f"example.yaml lacks {dotted}"


def test_readme_documents_every_key():
    readme = (SITES / "README.md").read_text(encoding="utf-8")
    for dotted in all_dotted_keys():
        assert f"`{dotted}`" in readme, f"sites/README.md does not document {dotted}"
    assert "gleaner crawl --all sites/ --state state/ --out out/" in readme
    assert "OnCalendar=" in readme and "crontab" in readme.lower()


def test_every_committed_config_is_valid():
    configs = load_site_configs(SITES, include_disabled=True)
    assert "example" in {c.name for c in configs}


def test_minimal_config_defaults(tmp_path):
    config = load_site_config(write(tmp_path, "Acme-News.yaml", MINIMAL))
    assert config.name == "acme-news"  # from the file name
    assert config.enabled and config.allowed_hosts == ("www.example.com",)
    assert config.limits.max_pages is None and config.health.min_articles == 1
    assert config.allows("https://example.com/news/1.html")
    assert not config.allows("https://other.org/news/1.html")
    assert config.is_article_url("https://example.com/x") is None


def test_allow_deny_and_article_patterns(tmp_path):
    config = load_site_config(write(tmp_path, "s.yaml", MINIMAL + (
        "allow: ['/news/']\ndeny: ['/news/tag/']\narticle_patterns: ['/news/\\d+\\.html$']\n")))
    assert config.allows("https://www.example.com/news/12.html")
    assert not config.allows("https://www.example.com/news/tag/x")  # deny wins
    assert not config.allows("https://www.example.com/about/")  # not allowed
    assert config.is_article_url("https://www.example.com/news/12.html") is True
    assert config.is_article_url("https://www.example.com/news/") is False


def test_cleaning_config_maps_site_additions(tmp_path):
    from cleaning.types import CleaningConfig
    config = load_site_config(write(tmp_path, "s.yaml", MINIMAL + (
        "cleaning:\n  drop_selectors: ['div.share']\n  drop_line_patterns: ['^Source:']\n")))
    cc = config.cleaning_config(CleaningConfig(extra_drop_selectors=("nav",)))
    assert isinstance(cc, CleaningConfig)
    assert cc.extra_drop_selectors == ("nav", "div.share")
    assert cc.extra_drop_line_patterns == ("^Source:",)


def test_concurrency_per_domain_also_caps_total_concurrency(tmp_path):
    config = load_site_config(write(tmp_path, "s.yaml", MINIMAL + (
        "politeness:\n  concurrency_per_domain: 2\n")))
    assert config.scrapy_settings("gleaner/0.1") == {
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2, "CONCURRENT_REQUESTS": 2 * len(config.allowed_hosts)}


def test_scrapy_settings_only_what_is_set(tmp_path):
    config = load_site_config(write(tmp_path, "s.yaml", MINIMAL + (
        "politeness:\n  download_delay: 2\n  user_agent_suffix: '(+ops@example.org)'\n"
        "limits:\n  max_depth: 0\n")))
    assert config.scrapy_settings("gleaner/0.1") == {
        "DOWNLOAD_DELAY": 2.0, "USER_AGENT": "gleaner/0.1 (+ops@example.org)", "DEPTH_LIMIT": 0}
    assert config.download_slots() == {"example.com": {"delay": 2.0},
                                       "www.example.com": {"delay": 2.0}}


ERRORS = [
    # unknown keys, with a suggestion
    (MINIMAL + "start_url: x\n", "start_url", "unknown key in (top level) (did you mean 'start_urls'?)"),
    (MINIMAL + "limits:\n  max_page: 3\n", "limits.max_page", "did you mean 'max_pages'?"),
    (MINIMAL + "politeness:\n  delay: 3\n", "politeness.delay", "did you mean 'download_delay'?"),
    (MINIMAL + "colour: red\n", "colour", "unknown key in (top level)"),
    (MINIMAL + "max_pages: 10\n", "max_pages", "belongs under limits:, as limits.max_pages"),
    (MINIMAL + "health:\n  start_urls: []\n", "health.start_urls", "unknown key in health (it belongs at the top level)"),
    # bad regexes
    (MINIMAL + "deny: ['/news/(']\n", "deny[0]", "bad regex '/news/('"),
    (MINIMAL + "allow: ['ok', '[a-']\n", "allow[1]", "bad regex '[a-'"),
    (MINIMAL + "article_patterns: ['*.html']\n", "article_patterns[0]", "nothing to repeat"),
    (MINIMAL + "cleaning:\n  drop_line_patterns: ['(?P<x']\n", "cleaning.drop_line_patterns[0]",
     "bad regex"),
    # bad CSS selector
    (MINIMAL + "cleaning:\n  drop_selectors: ['div..x']\n", "cleaning.drop_selectors[0]",
     "bad CSS selector 'div..x'"),
    # wrong types
    (MINIMAL + "limits:\n  max_pages: lots\n", "limits.max_pages", "expected a whole number >= 1, got 'lots'"),
    (MINIMAL + "limits:\n  max_pages: 0\n", "limits.max_pages", ">= 1"),
    (MINIMAL + "limits:\n  max_depth: true\n", "limits.max_depth", "whole number"),
    (MINIMAL + "limits: 5\n", "limits", "expected a mapping"),
    (MINIMAL + "politeness:\n  download_delay: -1\n", "politeness.download_delay", ">= 0"),
    (MINIMAL + "politeness:\n  autothrottle_target: 0\n", "politeness.autothrottle_target", "> 0"),
    (MINIMAL + "politeness:\n  user_agent_suffix: [a]\n", "politeness.user_agent_suffix", "expected text"),
    (MINIMAL + "health:\n  max_error_share: 150%\n", "health.max_error_share", "between 0 and 1"),
    (MINIMAL + "health:\n  max_text_drop: 2\n", "health.max_text_drop", "between 0 and 1"),
    (MINIMAL + "health:\n  min_articles: -1\n", "health.min_articles", ">= 0"),
    (MINIMAL + "enabled: 'no'\n", "enabled", "expected true or false"),
    (MINIMAL + "name: Acme News\n", "name", "lower-case letters"),
    ("start_urls: https://example.com/\n", "start_urls", "expected a list"),
    ("feeds:\n  - 12\n", "feeds[0]", "expected a URL, got 12"),
    # bad URLs
    ("start_urls:\n  - example.com/news\n", "start_urls[0]", "expected an http:// or https:// URL"),
    ("start_urls:\n  - ftp://example.com/\n", "start_urls[0]", "http:// or https://"),
    ("sitemaps:\n  - https:///sitemap.xml\n", "sitemaps[0]", "no host"),
    ("start_urls:\n  - https://example.com:99999/\n", "start_urls[0]", "Port out of range"),
    ("start_urls:\n  - https://example.com/a b\n", "start_urls[0]", "white space"),
    (MINIMAL + "allowed_hosts: ['https://example.com/']\n", "allowed_hosts[0]", "no scheme, no path"),
    (MINIMAL + "allowed_hosts: [example.org]\n", "start_urls[0]", "is not in allowed_hosts (example.org)"),
    # structure
    ("limits:\n  max_pages: 3\n", "start_urls", "at least one URL"),
    ("", "", "the file is empty"),
    ("- a\n- b\n", "", "expected a mapping"),
    ("start_urls: [\n", "", "invalid YAML at line"),
    (MINIMAL + "limits: {max_pages: 1}\nlimits: {max_depth: 1}\n", "", "key 'limits' appears twice"),
    ("1: x\n" + MINIMAL, "1", "keys must be text"),
]


@pytest.mark.parametrize("text,key,reason", ERRORS)
def test_errors_name_file_key_and_reason(tmp_path, text, key, reason):
    path = write(tmp_path, "acme.yaml", text)
    with pytest.raises(SiteConfigError) as info:
        load_site_config(path)
    err = info.value
    assert err.file == str(path) and err.key == key
    assert reason in err.reason, err.reason
    assert str(err).startswith(f"{path}: ") and (f": {key}: " in str(err) if key else True)


def test_missing_file():
    with pytest.raises(SiteConfigError, match="no such file"):
        load_site_config("sites/does-not-exist.yaml")


def test_bad_file_name_without_name_key(tmp_path):
    with pytest.raises(SiteConfigError) as info:
        load_site_config(write(tmp_path, "my site.yaml", MINIMAL))
    assert info.value.key == "name" and "set name:" in info.value.reason


def test_load_site_configs_skips_disabled_and_private_files(tmp_path):
    write(tmp_path, "b.yaml", MINIMAL)
    write(tmp_path, "a.yml", MINIMAL.replace("www.example.com", "news.example.org"))
    write(tmp_path, "off.yaml", MINIMAL + "enabled: false\n")
    write(tmp_path, "_draft.yaml", "this: is not checked\n")
    write(tmp_path, "notes.txt", "not yaml")
    assert [c.name for c in load_site_configs(tmp_path)] == ["a", "b"]
    assert [c.name for c in load_site_configs(tmp_path, include_disabled=True)] == ["a", "b", "off"]


def test_load_site_configs_validates_every_file_first(tmp_path):
    write(tmp_path, "a.yaml", MINIMAL)
    write(tmp_path, "z.yaml", MINIMAL + "limits:\n  max_pages: x\n")
    with pytest.raises(SiteConfigError) as info:
        load_site_configs(tmp_path)
    assert info.value.file.endswith("z.yaml") and info.value.key == "limits.max_pages"


def test_load_site_configs_refuses_duplicate_names(tmp_path):
    write(tmp_path, "a.yaml", MINIMAL + "name: acme\n")
    write(tmp_path, "b.yaml", MINIMAL + "name: acme\n")
    with pytest.raises(SiteConfigError, match="also configured in") as info:
        load_site_configs(tmp_path)
    assert info.value.key == "name"


def test_load_site_configs_with_nothing_enabled(tmp_path):
    write(tmp_path, "off.yaml", MINIMAL + "enabled: false\n")
    with pytest.raises(SiteConfigError, match=r"no enabled site configs \(off.yaml: enabled"):
        load_site_configs(tmp_path)
    with pytest.raises(SiteConfigError, match="no enabled site configs"):
        load_site_configs(SITES)  # the repo ships only the disabled example


@pytest.mark.parametrize("folder_kind", ["missing", "empty", "file"])
def test_load_site_configs_bad_folder(tmp_path, folder_kind):
    target = tmp_path / "sites"
    if folder_kind == "empty":
        target.mkdir()
    elif folder_kind == "file":
        target.write_text("x")
    with pytest.raises(SiteConfigError):
        load_site_configs(target)


@pytest.mark.parametrize("url,name,hosts", [
    ("https://www.example.com/news/", "example.com", ("www.example.com",)),
    ("http://127.0.0.1:8080/", "127.0.0.1_8080", ("127.0.0.1:8080",)),
    ("https://News.Example.org", "news.example.org", ("news.example.org",)),
])
def test_site_config_from_url(url, name, hosts):
    config = site_config_from_url(url)
    assert config.name == name and config.start_urls == (url,) and config.allowed_hosts == hosts
    assert config.allows(url) and config.health.min_articles == 1


@pytest.mark.parametrize("url", ["example.com", "ftp://example.com/", "https://", "", "http://a b/"])
def test_site_config_from_bad_url(url):
    with pytest.raises(SiteConfigError) as info:
        site_config_from_url(url)
    assert info.value.key == "url"


def test_config_is_frozen_and_picklable(tmp_path):
    import dataclasses
    import pickle
    config = load_site_config(SITES / "example.yaml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.name = "x"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(config)) == config
