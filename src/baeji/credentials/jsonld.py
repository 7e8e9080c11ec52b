"""Safe-mode JSON-LD processing and RDFC-1.0 canonicalization.

Two paths produce the canonical N-Quads of a document:

* the **full path**: pyld expands the document (bundled contexts only, ``base=None``) and
  normalizes it with URDNA2015 (= RDFC-1.0). This is the reference.
* the **fast path**: a small JSON-LD expander that walks the document with pyld's own
  active contexts (processed by pyld once per process and memoized, which is where plain
  pyld spends most of its time on OB 3.0's scoped contexts), emits the RDF quads directly,
  and labels blank nodes with RDFC-1.0's first-degree hashes. The N-Quads text is written
  exactly as pyld writes it.

The fast path handles the shapes credentials use (node objects, ``@id``/``@type``, scalar
values, ``@set``/``@list``/``@graph`` containers, type- and property-scoped contexts, nested
``@context`` lists of bundled URLs). Whenever a document uses anything else, or anything it
cannot prove safe (an undefined term, a relative IRI...), or two blank nodes share a
first-degree hash (RDFC-1.0 then needs its N-degree step), it gives up and the full path
runs, so results and errors are always those of the full path. pyld stays the only JSON-LD
processor; pyoxigraph and rdflib are never used here, because they drop undefined terms
silently.

"Safe mode" means a document is refused with :class:`ContextError` instead of silently
losing data: when a property does not expand to an IRI (it would be dropped), a type stays
a relative IRI (no context defines it), or any ``@id``/``@type`` IRI is relative.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from typing import Any

from pyld import jsonld as _pyld
from pyld.context_resolver import ContextResolver

from baeji.credentials.contexts import document_loader, is_bundled
from baeji.credentials.errors import ContextError

__all__ = ["FAST_PATH", "canonicalize", "canonicalize_fast_only", "expand_safe"]

#: Module-level default for :func:`canonicalize`'s ``fast`` argument.
FAST_PATH = True

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_XSD_BOOLEAN = _XSD + "boolean"
_XSD_DOUBLE = _XSD + "double"
_XSD_INTEGER = _XSD + "integer"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

# pyld's own test for an absolute IRI (anything it does not accept here it drops silently).
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")


def _options() -> dict[str, Any]:
    return {
        "base": None,
        "documentLoader": document_loader,
        "processingMode": "json-ld-1.1",
        "isFrame": False,
        "keepFreeFloatingNodes": False,
        "extractAllScripts": False,
    }


# --------------------------------------------------------------------------- full path


def _context_error(error: Exception) -> ContextError:
    """Turn a pyld error into a ContextError, keeping the most useful message."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ContextError):
            return cause
        cause = cause.__cause__ or cause.__context__
    detail = str(error)
    code = getattr(error, "code", None)
    if code:
        detail = f"{detail} ({code})"
    return ContextError(f"JSON-LD processing failed: {detail}")


def _dropped(expanded_property: Any) -> None:
    if expanded_property is None:
        raise ContextError(
            "JSON-LD safe mode: a property that maps to no IRI (null or keyword-like) "
            "would be dropped"
        )
    raise ContextError(
        f"JSON-LD safe mode: property {expanded_property!r} is not defined by any "
        "@context and would be dropped"
    )


def _check_iri(value: Any, role: str) -> None:
    if not isinstance(value, str) or not _ABSOLUTE_IRI.match(value):
        if role == "@type":
            raise ContextError(
                f"JSON-LD safe mode: type {value!r} is not defined by any @context "
                "(it stays a relative IRI)"
            )
        raise ContextError(f"JSON-LD safe mode: {role} {value!r} is a relative IRI")


