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
