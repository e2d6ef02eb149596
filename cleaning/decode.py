"""Decode: response bytes to text, deciding the charset the way browsers/Scrapy do, plus the lies.

Order (as ``w3lib.encoding.html_to_unicode``, which Scrapy uses): byte-order mark, then the
HTTP ``Content-Type`` charset, then ``<meta charset>`` / http-equiv, then detection. On top of
that, the lies real sites tell are checked and repaired, each recorded in ``fixes``:

- a legacy alias is widened to its superset (gb2312/gbk -> gb18030, latin-1 -> cp1252,
  shift_jis -> cp932, as WHATWG and w3lib do): ``charset_override:gb2312->gb18030``;
- a page that is valid UTF-8 but declared as something else is read as UTF-8:
  ``charset_lie:cp1252->utf-8``;
- a page declared UTF-8 that mixes in Windows-1252 bytes is ``detwingle``d (each invalid
  byte read as Windows-1252; exact, unlike bs4's UnicodeDammit.detwingle);
- a page declared UTF-8 whose bytes are GBK/Shift-JIS/...: the <meta> charset if it differs
  from the header's, else charset-normalizer (on >= 200 non-ASCII bytes; below that GB18030,
  then CP932, Big5-HKSCS, CP949 in turn): ``charset_lie:utf-8->gb18030``;
- a Latin charset (typically a server's default ISO-8859-1) over bytes that come in
  multi-byte runs: the <meta> charset, else the detector: ``charset_lie:iso8859-1->gb18030``;
- undeclared pages are UTF-8 when strictly valid, else detected (``charset_detected:...``).

A str body is returned as-is. Never raises.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

# Bytes of a strictly valid UTF-8 multi-byte sequence (RFC 3629).
UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")
HIGH_BYTE = re.compile(rb"[\x80-\xff]")
HIGH_RUN = re.compile(rb"[\x80-\xff]{2,}")
# A document whose non-ASCII bytes are at least this share valid UTF-8 is UTF-8 with stray
# Windows-1252 bytes (detwingle), not a legacy multi-byte encoding.
MIXED_UTF8_SHARE = 0.7
# Bytes given to the charset detector (it is slow on whole pages; the head says enough).
DETECT_BYTES = 32 * 1024
# Encodings that are single-byte: any byte string decodes, so a strict decode proves nothing.
# Below this many non-ASCII bytes the detector guesses badly: try LIE_FALLBACKS in order
# (this project's sites are mostly Chinese, so GBK/GB18030 first).
MIN_DETECT_BYTES = 200
LIE_FALLBACKS = ("gb18030", "cp932", "big5hkscs", "cp949")
# Latin single-byte charsets: their text has accents alone between ASCII letters, so runs of
# non-ASCII bytes under such a declaration mean a multi-byte charset (a server default lie).
LATIN_SINGLE_BYTE = ("cp1252", "iso8859-1", "iso8859-15", "latin", "cp1250", "iso8859-2",
                     "ascii", "us-ascii")
SINGLE_BYTE = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
               "cp1258", "cp874", "iso8859", "latin", "koi8", "mac", "ascii")


@dataclass(frozen=True, slots=True)
class Decoded:
    """The decoded document and how it was decoded."""

    text: str
    charset_declared: str | None = None  # as declared (header, else meta), canonical codec name
    charset_used: str | None = None  # codec actually used; None for a str body
    fixes: tuple[str, ...] = ()
    # The body itself when text is its strict UTF-8 decoding (text.encode() == utf8): the
    # parse stage feeds these bytes to lxml instead of encoding the text again (~0.1-0.3 ms).
    utf8: bytes | None = None


def canonical_codec(label: str | None) -> str | None:
    """Python's canonical name for an encoding label, without alias widening; None if unknown.

    >>> canonical_codec("GB2312"), canonical_codec("latin1"), canonical_codec("bogus")
    ('gb2312', 'iso8859-1', None)
    """
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip("'\"")).name
    except LookupError:
        return None


def widen_codec(name: str) -> str:
    """The superset codec browsers and w3lib use for a legacy label (gb2312 -> gb18030).

    >>> widen_codec("gb2312"), widen_codec("iso8859-1"), widen_codec("utf-8")
    ('gb18030', 'cp1252', 'utf-8')
    """
    return resolve_encoding(name) or name


def is_single_byte(codec: str) -> bool:
    """True for codecs where every byte string decodes (so decoding proves nothing).

    >>> is_single_byte("cp1252"), is_single_byte("gb18030")
    (True, False)
    """
    return codec.replace("_", "").startswith(SINGLE_BYTE)


def try_decode(body: bytes, codec: str) -> str | None:
    """Strict decode, or None when the bytes are not valid in that codec."""
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def utf8_share(body: bytes) -> tuple[int, float]:
    """(number of UTF-8 multi-byte sequences, share of non-ASCII bytes inside them).

    >>> utf8_share("café".encode() + b" \\x93x\\x94")
    (1, 0.5)
    """
    high = len(HIGH_BYTE.findall(body))
    if not high:
        return 0, 1.0
    matches = UTF8_MULTIBYTE.findall(body)
    return len(matches), sum(len(m) for m in matches) / high


def detect_codec(body: bytes) -> str | None:
    """Best guess by charset-normalizer on the head of the document (last resort)."""
    from charset_normalizer import from_bytes  # imported lazily: only undeclared, broken pages

    try:
        best = from_bytes(body[:DETECT_BYTES]).best()
    except Exception:  # noqa: BLE001 - a detector failure only means "no guess"
        return None
    if best is None:
        return None
    return canonical_codec(best.encoding)


def declared_codecs(body: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """(charset of the Content-Type header, charset of <meta>), canonical codec names."""
    header = http_content_type_encoding(content_type) if content_type else None
    if header:
        header = canonical_codec(_header_label(content_type)) or header
    try:
        meta = html_body_declared_encoding(body)
    except Exception:  # noqa: BLE001 - malformed markup: treat as undeclared
        meta = None
    if meta:
        meta = canonical_codec(_meta_label(body)) or meta
    return header, meta


def looks_multibyte(body: bytes) -> bool:
    """True when non-ASCII bytes come in runs, as in GBK/Big5/Shift-JIS text, rather than
    alone between ASCII letters, as in Latin-1/Windows-1252 text.

    >>> looks_multibyte(("中文新闻报道" * 5).encode("gbk")), looks_multibyte("café déjà vu".encode("cp1252") * 9)
    (True, False)
    """
    high = len(HIGH_BYTE.findall(body))
    if high < 20:
        return False
    return sum(len(run) for run in HIGH_RUN.findall(body)) >= 0.8 * high


def _header_label(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.I)
    return m.group(1) if m else None


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)


def _meta_label(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def decode_declared(body: bytes, declared: str, other: str | None = None
                    ) -> tuple[str, str, list[str]]:
    """Decode bytes that declare ``declared`` (``other``: a second, conflicting declaration,
    e.g. the <meta> charset when the header won), catching the usual lies."""
    fixes: list[str] = []
    codec = widen_codec(declared)
    if codec != declared and not declared.startswith(("ascii", "us-ascii")):
        fixes.append(f"charset_override:{declared}->{codec}")
    if codec.startswith(("utf-16", "utf-32")):
        text = try_decode(body, codec)
        if text is not None:
            return text, codec, fixes
    if codec == "utf-8":
        return decode_claimed_utf8(body, fixes, other)
    # Declared something else: valid UTF-8 with real multi-byte sequences is a lie.
    count, _share = utf8_share(body)
    if count:
        text = try_decode(body, "utf-8")
        if text is not None:
            return text, "utf-8", [f"charset_lie:{declared}->utf-8"]
    text = try_decode(body, codec)
    if text is not None and not (codec.startswith(LATIN_SINGLE_BYTE) and looks_multibyte(body)):
        return text, codec, fixes
    # A Latin charset (often a server default) over GBK/Big5/... bytes, or bytes that are
    # invalid in the declared codec: the other declaration, then the detector, may know better.
    for candidate in iter_second_opinions(body, other):
        if not candidate or is_single_byte(candidate) or widen_codec(candidate) == codec:
            continue
        better = try_decode(body, widen_codec(candidate))
        if better is not None:
            return better, widen_codec(candidate), [f"charset_lie:{declared}->{widen_codec(candidate)}"]
    if text is not None:
        return text, codec, fixes
    return body.decode(codec, "replace"), codec, fixes + ["replace_invalid_bytes"]


def iter_second_opinions(body: bytes, other: str | None) -> Iterator[str | None]:
    """The other declared charset, then (only if still needed) the detector's guess."""
    yield other
    yield detect_codec(body)


