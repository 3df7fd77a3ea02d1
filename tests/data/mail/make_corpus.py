"""Write the .eml corpus of tests/data/mail (``python tests/data/mail/make_corpus.py``).

The messages are shaped after what the clients really send (header order,
boundaries, transfer encodings, quote headers) but use example domains. Each
file is written as bytes with CRLF line endings, as it arrives over SMTP; an
8-bit body is encoded in its own charset, so an ISO-8859-1 file really holds
ISO-8859-1 bytes. The output is deterministic: rerunning rewrites the same
bytes. What each file must parse to is in expected.toml, written by hand.
"""

from __future__ import annotations

import base64
import quopri
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
MESSAGES: dict[str, tuple[str, Callable[[], str]]] = {}  # file → (byte encoding, builder)


def mail(name: str, encoding: str = "ascii"):
    """Register a builder; ``encoding`` turns its text into the file's bytes (ascii: 7-bit only)."""

    def register(builder: Callable[[], str]) -> Callable[[], str]:
        MESSAGES[name] = (encoding, builder)
        return builder

    return register


def qp(text: str, charset: str = "utf-8") -> str:
    """Quoted-printable body, soft-wrapped at 76 like every MUA does."""
    return quopri.encodestring(text.encode(charset)).decode("ascii")


def b64(data: bytes | str, charset: str = "utf-8") -> str:
    """Base64 body in 76-character lines."""
    raw = data.encode(charset) if isinstance(data, str) else data
    return base64.encodebytes(raw).decode("ascii")


def ew_b(text: str, charset: str = "UTF-8") -> str:
    """One RFC 2047 B encoded-word."""
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode('ascii')}?="


def ew_q(text: str, charset: str = "UTF-8") -> str:
    """One RFC 2047 Q encoded-word (space as underscore, specials as =XX)."""
    out = []
    for byte in text.encode(charset):
        char = chr(byte)
        if char == " ":
            out.append("_")
        elif byte < 128 and (char.isalnum() or char in "!*+-/.,:"):
            out.append(char)
        else:
            out.append(f"={byte:02X}")
    return f"=?{charset}?Q?{''.join(out)}?="


def rfc2231(text: str) -> str:
    """``UTF-8''…`` percent-encoded parameter value (RFC 2231), as Thunderbird and iOS write filenames."""
    safe = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    return "UTF-8''" + "".join(chr(b) if b in safe else f"%{b:02X}" for b in text.encode("utf-8"))


def received_mx(helo: str, ip: str, queue_id: str, when: str) -> str:
    """The trace header our MX (Postfix on mx.example.com) puts on top."""
    return (
        f"Received: from {helo} ({helo} [{ip}])\n"
        "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
        "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\n"
        "\t(No client certificate requested)\n"
        f"\tby mx.example.com (Postfix) with ESMTPS id {queue_id}\n"
        f"\tfor <support@example.com>; {when}\n"
    )


def auth_results(domain: str, dmarc: str = "pass", policy_: str = "quarantine") -> str:
    """Our MX's verdict (authserv-id mx.example.com), always the topmost one."""
    return (
        f"Authentication-Results: mx.example.com;\n"
        f"\tdkim=pass (2048-bit key; unprotected) header.d={domain} header.i=@{domain} header.b=\"Qm9vZGxl\";\n"
        f"\tdmarc={dmarc} (p={policy_} dis=none) header.from={domain};\n"
        f"\tspf=pass smtp.mailfrom={domain}\n"
    )


def png_1x1() -> bytes:
    """A valid 1×1 PNG, the smallest honest screenshot."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


def pdf(title: str) -> bytes:
    """A small PDF with the binary comment line real PDFs start with."""
    body = (
        "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        f"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Title ({title}) >>\nendobj\n"
        "trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    return body.encode("latin-1")


def tnef() -> bytes:
    """The start of a winmail.dat: TNEF signature 0x223E9F78 (little-endian), a key, attributes."""
    return struct.pack("<IH", 0x223E9F78, 0x1A2B) + b"\x01\x06\x90\x08\x00\x04\x00\x00\x00\x00\x00\x01\x00\x01\x00" + bytes(range(256)) * 2


def zip_bytes() -> bytes:
    """The first bytes of a zip (local file header, deflated data) — the mail is cut off inside it."""
    data = zlib.compress(("2026-05-12 07:58:01 ERROR Export misslyckades\n" * 40).encode("utf-8"))
    return b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 16 + b"\x16\x00\x00\x00loggar_2026-05-12.txt" + data


# --- Outlook / Exchange Online, Swedish, reply with a Från:/Skickat: block ---

OUTLOOK_CSS = """<style><!--
/* Font Definitions */
@font-face
\t{font-family:"Cambria Math";
\tpanose-1:2 4 5 3 5 4 6 3 2 4;}
@font-face
\t{font-family:Calibri;
\tpanose-1:2 15 5 2 2 2 4 3 2 4;}
/* Style Definitions */
p.MsoNormal, li.MsoNormal, div.MsoNormal
\t{margin:0cm;
\tfont-size:11.0pt;
\tfont-family:"Calibri",sans-serif;
\tmso-fareast-language:EN-US;}
a:link, span.MsoHyperlink
\t{mso-style-priority:99;
\tcolor:#0563C1;
\ttext-decoration:underline;}
span.E-postmall17
\t{mso-style-type:personal-compose;
\tfont-family:"Calibri",sans-serif;
\tcolor:windowtext;}
.MsoChpDefault
\t{mso-style-type:export-only;
\tfont-family:"Calibri",sans-serif;
\tmso-fareast-language:EN-US;}
@page WordSection1
\t{size:612.0pt 792.0pt;
\tmargin:70.85pt 70.85pt 70.85pt 70.85pt;}
div.WordSection1
\t{page:WordSection1;}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]--><!--[if gte mso 9]><xml>
<o:shapelayout v:ext="edit">
<o:idmap v:ext="edit" data="1" />
</o:shapelayout></xml><![endif]-->"""

OUTLOOK_HTML_OPEN = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<meta name="Generator" content="Microsoft Word 15 (filtered medium)">
<!--[if !mso]><style>v\\:* {{behavior:url(#default#VML);}}
o\\:* {{behavior:url(#default#VML);}}
w\\:* {{behavior:url(#default#VML);}}
.shape {{behavior:url(#default#VML);}}
</style><![endif]-->"""


def outlook_html(paragraphs: list[str], charset: str = "utf-8", tail: str = "") -> str:
    """Outlook's Word-generated HTML: the head bloat, MsoNormal paragraphs, &nbsp; spacers."""
    body = "\n".join(paragraphs)
    return (
        OUTLOOK_HTML_OPEN.format(charset=charset) + OUTLOOK_CSS + "\n</head>\n"
        '<body lang="SV" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">\n'
        f'<div class="WordSection1">\n{body}\n</div>\n{tail}</body>\n</html>\n'
    )


def mso(text: str) -> str:
    return f'<p class="MsoNormal">{text}<o:p></o:p></p>'


MSO_SPACER = '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>'

ANNA_PLAIN = """Hej!

Tyvärr fungerar det fortfarande inte. När jag försöker logga in får jag felet "Åtkomst nekad (kod 403)". Jag har provat både Edge och Chrome.

Vänliga hälsningar
Anna Svensson
Ekonomiavdelningen, Kund AB
Tel. 08-123 45 67

Från: Support <support@example.com>
Skickat: den 12 maj 2026 10:14
Till: Anna Svensson <anna.svensson@kund.se>
Ämne: [TC-2026-00042] Inloggningen fungerar inte

Hej Anna,

Tack för ditt ärende. Vi har återställt ditt lösenord – prova att logga in igen.

Med vänlig hälsning
Support
"""


@mail("outlook_sv_reply_quoted.eml")
def outlook_sv_reply_quoted() -> str:
    boundary = "_000_AM9PR04MB82117C3E5F0A1B2C3D4E5F6A8E2A9AM9PR04MB8211eurp_"
    html = outlook_html(
        [
            mso("Hej!"), MSO_SPACER,
            mso("Tyvärr fungerar det fortfarande inte. När jag försöker logga in får jag felet &quot;Åtkomst nekad (kod 403)&quot;. Jag har provat både Edge och Chrome."),
            MSO_SPACER, mso("Vänliga hälsningar"), mso("Anna Svensson"), mso("Ekonomiavdelningen, Kund AB"), mso("Tel. 08-123 45 67"), MSO_SPACER,
            '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">',
            '<p class="MsoNormal"><b>Från:</b> Support &lt;support@example.com&gt; <br>'
            "<b>Skickat:</b> den 12 maj 2026 10:14<br><b>Till:</b> Anna Svensson &lt;anna.svensson@kund.se&gt;<br>"
            "<b>Ämne:</b> [TC-2026-00042] Inloggningen fungerar inte<o:p></o:p></p>",
            "</div>", MSO_SPACER, mso("Hej Anna,"), MSO_SPACER,
            mso("Tack för ditt ärende. Vi har återställt ditt lösenord – prova att logga in igen."),
            MSO_SPACER, mso("Med vänlig hälsning"), mso("Support"),
        ]
    )
    return f"""Return-Path: <anna.svensson@kund.se>
Delivered-To: support@example.com
{received_mx("mail-db8eur05on2071.outbound.protection.outlook.com", "203.0.113.71", "4Vb2Lq0Y3Kz1xQ", "Tue, 12 May 2026 13:47:02 +0200 (CEST)")}{auth_results("kund.se")}ARC-Seal: i=1; a=rsa-sha256; s=arcselector10001; d=microsoft.com; cv=none;
 b=kJ3Yv0c1pQfGJ2Xz8m1n4Vb7W0sA5dE9rT2uI6oP3lK8jH1gF4dS7aZ0xC2vB5nM9qW4eR7tY1uI3oP6lK9jH2gF5dS8aZ
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=kund.se; s=selector1;
 h=From:Date:Subject:Message-ID:Content-Type:MIME-Version:X-MS-Exchange-SenderADCheck;
 bh=3q2+7w8z9A0B1C2D3E4F5G6H7I8J9K0L1M2N3O4P5Q6=;
 b=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4
Received: from AM9PR04MB8211.eurprd04.prod.outlook.com (2001:db8:20b:3e4::11)
 by DU0PR04MB9417.eurprd04.prod.outlook.com (2001:db8:10:358::9) with
 Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7452.49; Tue, 12 May
 2026 11:46:58 +0000
From: Anna Svensson <anna.svensson@kund.se>
To: Support <support@example.com>
Subject: SV: [TC-2026-00042] Inloggningen fungerar inte
Thread-Topic: [TC-2026-00042] Inloggningen fungerar inte
Thread-Index: AQHaoE3k7Qb2m0rZP0uQ3v1m6gK8HLGq2x5w
Date: Tue, 12 May 2026 11:46:57 +0000
Message-ID:
 <AM9PR04MB82117C3E5F0A1B2C3D4E5F6A8E2A9@AM9PR04MB8211.eurprd04.prod.outlook.com>
References: <out-1@support.example.com> <out-5@support.example.com>
In-Reply-To: <out-5@support.example.com>
Accept-Language: sv-SE, en-US
Content-Language: sv-SE
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
authentication-results: dkim=none (message not signed)
 header.d=none;dmarc=none action=none header.from=kund.se;
x-ms-publictraffictype: Email
x-ms-traffictypediagnostic: AM9PR04MB8211:EE_|DU0PR04MB9417:EE_
x-ms-office365-filtering-correlation-id: 5e2c1a7b-3f4d-4b8e-9a1c-7d2e3f4a5b6c
x-ms-exchange-senderadcheck: 1
x-ms-exchange-antispam-relay: 0
Content-Type: multipart/alternative;
\tboundary="{boundary}"
MIME-Version: 1.0
X-OriginatorOrg: kund.se
X-MS-Exchange-CrossTenant-AuthAs: Internal
X-MS-Exchange-CrossTenant-AuthSource: AM9PR04MB8211.eurprd04.prod.outlook.com
X-MS-Exchange-CrossTenant-Network-Message-Id: 5e2c1a7b-3f4d-4b8e-9a1c-7d2e3f4a5b6c
X-MS-Exchange-CrossTenant-originalarrivaltime: 12 May 2026 11:46:57.8123
 (UTC)
X-MS-Exchange-CrossTenant-fromentityheader: Hosted
X-MS-Exchange-CrossTenant-id: 0f3b2c1d-8a7e-4c55-9b1a-2d3e4f5a6b7c
X-MS-Exchange-Transport-CrossTenantHeadersStamped: DU0PR04MB9417

--{boundary}
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64

{b64(ANNA_PLAIN)}
--{boundary}
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: base64

{b64(html)}
--{boundary}--
"""


