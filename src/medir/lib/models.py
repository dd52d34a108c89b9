"""Model helpers shared by the apps."""

from django.db import models


class DeletionRefused(Exception):
    """A record that is kept for good was about to be deleted."""


class NeverDeletedQuerySet(models.QuerySet):
    def delete(self):
        raise DeletionRefused(f"{self.model.__name__} records are never deleted")


class NeverDeletedModel(models.Model):
    """A record that may change state but is never deleted.

    What happened during an incident must stay readable afterwards; a
    correction is a new record. Only the ORM is guarded: the database
    itself is protected by ``on_delete=PROTECT`` and by the audit chain.
    """

    objects = NeverDeletedQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise DeletionRefused(f"{type(self).__name__} records are never deleted")
