"""Hostile and careless input (issue #13): each case ends in one clear message and a non-zero
exit, or works, and never changes a file that is not reptrack's own."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reptrack.errors import StoreError
from reptrack.exercise import spec as specs
from reptrack.exercise.rep_counter import RepCounter
from reptrack.store import Store


def cli(
    *args: str, db: Path | None = None, cwd: Path | None = None, **env: str
) -> subprocess.CompletedProcess:
    environ = {**os.environ, **env}
    if db is not None:
        environ["REPTRACK_DB"] = str(db)
    return subprocess.run(
        [sys.executable, "-m", "reptrack", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=cwd,
        timeout=120,
    )


def refused(proc: subprocess.CompletedProcess, message: str) -> bool:
    return proc.returncode != 0 and message in proc.stderr and "Traceback" not in proc.stderr


def _session_with_reps(db: Path) -> int:
    """A stored squat session with two reps and its angle stream."""
    spec = specs.load("squat")
    store = Store(db)
    sid = store.start_session("squat", spec.text, "test", "fake", "none")
    counter = RepCounter(spec, side="left")
    samples = []
    for i in range(300):
        t = i / 30
        knee = 170.0 if (i // 50) % 2 == 0 else 80.0
        s = {"knee.left": knee, "knee.right": knee, "hip.left": 90.0, "hip.right": 90.0,
             "trunk.left": 10.0, "trunk.right": 10.0, "vis.left": 0.9, "vis.right": 0.9,
             "view": 80.0}  # fmt: skip
        samples.append((t, s))
        for e in counter.update(t, s):
            if hasattr(e, "rep"):
                store.add_rep(sid, e.rep)
    store.add_samples(sid, samples)
    store.finish(sid)
    store.close()
    return sid


# -- the database ------------------------------------------------------------------------------
@pytest.mark.parametrize("huge", ["99999999999999999999999", "9223372036854775808", "0", "-3"])
def test_an_impossible_session_id_is_one_message(tmp_path, huge):
    proc = cli("history", "show", huge, db=tmp_path / "x.db")
    assert refused(proc, "not a session id")


def test_since_must_be_a_date(tmp_path):
    assert refused(cli("history", "--since", "notadate", db=tmp_path / "x.db"), "not a date")


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        ("update reps set flags = 'oops'", "flags is not a JSON list"),
        ("update reps set measures = '[1'", "measures is not a JSON dict"),
        ("update reps set duration = NULL", None),
    ],
)
def test_a_hand_edited_database_is_read_with_a_note_on_the_damaged_rows(tmp_path, edit, says):
    db = tmp_path / "h.db"
    sid = _session_with_reps(db)
    conn = sqlite3.connect(db)
    conn.execute(edit)
    conn.commit()
    conn.close()
    for args in (("history", "show", str(sid)), ("export", "--format", "csv"),
                 ("export",), ("rescore", str(sid))):  # fmt: skip
        proc = cli(*args, db=db)
        assert proc.returncode == 0, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
        if says:
            assert says in proc.stderr, args
    show = cli("history", "show", str(sid), db=db)
    assert "?" in show.stdout if "duration" in edit else "reps" in show.stdout


def test_a_dropped_samples_table_stops_rescore_with_a_message(tmp_path):
    db = tmp_path / "h.db"
    sid = _session_with_reps(db)
    conn = sqlite3.connect(db)
    conn.execute("drop table samples")
    conn.commit()
    conn.close()
    assert refused(cli("rescore", str(sid), db=db), "cannot read the angle stream")
    assert cli("history", "show", str(sid), db=db).returncode == 0


def test_history_reads_a_database_it_cannot_write(tmp_path, monkeypatch):
    db = tmp_path / "h.db"
    _session_with_reps(db)
    sqlite3.connect(db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    before = sorted(p.name for p in tmp_path.iterdir()), db.read_bytes()
    # Read-only opening reads the sessions and writes nothing, not even a journal.
    store = Store(db, readonly=True)
    assert [r["exercise"] for r in store.sessions()] == ["squat"]
    with pytest.raises(StoreError, match="read-only"):
        store.finish(1)
    store.close()
    assert (sorted(p.name for p in tmp_path.iterdir()), db.read_bytes()) == before
    # Where the file cannot be written (a read-only disk), history falls back to it.
    from reptrack.store import opening

    real = opening.connect

    def no_writing(path, readonly):
        if not readonly:
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real(path, readonly)

    monkeypatch.setattr(opening, "connect", no_writing)
    assert Store.for_reading(db).readonly


# -- outputs -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("out", "says"),
    [
        ("missing/dir/x.csv", "does not exist"),
        (".", "is a directory"),
        ("DB", "is the file this command reads"),
        ("pipe", "is not a regular file"),
    ],
)
def test_export_checks_where_it_writes_first(tmp_path, out, says):
    db = tmp_path / "h.db"
    _session_with_reps(db)
    os.mkfifo(tmp_path / "pipe")
    before = db.read_bytes()
    target = str(db) if out == "DB" else str(tmp_path / out)
    assert refused(cli("export", "--out", target, db=db), says)
    assert db.read_bytes() == before


def test_export_writes_the_whole_file(tmp_path):
    db = tmp_path / "h.db"
    _session_with_reps(db)
    out = tmp_path / "x.csv"
    proc = cli("export", "--format", "csv", "--out", str(out), db=db)
    assert proc.returncode == 0 and out.read_text().count("\n") == 3  # header + 2 reps
    assert [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []


def test_markup_in_user_text_is_printed_as_itself(tmp_path):
    db = tmp_path / "h.db"
    store = Store(db)
    sid = store.start_session("[bold red]squat[/]", "", "[/x] video.mp4", "fake", "none")
    store.finish(sid)
    store.close()
    proc = cli("history", db=db)
    assert proc.returncode == 0 and "[bold red]squat[/]" in proc.stdout
    proc = cli("squat", "--no-tui", "--no-save", "--source", str(tmp_path / "[/x].mp4"))
    assert refused(proc, "[/x].mp4")


# -- recordings and sources -------------------------------------------------------------------
def _video(tmp_path: Path, name: str = "c.mp4", frames: int = 20) -> Path:
    import numpy as np

    from fakes import write_video

    return write_video(
        tmp_path / name, [np.full((64, 64, 3), i * 10, np.uint8) for i in range(frames)]
    )


@pytest.mark.parametrize("same", ["c.mp4", "./c.mp4", "link.mp4"])
def test_recording_over_the_source_video_is_refused(tmp_path, same):
    video = _video(tmp_path)
    (tmp_path / "link.mp4").symlink_to(video)
    before = video.read_bytes()
    db = tmp_path / "s.db"
    proc = cli("squat", "--source", str(video), "--no-tui", "--record", same, "--db", str(db),
               cwd=tmp_path)  # fmt: skip
    assert refused(proc, "is the file this command reads")
    assert video.read_bytes() == before
    assert not db.exists()  # refused before a session was started


@pytest.mark.parametrize(
    ("record", "says"),
    [("missing/out.mp4", "does not exist"), (".", "is a directory"),
     ("out.txt", "use a file name ending in"), ("sub.mp4", "is a directory")],
)  # fmt: skip
def test_a_recording_that_cannot_be_written_is_refused_before_the_session(tmp_path, record, says):
    video = _video(tmp_path)
    (tmp_path / "sub.mp4").mkdir()
    db = tmp_path / "s.db"
    proc = cli("squat", "--source", str(video), "--no-tui", "--record", record, "--db", str(db),
               cwd=tmp_path)  # fmt: skip
    assert refused(proc, says)
    assert not db.exists()


def test_a_recording_replaces_its_file_only_when_whole(tmp_path):
    import numpy as np

    from reptrack.video.preview import VideoRecorder

    out = tmp_path / "rec.mp4"
    out.write_bytes(b"an older recording")
    recorder = VideoRecorder(out, 10)
    for i in range(5):
        recorder.write(np.full((32, 32, 3), i * 40, np.uint8))
    assert out.read_bytes() == b"an older recording"  # still the old one while recording
    recorder.close()
    assert out.stat().st_size > 100 and not list(tmp_path.glob(".rec.*"))


@pytest.mark.parametrize(
    ("source", "says"),
    [("99999999999999999999", "not a camera index"), ("2147483648", "not a camera index"),
     ("", "no source given"), ("still.png", "still image")],
)  # fmt: skip
def test_sources_that_cannot_be_counted_say_why(tmp_path, blazepose_models, source, says):
    import cv2
    import numpy as np

    cv2.imwrite(str(tmp_path / "still.png"), np.zeros((64, 64, 3), np.uint8))
    proc = cli("squat", "--source", source, "--no-tui", "--db", str(tmp_path / "s.db"),
               cwd=tmp_path)  # fmt: skip
    assert refused(proc, says)


def test_a_truncated_video_says_it_ended_early_and_keeps_the_reps(
    shared, blazepose_models, tmp_path
):
    cut = tmp_path / "cut.mp4"
    cut.write_bytes((shared / "videos" / "squat_tommy.mp4").read_bytes()[:300_000])
    db = tmp_path / "s.db"
    proc = cli("squat", "--source", str(cut), "--no-tui", db=db)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "the video ended after" in proc.stderr and "of the 459 frames" in proc.stderr
    assert Store(db).sessions()[0]["reps"] >= 1


def test_a_video_with_nobody_in_it_says_so(tmp_path, blazepose_models):
    proc = cli("squat", "--source", str(_video(tmp_path)), "--no-tui", "--no-save")
    assert proc.returncode == 0 and "nobody was seen in the 20 frames" in proc.stderr
    assert "XNNPACK" not in proc.stderr  # LiteRT's start-up chatter is not shown


# -- command-line values ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--rest", "nan"), "rest must be 0 to 3600"),
        (("--rest", "inf"), "rest must be 0 to 3600"),
        (("--rest", "-1"), "rest must be 0 to 3600"),
        (("--target-reps", "-3"), "--target-reps must be 1 to 1000"),
        (("--sets", "-2"), "--sets must be 1 to 1000"),
        (("--sets", "two"), "'two' is not a whole number"),
    ],
)
def test_plan_numbers_are_checked_when_parsed(args, says):
    assert refused(cli("squat", "--no-tui", "--no-save", *args), says)


def test_a_plan_that_cannot_work_is_refused_wherever_it_is_built():
    from reptrack.errors import ReptrackError
    from reptrack.session.request import Request

    for bad in ({"rest": float("nan")}, {"target_reps": 0}, {"sets": -2}):
        with pytest.raises(ReptrackError):
            Request("squat", **bad)


def test_options_before_an_exercise_open_the_home_screen_or_say_why_not(tmp_path):
    proc = cli("--db", str(tmp_path / "x.db"))
    assert proc.returncode == 2 and "needs a terminal" in proc.stderr
    assert "invalid choice" not in proc.stderr
    assert not (tmp_path / "x.db").exists()


def test_subcommand_usage_names_the_command():
    assert cli("history", "--help").stdout.startswith("usage: reptrack history")


def test_when_the_tui_stops_on_an_error_the_error_itself_is_printed():
    import reptrack.tui.app
    from reptrack.commands.session import run_app
    from reptrack.errors import ReptrackError
    from reptrack.session.request import Request
    from reptrack.tui.app import ReptrackApp

    class Broken(ReptrackApp):
        CSS_PATH = Path(reptrack.tui.app.__file__).with_name("app.tcss")

        def on_mount(self) -> None:
            raise ValueError("cannot convert float NaN to integer")

    with pytest.raises(ReptrackError) as info:
        run_app(Broken(Request("squat")), lambda app: app.run(headless=True))
    assert "ValueError: cannot convert float NaN to integer" in info.value.message
    assert "see above" not in info.value.message


@pytest.mark.parametrize(
    ("out", "says"),
    [("missing/d/x.npz", "does not exist"), (".", "is a directory"), ("x", "ending in .npz"),
     ("c.mp4", "is the file this command reads")],
)  # fmt: skip
def test_pose_checks_its_output_before_reading_a_frame(tmp_path, out, says):
    video = _video(tmp_path)
    before = video.read_bytes()
    proc = cli("pose", str(video), "--out", out, "--quiet", cwd=tmp_path,
               REPTRACK_MODELS_DIR=str(tmp_path / "no-models"),
               REPTRACK_CACHE_DIR=str(tmp_path / "no-cache"))  # fmt: skip
    assert refused(proc, says)  # before the models are even looked for
    assert video.read_bytes() == before


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_a_stop_signal_ends_a_headless_session_as_ctrl_c_does(
    shared, blazepose_models, tmp_path, signame
):
    import signal

    db = tmp_path / "s.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "reptrack", "lunge", "--no-tui", "--db", str(db),
         "--source", str(shared / "videos" / "lunge_ambaks.mp4")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("rep 1"):
            break
    proc.send_signal(getattr(signal, signame))
    rest, errors = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in errors
    assert "saved" in rest  # the summary line, as after Ctrl-C
    row = Store(db).sessions()[0]
    assert row["status"] == "completed" and 1 <= row["reps"] < 11


def test_a_pathological_user_exercise_file_is_listed_as_invalid(tmp_path):
    folder = tmp_path / "config" / "exercises"
    folder.mkdir(parents=True)
    (folder / "squat.toml").write_text("a = " + "[" * 5000 + "]" * 5000)
    proc = cli("exercises", "list", REPTRACK_CONFIG_DIR=str(tmp_path / "config"))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert "nested too deeply" in proc.stdout or "invalid" in proc.stdout
    assert refused(cli("exercises", "check", str(folder / "squat.toml")), "nested too deeply")


def test_the_home_screen_opens_with_a_pathological_user_exercise_file(tmp_path, monkeypatch):
    import asyncio

    from reptrack.session.request import Request
    from reptrack.tui.app import ReptrackApp
    from reptrack.tui.home import HomeScreen

    folder = tmp_path / "config" / "exercises"
    folder.mkdir(parents=True)
    (folder / "squat.toml").write_text("a = " + "[" * 5000 + "]" * 5000)
    monkeypatch.setenv("REPTRACK_CONFIG_DIR", str(tmp_path / "config"))
    app = ReptrackApp(Request("squat", db=str(tmp_path / "x.db")))

    async def scenario():
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)

    asyncio.run(scenario())
    assert app.return_code in (0, None)


@pytest.mark.parametrize("table", ["reps", "samples", "sets", "form_events"])
def test_a_dropped_table_is_named_read_around_and_never_written_to(tmp_path, table):
    db = tmp_path / "h.db"
    sid = _session_with_reps(db)
    conn = sqlite3.connect(db)
    conn.execute(f"drop table {table}")
    conn.commit()
    conn.close()
    for args in (("history",), ("history", "show", str(sid)), ("export",)):
        proc = cli(*args, db=db)
        assert proc.returncode == 0 and f"lost its {table} table" in proc.stderr, args
    proc = cli("squat", "--no-tui", "--source", str(_video(tmp_path)), db=db)
    assert refused(proc, "will not write to it")
    tables = {r[0] for r in sqlite3.connect(db).execute("select name from sqlite_master")}
    assert table not in tables  # not recreated with guessed columns


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder nobody may write to, as a backup disk or a read-only share is: a read-only
    mount for root (permissions do not stop root), permissions for anybody else. Yields a
    function that makes the folder read-only once its files are in place."""
    from conftest import require

    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = []

    def lock() -> None:
        if os.geteuid() != 0:
            folder.chmod(0o555)
            return
        ok = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True)
        require(ok.returncode == 0, f"cannot remount {folder} read-only: {ok.stderr!r}")

    if os.geteuid() == 0:
        staged = tmp_path / "staged"
        staged.mkdir()
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
                            capture_output=True)  # fmt: skip
        require(
            ok.returncode == 0, f"a read-only folder needs a tmpfs mount as root: {ok.stderr!r}"
        )
        mounted.append(folder)
    yield folder, lock
    for m in mounted:
        subprocess.run(["umount", str(m)], capture_output=True)
    folder.chmod(0o755)