# --- Outlook 2010 / Exchange on premises, "-----Ursprungligt meddelande-----" ---

LARS_PLAIN = """Hej,

Kolumnerna "Kostnadsställe" och "Momssats" saknas fortfarande i exporten. Jag kan skicka en skärmdump om ni vill.

Mvh
Lars Berg
IT-ansvarig
Kund AB

-----Ursprungligt meddelande-----
Från: Support [mailto:support@example.com] 
Skickat: den 11 maj 2026 16:02
Till: Lars Berg
Ämne: [TC-2026-00051] Exporten till Excel saknar kolumner

Hej Lars,

Vi har rättat exporten i version 4.2.1. Kan du prova igen?

Hälsningar
Support
"""


@mail("outlook_sv_reply_ursprungligt.eml")
def outlook_sv_reply_ursprungligt() -> str:
    boundary = "_000_8F3C2A1B0D9E4F5A6B7C8D9E0F1A2B3Cexch01kundlocal_"
    html = outlook_html(
        [mso(line or "&nbsp;") for line in LARS_PLAIN.split("-----Ursprungligt")[0].splitlines()]
        + [mso("-----Ursprungligt meddelande-----"), mso("<b>Från:</b> Support [mailto:support@example.com] "),
           mso("<b>Skickat:</b> den 11 maj 2026 16:02"), mso("<b>Till:</b> Lars Berg"),
           mso("<b>Ämne:</b> [TC-2026-00051] Exporten till Excel saknar kolumner"), MSO_SPACER,
           mso("Hej Lars,"), MSO_SPACER, mso("Vi har rättat exporten i version 4.2.1. Kan du prova igen?")],
        charset="iso-8859-1",
    )
    return f"""Return-Path: <lars.berg@kund.se>
Delivered-To: support@example.com
{received_mx("mail.kund.se", "198.51.100.10", "4Vb3Qm5Hn1z2yR", "Tue, 12 May 2026 08:31:40 +0200 (CEST)")}{auth_results("kund.se", policy_="none")}Received: from EXCH01.kund.local (10.1.2.11) by EXCH01.kund.local (10.1.2.11)
 with Microsoft SMTP Server (TLS) id 14.3.498.0; Tue, 12 May 2026 08:31:38
 +0200
From: Lars Berg <lars.berg@kund.se>
To: Support <support@example.com>
Date: Tue, 12 May 2026 08:31:37 +0200
Subject: SV: [TC-2026-00051] Exporten till Excel saknar kolumner
Thread-Topic: [TC-2026-00051] Exporten till Excel saknar kolumner
Thread-Index: AQHazPq7Xy1b2c3d4e5f6g7h8i9j0k1l2m3nA==
Message-ID: <8F3C2A1B0D9E4F5A6B7C8D9E0F1A2B3C@EXCH01.kund.local>
References: <out-7@support.example.com>
In-Reply-To: <out-7@support.example.com>
Accept-Language: sv-SE, en-US
Content-Language: sv-SE
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
x-originating-ip: [198.51.100.23]
Content-Type: multipart/alternative;
\tboundary="{boundary}"
MIME-Version: 1.0

--{boundary}
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

{qp(LARS_PLAIN, "iso-8859-1")}
--{boundary}
Content-Type: text/html; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

{qp(html, "iso-8859-1")}
--{boundary}--
"""


# --- Gmail / Google Workspace replies, Swedish and English quote headers ---

def gmail_headers(sender: str, to: str, cc: str, subject: str, msgid: str, irt: str, refs: str, date: str, queue_id: str) -> str:
    return f"""Return-Path: <{sender.split("<")[-1].rstrip(">")}>
Delivered-To: support@example.com
{received_mx("mail-ej1-f53.google.com", "192.0.2.53", queue_id, date.replace("+0200", "+0200 (CEST)"))}{auth_results("kund.se", policy_="reject")}DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
        d=kund.se; s=google; t=1778575000; x=1779179800;
        h=cc:to:subject:message-id:date:from:in-reply-to:references
         :mime-version:from:to:cc:subject:date:message-id:reply-to;
        bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;
        b=YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5
X-Google-DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
        d=1e100.net; s=20230601; t=1778575000; x=1779179800;
        bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;
        b=eHl6YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXphYmNkZWZnaGlqa2xtbm9wcXJz
X-Gm-Message-State: AOJu0YzQ1r2s3t4u5v6w7x8y9z0A1B2C3D4E5F6G7H8I9J0K1L2M3N4O
X-Google-Smtp-Source: AGHT+IFq1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c2v3b4n5m
X-Received: by 2002:a17:906:1b2c:b0:a59:9e3f:1a2b with SMTP id
 c12-20020a1709061b2c00b00a599e3f1a2bmr1234567ejf.12.1778575000123; {date.replace(" +0200", "")}
 -0700 (PDT)
MIME-Version: 1.0
References: {refs}
In-Reply-To: {irt}
From: {sender}
Date: {date}
Message-ID: <{msgid}>
Subject: {subject}
To: {to}
{cc}"""


ERIK_PLAIN = """Hej Anna och support,

Jag har samma problem sedan i morse. Det verkar gälla alla på ekonomi – vi som ligger i gruppen "Ekonomi-Läs" kommer inte in.

/Erik

Den tis 12 maj 2026 kl 10:14 skrev Anna <anna.svensson@kund.se>:

> Hej!
>
> Tyvärr fungerar det fortfarande inte. När jag försöker logga in får jag
> felet "Åtkomst nekad (kod 403)".
>
> Vänliga hälsningar
> Anna Svensson
>
"""

ERIK_HTML = """<div dir="ltr"><div>Hej Anna och support,</div><div><br></div><div>Jag har samma problem sedan i morse. Det verkar gälla alla på ekonomi – vi som ligger i gruppen &quot;Ekonomi-Läs&quot; kommer inte in.</div><div><br></div><div>/Erik</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">Den tis 12 maj 2026 kl 10:14 skrev Anna &lt;<a href="mailto:anna.svensson@kund.se">anna.svensson@kund.se</a>&gt;:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div>Hej!<br><br>Tyvärr fungerar det fortfarande inte. När jag försöker logga in får jag felet &quot;Åtkomst nekad (kod 403)&quot;.<br><br>Vänliga hälsningar<br>Anna Svensson</div></blockquote></div>
"""


@mail("gmail_sv_reply.eml")
def gmail_sv_reply() -> str:
    boundary = "000000000000a3f1c20614c1d2e3"
    headers = gmail_headers(
        "Erik Johansson <erik.johansson@kund.se>", "Anna Svensson <anna.svensson@kund.se>",
        "Cc: support@example.com\n", "Re: [TC-2026-00042] Inloggningen fungerar inte",
        "CAKx7Qd1mZp3RsT9uVw0xYz2A4b6C8d0E1f3G5h7J9k@mail.gmail.com",
        "<CAFq2Rk8wYt0Uv3Xz5A7b9C1d3E5f7G9h1J3k5L7m9N@mail.gmail.com>",
        "<out-1@support.example.com>\n <CAFq2Rk8wYt0Uv3Xz5A7b9C1d3E5f7G9h1J3k5L7m9N@mail.gmail.com>",
        "Tue, 12 May 2026 10:31:05 +0200", "4Vb1Rt6Kp8z3wS",
    )
    return f"""{headers}Content-Type: multipart/alternative; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{qp(ERIK_PLAIN)}
--{boundary}
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{qp(ERIK_HTML)}
--{boundary}--
"""


MARK_PLAIN = """Hi,

Same here: the invoice PDF for order 10442 shows 12% VAT instead of 25%. Our office is Kund AB, Göteborg, if that matters for the VAT rules.

Best regards,
Mark Taylor

On Tue, 12 May 2026 at 10:14, Anna <anna.svensson@kund.se> wrote:

> Hello support,
>
> The invoice PDF shows the wrong VAT rate. Could you check it?
>
> /Anna
>
"""


@mail("gmail_en_reply.eml")
def gmail_en_reply() -> str:
    boundary = "000000000000b7e2d30614c1e4f5"
    headers = gmail_headers(
        "Mark Taylor <mark.taylor@kund.se>", "Anna Svensson <anna.svensson@kund.se>, support@example.com", "",
        "Re: [TC-2026-00060] Invoice PDF shows wrong VAT",
        "CAJp4Lm2nQr6StU8vWx0Yz1A3b5C7d9E1f3G5h7J9kL@mail.gmail.com",
        "<CAH8tYu3iOp5AsD7fGh9JkL1zXc3VbN5mQw7ErT9yUi@mail.gmail.com>",
        "<CAH8tYu3iOp5AsD7fGh9JkL1zXc3VbN5mQw7ErT9yUi@mail.gmail.com>",
        "Tue, 12 May 2026 11:02:47 +0200", "4Vb2Cx0Ld4z5vT",
    )
    html = (
        '<div dir="ltr">Hi,<div><br></div><div>Same here: the invoice PDF for order 10442 shows 12% VAT instead of 25%. '
        "Our office is Kund AB, Göteborg, if that matters for the VAT rules.</div><div><br></div><div>Best regards,<br>"
        'Mark Taylor</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Tue, 12 May 2026 at 10:14, '
        'Anna &lt;<a href="mailto:anna.svensson@kund.se">anna.svensson@kund.se</a>&gt; wrote:<br></div><blockquote class="gmail_quote" '
        'style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">Hello support,<br><br>'
        "The invoice PDF shows the wrong VAT rate. Could you check it?<br><br>/Anna</blockquote></div>\n"
    )
    return f"""{headers}Content-Type: multipart/alternative; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{qp(MARK_PLAIN)}
--{boundary}
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{qp(html)}
--{boundary}--
"""


# --- Apple Mail: iPhone (Swedish, "Skickat från min iPhone") and macOS (English) ---

# iOS Mail puts a U+FEFF at the start of the quoted text; it is real and stays.
IPHONE_PLAIN = """Tack, nu fungerar det! Ni kan stänga ärendet.

Skickat från min iPhone

> 12 maj 2026 kl. 14:02 skrev Support <support@example.com>:
> 
> \ufeffHej Anna,
> 
> Vi har nu lagt till ditt konto i gruppen Ekonomi-Läs. Kan du prova igen?
> 
> Med vänlig hälsning
> Support
"""


@mail("apple_mail_iphone_reply.eml")
def apple_mail_iphone_reply() -> str:
    return f"""Return-Path: <anna.svensson@kund.se>
Delivered-To: support@example.com
{received_mx("mail-db8eur05on2072.outbound.protection.outlook.com", "203.0.113.72", "4Vb6Hq2Wm7z4tU", "Tue, 12 May 2026 14:03:14 +0200 (CEST)")}{auth_results("kund.se")}Content-Type: text/plain;
\tcharset=utf-8
Content-Transfer-Encoding: quoted-printable
From: Anna Svensson <anna.svensson@kund.se>
Mime-Version: 1.0 (1.0)
Subject: Re: [TC-2026-00042] Inloggningen fungerar inte
Date: Tue, 12 May 2026 14:03:11 +0200
Message-Id: <5D1A2B3C-4E5F-4A6B-8C7D-9E0F1A2B3C4D@kund.se>
References: <out-6@support.example.com>
In-Reply-To: <out-6@support.example.com>
To: Support <support@example.com>
X-Mailer: iPhone Mail (21F90)

{qp(IPHONE_PLAIN)}"""


MAC_PLAIN = """Hi,

The key is printed on the delivery note as "KUND-7F3A-Ö9K2" — is the Ö really part of it? The installer only accepts A–Z and 0–9.

Best regards,
Sofia Åberg
Kund AB

> On 12 May 2026, at 10:14, Support <support@example.com> wrote:
> 
> Hi Sofia,
> 
> Please enter the licence key exactly as printed on your delivery note.
> 
> Kind regards
> Support
> 
"""


