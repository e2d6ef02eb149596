# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled forms of the per-element hot paths of cleaning.extract, on libxml2's nodes.

- ``walk_annotate``: the annotate walk (cleaning.extract.walk_annotate_py), with the verdicts
  of class/id-only elements judged here (``VerdictRules``: the rule sets of cleaning.rules).
- ``render_blocks``: the read-out of a region as text blocks (render_blocks_py, flush_block).
- ``text_length`` / ``comma_count``: counts over an element's text without making the string.
- ``prune_junk`` / ``anchored_junk_text``: the loops over the junk candidates (prune_junk_py,
  anchored_junk_text_py), ancestors' counters changed in the arrays.
- ``score_candidates``: readability scores and paragraph mass of the paragraphs' ancestors
  (score_candidates_py), kept by element number (``NodeValues``) instead of in proxy dicts.
- ``LineRules``: the line rules' gates (cleaning.lines.match_line_rule_py) in one pass.
- ``text_flags``, ``nodes_with_text``, ``near_marked``, ``count_elements``: one-pass
  scans for cleaning.repair, cleaning.metadata and cleaning.parse.

Each step of the Python forms pays for an iterwalk event tuple, an element proxy,
``el.text``/``el.tail`` strings and ``len(text.strip())``. Here the tree is walked through
libxml2's node pointers, text is measured on its UTF-8 bytes in place, and Python objects are
made only where a result holds them (proxies in the result lists, counter lists read, blocks).
Rules stay data in cleaning.rules; what is rare or Unicode-subtle is handed back to Python.

Same results as the Python forms, field for field: ``tests/test_speedups.py`` compares them on
saved pages, tricky markup and generated HTML. Built by ``setup.py`` when Cython and a C
compiler are present; cleaning.extract uses the Python forms when this module is missing, was
built for other constants, or GLEANER_PURE_PYTHON=1 is set.
"""
from cpython.dict cimport PyDict_GetItem, PyDict_SetItem
from cpython.object cimport PyObject
from cpython.unicode cimport (
    PyUnicode_DecodeUTF8, PyUnicode_KIND, PyUnicode_DATA, PyUnicode_GET_LENGTH,
    PyUnicode_1BYTE_KIND, PyUnicode_2BYTE_KIND, Py_UNICODE_ISALNUM, Py_UNICODE_ISLOWER,
    Py_UNICODE_ISALPHA)
from cpython.bytes cimport PyBytes_FromStringAndSize
from libc.stdlib cimport calloc, malloc, realloc, free
from cpython.ref cimport Py_INCREF, Py_DECREF
from libc.string cimport memcmp, memcpy, memmove, strcmp, strlen, strstr
from cpython.unicode cimport PyUnicode_AsUTF8AndSize

from lxml.includes cimport tree
from lxml.includes.tree cimport xmlNode, xmlAttr
from lxml.includes.etreepublic cimport (
    _Element, _Document, elementFactory, import_lxml__etree, attributeValue, collectAttributes,
    _isElement, attributeValueFromNsName)

import_lxml__etree()

# Layout shared with cleaning.extract (checked there before this module is used).
cdef enum:
    TEXT = 0
    LINK = 1
    PCOUNT = 2
    INDEX = 4
    LAST = 5
    FLAGS = 6
    HAS_BLOCK_CHILD = 1
    HAS_ANCHOR = 2
    IS_JUNK = 4
    IS_HIDDEN = 8
    IS_TOGGLED = 16
    NEUTRAL = 0
    JUNK = 1
    CONTENT = 2
    HIDDEN = 3
    TOGGLED = 4
    TAG_SKIP = 1
    TAG_BLOCK = 2
    TAG_NO_VERDICT = 4
    TAG_ARTICLE = 8
    TAG_LINK = 16
    TAG_PARA = 32
    TAG_SCORED = 64
    TAG_TEASER = 128
    MIN_PARAGRAPH = 25
    LABEL_MAX_CHARS = 300

HIDDEN_VERDICT = (HIDDEN, 0)

API = 7  # cleaning.compiled.SPEEDUPS_API: raised with it whenever a compiled form changes

LAYOUT = (TEXT, LINK, PCOUNT, INDEX, LAST, FLAGS,
          HAS_BLOCK_CHILD, HAS_ANCHOR, IS_JUNK, IS_HIDDEN, IS_TOGGLED,
          NEUTRAL, JUNK, CONTENT, HIDDEN, TOGGLED,
          TAG_SKIP, TAG_BLOCK, TAG_NO_VERDICT, TAG_ARTICLE, TAG_LINK, TAG_PARA, TAG_SCORED,
          TAG_TEASER, MIN_PARAGRAPH, LABEL_MAX_CHARS)


ctypedef struct Open:
    xmlNode* node
    PyObject* element  # its proxy once made (NULL before): only elements put in a list need one
    Py_ssize_t number  # its index in ElementStats
    long text
    long link
    long pcount
    long flags
    int bits


cdef inline xmlNode* parent_element(xmlNode* node) noexcept nogil:
    """lxml's getparent(): the parent when both are elements, else NULL."""
    if node is NULL or not _isElement(node):
        return NULL
    node = node.parent
    if node is NULL or not _isElement(node):
        return NULL
    return node


cdef class ElementStats:
    """The walk's per-element counters, read like the Python walk's ``stats`` dict: element ->
    [TEXT, LINK, PCOUNT, COMMAS, INDEX, LAST, FLAGS] (``stats[el]``, ``stats.get(el)``).

    Counters live in C arrays indexed by element number, found from the element's node
    through a hash table of node pointers; the list a caller reads (and may change) is made on
    first access and kept. So the walk makes no proxy, list or dict entry per element: most are
    never looked at. The document is held, so the walked nodes stay allocated; nodes that
    extraction removes from the tree stay allocated while their removed subtree's proxy lives
    (cleaning.extract keeps those in ``Annotation.junk``), and extraction creates no elements.
    """
    cdef _Document doc
    cdef Py_ssize_t count, capacity, slots
    cdef xmlNode** nodes  # element number -> node
    cdef long* values  # element number * 5 -> text, link, pcount, last, flags
    cdef PyObject** lists  # element number -> its list once made
    cdef Py_ssize_t* table  # open addressing: node pointer hash -> element number + 1 (0: empty)

    def __cinit__(self):
        self.count = self.capacity = self.slots = 0
        self.nodes = NULL
        self.values = NULL
        self.lists = NULL
        self.table = NULL

    def __dealloc__(self):
        self.clear()

    cdef int grow(self) except -1:
        cdef Py_ssize_t capacity = max(2 * self.capacity, 256), i
        cdef xmlNode** nodes = <xmlNode**>realloc(self.nodes, capacity * sizeof(xmlNode*))
        if nodes is NULL:
            raise MemoryError()
        self.nodes = nodes
        cdef long* values = <long*>realloc(self.values, 5 * capacity * sizeof(long))
        if values is NULL:
            raise MemoryError()
        self.values = values
        cdef PyObject** lists = <PyObject**>realloc(self.lists, capacity * sizeof(PyObject*))
        if lists is NULL:
            raise MemoryError()
        self.lists = lists
        for i in range(self.capacity, capacity):
            lists[i] = NULL
        self.capacity = capacity
        return 0

    cdef Py_ssize_t add(self, xmlNode* node) except -1:
        """Number a node (the next element number) and clear its counters."""
        if self.count == self.capacity:
            self.grow()
        cdef Py_ssize_t number = self.count
        self.nodes[number] = node
        cdef long* v = self.values + 5 * number
        v[0] = v[1] = v[2] = v[4] = 0
        v[3] = number
        self.count += 1
        return number

    cdef int index_nodes(self) except -1:
        """Build the pointer -> number table once the walk is done."""
        cdef Py_ssize_t slots = 16, i, h
        while slots < 2 * self.count:
            slots *= 2
        self.table = <Py_ssize_t*>calloc(slots, sizeof(Py_ssize_t))
        if self.table is NULL:
            raise MemoryError()
        self.slots = slots
        for i in range(self.count):
            h = pointer_hash(self.nodes[i]) & (slots - 1)
            while self.table[h]:
                h = (h + 1) & (slots - 1)
            self.table[h] = i + 1
        return 0

    cdef Py_ssize_t find(self, xmlNode* node) noexcept:
        """The element number of a node, -1 when it was not walked."""
        cdef Py_ssize_t h, number
        if not self.slots:
            return -1
        h = pointer_hash(node) & (self.slots - 1)
        while True:
            number = self.table[h]
            if not number:
                return -1
            if self.nodes[number - 1] is node:
                return number - 1
            h = (h + 1) & (self.slots - 1)

    cdef list counters(self, Py_ssize_t number):
        cdef list made
        cdef long* v
        if self.lists[number] is NULL:
            v = self.values + 5 * number
            made = [v[0], v[1], v[2], 0, number, v[3], v[4]]
            Py_INCREF(made)
            self.lists[number] = <PyObject*>made
        return <list>self.lists[number]

    cdef long counter(self, Py_ssize_t number, int slot) except? -1:
        """Counter ``slot`` (TEXT, LINK, INDEX, ...) of an element, from its list once made
        (callers such as prune_junk change the counters there)."""
        if self.lists[number] is not NULL:
            return (<list>self.lists[number])[slot]
        if slot == INDEX:
            return number
        if slot == 3:  # COMMAS: an unused slot, always 0
            return 0
        return self.values[5 * number + (slot if slot < INDEX else slot - 2)]

    def __getitem__(self, _Element el not None):
        cdef Py_ssize_t number = self.find(el._c_node)
        if number < 0:
            raise KeyError(el)
        return self.counters(number)

    def get(self, _Element el not None, default=None):
        cdef Py_ssize_t number = self.find(el._c_node)
        return default if number < 0 else self.counters(number)

    cdef int subtract(self, Py_ssize_t number, xmlNode* node) except -1:
        """Take the counters of a removed element (``number``, its node) off its ancestors',
        up to the first one not walked (prune_junk; no proxy or counter list per ancestor)."""
        self.subtract_counters(parent_element(node), self.counter(number, TEXT),
                               self.counter(number, LINK), self.counter(number, PCOUNT))
        return 0

    cdef int subtract_counters(self, xmlNode* node, long text, long link, long pcount) except -1:
        """Take counters off those of ``node`` and its ancestors, up to the first not walked
        (the list a caller reads once it is made, else the arrays)."""
        cdef Py_ssize_t number
        cdef list counters
        cdef long* v
        while node is not NULL:
            number = self.find(node)
            if number < 0:
                return 0
            if self.lists[number] is not NULL:
                counters = <list>self.lists[number]
                counters[TEXT] -= text
                counters[LINK] -= link
                counters[PCOUNT] -= pcount
            else:
                v = self.values + 5 * number
                v[0] -= text
                v[1] -= link
                v[2] -= pcount
            node = parent_element(node)
        return 0

    def __len__(self):
        return self.count

    def items(self):
        """(element, counters) in document order (makes a proxy per element: for tests)."""
        return [(elementFactory(self.doc, self.nodes[i]), self.counters(i))
                for i in range(self.count)]

    def clear(self):
        """Drop the lists and arrays (the counters are gone afterwards)."""
        cdef Py_ssize_t i
        if self.lists is not NULL:
            for i in range(self.count):
                if self.lists[i] is not NULL:
                    Py_DECREF(<object>self.lists[i])
                    self.lists[i] = NULL
        free(self.nodes)
        free(self.values)
        free(self.lists)
        free(self.table)
        self.nodes = NULL
        self.values = NULL
        self.lists = NULL
        self.table = NULL
        self.count = self.capacity = self.slots = 0
        self.doc = None


cdef inline Py_ssize_t pointer_hash(xmlNode* node) noexcept nogil:
    cdef size_t x = <size_t>node
    x = (x >> 4) * <size_t>0x9E3779B97F4A7C15
    return <Py_ssize_t>(x >> 16)


cdef inline bint is_text_node(xmlNode* node) noexcept nogil:
    return node.type == tree.XML_TEXT_NODE or node.type == tree.XML_CDATA_SECTION_NODE


cdef inline xmlNode* text_or_skip(xmlNode* node) noexcept nogil:
    """lxml's _textNodeOrSkip: the text node at ``node``, past XInclude markers, else NULL."""
    while node is not NULL:
        if is_text_node(node):
            return node
        if node.type == tree.XML_XINCLUDE_START or node.type == tree.XML_XINCLUDE_END:
            node = node.next
        else:
            return NULL
    return NULL


cdef inline xmlNode* first_element(xmlNode* node) noexcept nogil:
    cdef xmlNode* child = node.children
    while child is not NULL and not _isElement(child):
        child = child.next
    return child


cdef inline xmlNode* next_element(xmlNode* node) noexcept nogil:
    cdef xmlNode* sibling = node.next
    while sibling is not NULL and not _isElement(sibling):
        sibling = sibling.next
    return sibling


