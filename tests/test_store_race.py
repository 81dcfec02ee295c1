"""Sessions started at the same moment on a new database: each is stored with all its reps
(the schema is created once, by whichever process gets there first)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from reptrack.store import Store

# One process: open the database, start a session, add its reps, finish. All of them start
# at once: each waits at the barrier file before it opens the database.
ONE_SESSION = """
import os, sys, time
from pathlib import Path
from reptrack.exercise.events import Rep
from reptrack.store import Store
db, go, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
while not go.exists():
    time.sleep(0.001)
store = Store(db)
sid = store.start_session("squat", "", f"camera {n}", "blazepose", "full")
for k in range(1, n + 1):
    store.add_rep(sid, Rep(k, "left", k, k + 1.0, k + 0.5, 90.0, 170.0))
store.finish(sid)
print(sid)
"""


def test_ten_sessions_started_at_once_on_a_new_database_are_all_stored(tmp_path: Path):
    db, go = tmp_path / "new.db", tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-c", ONE_SESSION, str(db), str(go), str(n)],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(1, 11)
    ]  # fmt: skip
    go.touch()
    results = [p.communicate(timeout=120) for p in procs]
    failed = [err for p, (_, err) in zip(procs, results, strict=True) if p.returncode != 0]
    assert not failed, failed[0]
    store = Store(db, readonly=True)
    sessions = store.sessions()
    assert len(sessions) == 10
    by_source = {s["source"]: s for s in sessions}
    for n in range(1, 11):
        assert len(store.reps(by_source[f"camera {n}"]["id"])) == n