@mail("apple_mail_mac_reply.eml")
def apple_mail_mac_reply() -> str:
    boundary = "Apple-Mail=_5B1C7E2A-3D4F-4E6A-9B8C-7D6E5F4A3B2C"
    html = (
        '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
        '<body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">Hi,'
        '<div><br></div><div>The key is printed on the delivery note as "KUND-7F3A-Ö9K2" — is the Ö really part of it? '
        "The installer only accepts A–Z and 0–9.</div><div><br></div><div>Best regards,</div><div>Sofia Åberg</div>"
        '<div>Kund AB<br id="lineBreakAtBeginningOfMessage"><div><br><blockquote type="cite"><div>On 12 May 2026, at 10:14, '
        "Support &lt;support@example.com&gt; wrote:</div><br class=\"Apple-interchange-newline\"><div><div>Hi Sofia,<br><br>"
        "Please enter the licence key exactly as printed on your delivery note.<br><br>Kind regards<br>Support</div></div>"
        "</blockquote></div><br></div></body></html>"
    )
    return f"""Return-Path: <sofia.aberg@kund.se>
Delivered-To: support@example.com
{received_mx("smtp.kund.se", "198.51.100.12", "4Vb4Nz1Pc5z6sV", "Tue, 12 May 2026 10:52:19 +0200 (CEST)")}{auth_results("kund.se")}From: =?utf-8?Q?Sofia_=C3=85berg?= <sofia.aberg@kund.se>
Content-Type: multipart/alternative;
\tboundary="{boundary}"
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))
Subject: Re: [TC-2026-00063] Licensnyckeln fungerar inte efter uppgradering
Date: Tue, 12 May 2026 10:52:16 +0200
References: <out-11@support.example.com>
To: Support <support@example.com>
In-Reply-To: <out-11@support.example.com>
Message-Id: <9A8B7C6D-5E4F-4A3B-2C1D-0E9F8A7B6C5D@kund.se>
X-Mailer: Apple Mail (2.3774.600.62)


--{boundary}
Content-Transfer-Encoding: quoted-printable
Content-Type: text/plain;
\tcharset=utf-8

{qp(MAC_PLAIN)}
--{boundary}
Content-Transfer-Encoding: quoted-printable
Content-Type: text/html;
\tcharset=utf-8

{qp(html)}
--{boundary}--
"""


# --- Thunderbird reply threaded only by In-Reply-To (subject edited, no reference) ---

@mail("thunderbird_reply_to_outbound.eml", "utf-8")
def thunderbird_reply_to_outbound() -> str:
    boundary = "------------0aB1cD2eF3gH4iJ5kL6mN7oP"
    return f"""Return-Path: <anna.svensson@kund.se>
Delivered-To: support@example.com
{received_mx("smtp.kund.se", "198.51.100.12", "4Vb0Wd3Fg9z7rW", "Tue, 12 May 2026 10:40:03 +0200 (CEST)")}{auth_results("kund.se")}Content-Type: multipart/mixed; boundary="{boundary}"
Message-ID: <3f9e2a1b-7c6d-4e5f-8a9b-0c1d2e3f4a5b@kund.se>
Date: Tue, 12 May 2026 10:40:01 +0200
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: =?UTF-8?Q?Re=3A_Inloggningen_=E2=80=93_sk=C3=A4rmdump?=
Content-Language: sv-SE
To: Support <support@example.com>
References: <out-1@support.example.com>
From: Anna Svensson <anna.svensson@kund.se>
In-Reply-To: <out-1@support.example.com>

This is a multi-part message in MIME format.
--{boundary}
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit

Hej,

Här kommer skärmdumpen ni bad om. Felet kommer direkt efter att jag 
klickat på "Logga in".

Hälsningar
Anna

Den 2026-05-12 kl. 10:14, skrev Support:
> Hej Anna,
>
> Kan du skicka en skärmdump av felmeddelandet?
>
> Med vänlig hälsning
> Support

--{boundary}
Content-Type: image/png; name="=?UTF-8?B?c2vDpHJtZHVtcC5wbmc=?="
Content-Disposition: attachment; filename*={rfc2231("skärmdump.png")}
Content-Transfer-Encoding: base64

{b64(png_1x1())}
--{boundary}--
"""


# --- Out-of-office from several vendors ---

@mail("ooo_exchange_auto_generated.eml")
def ooo_exchange_auto_generated() -> str:
    boundary = "_000_DB9PR04MB8123A1B2C3D4E5F6A7B8C9D0E1F2DB9PR04MB8123eurp_"
    text = (
        "I am out of the office until 19 May 2026 with limited access to e-mail.\n\n"
        "For urgent matters, please contact Karin Ek at karin.ek@kund.se.\n\nPeter Nilsson\n"
    )
    html = outlook_html([mso("I am out of the office until 19 May 2026 with limited access to e-mail."), MSO_SPACER,
                         mso("For urgent matters, please contact Karin Ek at karin.ek@kund.se."), MSO_SPACER, mso("Peter Nilsson")])
    return f"""Return-Path: <peter.nilsson@kund.se>
Delivered-To: support@example.com
{received_mx("mail-db8eur05on2073.outbound.protection.outlook.com", "203.0.113.73", "4Vb1Kp7Yx2z8qX", "Tue, 12 May 2026 10:15:09 +0200 (CEST)")}{auth_results("kund.se")}From: Peter Nilsson <peter.nilsson@kund.se>
To: Support <support@example.com>
Subject: Automatic reply: [TC-2026-00042] Inloggningen fungerar inte
Thread-Topic: [TC-2026-00042] Inloggningen fungerar inte
Thread-Index: AQHaoF1a2b3c4d5e6f7g8h9i0j1k2l3m4n5o
Date: Tue, 12 May 2026 08:15:07 +0000
Message-ID: <DB9PR04MB8123A1B2C3D4E5F6A7B8C9D0E1F2@DB9PR04MB8123.eurprd04.prod.outlook.com>
References: <out-8@support.example.com>
In-Reply-To: <out-8@support.example.com>
Auto-Submitted: auto-generated
Content-Language: en-US
X-MS-Has-Attach:
X-MS-Exchange-Organization-SCL: -1
X-MS-TNEF-Correlator:
X-MS-Exchange-Organization-RecordReviewCfmType: 0
X-MS-Exchange-Inbox-Rules-Loop: peter.nilsson@kund.se
X-Auto-Response-Suppress: All
Content-Type: multipart/alternative;
\tboundary="{boundary}"
MIME-Version: 1.0

--{boundary}
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

{qp(text, "ascii")}
--{boundary}
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

{qp(html, "ascii")}
--{boundary}--
"""


@mail("ooo_outlook_sv_automatiskt_svar.eml")
def ooo_outlook_sv_automatiskt_svar() -> str:
    text = (
        "Hej!\n\nJag är på semester till och med den 24 maj och har begränsad tillgång till e-post.\n"
        "Vid brådskande ärenden, kontakta växeln på 08-123 45 00.\n\nMvh\nLars Berg\n"
    )
    return f"""Return-Path: <lars.berg@kund.se>
Delivered-To: support@example.com
{received_mx("mail.kund.se", "198.51.100.10", "4Vb3Rs8Tk2z9pY", "Mon, 11 May 2026 16:02:31 +0200 (CEST)")}{auth_results("kund.se", policy_="none")}Received: from EXCH01.kund.local (10.1.2.11) by EXCH01.kund.local (10.1.2.11)
 with Microsoft SMTP Server id 14.3.498.0; Mon, 11 May 2026 16:02:30 +0200
From: Lars Berg <lars.berg@kund.se>
To: Support <support@example.com>
Date: Mon, 11 May 2026 16:02:29 +0200
Subject: Automatiskt svar: [TC-2026-00051] Exporten till Excel saknar kolumner
Thread-Topic: [TC-2026-00051] Exporten till Excel saknar kolumner
Thread-Index: AQHazPq7Xy1b2c3d4e5f6g7h8i9j0k1l2m3nA==
Message-ID: <2B7C4D9E1F0A4B3C8D5E6F7A8B9C0D1E@EXCH01.kund.local>
In-Reply-To: <out-7@support.example.com>
References: <out-7@support.example.com>
Auto-Submitted: auto-generated
Content-Language: sv-SE
X-MS-Has-Attach:
X-MS-Exchange-Organization-SCL: -1
X-MS-TNEF-Correlator:
X-Auto-Response-Suppress: All
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

{qp(text, "iso-8859-1")}"""


@mail("ooo_gmail_vacation.eml")
def ooo_gmail_vacation() -> str:
    boundary = "000000000000c9d8e70614c1f6a7"
    text = "Hej!\n\nJag är ledig till och med 2 juni. Under tiden når du ekonomi@kund.se.\n\nKarin Ek\n"
    html = ('<div dir="ltr">Hej!<div><br></div><div>Jag är ledig till och med 2 juni. Under tiden når du '
            '<a href="mailto:ekonomi@kund.se">ekonomi@kund.se</a>.</div><div><br></div><div>Karin Ek</div></div>\n')
    return f"""Return-Path: <karin.ek@kund.se>
Delivered-To: support@example.com
{received_mx("mail-sor-f69.google.com", "192.0.2.69", "4Vb5Gt1Jh3z0nZ", "Tue, 12 May 2026 09:12:44 +0200 (CEST)")}{auth_results("kund.se", policy_="reject")}DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
        d=kund.se; s=google; t=1778569964; x=1779174764;
        h=to:subject:message-id:date:from:in-reply-to:references:precedence
         :auto-submitted:mime-version:from:to:cc:subject:date:message-id;
        bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=;
        b=cXdlcnR5dWlvcGFzZGZnaGprbHp4Y3Zibm1xd2VydHl1aW9wYXNkZmdoamtsenhj
MIME-Version: 1.0
Auto-Submitted: auto-replied
Precedence: bulk
References: <out-9@support.example.com>
In-Reply-To: <out-9@support.example.com>
From: Karin Ek <karin.ek@kund.se>
Date: Tue, 12 May 2026 00:12:42 -0700
Message-ID: <CAGv7Wd3xYz5A7b9C1d3E5f7G9h1J3k5L7m9N1p3Q5r@mail.gmail.com>
Subject: Re: [TC-2026-00043] Faktura saknas
To: support@example.com
Content-Type: multipart/alternative; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{qp(text)}
--{boundary}
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{qp(html)}
--{boundary}--
"""


@mail("ooo_precedence_junk.eml")
def ooo_precedence_junk() -> str:
    # vacation(1) through sendmail: no MIME headers at all, only Precedence: junk.
    verdict = auth_results("kund.se", policy_="none").replace(
        'dkim=pass (2048-bit key; unprotected) header.d=kund.se header.i=@kund.se header.b="Qm9vZGxl"', "dkim=none")
    return f"""Return-Path: <bengt@kund.se>
Delivered-To: support@example.com
Received: from mail.kund.se (mail.kund.se [198.51.100.10])
\tby mx.example.com (Postfix) with ESMTP id 4Vb7Pk4Rn6z1mA
\tfor <support@example.com>; Tue, 12 May 2026 12:15:02 +0200 (CEST)
{verdict}Received: (from bengt@localhost)
\tby mail.kund.se (8.15.2/8.15.2/Submit) id 14CAF0uT012345;
\tTue, 12 May 2026 12:15:00 +0200
Date: Tue, 12 May 2026 12:15:00 +0200
From: Bengt Holm <bengt@kund.se>
Message-Id: <202605121015.14CAF0uT012345@mail.kund.se>
To: support@example.com
Subject: away from my mail
Precedence: junk

I will not be reading my mail for a while.
Your mail concerning "[TC-2026-00042] Inloggningen fungerar inte"
will be read when I'm back.

-- 
Bengt Holm
"""


