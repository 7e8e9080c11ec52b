"""Baeji's credential engine: Open Badges 3.0 / Verifiable Credentials 2.0, framework-free.

This package never imports Django; the web platform, the job workers and the ``baeji``
command all call it.
"""