def test_history_export_and_stats_read_a_database_in_a_read_only_folder(read_only_folder):
    folder, lock = read_only_folder
    db = folder / "h.db"
    _session_with_reps(db)
    lock()
    for args in (["history"], ["history", "show", "1"], ["history", "--stats"], ["export"]):
        run = cli(*args, "--db", str(db)) if args[0] != "export" else cli(*args, db=db)
        assert run.returncode == 0 and "Traceback" not in run.stderr, (args, run.stderr)
        assert "squat" in run.stdout, args


def test_a_closed_pipe_ends_the_output_quietly(tmp_path):
    db = tmp_path / "big.db"
    from reptrack.exercise.events import Rep

    store = Store(db)
    for _ in range(300):  # more JSON than a pipe holds
        sid = store.start_session("squat", "", "cam", "fake", "none")
        for n in range(1, 6):
            store.add_rep(sid, Rep(n, "left", n, n + 1.0, n + 0.5, 80.0, 170.0))
        store.finish(sid)
    store.close()
    proc = subprocess.Popen([sys.executable, "-m", "reptrack", "history", "--json", "--db",
                             str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"["
    proc.stdout.close()  # as `| head -1` does
    _, stderr = proc.communicate(timeout=60)
    assert b"Traceback" not in stderr and b"BrokenPipe" not in stderr, stderr
    assert proc.returncode in (0, 141)


def test_a_landmark_file_holding_pickled_objects_is_refused_not_loaded(tmp_path):
    import numpy as np

    from reptrack.errors import ReptrackError
    from reptrack.pose.dump import load_landmarks

    evil = tmp_path / "clip.npz"
    np.savez(evil, image=np.array([{"run": "code"}], dtype=object), fps=30.0, width=1, height=1)
    with pytest.raises(ReptrackError, match="not a reptrack landmark file") as caught:
        load_landmarks(evil)
    assert "reptrack pose" in (caught.value.hint or "")
    labels = tmp_path / "labels.toml"
    labels.write_text('[[video]]\nfile = "clip.mp4"\nexercise = "squat"\nreps = 1\n')
    run = cli("eval", str(labels), "--reference", str(tmp_path))
    assert "not a reptrack landmark file" in run.stdout + run.stderr
    assert "Traceback" not in run.stderr and run.returncode != 0
    learn = cli(
        "exercises", "learn", str(evil), "--name", "evil", REPTRACK_CONFIG_DIR=str(tmp_path)
    )
    assert refused(learn, "not a reptrack landmark file")


def test_a_model_archive_with_a_bad_checksum_inside_says_it_is_damaged(tmp_path):
    import zipfile

    bundle = tmp_path / "pose.task"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("pose_landmark_full.tflite", b"x" * 4096)
    data = bytearray(bundle.read_bytes())
    at = data.find(b"x" * 64)
    data[at + 100] = ord("y")  # the stored bytes no longer match the archive's CRC
    bundle.write_bytes(bytes(data))
    run = cli("models", "import", str(bundle), REPTRACK_CACHE_DIR=str(tmp_path / "cache"))
    assert refused(run, "is a damaged archive"), run.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["squat", "--source", "/tmp/" + "a" * 300 + ".mp4", "--no-tui"], "File name too long"),
        (["history", "--db", "/tmp/" + "a" * 300 + ".db"], "File name too long"),
        (["exercises", "check", "/tmp/" + "a" * 300 + ".toml"], "File name too long"),
    ],
)
def test_a_name_longer_than_the_file_system_allows_is_one_message(args, says):
    assert refused(cli(*args), says)