@mail("ooo_x_autoreply.eml")
def ooo_x_autoreply() -> str:
    # A hosting panel's autoresponder: X-Autoreply is its only robot sign.
    text = "Tack för ditt mejl! Jag är tjänstledig och läser inte e-post förrän i augusti.\n\nUlla Sjöberg\n"
    return f"""Return-Path: <ulla@kund.se>
Delivered-To: support@example.com
{received_mx("web12.webbhotell.example", "198.51.100.44", "4Vb8Lm5Qs7z2kB", "Tue, 12 May 2026 10:15:30 +0200 (CEST)")}{auth_results("kund.se", policy_="none")}Received: from ulla by web12.webbhotell.example with local (Exim 4.97)
\t(envelope-from <ulla@kund.se>)
\tid 1sA2bC-0003dE-Fg
\tfor support@example.com; Tue, 12 May 2026 10:15:28 +0200
To: support@example.com
X-Autoreply: yes
Subject: Autosvar: [TC-2026-00044] Skrivaren skriver inte ut
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable
Message-Id: <E1sA2bC-0003dE-Fg@web12.webbhotell.example>
From: {ew_q("Ulla Sjöberg")} <ulla@kund.se>
Date: Tue, 12 May 2026 10:15:28 +0200

{qp(text)}"""


@mail("ooo_sv_franvaromeddelande.eml", "utf-8")
def ooo_sv_franvaromeddelande() -> str:
    # Dovecot Pigeonhole (Sieve vacation, RFC 5230) at a Swedish host; the
    # Auto-Submitted value carries a comment, "(vacation)".
    text = (
        "Hej,\n\nJag är föräldraledig till och med 31 augusti 2026.\n"
        "Ärenden om lönesystemet hanteras under tiden av Åsa Lund, asa.lund@kund.se.\n\nMed vänlig hälsning\nLisa Holm\n"
    )
    return f"""Return-Path: <lisa.holm@kund.se>
Delivered-To: support@example.com
{received_mx("mx3.webbhotell.example", "198.51.100.45", "4Vb9Mn6Rt8z3jC", "Tue, 12 May 2026 10:15:41 +0200 (CEST)")}{auth_results("kund.se", policy_="none")}Received: from imap3.webbhotell.example
\tby imap3.webbhotell.example with LMTP
\tid 8Jq1Hx2aQGaQbgAA0J78UA
\t(envelope-from <support@example.com>)
\tfor <lisa.holm@kund.se>; Tue, 12 May 2026 10:15:39 +0200
Message-ID: <dovecot-sieve-1778573741-812345-0@imap3.webbhotell.example>
Date: Tue, 12 May 2026 10:15:41 +0200
X-Sieve: Pigeonhole Sieve 0.5.21
From: Lisa Holm <lisa.holm@kund.se>
To: <support@example.com>
Subject: {ew_q("Frånvaromeddelande")}
In-Reply-To: <out-10@support.example.com>
References: <out-10@support.example.com>
Auto-Submitted: auto-replied (vacation)
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

{text}"""


# --- Bounces ---

OUT1_HEADERS = """Return-Path: <support@example.com>
Received: from app.support.example.com (app.support.example.com [192.0.2.10])
\tby mx.example.com (Postfix) with ESMTPS id 4Vb0Aa1Bb2z3cD;
\tTue, 12 May 2026 10:14:58 +0200 (CEST)
From: Support <support@example.com>
To: anna.svenson@kund.se
Cc: erik.johansson@kund.se
Reply-To: Support <support+abcdefghijklmnopqrstuvwx@example.com>
Subject: [TC-2026-00042] Inloggningen fungerar inte
Date: Tue, 12 May 2026 08:14:58 +0000
Message-ID: <out-1@support.example.com>
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
X-Supportbot-Id: outbox-1
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable
Content-Language: sv
"""

OUT1_BODY = """Hej!

Vi har tagit emot ditt ärende och återkommer inom en arbetsdag.
Ärendenummer: TC-2026-00042

Med vänlig hälsning
Support
"""


@mail("dsn_bounce_rfc822.eml")
def dsn_bounce_rfc822() -> str:
    boundary = "4Vb0Zx1Qn2z9sX.1778573703/mx.example.com"
    return f"""Return-Path: <>
Delivered-To: support@example.com
Received: by mx.example.com (Postfix)
\tid 4Vb0Zx1Qn2z9sX; Tue, 12 May 2026 10:15:03 +0200 (CEST)
Date: Tue, 12 May 2026 10:15:03 +0200 (CEST)
From: MAILER-DAEMON@mx.example.com (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: support@example.com
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{boundary}"
Content-Transfer-Encoding: 8bit
Message-Id: <20260512081503.4Vb0Zx1Qn2z9sX@mx.example.com>

This is a MIME-encapsulated message.

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.com.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<anna.svenson@kund.se>: host mx1.kund.se[198.51.100.25] said: 550 5.1.1
    <anna.svenson@kund.se>: Recipient address rejected: User unknown in virtual
    mailbox table (in reply to RCPT TO command)

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com
X-Postfix-Queue-ID: 4Vb0Zx1Qn2z9sX
X-Postfix-Sender: rfc822; support@example.com
Arrival-Date: Tue, 12 May 2026 10:14:58 +0200 (CEST)

Final-Recipient: rfc822; anna.svenson@kund.se
Original-Recipient: rfc822;anna.svenson@kund.se
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx1.kund.se
Diagnostic-Code: smtp; 550 5.1.1 <anna.svenson@kund.se>: Recipient address
    rejected: User unknown in virtual mailbox table

--{boundary}
Content-Description: Undelivered Message
Content-Type: message/rfc822
Content-Transfer-Encoding: 8bit

{OUT1_HEADERS}
{qp(OUT1_BODY)}
--{boundary}--
"""


@mail("dsn_bounce_rfc822_headers.eml")
def dsn_bounce_rfc822_headers() -> str:
    # Exchange Online NDR in Swedish, returning only the original's headers.
    boundary = "_004_DB9PR04MB8123NDR0A1B2C3D4E5F6DB9PR04MB8123eurp_"
    alt = "_003_DB9PR04MB8123NDR0A1B2C3D4E5F6DB9PR04MB8123eurp_"
    text = (
        "Det gick inte att leverera meddelandet till erik.johansson@kund.se eftersom mottagarens postlåda är full.\n\n"
        "Diagnostisk information för administratörer:\n\nGenererande server: DB9PR04MB8123.eurprd04.prod.outlook.com\n\n"
        "erik.johansson@kund.se\nFjärrserver returnerade '554 5.2.2 mailbox full; "
        "STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded'\n"
    )
    html = ("<html><head></head><body><p><b><font color=\"#000066\" size=\"3\" face=\"Arial\">Det gick inte att leverera "
            "meddelandet till erik.johansson@kund.se eftersom mottagarens postlåda är full.</font></b></p>"
            "<p>Diagnostisk information för administratörer:</p><p>Genererande server: DB9PR04MB8123.eurprd04.prod.outlook.com</p>"
            "</body></html>\n")
    return f"""Return-Path: <>
Delivered-To: support@example.com
{received_mx("mail-db9eur04on2090.outbound.protection.outlook.com", "203.0.113.90", "4Vb0Yw2Xv3z4uE", "Tue, 12 May 2026 10:15:12 +0200 (CEST)")}From: Microsoft Outlook <postmaster@kund.se>
To: <support@example.com>
Date: Tue, 12 May 2026 08:15:10 +0000
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{boundary}"
X-MS-Exchange-Message-Is-Ndr:
Content-Language: sv-SE
Message-ID:
 <4f8d2c1b-9a7e-4b6c-8d5e-3f2a1b0c9d8e@DB9PR04MB8123.eurprd04.prod.outlook.com>
In-Reply-To: <out-1@support.example.com>
References: <out-1@support.example.com>
Thread-Topic: [TC-2026-00042] Inloggningen fungerar inte
Thread-Index: AQHaoE3kNDRkNDRkNDRkNDRkNDRkNA==
Subject: Det gick inte att leverera: [TC-2026-00042] Inloggningen fungerar inte
MIME-Version: 1.0

--{boundary}
Content-Type: multipart/alternative; differences=Content-Type;
\tboundary="{alt}"

--{alt}
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp(text)}
--{alt}
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp(html)}
--{alt}--

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns;DB9PR04MB8123.eurprd04.prod.outlook.com
Received-From-MTA: dns;mx.example.com
Arrival-Date: Tue, 12 May 2026 08:15:01 +0000

Final-Recipient: rfc822;erik.johansson@kund.se
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp;554 5.2.2 mailbox full;
 STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded

--{boundary}
Content-Type: text/rfc822-headers

{OUT1_HEADERS}
--{boundary}--
"""


@mail("bounce_mailer_daemon_qmail.eml")
def bounce_mailer_daemon_qmail() -> str:
    # qmail bounces are plain text, not multipart/report, and carry no Message-ID.
    return f"""Return-Path: <>
Delivered-To: support@example.com
Received: from mail.kund-gammal.se (mail.kund-gammal.se [198.51.100.77])
\tby mx.example.com (Postfix) with SMTP id 4Vb1Xz9Yw8z5tF
\tfor <support@example.com>; Tue, 12 May 2026 10:20:13 +0200 (CEST)
Received: (qmail 27182 invoked for bounce); 12 May 2026 08:20:11 -0000
Date: 12 May 2026 08:20:11 -0000
From: MAILER-DAEMON@mail.kund-gammal.se
To: support@example.com
Subject: failure notice

Hi. This is the qmail-send program at mail.kund-gammal.se.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<lars.berg@kund-gammal.se>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

Return-Path: <support@example.com>
Received: (qmail 27180 invoked from network); 12 May 2026 08:20:10 -0000
Received: from mx.example.com (192.0.2.25)
  by mail.kund-gammal.se with SMTP; 12 May 2026 08:20:10 -0000
From: Support <support@example.com>
To: lars.berg@kund-gammal.se
Subject: [TC-2026-00051] Exporten till Excel saknar kolumner
Date: Tue, 12 May 2026 08:20:09 +0000
Message-ID: <out-2@support.example.com>
X-Supportbot-Id: outbox-2
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Hej Lars,

Vi har r=C3=A4ttat exporten i version 4.2.1. Kan du prova igen?

Support
"""


# --- Mailing lists ---

@mail("list_mailman.eml")
def list_mailman() -> str:
    # Mailman 3 with DMARC mitigation: From is rewritten to the list, Reply-To keeps the author.
    text = (
        "Hej alla,\n\nLördag 16 maj kl. 06.00–08.00 uppgraderar vi databasservern SRV-DB-02.\n"
        "Ekonomisystemet är inte tillgängligt under tiden.\n\n/Erik, IT-drift\n"
        "_______________________________________________\n"
        "Drift mailing list -- drift@lists.kund.se\nTo unsubscribe send an email to drift-leave@lists.kund.se\n"
    )
    return f"""Return-Path: <drift-bounces+support=example.com@lists.kund.se>
Delivered-To: support@example.com
{received_mx("lists.kund.se", "198.51.100.30", "4Vb2Ab3Cd4z6sG", "Tue, 12 May 2026 15:30:05 +0200 (CEST)")}{auth_results("lists.kund.se", policy_="none")}From: Erik Johansson via Drift <drift@lists.kund.se>
Reply-To: Erik Johansson <erik.johansson@kund.se>
To: drift@lists.kund.se
Subject: [Drift] Planerat =?utf-8?q?underh=C3=A5ll_l=C3=B6rdag?= 16 maj
Date: Tue, 12 May 2026 15:29:58 +0200
Message-ID: <6b1f2e3d-4c5b-4a69-8877-665544332211@kund.se>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable
Message-ID-Hash: 7QJ2ZK4XWBN5RDPL3V6HTMYE2SGFCU8A
X-Message-ID-Hash: 7QJ2ZK4XWBN5RDPL3V6HTMYE2SGFCU8A
X-MailFrom: erik.johansson@kund.se
X-Mailman-Rule-Misses: dmarc-mitigation; no-senders; approved; emergency; loop; banned-address; member-moderation; nonmember-moderation; administrivia; implicit-dest; max-recipients; max-size; news-moderation; no-subject; digests; suspicious-header
X-Mailman-Version: 3.3.9
Precedence: list
List-Id: Driftinformation <drift.lists.kund.se>
Archived-At: <https://lists.kund.se/hyperkitty/list/drift@lists.kund.se/message/7QJ2ZK4XWBN5RDPL3V6HTMYE2SGFCU8A/>
List-Archive: <https://lists.kund.se/hyperkitty/list/drift@lists.kund.se/>
List-Help: <mailto:drift-request@lists.kund.se?subject=help>
List-Owner: <mailto:drift-owner@lists.kund.se>
List-Post: <mailto:drift@lists.kund.se>
List-Subscribe: <mailto:drift-join@lists.kund.se>
List-Unsubscribe: <mailto:drift-leave@lists.kund.se>

{qp(text)}"""