cdef inline xmlNode* next_in_subtree(xmlNode* node, xmlNode* top) noexcept nogil:
    """The element-like node after ``node`` in document order inside ``top``'s subtree, or
    NULL (lxml's iter() order)."""
    cdef xmlNode* child = first_element(node) if node.type == tree.XML_ELEMENT_NODE else NULL
    if child is not NULL:
        return child
    while node is not top and next_element(node) is NULL:
        node = node.parent
    return next_element(node) if node is not top else NULL


cdef inline bint is_space(unsigned int cp) noexcept nogil:
    """Python's str.isspace() (the characters str.strip() removes)."""
    if cp < 0x80:
        return cp == 0x20 or (0x09 <= cp <= 0x0D) or (0x1C <= cp <= 0x1F)
    return (cp == 0x85 or cp == 0xA0 or cp == 0x1680 or (0x2000 <= cp <= 0x200A)
            or cp == 0x2028 or cp == 0x2029 or cp == 0x202F or cp == 0x205F or cp == 0x3000)


cdef inline unsigned int decode_at(const unsigned char* s, Py_ssize_t* size) noexcept nogil:
    """The code point of the (valid) UTF-8 sequence at ``s`` and its byte length."""
    cdef unsigned char c = s[0]
    if c < 0x80:
        size[0] = 1
        return c
    if c < 0xE0:
        size[0] = 2
        return ((c & 0x1F) << 6) | (s[1] & 0x3F)
    if c < 0xF0:
        size[0] = 3
        return ((c & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F)
    size[0] = 4
    return ((c & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) | (s[3] & 0x3F)


cdef struct TextScan:
    long chars  # len(text.strip())
    bint present  # any text node with content (lxml's text is truthy)
    bint hint  # a byte sequence has_label_hint looks for: ':', '：', '上', '下'


cdef inline bint ascii_space(unsigned char c) noexcept nogil:
    return c == 0x20 or (0x09 <= c <= 0x0D) or (0x1C <= c <= 0x1F)


cdef TextScan scan_one(const unsigned char* s) noexcept nogil:
    """scan_text of one text node: the first and last non-space characters are found from
    the two ends (decoding only non-ASCII bytes), the code points between counted as the
    bytes that do not continue a sequence, the label bytes looked for only in short text."""
    cdef TextScan result
    cdef Py_ssize_t n = strlen(<const char*>s), i = 0, j, k, size
    cdef unsigned char c
    cdef long count = 0
    result.present = n > 0
    result.chars = 0
    result.hint = False
    while i < n:
        c = s[i]
        if c < 0x80:
            if not ascii_space(c):
                break
            i += 1
        elif is_space(decode_at(s + i, &size)):
            i += size
        else:
            break
    if i == n:
        return result
    j = n  # end (exclusive) of the last non-space character
    while True:
        c = s[j - 1]
        if c < 0x80:
            if not ascii_space(c):
                break
            j -= 1
        else:
            k = j - 1
            while (s[k] & 0xC0) == 0x80:
                k -= 1
            if not is_space(decode_at(s + k, &size)):
                break
            j = k
    for k in range(i, j):
        count += (s[k] & 0xC0) != 0x80
    result.chars = count
    if count < LABEL_MAX_CHARS:
        for k in range(i, j):
            c = s[k]
            if c == 0x3A or (c == 0xEF and s[k + 1] == 0xBC and s[k + 2] == 0x9A) or (
                    c == 0xE4 and s[k + 1] == 0xB8 and (s[k + 2] == 0x8A or s[k + 2] == 0x8B)):
                result.hint = True
                break
    return result


cdef TextScan scan_text(xmlNode* start) noexcept nogil:
    """Length of the stripped text of the run of text nodes at ``start`` (lxml's ``.text`` /
    ``.tail``), counted on the UTF-8 bytes: code points between the first and the last
    non-space one. ``hint``: the text holds a byte sequence has_label_hint looks for (set at
    least when the length is under LABEL_MAX_CHARS)."""
    cdef TextScan result
    cdef xmlNode* node = text_or_skip(start)
    cdef const unsigned char* s
    cdef Py_ssize_t i, size
    cdef long total = 0, first = -1, last_end = 0
    cdef unsigned int cp
    result.chars = 0
    result.present = False
    result.hint = False
    if node is not NULL and text_or_skip(node.next) is NULL and node.content is not NULL:
        return scan_one(<const unsigned char*>node.content)  # one text node: the common case
    while node is not NULL:
        s = <const unsigned char*>node.content
        if s is not NULL and s[0] != 0:
            result.present = True
            i = 0
            while s[i] != 0:
                cp = decode_at(s + i, &size)
                total += 1
                if not is_space(cp):
                    if first < 0:
                        first = total - 1
                    last_end = total
                    if cp == 0x3A or cp == 0xFF1A or cp == 0x4E0A or cp == 0x4E0B:
                        result.hint = True
                i += size
        node = text_or_skip(node.next)
    if first >= 0:
        result.chars = last_end - first
    return result


cdef object collect_text(xmlNode* start):
    """lxml's ``_collectText``: the run of text nodes at ``start`` as one string."""
    cdef xmlNode* node = text_or_skip(start)
    cdef bytes joined = b""
    while node is not NULL:
        if node.content is not NULL:
            joined += <bytes>(<const char*>node.content)
        node = text_or_skip(node.next)
    return PyUnicode_DecodeUTF8(joined, len(joined), NULL)


def stripped_length(str text):
    """``len(text.strip())`` computed as the walk does, on UTF-8 bytes (for tests).

    >>> stripped_length("\\u3000 ab c\\xa0\\n"), stripped_length("   ")
    (4, 0)
    """
    cdef bytes data = text.encode("utf-8")
    cdef tree.xmlNode node
    node.type = tree.XML_TEXT_NODE
    node.content = <tree.xmlChar*><const char*>data
    node.next = NULL
    return scan_text(&node).chars


cdef inline object node_tag(xmlNode* node):
    """The tag string the walk uses: the element name, '' for comments/PIs/entities and for
    namespaced elements (HTML parsing makes none)."""
    if node.type != tree.XML_ELEMENT_NODE or node.ns is not NULL:
        return ""
    return PyUnicode_DecodeUTF8(<const char*>node.name, strlen(<const char*>node.name), NULL)


cdef enum:
    TAG_SLOTS = 64  # per-walk cache of tag strings (pages use a few dozen distinct tags)


cdef struct TagCache:
    const tree.xmlChar* names[TAG_SLOTS]  # libxml2's interned names: equal names, one pointer
    PyObject* tags[TAG_SLOTS]  # borrowed: the strings are kept alive by the walk's ``keep`` list
    int bits[TAG_SLOTS]


cdef inline void tag_cache_init(TagCache* cache) noexcept:
    cdef int i
    for i in range(TAG_SLOTS):
        cache.names[i] = NULL


cdef object cached_tag(TagCache* cache, xmlNode* node, dict bits_of, list keep, int* bits):
    """node_tag(node) and its bits in ``bits_of``, made once per distinct name in a walk (the
    parser interns element names, so a name is found by its pointer)."""
    cdef const tree.xmlChar* name
    cdef size_t h
    cdef int i, probes
    cdef object tag
    cdef PyObject* found
    if node.type != tree.XML_ELEMENT_NODE or node.ns is not NULL:
        name = NULL
    else:
        name = node.name
    h = (<size_t>name >> 4) % TAG_SLOTS
    for probes in range(TAG_SLOTS):
        i = (h + probes) % TAG_SLOTS
        if cache.names[i] is name and cache.names[i] is not NULL:
            bits[0] = cache.bits[i]
            return <object>cache.tags[i]
        if cache.names[i] is NULL:
            break
    tag = node_tag(node)
    found = PyDict_GetItem(bits_of, tag) if bits_of is not None else NULL
    bits[0] = <int><object>found if found is not NULL else 0
    if name is not NULL and cache.names[i] is NULL:
        keep.append(tag)
        cache.names[i] = name
        cache.tags[i] = <PyObject*>tag
        cache.bits[i] = bits[0]
    return tag


cdef tuple class_id_only(xmlNode* node, VerdictRules rules):
    """(class, id, style) when class, id and style are the only attributes of the element that
    can decide its verdict (others, such as href or data-*, cannot: items_verdict ignores
    them), once each, '' for an absent class or id, None for an absent style; None when
    another verdict attribute (role, itemprop, hidden, ...) is set."""
    cdef xmlAttr* attr = node.properties
    cdef object cls = None, ident = None, style = None
    cdef bytes name
    while attr is not NULL:
        if attr.type == tree.XML_ATTRIBUTE_NODE and attr.ns is NULL:  # ("{ns}x": never one)
            if strcmp(<const char*>attr.name, "class") == 0:
                if cls is not None:
                    return None
                cls = attributeValue(node, attr)
            elif strcmp(<const char*>attr.name, "id") == 0:
                if ident is not None:
                    return None
                ident = attributeValue(node, attr)
            elif strcmp(<const char*>attr.name, "style") == 0:
                if style is not None:
                    return None
                style = attributeValue(node, attr)
            else:
                for name in rules.verdict_names:
                    if strcmp(<const char*>attr.name, <const char*>name) == 0:
                        return None
        attr = attr.next
    return (cls or "", ident or "", style)


cdef inline _Element proxy_of(_Document doc, Open* entry, list keep):
    """The element's proxy, made once per walked element that a result list holds (``keep``
    holds it while the walk runs: ``entry`` only borrows it)."""
    cdef _Element el
    if entry.element is NULL:
        el = elementFactory(doc, entry.node)
        keep.append(el)
        entry.element = <PyObject*>el
        return el
    return <_Element>entry.element


def walk_annotate(_Element body not None, bint skip_chrome, dict tag_bits,
                  VerdictRules rules not None, bare_verdict, items_verdict, has_label_hint):
    """The walk of cleaning.extract.walk_annotate_py; returns (stats, paragraphs, junk, anchors,
    teasers, teaser_heads, labels, skipped), ``stats`` an :class:`ElementStats`."""
    cdef ElementStats stats = ElementStats()
    cdef list skipped = [], paragraphs = [], junk = [], anchors = [], teaser_heads = [], labels = []
    cdef list keep = []  # the proxies and tag strings made during the walk, alive until it ends
    cdef long teasers = 0, article_depth = 0
    cdef _Document doc = body._doc
    cdef xmlNode* top = body._c_node
    cdef xmlNode* cur = top
    cdef xmlNode* child
    cdef xmlNode* sibling
    cdef Py_ssize_t capacity = 64, depth = 0, i
    cdef Open* stack = <Open*>malloc(capacity * sizeof(Open))
    cdef Open* entry
    cdef Open* parent
    cdef bint descend
    cdef int bits, verdict, rank
    cdef TextScan scan
    cdef PyObject* found
    cdef xmlAttr* attr
    cdef long* v
    cdef _Element el
    cdef object tag, text, result
    cdef tuple names
    cdef TagCache tags
    tag_cache_init(&tags)
    if stack is NULL:
        raise MemoryError()
    stats.doc = doc
    try:
        while True:
            # start event of cur
            tag = cached_tag(&tags, cur, tag_bits, keep, &bits)
            if depth == capacity:
                capacity *= 2
                entry = <Open*>realloc(stack, capacity * sizeof(Open))
                if entry is NULL:
                    raise MemoryError()
                stack = entry
            entry = &stack[depth]
            entry.node = cur
            entry.element = NULL
            entry.number = stats.add(cur)
            entry.text = entry.link = entry.pcount = entry.flags = 0
            entry.bits = bits
            descend = True
            if depth:
                if bits & TAG_BLOCK:
                    stack[depth - 1].flags |= HAS_BLOCK_CHILD
                if bits & TAG_SKIP:  # never content: counters stay zero, subtree not walked
                    el = proxy_of(doc, entry, keep)
                    junk.append(el)
                    skipped.append(el)
                    entry.bits = 0
                    descend = False
            if descend:
                if cur.type == tree.XML_ELEMENT_NODE:
                    scan = scan_text(cur.children)
                    if scan.chars:
                        entry.text = scan.chars
                        if scan.chars < LABEL_MAX_CHARS and scan.hint:
                            text = collect_text(cur.children)
                            if has_label_hint(text):
                                el = proxy_of(doc, entry, keep)
                                labels.append((el, False, text))
                else:  # comment / PI / entity: its text is its content (lxml's .text)
                    el = proxy_of(doc, entry, keep)
                    text = el.text
                    if text:
                        entry.text = len(text.strip())
                        if entry.text and entry.text < LABEL_MAX_CHARS and has_label_hint(text):
                            labels.append((el, False, text))
                if bits & TAG_NO_VERDICT:
                    verdict = rank = 0
                else:
                    attr = cur.properties if cur.type == tree.XML_ELEMENT_NODE else NULL
                    if attr is NULL:
                        result = bare_verdict(tag)
                    else:
                        names = class_id_only(cur, rules)
                        if names is None:
                            result = items_verdict(tag, collectAttributes(cur, 3))
                        elif names[2] and tag not in rules.skip_tags \
                                and rules.style_hides(names[2]) is not None:
                            result = HIDDEN_VERDICT  # element_verdict: style before class/id
                        else:  # the common case, judged in C
                            result = class_id_verdict(rules, tag, names[0], names[1])
                    verdict = result[0]
                    rank = result[1]
                    if verdict == JUNK:
                        if article_depth and tag == "header":
                            verdict = NEUTRAL  # an article's own header, not the site's
                    elif verdict > CONTENT:  # HIDDEN or TOGGLED: decided by prune_junk
                        entry.flags |= IS_HIDDEN if verdict == HIDDEN else IS_TOGGLED
                        el = proxy_of(doc, entry, keep)
                        junk.append(el)
                        verdict = NEUTRAL
                    if verdict == JUNK:
                        el = proxy_of(doc, entry, keep)
                        junk.append(el)
                        entry.flags |= IS_JUNK
                    if rank:
                        el = proxy_of(doc, entry, keep)
                        anchors.append((rank, el))
                        for i in range(depth + 1):
                            stack[i].flags |= HAS_ANCHOR
                if bits & TAG_ARTICLE:
                    article_depth += 1
            depth += 1
            child = first_element(cur) if descend else NULL
            if child is not NULL:
                cur = child
                continue
            # end events: cur, then every ancestor whose last child this was
            while True:
                depth -= 1
                entry = &stack[depth]
                bits = entry.bits
                if bits:
                    if bits & TAG_ARTICLE:
                        article_depth -= 1
                    if bits & TAG_LINK:
                        entry.link = entry.text
                    elif bits & TAG_PARA:
                        entry.pcount += 1
                    if bits & TAG_SCORED:
                        if not entry.flags & HAS_BLOCK_CHILD and entry.text >= MIN_PARAGRAPH:
                            el = proxy_of(doc, entry, keep)
                            paragraphs.append(el)
                    elif (bits & TAG_TEASER and entry.text > 10
                          and <double>entry.link >= 0.6 * <double>entry.text):
                        teasers += 1
                        el = proxy_of(doc, entry, keep)
                        teaser_heads.append(el)
                v = stats.values + 5 * entry.number
                v[0] = entry.text
                v[1] = entry.link
                v[2] = entry.pcount
                v[3] = stats.count - 1  # LAST: the last element number in its subtree
                v[4] = entry.flags
                if depth:
                    parent = &stack[depth - 1]
                    if entry.text:
                        parent.text += entry.text
                        parent.link += entry.link
                    if entry.pcount:
                        parent.pcount += entry.pcount
                    scan = scan_text(cur.next)
                    if scan.chars:
                        parent.text += scan.chars
                        if scan.chars < LABEL_MAX_CHARS and scan.hint:
                            text = collect_text(cur.next)
                            if has_label_hint(text):
                                el = proxy_of(doc, entry, keep)
                                labels.append((el, True, text))
                if cur is top:
                    stats.index_nodes()
                    return (stats, paragraphs, junk, anchors, teasers, teaser_heads, labels,
                            skipped)
                sibling = next_element(cur)
                if sibling is not NULL:
                    cur = sibling
                    break
                cur = cur.parent
    finally:
        free(stack)


# ---------------------------------------------------------------------------
# render_blocks (cleaning.extract.render_blocks_py)
# ---------------------------------------------------------------------------

cdef enum:
    RENDER_BLOCK = 1
    RENDER_PRE = 2
    RENDER_BR = 3
    RENDER_CELL = 4
    RENDER_LINK = 5

RENDER_LAYOUT = (RENDER_BLOCK, RENDER_PRE, RENDER_BR, RENDER_CELL, RENDER_LINK)


cdef struct Pending:
    # the text collected since the last block boundary (render_blocks' ``parts``), as UTF-8
    char* data
    Py_ssize_t size
    Py_ssize_t capacity
    bint has_text  # a character that is not whitespace (``"".join(parts).strip()``)


cdef int pending_add(Pending* p, const char* data, Py_ssize_t size, bint has_text) except -1:
    cdef char* grown
    cdef Py_ssize_t capacity
    if p.size + size > p.capacity:
        capacity = max(2 * p.capacity, p.size + size, 256)
        grown = <char*>realloc(p.data, capacity)
        if grown is NULL:
            raise MemoryError()
        p.data = grown
        p.capacity = capacity
    memcpy(p.data + p.size, data, size)
    p.size += size
    if has_text:
        p.has_text = True
    return 0


cdef int pending_add_text(Pending* p, xmlNode* start, long* link_chars, bint in_link) except -1:
    """Append the run of text nodes at ``start`` (lxml's .text / .tail)."""
    cdef xmlNode* node = text_or_skip(start)
    cdef TextScan scan
    if node is NULL:
        return 0
    scan = scan_text(node)
    if not scan.present:
        return 0
    while node is not NULL:
        if node.content is not NULL:
            pending_add(p, <const char*>node.content, strlen(<const char*>node.content),
                        scan.chars > 0)
        node = text_or_skip(node.next)
    if in_link:
        link_chars[0] += scan.chars
    return 0


cdef object normalized_lines(const char* data, Py_ssize_t size, bint is_row):
    """flush_block's text of a non-``pre`` block: every line (split on "\n") with its runs of
    whitespace collapsed to one space and trimmed (a table row's also trimmed of " |"),
    empty lines dropped, joined with "\n"."""
    cdef const unsigned char* s = <const unsigned char*>data
    cdef char* out = <char*>malloc(size + 1)
    cdef Py_ssize_t i = 0, o = 0, line_start = 0, cp_size, a, b
    cdef bint gap = False
    cdef unsigned char c
    cdef unsigned int cp
    if out is NULL:
        raise MemoryError()
    try:
        while i <= size:
            c = s[i] if i < size else 0x0A
            if c == 0x0A:  # end of a line: trim a row's " |", drop it when empty
                if is_row:
                    a = line_start
                    b = o
                    while a < b and (out[a] == 0x20 or out[a] == 0x7C):
                        a += 1
                    while b > a and (out[b - 1] == 0x20 or out[b - 1] == 0x7C):
                        b -= 1
                    if a > line_start:
                        memmove(out + line_start, out + a, b - a)
                    o = line_start + (b - a)
                if o > line_start:
                    out[o] = 0x0A
                    o += 1
                line_start = o
                gap = False
                i += 1
                continue
            if c < 0x80:
                cp_size = 1
                if ascii_space(c):
                    gap = True
                    i += 1
                    continue
            else:
                cp = decode_at(s + i, &cp_size)
                if is_space(cp):
                    gap = True
                    i += cp_size
                    continue
            if gap and o > line_start:
                out[o] = 0x20
                o += 1
            gap = False
            memcpy(out + o, s + i, cp_size)
            o += cp_size
            i += cp_size
        if o > 0:
            o -= 1  # the "\n" after the last kept line
        return PyUnicode_DecodeUTF8(out, o, NULL)
    finally:
        free(out)


cdef int pending_flush(Pending* p, object kind, long link_chars, flush_block, block_type,
                       list blocks) except -1:
    """render_blocks' flush: whitespace only makes no block; a ``pre`` block goes to
    flush_block([raw], ...); any other is normalised here (flush_block's rules)."""
    cdef object text
    if p.size and p.has_text:
        if kind == "pre":
            flush_block([PyUnicode_DecodeUTF8(p.data, p.size, NULL)], kind, link_chars, blocks)
        else:
            text = normalized_lines(p.data, p.size, kind == "tr")
            if text:
                blocks.append(block_type(text, kind, link_chars))
    p.size = 0
    p.has_text = False
    return 0


def render_blocks(list elements, dict render_kinds, flush_block, block_type, list blocks):
    """The walk of cleaning.extract.render_blocks_py, appending to ``blocks``."""
    cdef Pending pending
    cdef _Element top_el
    cdef xmlNode* top
    cdef xmlNode* cur
    cdef xmlNode* child
    cdef xmlNode* sibling
    cdef list kinds
    cdef Py_ssize_t capacity = 64, depth
    cdef int* open_kinds = <int*>malloc(capacity * sizeof(int))
    cdef int* grown
    cdef int kind
    cdef long link_depth, link_chars
    cdef PyObject* found
    cdef object tag, text
    cdef bint descend
    if open_kinds is NULL:
        raise MemoryError()
    pending.data = NULL
    pending.size = pending.capacity = 0
    pending.has_text = False
    cdef TagCache tags
    cdef list keep = []  # the cached tag strings
    tag_cache_init(&tags)
    try:
        for top_el in elements:
            top = top_el._c_node
            tag = node_tag(top) if top.type == tree.XML_ELEMENT_NODE else ""
            kinds = [tag if top.type == tree.XML_ELEMENT_NODE else "div"]
            pending.size = 0
            pending.has_text = False
            link_depth = link_chars = 0
            depth = 0
            cur = top
            while True:
                # start event
                tag = cached_tag(&tags, cur, render_kinds, keep, &kind)
                if depth == capacity:
                    capacity *= 2
                    grown = <int*>realloc(open_kinds, capacity * sizeof(int))
                    if grown is NULL:
                        raise MemoryError()
                    open_kinds = grown
                open_kinds[depth] = kind
                depth += 1
                if kind:
                    if kind <= RENDER_PRE:
                        pending_flush(&pending, kinds[len(kinds) - 1], link_chars, flush_block, block_type, blocks)
                        link_chars = 0
                        kinds.append(tag)
                    elif kind == RENDER_BR:
                        pending_add(&pending, "\n", 1, False)
                    elif kind == RENDER_LINK:
                        link_depth += 1
                    elif pending.has_text:  # a cell after text
                        pending_add(&pending, " | ", 3, True)
                if cur.type == tree.XML_ELEMENT_NODE:
                    pending_add_text(&pending, cur.children, &link_chars, link_depth > 0)
                else:  # comment / PI / entity: lxml's .text is its content
                    text = elementFactory(top_el._doc, cur).text
                    if text:
                        data = (<str>text).encode("utf-8")
                        pending_add(&pending, data, len(data), bool(text.strip()))
                        if link_depth:
                            link_chars += len(text.strip())
                child = first_element(cur)
                if child is not NULL:
                    cur = child
                    continue
                while True:
                    # end event
                    depth -= 1
                    kind = open_kinds[depth]
                    if kind:
                        if kind <= RENDER_PRE:
                            pending_flush(&pending, kinds[len(kinds) - 1], link_chars, flush_block, block_type, blocks)
                            link_chars = 0
                            if len(kinds) > 1:
                                kinds.pop()
                        elif kind == RENDER_LINK:
                            link_depth -= 1
                        elif kind == RENDER_CELL:
                            pending_add(&pending, " ", 1, False)
                    if cur is top:
                        break
                    pending_add_text(&pending, cur.next, &link_chars, link_depth > 0)
                    sibling = next_element(cur)
                    if sibling is not NULL:
                        cur = sibling
                        break
                    cur = cur.parent
                if cur is top and depth == 0:
                    break
            pending_flush(&pending, kinds[len(kinds) - 1], link_chars, flush_block, block_type, blocks)
    finally:
        free(open_kinds)
        free(pending.data)
    return blocks


def text_length(_Element el not None):
    """``len(text_of(el))``: characters of all text inside ``el`` (tail excluded), counted on
    the UTF-8 bytes without making the string."""
    cdef xmlNode* top = el._c_node
    cdef xmlNode* node = top.children
    cdef const unsigned char* s
    cdef long count = 0
    cdef Py_ssize_t i
    if top.type != tree.XML_ELEMENT_NODE:
        return len(el.text or "")  # lxml's text serialisation of a comment / PI
    while node is not NULL:
        if is_text_node(node):
            s = <const unsigned char*>node.content
            if s is not NULL:
                i = 0
                while s[i] != 0:
                    if (s[i] & 0xC0) != 0x80:
                        count += 1
                    i += 1
        if node.type == tree.XML_ELEMENT_NODE and node.children is not NULL:
            node = node.children
            continue
        while node.next is NULL:
            node = node.parent
            if node is top:
                return count
        node = node.next
    return count


COMMA_CODES = (0x2C, 0xFF0C, 0x3001, 0x060C)  # ",", "，", "、", "،" (extract.COMMA_CHARS)


def comma_count(_Element el not None):
    """``count_commas(text_of(el))``: commas of Latin, CJK and Arabic scripts in all text
    inside ``el`` (tail excluded), counted on the UTF-8 bytes."""
    if el._c_node.type != tree.XML_ELEMENT_NODE:
        return sum((el.text or "").count(chr(c)) for c in COMMA_CODES)
    return element_commas(el._c_node)


cdef long element_commas(xmlNode* top) noexcept:
    """:func:`comma_count` of an element node."""
    cdef xmlNode* node = top.children
    cdef const unsigned char* s
    cdef long count = 0
    cdef Py_ssize_t i, size
    cdef unsigned int cp
    while node is not NULL:
        if is_text_node(node):
            s = <const unsigned char*>node.content
            if s is not NULL:
                i = 0
                while s[i] != 0:
                    if s[i] == 0x2C:
                        count += 1
                        i += 1
                    elif s[i] < 0x80:
                        i += 1
                    else:
                        cp = decode_at(s + i, &size)
                        if cp == 0xFF0C or cp == 0x3001 or cp == 0x060C:
                            count += 1
                        i += size
        if node.type == tree.XML_ELEMENT_NODE and node.children is not NULL:
            node = node.children
            continue
        while node.next is NULL:
            node = node.parent
            if node is top:
                return count
        node = node.next
    return count


# ---------------------------------------------------------------------------
# Junk pruning (cleaning.extract.prune_junk_py, anchored_junk_text_py)
# ---------------------------------------------------------------------------

cdef enum:
    IS_JUNK_ANCHORED = IS_JUNK | HAS_ANCHOR


def anchored_junk_text(ElementStats stats not None, list junk, long page_good, double keep_share,
                       is_hidden_or_dialog):
    """cleaning.extract.anchored_junk_text_py on the walk's counters (``is_hidden_or_dialog``
    called only for junk-named elements wrapping an anchor)."""
    cdef long total = 0, skip_until = -1, good
    cdef Py_ssize_t number
    cdef object el
    for el in junk:
        number = stats.find((<_Element?>el)._c_node)
        if number < 0:
            raise KeyError(el)
        if stats.counter(number, INDEX) <= skip_until \
                or stats.counter(number, FLAGS) & IS_JUNK_ANCHORED != IS_JUNK_ANCHORED \
                or is_hidden_or_dialog(el):
            continue
        good = stats.counter(number, TEXT) - stats.counter(number, LINK)
        if good > keep_share * page_good:
            continue
        total += good
        skip_until = stats.counter(number, LAST)
    return total


def prune_junk(ElementStats stats not None, list junk, long page_good, double keep_share,
               double anchored_share, bint anchored_junk_is_content, is_hidden_or_dialog,
               inside_junk, remove_keep_tail):
    """The loop of cleaning.extract.prune_junk_py on the walk's counters: the removed index
    ranges (the Python helpers are called for the rare hidden, toggled and anchored cases, and
    to remove an element)."""
    cdef list removed = []
    cdef long skip_until = -1, flags, good
    cdef Py_ssize_t number
    cdef object el
    for el in junk:
        number = stats.find((<_Element?>el)._c_node)
        if number < 0:
            raise KeyError(el)
        if stats.counter(number, INDEX) <= skip_until:
            continue
        flags = stats.counter(number, FLAGS)
        good = stats.counter(number, TEXT) - stats.counter(number, LINK)
        if flags & (IS_HIDDEN | IS_TOGGLED):
            if flags & IS_TOGGLED and not inside_junk(el, stats):
                continue
        elif flags & HAS_ANCHOR and not is_hidden_or_dialog(el) and (
                anchored_junk_is_content or good > anchored_share * page_good):
            continue
        if good > keep_share * page_good:
            continue
        if parent_element((<_Element>el)._c_node) is NULL:
            continue
        stats.subtract(number, (<_Element>el)._c_node)
        remove_keep_tail(el)
        removed.append((stats.counter(number, INDEX), stats.counter(number, LAST)))
        skip_until = stats.counter(number, LAST)
    return removed


# ---------------------------------------------------------------------------
# Readability scoring (cleaning.extract.score_candidates_py)
# ---------------------------------------------------------------------------

cdef enum:
    SCORED_LEVELS = 5  # a paragraph credits its parent and the 4 ancestors above it


cdef class NodeValues:
    """Floats per walked element, read like a dict keyed by element: ``values[el]``,
    ``values.get(el, default)``, ``el in values``, ``len``, ``items()`` in the order the
    elements got their first value (a dict's order) and ``best()`` (the first element with the
    highest value, as ``max`` over a dict's keys).

    The scores and paragraph mass of :func:`score_candidates`: C arrays indexed by the element
    numbers of the walk's :class:`ElementStats`, so no proxy or dict entry is made per element.
    """
    cdef ElementStats stats
    cdef Py_ssize_t size  # stats.count when made
    cdef double* values  # element number -> value
    cdef unsigned char* valued  # element number -> 1 once it has a value
    cdef Py_ssize_t* order  # element numbers, first valued first
    cdef Py_ssize_t count

    def __cinit__(self, ElementStats stats not None):
        self.stats = stats
        self.size = stats.count
        self.count = 0
        self.values = <double*>malloc(max(self.size, 1) * sizeof(double))
        self.valued = <unsigned char*>calloc(max(self.size, 1), 1)
        self.order = <Py_ssize_t*>malloc(max(self.size, 1) * sizeof(Py_ssize_t))
        if self.values is NULL or self.valued is NULL or self.order is NULL:
            raise MemoryError()

    def __dealloc__(self):
        free(self.values)
        free(self.valued)
        free(self.order)

    cdef inline void start(self, Py_ssize_t number, double value) noexcept:
        """Give an element without a value its first one."""
        self.valued[number] = 1
        self.values[number] = value
        self.order[self.count] = number
        self.count += 1

    cdef inline bint cleared(self) noexcept:
        """True once ``stats`` was cleared (release_in_reverse): no element is found then."""
        return self.stats.nodes is NULL or self.stats.count != self.size

    cdef Py_ssize_t number_of(self, _Element el):
        """The element number of a valued element, -1 for any other (or once stats is
        cleared)."""
        cdef Py_ssize_t number = self.stats.find(el._c_node)
        if number < 0 or number >= self.size or not self.valued[number]:
            return -1
        return number

    def get(self, _Element el not None, default=None):
        cdef Py_ssize_t number = self.number_of(el)
        return default if number < 0 else self.values[number]

    def __getitem__(self, _Element el not None):
        cdef Py_ssize_t number = self.number_of(el)
        if number < 0:
            raise KeyError(el)
        return self.values[number]

    def __contains__(self, _Element el not None):
        return self.number_of(el) >= 0

    def __len__(self):
        return self.count

    def items(self):
        """(element, value) in the order the elements got their first value (makes a proxy
        per element: for tests)."""
        if self.cleared():
            return []
        return [(elementFactory(self.stats.doc, self.stats.nodes[self.order[i]]),
                 self.values[self.order[i]]) for i in range(self.count)]

    def best(self):
        """The element with the highest value, the first valued one on ties; None when
        empty."""
        cdef Py_ssize_t i, best = -1
        if self.cleared():
            return None
        for i in range(self.count):
            if best < 0 or self.values[self.order[i]] > self.values[best]:
                best = self.order[i]
        return None if best < 0 else elementFactory(self.stats.doc, self.stats.nodes[best])


cdef bint in_ranges(long index, const long* starts, const long* lasts,
                    Py_ssize_t count) noexcept nogil:
    """cleaning.extract.is_removed: ``index`` inside one of the sorted ranges (bisect)."""
    cdef Py_ssize_t low = 0, high = count, middle
    while low < high:
        middle = (low + high) // 2
        if index < starts[middle]:
            high = middle
        else:
            low = middle + 1
    return low > 0 and starts[low - 1] <= index <= lasts[low - 1]


cdef object attr_string(xmlNode* node):
    """cleaning.extract.attr_string: class and id as one string ('' when neither)."""
    cdef object cls = attributeValueFromNsName(node, NULL, <const tree.xmlChar*>"class")
    cdef object ident = attributeValueFromNsName(node, NULL, <const tree.xmlChar*>"id")
    if cls and ident:
        return f"{cls} {ident}"
    return cls or ident or ""


def score_candidates(_Element body not None, list paragraphs, ElementStats stats not None,
                     list removed, initial_score):
    """cleaning.extract.score_candidates_py on the walk's element numbers: (scores, mass) as
    :class:`NodeValues`, the same floats (same operations in the same order).

    ``initial_score(tag, attrs)`` is called once per scored element. None when an ancestor of
    a paragraph was not walked or is namespaced (never in parsed HTML): the Python form
    decides then."""
    cdef NodeValues scores = NodeValues(stats), mass = NodeValues(stats)
    cdef Py_ssize_t ranges = len(removed), i, depth = 0, capacity = 32, level, number
    cdef long* starts = <long*>malloc(max(ranges, 1) * sizeof(long))
    cdef long* lasts = <long*>malloc(max(ranges, 1) * sizeof(long))
    cdef Py_ssize_t* chain = <Py_ssize_t*>malloc(capacity * sizeof(Py_ssize_t))
    cdef Py_ssize_t* grown
    cdef xmlNode* top = body._c_node
    cdef xmlNode* node
    cdef xmlNode* parent
    cdef xmlNode* chain_of = NULL  # the parent whose ancestors ``chain`` holds
    cdef long good, text
    cdef double inner, share, link_density
    cdef object el
    try:
        if starts is NULL or lasts is NULL or chain is NULL:
            raise MemoryError()
        for i in range(ranges):
            starts[i], lasts[i] = removed[i]
        for el in paragraphs:
            node = (<_Element?>el)._c_node
            number = stats.find(node)
            if number < 0:
                raise KeyError(el)
            if ranges and in_ranges(stats.counter(number, INDEX), starts, lasts, ranges):
                continue
            good = stats.counter(number, TEXT) - stats.counter(number, LINK)
            if good < MIN_PARAGRAPH:
                continue
            share = good / 100.0
            if 3.0 < share:  # min(n / 100, 3)
                share = 3.0
            inner = <double>(1 + element_commas(node)) + share
            parent = parent_element(node)
            if parent is not chain_of or parent is NULL:
                chain_of = parent
                depth = 0
                while parent is not NULL:  # cleaning.extract.ancestor_chain
                    number = stats.find(parent)
                    if number < 0 or parent.ns is not NULL:
                        return None
                    if depth == capacity:
                        capacity *= 2
                        grown = <Py_ssize_t*>realloc(chain, capacity * sizeof(Py_ssize_t))
                        if grown is NULL:
                            raise MemoryError()
                        chain = grown
                    chain[depth] = number
                    depth += 1
                    if parent is top:
                        break
                    parent = parent_element(parent)
            for level in range(min(depth, SCORED_LEVELS)):
                number = chain[level]
                if not scores.valued[number]:
                    node = stats.nodes[number]
                    scores.start(number, <double>initial_score(node_tag(node), attr_string(node)))
                scores.values[number] += inner / <double>(
                    1 if level == 0 else 2 if level == 1 else level * 3)
            for level in range(depth):
                number = chain[level]
                if not mass.valued[number]:
                    mass.start(number, 0.0)
                mass.values[number] += inner
        for i in range(scores.count):
            number = scores.order[i]
            text = stats.counter(number, TEXT)
            link_density = stats.counter(number, LINK) / <double>text if text > 0 else 0.0
            scores.values[number] *= 1.0 - link_density
        return scores, mass
    finally:
        free(starts)
        free(lasts)
        free(chain)


# ---------------------------------------------------------------------------
# Verdicts of elements whose only attributes are class and id (cleaning.extract.element_verdict)
# ---------------------------------------------------------------------------

cdef class VerdictRules:
    """The rule sets :func:`cleaning.extract.element_verdict` reads for class/id elements,
    and its Python helpers for the rare cases decided there."""
    cdef frozenset skip_tags, guarded_skip_tags, content_words, junk_words, compound_starts
    cdef frozenset positive_words
    cdef Py_ssize_t max_token_run
    cdef object is_hidden_class, python_verdict
    cdef tuple hidden_tokens  # hidden_class_tokens as ASCII bytes
    cdef dict class_cache  # (tag, class) -> verdict of class-only elements (classes repeat)
    cdef tuple verdict_names  # the other attributes that can decide a verdict, as bytes
    cdef object style_hides  # style -> match or None (rules.HIDDEN_STYLE_RE.search)

    def __init__(self, frozenset skip_tags, frozenset guarded_skip_tags, frozenset content_words,
                 frozenset junk_words, frozenset compound_starts, Py_ssize_t max_token_run,
                 frozenset positive_words, frozenset hidden_class_tokens, is_hidden_class,
                 python_verdict, frozenset verdict_attributes, style_hides):
        self.skip_tags = skip_tags
        self.guarded_skip_tags = guarded_skip_tags
        self.content_words = content_words
        self.junk_words = junk_words
        self.compound_starts = compound_starts
        self.max_token_run = max_token_run
        self.positive_words = positive_words
        self.hidden_tokens = tuple(t.encode("ascii") for t in hidden_class_tokens)
        self.class_cache = {}
        self.verdict_names = tuple(a.encode("utf-8") for a in sorted(verdict_attributes)
                                   if a not in ("class", "id", "style"))
        self.style_hides = style_hides
        self.is_hidden_class = is_hidden_class
        self.python_verdict = python_verdict  # (tag, cls, ident) -> (verdict, rank)

    def verdict(self, str tag, str cls, str ident):
        """element_verdict(tag, {"class": cls, "id": ident}) (for tests)."""
        return class_id_verdict(self, tag, cls, ident)


cdef list class_tokens(VerdictRules rules, str text, bint* hidden):
    """cleaning.extract.class_tokens of an ASCII class/id string (lower-cased runs between
    whitespace, '-' and '_'); sets ``hidden`` when a whitespace-separated token is one of
    HIDDEN_CLASS_TOKENS (is_hidden_class's first test). None for a non-ASCII string (decided
    in Python: Unicode case folds and spaces)."""
    cdef list tokens = []
    cdef const char* s
    cdef Py_ssize_t n, i, start = -1, word = -1
    cdef unsigned char c
    cdef bint space, dash
    cdef char buffer[256]
    cdef char* low
    cdef bytes token
    s = PyUnicode_AsUTF8AndSize(text, &n)
    if n > 256:
        low = <char*>malloc(n)
        if low is NULL:
            raise MemoryError()
    else:
        low = buffer
    try:
        for i in range(n + 1):
            c = <unsigned char>s[i] if i < n else 0x20
            if c >= 0x80:
                return None
            space = c == 0x20 or (0x09 <= c <= 0x0D) or (0x1C <= c <= 0x1F)
            dash = c == 0x2D or c == 0x5F
            if space or dash:
                if start >= 0:
                    tokens.append(PyUnicode_DecodeUTF8(low + start, i - start, NULL))
                    start = -1
                if space and word >= 0:
                    if not hidden[0]:
                        for token in rules.hidden_tokens:
                            if len(token) == i - word and memcmp(<const char*>token, low + word, i - word) == 0:
                                hidden[0] = True
                                break
                    word = -1
                if dash:
                    low[i] = c
                    if word < 0:
                        word = i
            else:
                if start < 0:
                    start = i
                if word < 0:
                    word = i
                low[i] = c + 32 if 0x41 <= c <= 0x5A else c
    finally:
        if low is not buffer:
            free(low)
    return tokens


cdef object word_runs(VerdictRules rules, list tokens):
    """cleaning.extract.token_runs on the tokens (runs joined only after a compound start)."""
    cdef Py_ssize_t count = len(tokens), i, n
    cdef set words
    cdef object token
    cdef bint has_start = False
    if count < 2:
        return tokens
    for token in tokens:
        if token in rules.compound_starts:
            has_start = True
            break
    if not has_start:
        return tokens
    words = set(tokens)
    for i in range(count):
        if tokens[i] in rules.compound_starts:
            for n in range(2, min(rules.max_token_run, count - i) + 1):
                words.add("".join(tokens[i:i + n]))
    return words


cdef inline bint any_in(object words, frozenset rule_words):
    cdef object word
    for word in words:
        if word in rule_words:
            return True
    return False


cdef int classify(VerdictRules rules, object words):
    """cleaning.extract.classify_words on the words of a class/id string."""
    if any_in(words, rules.content_words):
        return CONTENT
    if any_in(words, rules.junk_words):
        return JUNK
    return NEUTRAL


CLASS_CACHE_SIZE = 16384  # entries before the class-only verdict cache starts over


cdef tuple class_id_verdict(VerdictRules rules, str tag, str cls, str ident):
    """element_verdict(tag, {"class": cls, "id": ident}): cached for class-only elements (a
    page repeats its classes; ids are unique), judged in C for ASCII class/id strings."""
    cdef tuple key, verdict
    cdef PyObject* found
    if ident:
        return judge_class_id(rules, tag, cls, ident)
    key = (tag, cls)
    found = PyDict_GetItem(rules.class_cache, key)
    if found is not NULL:
        return <tuple>found
    verdict = judge_class_id(rules, tag, cls, ident)
    if len(rules.class_cache) >= CLASS_CACHE_SIZE:
        rules.class_cache.clear()
    rules.class_cache[key] = verdict
    return verdict


cdef tuple judge_class_id(VerdictRules rules, str tag, str cls, str ident):
    """class_id_verdict without the cache."""
    cdef list cls_tokens, id_tokens
    cdef object cls_words
    cdef int cls_verdict, id_verdict, verdict
    cdef bint hidden = False, id_hidden = False
    cls_tokens = class_tokens(rules, cls, &hidden)
    id_tokens = class_tokens(rules, ident, &id_hidden)
    if cls_tokens is None or id_tokens is None:
        return rules.python_verdict(tag, cls, ident)
    if tag in rules.skip_tags:
        return (JUNK, 0)
    if hidden and rules.is_hidden_class(cls):
        return (TOGGLED, 0)
    cls_words = word_runs(rules, cls_tokens) if cls_tokens else cls_tokens
    cls_verdict = classify(rules, cls_words) if cls_tokens else NEUTRAL
    id_verdict = classify(rules, word_runs(rules, id_tokens)) if id_tokens else NEUTRAL
    if cls_verdict == CONTENT or id_verdict == CONTENT:  # named_verdict
        return (CONTENT, 2)
    verdict = JUNK if (cls_verdict == JUNK or id_verdict == JUNK) else NEUTRAL
    if tag == "article":
        return (verdict, 3)
    if tag == "main":
        return (verdict, 4)
    if verdict == NEUTRAL and tag in rules.guarded_skip_tags:
        if tag == "header" and cls and any_in(cls_words, rules.positive_words):
            return (NEUTRAL, 0)  # entry-header / article-header: title, lead, byline
        return (JUNK, 0)
    return (verdict, 0)


# ---------------------------------------------------------------------------
# Parse input (cleaning.parse.encode_without_controls and the CONTROL_BYTES translate)
# ---------------------------------------------------------------------------

cdef inline bint is_control(unsigned int c) noexcept nogil:
    """C0 controls other than tab, newline and carriage return, and DEL."""
    return (c < 0x20 and c != 0x09 and c != 0x0A and c != 0x0D) or c == 0x7F


cdef bint has_control(const unsigned char* s, Py_ssize_t n) noexcept nogil:
    """Any control byte in ``s`` (a branch-free reduction: the compiler vectorises it)."""
    cdef Py_ssize_t i
    cdef unsigned char found = 0
    cdef unsigned char c
    for i in range(n):
        c = s[i]
        found |= ((c < 0x20) & (c != 0x09) & (c != 0x0A) & (c != 0x0D)) | (c == 0x7F)
    return found != 0


def bytes_without_controls(bytes data not None):
    """``data.translate(None, CONTROL_BYTES)``: ``data`` itself when it holds no control byte
    (the common case: one vectorised scan, no copy).

    >>> bytes_without_controls(b"a\\x00b\\x7f\\tc"), bytes_without_controls(b"ok") is not None
    (b'ab\\tc', True)
    """
    cdef const unsigned char* s = <const unsigned char*><const char*>data
    cdef Py_ssize_t n = len(data), i, o = 0
    cdef char* out
    if not has_control(s, n):
        return data
    out = <char*>malloc(n)
    if out is NULL:
        raise MemoryError()
    try:
        for i in range(n):
            if not is_control(s[i]):
                out[o] = s[i]
                o += 1
        return PyBytes_FromStringAndSize(out, o)
    finally:
        free(out)


def utf8_without_controls(str text not None):
    """``text.encode("utf-8", "replace")`` without the control bytes (CPython's encoder, then
    the scan of :func:`bytes_without_controls` instead of a translate pass).

    >>> utf8_without_controls("a\\x00b\\x07c\\né\\ud800😀")
    b'abc\\n\\xc3\\xa9?\\xf0\\x9f\\x98\\x80'
    """
    return bytes_without_controls(text.encode("utf-8", "replace"))


# ---------------------------------------------------------------------------
# Word count (cleaning.pipeline.count_words)
# ---------------------------------------------------------------------------

CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF),
              (0xF900, 0xFAFF))  # cleaning.pipeline's _CJK class