def decode_claimed_utf8(body: bytes, fixes: list[str], other: str | None = None
                        ) -> tuple[str, str, list[str]]:
    """Bytes said (or assumed) to be UTF-8: strict, else detwingle, else the other declared
    charset, else detect the real codec."""
    text = try_decode(body, "utf-8")
    if text is not None:
        return text, "utf-8", fixes
    count, share = utf8_share(body)
    if count and share >= MIXED_UTF8_SHARE:
        return detwingle(body), "utf-8", fixes + ["detwingle"]
    if other and widen_codec(other) != "utf-8" and not is_single_byte(other):
        text = try_decode(body, widen_codec(other))
        if text is not None:
            return text, widen_codec(other), fixes + [f"charset_lie:utf-8->{widen_codec(other)}"]
    detected = detect_codec(body) if len(HIGH_BYTE.findall(body)) >= MIN_DETECT_BYTES else None
    if detected and detected != "utf-8" and not is_single_byte(detected):
        codec = widen_codec(detected)
        text = try_decode(body, codec)
        if text is not None:
            return text, codec, fixes + [f"charset_lie:utf-8->{codec}"]
    for codec in LIE_FALLBACKS:
        text = try_decode(body, codec)
        if text is not None:
            return text, codec, fixes + [f"charset_lie:utf-8->{codec}"]
    if count:
        return detwingle(body), "utf-8", fixes + ["detwingle"]
    return body.decode("cp1252", "replace"), "cp1252", fixes + ["charset_lie:utf-8->cp1252"]


