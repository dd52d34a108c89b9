"""SHA-256 of files of any size, read in chunks so memory stays constant."""

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

CHUNK_SIZE = 1024 * 1024

SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


def sha256_of_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    """The hex digest and the number of bytes of everything in ``chunks``."""
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def read_chunks(stream: BinaryIO, chunk_size: int = CHUNK_SIZE):
    while chunk := stream.read(chunk_size):
        yield chunk


def sha256_of_file(path: Path | str) -> str:
    with open(path, "rb") as stream:
        return sha256_of_chunks(read_chunks(stream))[0]