def test_names_that_are_not_utf8_work_as_source_database_and_recording(
    shared, blazepose_models, tmp_path
):
    """A file copied from an old camera may have a name of bytes that are not UTF-8 text:
    legal on Linux, and OpenCV dies with a segmentation fault on it. It is counted (through
    an alias OpenCV can open), and the database and the recording may have such names too."""
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9"))  # a Latin-1 folder name
    folder.mkdir()
    video = folder / os.fsdecode(b"squat\xff\xfe.mp4")
    video.write_bytes((shared / "videos" / "squat_tommy.mp4").read_bytes())
    db, recording = folder / os.fsdecode(b"s\xe9ances.db"), folder / os.fsdecode(b"r\xe9p.mp4")
    run = subprocess.run([sys.executable, "-m", "reptrack", "squat", "--source", str(video),
                          "--no-tui", "--json", "--db", str(db), "--record", str(recording)],
                         capture_output=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout)["reps"] == 3
    (row,) = Store(db).sessions()
    assert row["reps"] == 3
    assert recording.stat().st_size > 10_000
    assert sorted(os.listdir(folder)) == sorted(  # no alias or temporary file left behind
        [video.name, db.name, recording.name, db.name + "-wal", db.name + "-shm"]
    ) or sorted(os.listdir(folder)) == sorted([video.name, db.name, recording.name])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.one_of(
        st.text(min_size=1, max_size=300), st.binary(min_size=1, max_size=300).map(os.fsdecode)
    ).filter(lambda s: "/" not in s and "\x00" not in s),
    command=st.sampled_from(["source", "db", "check", "eval", "learn"]),
)
def test_any_path_given_to_the_cli_ends_in_an_exit_code_not_a_traceback(
    tmp_home, capsys, name, command
):
    tmp_path = tmp_home
    from reptrack.cli import main

    path = str(tmp_path / name)
    if os.path.lexists(path) and command != "db":
        return  # a name that happens to exist (".", "..") is another test's matter
    args = {
        "source": ["squat", "--source", path, "--no-tui", "--no-save"],
        "db": ["history", "--json", "--db", str(tmp_path / "dbs" / name)],
        "check": ["exercises", "check", path],
        "eval": ["eval", path],
        "learn": ["exercises", "learn", path, "--name", "x"],
    }[command]
    (tmp_path / "dbs").mkdir(exist_ok=True)
    try:
        code = main(args)
    except SystemExit as exc:  # argparse refusing an argument
        code = exc.code
    assert isinstance(code, int)
    assert "Traceback" not in capsys.readouterr().err


def test_a_damaged_page_under_a_query_names_the_file_and_the_way_out(tmp_path):
    db = tmp_path / "d.db"
    _session_with_reps(db)
    sqlite3.connect(db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[2 * page + 8 : 2 * page + 200] = b"\xab" * 192  # the reps table's first page
    db.write_bytes(bytes(data))
    for args in (["history", "show", "1"], ["export"]):
        run = cli(*args, db=db)
        assert refused(run, "is damaged"), (args, run.stderr)
        assert ".recover" in run.stderr


def test_a_stream_that_refuses_says_so_in_reptracks_words_only():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = cli("squat", "--source", f"http://127.0.0.1:{port}/video", "--no-tui", "--no-save")
    assert refused(run, "cannot open stream")
    assert "[tcp @" not in run.stderr and "Connection to tcp" not in run.stderr, run.stderr
