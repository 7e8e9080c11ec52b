"""Bulk issuance: spreadsheet intake for many badges at once.

The framework-free intake layer lives in :mod:`baeji.bulk.spreadsheet` (reading CSV/XLSX,
encodings, column mapping, templates, safe CSV reports) and :mod:`baeji.bulk.validation`
(row-by-row checks and idempotency keys); :mod:`baeji.bulk.messages` holds the Korean and
English texts of every error code. None of these modules import Django, so the Django app that
will later live in this package (models, jobs, views) calls them rather than the other way round.
"""
