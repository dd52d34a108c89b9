import datetime

import pytest
from django.utils import timezone, translation

from medir.network import services
from medir.network.models import AssetKind, ExternalKind, SegmentPurpose


@pytest.fixture(autouse=True)
def in_english():
    """Messages built outside a request are asserted in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def long_ago():
    return timezone.now() - datetime.timedelta(days=60)


@pytest.fixture
def small_network(db, long_ago):
    """Two segments built two months ago: an EHR server behind a switch,
    the internet through a firewall, a backup NAS."""
    ehr = services.add_segment(
        actor=None, name="電子カルテ系", purpose=SegmentPurpose.EHR, at=long_ago
    )
    backup = services.add_segment(
        actor=None, name="バックアップ系", purpose=SegmentPurpose.BACKUP, at=long_ago
    )
    switch = services.add_asset(
        actor=None,
        kind=AssetKind.NETWORK_DEVICE,
        name="コアスイッチ",
        segment=ehr,
        at=long_ago,
    )
    server = services.add_asset(
        actor=None,
        kind=AssetKind.SERVER,
        name="電子カルテサーバ",
        segment=ehr,
        at=long_ago,
    )
    nas = services.add_asset(
        actor=None,
        kind=AssetKind.BACKUP_STORAGE,
        name="バックアップNAS",
        segment=backup,
        at=long_ago,
    )
    services.add_connection(actor=None, source=switch, target=server, at=long_ago)
    services.add_connection(actor=None, source=switch, target=nas, at=long_ago)
    internet = services.add_external_connection(
        actor=None,
        asset=switch,
        kind=ExternalKind.INTERNET,
        party="インターネット",
        at=long_ago,
    )
    return {
        "ehr": ehr,
        "backup": backup,
        "switch": switch,
        "server": server,
        "nas": nas,
        "internet": internet,
    }
