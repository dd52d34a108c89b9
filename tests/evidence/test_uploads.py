"""Uploads stream into the evidence store: written once, hashed on the
way, refused as soon as they pass the limit."""

import hashlib
import tracemalloc

import pytest
from django.conf import settings
from django.core.files import uploadedfile
from django.core.management import call_command
from django.http.multipartparser import MultiPartParser
from django.utils import translation

from medir.audit.models import AuditRecord
from medir.evidence import uploads
from medir.evidence.models import EvidenceItem
from medir.evidence.uploads import EvidenceUploadHandler
from medir.incidents.models import TimelineEvent

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
BOUNDARY = "medir-test-boundary"
PATTERN = bytes(range(256)) * 4096  # 1 MiB that is not all one byte


class MultipartBody:
    """A multipart body with one file of ``size`` bytes, produced as it is
    read, so that the test itself never holds the file in memory."""

    def __init__(self, size: int, name: str = "disk.img"):
        self.head = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="title"\r\n\r\n'
            "ディスクイメージ\r\n"
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = size
        self.length = len(self.head) + size + len(self.tail)
        self.position = 0

    def _byte_range(self, start: int, end: int) -> bytes:
        out = bytearray()
        while start < end:
            offset = start % len(PATTERN)
            piece = PATTERN[offset : offset + end - start]
            out += piece
            start += len(piece)
        return bytes(out)

    def read(self, count: int = -1) -> bytes:
        if count < 0:
            count = self.length - self.position
        end = min(self.position + count, self.length)
        out = bytearray()
        file_start, file_end = len(self.head), len(self.head) + self.size
        for lo, hi, source in (
            (0, file_start, lambda a, b: self.head[a:b]),
            (file_start, file_end, lambda a, b: self._byte_range(a, b)),
            (file_end, self.length, lambda a, b: self.tail[a:b]),
        ):
            a, b = max(self.position, lo), min(end, hi)
            if a < b:
                out += source(a - lo, b - lo)
        self.position = end
        return bytes(out)

    def file_digest(self) -> str:
        digest = hashlib.sha256()
        for start in range(0, self.size, MiB):
            digest.update(self._byte_range(start, min(start + MiB, self.size)))
        return digest.hexdigest()


def _parse(body: MultipartBody, *, limit: int):
    root = settings.DATA_DIR / "evidence"
    handler = EvidenceUploadHandler(root=root, limit=limit)
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.length),
    }
    post, files = MultiPartParser(meta, body, [handler], "utf-8").parse()
    return handler, post, files


def _upload_fields():
    return {
        "kind": "disk_image",
        "title": "電子カルテサーバのディスクイメージ",
        "collected_at": "2026-01-10 09:30",
        "collected_by": "情報システム責任者B",
        "step_id": "2-14",
    }


def _counts():
    return (
        EvidenceItem.objects.count(),
        AuditRecord.objects.count(),
        TimelineEvent.objects.count(),
    )


def test_a_multi_megabyte_upload_is_written_once_under_its_digest(
    client_for, manager, incident, settings, tmp_path, monkeypatch
):
    # Django's own spooling would put a second copy here.
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    (tmp_path / "spool").mkdir()
    spooled = []
    monkeypatch.setattr(
        uploadedfile.TemporaryUploadedFile,
        "__init__",
        lambda *args, **kwargs: spooled.append(args),
    )
    content = PATTERN * 6 + b"tail"

    with open(tmp_path / "disk.img", "wb") as source:
        source.write(content)
    with open(tmp_path / "disk.img", "rb") as source:
        response = client_for(manager).post(
            f"/incidents/{incident.number}/evidence/upload/",
            {**_upload_fields(), "file": source},
        )

    item = EvidenceItem.objects.get()
    assert response.status_code == 302
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    assert item.size == len(content)
    assert item.original_filename == "disk.img"
    assert spooled == []
    assert list((tmp_path / "spool").iterdir()) == []
    stored = sorted(p.name for p in (settings.DATA_DIR / "evidence").iterdir())
    assert stored == [item.sha256]