cdef inline bint is_cjk(unsigned int c) noexcept nogil:
    return (0x3040 <= c <= 0x30FF or 0x3400 <= c <= 0x4DBF or 0x4E00 <= c <= 0x9FFF
            or 0xAC00 <= c <= 0xD7AF or 0xF900 <= c <= 0xFAFF)


def count_words(str text not None):
    """Runs of word characters (regex ``\\w``: alphanumeric or '_') outside CJK, plus one per
    CJK character: cleaning.pipeline.count_words in one pass.

    >>> count_words("Hello, world! 你好"), count_words("It's 1,006.57 e-mail_addresses (ok).")
    (4, 8)
    """
    cdef unsigned int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i, count = 0
    cdef unsigned int c
    cdef bint in_word = False, word
    for i in range(n):
        if kind == PyUnicode_1BYTE_KIND:
            c = (<unsigned char*>data)[i]
        elif kind == PyUnicode_2BYTE_KIND:
            c = (<unsigned short*>data)[i]
        else:
            c = (<unsigned int*>data)[i]
        if c < 0x80:
            word = (0x61 <= (c | 0x20) <= 0x7A) or (0x30 <= c <= 0x39) or c == 0x5F
        elif is_cjk(c):
            count += 1
            in_word = False
            continue
        else:
            word = Py_UNICODE_ISALNUM(<Py_UCS4>c)
        if word and not in_word:
            count += 1
        in_word = word
    return count


