"""Baeji: a self-hostable platform for Open Badges 3.0 digital badges and micro-credentials."""

__version__ = "0.1.0"
