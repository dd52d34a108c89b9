"""Evidence uploads streamed straight into the evidence store.

Django's own handlers keep a small file in memory and spool a large one to
a temporary file, which the service then copies into the store: every byte
written twice, and the size limit checked only after the whole body has
arrived. This handler writes each chunk once, into the store's own
temporary file, hashing as it goes, and stops reading the body as soon as
the file passes the limit.
"""

import hashlib
import os
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from medir.evidence.hashing import CHUNK_SIZE

# Room for the form's other fields (title, description …) beside the file
# when a body's announced length is compared with the limit.
FORM_ALLOWANCE = 1024 * 1024


def too_large_message(limit: int) -> str:
    return _("The file is larger than the limit of %(mb)s MB.") % {
        "mb": limit // (1024 * 1024)
    }


class StreamedEvidenceFile(UploadedFile):
    """An upload that already lies in the evidence folder under a temporary
    name, with its SHA-256 and size computed while it was written.

    ``register_uploaded_evidence`` renames it into place; closing it
    removes the temporary file if that never happened, so a refused or
    failed upload leaves nothing behind.
    """

    def __init__(self, file, *, temp_path: Path, name, content_type, charset):
        super().__init__(file, name, content_type, 0, charset)
        self.temp_path = temp_path
        self.sha256 = ""

    def temporary_file_path(self) -> str:
        return str(self.temp_path)

    def discard(self) -> None:
        self.close()

    def close(self):
        try:
            return self.file.close()
        finally:
            self.temp_path.unlink(missing_ok=True)


class EvidenceUploadHandler(FileUploadHandler):
    """Write the upload into ``root`` once, hash it chunk by chunk, and
    refuse it as soon as it passes ``limit`` bytes.

    After parsing, ``refused`` holds the message for the person when the
    file (or the whole body, by its Content-Length) was too large; nothing
    is then kept.
    """

    chunk_size = CHUNK_SIZE

    def __init__(self, request=None, *, root: Path, limit: int):
        super().__init__(request)
        self.root = root
        self.limit = limit
        self.refused = ""
        self.files: list[StreamedEvidenceFile] = []

    def handle_raw_input(
        self, input_data, META, content_length, boundary, encoding=None
    ):
        if content_length > self.limit + FORM_ALLOWANCE:
            # Not one byte of the body is read.
            self.refused = too_large_message(self.limit)
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        self.file = StreamedEvidenceFile(
            os.fdopen(handle, "w+b"),
            temp_path=Path(temp_name),
            name=self.file_name,
            content_type=self.content_type,
            charset=self.charset,
        )
        self.files.append(self.file)
        self.digest = hashlib.sha256()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.refused = too_large_message(self.limit)
            self.discard()
            # Stop reading the body here: the rest is never wanted.
            raise StopUpload(connection_reset=True)
        self.digest.update(raw_data)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.seek(0)
        self.file.size = file_size
        self.file.sha256 = self.digest.hexdigest()
        return self.file

    def upload_interrupted(self):
        self.discard()

    def discard(self) -> None:
        """Remove every temporary file this handler wrote."""
        for streamed in self.files:
            streamed.discard()