# ---------------------------------------------------------------------------
# cleaning.repair.text_flags: what the plain-text repair path would look for, in one pass
# ---------------------------------------------------------------------------

cdef enum:
    CHAR_ALONE = 1  # unusual wherever it stands (table bits; cleaning.repair.char_table)
    CHAR_LEAD = 2  # unusual when a continuation character follows
    CHAR_CONTINUATION = 4
    FLAG_UNUSUAL = 1  # the flags of cleaning.repair.text_flags
    FLAG_SPACING = 2
    FLAG_STOP = 4
    FLAG_BRACKETS = 8
    FLAG_QUOTE = 16


cdef inline bint is_ascii_lower(Py_UCS4 c) noexcept nogil:
    return 0x61 <= c <= 0x7A


cdef inline bint is_ascii_letter(Py_UCS4 c) noexcept nogil:
    return 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


cdef bint is_contraction_end(unsigned int kind, void* data, Py_ssize_t i, Py_ssize_t n) noexcept nogil:
    """t, s, d, m, re, ve or ll at ``i``, then no ASCII letter (GLUED_OPEN_QUOTE's exclusion)."""
    cdef Py_UCS4 a = char_at(kind, data, i)
    cdef Py_UCS4 b = char_at(kind, data, i + 1) if i + 1 < n else 0
    if a == 0x74 or a == 0x73 or a == 0x64 or a == 0x6D:  # t s d m
        if not is_ascii_letter(b):
            return True
    if (a == 0x72 and b == 0x65) or (a == 0x76 and b == 0x65) or (a == 0x6C and b == 0x6C):
        return i + 2 >= n or not is_ascii_letter(char_at(kind, data, i + 2))  # re ve ll
    return False


