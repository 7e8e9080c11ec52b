"""The exception hierarchy of the credential engine.

Every error the engine raises on purpose derives from :class:`CredentialError`, so a caller
can catch one class and show ``str(error)`` to a person: messages are written for people.

::

    CredentialError
    ├── ContextError            a JSON-LD context is not bundled, or a document uses an
    │                           undefined term, type or a relative IRI ("safe mode")
    ├── SchemaError             a credential does not match its JSON Schema
    ├── KeyFormatError          a key, Multikey, JWK or DID that cannot be decoded or resolved
    ├── SigningError            a document cannot be signed as asked
    ├── ProofError              a proof is missing, malformed or does not verify
    ├── StatusListError         a status list is malformed, too short, full or index out of range
    ├── BakeError               an image cannot be baked or unbaked (unknown, corrupt,
    │                           already baked, too large, no credential inside)
    └── FetchError              the guarded fetcher refused or failed a request
        └── FetchRefused        the address is not allowed (scheme, non-public address, ...)
"""

from __future__ import annotations


class CredentialError(Exception):
    """Base class of every error the credential engine raises on purpose."""


class ContextError(CredentialError):
    """A context is not bundled, or JSON-LD processing found an undefined term or relative IRI."""


class SchemaError(CredentialError):
    """A document does not validate against its JSON Schema."""


class KeyFormatError(CredentialError):
    """A key, Multikey, JWK or DID cannot be decoded, or names an unsupported algorithm."""


class SigningError(CredentialError):
    """A document cannot be signed as asked."""


class ProofError(CredentialError):
    """A proof is missing, malformed or does not verify."""


class StatusListError(CredentialError):
    """A status list is malformed, too short or full, or an index is out of range."""


class BakeError(CredentialError):
    """An image cannot be baked or unbaked."""


class FetchError(CredentialError):
    """The guarded fetcher could not retrieve a document."""


class FetchRefused(FetchError):
    """The guarded fetcher refused an address (scheme, non-public address, redirect target)."""
