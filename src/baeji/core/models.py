"""Shared abstract base models."""

from django.db import models

from baeji.core.ids import new_public_id


class TimeStamped(models.Model):
    """Creation and last-change times."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class PublicModel(TimeStamped):
    """A model reachable from outside by a random public id, never by its primary key."""

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)

    class Meta:
        abstract = True


class DocumentTextField(models.TextField):
    """A text column for documents of a few kilobytes (signed credentials) inserted in bulk.

    On PostgreSQL, Django 5.2 bulk-inserts rows as ``UNNEST`` of one array parameter per
    column, and psycopg escapes every element of a text array in Python: for 200 signed
    credentials that is about 30 ms, against about 1 ms as separate parameters. A field with
    its own placeholder makes Django keep the plain ``VALUES`` form for its model; the column
    is an ordinary ``text`` column either way.
    """

    def get_placeholder(self, value, compiler, connection) -> str:
        return "%s"