def _check_expanded(element: Any) -> None:
    """Refuse relative @id / @type IRIs anywhere in expanded JSON-LD."""
    if isinstance(element, list):
        for item in element:
            _check_expanded(item)
        return
    if not isinstance(element, dict):
        return
    if "@value" in element:
        return  # pyld itself refuses value objects whose @type is not absolute
    for key, value in element.items():
        if key == "@id":
            _check_iri(value, "@id")
        elif key == "@type":
            for item in value if isinstance(value, list) else [value]:
                _check_iri(item, "@type")
        elif key == "@reverse" and isinstance(value, dict):
            for items in value.values():
                _check_expanded(items)
        elif key in ("@index", "@language", "@direction"):
            continue
        else:
            _check_expanded(value)


def expand_safe(document: dict) -> list:
    """Expand ``document`` with pyld in safe mode and return the expanded JSON-LD.

    Contexts come from the bundled loader only, and ``base`` is ``None`` so relative IRIs
    stay visible. Raises :class:`ContextError` naming the offending term when a property
    would be dropped, a type is undefined, an ``@id``/``@type`` IRI is relative, a context
    is not bundled, or the document is not valid JSON-LD.
    """
    if not isinstance(document, dict):
        raise ContextError("a JSON-LD document must be a JSON object")
    processor = _pyld.JsonLdProcessor(on_property_dropped=_dropped)
    try:
        expanded = processor.expand(document, _options())
    except ContextError:
        raise
    except _pyld.JsonLdError as error:
        raise _context_error(error) from error
    _check_expanded(expanded)
    return expanded


def _canonicalize_full(document: dict) -> str:
    expanded = expand_safe(document)
    options = _options()
    options.update(algorithm="URDNA2015", format="application/n-quads")
    try:
        # Expanded input carries no contexts: this second expansion is a cheap identity.
        result: str = _pyld.JsonLdProcessor().normalize(expanded, options)
    except _pyld.JsonLdError as error:
        raise _context_error(error) from error
    return result


# --------------------------------------------------------------------------- fast path


class _Unsupported(Exception):
    """The fast path does not handle this document; the full path must run."""


_GIVE_UP = _Unsupported()

_processor = _pyld.JsonLdProcessor()
_lock = threading.Lock()


class _Ctx:
    """One pyld active context plus per-context memo tables.

    pyld active contexts are never changed once built, so everything derived from one
    (expanded IRIs, term facts, the contexts reached from it) can be remembered for the
    life of the process. The set of contexts is bounded: only bundled context URLs and the
    scoped contexts inside them can create new ones.
    """

    __slots__ = ("children", "id_iris", "previous", "raw", "terms", "vocab_iris")

    def __init__(self, raw: dict) -> None:
        self.raw = raw
        self.vocab_iris: dict[str, str | None] = {}
        self.id_iris: dict[str, str | None] = {}
        self.terms: dict[str, tuple] = {}
        self.children: dict[tuple, _Ctx] = {}
        self.previous: _Ctx | None = None


# Memo tables are keyed partly by strings taken from documents, so each is capped: a
# long-running verifier must not grow without bound on hostile input.
_MEMO_LIMIT = 4096
_CHILD_LIMIT = 256
_REGISTRY_LIMIT = 20_000

_registry: dict[int, _Ctx] = {}
_roots: dict[tuple[str, ...], _Ctx] = {}  # the initial context, under ()
_resolver_options: dict[str, Any] = {}


def _wrap(raw: dict) -> _Ctx:
    ctx = _registry.get(id(raw))
    if ctx is None or ctx.raw is not raw:
        ctx = _Ctx(raw)
        _registry[id(raw)] = ctx
        previous = raw.get("previousContext")
        if previous is not None:
            ctx.previous = _wrap(previous)
    return ctx


def _pyld_options() -> dict[str, Any]:
    if not _resolver_options:
        options = _options()
        options["contextResolver"] = ContextResolver({}, document_loader)
        _resolver_options.update(options)
    return _resolver_options


def _initial() -> _Ctx:
    ctx = _roots.get(())
    if ctx is None:
        with _lock:
            ctx = _wrap(_processor._get_initial_context(_pyld_options()))
            _roots[()] = ctx
    return ctx