def text_flags(str text not None, bytes table not None):
    """cleaning.repair.text_flags_py in one pass over the code points; ``table``: one byte of
    CHAR_* bits per BMP code point (cleaning.repair.char_table).

    >>> from cleaning.repair import CHAR_TABLE
    >>> text_flags("a b", CHAR_TABLE), text_flags("a  b ( c ) .", CHAR_TABLE), text_flags("the'Old'", CHAR_TABLE)
    (0, 14, 16)
    """
    cdef unsigned int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i
    cdef const unsigned char* bits = table
    cdef Py_ssize_t size = len(table)
    cdef Py_UCS4 c, after
    cdef unsigned char b
    cdef int flags = 0
    if n == 0:
        return FLAG_SPACING  # has_normal_spacing("") is False
    c = char_at(kind, data, 0)
    if c == 0x20 or c == 0x0A:
        flags |= FLAG_SPACING
    c = char_at(kind, data, n - 1)
    if c == 0x20 or c == 0x0A:
        flags |= FLAG_SPACING
    for i in range(n):
        c = char_at(kind, data, i)
        after = char_at(kind, data, i + 1) if i + 1 < n else 0
        if c >= 0x80:
            b = bits[c] if c < <Py_UCS4>size else 0
            if b & CHAR_LEAD:
                if after and after < <Py_UCS4>size and bits[after] & CHAR_CONTINUATION:
                    flags |= FLAG_UNUSUAL
            elif b & CHAR_ALONE:
                flags |= FLAG_UNUSUAL
        elif c == 0x20:  # "  ", " \n", " .", " ,", " )", " ]"
            if after == 0x20 or after == 0x0A:
                flags |= FLAG_SPACING
            elif after == 0x2E or after == 0x2C:
                flags |= FLAG_STOP
            elif after == 0x29 or after == 0x5D:
                flags |= FLAG_BRACKETS
        elif c == 0x0A:  # "\n ", "\n\n\n"
            if after == 0x20 or (after == 0x0A and i + 2 < n and char_at(kind, data, i + 2) == 0x0A):
                flags |= FLAG_SPACING
        elif c == 0x28 or c == 0x5B:  # "( ", "[ "
            if after == 0x20:
                flags |= FLAG_BRACKETS
        elif c == 0x27 or c == 0x22:  # GLUED_QUOTE_CANDIDATE: "ab'C", not "don't"
            if i >= 2 and is_ascii_lower(char_at(kind, data, i - 1)) \
                    and is_ascii_lower(char_at(kind, data, i - 2)) and is_ascii_letter(after) \
                    and not is_contraction_end(kind, data, i + 1, n):
                flags |= FLAG_QUOTE
        elif c < 0x20 or c == 0x7F:
            if bits[c] & CHAR_ALONE:
                flags |= FLAG_UNUSUAL
    return flags


