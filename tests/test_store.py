import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from reptrack.errors import StoreError
from reptrack.exercise import spec as specs
from reptrack.exercise.rep_counter import FormWarning, Rep, RepCounter
from reptrack.store import Store
from reptrack.store.export import export
from reptrack.store.schema import APPLICATION_ID, SCHEMA_VERSION

ROOT = Path(__file__).resolve().parent.parent


def _rep(n: int, flags=()) -> Rep:
    return Rep(
        n,
        "left",
        n * 2.0,
        n * 2.0 + 1.5,
        n * 2.0 + 0.8,
        80.0,
        165.0,
        tuple(flags),
        tuple(flags),
        {"knee_min": 80.0},
    )


def test_migrations_create_the_schema_in_memory():
    store = Store(memory=True)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert {"sessions", "reps", "form_events", "samples"} <= set(store.db.table_names())
    cols = store.db["reps"].columns_dict
    assert cols["range_of_motion"] is float and cols["flags"] is str


def test_reps_and_totals_are_written_and_read_back(tmp_path):
    store = Store(tmp_path / "r.db")
    sid = store.start_session("squat", "text", "video.mp4", "blazepose", "full")
    store.add_rep(sid, _rep(1))
    store.add_rep(sid, _rep(2, ["forward_lean"]))
    store.add_warning(sid, FormWarning(3.0, "left", "forward_lean", "chest up", "warning"))
    store.finish(sid)
    row = store.session(sid)
    assert (row["status"], row["reps"], row["good_reps"]) == ("completed", 2, 1)
    assert [r["flags"] for r in store.reps(sid)] == [[], ["forward_lean"]]
    store.remove_last_rep(sid)
    assert store.session(sid)["reps"] == 1 and store.session(sid)["good_reps"] == 1


def test_a_session_of_a_dead_process_is_marked_interrupted(tmp_path):
    store = Store(tmp_path / "r.db")
    sid = store.start_session("squat", "", "cam", "blazepose", "full")
    store.add_rep(sid, _rep(1))
    store.db.execute("UPDATE sessions SET pid = 999999999 WHERE id = ?", [sid])
    store.db.conn.commit()
    assert Store(tmp_path / "r.db").recover_interrupted() == 1
    row = Store(tmp_path / "r.db").session(sid)
    assert row["status"] == "interrupted" and row["reps"] == 1