@mail("list_newsletter_unsubscribe.eml")
def list_newsletter_unsubscribe() -> str:
    # A marketing send: List-Unsubscribe (RFC 8058 one-click) is the only list sign.
    boundary = "----=_Part_1234567_890123456.1778580000000"
    text = (
        "Nyheter i maj\n\nSnabbare rapporter: månadsrapporten tar nu under 10 sekunder.\n\n"
        "Nya integrationer: Fortnox och Visma eEkonomi.\n\n"
        "Avregistrera dig: https://news.example.com/u/Zk9xQ2\n"
    )
    html = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Nyheter i maj</title><style>body{font-family:Arial}"
            "</style></head><body><table width=\"600\"><tr><td><h1>Nyheter i maj</h1><p>Snabbare rapporter: månadsrapporten "
            "tar nu under 10 sekunder.</p><p>Nya integrationer: Fortnox och Visma eEkonomi.</p><p><a href=\"https://news.example.com/u/Zk9xQ2\">"
            "Avregistrera dig</a></p></td></tr></table><img src=\"https://news.example.com/o/Zk9xQ2.gif\" width=\"1\" height=\"1\"></body></html>\n")
    return f"""Return-Path: <bounce-Zk9xQ2@news.example.com>
Delivered-To: support@example.com
{received_mx("o1.news.example.com", "192.0.2.150", "4Vb3Ef4Gh5z7rH", "Tue, 12 May 2026 12:00:04 +0200 (CEST)")}{auth_results("news.example.com", policy_="reject")}From: =?UTF-8?Q?Leverant=C3=B6ren_AB?= <nyhetsbrev@news.example.com>
To: support@example.com
Subject: =?UTF-8?Q?Nyheter_i_maj_=E2=80=93_snabbare_rapporter_och_nya_integrationer?=
Date: Tue, 12 May 2026 10:00:00 +0000 (UTC)
Message-ID: <1234567.890123456.1778580000000@news.example.com>
List-Unsubscribe: <https://news.example.com/u/Zk9xQ2>,
 <mailto:unsub-Zk9xQ2@news.example.com?subject=unsubscribe>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
Feedback-ID: maj2026:nyhetsbrev:news.example.com
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

{qp(text)}
--{boundary}
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

{qp(html)}
--{boundary}--
"""


# --- HTML only: Outlook's Word HTML, windows-1252, paragraphs, <br>, a table ---

@mail("html_only_outlook.eml")
def html_only_outlook() -> str:
    table = (
        '<table class="MsoTableGrid" border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;border:none">\n'
        '<tr><td width="150" valign="top" style="width:4.0cm;border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt">'
        + mso("Version") + '</td><td width="150" valign="top" style="width:4.0cm;border:solid windowtext 1.0pt">' + mso("4.2.1") + "</td></tr>\n"
        '<tr><td valign="top">' + mso("Användare") + '</td><td valign="top">' + mso("12") + "</td></tr>\n"
        '<tr><td valign="top">' + mso("Server") + '</td><td valign="top">' + mso("SRV-EKO-01") + "</td></tr>\n</table>"
    )
    html = outlook_html(
        [
            mso("Hej support!"), MSO_SPACER,
            mso("Vi kan inte skriva ut fakturor från modulen Ekonomi – utskriften blir tom."), MSO_SPACER,
            mso("Så här gör vi:<br>1. Öppna fakturan.<br>2. Välj ”Skriv ut”.<br>3. PDF-filen blir 0 kB."), MSO_SPACER,
            mso("Vår miljö:"), table, MSO_SPACER,
            mso("Tacksam för snabb hjälp!"), MSO_SPACER,
            mso("Med vänliga hälsningar"), mso("<b>Maria Öberg</b>"), mso("Kund AB | Storgatan 1 | 111 22 Stockholm"),
        ],
        charset="windows-1252",
    )
    return f"""Return-Path: <maria.oberg@kund.se>
Delivered-To: support@example.com
{received_mx("mail.kund.se", "198.51.100.10", "4Vb4Ij5Kl6z8qJ", "Tue, 12 May 2026 09:44:20 +0200 (CEST)")}{auth_results("kund.se", policy_="none")}From: =?windows-1252?Q?Maria_=D6berg?= <maria.oberg@kund.se>
To: "support@example.com" <support@example.com>
Subject: Utskrift av fakturor blir tom
Thread-Topic: Utskrift av fakturor blir tom
Thread-Index: AdqkNDRkNDRkNDRkNDRkNDRkNDRkNA==
Date: Tue, 12 May 2026 07:44:17 +0000
Message-ID: <0A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D@EXCH02.kund.local>
Accept-Language: sv-SE, en-US
Content-Language: sv-SE
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
x-originating-ip: [198.51.100.31]
Content-Type: text/html; charset="windows-1252"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

{qp(html, "windows-1252")}"""


@mail("html_only_crm_paragraphs.eml")
def html_only_crm_paragraphs() -> str:
    # A CRM's "send to supplier" button: HTML only, bare <p> paragraphs and a <br>, no wrapper div.
    html = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title></title><style type="text/css">'
        "p{margin:0 0 1em 0;font-family:Segoe UI,Arial,sans-serif;font-size:10pt}</style></head><body>\n"
        "<p>Första stycket. Kunden Nordbygg AB kan inte logga in i portalen sedan i går.</p>\n"
        "<p>Andra stycket. De får meddelandet ”Kontot är låst” trots att lösenordet är nytt.<br>Användarnamn: nordbygg.admin</p>\n"
        "<p>Ärendet skapades av Maja Lind i CRM.</p>\n</body></html>\n"
    )
    return f"""Return-Path: <crm@kund.se>
Delivered-To: support@example.com
{received_mx("crm-out.kund.se", "198.51.100.19", "4Vb0Ij1Kl2z4NI", "Tue, 12 May 2026 15:12:09 +0200 (CEST)")}{auth_results("kund.se", policy_="none")}Date: Tue, 12 May 2026 15:12:07 +0200
From: Maja Lind via Lime CRM <crm@kund.se>
Reply-To: Maja Lind <maja.lind@kund.se>
To: support@example.com
Subject: =?utf-8?Q?Nordbygg_AB_kan_inte_logga_in_i_portalen?=
Message-ID: <crm.3f2e1d0c9b8a.20260512131207@kund.se>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

{qp(html)}"""


# --- Charsets: ISO-8859-1 and windows-1252, 8-bit and quoted-printable ---

@mail("latin1_8bit_no_charset.eml", "latin-1")
def latin1_8bit_no_charset() -> str:
    # An ERP's sendmail call: 8-bit Latin-1 body and a raw 8-bit Subject, no charset anywhere.
    return f"""Return-Path: <ekonomi@kund.se>
Delivered-To: support@example.com
{received_mx("erp.kund.se", "198.51.100.15", "4Vb5Mn6Op7z9pK", "Tue, 12 May 2026 09:03:46 +0200 (CEST)")}{auth_results("kund.se", policy_="none")}Received: by erp.kund.se (Postfix, from userid 1001)
\tid 7F2A1C0B9D; Tue, 12 May 2026 09:03:44 +0200 (CEST)
Date: Tue, 12 May 2026 09:03:44 +0200
From: ekonomi@kund.se
To: support@example.com
Subject: Fel i lönekörning för maj
Message-ID: <20260512070344.7F2A1C0B9D@erp.kund.se>
MIME-Version: 1.0
Content-Type: text/plain
Content-Transfer-Encoding: 8bit

Hej!

Lönekörningen för maj stoppar med felet "Ogiltigt värde i fält Skattetabell".
Berörda anställda: Åsa Öhman, Jörgen Ärlig.

Mvh
Ekonomiavdelningen
"""


@mail("latin1_8bit_charset.eml", "latin-1")
def latin1_8bit_charset() -> str:
    return f"""Return-Path: <gunnar@kund.se>
Delivered-To: support@example.com
{received_mx("smtp.kund.se", "198.51.100.12", "4Vb6Qr7St8z0nL", "Tue, 12 May 2026 07:58:12 +0200 (CEST)")}{auth_results("kund.se", policy_="none")}Message-ID: <000a01dac3a1$5b3f2e10$11bd8a30$@kund.se>
From: "Gunnar Lindqvist" <gunnar@kund.se>
To: <support@example.com>
Subject: =?iso-8859-1?Q?Serverrummet_=E4r_f=F6r_varmt?=
Date: Tue, 12 May 2026 07:58:09 +0200
MIME-Version: 1.0
Content-Type: text/plain;
\tcharset="iso-8859-1"
Content-Transfer-Encoding: 8bit
X-Priority: 3
X-MSMail-Priority: Normal
X-Mailer: Microsoft Outlook Express 6.00.2900.5931
X-MimeOLE: Produced By Microsoft MimeOLE V6.00.2900.6157

Hej,

Temperaturen i serverrummet är 28 °C och larmet går hela tiden.
Enligt avtalet (§ 4.2) ska ni väcka jourhavande över 27 °C.

Gunnar Lindqvist
Fastighetsförvaltning, Kund AB
"""


@mail("windows1252_qp.eml")
def windows1252_qp() -> str:
    text = (
        "Hej,\n\nFakturan på 12 500 € är betald den 8 maj – men i portalen står den fortfarande som ”Obetald”.\n"
        "Kan ni kontrollera?\n\nMvh\nJonas Åkesson\n"
    )
    return f"""Return-Path: <jonas.akesson@kund.se>
Delivered-To: support@example.com
{received_mx("mail.kund.se", "198.51.100.10", "4Vb7Uv8Wx9z1mM", "Tue, 12 May 2026 13:12:40 +0200 (CEST)")}{auth_results("kund.se", policy_="none")}From: =?Windows-1252?Q?Jonas_=C5kesson?= <jonas.akesson@kund.se>
To: "support@example.com" <support@example.com>
Subject: Fakturastatus visar fel
Thread-Topic: Fakturastatus visar fel
Thread-Index: AdqkYWJjZGVmZ2hpamtsbW5vcHFyc3R1dg==
Date: Tue, 12 May 2026 11:12:37 +0000
Message-ID: <5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B@EXCH02.kund.local>
Accept-Language: sv-SE, en-US
Content-Language: sv-SE
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
Content-Type: text/plain; charset="Windows-1252"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0

{qp(text, "windows-1252")}"""


@mail("windows1252_labelled_latin1.eml")
def windows1252_labelled_latin1() -> str:
    # Labelled ISO-8859-1, but € (0x80), – (0x96) and ’ (0x92) are windows-1252 bytes.
    text = (
        "Hej,\n\nVi har fått en faktura på 3 400 € för supportavtalet – det stämmer inte med offerten.\n"
        "Kan ni skicka en kreditnota? Det är kundens ’årsavtal’ som gäller.\n\nHälsningar\nPia Strand\n"
    )
    return f"""Return-Path: <pia.strand@kund.se>
Delivered-To: support@example.com
{received_mx("mail.kund.se", "198.51.100.10", "4Vb8Yz9Ab0z2kN", "Tue, 12 May 2026 14:20:55 +0200 (CEST)")}{auth_results("kund.se", policy_="none")}From: Pia Strand <pia.strand@kund.se>
To: Support <support@example.com>
Subject: Faktura =?iso-8859-1?Q?st=E4mmer_inte?=
Date: Tue, 12 May 2026 14:20:52 +0200
Message-ID: <001c01dac4b2$7e8f9a0b$7baed020$@kund.se>
MIME-Version: 1.0
Content-Type: text/plain;
\tcharset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable
X-Mailer: Microsoft Outlook 16.0
Thread-Index: AdqkxYz0AbCdEfGhIjKlMnOpQrStUw==
Content-Language: sv

{qp(text, "windows-1252")}"""


