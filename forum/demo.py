"""The built-in demo site that `make run` loads on first start.

Everything is created through the services, so the counters, revisions and
reputation ledger are exactly what real use would produce. New members start
with 1 point, so the order matters as it would on a real site: staff set up
the tags, answers get accepted (+15 each) and staff vote good answers up,
and members vote and comment once their points allow it.
"""
from sqlalchemy import select

from . import demo_tickets
from . import demo_kb
from .errors import PermissionDenied
from .extensions import db
from .models import User
from .services import accounts, boards, comments, tags, threads, votes

PASSWORD = "askdesk-demo-2026"
USERS = [
    ("admin", "admin"),
    ("staff", "staff"),
    ("moderator", "moderator"),
    ("anna", "user"),
    ("ben", "user"),
    ("chiara", "user"),
    ("dmitri", "user"),
    ("emma", "user"),
]
USERNAMES = [name for name, _role in USERS]

BOARDS = [
    ("router-x200", "Router X200",
     "Set-up, Wi-Fi, firmware and troubleshooting for the X200 home router."),
    ("mobile-app", "Mobile App",
     "The Askdesk Home app for iOS and Android: pairing, notifications, sign-in."),
    ("billing", "Billing & Account",
     "Invoices, payment methods, subscriptions, refunds and account settings."),
    ("smart-plugs", "Smart Plugs",
     "The P1 and P2 smart plugs: schedules, energy monitoring and integrations."),
]

# (board, asker, title, body, tags, answers[(author, body, upvoters)], accepted index,
#  comments[(answer index or None for the question, author, body, reply to comment index)])
THREADS = [
    ("router-x200", "anna", "Wi-Fi keeps dropping every evening around 8 pm",
     "Since last week my X200 drops the 5 GHz network every evening at about 8 pm. "
     "The 2.4 GHz band stays up. Firmware is 2.4.1.\n\nThings I tried:\n\n"
     "- restarting the router\n- moving it away from the TV\n\nAny idea what is going on?",
     ["wifi", "5ghz"],
     [("ben", "This is usually **DFS channel radar detection**: on channels 52-144 the router "
       "must leave the channel when it detects weather radar, and evenings are when it happens "
       "most.\n\nSet a fixed non-DFS channel under *Wireless > 5 GHz > Channel* (36, 40, 44 "
       "or 48) and the drops should stop.", ["chiara", "dmitri", "emma"]),
      ("dmitri", "Could also be a neighbour's network. Try a Wi-Fi analyser app and look "
       "at which channels are crowded at that time.", ["emma"])],
     0,
     [(0, "anna", "Channel 44 fixed it, three evenings without a drop. Thank you!", None),
      (0, "ben", "Great! Firmware 2.5 also improves the DFS fallback, by the way.", 0),
      (0, "emma", "Is 2.5 out already? I still see 2.4.1 offered.", 1)]),
    ("router-x200", "chiara", "How do I update the firmware without the app?",
     "I don't use the mobile app. Is there a way to update the X200 firmware from a "
     "computer? I downloaded the file from the support site.",
     ["firmware"],
     [("staff", "Yes. Open `http://192.168.1.1` in a browser, sign in, then go to "
       "**System > Firmware > Manual update** and choose the `.bin` file.\n\n"
       "Do not switch the router off while the light is blinking amber: the update takes "
       "about four minutes.", ["anna", "ben"])],
     0, [(None, "ben", "Make sure the file name starts with X200, the X100 image looks "
          "the same.", None)]),
    ("router-x200", "emma", "Port forwarding for a game server does not work",
     "I forwarded TCP/UDP 25565 to my PC (192.168.1.20) but friends cannot connect. "
     "The server works on the LAN.",
     ["port-forwarding", "nat"],
     [("dmitri", "Check whether your provider gives you a public IPv4 address at all. "
       "If the WAN address on the status page starts with `100.64.` you are behind "
       "carrier-grade NAT and port forwarding cannot work; ask the provider for a public "
       "address or use IPv6.", ["emma", "anna"])],
     0, []),
    ("router-x200", "ben", "Guest network cannot reach the printer",
     "Visitors on the guest Wi-Fi want to print, but the printer is on the main network. "
     "Is there a way to allow just the printer?",
     ["guest-network", "printing"],
     [], None, []),
    ("mobile-app", "dmitri", "App stuck on 'Searching for devices' during pairing",
     "The Android app (version 3.8) never finds my new P2 plug. Bluetooth and location "
     "are on. The plug blinks blue.",
     ["pairing", "android"],
     [("chiara", "The app needs the *precise location* permission on Android 12+, not "
       "just approximate. Settings > Apps > Askdesk Home > Permissions > Location > "
       "Use precise location.", ["dmitri", "anna", "ben"]),
      ("anna", "Also make sure the phone is on 2.4 GHz Wi-Fi during pairing.", ["ben"])],
     0, [(None, "emma", "Same here on a Pixel 7.", None)]),
    ("mobile-app", "emma", "Push notifications arrive hours late on iPhone",
     "Motion alerts from the app arrive 1-3 hours late, sometimes all at once. "
     "iOS 18, app 3.8.2, background refresh is on.",
     ["notifications", "ios"],
     [("staff", "We found an issue with notification batching in 3.8.2; version 3.8.3, "
       "released today, fixes it. Please update and tell us if it persists.", ["emma"])],
     0, []),
    ("mobile-app", "anna", "Can two people control the same home?",
     "My partner and I both want to use the app for the same devices. Do we need to "
     "share one account?",
     ["sharing", "accounts"],
     [("ben", "No need to share: open **Home settings > Members > Invite** and send an "
       "invitation to your partner's email. Members can control devices; only owners "
       "can remove them.", ["anna", "chiara"])],
     0, []),
    ("billing", "ben", "I was charged twice for my subscription this month",
     "My card statement shows two charges of 4.99 on the 3rd. How do I get one refunded?",
     ["refund", "subscription"],
     [("staff", "Sorry about that. A double charge usually means a payment was retried "
       "after a timeout; the second one is reversed automatically within 5 business days. "
       "If it is still there after that, open a ticket from **Contact support** with the "
       "last four digits of the card.", ["ben"])],
     0, []),
    ("billing", "chiara", "How do I download invoices for my company?",
     "Our accountant needs monthly invoices with our VAT number on them.",
     ["invoices", "vat"],
     [("moderator", "Add the VAT number under **Account > Billing details** first; "
       "invoices issued afterwards include it. All invoices are under **Account > "
       "Invoices** as PDF.", ["chiara"])],
     0, []),
    ("billing", "dmitri", "Changing the email address of my account",
     "I am moving away from my old email provider. Will changing the email affect my "
     "subscription or devices?",
     ["accounts"],
     [], None, []),
    ("smart-plugs", "anna", "Energy readings on the P2 look too high",
     "The P2 reports 45 W for a lamp with a 9 W LED bulb. Is the plug miscalibrated?",
     ["energy-monitoring"],
     [("emma", "Small loads are hard to measure: below about 10 W the reading can be far "
       "off. Compare with a kettle (~2000 W), which should be within 2%.",
       ["anna", "staff", "moderator"]),
      ("dmitri", "Also check the lamp has no standby transformer, some draw power even "
       "with an LED.", [])],
     0, []),
    ("smart-plugs", "chiara", "Schedules run one hour late after the clock change",
     "Since the end of daylight saving time every schedule on my P1 plugs runs an hour late.",
     ["schedules", "timezone"],
     [("ben", "Open each plug's settings and re-save the time zone; the plug picks up "
       "the new offset then. Firmware 1.9 does it automatically.", ["chiara", "emma"])],
     None, []),
]


