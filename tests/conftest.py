"""Shared fixtures: a small cast of people who take part in a response.

nurse     a ward nurse (staff), no special rights
manager   the security manager (医療情報システム安全管理責任者)
director  the hospital director (management)
vendor    an engineer of the EHR vendor (external)
admin     the administrator who keeps MedIR's organisation data

The security manager, the director and the administrator must pass a
second factor; ``client_for`` gives them a confirmed authenticator app and
a session that has passed it, as after entering a code.
"""

import time

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from medir.accounts.two_factor import requires_two_factor
from medir.organisation.models import Department, Organisation, OrganisationKind
from medir.organisation.services import create_person

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_test_settings(settings):
    # Password hashing is deliberately slow; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture
def ward(db):
    return Department.objects.create(name="東4病棟", name_en="East 4 ward")


@pytest.fixture
def ehr_vendor(db):
    return Organisation.objects.create(
        name="架空電子カルテ株式会社", kind=OrganisationKind.VENDOR
    )


def _person(username, display_name, roles, **fields):
    return create_person(
        actor=None,
        display_name=display_name,
        roles=roles,
        username=username,
        password=PASSWORD,
        **fields,
    )


@pytest.fixture
def nurse(db, ward):
    return _person("nurse", "看護師A", ["staff"], department=ward).user


@pytest.fixture
def manager(db):
    return _person("manager", "情報システム責任者B", ["security_manager"]).user


@pytest.fixture
def director(db):
    return _person("director", "病院長C", ["management"]).user


@pytest.fixture
def vendor(db, ehr_vendor):
    return _person(
        "vendor", "ベンダ技術者D", ["external"], organisation=ehr_vendor
    ).user


@pytest.fixture
def admin(db):
    return _person("admin", "管理者E", ["administrator"]).user


def confirmed_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    """The code the person's app shows now, or the next one when the
    current one was used already (django-otp accepts each step once and
    tolerates one step of drift)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time = device.t0 + (device.last_t + 1) * device.step
    return f"{totp.token():0{device.digits}d}"


def pass_second_factor(client: Client, user) -> None:
    """Mark a logged-in client's session as past the second factor."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_device(user).persistent_id
    session.save()


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        if requires_two_factor(user):
            pass_second_factor(client, user)
        return client

    return make
