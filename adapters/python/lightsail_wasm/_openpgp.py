"""The `openpgp` import made with pysequoia (Sequoia-PGP): a `pgpKey`'s checks and the secret's
encryption. Sequoia's standard policy applies the WIT's rules for a usable key (valid
self-signatures, not revoked, not expired, a key for encryption); what stops a key is told apart
for the error kinds. Without pysequoia installed every key is refused, saying so."""

import datetime

from wasmtime.component import Variant

from ._lightsail import record

try:
    import pysequoia
except ImportError:  # the Ansible modules never take a pgpKey
    pysequoia = None


class KeyError_(Exception):
    def __init__(self, kind, sentence):
        super().__init__(sentence)
        self.variant = Variant(kind, sentence)


def _first_line(error):
    # Sequoia's errors may carry a backtrace after the message.
    return str(error).split("\n")[0]


def _usable(key_bytes):
    """The certificate and its recipient record, or a KeyError_ naming why it cannot be used."""
    if pysequoia is None:
        raise KeyError_("malformed", "this host cannot encrypt to an OpenPGP key: install pysequoia")
    try:
        cert = pysequoia.Cert.from_bytes(bytes(key_bytes))
    except Exception as e:  # noqa: BLE001: any parse failure is a malformed key
        raise KeyError_("malformed", f"no OpenPGP public key could be read: {_first_line(e)}") from None
    fingerprint = cert.fingerprint.upper()
    if cert.has_secret_keys:
        raise KeyError_("malformed", "it is a secret key: give the public key (gpg --export, not --export-secret-keys)")
    if cert.is_revoked:
        raise KeyError_("revoked", f"key {fingerprint} is revoked")
    expires = cert.expiration
    if expires is not None and expires <= datetime.datetime.now(datetime.timezone.utc):
        raise KeyError_("expired", f"key {fingerprint} expired on {expires.date().isoformat()}")
    return cert, record(fingerprint=fingerprint)


def _encrypt(cert, fingerprint, message):
    try:
        return pysequoia.encrypt(bytes(message), recipients=[cert], armor=False)
    except Exception as e:  # noqa: BLE001: Sequoia found no key it may encrypt to
        raise KeyError_("no-encryption-key", f"key {fingerprint} has no usable key for encryption ({_first_line(e)})") from None


def functions():
    """`(WIT name, host function)` for each function of the import. Both results are untagged in
    wasmtime-py: the ok side is a record, the error a variant."""

    def check_public_key(store, key_bytes):
        try:
            cert, recipient = _usable(key_bytes)
            # A key with no encryption key is only found by trying: encrypt nothing to it.
            _encrypt(cert, recipient.fingerprint, b"")
            return recipient
        except KeyError_ as e:
            return e.variant

    def encrypt(store, key_bytes, message):
        # The message is the secret: it goes to Sequoia and nowhere else (never logged).
        try:
            cert, recipient = _usable(key_bytes)
            return record(message=_encrypt(cert, recipient.fingerprint, message), recipient=recipient)
        except KeyError_ as e:
            return e.variant

    return [("check-public-key", check_public_key), ("encrypt", encrypt)]
