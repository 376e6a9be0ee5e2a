"""Reading inbound email in the shapes real mail clients send."""
from forum.services.mail_parsing import parse, strip_reply

LIMIT = 10 * 1024 * 1024


def _parse(raw: str | bytes):
    return parse(raw.encode() if isinstance(raw, str) else raw, LIMIT)


GMAIL = """\
From: Anna Example <Anna@Example.com>
To: support+7.abc@askdesk.local
Subject: Re: [#7] New reply: Router will not start
Message-ID: <CAF=gmail-1@mail.gmail.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="000"

--000
Content-Type: text/plain; charset="UTF-8"

Thanks, holding the button for ten seconds worked!

Anna

On Mon, Jan 5, 2026 at 10:00 AM Askdesk Support <
support+7.abc@askdesk.local> wrote:

> ##- Please type your reply above this line -##
>
> staff from our support team wrote:
> Please hold the reset button.

--000
Content-Type: text/html; charset="UTF-8"

<div dir="ltr">Thanks, holding the button for ten seconds worked!<br><br>Anna</div>
<div class="gmail_quote"><div class="gmail_attr">On Mon, Jan 5, 2026 at 10:00 AM
Askdesk Support &lt;support+7.abc@askdesk.local&gt; wrote:<br></div>
<blockquote class="gmail_quote">Please hold the reset button.</blockquote></div>

--000--
"""

OUTLOOK_HTML = """\
From: "Ben B." <ben@example.com>
To: <support+7.abc@askdesk.local>
Subject: AW: [#7] Router will not start
Message-ID: <AM0PR01MB-outlook@eurprd01.prod.outlook.com>
MIME-Version: 1.0
Content-Type: text/html; charset="windows-1252"
Content-Transfer-Encoding: quoted-printable

<html><head><style>p.MsoNormal{margin:0cm}</style><!--[if gte mso 9]><xml>junk</xml><![endif]-->
</head><body><div class=3DWordSection1><p class=3DMsoNormal>Gr=FC=DFe, die Firmware =
l=E4uft jetzt &#8211; danke!<o:p></o:p></p><p class=3DMsoNormal>Ben<o:p></o:p></p>
<script>alert(1)</script>
<div style=3D"border:none;border-top:solid #E1E1E1 1.0pt"><p class=3DMsoNormal><b>From:</b>=
 Askdesk Support &lt;support@askdesk.local&gt;<br><b>Sent:</b> Monday, 5 January 2026 10:00<br>=
<b>To:</b> Ben B.<br><b>Subject:</b> [#7] Router will not start</p></div>
<p class=3DMsoNormal>Please hold the reset button.</p></div></body></html>
"""

OUTLOOK_PLAIN = """\
From: ben@example.com
To: support@askdesk.local
Subject: RE: Invoice
Content-Type: text/plain; charset=us-ascii

The invoice number is 2026-0042.

-----Original Message-----
From: Askdesk Support
Sent: Monday, January 5, 2026 10:00 AM
Subject: Invoice

Which invoice is it about?
"""

APPLE = """\
From: Chiara <chiara@example.com>
To: support+7.abc@askdesk.local
Subject: Re: [#7] Router
Content-Type: text/plain; charset=utf-8; format=flowed
Content-Transfer-Encoding: 8bit

Yes, it is the one with the green light \u2013 serial X200-1.

Sent from my iPhone

> On 5 Jan 2026, at 10:00, Askdesk Support <support+7.abc@askdesk.local> wrote:
>
> Which router is it?
"""

THUNDERBIRD_LATIN1 = (
    b"From: Dmitri <dmitri@example.com>\n"
    b"To: support+7.abc@askdesk.local\n"
    b"Subject: Re: Stromz\xe4hler\n"
    b"Content-Type: text/plain; charset=ISO-8859-1\n"
    b"Content-Transfer-Encoding: 8bit\n\n"
    b"Die Anzeige ist jetzt korrekt, sch\xf6nen Dank!\n\n"
    b"-- \nDmitri M\xfcller\nTel. 0123 456\n\n"
    b"Am 05.01.26 um 10:00 schrieb Askdesk Support:\n"
    b"> Bitte pr\xfcfe die Anzeige.\n"
)


