"""Public identifiers: random, URL-safe, and separate from database keys."""

import secrets

# Crockford-like alphabet without look-alikes (0/O, 1/l/I), lower case so URLs read well aloud.
ALPHABET = "23456789abcdefghijkmnpqrstuvwxyz"


def new_public_id(length: int = 16) -> str:
    """A fresh random public id (16 characters ≈ 80 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