def site_is_empty() -> bool:
    """Whether the database has no users yet (first start)."""
    return db.session.scalar(select(User.id).limit(1)) is None


def load() -> None:
    """Create the demo boards, users and threads."""
    people = {
        name: accounts.register(name, f"{name}@example.com", PASSWORD, role=role)
        for name, role in USERS
    }
    for slug, name, description in BOARDS:
        boards.create_board(None, slug, name, description)
    tags.create_tags(people["staff"], sorted({tag for spec in THREADS for tag in spec[4]}))
    loaded = [_load_thread(people, *spec) for spec in THREADS]
    _cast_votes(people, [vote for _thread, thread_votes, _comments in loaded
                         for vote in thread_votes])
    for thread, _votes, comment_specs in loaded:
        _add_comments(people, thread, comment_specs)
    demo_tickets.load(people)
    demo_kb.load(people)


def _load_thread(people, board, asker, title, body, tag_names, answers, accepted, comment_specs):
    """Ask, answer and accept; return the thread, its votes to cast and its comments."""
    thread = threads.ask_question(people[asker], board, title, body, tag_names)
    posted, planned = [], []
    for author, answer_body, upvoters in answers:
        answer = threads.post_answer(people[author], thread.id, answer_body)
        planned.extend((voter, answer.id) for voter in upvoters if voter != author)
        posted.append(answer)
    if accepted is not None:
        threads.accept_answer(people[asker], thread.id, posted[accepted].id)
    return (thread, posted), planned, comment_specs


def _cast_votes(people, planned) -> None:
    """Cast every planned up vote as soon as its voter has the points for it."""
    while planned:
        waiting = []
        for voter, answer_id in planned:
            try:
                votes.cast_vote(people[voter], answer_id, 1)
            except PermissionDenied:
                waiting.append((voter, answer_id))
        if len(waiting) == len(planned):
            raise RuntimeError(f"demo votes that no one can cast: {waiting}")
        planned = waiting


def _add_comments(people, loaded_thread, comment_specs) -> None:
    thread, posted = loaded_thread
    question_id = thread.question.id
    made = []
    for target, author, text, reply_to in comment_specs:
        post_id = question_id if target is None else posted[target].id
        parent_id = made[reply_to].id if reply_to is not None else None
        made.append(comments.add_comment(people[author], post_id, text, parent_id))