# ---------------------------------------------------------------------------
# cleaning.metadata.find_title_element: the elements whose own text may hold the title
# ---------------------------------------------------------------------------

cdef bint own_text_may_hold(xmlNode* node, const char* probe) noexcept nogil:
    """True when ``probe`` (UTF-8) is in the node's lxml ``.text``, or when that text is split
    over several text nodes (left to the caller's exact test)."""
    cdef xmlNode* first
    if node.type != tree.XML_ELEMENT_NODE:  # comment, PI, entity: rare, always the caller's
        return True
    first = text_or_skip(node.children)
    if first is NULL:
        return False
    if text_or_skip(first.next) is not NULL:
        return True
    return first.content is not NULL and strstr(<const char*>first.content, probe) is not NULL


def nodes_with_text(_Element root not None, bytes probe not None):
    """What ``root.iter()`` yields, in the same order, less the elements whose ``.text``
    certainly does not contain ``probe`` (the UTF-8 of a str: a substring of the bytes is a
    substring of the text). The other nodes get no proxy.

    >>> from lxml import etree
    >>> root = etree.fromstring("<r><a>x title</a><b>no</b><c>title<d/>tail</c></r>")
    >>> [el.tag for el in nodes_with_text(root, b"title")]
    ['a', 'c']
    """
    cdef list found = []
    cdef _Document doc = root._doc
    cdef xmlNode* top = root._c_node
    cdef xmlNode* node = top
    cdef const char* needle = probe
    while node is not NULL:
        if own_text_may_hold(node, needle):
            found.append(elementFactory(doc, node))
        node = next_in_subtree(node, top)
    return found


# ---------------------------------------------------------------------------
# cleaning.metadata.near_marked: byline and microdata elements around the title element
# ---------------------------------------------------------------------------

cdef bint has_ascii_nocase(const char* text, const char* word) noexcept nogil:
    """``word`` (lower-case ASCII) in ``text`` ignoring ASCII case (on UTF-8 bytes: no
    character but K (Kelvin) and İ lower-cases to ASCII letters, and neither completes one of
    the words looked for here)."""
    cdef size_t n = strlen(word), i
    cdef const char* p = text
    while p[0] != 0:
        i = 0
        while i < n and p[i] != 0 and (p[i] | 0x20 if 0x41 <= p[i] <= 0x5A else p[i]) == word[i]:
            i += 1
        if i == n:
            return True
        p += 1
    return False


cdef const char* plain_value(xmlAttr* attr) noexcept nogil:
    """An attribute's value when it is one text node ("" when empty), else NULL."""
    cdef xmlNode* child = attr.children
    if child is NULL or (child.type == tree.XML_TEXT_NODE and child.content is NULL
                         and child.next is NULL):
        return b""
    if child.type != tree.XML_TEXT_NODE or child.next is not NULL:
        return NULL
    return <const char*>child.content


cdef int node_marks(xmlNode* node) noexcept nogil:
    """1: a byline element (cleaning.metadata.is_byline_element); 2: it has an itemprop;
    -1: a value this does not read (left to the Python form)."""
    cdef xmlAttr* attr = node.properties
    cdef int marks = 0
    cdef const char* value
    cdef const char* name
    while attr is not NULL:
        if attr.type == tree.XML_ATTRIBUTE_NODE and attr.ns is NULL:
            name = <const char*>attr.name
            if strcmp(name, "class") == 0 or strcmp(name, "itemprop") == 0 \
                    or strcmp(name, "rel") == 0:
                value = plain_value(attr)
                if value is NULL:
                    return -1
                if name[0] == b"c":
                    if has_ascii_nocase(value, "author") or has_ascii_nocase(value, "byline"):
                        marks |= 1
                elif name[0] == b"i":
                    marks |= 2
                    if strcmp(value, "author") == 0:
                        marks |= 1
                elif strstr(value, "author") is not NULL:
                    marks |= 1
        attr = attr.next
    return marks


cdef int mark_subtree(_Document doc, xmlNode* top, list bylines, list itemprops,
                      Py_ssize_t* budget) except -2:
    """node_marks of ``top`` and its descendant elements, in document order, appending the
    marked ones; stops after ``budget`` elements (a negative budget: no limit)."""
    cdef xmlNode* node = top
    cdef int marks
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            if budget[0] == 0:
                return 0
            budget[0] -= 1
            marks = node_marks(node)
            if marks < 0:
                return -1
            if marks & 1:
                bylines.append(elementFactory(doc, node))
            if marks & 2:
                itemprops.append(elementFactory(doc, node))
        node = next_in_subtree(node, top)
    return 0


def near_marked(_Element anchor not None, Py_ssize_t following):
    """(byline elements, elements with an itemprop) among cleaning.metadata.elements_near of
    ``anchor`` (its first ``following`` elements after it, then the subtrees of its preceding
    siblings), in that order; proxies only for those. None when an attribute value is not
    plain text (left to the Python form).

    >>> from lxml import etree
    >>> root = etree.fromstring("<html><div><p class='Post-ByLine'>x</p><h1>T</h1><span itemprop='author'>a</span></div></html>")
    >>> [[el.tag for el in found] for found in near_marked(root[0][1], 80)]
    [['span', 'p'], ['span']]
    """
    cdef list bylines = [], itemprops = []
    cdef _Document doc = anchor._doc
    cdef xmlNode* node = anchor._c_node
    cdef xmlNode* sibling
    cdef Py_ssize_t budget = following, unlimited = -1
    while node is not NULL and _isElement(node) and not (
            node.type == tree.XML_ELEMENT_NODE and node.ns is NULL
            and strcmp(<const char*>node.name, "html") == 0):
        sibling = next_element(node)
        while sibling is not NULL and budget != 0:
            if mark_subtree(doc, sibling, bylines, itemprops, &budget) < 0:
                return None
            sibling = next_element(sibling)
        if budget == 0:
            break
        node = node.parent
    sibling = anchor._c_node.prev
    while sibling is not NULL:
        if _isElement(sibling) and mark_subtree(doc, sibling, bylines, itemprops, &unlimited) < 0:
            return None
        sibling = sibling.prev
    return bylines, itemprops


def count_elements(_Element root not None, Py_ssize_t stop):
    """Elements in ``root``'s document (XPath ``count(//*)``), counted up to ``stop`` (the
    caller only asks whether there are that many).

    >>> from lxml import etree
    >>> root = etree.fromstring("<r><a/><!-- c --><b><c/></b></r>")
    >>> count_elements(root[1], 100), count_elements(root, 2)
    (4, 2)
    """
    cdef xmlNode* top = <xmlNode*>root._doc._c_doc
    cdef xmlNode* node = top.children
    cdef Py_ssize_t count = 0
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            count += 1
            if count >= stop:
                return count
            if node.children is not NULL:
                node = node.children
                continue
        while node.next is NULL:
            node = node.parent
            if node is NULL or node is top:
                return count
        node = node.next
    return count


# Line rules (cleaning.lines.match_line_rule_py)
# ---------------------------------------------------------------------------

cimport cython
from cpython.unicode cimport (
    Py_UNICODE_ISDECIMAL, Py_UNICODE_ISSPACE, PyUnicode_FindChar, PyUnicode_Substring)

cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object text)
    int __builtin_ctzll(unsigned long long x) nogil  # (gcc and clang)

LINE_PREFIX = 2  # characters of the line start that line_rules_for narrows by (the cache key)
MAX_KEYWORDS = 64  # one bit each in a found-keywords mask
MAX_SIGNAL_BITS = 32  # a line's signals are an unsigned int

cdef enum:
    NO_SECOND = 0x1FFFFF  # second code point of a one-character line in the cache key
    MAX_CACHED_STARTS = 65536  # the cache is emptied past this (a bound, not a working size)


cdef inline unsigned int char_at(unsigned int kind, const void* data, Py_ssize_t i) noexcept nogil:
    if kind == PyUnicode_1BYTE_KIND:
        return (<const unsigned char*>data)[i]
    if kind == PyUnicode_2BYTE_KIND:
        return (<const unsigned short*>data)[i]
    return (<const unsigned int*>data)[i]


cdef inline unsigned int ascii_lower(unsigned int c) noexcept nogil:
    return c | 0x20 if 0x41 <= c <= 0x5A else c


@cython.final  # (its cdef methods called directly, inlined: no vtable)
cdef class StartRules:
    """The anchored rules that can match lines of one start (lines.line_rules_with_needs), each
    with the signals it needs and the Latin-1 characters a line it matches can end with
    (lines.line_end_mask)."""
    cdef tuple reasons
    cdef tuple matches  # regex.match of each rule
    cdef unsigned int* needs  # signal bits a line must have for each rule
    cdef unsigned long long* ends  # 4 words (256 bits) per rule
    cdef Py_ssize_t n

    def __cinit__(self):
        self.ends = NULL
        self.needs = NULL

    def __dealloc__(self):
        free(self.ends)
        free(self.needs)

    def __init__(self, rules, dict parts not None, end_mask):
        """``rules``: (reason, regex, needed signals); ``parts``: id(regex) -> (regex, regex.match, the
        four 64-bit words of end_mask(regex)), filled here and shared by the StartRules of one
        LineRules (a new line start costs no end_mask or bound-method work per rule)."""
        cdef Py_ssize_t i, w
        rules = tuple(rules)
        self.n = len(rules)
        free(self.ends)  # (__init__ run again)
        free(self.needs)
        self.ends = <unsigned long long*>malloc((4 * self.n + 1) * sizeof(unsigned long long))
        self.needs = <unsigned int*>malloc((self.n + 1) * sizeof(unsigned int))
        if self.ends == NULL or self.needs == NULL:
            raise MemoryError()
        matches = []
        for i, (_, regex, needed) in enumerate(rules):
            self.needs[i] = needed
            part = parts.get(id(regex))
            if part is None:  # (the regex is kept in the entry: its id stays its own)
                mask = end_mask(regex)
                part = parts[id(regex)] = (regex, regex.match) + tuple(
                    (mask >> (64 * w)) & 0xFFFFFFFFFFFFFFFF for w in range(4))
            matches.append(part[1])
            for w in range(4):
                self.ends[4 * i + w] = part[2 + w]
        self.reasons = tuple(reason for reason, _, _ in rules)
        self.matches = tuple(matches)

    cdef inline bint may_match(self, Py_ssize_t i, unsigned int signals, unsigned int last) noexcept:
        """True unless the line lacks a signal rule i needs or ends with a character it cannot."""
        return not (self.needs[i] & ~signals) and (
            last >= 256 or (self.ends[4 * i + (last >> 6)] >> (last & 63)) & 1)


