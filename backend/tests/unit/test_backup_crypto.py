"""The encrypted archive's framing (app/backup/crypto.py): what it must refuse, told apart."""

import io
import struct

import pytest
from nacl import pwhash

from app.backup import crypto


@pytest.fixture(autouse=True)
def cheap_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its minimum cost: these tests are about the framing, not the KDF (the
    limits travel in the file, so decryption uses whatever encryption used)."""
    monkeypatch.setattr(crypto, "OPS_LIMIT", pwhash.argon2id.OPSLIMIT_MIN)
    monkeypatch.setattr(crypto, "MEM_LIMIT", pwhash.argon2id.MEMLIMIT_MIN)


PLAIN = bytes(range(256)) * 9000  # 2.3 MB: three chunks, the last one short


def encrypt(data: bytes, passphrase: str = "correct horse battery") -> bytes:
    encryptor = crypto.Encryptor(passphrase)
    parts = [encryptor.preamble]
    for start in range(0, len(data), crypto.CHUNK_BYTES):
        parts.append(encryptor.chunk(data[start : start + crypto.CHUNK_BYTES]))
    parts.append(encryptor.chunk(b"", final=True))
    return b"".join(parts)


def decrypt(data: bytes, passphrase: str = "correct horse battery") -> bytes:
    return b"".join(crypto.decrypted(io.BufferedReader(io.BytesIO(data)), passphrase))


def chunk_starts(sealed: bytes) -> list[int]:
    """Where each chunk's length prefix begins."""
    position = len(crypto.MAGIC) + 16 + 16 + 24
    starts = []
    while position < len(sealed):
        starts.append(position)
        (size,) = struct.unpack(">I", sealed[position : position + 4])
        position += 4 + size
    return starts


def test_what_is_encrypted_decrypts_to_the_same_bytes() -> None:
    sealed = encrypt(PLAIN)
    assert crypto.is_encrypted(sealed) and PLAIN[:4096] not in sealed
    assert decrypt(sealed) == PLAIN
    assert decrypt(encrypt(b"")) == b""


def test_each_archive_has_its_own_salt_and_key() -> None:
    assert encrypt(PLAIN)[: len(crypto.MAGIC) + 16] != encrypt(PLAIN)[: len(crypto.MAGIC) + 16]


def test_a_wrong_passphrase_is_named_as_such() -> None:
    with pytest.raises(crypto.ArchiveUnreadable, match="BACKUP_PASSPHRASE does not open"):
        decrypt(encrypt(PLAIN), "not the passphrase at all")


@pytest.mark.parametrize("cut", ["inside a chunk", "between chunks", "before the final chunk"])
def test_a_truncated_archive_is_refused(cut: str) -> None:
    sealed = encrypt(PLAIN)
    starts = chunk_starts(sealed)
    end = {
        "inside a chunk": starts[1] + 1000,
        "between chunks": starts[2],
        "before the final chunk": starts[-1],
    }[cut]
    with pytest.raises(crypto.ArchiveUnreadable, match="truncated"):
        decrypt(sealed[:end])


def test_a_changed_byte_is_refused() -> None:
    sealed = bytearray(encrypt(PLAIN))
    sealed[chunk_starts(bytes(sealed))[1] + 500] ^= 1
    with pytest.raises(crypto.ArchiveUnreadable, match="fails its authentication"):
        decrypt(bytes(sealed))


def test_chunks_in_another_order_are_refused() -> None:
    sealed = encrypt(PLAIN)
    first, second, third = chunk_starts(sealed)[1:4]  # the second and third chunks
    swapped = sealed[:first] + sealed[second:third] + sealed[first:second] + sealed[third:]
    with pytest.raises(crypto.ArchiveUnreadable, match="fails its authentication"):
        decrypt(swapped)


def test_data_after_the_final_chunk_is_refused() -> None:
    with pytest.raises(crypto.ArchiveUnreadable, match="data follows its last chunk"):
        decrypt(encrypt(PLAIN) + b"appended")


def test_a_file_that_is_not_an_encrypted_archive_is_named_as_such() -> None:
    with pytest.raises(crypto.ArchiveUnreadable, match="not an encrypted registry backup"):
        decrypt(b"PGDMP" + bytes(100))
