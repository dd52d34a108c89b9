"""The security manager's numbers as the report page shows them."""

import pytest
from django.core.cache import cache

from medir.organisation.models import ChannelKind, ContactChannel, Person


@pytest.fixture(autouse=True)
def fresh_rate_counters(db):
    # The counters live in the cache table, which the test database keeps
    # between tests that commit (browser tests).
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def manager_phones(manager):
    """The security manager's desk phone and night mobile, and a deputy's."""
    person = manager.person
    ContactChannel.objects.create(
        person=person, kind=ChannelKind.PHONE, value="0120-000-103", order=1
    )
    ContactChannel.objects.create(
        person=person,
        kind=ChannelKind.MOBILE,
        value="090-0000-1003",
        order=2,
        out_of_hours=True,
    )
    ContactChannel.objects.create(
        person=person, kind=ChannelKind.EMAIL, value="manager@example.jp", order=3
    )
    deputy = Person.objects.create(display_name="代理F", deputy_for=person)
    ContactChannel.objects.create(
        person=deputy, kind=ChannelKind.MOBILE, value="090-0000-1004", order=1
    )
    return person