# --- RFC 2047 subjects ---

@mail("rfc2047_subject_q.eml")
def rfc2047_subject_q() -> str:
    # Lotus Notes style: one Q encoded-word amid plain words, the header folded.
    body = "Hej,\n\nVi vill förlänga licensen med ett år. Vad kostar det?\n\nHelena Vik\n"
    return f"""Return-Path: <helena.vik@kund.se>
Delivered-To: support@example.com
{received_mx("notes.kund.se", "198.51.100.16", "4Vb9Cd0Ef1z3jP", "Tue, 12 May 2026 11:11:11 +0200 (CEST)")}{auth_results("kund.se", policy_="none")}Subject: SV: =?ISO-8859-1?Q?Fr=E5ga_om_f=F6rl=E4ngning?= av licens
 [TC-2026-00042]
From: Helena Vik <helena.vik@kund.se>
To: support@example.com
Date: Tue, 12 May 2026 11:11:08 +0200
Message-ID: <OF1A2B3C4D.5E6F7A8B-ONC1258B1A.0031F2E4-C1258B1A.0031F2E5@kund.se>
X-Mailer: HCL Notes Release 12.0.2 November 03, 2022
MIME-Version: 1.0
Content-Type: text/plain; charset="ISO-8859-1"
Content-Transfer-Encoding: quoted-printable

{qp(body, "iso-8859-1")}"""


@mail("rfc2047_subject_b_split.eml")
def rfc2047_subject_b_split() -> str:
    # Thunderbird: a long subject as several B encoded-words, split on character boundaries.
    subject = "Re: [TC-2026-00042] Önskemål: exportera ändringar till årsrapporten (Excel)"
    words, current = [], ""
    for char in subject:
        if len((current + char).encode("utf-8")) > 33:
            words.append(current)
            current = ""
        current += char
    words.append(current)
    folded = "\n ".join(ew_b(word) for word in words)
    body = "Hej,\n\nKan exporten även ta med ändringar gjorda av administratörer?\n\n/Sofia\n"
    return f"""Return-Path: <sofia.aberg@kund.se>
Delivered-To: support@example.com
{received_mx("smtp.kund.se", "198.51.100.12", "4Vb0Gh1Ij2z4hQ", "Tue, 12 May 2026 16:05:37 +0200 (CEST)")}{auth_results("kund.se")}Message-ID: <7e6d5c4b-3a29-4180-9f8e-7d6c5b4a3928@kund.se>
Date: Tue, 12 May 2026 16:05:35 +0200
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: {folded}
Content-Language: sv-SE
To: Support <support@example.com>
References: <out-12@support.example.com>
From: =?UTF-8?Q?Sofia_=C3=85berg?= <sofia.aberg@kund.se>
In-Reply-To: <out-12@support.example.com>
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: base64

{b64(body)}"""


@mail("rfc2047_subject_mixed.eml")
def rfc2047_subject_mixed() -> str:
    # Q and B words side by side (the space between adjacent encoded-words is not text,
    # RFC 2047 §6.2), lower-case charset and encoding letters, literal text after.
    subject = f"=?utf-8?q?Fel_vid_?= =?utf-8?b?{base64.b64encode('öppning av '.encode()).decode()}?= rapport [TC-2026-00042]"
    body = "Rapporten Kundreskontra går inte att öppna efter uppdateringen.\n\n-- \nOskar\n"
    return f"""Return-Path: <oskar@kund.se>
Delivered-To: support@example.com
{received_mx("smtp.kund.se", "198.51.100.12", "4Vb1Kl2Mn3z5gR", "Tue, 12 May 2026 16:40:21 +0200 (CEST)")}{auth_results("kund.se")}From: Oskar Lund <oskar@kund.se>
To: support@example.com
Subject: {subject}
Date: Tue, 12 May 2026 16:40:19 +0200
Message-ID: <20260512144019.GA31337@kund.se>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Disposition: inline
Content-Transfer-Encoding: quoted-printable
User-Agent: Mutt/2.2.12 (2023-09-09)

{qp(body)}"""


@mail("rfc2047_subject_split_multibyte.eml")
def rfc2047_subject_split_multibyte() -> str:
    # Some mailers (mb_encode_mimeheader-style code) split encoded-words by bytes,
    # so "ö" (C3 B6) straddles two words; RFC 2047 forbids it, mail has it.
    raw = "Ärende: lösenordsbyte går inte".encode("utf-8")
    cut = raw.index("ö".encode()) + 1
    first, second = base64.b64encode(raw[:cut]).decode(), base64.b64encode(raw[cut:]).decode()
    body = "Användaren olof.ek@kund.se kan inte byta lösenord: länken har gått ut.\n"
    return f"""Return-Path: <noreply@portal.kund.se>
Delivered-To: support@example.com
{received_mx("portal.kund.se", "198.51.100.17", "4Vb2Op3Qr4z6fS", "Tue, 12 May 2026 17:01:02 +0200 (CEST)")}{auth_results("portal.kund.se", policy_="none")}Date: Tue, 12 May 2026 17:01:00 +0200
To: support@example.com
From: Kundportalen <noreply@portal.kund.se>
Subject: =?UTF-8?B?{first}?=
 =?UTF-8?B?{second}?=
Message-ID: <a9f8e7d6c5b4a3928170@portal.kund.se>
X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

{b64(body)}"""


# --- Attachments ---

@mail("attachment_only_pdf.eml")
def attachment_only_pdf() -> str:
    # "Share → Mail" from a document app: one PDF and no text part at all.
    boundary = "Apple-Mail-7C2D1E0F-9A8B-4C7D-8E6F-5A4B3C2D1E0F"
    name = "Faktura 2026-0419 – Kund AB.pdf"
    return f"""Return-Path: <karin.ek@kund.se>
Delivered-To: support@example.com
{received_mx("smtp.kund.se", "198.51.100.12", "4Vb3St4Uv5z7dT", "Tue, 12 May 2026 12:34:58 +0200 (CEST)")}{auth_results("kund.se")}Content-Type: multipart/mixed; boundary={boundary}
Content-Transfer-Encoding: 7bit
From: Karin Ek <karin.ek@kund.se>
Mime-Version: 1.0 (1.0)
Date: Tue, 12 May 2026 12:34:55 +0200
Subject: Faktura 2026-0419
Message-Id: <E4D3C2B1-A09F-4E8D-7C6B-5A4938271605@kund.se>
To: support@example.com
X-Mailer: iPad Mail (21F90)


--{boundary}
Content-Type: application/pdf;
\tname="=?utf-8?Q?Faktura_2026-0419_=E2=80=93_Kund_AB=2Epdf?="
Content-Disposition: attachment;
\tfilename*={rfc2231(name)}
Content-Transfer-Encoding: base64

{b64(pdf("Faktura 2026-0419"))}
--{boundary}--
"""


@mail("winmail_dat_tnef.eml")
def winmail_dat_tnef() -> str:
    boundary = "_002_AM0PR04MB6321F1E2D3C4B5A69788AM0PR04MB6321eurp_"
    text = "Hej,\n\nSe bifogad fil med felloggen.\n\nMvh\nPer Ström\n"
    return f"""Return-Path: <per.strom@kund.se>
Delivered-To: support@example.com
{received_mx("mail-am0eur04on2074.outbound.protection.outlook.com", "203.0.113.74", "4Vb4Wx5Yz6z8cU", "Tue, 12 May 2026 09:20:33 +0200 (CEST)")}{auth_results("kund.se")}From: =?iso-8859-1?Q?Per_Str=F6m?= <per.strom@kund.se>
To: Support <support@example.com>
Subject: {ew_q("Fellogg från kassasystemet", "iso-8859-1")}
Thread-Topic: {ew_q("Fellogg från kassasystemet", "iso-8859-1")}
Thread-Index: AdqkAbCdEfGhIjKlMnOpQrStUvWxYz==
Date: Tue, 12 May 2026 07:20:30 +0000
Message-ID: <AM0PR04MB6321F1E2D3C4B5A69788@AM0PR04MB6321.eurprd04.prod.outlook.com>
Accept-Language: sv-SE, en-US
Content-Language: sv-SE
X-MS-Has-Attach: yes
X-MS-TNEF-Correlator: <AM0PR04MB6321F1E2D3C4B5A69788@AM0PR04MB6321.eurprd04.prod.outlook.com>
Content-Type: multipart/mixed;
\tboundary="{boundary}"
MIME-Version: 1.0

--{boundary}
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

{qp(text, "iso-8859-1")}
--{boundary}
Content-Type: application/ms-tnef; name="winmail.dat"
Content-Description: winmail.dat
Content-Disposition: attachment; filename="winmail.dat"; size=1043;
\tcreation-date="Tue, 12 May 2026 07:20:30 GMT";
\tmodification-date="Tue, 12 May 2026 07:20:30 GMT"
Content-Transfer-Encoding: base64

{b64(tnef())}
--{boundary}--
"""


INLINE_PLAIN = "Hej,\n\nSå här ser felet ut:\n\n[cid:image001.png@01DAC3A1.5B3F2E10]\n\nMvh\nAnna Svensson\n"
INLINE_CID = "image001.png@01DAC3A1.5B3F2E10"


def inline_related(boundary: str, alt: str) -> str:
    html = outlook_html([mso("Hej,"), MSO_SPACER, mso("Så här ser felet ut:"), MSO_SPACER,
                         mso(f'<img width="320" height="180" style="width:3.3333in;height:1.875in" id="Bild_x0020_1" src="cid:{INLINE_CID}">'),
                         MSO_SPACER, mso("Mvh"), mso("Anna Svensson")])
    return f"""Content-Type: multipart/related;
\tboundary="{boundary}";
\ttype="multipart/alternative"

--{boundary}
Content-Type: multipart/alternative;
\tboundary="{alt}"

--{alt}
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64

{b64(INLINE_PLAIN)}
--{alt}
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: base64

{b64(html)}
--{alt}--

--{boundary}
Content-Type: image/png; name="image001.png"
Content-Description: image001.png
Content-Disposition: inline; filename="image001.png"; size=70;
\tcreation-date="Tue, 12 May 2026 08:02:11 GMT";
\tmodification-date="Tue, 12 May 2026 08:02:11 GMT"
Content-ID: <{INLINE_CID}>
Content-Transfer-Encoding: base64

{b64(png_1x1())}
--{boundary}--
"""


def outlook_top(subject: str, msgid: str, queue_id: str, when_utc: str, extra: str = "") -> str:
    """Exchange Online's top headers for Anna; a non-ASCII subject becomes one B encoded-word."""
    if not subject.isascii():
        subject = ew_b(subject, "utf-8")
    return f"""Return-Path: <anna.svensson@kund.se>
Delivered-To: support@example.com
{received_mx("mail-db8eur05on2071.outbound.protection.outlook.com", "203.0.113.71", queue_id, "Tue, 12 May 2026 10:02:14 +0200 (CEST)")}{auth_results("kund.se")}From: Anna Svensson <anna.svensson@kund.se>
To: Support <support@example.com>
Subject: {subject}
Thread-Topic: {subject}
Thread-Index: AQHaoE3kc2tyw6RtZHVtcGJpbGFnYQ==
Date: {when_utc}
Message-ID: <{msgid}>
Accept-Language: sv-SE, en-US
Content-Language: sv-SE
{extra}X-MS-TNEF-Correlator:
"""


@mail("inline_image_related.eml")
def inline_image_related() -> str:
    # A screenshot pasted into the body: multipart/related at the top, image inline with a Content-ID.
    top = outlook_top("Felmeddelande vid inloggning", "AM9PR04MB8211D1C2B3A4F5E6D7C8B9A0F1E2@AM9PR04MB8211.eurprd04.prod.outlook.com",
                      "4Vb5Ab6Cd7z9bV", "Tue, 12 May 2026 08:02:11 +0000", "X-MS-Has-Attach: yes\n")
    related = inline_related("_004_AM9PR04MB8211D1C2B3A4F5E6D7C8B9A0F1E2AM9PR04MB8211eurp_",
                             "_000_AM9PR04MB8211D1C2B3A4F5E6D7C8B9A0F1E2AM9PR04MB8211eurp_")
    return top + related.replace("Content-Type: multipart/related;", "MIME-Version: 1.0\nContent-Type: multipart/related;", 1)