def test_gmail_reply_keeps_only_the_new_text():
    mail = _parse(GMAIL)
    assert mail.sender == "anna@example.com"
    assert mail.recipients == ["support+7.abc@askdesk.local"]
    assert mail.message_id == "<CAF=gmail-1@mail.gmail.com>"
    assert mail.text == "Thanks, holding the button for ten seconds worked!\n\nAnna"
    assert mail.attachments == [] and not mail.is_automatic


def test_outlook_html_only_reply_becomes_clean_text():
    mail = _parse(OUTLOOK_HTML)
    assert mail.sender == "ben@example.com"
    assert mail.text == "Grüße, die Firmware läuft jetzt – danke!\n\nBen"
    assert "alert" not in mail.text and "Mso" not in mail.text


def test_outlook_original_message_separator():
    assert _parse(OUTLOOK_PLAIN).text == "The invoice number is 2026-0042."


def test_apple_mail_reply_drops_quote_and_phone_footer():
    assert _parse(APPLE).text == "Yes, it is the one with the green light \u2013 serial X200-1."


def test_german_client_latin1_reply_drops_signature_and_quote():
    mail = _parse(THUNDERBIRD_LATIN1)
    assert mail.text == "Die Anzeige ist jetzt korrekt, schönen Dank!"
    assert mail.subject == "Re: Stromzähler"


def test_unknown_charset_falls_back_instead_of_failing():
    raw = (b"From: a@example.com\nTo: support@askdesk.local\nSubject: x\n"
           b"Content-Type: text/plain; charset=x-no-such-charset\n\nCaf\xc3\xa9 ok\n")
    assert _parse(raw).text == "Café ok"
    wrong = (b"From: a@example.com\nTo: support@askdesk.local\nSubject: x\n"
             b"Content-Type: text/plain; charset=us-ascii\n\nCaf\xe9 \xff ok\n")
    assert _parse(wrong).text.endswith("ok")


def test_bottom_posted_reply_is_kept():
    text = ("On Mon, Jan 5, 2026 at 10:00 AM Support <s@x.org> wrote:\n"
            "> Which model?\n\nIt is the X200.\n")
    assert strip_reply(text) == "It is the X200."


def test_inline_quotes_and_text_without_quotes():
    assert strip_reply("> Which model?\nX200\n> Which firmware?\n2.4.1") == "X200\n2.4.1"
    assert strip_reply("Just a plain message.\nTwo lines.") == "Just a plain message.\nTwo lines."
    assert strip_reply("On the router the light is red.") == "On the router the light is red."


def test_attachments_are_collected_and_oversized_ones_not_kept():
    raw = (
        "From: a@example.com\nTo: support@askdesk.local\nSubject: Logs attached\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nSee the log.\n"
        "--b\nContent-Type: text/plain; name=log.txt\n"
        "Content-Disposition: attachment; filename=\"../../etc/log.txt\"\n\nline 1 of a long log\n"
        "--b\nContent-Type: image/png\nContent-Disposition: inline; filename=shot.png\n"
        "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
        "--b--\n"
    )
    mail = parse(raw.encode(), 8)
    assert mail.text == "See the log."
    names = [(a.filename, a.content_type, a.data is not None) for a in mail.attachments]
    assert names == [("../../etc/log.txt", "text/plain", False), ("shot.png", "image/png", True)]
    assert mail.attachments[1].data == b"\x89PNG\r\n\x1a\n"


def test_auto_replies_are_recognised():
    for header in ("Auto-Submitted: auto-replied", "Precedence: bulk", "X-Autoreply: yes"):
        raw = f"From: a@example.com\nTo: x@y.z\n{header}\nSubject: Out of office\n\nAway."
        assert _parse(raw).is_automatic, header
    assert not _parse("From: a@example.com\nAuto-Submitted: no\n\nHi").is_automatic


def test_garbage_does_not_break_the_parser():
    mail = _parse(b"\x00\xff\xfe not an email at all \x80")
    assert mail.sender == "" and mail.recipients == []
