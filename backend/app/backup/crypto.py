"""Encrypted archives: libsodium's secretstream (XChaCha20-Poly1305) keyed by argon2id from
BACKUP_PASSPHRASE, through PyNaCl. Nothing here is a cipher of our own: this module only frames
libsodium's output in a file.

The file: MAGIC, the argon2id salt and limits, secretstream's header, then chunks, each a 4-byte
big-endian length and one secretstream message. Every chunk is authenticated, their order is
bound by the stream, and the last one carries TAG_FINAL, so a wrong passphrase, a changed byte,
reordered chunks and a truncated file are all told apart from a good archive.
"""

import struct
from collections.abc import Iterator
from typing import BinaryIO

from nacl import bindings, pwhash
from nacl.exceptions import CryptoError
from nacl.utils import random

MAGIC = b"patient-registry encrypted backup v1\n"
CHUNK_BYTES = 1024 * 1024
# argon2id "moderate": 256 MiB and about a second per derivation, once per backup or restore;
# stored in the file, so a later version may raise them and still open older archives.
OPS_LIMIT = pwhash.argon2id.OPSLIMIT_MODERATE
MEM_LIMIT = pwhash.argon2id.MEMLIMIT_MODERATE
_SALT = pwhash.argon2id.SALTBYTES
_LIMITS = struct.Struct(">QQ")
_LENGTH = struct.Struct(">I")
_HEADER = bindings.crypto_secretstream_xchacha20poly1305_HEADERBYTES
_ABYTES = bindings.crypto_secretstream_xchacha20poly1305_ABYTES
_FINAL = bindings.crypto_secretstream_xchacha20poly1305_TAG_FINAL
_MESSAGE = bindings.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE


class ArchiveUnreadable(Exception):
    """The archive cannot be decrypted: wrong passphrase, damaged or truncated (the message
    says which, as far as the file lets us tell)."""


def _key(passphrase: str, salt: bytes, ops: int, mem: int) -> bytes:
    return pwhash.argon2id.kdf(
        bindings.crypto_secretstream_xchacha20poly1305_KEYBYTES,
        passphrase.encode(),
        salt,
        opslimit=ops,
        memlimit=mem,
    )


def is_encrypted(start: bytes) -> bool:
    """Whether a file beginning with `start` is one of our encrypted archives."""
    return start.startswith(MAGIC)


class Encryptor:
    """Turns the plain archive, chunk by chunk, into the encrypted file's bytes."""

    def __init__(self, passphrase: str) -> None:
        salt = random(_SALT)
        self._state = bindings.crypto_secretstream_xchacha20poly1305_state()
        header = bindings.crypto_secretstream_xchacha20poly1305_init_push(
            self._state, _key(passphrase, salt, OPS_LIMIT, MEM_LIMIT)
        )
        self.preamble = MAGIC + salt + _LIMITS.pack(OPS_LIMIT, MEM_LIMIT) + header

    def chunk(self, data: bytes, final: bool = False) -> bytes:
        """`data` (at most CHUNK_BYTES) sealed; the last call passes final=True."""
        sealed = bindings.crypto_secretstream_xchacha20poly1305_push(
            self._state, data, tag=_FINAL if final else _MESSAGE
        )
        return _LENGTH.pack(len(sealed)) + sealed


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    """`size` bytes of a buffered file (whose read returns fewer only at its end)."""
    data = source.read(size)
    if len(data) < size:
        raise ArchiveUnreadable("the archive is truncated: it ends before its last chunk")
    return data


def decrypted(source: BinaryIO, passphrase: str) -> Iterator[bytes]:
    """The plain archive, chunk by chunk, from an encrypted file positioned at its start.

    Every chunk is authenticated before it is yielded; the iterator ends only after the final
    chunk, so a consumer that reaches the end has read the whole, unchanged archive.
    """
    if _read_exactly(source, len(MAGIC)) != MAGIC:
        raise ArchiveUnreadable("the file is not an encrypted registry backup")
    salt = _read_exactly(source, _SALT)
    ops, mem = _LIMITS.unpack(_read_exactly(source, _LIMITS.size))
    if ops > 100 * OPS_LIMIT or mem > 16 * MEM_LIMIT:
        raise ArchiveUnreadable("the archive's key parameters are damaged")
    header = _read_exactly(source, _HEADER)
    state = bindings.crypto_secretstream_xchacha20poly1305_state()
    bindings.crypto_secretstream_xchacha20poly1305_init_pull(
        state, header, _key(passphrase, salt, ops, mem)
    )
    first = True
    while True:
        (size,) = _LENGTH.unpack(_read_exactly(source, _LENGTH.size))
        if size < _ABYTES or size > CHUNK_BYTES + _ABYTES:
            raise ArchiveUnreadable("the archive is damaged (a chunk length is impossible)")
        try:
            plain, tag = bindings.crypto_secretstream_xchacha20poly1305_pull(
                state, _read_exactly(source, size)
            )
        except CryptoError:
            raise ArchiveUnreadable(
                "BACKUP_PASSPHRASE does not open this archive (or its start is damaged)"
                if first
                else "the archive is damaged: a chunk fails its authentication"
            ) from None
        first = False
        yield plain
        if tag == _FINAL:
            if source.read(1):
                raise ArchiveUnreadable("the archive is damaged: data follows its last chunk")
            return