@mail("inline_image_with_attachment.eml")
def inline_image_with_attachment() -> str:
    # Outlook with a pasted screenshot and a file: mixed[related[alternative, image], pdf].
    boundary = "_005_AM9PR04MB8211E0F1A2B3C4D5E6F7A8B9C0D1AM9PR04MB8211eurp_"
    top = outlook_top("Felmeddelande och rapport", "AM9PR04MB8211E0F1A2B3C4D5E6F7A8B9C0D1@AM9PR04MB8211.eurprd04.prod.outlook.com",
                      "4Vb6Ef7Gh8z0aW", "Tue, 12 May 2026 08:05:40 +0000", "X-MS-Has-Attach: yes\n")
    related = inline_related("_004_AM9PR04MB8211E0F1A2B3C4D5E6F7A8B9C0D1AM9PR04MB8211eurp_",
                             "_000_AM9PR04MB8211E0F1A2B3C4D5E6F7A8B9C0D1AM9PR04MB8211eurp_")
    return f"""{top}Content-Type: multipart/mixed;
\tboundary="{boundary}"
MIME-Version: 1.0

--{boundary}
{related}
--{boundary}
Content-Type: application/pdf; name="Kundreskontra maj.pdf"
Content-Description: Kundreskontra maj.pdf
Content-Disposition: attachment; filename="Kundreskontra maj.pdf"; size=351;
\tcreation-date="Tue, 12 May 2026 08:05:40 GMT";
\tmodification-date="Tue, 12 May 2026 08:05:40 GMT"
Content-Transfer-Encoding: base64

{b64(pdf("Kundreskontra maj"))}
--{boundary}--
"""


@mail("outlook_forward_as_attachment.eml")
def outlook_forward_as_attachment() -> str:
    # "Vidarebefordra som bilaga": the suspicious mail travels whole as message/rfc822.
    boundary = "_006_AM9PR04MB8211F9E8D7C6B5A4F3E2D1C0B9A8AM9PR04MB8211eurp_"
    top = outlook_top("VB: Betalningspåminnelse", "AM9PR04MB8211F9E8D7C6B5A4F3E2D1C0B9A8@AM9PR04MB8211.eurprd04.prod.outlook.com",
                      "4Vb7Ij8Kl9z1ZX", "Tue, 12 May 2026 08:11:02 +0000", "X-MS-Has-Attach: yes\n")
    note = "Hej,\n\nVi fick bifogade påminnelse i morse. Är den från er? Vi känner inte igen kontonumret.\n\nAnna\n"
    scam = "Er faktura 88121 är förfallen. Betala 4 950 kr till bankgiro 5555-1234 i dag.\n"
    return f"""{top}Content-Type: multipart/mixed;
\tboundary="{boundary}"
MIME-Version: 1.0

--{boundary}
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64

{b64(note)}
--{boundary}
Content-Type: message/rfc822
Content-Disposition: attachment

Received: from mail.betalning.example (203.0.113.200) by kund.se; Tue, 12 May 2026 05:40:00 +0000
From: Fakturaservice <faktura@betalning.example>
To: anna.svensson@kund.se
Subject: =?utf-8?Q?Betalningsp=C3=A5minnelse?=
Date: Tue, 12 May 2026 05:39:58 +0000
Message-ID: <x81k2m3n4b5v@betalning.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp(scam)}
--{boundary}--
"""


# --- Forwarded inline (VB:), missing Message-ID, forged reply ---

@mail("forwarded_vb.eml")
def forwarded_vb() -> str:
    boundary = "000000000000d1e2f30614c2a1b2"
    mixed = "000000000000d1e2f50614c2a1b4"
    text = """Hej,

Vidarebefordrar från vår leverantör – kan ni se varför momsen blir 12 % i stället för 25 %?

/Karin

---------- Vidarebefordrat meddelande ----------
Från: Leverantören AB <faktura@leverantor.example>
Date: mån 11 maj 2026 kl 16:40
Subject: Felaktig moms på faktura 10442
To: <karin.ek@kund.se>


Hej Karin,

Fakturan 10442 visar 12 % moms, men enligt avtalet ska det vara 25 %. Kan ni kontrollera?

Hälsningar
Leverantören AB
"""
    html = ('<div dir="ltr">Hej,<div><br></div><div>Vidarebefordrar från vår leverantör – kan ni se varför momsen blir 12 % '
            'i stället för 25 %?</div><div><br></div><div>/Karin<br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
            "---------- Vidarebefordrat meddelande ----------<br>Från: <strong class=\"gmail_sendername\" dir=\"auto\">Leverantören AB</strong> "
            "<span dir=\"auto\">&lt;faktura@leverantor.example&gt;</span><br>Date: mån 11 maj 2026 kl 16:40<br>Subject: Felaktig moms på "
            "faktura 10442<br>To: &lt;karin.ek@kund.se&gt;<br></div><br><br>Hej Karin,<br><br>Fakturan 10442 visar 12 % moms, men enligt "
            "avtalet ska det vara 25 %. Kan ni kontrollera?<br><br>Hälsningar<br>Leverantören AB</div></div></div>\n")
    return f"""Return-Path: <karin.ek@kund.se>
Delivered-To: support@example.com
{received_mx("mail-ej1-f54.google.com", "192.0.2.54", "4Vb8Mn9Op0z2YY", "Tue, 12 May 2026 08:47:31 +0200 (CEST)")}{auth_results("kund.se", policy_="reject")}MIME-Version: 1.0
From: Karin Ek <karin.ek@kund.se>
Date: Tue, 12 May 2026 08:47:28 +0200
Message-ID: <CAMv1Xy2z3A4b5C6d7E8f9G0h1J2k3L4m5N6p7Q8r9S@mail.gmail.com>
Subject: VB: Felaktig moms =?UTF-8?Q?p=C3=A5?= faktura 10442
To: support@example.com
Content-Type: multipart/mixed; boundary="{mixed}"

--{mixed}
Content-Type: multipart/alternative; boundary="{boundary}"

--{boundary}
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{qp(text)}
--{boundary}
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{qp(html)}
--{boundary}--
--{mixed}
Content-Type: application/pdf; name="faktura_10442.pdf"
Content-Disposition: attachment; filename="faktura_10442.pdf"
Content-Transfer-Encoding: base64
Content-ID: <f_lw2k3m4n0>
X-Attachment-Id: f_lw2k3m4n0

{b64(pdf("Faktura 10442"))}
--{mixed}--
"""


@mail("missing_message_id.eml")
def missing_message_id() -> str:
    # A server script through CDO: no Message-ID, and our MX does not add one for remote clients.
    text = "Backupjobbet \"Nattlig full\" på SRV-EKO-01 misslyckades i natt.\nFelkod: 0x80070070 (för lite utrymme på disken).\n"
    return f"""Return-Path: <srv-eko-01@kund.se>
Delivered-To: support@example.com
{received_mx("mail.kund.se", "198.51.100.10", "4Vb9Qr0St1z3XZ", "Tue, 12 May 2026 03:00:07 +0200 (CEST)")}{auth_results("kund.se", policy_="none")}Thread-Topic: Backup misslyckades
thread-index: AdqkBACKUP0123456789ABCDEF==
From: <srv-eko-01@kund.se>
To: <support@example.com>
Subject: Backup misslyckades
Date: Tue, 12 May 2026 03:00:05 +0200
MIME-Version: 1.0
Content-Type: text/plain;
\tcharset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable
Content-Class: urn:content-classes:message
Importance: normal
Priority: normal
X-MimeOLE: Produced By Microsoft MimeOLE V6.3.9600.17415
X-Mailer: Microsoft CDO for Windows 2000

{qp(text, "iso-8859-1")}"""


@mail("forged_reply_dmarc_fail.eml", "utf-8")
def forged_reply_dmarc_fail() -> str:
    # The ticket's reference in the subject, Anna's display name, mallory's address.
    # A second, forged Authentication-Results ("pass") sits below ours; only the
    # topmost one, added by our own MX, may be believed.
    return f"""Return-Path: <mallory@evil.example>
Delivered-To: support@example.com
Authentication-Results: mx.example.com;
\tdkim=none;
\tdmarc=fail (p=REJECT sp=REJECT dis=NONE) header.from=evil.example;
\tspf=fail smtp.mailfrom=evil.example
Received: from vps-203-0-113-66.evil.example (unknown [203.0.113.66])
\tby mx.example.com (Postfix) with ESMTP id 4Vb0Uv1Wx2z4WA
\tfor <support@example.com>; Tue, 12 May 2026 10:44:58 +0200 (CEST)
Authentication-Results: mx.example.com; dkim=pass header.d=kund.se; dmarc=pass header.from=kund.se
From: "Anna Svensson" <mallory@evil.example>
To: support@example.com
Subject: SV: [TC-2026-00042] Inloggningen fungerar inte
Date: Tue, 12 May 2026 10:44:55 +0200
Message-ID: <20260512104455.4711@evil.example>
X-Mailer: Microsoft Outlook 16.0
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Hej,

Vi har bytt bank. Uppdatera kontonumret för våra betalningar till 5555-1234567 och skicka en bekräftelse hit.

Anna
"""


# --- Forged and malformed senders (issue 16, point 2) ---------------------------
#
# A sender is credited only when From holds exactly one well-formed mailbox and
# its display name is not some other address (bot/domain/mail/mailboxes.py). Each of
# these is a reply to John's ticket TC-2026-00077 (subject reference and our
# Message-ID), written by someone who is not John, asking for closure.


def forged_reply(from_lines: str, msgid: str, body: str = "Allt fungerar nu, ni kan stänga ärendet.\n",
                 extra: str = "") -> str:
    """A plain reply to John's ticket; ``from_lines`` is the whole From part of the header (or nothing)."""
    return (
        received_mx("vps-203-0-113-66.evil.example", "203.0.113.66", "4Vb0Uv9Zz1z4WB",
                    "Wed, 13 May 2026 09:12:03 +0200 (CEST)")
        + from_lines
        + "To: support@example.com\n"
        "Subject: Re: [TC-2026-00077] Fakturan visar fel belopp\n"
        "Date: Wed, 13 May 2026 09:12:01 +0200\n"
        f"Message-ID: <{msgid}@evil.example>\n"
        "In-Reply-To: <sb-7a1c0de5@example.com>\n"
        "References: <sb-7a1c0de5@example.com>\n"
        f"{extra}"
        "MIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        "Content-Transfer-Encoding: 8bit\n"
        "\n"
        f"{body}"
    )


@mail("forged_from_display_address.eml", "utf-8")
def forged_from_display_address() -> str:
    # The black-box finding: an unquoted address as "display name". parseaddr
    # on the raw header returned john's address; the parser sees a broken list.
    return forged_reply("From: john@customer.example <attacker@evil.example>\n", "fda-1")


@mail("forged_from_quoted_display_address.eml", "utf-8")
def forged_from_quoted_display_address() -> str:
    # Well-formed, but the name shown in every client is somebody else's address.
    return forged_reply('From: "john@customer.example" <attacker@evil.example>\n', "fqa-2")


@mail("forged_from_encoded_display_address.eml", "utf-8")
def forged_from_encoded_display_address() -> str:
    # The same, hidden in an RFC 2047 encoded-word: only the decoded header shows it.
    return forged_reply(f"From: {ew_b('john@customer.example')} <attacker@evil.example>\n", "fea-3")


@mail("forged_from_two_mailboxes.eml", "utf-8")
def forged_from_two_mailboxes() -> str:
    # RFC 5322 3.6.2 allows a mailbox-list in From (with a Sender); it names no one sender.
    return forged_reply("From: john@customer.example, attacker@evil.example\n"
                        "Sender: john@customer.example\n", "f2m-4")


@mail("forged_from_repeated_header.eml", "utf-8")
def forged_from_repeated_header() -> str:
    # Two From fields (RFC 5322 3.6 allows exactly one): readers disagree on which counts.
    return forged_reply("From: John Smith <john@customer.example>\nFrom: attacker@evil.example\n", "frh-5")