def test_the_upload_digest_is_what_evidence_hash_prints(
    client_for, manager, incident, tmp_path, capsys
):
    path = tmp_path / "ログ.txt"
    path.write_bytes(PATTERN * 3)
    with open(path, "rb") as source:
        client_for(manager).post(
            f"/incidents/{incident.number}/evidence/upload/",
            {**_upload_fields(), "file": source},
        )

    call_command("evidence", "hash", str(path))

    assert capsys.readouterr().out.split()[0] == EvidenceItem.objects.get().sha256


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The file is larger than the limit of 1 MB."),
        ("ja", "ファイルが上限の 1 MB を超えています。"),
    ],
)
def test_an_upload_over_the_limit_is_refused_and_changes_nothing(
    client_for, manager, incident, settings, tmp_path, language, message
):
    settings.MEDIR_EVIDENCE_MAX_MB = 1
    client = client_for(manager)
    client.cookies["django_language"] = language
    path = tmp_path / "big.img"
    path.write_bytes(PATTERN + b"!")
    before = _counts()

    with open(path, "rb") as source:
        response = client.post(
            f"/incidents/{incident.number}/evidence/upload/",
            {**_upload_fields(), "file": source},
        )

    assert response.status_code == 413
    assert message in response.text
    assert _counts() == before
    assert list((settings.DATA_DIR / "evidence").iterdir()) == []


def test_reading_stops_as_soon_as_the_file_passes_the_limit(monkeypatch):
    # The body's announced length alone would refuse it before reading.
    monkeypatch.setattr(uploads, "FORM_ALLOWANCE", 100 * MiB)
    body = MultipartBody(8 * MiB)

    with translation.override("en"):
        handler, _post, files = _parse(body, limit=MiB)

    assert handler.refused == "The file is larger than the limit of 1 MB."
    assert "file" not in files
    # The parser reads ahead by a chunk or two, never the whole body.
    assert body.position < 3 * MiB
    assert list((settings.DATA_DIR / "evidence").iterdir()) == []


def test_a_body_announced_larger_than_the_limit_is_not_read_at_all():
    body = MultipartBody(8 * MiB)
    handler = EvidenceUploadHandler(root=settings.DATA_DIR / "evidence", limit=MiB)

    with translation.override("en"):
        result = handler.handle_raw_input(body, {}, body.length, BOUNDARY)

    assert result is not None
    assert body.position == 0
    assert handler.refused == "The file is larger than the limit of 1 MB."


def test_the_page_refuses_a_body_announced_larger_than_the_limit(
    client_for, manager, incident, settings
):
    settings.MEDIR_EVIDENCE_MAX_MB = 1
    client = client_for(manager)
    client.cookies["django_language"] = "en"
    before = _counts()

    response = client.post(
        f"/incidents/{incident.number}/evidence/upload/",
        {**_upload_fields(), "file": uploadedfile.SimpleUploadedFile("a", b"x")},
        CONTENT_LENGTH=str(100 * MiB),
    )

    assert response.status_code == 413
    assert "The file is larger than the limit of 1 MB." in response.text
    assert _counts() == before


def test_a_64_mib_upload_streams_in_constant_memory():
    body = MultipartBody(64 * MiB)
    expected = body.file_digest()

    tracemalloc.start()
    try:
        _handler, post, files = _parse(body, limit=100 * MiB)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    upload = files["file"]
    try:
        assert upload.sha256 == expected
        assert upload.size == 64 * MiB
        assert post["title"] == "ディスクイメージ"
        assert upload.temp_path.stat().st_size == 64 * MiB
    finally:
        upload.close()
    assert not upload.temp_path.exists()
    # A few 1 MiB chunks in flight; the 64 MiB never are.
    assert peak < 16 * MiB, f"peak {peak / MiB:.1f} MiB"
