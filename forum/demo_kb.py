"""Knowledge-base articles for the demo site: a promoted answer, a tutorial, FAQs, a draft."""
from sqlalchemy import select

from .extensions import db
from .models import Post, Thread
from .services import kb, kb_feedback, kb_promotion

# (board, kind, title, body, published)
ARTICLES = [
    ("router-x200", "tutorial", "Set up the X200 router in ten minutes",
     ("Everything you need for a first installation.\n\n## Before you start\n\n"
      "- the router and its power adapter\n- the network cable from the box\n"
      "- your provider's access details\n\n## Connect the cables\n\n"
      "Plug the grey cable into the **WAN** port and into your modem, then connect power. "
      "Wait until the light is steady white.\n\n## Watch the walkthrough\n\n"
      "https://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n## Run the set-up wizard\n\n"
      "Open `http://192.168.1.1`, choose a language and follow the steps. The wizard checks "
      "for new firmware at the end.\n\n### If the wizard does not open\n\n"
      "Make sure your computer uses automatic (DHCP) addresses."), True),
    ("router-x200", "faq", "Which Wi-Fi channels does the X200 support?",
     ("On 2.4 GHz channels 1-13; on 5 GHz channels 36-48 (no radar detection) and 52-140 "
      "(with radar detection, DFS)."), True),
    ("router-x200", "faq", "How long does a firmware update take?",
     "About four minutes. Do not switch the router off while the light blinks amber.", True),
    ("mobile-app", "faq", "Which phones does the Askdesk Home app support?",
     "iOS 16 or later and Android 10 or later.", True),
    ("billing", "faq", "When is my subscription charged?",
     ("On the same day every month as your first payment. Invoices are under "
      "**Account > Invoices**."), True),
    ("smart-plugs", "article", "Energy monitoring: how accurate are the P2 readings?",
     ("## Accuracy\n\nAbove 10 W the P2 measures within 2 %. Below that, readings can be far "
      "off.\n\n## Check your plug\n\nCompare with a kettle: it should read about 2000 W."),
     False),
]
PROMOTED_THREAD = "Wi-Fi keeps dropping every evening around 8 pm"


def load(people: dict) -> None:
    """Create the demo articles and some reader feedback."""
    staff = people["staff"]
    made = []
    for board, kind, title, body, published in ARTICLES:
        article = kb.create_article(staff, title, body, board, kind)
        if published:
            made.append(kb.publish_article(staff, article.slug))
    answer_id = db.session.scalar(
        select(Post.id).join(Thread, Post.thread_id == Thread.id)
        .where(Thread.title == PROMOTED_THREAD, Post.kind == "answer").order_by(Post.id)
    )
    promoted = kb_promotion.promote_answer(staff, answer_id, "Stop 5 GHz Wi-Fi drops in the evening")
    made.append(kb.publish_article(staff, promoted.slug))
    for reader, helpful in (("anna", True), ("ben", True), ("chiara", False), ("emma", True)):
        kb_feedback.give_feedback(people[reader], made[0].slug, helpful,
                                  None if helpful else "Please add how to reach the wizard by IP.")
    kb_feedback.give_feedback(people["dmitri"], promoted.slug, True)
