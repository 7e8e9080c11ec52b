"""Per-organization signing keys, encrypted at rest, and the did:web documents."""

from django.apps import AppConfig


class KeystoreConfig(AppConfig):
    """The keystore app."""

    name = "baeji.keystore"
    label = "keystore"