def _child(ctx: _Ctx, local: Any, key: Any, override_protected: bool, propagate: bool) -> _Ctx:
    """The active context after processing ``local`` on ``ctx`` (memoized)."""
    memo_key = (key, override_protected, propagate)
    child = ctx.children.get(memo_key)
    if child is None:
        if len(ctx.children) >= _CHILD_LIMIT or len(_registry) >= _REGISTRY_LIMIT:
            # Only crafted documents (long, odd @context lists) get here; the full path
            # handles them without growing the memo.
            raise _GIVE_UP
        with _lock:
            try:
                raw = _processor._process_context(
                    ctx.raw,
                    local,
                    _pyld_options(),
                    override_protected=override_protected,
                    propagate=propagate,
                )
            except _pyld.JsonLdError as error:
                raise _GIVE_UP from error
            child = _wrap(raw)
            # A scoped context is keyed by id(): it lives in a term definition of a context
            # that the registry keeps alive, so the id is never reused.
            ctx.children[memo_key] = child
    return child


def _vocab_iri(ctx: _Ctx, value: str) -> str | None:
    try:
        return ctx.vocab_iris[value]
    except KeyError:
        iri = _processor._expand_iri(ctx.raw, value, vocab=True, base=None)
        if len(ctx.vocab_iris) < _MEMO_LIMIT:
            ctx.vocab_iris[value] = iri
        return iri


def _id_iri(ctx: _Ctx, value: str, vocab: bool = False) -> str | None:
    if vocab:
        return _vocab_iri(ctx, value)
    try:
        return ctx.id_iris[value]
    except KeyError:
        iri = _processor._expand_iri(ctx.raw, value, base=None)
        if len(ctx.id_iris) < _MEMO_LIMIT:
            ctx.id_iris[value] = iri
        return iri


# term facts: (expanded IRI, scoped context, container kind, type coercion, predicate node)
_PLAIN, _LIST, _GRAPH = 0, 1, 2


def _term(ctx: _Ctx, key: str) -> tuple:
    facts = ctx.terms.get(key)
    if facts is not None:
        return facts
    raw = ctx.raw
    iri = _vocab_iri(ctx, key)
    get = _pyld.JsonLdProcessor.get_context_value
    scoped = get(raw, key, "@context")
    container = get(raw, key, "@container")
    containers = container if isinstance(container, list) else [container] if container else []
    kind = _PLAIN
    for item in containers:
        if item == "@list":
            kind = _LIST
        elif item == "@graph":
            kind = _GRAPH
        elif item != "@set":
            raise _GIVE_UP  # @index, @id, @type or @language maps
    if kind == _GRAPH and len(set(containers) - {"@set"}) != 1:
        raise _GIVE_UP
    coercion = get(raw, key, "@type")
    mapping = raw["mappings"].get(key)
    if (
        coercion == "@json"
        or (mapping is not None and mapping.get("reverse"))
        or get(raw, key, "@language") is not None
        or get(raw, key, "@direction") is not None
    ):
        raise _GIVE_UP
    predicate = None
    if iri is not None and not iri.startswith("@") and _ABSOLUTE_IRI.match(iri):
        if iri.startswith("_:"):
            raise _GIVE_UP  # blank node predicates are not RDF
        predicate = f"<{iri}>"
    facts = (iri, scoped, kind, coercion, predicate)
    if len(ctx.terms) < _MEMO_LIMIT:
        ctx.terms[key] = facts
    return facts


def _escape(value: str) -> str:
    # pyld's N-Quads escaping, byte for byte
    return (
        value.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace('"', '\\"')
    )


def _literal(lexical: str, datatype: str) -> str:
    if datatype == _XSD_STRING:
        return f'"{_escape(lexical)}"'
    return f'"{_escape(lexical)}"^^<{datatype}>'


def _canonical_double(value: float) -> str:
    # pyld's lexical form for xsd:double
    return re.sub(r"(\d)0*E\+?(-)?0*(\d)", r"\1E\2\3", f"{value:1.15E}")


_RDF_TYPE = f"<{_RDF}type>"
_RDF_FIRST = f"<{_RDF}first>"
_RDF_REST = f"<{_RDF}rest>"
_RDF_NIL = f"<{_RDF}nil>"

