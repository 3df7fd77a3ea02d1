"""Hand a composed message to the outbound relay over SMTP and classify failures.

``TemporaryDeliveryError`` means try again later, ``PermanentDeliveryError``
means this message will never go through as it is. The rule:

- Anything that goes wrong before the mail transaction (connect, greeting,
  EHLO, STARTTLS, certificate, AUTH) is about the relay or our configuration,
  not about this message, so it is temporary whatever the reply code: the
  outbox keeps the message until the relay or the settings are fixed, and the
  retry horizon alerts staff if that takes too long. ``stage`` says where it
  failed (``connect``, ``tls``, ``auth``) so the worker can alert sooner.
- In the transaction (``mail``, ``rcpt``, ``data``) the reply code decides:
  4xx temporary, 5xx permanent (RFC 5321 4.2.1). A dropped connection,
  timeout or reset is temporary.
- If the relay accepted some recipients and refused others, the message has
  been delivered to someone, so a resend would duplicate it:
  ``PartialDeliveryError`` (permanent) lists the refused ones in ``refused``.

Messages on these errors are safe to log: the server's reply and the stage,
never the password.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable
from email.message import EmailMessage

from bot.app.config import SmtpSettings

_MAX_REPLY_CHARS = 300


class DeliveryError(Exception):
    """Delivery failed; ``code`` is the SMTP reply code when there was one."""

    def __init__(self, message: str, *, code: int | None = None, stage: str = "", refused: dict[str, tuple[int, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.stage = stage
        self.refused = refused or {}


class TemporaryDeliveryError(DeliveryError):
    """Try again later."""


class PermanentDeliveryError(DeliveryError):
    """Do not retry this message."""


class PartialDeliveryError(PermanentDeliveryError):
    """Some recipients accepted the message; ``refused`` maps the others to (code, reply)."""


class SmtpSender:
    """Sends one message per SMTP session to the relay named in ``SmtpSettings``."""

    def __init__(self, settings: SmtpSettings, *, local_hostname: str | None = None) -> None:
        """``local_hostname`` is the EHLO name; default: the host's FQDN (smtplib)."""
        self._settings = settings
        self._local_hostname = local_hostname
        self._where = f"{settings.host}:{settings.port}"

    def send(self, msg: EmailMessage, envelope_from: str, recipients: Iterable[str]) -> None:
        """Deliver ``msg`` to ``recipients``; raise a ``DeliveryError`` subclass on failure."""
        rcpts = list(recipients)
        if not rcpts:
            raise ValueError("no recipients")
        smtp = self._open()
        try:
            refused = smtp.send_message(msg, from_addr=envelope_from, to_addrs=rcpts)
        except smtplib.SMTPRecipientsRefused as exc:
            smtp.close()
            raise self._refused_error(exc.recipients, partial=False) from None
        except smtplib.SMTPResponseException as exc:  # MAIL FROM or DATA refused
            smtp.close()
            stage = "mail" if isinstance(exc, smtplib.SMTPSenderRefused) else "data"
            raise self._reply_error(stage, exc.smtp_code, exc.smtp_error) from None
        except (smtplib.SMTPException, OSError) as exc:
            smtp.close()
            raise TemporaryDeliveryError(self._describe("transaction", exc), stage="transaction") from None
        self._quit(smtp)
        if refused:
            raise self._refused_error(refused, partial=True)

    def _open(self) -> smtplib.SMTP:
        """Connect, secure and log in; every failure here is temporary (see the module doc)."""
        s = self._settings
        context = self._tls_context()
        stage = "connect"
        try:
            if s.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, local_hostname=self._local_hostname, timeout=s.timeout_s, context=context
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, local_hostname=self._local_hostname, timeout=s.timeout_s)
        except smtplib.SMTPConnectError as exc:
            raise self._reply_error(stage, exc.smtp_code, exc.smtp_error, force_temporary=True) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporaryDeliveryError(self._describe(stage, exc), stage=stage) from None
        try:
            smtp.ehlo_or_helo_if_needed()
            if s.security == "starttls":
                stage = "tls"
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.username:
                stage = "auth"
                smtp.login(s.username, s.password.get_secret_value())
        except UnicodeEncodeError:
            # smtplib encodes AUTH credentials as ASCII; say so without echoing them.
            smtp.close()
            raise TemporaryDeliveryError(f"{self._where} auth: smtplib cannot send a non-ASCII username or password", stage=stage) from None
        except smtplib.SMTPResponseException as exc:
            smtp.close()
            raise self._reply_error(stage, exc.smtp_code, exc.smtp_error, force_temporary=True) from None
        except (smtplib.SMTPException, OSError) as exc:
            smtp.close()
            raise TemporaryDeliveryError(self._describe(stage, exc), stage=stage) from None
        return smtp

    def _tls_context(self) -> ssl.SSLContext | None:
        if self._settings.security == "plain":
            return None
        context = ssl.create_default_context()
        if not self._settings.verify_certificates:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    @staticmethod
    def _quit(smtp: smtplib.SMTP) -> None:
        # The relay has accepted the message at this point. A failing QUIT must
        # not turn into an error, or the outbox would send the message twice.
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def _reply_error(self, stage: str, code: int, reply: bytes | str, *, force_temporary: bool = False) -> DeliveryError:
        message = f"{self._where} {stage}: {code} {self._clean(reply)}"
        permanent = 500 <= code < 600 and not force_temporary
        cls = PermanentDeliveryError if permanent else TemporaryDeliveryError
        return cls(message, code=code, stage=stage)

    def _refused_error(self, refused: dict, *, partial: bool) -> DeliveryError:
        cleaned = {rcpt: (code, self._clean(reply)) for rcpt, (code, reply) in refused.items()}
        first_rcpt, (code, reply) = next(iter(cleaned.items()))
        what = "some recipients refused" if partial else "all recipients refused"
        message = f"{self._where} rcpt: {what}: {first_rcpt}: {code} {reply}"
        if len(cleaned) > 1:
            message += f" (and {len(cleaned) - 1} more)"
        if partial:
            return PartialDeliveryError(message, code=code, stage="rcpt", refused=cleaned)
        # All refused and nothing delivered: retrying is safe if any refusal was temporary.
        temporary = any(not 500 <= c < 600 for c, _ in cleaned.values())
        cls = TemporaryDeliveryError if temporary else PermanentDeliveryError
        return cls(message, code=code, stage="rcpt", refused=cleaned)

    def _describe(self, stage: str, exc: BaseException) -> str:
        return f"{self._where} {stage}: {type(exc).__name__}: {self._clean(str(exc))}"

    def _clean(self, reply: bytes | str) -> str:
        """One printable line, bounded, with the password blanked out should a server echo it."""
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        text = " ".join(text.split())[:_MAX_REPLY_CHARS]
        password = self._settings.password.get_secret_value()
        return text.replace(password, "***") if password else text
