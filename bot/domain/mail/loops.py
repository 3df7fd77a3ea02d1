"""Is this mail automatic? The one named place for loop prevention (RFC 3834 and friends)."""

from __future__ import annotations

from email.utils import parseaddr

from bot.domain.mail.inbound import InboundMessage

OWN_MAIL_HEADER = "x-supportbot-id"
ROBOT_LOCAL_PARTS = ("mailer-daemon", "postmaster")
# Precedence is not standardised, but bulk/junk/list are what vacation
# programs have honoured for decades (and RFC 3834 2 recommends honouring).
AUTOMATIC_PRECEDENCE = ("bulk", "junk", "list")


def is_own_mail(message: InboundMessage) -> bool:
    """Our own outgoing mail coming back (a forward rule, a list, a bounce's copy)."""
    return bool(message.header(OWN_MAIL_HEADER))


def automatic_reason(message: InboundMessage) -> str | None:
    """Why ``message`` is automatic (and must never be answered), or None for a person's mail."""
    auto_submitted = message.header("auto-submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"  # RFC 3834 5.1
    precedence = message.header("precedence").strip().lower()
    if precedence in AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    if message.header("list-id") or message.header("list-unsubscribe"):
        return "mailing list (List-Id/List-Unsubscribe)"
    if message.header("x-auto-response-suppress"):
        # Exchange puts this on its own out-of-office and system mail.
        return "X-Auto-Response-Suppress"
    if message.header("x-autoreply") or message.header("x-autorespond"):
        return "X-Autoreply"
    if message.return_path == "":
        return "null return path (<>)"  # RFC 5321 4.5.5: notifications use MAIL FROM:<>
    # A bare "From: MAILER-DAEMON" names no sender (no domain), but it still says "robot":
    # read loosely here, where the answer can only be "never reply".
    robot = message.sender_email or parseaddr(message.header("from"))[1].lower()
    if robot.partition("@")[0] in ROBOT_LOCAL_PARTS:
        return f"sender {robot}"
    if message.content_type == "multipart/report" or "report-type=delivery-status" in message.header("content-type").lower():
        return "delivery status notification"
    return None