@cython.final  # (its cdef methods called directly, inlined: no vtable)
cdef class LineRules:
    """cleaning.lines.match_line_rule_py in one pass over the line's code points: strip, length,
    signal bits (a table for Latin-1, a sorted array above, str.isdecimal for digits), the
    narrowed anchored rules from a dict keyed by the first two code points instead of
    line_rules_for's lru_cache on a new 2-character string and the signals, of which a rule is
    tried only if the line has the signals it needs and its last character can end its match (lines.line_end_mask; the Python form tries
    them: same reasons), and the keyword gate of the unanchored rules as
    first/second-character tables + compare instead of a regex search.

    The regexes are still Python's ``re`` (the rules' own semantics). The keyword test reads a
    pure-ASCII line lower-cased in place; any other line is lower-cased by str.lower (Unicode
    lower-casing has special cases: 'İ' becomes two characters, 'Σ' depends on context).
    Built by cleaning.lines from its rule data (see there); same reasons as the Python form.
    """
    cdef unsigned int latin1_bits[256]
    cdef unsigned int* wide_chars  # sorted signal characters >= U+0100 ...
    cdef unsigned int* wide_bits  # ... and their bits
    cdef Py_ssize_t n_wide
    cdef unsigned int digit_bits
    cdef Py_ssize_t max_line
    cdef object rules_for
    cdef object end_mask
    cdef dict rule_parts  # StartRules' per-regex data
    cdef dict rules_cache
    cdef list keyword_searches  # regex.search of each keyword's rules, in rule order
    cdef unsigned int* keyword_chars  # the keywords' code points, one after another
    cdef Py_ssize_t keyword_at[64]
    cdef Py_ssize_t keyword_len[64]
    cdef unsigned long long latin1_first[256]  # keywords starting with each Latin-1 character
    cdef unsigned long long latin1_second[256]  # ... whose second character is it (or have none)
    cdef unsigned long long wide_second  # ... whose second character is >= U+0100 (or none)
    cdef unsigned long long single  # one-character keywords
    cdef unsigned int wide_first[64]  # first characters >= U+0100 ...
    cdef unsigned long long wide_first_mask[64]  # ... and their keywords
    cdef Py_ssize_t n_wide_first

    def __cinit__(self):
        self.wide_chars = NULL
        self.wide_bits = NULL
        self.keyword_chars = NULL

    def __dealloc__(self):
        free(self.wide_chars)
        free(self.wide_bits)
        free(self.keyword_chars)

    def __init__(self, dict char_bits not None, unsigned int digit_bits, Py_ssize_t max_line,
                 rules_for, end_mask, tuple keyword_rules not None):
        """``char_bits``: signal bits per character (lines._CHAR_BITS), ``digit_bits``: of any
        decimal digit, ``rules_for(start)``: lines.line_rules_with_needs, ``end_mask(regex)``:
        lines.line_end_mask, ``keyword_rules``:
        rules.ANYWHERE_RULES ((lower-cased keyword, regex), in order)."""
        cdef Py_ssize_t i, k, total = 0
        if len(keyword_rules) > MAX_KEYWORDS:
            raise ValueError("too many keywords")
        if digit_bits >> MAX_SIGNAL_BITS or any(b >> MAX_SIGNAL_BITS for b in char_bits.values()):
            raise ValueError("too many signal classes")
        for i in range(256):
            self.latin1_bits[i] = char_bits.get(chr(i), 0) | (digit_bits if chr(i).isdecimal() else 0)
            self.latin1_first[i] = 0
            self.latin1_second[i] = 0
        self.wide_second = self.single = 0
        wide = sorted((ord(c), b) for c, b in char_bits.items() if ord(c) >= 256)
        self.n_wide = len(wide)
        free(self.wide_chars)  # (__init__ run again)
        free(self.wide_bits)
        free(self.keyword_chars)
        self.wide_bits = self.keyword_chars = NULL
        self.wide_chars = <unsigned int*>malloc((self.n_wide + 1) * sizeof(unsigned int))
        self.wide_bits = <unsigned int*>malloc((self.n_wide + 1) * sizeof(unsigned int))
        if self.wide_chars == NULL or self.wide_bits == NULL:
            raise MemoryError()
        for i, (c, b) in enumerate(wide):
            self.wide_chars[i] = c
            self.wide_bits[i] = b
        self.digit_bits = digit_bits
        self.max_line = max_line
        self.rules_for = rules_for
        self.end_mask = end_mask
        self.rule_parts = {}
        self.rules_cache = {}
        words = [word for word, _ in keyword_rules]
        if not all(words):
            raise ValueError("empty keyword")
        self.keyword_searches = [regex.search for _, regex in keyword_rules]
        self.keyword_chars = <unsigned int*>malloc((sum(map(len, words)) + 1) * sizeof(unsigned int))
        if self.keyword_chars == NULL:
            raise MemoryError()
        self.n_wide_first = 0
        for k, word in enumerate(words):
            self.keyword_at[k] = total
            self.keyword_len[k] = len(word)
            for ch in word:
                self.keyword_chars[total] = ord(ch)
                total += 1
            if len(word) == 1:
                self.single |= 1ULL << k
                self.wide_second |= 1ULL << k
                for i in range(256):
                    self.latin1_second[i] |= 1ULL << k
            elif ord(word[1]) < 256:
                self.latin1_second[ord(word[1])] |= 1ULL << k
            else:
                self.wide_second |= 1ULL << k
            first = ord(word[0])
            if first < 256:
                self.latin1_first[first] |= 1ULL << k
                continue
            for i in range(self.n_wide_first):
                if self.wide_first[i] == first:
                    break
            else:
                i = self.n_wide_first
                self.wide_first[i] = first
                self.wide_first_mask[i] = 0
                self.n_wide_first += 1
            self.wide_first_mask[i] |= 1ULL << k

    cdef inline unsigned int bits_of(self, unsigned int c) noexcept:
        cdef Py_ssize_t lo = 0, hi = self.n_wide, mid
        cdef unsigned int bits
        if c < 256:
            return self.latin1_bits[c]
        bits = self.digit_bits if Py_UNICODE_ISDECIMAL(<Py_UCS4>c) else 0
        while lo < hi:
            mid = (lo + hi) >> 1
            if self.wide_chars[mid] < c:
                lo = mid + 1
            elif self.wide_chars[mid] > c:
                hi = mid
            else:
                return bits | self.wide_bits[mid]
        return bits

    cdef inline unsigned long long keywords_starting(self, unsigned int c) noexcept:
        cdef Py_ssize_t i
        if c < 256:
            return self.latin1_first[c]
        for i in range(self.n_wide_first):
            if self.wide_first[i] == c:
                return self.wide_first_mask[i]
        return 0

    cdef unsigned long long keywords_in(self, unsigned int kind, const void* data,
                                        Py_ssize_t start, Py_ssize_t end, bint lower) noexcept:
        """Mask of the keywords occurring in data[start:end] (read lower-cased with ``lower``:
        ASCII text only). A keyword is compared only where the text's next two characters can
        begin it (two table look-ups)."""
        cdef unsigned long long found = 0, candidates, second
        cdef Py_ssize_t i, j, k, n
        cdef unsigned int c, following
        cdef unsigned int* word
        if start >= end:
            return 0
        following = char_at(kind, data, start)
        for i in range(start, end):
            c = ascii_lower(following) if lower else following
            if i + 1 < end:
                following = char_at(kind, data, i + 1)
                if lower:
                    following = ascii_lower(following)
                second = self.latin1_second[following] if following < 256 else self.wide_second
            else:
                second = self.single
            candidates = self.keywords_starting(c) & second & ~found
            while candidates:
                k = __builtin_ctzll(candidates)
                candidates &= candidates - 1
                n = self.keyword_len[k]
                if n > end - i:
                    continue
                word = self.keyword_chars + self.keyword_at[k]
                for j in range(1, n):
                    c = char_at(kind, data, i + j)
                    if lower:
                        c = ascii_lower(c)
                    if c != word[j]:
                        break
                else:
                    found |= 1ULL << k
        return found

    cdef StartRules start_rules(self, str stripped, unsigned int first, unsigned int second):
        """The rules of line_rules_with_needs(stripped[:2]), cached."""
        key = ((<unsigned long long>first) << 21) | second
        cdef PyObject* cached = PyDict_GetItem(self.rules_cache, key)
        if cached != NULL:
            return <StartRules>cached
        if len(self.rules_cache) >= MAX_CACHED_STARTS:
            self.rules_cache.clear()
        rules = StartRules(self.rules_for(stripped[:LINE_PREFIX]), self.rule_parts,
                           self.end_mask)
        self.rules_cache[key] = rules
        return rules

    cdef object match_span(self, str text, Py_ssize_t start, Py_ssize_t end, bint ascii):
        """match() of the line text[start:end] (``ascii``: text holds only ASCII)."""
        cdef unsigned int kind = PyUnicode_KIND(text)
        cdef const void* data = PyUnicode_DATA(text)
        cdef Py_ssize_t i
        cdef unsigned int signals = 0, second, last
        cdef StartRules rules
        cdef unsigned long long found
        while start < end and Py_UNICODE_ISSPACE(<Py_UCS4>char_at(kind, data, start)):
            start += 1
        while end > start and Py_UNICODE_ISSPACE(<Py_UCS4>char_at(kind, data, end - 1)):
            end -= 1
        if start == end or end - start > self.max_line:
            return None
        for i in range(start, end):
            signals |= self.bits_of(char_at(kind, data, i))
        if start == 0 and end == PyUnicode_GET_LENGTH(text):
            stripped = text
        else:
            stripped = PyUnicode_Substring(text, start, end)
        second = char_at(kind, data, start + 1) if end - start > 1 else NO_SECOND
        rules = self.start_rules(stripped, char_at(kind, data, start), second)
        last = char_at(kind, data, end - 1)
        for i in range(rules.n):
            if rules.may_match(i, signals, last) and rules.matches[i](stripped) is not None:
                return rules.reasons[i]
        if ascii:
            found = self.keywords_in(kind, data, start, end, True)
        else:
            lowered = stripped.lower()
            found = self.keywords_in(PyUnicode_KIND(lowered), PyUnicode_DATA(lowered), 0,
                                     PyUnicode_GET_LENGTH(lowered), False)
        while found:
            match = self.keyword_searches[__builtin_ctzll(found)](stripped)
            if match is not None:
                return match.lastgroup
            found &= found - 1
        return None

    def match(self, str line not None):
        """Name of the first boilerplate rule a (short) line matches, else None
        (cleaning.lines.match_line_rule_py).

        >>> import cleaning.lines as lines
        >>> rules = lines.compiled_line_rules()
        >>> rules.match(" Tel: +86-17091920596 "), rules.match("12,345 views"), rules.match("Hi")
        ('contact', 'counter', None)
        """
        return self.match_span(line, 0, PyUnicode_GET_LENGTH(line), PyUnicode_IS_ASCII(line))

    def drop_lines(self, str text not None):
        """``text`` without the lines ('\\n'-separated) a rule matches: ``text`` itself when none
        does, None when every line does (cleaning.lines.drop_rule_lines_py).

        >>> import cleaning.lines as lines
        >>> rules = lines.compiled_line_rules()
        >>> text = "Body\\nTel: 123 456 789\\nMore"
        >>> rules.drop_lines(text), rules.drop_lines("Body") == "Body", rules.drop_lines("Tel: 123 456 789")
        ('Body\\nMore', True, None)
        """
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), start = 0, end
        cdef bint ascii = PyUnicode_IS_ASCII(text)
        cdef list kept = None  # made at the first dropped line
        while True:
            end = PyUnicode_FindChar(text, 10, start, n, 1)
            if end < 0:
                end = n
            if self.match_span(text, start, end, ascii) is None:
                if kept is not None:
                    kept.append(PyUnicode_Substring(text, start, end))
            elif kept is None:
                kept = [PyUnicode_Substring(text, 0, start - 1)] if start else []
            if end == n:
                break
            start = end + 1
        if kept is None:
            return text
        return "\n".join(kept) if kept else None


# ---------------------------------------------------------------------------
# cleaning.parse.scan_signals: the metadata tags read in one walk, scripts to drop found
# ---------------------------------------------------------------------------

cdef enum:
    SIG_NONE = 0
    SIG_META = 1
    SIG_LINK = 2
    SIG_SCRIPT = 3
    SIG_TITLE = 4
    SIG_H1 = 5
    SIG_TIME = 6
    SIG_HTML = 7
    SIG_NOSCRIPT = 8


cdef int signal_kind(xmlNode* node) noexcept nogil:
    """Which of cleaning.parse.SIGNAL_TAGS (or noscript) a no-namespace element is."""
    cdef const char* name = <const char*>node.name
    if node.ns is not NULL or name is NULL:
        return SIG_NONE
    if name[0] == b"m":
        return SIG_META if strcmp(name, "meta") == 0 else SIG_NONE
    if name[0] == b"l":
        return SIG_LINK if strcmp(name, "link") == 0 else SIG_NONE
    if name[0] == b"s":
        return SIG_SCRIPT if strcmp(name, "script") == 0 else SIG_NONE
    if name[0] == b"t":
        if strcmp(name, "title") == 0:
            return SIG_TITLE
        return SIG_TIME if strcmp(name, "time") == 0 else SIG_NONE
    if name[0] == b"h":
        if strcmp(name, "h1") == 0:
            return SIG_H1
        return SIG_HTML if strcmp(name, "html") == 0 else SIG_NONE
    if name[0] == b"n":
        return SIG_NOSCRIPT if strcmp(name, "noscript") == 0 else SIG_NONE
    return SIG_NONE


cdef inline object attribute(xmlNode* node, const char* name):
    """``el.get(name)`` without the element proxy."""
    return attributeValueFromNsName(node, NULL, <const tree.xmlChar*>name)


cdef object meta_entry(xmlNode* node):
    """(key, value) of a <meta> as cleaning.parse.scan_signals_py reads it, None without key."""
    cdef object key = attribute(node, "property")
    if not key:
        key = attribute(node, "name")
        if not key:
            key = attribute(node, "itemprop")
            if not key:
                key = attribute(node, "http-equiv")
                if not key:
                    return None
    value = attribute(node, "content")
    if value is None:
        value = attribute(node, "value")
    return (key, value)


