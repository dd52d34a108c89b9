"""Helpers for the paper kit's tests.

Drawing the real PDF takes seconds, so the tests that are about recording
and reminding use ``fake_kit``: a Kit with the data version of the current
data and a stand-in for the PDF bytes.
"""

import pytest
from django.utils import timezone

from medir.audit.services import get_chain_head
from medir.kit.pdf import Kit
from medir.kit.sections import current_data_version
from medir.organisation.models import ChannelKind, ContactChannel


def make_fake_kit() -> Kit:
    head_id, digest = get_chain_head()
    return Kit(
        pdf=b"%PDF-1.7 stand-in",
        data_version=current_data_version(),
        printed_at=timezone.now(),
        chain_head_id=head_id,
        chain_head_digest=digest,
        pages=1,
    )


@pytest.fixture
def fake_kit():
    return make_fake_kit


@pytest.fixture
def manager_phone(manager):
    return ContactChannel.objects.create(
        person=manager.person, kind=ChannelKind.PHONE, value="0120-000-555", order=1
    )