# What a JSON value was, for the duplicate check below.
_KIND_NODE, _KIND_STR, _KIND_NUM, _KIND_BOOL = "n", "s", "#", "b"

# A quad: (subject, predicate, object, graph). IRIs and literals are already in N-Quads form
# ("<iri>", '"text"^^<datatype>'); blank nodes are ints; graph is None for the default graph.
Term = str | int
Quad = tuple[Term, str, Term, int | None]


class _Walker:
    """Walks one document, mirroring pyld's expansion followed by toRDF, collecting quads.

    pyld merges the values of a property with its ``compare_values`` before producing RDF,
    so two JSON values that pyld keeps apart can still yield the same quad (``"1.5"`` and
    ``"1.50"`` under an ``xsd:double`` term). The walker keeps the dataset a set and gives
    up whenever a repeated quad comes from values pyld would not have merged.
    """

    __slots__ = ("bnodes", "graph", "next_bnode", "quads")

    def __init__(self) -> None:
        self.quads: dict[Quad, tuple] = {}
        self.bnodes: dict[str, int] = {}
        self.graph: int | None = None
        self.next_bnode = 0

    def blank(self) -> int:
        self.next_bnode += 1
        return self.next_bnode - 1

    def add(self, quad: Quad, source: tuple) -> None:
        seen = self.quads.setdefault(quad, source)
        if seen is not source and seen != source:
            raise _GIVE_UP

    def iri(self, ctx: _Ctx, value: Any, vocab: bool = False) -> Term:
        """An @id (or @type: @id / @vocab coerced) value as an RDF term."""
        if not isinstance(value, str):
            raise _GIVE_UP
        iri = _id_iri(ctx, value, vocab)
        if iri is None or not _ABSOLUTE_IRI.match(iri):
            raise _GIVE_UP  # relative: the full path reports it
        if iri.startswith("_:"):
            node = self.bnodes.get(iri)
            if node is None:
                node = self.bnodes[iri] = self.blank()
            return node
        return f"<{iri}>"

    def node(self, ctx: _Ctx, element: dict, prop_scoped: Any) -> Term:
        """Expand a node object under ``ctx``; returns its subject term."""
        # Revert a type-scoped context unless the element is a subject reference.
        if ctx.previous is not None:
            revert = True
            if len(element) <= 2 and "@context" not in element:
                for key in sorted(element):
                    expanded = _vocab_iri(ctx, key)
                    if expanded == "@value":
                        raise _GIVE_UP
                    if expanded == "@id" and len(element) == 1:
                        revert = False
                        break
            if revert:
                ctx = ctx.previous
        if prop_scoped is not None:
            ctx = _child(ctx, prop_scoped, id(prop_scoped), True, True)
        if "@context" in element:
            urls = _context_urls(element["@context"])
            ctx = _child(ctx, list(urls), urls, False, True)

        # Type-scoped contexts: types are looked up in the context from before them.
        type_ctx = ctx
        type_key = None
        type_values: list = []
        for key in sorted(element):
            if _vocab_iri(ctx, key) != "@type":
                continue
            if type_key is not None:
                raise _GIVE_UP  # several aliases of @type
            type_key = key
            value = element[key]
            type_values = value if isinstance(value, list) else [value]
            for type_ in sorted(t for t in type_values if isinstance(t, str)):
                scoped = _pyld.JsonLdProcessor.get_context_value(type_ctx.raw, type_, "@context")
                if scoped is not None and scoped is not False:
                    ctx = _child(ctx, scoped, id(scoped), False, False)

        subject: Term | None = None
        for key in element:
            if key != "@context" and _vocab_iri(ctx, key) == "@id":
                if subject is not None:
                    raise _GIVE_UP  # colliding @id keys
                subject = self.iri(ctx, element[key])
        if subject is None:
            subject = self.blank()

        graph = self.graph
        add = self.add
        if type_key is not None:
            for type_ in type_values:
                if not isinstance(type_, str):
                    raise _GIVE_UP
                iri = _vocab_iri(type_ctx, type_)
                if iri is None or iri.startswith("_:") or not _ABSOLUTE_IRI.match(iri):
                    raise _GIVE_UP  # undefined type: the full path reports it
                add((subject, _RDF_TYPE, f"<{iri}>", graph), (_KIND_NODE,))

        for key, value in element.items():
            if key == "@context" or key == type_key:
                continue
            iri, scoped, kind, _coercion, predicate = _term(ctx, key)
            if iri == "@id":
                continue
            if predicate is None:
                raise _GIVE_UP  # a keyword we do not handle, or a dropped property
            term_ctx = ctx if scoped is None else _child(ctx, scoped, id(scoped), True, True)
            if value is None:
                continue
            if kind == _LIST:
                items = value if isinstance(value, list) else [value]
                objects = [
                    o for o in (self.value(term_ctx, key, item) for item in items) if o is not None
                ]
                head: Term = _RDF_NIL
                if objects:
                    cell: Term = self.blank()
                    head = cell
                    last = len(objects) - 1
                    for index, (obj, _source) in enumerate(objects):
                        rest: Term = _RDF_NIL if index == last else self.blank()
                        add((cell, _RDF_FIRST, obj, graph), (_KIND_NODE, cell))
                        add((cell, _RDF_REST, rest, graph), (_KIND_NODE, cell))
                        cell = rest
                add((subject, predicate, head, graph), (_KIND_NODE, head))
            elif kind == _GRAPH:
                # Each value becomes its own named graph, named by a fresh blank node.
                for item in _flatten(value if isinstance(value, list) else [value]):
                    if item is None:
                        continue
                    if not isinstance(item, dict):
                        raise _GIVE_UP
                    name = self.blank()
                    add((subject, predicate, name, graph), (_KIND_NODE, name))
                    self.graph = name
                    try:
                        self.node(term_ctx, item, _term(term_ctx, key)[1])
                    finally:
                        self.graph = graph
            else:
                for item in _flatten(value) if isinstance(value, list) else (value,):
                    result = self.value(term_ctx, key, item)
                    if result is not None:
                        add((subject, predicate, result[0], graph), result[1])
        return subject

    def value(self, ctx: _Ctx, prop: str, value: Any) -> tuple[Term, tuple] | None:
        """The RDF object for one (non-array) value of ``prop``, with its source kind."""
        if value is None:
            return None
        if isinstance(value, dict):
            subject = self.node(ctx, value, _term(ctx, prop)[1])
            return subject, (_KIND_NODE, subject)
        if isinstance(value, list):
            raise _GIVE_UP  # a list of lists
        coercion = _term(ctx, prop)[3]
        if isinstance(value, str):
            if coercion == "@id" or coercion == "@vocab":
                term = self.iri(ctx, value, vocab=coercion == "@vocab")
                return term, (_KIND_NODE, term)
            if coercion is None or coercion == "@none":
                return _literal(value, _XSD_STRING), (_KIND_STR, value)
            if coercion == _XSD_DOUBLE:
                try:
                    number = float(value)
                except ValueError:
                    return _literal(value, _XSD_DOUBLE), (_KIND_STR, value)
                if not math.isfinite(number):
                    raise _GIVE_UP
                return _literal(_canonical_double(number), _XSD_DOUBLE), (_KIND_STR, value)
            return _literal(value, coercion), (_KIND_STR, value)
        datatype = None if coercion in (None, "@id", "@vocab", "@none") else coercion
        if isinstance(value, bool):
            return _literal("true" if value else "false", datatype or _XSD_BOOLEAN), (
                _KIND_BOOL,
                value,
            )
        if not isinstance(value, int | float):
            raise _GIVE_UP
        if not math.isfinite(value) or abs(value) >= 1e21:
            raise _GIVE_UP
        if datatype == _XSD_DOUBLE:
            lexical = _canonical_double(float(value))
        elif isinstance(value, float) and not value.is_integer():
            return _literal(_canonical_double(value), datatype or _XSD_DOUBLE), (_KIND_NUM, value)
        else:
            lexical = str(int(value))
            datatype = datatype or _XSD_INTEGER
        return _literal(lexical, datatype or _XSD_DOUBLE), (_KIND_NUM, value)