def decode_cp1252_bytes(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not valid UTF-8 are read as Windows-1252
    (the 5 bytes cp1252 leaves undefined as Latin-1, like browsers)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    chunk = exc.object[exc.start:exc.end]
    return "".join(bytes([b]).decode("cp1252", "strict") if b not in CP1252_UNDEFINED
                   else chr(b) for b in chunk), exc.end


CP1252_UNDEFINED = frozenset((0x81, 0x8D, 0x8F, 0x90, 0x9D))
CP1252_FALLBACK = "gleaner-cp1252-fallback"
codecs.register_error(CP1252_FALLBACK, decode_cp1252_bytes)


def detwingle(body: bytes) -> str:
    r"""UTF-8 with embedded Windows-1252 bytes to text.

    Like bs4's ``UnicodeDammit.detwingle``, but exact: Python's UTF-8 decoder finds each
    invalid byte and only those are read as Windows-1252 (detwingle trusts any lead byte and
    swallows the bytes after a stray "é", e.g. ``caf\xe9<``).

    >>> detwingle("café ".encode() + b"\x93quoted\x94 caf\xe9<")
    'café “quoted” café<'
    """
    return body.decode("utf-8", CP1252_FALLBACK)


def decode_undeclared(body: bytes) -> tuple[str, str, list[str]]:
    """No charset anywhere: UTF-8 if strictly valid (ASCII included), else detect."""
    text = try_decode(body, "utf-8")
    if text is not None:
        return text, "utf-8", []
    count, share = utf8_share(body)
    if count and share >= MIXED_UTF8_SHARE:
        return detwingle(body), "utf-8", ["detwingle"]
    detected = detect_codec(body)
    if detected:
        codec = widen_codec(detected)
        text = try_decode(body, codec)
        if text is not None:
            return text, codec, [f"charset_detected:{codec}"]
    return body.decode("cp1252", "replace"), "cp1252", ["charset_detected:cp1252"]


def decode_html(body: bytes | str, content_type: str | None) -> Decoded:
    """Decode an HTML body; see the module docstring for the rules.

    >>> d = decode_html("中文".encode("gbk"), "text/html; charset=utf-8")
    >>> d.text, d.charset_used, d.fixes
    ('中文', 'gb18030', ('charset_lie:utf-8->gb18030',))
    >>> decode_html(b"<p>plain</p>", None).charset_used
    'utf-8'
    >>> decode_html("already text", None).charset_used is None
    True
    """
    if isinstance(body, str):
        return Decoded(body)
    try:
        return _decode_bytes(bytes(body), content_type)
    except Exception as exc:  # noqa: BLE001 - decoding must never stop the pipeline
        return Decoded(bytes(body).decode("utf-8", "replace"), None, "utf-8",
                       (f"decode_error:{type(exc).__name__}",))


def _decode_bytes(body: bytes, content_type: str | None) -> Decoded:
    header, meta = declared_codecs(body, content_type)
    declared = header or meta
    other = meta if header and meta and widen_codec(meta) != widen_codec(header) else None
    bom_codec, bom = read_bom(body)
    if bom_codec and bom:
        bom_codec = canonical_codec(bom_codec) or bom_codec
        fixes: tuple[str, ...] = ()
        if declared and widen_codec(declared) != bom_codec:
            fixes = (f"charset_bom_over_declared:{declared}->{bom_codec}",)
        text = body[len(bom):].decode(bom_codec, "replace")
        return Decoded(text, declared or bom_codec, bom_codec, fixes)
    if declared:
        text, used, fixes_list = decode_declared(body, declared, other)
    else:
        text, used, fixes_list = decode_undeclared(body)
    return Decoded(text, declared, used, tuple(fixes_list), strict_utf8_body(body, used, fixes_list))


def strict_utf8_body(body: bytes, used: str, fixes: list[str]) -> bytes | None:
    """body when the decoders read it as strict UTF-8 (every "utf-8" path but detwingle).

    >>> strict_utf8_body(b"a", "utf-8", []), strict_utf8_body(b"a", "utf-8", ["detwingle"])
    (b'a', None)
    """
    if used != "utf-8" or any(f == "detwingle" or "replace" in f for f in fixes):
        return None
    return body