@mail("from_bare_local_part.eml", "utf-8")
def from_bare_local_part() -> str:
    # "evil": no domain; once became an outbox row retried for 48 h.
    return forged_reply("From: evil\n", "fbl-6")


@mail("from_empty_group.eml", "utf-8")
def from_empty_group() -> str:
    return forged_reply("From: Undisclosed recipients:;\n", "feg-7")


@mail("from_missing.eml", "utf-8")
def from_missing() -> str:
    return forged_reply("", "fmi-8")


@mail("from_crlf_in_encoded_name.eml", "utf-8")
def from_crlf_in_encoded_name() -> str:
    # CR LF smuggled into the display name through Q-encoding: the stdlib parser refuses it.
    return forged_reply("From: =?utf-8?q?John=0D=0ABcc:_x@evil.example?= <john@customer.example>\n", "fcr-9")


@mail("forged_reply_to_two_mailboxes.eml", "utf-8")
def forged_reply_to_two_mailboxes() -> str:
    # A good From; Reply-To is only read on the portal's notifications, by the same rule.
    return forged_reply("From: John Smith <john@customer.example>\n", "frt-10",
                        extra="Reply-To: john@customer.example, attacker@evil.example\n")


@mail("from_own_address_as_name.eml", "utf-8")
def from_own_address_as_name() -> str:
    # Outlook without a configured name writes the address as the name: the same address, credited.
    return forged_reply('From: "john@customer.example" <john@customer.example>\n', "fon-11",
                        body="Tack, det fungerar.\n")


# --- Broken MIME ---

@mail("broken_boundary_missing.eml", "utf-8")
def broken_boundary_missing() -> str:
    # A web shop's mailer declares one boundary and writes parts with another.
    return f"""Return-Path: <order@kund.se>
Delivered-To: support@example.com
{received_mx("webb.kund.se", "198.51.100.18", "4Vb1Yz2Ab3z5VB", "Tue, 12 May 2026 11:58:40 +0200 (CEST)")}{auth_results("kund.se", policy_="none")}Date: Tue, 12 May 2026 11:58:38 +0200
To: support@example.com
From: Webbshop Kund <order@kund.se>
Subject: =?UTF-8?Q?Best=C3=A4llning_77812_=E2=80=93_fel_leveransadress?=
Message-ID: <5f3c2a9e8d7b6a5c4d3e2f1a0b9c8d7e@webb.kund.se>
X-Mailer: PHPMailer 5.2.28 (https://github.com/PHPMailer/PHPMailer)
MIME-Version: 1.0
Content-Type: multipart/alternative;
\tboundary="b1_5f3c2a9e8d7b6a5c4d3e2f1a0b9c8d7e"
Content-Transfer-Encoding: 8bit

This is a multi-part message in MIME format.

--b1_0000aaaa1111bbbb2222cccc3333dddd
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Beställning 77812 har fel leveransadress. Rätt adress är Storgatan 1, 111 22 Stockholm.

--b1_0000aaaa1111bbbb2222cccc3333dddd
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit

<p>Beställning 77812 har fel leveransadress. Rätt adress är Storgatan 1, 111 22 Stockholm.</p>

--b1_0000aaaa1111bbbb2222cccc3333dddd--
"""


@mail("broken_boundary_truncated.eml")
def broken_boundary_truncated() -> str:
    # Cut off by a size-limited relay inside the base64 of the last part: no closing boundary.
    boundary = "_007_AM9PR04MB8211A0B1C2D3E4F5A6B7C8D9E0F1AM9PR04MB8211eurp_"
    top = outlook_top("Loggar från exporten", "AM9PR04MB8211A0B1C2D3E4F5A6B7C8D9E0F1@AM9PR04MB8211.eurprd04.prod.outlook.com",
                      "4Vb2Cd3Ef4z6UC", "Tue, 12 May 2026 08:20:00 +0000", "X-MS-Has-Attach: yes\n")
    note = "Hej,\n\nLoggfilen från i morse bifogas. Exporten stannade kl. 07:58.\n\nAnna\n"
    encoded = b64(zip_bytes()).splitlines()
    cut = "\n".join(encoded[:-2]) + "\n" + encoded[-2][:37] + "\n"
    return f"""{top}Content-Type: multipart/mixed;
\tboundary="{boundary}"
MIME-Version: 1.0

--{boundary}
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64

{b64(note)}
--{boundary}
Content-Type: application/x-zip-compressed; name="loggar_2026-05-12.zip"
Content-Description: loggar_2026-05-12.zip
Content-Disposition: attachment; filename="loggar_2026-05-12.zip"; size=4810
Content-Transfer-Encoding: base64

{cut}"""


# --- Windows paths and backslashes in an 8-bit UTF-8 body ---

PATHS_TEXT = r"""Hej,

Efter uppdateringen startar inte programmet. Sökvägen är C:\Program Files\Kund\app.exe och loggen ligger på \\server\share\fil.txt.

Felet i loggen:
  Kan inte läsa D:\Data\nya_filer\test.txt (åtkomst nekad)
  Konfiguration: C:\Users\Åsa\AppData\Roaming\Kund\config.ini
  Regex i inställningarna: ^\d{4}-\d{2}\s+\w+$

Mvh
Åsa Öberg
"""


@mail("windows_paths_utf8_8bit.eml", "utf-8")
def windows_paths_utf8_8bit() -> str:
    return f"""Return-Path: <asa.oberg@kund.se>
Delivered-To: support@example.com
{received_mx("smtp.kund.se", "198.51.100.12", "4Vb3Gh4Ij5z7TD", "Tue, 12 May 2026 13:30:02 +0200 (CEST)")}{auth_results("kund.se")}Message-ID: <c0ffee00-1234-4abc-9def-0123456789ab@kund.se>
Date: Tue, 12 May 2026 13:30:00 +0200
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: sv-SE
To: support@example.com
From: =?UTF-8?Q?=C3=85sa_=C3=96berg?= <asa.oberg@kund.se>
Subject: Programmet startar inte efter uppdatering
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

{PATHS_TEXT}"""


# --- Threading signals: plus token, duplicates, our own mail coming back ---

@mail("plus_token_reply.eml")
def plus_token_reply() -> str:
    # Outlook for iOS, replying to our Reply-To: support+<token>@; no In-Reply-To, subject lost its reference.
    text = """Hej igen,

Det gäller fortfarande kund nummer 10442. Ni kan ringa mig på 070-123 45 67.

Olle

Hämta Outlook för iOS<https://aka.ms/o0ukef>
________________________________
Från: Support <support+abcdefghijklmnopqrstuvwx@example.com>
Skickat: tisdag, maj 12, 2026 10:14
Till: Olle Persson <olle.persson@kund.se>
Ämne: Ditt ärende har tagits emot

Hej!

Vi har tagit emot ditt ärende och återkommer inom en arbetsdag.
"""
    return f"""Return-Path: <olle.persson@kund.se>
Delivered-To: support@example.com
X-Original-To: support+abcdefghijklmnopqrstuvwx@example.com
{received_mx("mail-db8eur05on2075.outbound.protection.outlook.com", "203.0.113.75", "4Vb4Kl5Mn6z8SE", "Tue, 12 May 2026 11:20:40 +0200 (CEST)")}{auth_results("kund.se")}From: Olle Persson <olle.persson@kund.se>
To: Support <support+abcdefghijklmnopqrstuvwx@example.com>
Subject: {ew_b("SV: Ditt ärende har tagits emot", "utf-8")}
Thread-Topic: {ew_b("Ditt ärende har tagits emot", "utf-8")}
Thread-Index: AQHapE9vbGxlcGVyc3Nvbmt1bmRzZQ==
Date: Tue, 12 May 2026 09:20:37 +0000
Message-ID: <VI1PR04MB5123B4C5D6E7F8A9B0C1D2E3F4A5@VI1PR04MB5123.eurprd04.prod.outlook.com>
Accept-Language: sv-SE, en-US
Content-Language: sv-SE
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64
MIME-Version: 1.0

{b64(text)}"""


DUPLICATE_BODY = "Hej,\n\nFår vi en offert på 25 extra licenser för kontoret i Malmö?\n\nTack!\nNils\n"


def duplicate(extra_trace: str, queue_id: str, arrived: str) -> str:
    return f"""Return-Path: <nils.ek@kund.se>
Delivered-To: support@example.com
{extra_trace}{received_mx("mail-ej1-f55.google.com", "192.0.2.55", queue_id, arrived)}{auth_results("kund.se", policy_="reject")}MIME-Version: 1.0
From: Nils Ek <nils.ek@kund.se>
Date: Tue, 12 May 2026 09:00:00 +0200
Message-ID: <CAF3kL9x2q0Bv7uYy8ZpQwE1rT2yU3iO4pA5sD6fG7h@mail.gmail.com>
Subject: Offert på fler licenser
To: support@example.com, helpdesk@example.com
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{qp(DUPLICATE_BODY)}"""


@mail("duplicate_message_id_a.eml", "utf-8")
def duplicate_message_id_a() -> str:
    return duplicate("", "4Vb5Op6Qr7z9RF", "Tue, 12 May 2026 09:00:03 +0200 (CEST)")


@mail("duplicate_message_id_b.eml", "utf-8")
def duplicate_message_id_b() -> str:
    # The same mail a second time: helpdesk@ is an alias that expands to support@.
    return duplicate("X-Original-To: helpdesk@example.com\n", "4Vb5St6Uv7z9QG", "Tue, 12 May 2026 09:00:04 +0200 (CEST)")


@mail("own_mail_x_supportbot_id.eml")
def own_mail_x_supportbot_id() -> str:
    # An agent's reply (no Auto-Submitted: a person wrote it) redirected back by the
    # customer's Exchange inbox rule: only X-Supportbot-Id says it is ours.
    boundary = "===============4711080815470042=="
    text = "Hej Anna,\n\nVi har nu lagt till ditt konto i gruppen Ekonomi-Läs. Kan du prova igen?\n\nMed vänlig hälsning\nJohan, Support\n"
    html = "<p>Hej Anna,</p><p>Vi har nu lagt till ditt konto i gruppen Ekonomi-Läs. Kan du prova igen?</p><p>Med vänlig hälsning<br>Johan, Support</p>\n"
    return f"""Return-Path: <anna.svensson@kund.se>
Delivered-To: support@example.com
{received_mx("mail-db8eur05on2076.outbound.protection.outlook.com", "203.0.113.76", "4Vb6Wx7Yz8z0PH", "Tue, 12 May 2026 14:02:20 +0200 (CEST)")}Authentication-Results: mx.example.com;
\tdkim=pass (2048-bit key; unprotected) header.d=example.com header.i=@example.com header.b="U3VwcG9y";
\tdmarc=pass (p=reject dis=none) header.from=example.com;
\tspf=pass smtp.mailfrom=kund.se
X-MS-Exchange-Inbox-Rules-Loop: anna.svensson@kund.se
From: Support <support@example.com>
To: Anna Svensson <anna.svensson@kund.se>
Reply-To: Support <support+abcdefghijklmnopqrstuvwx@example.com>
Subject: [TC-2026-00042] Inloggningen fungerar inte
Date: Tue, 12 May 2026 12:02:11 +0000
Message-ID: <out-17@support.example.com>
In-Reply-To: <AM9PR04MB82117C3E5F0A1B2C3D4E5F6A8E2A9@AM9PR04MB8211.eurprd04.prod.outlook.com>
References: <out-1@support.example.com>
 <AM9PR04MB82117C3E5F0A1B2C3D4E5F6A8E2A9@AM9PR04MB8211.eurprd04.prod.outlook.com>
X-Supportbot-Id: outbox-17
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="{boundary}"
Content-Language: sv

--{boundary}
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp(text)}
--{boundary}
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

{qp(html)}
--{boundary}--
"""


def main() -> None:
    for name, (encoding, builder) in MESSAGES.items():
        text = builder()
        assert "\r" not in text, name
        (HERE / name).write_bytes(text.encode(encoding).replace(b"\n", b"\r\n"))
    print(f"wrote {len(MESSAGES)} messages to {HERE}")


if __name__ == "__main__":
    main()