def _flatten(values: list) -> list:
    flat: list = []
    for value in values:
        if isinstance(value, list):
            flat.extend(_flatten(value))
        else:
            flat.append(value)
    return flat


def _context_urls(local: Any) -> tuple[str, ...]:
    urls = tuple(local) if isinstance(local, list) else (local,)
    if not urls or not all(isinstance(url, str) and is_bundled(url) for url in urls):
        raise _GIVE_UP
    return urls


def _text(term: Term, labels: dict[int, str]) -> str:
    return labels[term] if isinstance(term, int) else term


def _line(quad: Quad, labels: dict[int, str]) -> str:
    subject, predicate, obj, graph = quad
    if graph is None:
        return f"{_text(subject, labels)} {predicate} {_text(obj, labels)} .\n"
    return f"{_text(subject, labels)} {predicate} {_text(obj, labels)} {labels[graph]} .\n"


def _first_degree_line(quad: Quad, node: int) -> str:
    subject, predicate, obj, graph = quad
    s = subject if isinstance(subject, str) else "_:a" if subject == node else "_:z"
    o = obj if isinstance(obj, str) else "_:a" if obj == node else "_:z"
    if graph is None:
        return f"{s} {predicate} {o} .\n"
    return f"{s} {predicate} {o} {'_:a' if graph == node else '_:z'} .\n"