cdef object canonical_entry(xmlNode* node):
    """(rel, href) of a <link> whose rel holds "canonical" in any ASCII case, else None."""
    cdef xmlAttr* attr = node.properties
    cdef const char* value
    while attr is not NULL:  # a cheap test on the bytes before any string is made
        if attr.ns is NULL and strcmp(<const char*>attr.name, "rel") == 0:
            value = plain_value(attr)
            if value is not NULL and not has_ascii_nocase(value, "canonical"):
                return None
            break
        attr = attr.next
    if attr is NULL:
        return None
    rel = attribute(node, "rel")
    if not rel or "canonical" not in rel.lower():
        return None
    return (rel, attribute(node, "href"))


def scan_signals(_Element root not None, tuple keep_types not None, bint drop):
    """cleaning.parse.scan_signals_py: (metas, links, kept scripts, titles, h1s, times, htmls,
    noscripts, scripts to drop), walking libxml2's nodes; proxies only for listed elements.

    >>> from lxml import etree
    >>> root = etree.fromstring('<html lang="en"><meta property="og:x" content="1"/>'
    ...     '<link rel="Canonical" href="/a"/><script>x</script><h1>T</h1></html>')
    >>> found = scan_signals(root, ("application/ld+json",), True)
    >>> found[:2], [len(f) for f in found[2:]]
    (([('og:x', '1')], [('Canonical', '/a')]), [0, 0, 1, 0, 1, 0, 1])
    """
    cdef list metas = [], links = [], kept = [], titles = [], h1s = [], times = [], htmls = []
    cdef list noscripts = [], dropped = []
    cdef _Document doc = root._doc
    cdef xmlNode* top = root._c_node
    cdef xmlNode* node = top
    cdef int kind
    cdef bint keep_untyped = "" in keep_types
    while node is not NULL:
        if node.type == tree.XML_ELEMENT_NODE:
            kind = signal_kind(node)
            if kind == SIG_META:
                entry = meta_entry(node)
                if entry is not None:
                    metas.append(entry)
            elif kind == SIG_LINK:
                entry = canonical_entry(node)
                if entry is not None:
                    links.append(entry)
            elif kind == SIG_SCRIPT:
                if drop:
                    script_type = attribute(node, "type")
                    if (keep_untyped if not script_type
                            else script_type.strip().lower() in keep_types):
                        kept.append(elementFactory(doc, node))
                    else:
                        dropped.append(elementFactory(doc, node))
                else:
                    kept.append(elementFactory(doc, node))
            elif kind == SIG_TITLE:
                titles.append(elementFactory(doc, node))
            elif kind == SIG_H1:
                h1s.append(elementFactory(doc, node))
            elif kind == SIG_TIME:
                times.append(elementFactory(doc, node))
            elif kind == SIG_HTML:
                htmls.append(elementFactory(doc, node))
            elif kind == SIG_NOSCRIPT:
                noscripts.append(elementFactory(doc, node))
        node = next_in_subtree(node, top)
    return metas, links, kept, titles, h1s, times, htmls, noscripts, dropped


# ---------------------------------------------------------------------------
# cleaning.metadata.text_near_title: the text pieces before and after the title element
# ---------------------------------------------------------------------------

cdef struct Window:
    # text_near_title's loop over one side: pieces stripped, counted until ``size > limit``
    Pending run  # the current piece, as UTF-8
    long size
    long limit
    Py_ssize_t keep  # characters kept of each piece's end (0: all)
    bint unusual  # an XInclude marker or entity reference: left to the Python form


cdef inline bint is_html_element(xmlNode* node) noexcept nogil:
    return node.type == tree.XML_ELEMENT_NODE and node.ns is NULL and \
        strcmp(<const char*>node.name, "html") == 0


cdef bint is_named(xmlNode* node, tuple names) noexcept:
    """A no-namespace element whose name is one of ``names`` (bytes)."""
    cdef object name
    if node.type != tree.XML_ELEMENT_NODE or node.ns is not NULL:
        return False
    for name in names:
        if strcmp(<const char*>node.name, <const char*>(<bytes>name)) == 0:
            return True
    return False


# cleaning.extract.unlink_offsite_headings (elements_holding): the headings that hold a link

def elements_holding(list tops not None, tuple names not None, bytes inner not None):
    """The elements named one of ``names`` (bytes) in the subtrees of ``tops`` (each top
    included), in document order, that hold an ``inner`` element below them: what
    ``[el for top in tops for el in top.iter(*names) if next(el.iter(inner), None) is not
    None]`` gives, with proxies for those only.

    >>> from lxml import etree
    >>> root = etree.fromstring("<r><h2>a</h2><h2><b><a/></b></h2><div><h3><a/></h3></div></r>")
    >>> [el.tag for el in elements_holding([root], (b"h2", b"h3"), b"a")]
    ['h2', 'h3']
    """
    cdef list found = []
    cdef _Element top
    cdef xmlNode* node
    cdef xmlNode* below
    cdef tuple inner_names = (inner,)
    for top in tops:
        node = top._c_node
        while node is not NULL:
            if is_named(node, names):
                below = next_in_subtree(node, node)
                while below is not NULL and not is_named(below, inner_names):
                    below = next_in_subtree(below, node)
                if below is not NULL:
                    found.append(elementFactory(top._doc, node))
            node = next_in_subtree(node, top._c_node)
    return found


cdef int flush_piece(Window* w, list out) except -1:
    """Append the current piece stripped (its last ``keep`` characters) when not empty;
    1 once the window is full (text_near_title stops reading), else 0."""
    cdef const unsigned char* s = <const unsigned char*>w.run.data
    cdef Py_ssize_t i = 0, j = w.run.size, k, size, start
    cdef long count = 0, kept = 0
    w.run.size = 0
    while i < j:  # leading space
        if not is_space(decode_at(s + i, &size)):
            break
        i += size
    if i == j:
        return 0
    while True:  # trailing space
        k = j - 1
        while (s[k] & 0xC0) == 0x80:
            k -= 1
        if not is_space(decode_at(s + k, &size)):
            break
        j = k
    start = i
    for k in range(i, j):
        if (s[k] & 0xC0) != 0x80:
            count += 1
    if w.keep > 0 and count > w.keep:
        k = j
        while kept < w.keep:
            k -= 1
            if (s[k] & 0xC0) != 0x80:
                kept += 1
        start = k
    out.append(PyUnicode_DecodeUTF8(<const char*>s + start, j - start, NULL))
    w.size += count
    return 1 if w.size > w.limit else 0


cdef int add_run(Window* w, xmlNode* start) except -1:
    """Add the run of text nodes at ``start`` (lxml's .text / .tail) to the current piece."""
    cdef xmlNode* node = start
    while node is not NULL:
        if is_text_node(node):
            if node.content is not NULL:
                pending_add(&w.run, <const char*>node.content, strlen(<const char*>node.content),
                            False)
        elif node.type == tree.XML_XINCLUDE_START or node.type == tree.XML_XINCLUDE_END:
            w.unusual = True
            return 0
        else:
            return 0
        node = node.next
    return 0


cdef int add_string_value(Window* w, xmlNode* top) except -1:
    """Add XPath ``string()`` of an element (all its text and CDATA descendants)."""
    cdef xmlNode* node = top.children
    if node is NULL:
        return 0
    while True:
        if is_text_node(node):
            if node.content is not NULL:
                pending_add(&w.run, <const char*>node.content, strlen(<const char*>node.content),
                            False)
        elif node.type == tree.XML_ENTITY_REF_NODE:
            w.unusual = True
            return 0
        elif node.type == tree.XML_ELEMENT_NODE and node.children is not NULL:
            node = node.children
            continue
        while node.next is NULL:
            node = node.parent
            if node is top:
                return 0
        node = node.next


cdef xmlNode* element_from(xmlNode* node, Window* w) noexcept:
    """The first element node at or after ``node`` among its siblings (what lxml's iterwalk
    visits: no comments or PIs); NULL, with ``w.unusual`` set at an entity reference or
    XInclude marker."""
    while node is not NULL and node.type != tree.XML_ELEMENT_NODE:
        if node.type == tree.XML_ENTITY_REF_NODE or node.type == tree.XML_XINCLUDE_START \
                or node.type == tree.XML_XINCLUDE_END:
            w.unusual = True
            return NULL
        node = node.next
    return node


cdef int visible_piece(Window* w, xmlNode* start, list out) except -1:
    """The run of text nodes at ``start`` as one piece; 1 once the window is full or the
    markup is unusual."""
    add_run(w, start)
    if w.unusual:
        return 1
    return flush_piece(w, out)


cdef int visible_pieces(Window* w, xmlNode* top, tuple hidden, list out) except -1:
    """cleaning.metadata.iter_visible_text(top) into the window, as its iterwalk reads it:
    each element's .text at its start and .tail at its end (top's tail not), nothing inside
    or of the ``hidden`` elements (their subtrees are passed over whole), nothing after a
    comment or PI (iterwalk does not visit them). 1: the window is full or the markup
    unusual."""
    cdef xmlNode* node = top
    cdef xmlNode* child
    while True:
        if not is_named(node, hidden):  # its start: its .text, then its children
            if visible_piece(w, node.children, out):
                return 1
            child = element_from(node.children, w)
            if w.unusual:
                return 1
            if child is not NULL:
                node = child
                continue
        while True:  # the end of node and of the ancestors it closes: their tails
            if node is top:
                return 0
            if visible_piece(w, node.next, out):
                return 1
            child = element_from(node.next, w)
            if w.unusual:
                return 1
            if child is not NULL:
                node = child
                break
            node = node.parent


cdef int following_pieces(Window* w, xmlNode* anchor, tuple hidden, list out) except -1:
    """cleaning.metadata.iter_following_text(anchor) into the window."""
    cdef xmlNode* node = anchor
    cdef xmlNode* sibling
    while node is not NULL and not is_html_element(node):
        if visible_piece(w, node.next, out):
            return 1
        sibling = next_element(node)
        while sibling is not NULL:
            if sibling.type == tree.XML_ELEMENT_NODE and visible_pieces(w, sibling, hidden, out):
                return 1
            if visible_piece(w, sibling.next, out):
                return 1
            sibling = next_element(sibling)
        node = parent_element(node)
    return 0


cdef inline xmlNode* previous_element(xmlNode* node) noexcept nogil:
    cdef xmlNode* sibling = node.prev
    while sibling is not NULL and not _isElement(sibling):
        sibling = sibling.prev
    return sibling


cdef int preceding_pieces(Window* w, xmlNode* anchor, list out) except -1:
    """cleaning.metadata.iter_preceding_text(anchor) into the window (nearest first)."""
    cdef xmlNode* node = anchor
    cdef xmlNode* sibling
    while node is not NULL and not is_html_element(node):
        sibling = previous_element(node)
        while sibling is not NULL:
            if visible_piece(w, sibling.next, out):
                return 1
            if sibling.type == tree.XML_ELEMENT_NODE:
                add_string_value(w, sibling)
                if w.unusual or flush_piece(w, out):
                    return 1
            sibling = previous_element(sibling)
        node = parent_element(node)
        if node is not NULL and visible_piece(w, node.children, out):
            return 1
    return 0


def near_title_pieces(_Element anchor not None, tuple hidden not None, long before_limit,
                      long after_limit):
    """cleaning.metadata.window_pieces over iter_preceding_text (each piece's last
    ``before_limit`` characters) and over iter_following_text: (before, after), or None for
    markup this does not read (XInclude markers, entity references).

    >>> from lxml import etree
    >>> root = etree.fromstring("<html><div>a <b>b</b> <h1>T</h1>x<script>s</script>y</div></html>")
    >>> near_title_pieces(root[0][1], (b"script",), 160, 500)
    (['b', 'a'], ['x', 'y'])
    """
    cdef Window w
    cdef list before = [], after = []
    w.run.data = NULL
    w.run.size = w.run.capacity = 0
    w.unusual = False
    try:
        w.size = 0
        w.limit = before_limit
        w.keep = before_limit
        preceding_pieces(&w, anchor._c_node, before)
        if w.unusual:
            return None
        w.size = 0
        w.limit = after_limit
        w.keep = 0
        following_pieces(&w, anchor._c_node, hidden, after)
        if w.unusual:
            return None
    finally:
        free(w.run.data)
    return before, after


# ---------------------------------------------------------------------------
# cleaning.extract.enclosing_link: the <a> at or just above a label's element
# ---------------------------------------------------------------------------

def enclosing_link(_Element el not None, int levels):
    """``el`` or one of its first ``levels - 1`` ancestors (lxml's getparent: elements only)
    that is an <a>, else None; no proxy for the others.

    >>> from lxml import etree
    >>> root = etree.fromstring("<div><a><span><i><b>x</b></i></span></a></div>")
    >>> enclosing_link(root[0][0], 3).tag, enclosing_link(root[0][0][0][0], 3)
    ('a', None)
    """
    cdef xmlNode* node = el._c_node
    cdef int level
    for level in range(levels):
        if node is NULL:
            return None
        if node.type == tree.XML_ELEMENT_NODE and node.ns is NULL \
                and strcmp(<const char*>node.name, "a") == 0:
            return elementFactory(el._doc, node)
        node = parent_element(node)
    return None
