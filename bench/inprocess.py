"""In-process page timings, no server: `make bench-inprocess` (or `python bench/inprocess.py`).

Measures, on a throw-away SQLite database in a temporary instance dir:
- Markdown render + sanitise of a realistic 2 KB post (the cost paid once per save);
- the services behind the board page and a thread page with 50 answers;
- the same pages through the whole Flask stack (test client, no network).
Results go to stdout; copy them with the command line into bench/RESULTS.md.
"""
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

POST = """I followed the guide but the **X200** still drops Wi-Fi. Here is what I tried:

1. Restarted the router and the modem
2. Changed the channel to 36, then to 44
3. Updated the firmware to `2.4.1`

```
wan0: link down (carrier lost)
wlan1: DFS radar detected on channel 52, switching to 36
```

The log above repeats every evening. See https://example.com/x200/firmware for the notes,
and the [support article](https://example.com/kb/dfs) about DFS channels.

| band | channel | width |
|------|---------|-------|
| 2.4  | 6       | 20    |
| 5    | 52      | 80    |

Anything else I can try? ~~Replacing the router~~ is not an option yet.
""" * 3


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median and p90 milliseconds of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1]


def build_site(app):
    from forum.services import accounts, boards, comments, threads, votes

    users = [accounts.register(f"bench{i}", f"bench{i}@example.com", "bench password 1")
             for i in range(60)]
    board = boards.create_board(None, "bench", "Bench", "Benchmark board")
    first = None
    for i in range(300):
        thread = threads.ask_question(users[i % 60], "bench", f"Benchmark question number {i}",
                                      POST, ["wifi", f"tag{i % 7}"])
        first = first or thread
    for i in range(50):
        answer = threads.post_answer(users[(i + 1) % 60], first.id, POST)
        votes.cast_vote(users[(i + 2) % 60], answer.id, 1)
        comments.add_comment(users[(i + 3) % 60], answer.id, "Thanks, that helped a lot!")
    return board, first


def main() -> None:
    instance = tempfile.mkdtemp(prefix="askdesk-bench-")
    os.environ["ASKDESK_INSTANCE_DIR"] = instance
    os.environ["ASKDESK_RATELIMIT_ENABLED"] = "0"
    from forum.schema import upgrade

    from forum import create_app
    from forum.permissions import PRIVILEGE_NAMES
    from forum.rendering import render_markdown
    from forum.services import boards as board_service
    from forum.services import threads as thread_service

    # The generated members vote, comment and tag from the start: no thresholds here.
    app = create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "PRIVILEGE_THRESHOLDS": dict.fromkeys(PRIVILEGE_NAMES, 1)})
    with app.app_context():
        upgrade()
        board, thread = build_site(app)
        print(f"post size: {len(POST)} characters")
        rows = [
            ("render + sanitise 2 KB post", lambda: render_markdown(POST), 200),
            ("service: board list (30 of 300 threads)",
             lambda: board_service.list_threads(board, sort="active"), 200),
            ("service: thread page (50 answers, 50 comments)",
             lambda: thread_service.thread_page(thread.id, None), 200),
        ]
        client = app.test_client()
        for label, url in (("HTTP: home", "/"), ("HTTP: board page", f"/b/{board.slug}"),
                           ("HTTP: thread page (50 answers)", f"/t/{thread.id}/{thread.slug}")):
            if client.get(url).status_code == 200:
                rows.append((label, lambda url=url: client.get(url), 200))
        for label, fn, repeat in rows:
            fn()  # warm up
            median, p90 = timed(fn, repeat)
            print(f"{label:50s} median {median:7.2f} ms   p90 {p90:7.2f} ms")


if __name__ == "__main__":
    main()
