"""Index updates in-process: thread documents written to a copy of a benchmark site's
Whoosh index in batches, as the task runner writes them after answers.

    python bench/index_updates.py --work-dir /tmp/bench-sqlite-medium --size medium
    python bench/index_updates.py ... --busy    # a busy thread beside it, as in a web worker

The site and its index come from `bench/run.py` (same --work-dir and --size); the index
is copied first, so the site is left as it was. Reports time per document, the median
and the slowest batch (a commit that merged segments) and how many segments are left;
with --busy also how far the busy thread got, which shows how much of the
interpreter the index writes left to the thread serving requests.
"""
import argparse
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--size", default="medium")
    parser.add_argument("--batch", type=int, default=20, help="documents per index commit")
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--busy", action="store_true")
    args = parser.parse_args()

    copy = Path(tempfile.mkdtemp(prefix="askdesk-index-updates-"))
    shutil.copytree(args.work_dir / f"instance-{args.size}" / "search", copy / "search")
    site = args.work_dir / f"site-{args.size}.sqlite3"
    os.environ.update(ASKDESK_INSTANCE_DIR=str(copy), ASKDESK_SECRET_KEY="benchmark",
                      ASKDESK_DATABASE_URL=f"sqlite:///{site}")
    from forum import create_app, search
    from forum.services import indexing
    from whoosh import index as whoosh_index

    app = create_app()
    with app.app_context():
        last = indexing.LOADERS["thread"][2]()  # thread ids run from 1 to about the count
        rng = random.Random(7)
        batches = [indexing.thread_documents([rng.randrange(1, last) for _ in range(args.batch)])
                   for _ in range(args.batches)]
        backend = search.backend()
        spins, stop = [0], threading.Event()
        if args.busy:
            threading.Thread(target=_spin, args=(spins, stop), daemon=True).start()
        took, started = [], time.perf_counter()
        for documents in batches:
            batch_started = time.perf_counter()
            backend.upsert(documents.values())
            took.append(time.perf_counter() - batch_started)
        elapsed = time.perf_counter() - started
        stop.set()
        with whoosh_index.open_dir(backend.directory).reader() as reader:
            segments = len(reader.leaf_readers())
    shutil.rmtree(copy)
    count = sum(len(documents) for documents in batches)
    print(f"{count:,} documents in batches of {args.batch}: {1000 * elapsed / count:.1f} ms "
          f"per document, median batch {1000 * sorted(took)[len(took) // 2]:.0f} ms, slowest "
          f"{1000 * max(took):.0f} ms; {segments} segments after")
    if args.busy:
        print(f"busy thread: {spins[0] / elapsed:,.0f} rounds/s")


def _spin(spins: list[int], stop: threading.Event) -> None:
    while not stop.is_set():
        sum(range(1000))
        spins[0] += 1


if __name__ == "__main__":
    main()