def test_a_newer_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")  # a newer reptrack marks its files
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer reptrack"):
        Store(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("my precious notes\n" * 10)
    with pytest.raises(StoreError, match="not an SQLite file"):
        Store(path)
    assert path.read_text() == "my precious notes\n" * 10


def test_a_damaged_database_gives_a_clear_error(tmp_path):
    path = tmp_path / "bad.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    with pytest.raises(StoreError, match=r"damaged|not a reptrack database"):
        Store(path)


def test_a_read_only_location_gives_a_clear_error(tmp_path):
    if os.geteuid() == 0:
        # root ignores permission bits; an unwritable path is one under a file instead
        target = tmp_path / "file"
        target.write_text("x")
        with pytest.raises(StoreError, match="cannot create"):
            Store(target / "sub" / "r.db")
        return
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    with pytest.raises(StoreError):
        Store(folder / "sub" / "r.db")


def test_a_locked_database_waits_then_says_so(tmp_path, monkeypatch):
    import reptrack.store.opening

    monkeypatch.setattr(reptrack.store.opening, "LOCK_TIMEOUT", 0.2)
    path = tmp_path / "locked.db"
    Store(path).close()
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked by another program"):
            store = Store(path)
            store.start_session("squat", "", "cam", "blazepose", "full")
    finally:
        holder.rollback()
        holder.close()


def test_rescore_with_the_same_definition_equals_the_live_count(tmp_path):
    spec = specs.load("curl")
    live = RepCounter(spec, side="left")
    store = Store(tmp_path / "r.db")
    sid = store.start_session("curl", spec.text, "synthetic", "blazepose", "full")
    angles = (
        [160.0] * 10
        + [160 - 5.5 * i for i in range(20)]
        + [50.0] * 5
        + [50 + 5.5 * i for i in range(20)]
        + [160.0] * 10
    ) * 3
    samples = []
    for i, a in enumerate(angles):
        s = {
            "elbow.left": a,
            "elbow.right": float("nan"),
            "upper_arm.left": 12.0,
            "upper_arm.right": float("nan"),
            "trunk.left": 3.0,
            "trunk.right": float("nan"),
            "vis.left": 0.9,
            "vis.right": 0.2,
            "view": 80.0,
        }
        samples.append((i / 30, s))
        live.update(i / 30, s)
    store.add_samples(sid, samples)
    replayed = RepCounter(specs.parse(store.session(sid)["definition"], "stored"), side="left")
    for t, s in store.samples(sid):
        replayed.update(t, s)
    assert live.count == 3
    assert [(r.start, r.end, r.flags) for r in replayed.reps] == [
        (r.start, r.end, r.flags) for r in live.reps
    ]


def test_export_round_trips(tmp_path):
    store = Store(tmp_path / "r.db")
    sid = store.start_session("squat", "", "cam", "blazepose", "full")
    store.add_rep(sid, _rep(1, ["forward_lean"]))
    store.add_rep(sid, replace(_rep(2, []), counted_by="recovered"))
    store.finish(sid)
    data = json.loads(export(store, "json"))
    assert data[0]["id"] == sid and data[0]["rep_details"][0]["flags"] == ["forward_lean"]
    assert data[0]["rep_details"][0]["duration"] == pytest.approx(1.5)
    assert [r["counted_by"] for r in data[0]["rep_details"]] == ["shipped", "recovered"]
    rows = export(store, "csv").splitlines()
    assert rows[0].startswith("session_id,exercise") and rows[0].endswith(",flags,counted_by")
    assert rows[1].endswith(",forward_lean,shipped") and rows[2].endswith(",,recovered")


def test_kill_9_after_the_third_rep_keeps_the_reps(shared, blazepose_models, tmp_path):
    """A headless session killed without warning: what was counted stays on disk."""
    db = tmp_path / "kill.db"
    env = {**os.environ, "REPTRACK_DB": str(db)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reptrack",
            "squat",
            "--no-tui",
            "--source",
            str(shared / "videos" / "squat_vaidz.mp4"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 120
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("rep 3") or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM reps").fetchone()[0] >= 3
    conn.close()
    out = subprocess.run(
        [sys.executable, "-m", "reptrack", "history", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    sessions = json.loads(out.stdout)
    assert sessions[0]["status"] == "interrupted" and sessions[0]["reps"] >= 3


def _from_fixture(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript((ROOT / "tests" / "fixtures" / "schema_v1.sql").read_text())
    conn.close()


def test_a_version_1_database_is_migrated_and_keeps_its_data(tmp_path):
    path = tmp_path / "v1.db"
    _from_fixture(path)
    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    row = store.session(1)
    assert (row["exercise"], row["reps"], row["good_reps"], row["host"]) == (
        "squat",
        2,
        1,
        "gym-laptop",
    )
    assert row["target_reps"] is None and row["planned_sets"] is None
    reps = store.reps(1)
    assert [(r["n"], r["set_number"], r["flags"], r["counted_by"]) for r in reps] == [
        (1, 1, [], "shipped"),  # reps from before the counter was fitted to people
        (2, 1, ["not_deep_enough"], "shipped"),
    ]
    assert store.form_events(1)[0]["message"] == "go deeper"
    samples = store.samples(1)
    assert samples[1][1]["knee.left"] == 150.5 and samples[1][1]["knee.right"] != 0
    assert "sets" in store.db.table_names()
    # The migrated file is a working database: a new session with sets goes in beside the old.
    sid = store.start_session("squat", "", "cam", "blazepose", "full", target_reps=5)
    store.start_set(sid, 2, 12.5)
    store.add_rep(sid, _rep(1), set_number=2)
    assert store.reps(sid)[0]["set_number"] == 2
    assert store.set_starts(sid) == [(2, 12.5)]
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_migrations_keep_the_columns_a_fresh_database_has(tmp_path):
    path = tmp_path / "v1.db"
    _from_fixture(path)
    migrated, fresh = Store(path), Store(memory=True)
    for table in fresh.db.table_names():
        assert migrated.db[table].columns_dict == fresh.db[table].columns_dict, table


def test_a_full_disk_gives_a_clear_error_and_keeps_what_was_recorded(tmp_path):
    path = tmp_path / "full.db"
    store = Store(path)
    sid = store.start_session("squat", "", "cam", "blazepose", "full")
    store.add_rep(sid, _rep(1))
    store.add_rep(sid, _rep(2))
    # SQLite's page limit gives the same SQLITE_FULL error a full disk does.
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count={pages}")
    big = [(i / 30, {"knee.left": float(i), "pad": "x" * 2000}) for i in range(500)]
    with pytest.raises(StoreError, match="is full") as info:
        store.add_samples(sid, big)
    assert "sessions recorded so far are kept" in str(info.value)
    store.close()
    again = Store(path)
    assert again.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [r["n"] for r in again.reps(sid)] == [1, 2]
    assert again.samples(sid) == []


def test_replacing_reps_is_all_or_nothing(tmp_path):
    store = Store(tmp_path / "r.db")
    sid = store.start_session("squat", "", "cam", "blazepose", "full")
    store.add_rep(sid, _rep(1))
    store.add_rep(sid, _rep(2))
    broken = _rep(3)
    object.__setattr__(broken, "measures", {"bad": object()})  # not JSON: the write fails
    with pytest.raises(TypeError):
        store.replace_reps(sid, [_rep(1, ["forward_lean"]), broken])
    assert [r["n"] for r in store.reps(sid)] == [1, 2]
    assert store.session(sid)["reps"] == 2


def test_rescored_reps_keep_their_sets(tmp_path):
    store = Store(tmp_path / "r.db")
    sid = store.start_session("squat", "", "cam", "blazepose", "full")
    store.start_set(sid, 1, 0.0)
    store.start_set(sid, 2, 5.0)
    store.replace_reps(sid, [_rep(1), _rep(2), _rep(3)])  # starts at 2, 4 and 6 s
    assert [(r["n"], r["set_number"]) for r in store.reps(sid)] == [(1, 1), (2, 1), (3, 2)]
    assert (store.session(sid)["reps"], store.session(sid)["good_reps"]) == (3, 3)


def _file_state(path) -> tuple:
    """What another program would notice: the bytes, and any journal files beside them."""
    siblings = sorted(p.name for p in path.parent.iterdir() if p.name != path.name)
    return path.read_bytes(), siblings


@pytest.mark.parametrize(
    ("setup", "says"),
    [
        ("create table notes(x)", "tables: notes"),
        ("create table sessions(id integer primary key, note text)", "tables: sessions"),
        ("pragma user_version=1", "user_version 1"),
        ("pragma user_version=5", "user_version 5"),
        ("pragma application_id=1234", "application id 0x4d2"),
    ],
)
def test_another_programs_database_is_refused_and_left_exactly_as_it_was(tmp_path, setup, says):
    path = tmp_path / "other" / "o.db"
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    conn.execute(setup)
    conn.commit()
    conn.close()
    before = _file_state(path)
    for open_it in (Store, Store.for_reading):
        with pytest.raises(StoreError, match="another program") as info:
            open_it(path)
        assert says in info.value.message
    assert _file_state(path) == before  # no tables, no user_version, no WAL switch


def test_new_files_are_marked_as_reptracks_and_old_unmarked_ones_adopted(tmp_path):
    fresh = Store(tmp_path / "new.db")
    assert fresh.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    # A file made by reptrack before it marked its files: its tables say whose it is.
    old = tmp_path / "old.db"
    fresh.close()
    conn = sqlite3.connect(tmp_path / "new.db")
    conn.execute("PRAGMA application_id=0")
    conn.commit()
    conn.close()
    (tmp_path / "new.db").rename(old)
    store = Store(old)
    assert store.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_a_brief_lock_held_by_another_program_is_waited_for(tmp_path):
    # Another process takes the write lock for 50 ms at a time, 100 ms apart: reptrack's
    # writes wait for it (busy timeout) instead of failing at once.
    import subprocess
    import sys
    import textwrap

    path = tmp_path / "c.db"
    store = Store(path)
    sid = store.start_session("squat", "", "test", "fake", "none")
    store.db.execute("CREATE TABLE IF NOT EXISTS other(x)")  # a table of the other program
    locker = textwrap.dedent(f"""
        import sqlite3, time
        conn = sqlite3.connect({str(path)!r}, isolation_level=None)
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO other VALUES (1)")
            time.sleep(0.05)
            conn.execute("COMMIT")
            time.sleep(0.1)
    """)
    proc = subprocess.Popen([sys.executable, "-c", locker])
    try:
        time.sleep(0.2)
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            store.add_samples(sid, [(0.0, {"knee.left": 90.0})])
            store.finish(sid)  # a read of the table, then a write: the failing pattern
    finally:
        proc.wait(timeout=10)
    assert Store(path).session(sid)["status"] == "completed"


def test_a_lock_held_too_long_says_how_long_it_waited(tmp_path, monkeypatch):
    import reptrack.store.opening

    monkeypatch.setattr(reptrack.store.opening, "LOCK_TIMEOUT", 0.4)  # 5 s as shipped
    path = tmp_path / "c.db"
    store = Store(path)
    sid = store.start_session("squat", "", "test", "fake", "none")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(StoreError, match="locked") as info:
            store.finish(sid)
        waited = time.monotonic() - started
    finally:
        other.execute("ROLLBACK")
    said = re.search(r"waited (\d+\.\d) s", info.value.hint)
    assert said is not None and 0.35 <= float(said[1]) <= waited + 0.05, info.value.hint