def _canonicalize_fast(document: dict) -> str:
    if not isinstance(document, dict) or "@context" not in document:
        raise _GIVE_UP
    walker = _Walker()
    # pyld drops a top-level node only when it has no properties; then it yields no quads.
    walker.node(_initial(), document, None)
    quads = list(walker.quads)

    # RDFC-1.0 4.4.3 steps 2-5: hash each blank node's first-degree quads; blank nodes whose
    # hash is unique get canonical labels in hash order. A quad is listed once per blank
    # node occurrence, as pyld does.
    mentions: dict[int, list[Quad]] = {}
    for quad in quads:
        subject, _predicate, obj, graph = quad
        if isinstance(subject, int):
            mentions.setdefault(subject, []).append(quad)
        if isinstance(obj, int):
            mentions.setdefault(obj, []).append(quad)
        if graph is not None:
            mentions.setdefault(graph, []).append(quad)
    by_hash: dict[str, int] = {}
    for node, node_quads in mentions.items():
        lines = sorted(_first_degree_line(quad, node) for quad in node_quads)
        digest = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
        if digest in by_hash:
            # Shared first-degree hashes need the N-degree algorithm, whose tie-breaking
            # is left to pyld: take the full path.
            raise _GIVE_UP
        by_hash[digest] = node
    labels = {node: f"_:c14n{index}" for index, (_h, node) in enumerate(sorted(by_hash.items()))}
    lines = sorted(_line(quad, labels) for quad in quads)
    return "".join(lines)


def canonicalize_fast_only(document: dict) -> str | None:
    """Run the fast path alone: the canonical N-Quads, or None when it cannot decide.

    None means the full path is needed: the document uses a feature the fast path does not
    handle, or it is not valid in safe mode (then :func:`canonicalize` raises). For tests and
    diagnostics; :func:`canonicalize` is what callers use.
    """
    try:
        return _canonicalize_fast(document)
    except (_Unsupported, RecursionError):
        return None


def canonicalize(document: dict, fast: bool | None = None) -> str:
    """Return the RDFC-1.0 (URDNA2015) canonical N-Quads of ``document``, in safe mode.

    ``fast`` picks the path (default: :data:`FAST_PATH`). The fast path falls back to the
    full pyld path whenever it meets something it does not handle, so both give the same
    bytes and the same errors. Raises :class:`ContextError` on any safe-mode failure.
    """
    if fast is None:
        fast = FAST_PATH
    if fast:
        result = canonicalize_fast_only(document)
        if result is not None:
            return result
    return _canonicalize_full(document)
