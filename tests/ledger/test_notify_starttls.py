"""E-mail over STARTTLS: a local aiosmtpd server with a self-signed certificate made here, login only after TLS."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ledger.channels import SendError, parse_smtp_url, send_email
from notify_sinks import MailBox, free_port

USER, PASSWORD = "patrol@office.test", "s3cret-pw"


def self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as PEM files in ``folder``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


class TlsMailBox(MailBox):
    """A mailbox that also notes, per message, whether the session was encrypted and who logged in."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[tuple[bool, object]] = []
        self.session_lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.session_lock:
            self.sessions.append((session.ssl is not None, getattr(session.auth_data, "login", None)))
        return await super().handle_DATA(server, session, envelope)


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login,
                                                   auth_data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, auth_data=auth_data)


@pytest.fixture
def starttls_server(tmp_path):
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box, port = TlsMailBox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            authenticator=_authenticate, auth_require_tls=True)
    controller.start()
    try:
        yield port, box, cert
    finally:
        controller.stop()


def test_email_goes_over_starttls_and_logs_in_only_encrypted(starttls_server, monkeypatch):
    port, box, cert = starttls_server
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # this machine trusts the test's certificate (as an office trusts its CA)
    smtp = parse_smtp_url(f"smtp://patrol%40office.test:{PASSWORD}@127.0.0.1:{port}")
    send_email(smtp, sender=USER, to="leader@street.test", subject="【红牌】H0001", text="请督办", timeout_s=5)
    assert len(box.messages) == 1 and box.messages[0]["Subject"] == "【红牌】H0001"
    encrypted, login = box.sessions[0]
    assert encrypted and login == USER.encode()


def test_an_untrusted_certificate_is_refused_before_the_password_goes(starttls_server, monkeypatch, tmp_path):
    """The server's certificate signs itself and this machine does not trust it: nothing is sent."""
    port, box, _ = starttls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "nothing.pem"))
    smtp = parse_smtp_url(f"smtp://patrol%40office.test:{PASSWORD}@127.0.0.1:{port}")
    with pytest.raises(SendError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        send_email(smtp, sender=USER, to="leader@street.test", subject="s", text="t", timeout_s=5)
    assert box.messages == []


def test_a_wrong_password_is_a_send_error(starttls_server, monkeypatch):
    port, box, cert = starttls_server
    monkeypatch.setenv("SSL_CERT_FILE", cert)
    smtp = parse_smtp_url(f"smtp://patrol%40office.test:wrong@127.0.0.1:{port}")
    with pytest.raises(SendError, match="smtp 127.0.0.1"):
        send_email(smtp, sender=USER, to="leader@street.test", subject="s", text="t", timeout_s=5)
    assert box.messages == []
