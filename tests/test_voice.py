"""The voice: the speech queue with a fake engine, a missing engine, and the real path
(pyttsx3 driving espeak-ng in its own process) writing what it says to a WAV file."""

from __future__ import annotations

import shutil
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from test_hostile import cli

from conftest import require
from fakes import RecordedPoses, recorded_session, run_seeing, session
from reptrack.exercise import spec as specs
from reptrack.exercise.events import FormWarning, HoldStarted, HoldTick, RepCompleted
from reptrack.session.request import Request
from reptrack.session.sets import WorkoutDone
from reptrack.sinks.logs import CsvRepLog
from reptrack.sinks.presenting import Spoken
from reptrack.sinks.voice import SpeechProcess, Voice, VoiceUnavailable, spoken_time
from reptrack.tui.app import ReptrackApp
from reptrack.tui.live_options import LiveOptions
from reptrack.video.sources import FileSource
from tuikit import SIZE, fake_session, run, text, until


class FakeEngine:
    """Says instantly, or holds each phrase until `go` is set."""

    def __init__(self, hold: bool = False) -> None:
        self.said: list[str] = []
        self.go = threading.Event()
        self.started = threading.Event()
        self.closed = False
        if not hold:
            self.go.set()

    def say(self, text: str) -> None:
        self.started.set()
        self.go.wait(5)
        self.said.append(text)

    def close(self) -> None:
        self.closed = True


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_phrases_are_said_in_order_and_close_waits_for_them():
    engine = FakeEngine()
    voice = Voice(lambda: engine)
    voice.rep(1)
    voice.warning("go deeper")
    voice.say("set done")
    voice.close()
    assert engine.said == ["1", "go deeper", "set done"] and engine.closed


def test_a_slow_engine_never_holds_up_the_caller_and_only_the_newest_count_waits():
    engine = FakeEngine(hold=True)
    voice = Voice(lambda: engine)
    voice.rep(1)
    engine.started.wait(5)  # "1" is being said, slowly
    began = time.monotonic()
    for n in (2, 3, 4):
        voice.rep(n)
        voice.warning("go deeper")  # queued once, however often it comes
    assert time.monotonic() - began < 0.1
    engine.go.set()
    voice.close()
    assert engine.said == ["1", "go deeper", "4"]


def test_a_warning_said_lately_is_not_new():
    engine = FakeEngine()
    voice = Voice(lambda: engine)
    voice.hear([FormWarning(0.0, "left", "r", "go deeper", "warning")], set_reps=0)
    wait_for(lambda: engine.said == ["go deeper"])
    voice.warning("go deeper")
    voice.warning("keep your back straight")
    voice.close()
    assert engine.said == ["go deeper", "keep your back straight"]


def test_mute_silences_what_comes_after():
    engine = FakeEngine()
    voice = Voice(lambda: engine)
    voice.rep(1)
    wait_for(lambda: engine.said == ["1"])
    voice.muted = True
    voice.rep(2)
    voice.muted = False
    voice.rep(3)
    voice.close()
    assert engine.said == ["1", "3"]


def test_without_an_engine_the_problem_is_told_once_and_nothing_fails():
    told: list[str] = []

    def no_engine():
        raise VoiceUnavailable("the voice is unavailable: espeak-ng not found")

    voice = Voice(no_engine, on_problem=told.append)
    voice.rep(1)
    wait_for(lambda: told)
    for n in range(2, 6):
        voice.rep(n)
    voice.close()
    assert told == ["the voice is unavailable: espeak-ng not found; counting goes on without it"]


def test_the_speech_process_says_why_it_cannot_speak(tmp_path):
    with pytest.raises(VoiceUnavailable, match=r"the voice is unavailable: .*no_such_driver"):
        SpeechProcess(to=tmp_path / "unused.wav", driver="no_such_driver")
    assert not (tmp_path / "unused.wav").exists()


def test_voice_without_a_player_says_so_once_and_the_session_runs(
    shared, blazepose_models, tmp_path
):
    # No aplay on the PATH: on Linux nothing could be heard, which is said once on stderr.
    video = shared / "videos" / "squat_tommy.mp4"
    proc = cli(
        "squat", "--source", str(video), "--no-tui", "--voice", db=tmp_path / "s.db", PATH=""
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("voice:") == 1 and "aplay" in proc.stderr
    assert "3 reps" in proc.stdout


# -- the real engine ---------------------------------------------------------------------------
def wav_seconds_and_loudness(path: Path) -> tuple[float, float]:
    with wave.open(str(path)) as w:
        frames = np.frombuffer(w.readframes(w.getnframes()), np.int16)
        return w.getnframes() / w.getframerate(), float(np.sqrt(np.mean(frames.astype(float) ** 2)))


@pytest.fixture
def espeak() -> None:
    require(shutil.which("espeak-ng") is not None, "espeak-ng is not installed (Debian espeak-ng)")


def test_espeak_ng_says_each_rep_of_a_real_squat_video(espeak, shared, tmp_path):
    """squat_tommy.mp4 with MediaPipe's own landmarks: the voice says 1, 2, 3, and the audio
    written for three reps is sound, and longer than for the first rep alone."""
    workout = session(
        FileSource(shared / "videos" / "squat_tommy.mp4"),
        RecordedPoses(shared / "reference" / "squat_tommy.npz"),
        specs.load("squat"),
    )
    all_reps = Voice(lambda: SpeechProcess(to=tmp_path / "all.wav"))
    first_rep = Voice(lambda: SpeechProcess(to=tmp_path / "first.wav"))

    def on_frame(r) -> None:
        if any(isinstance(e, RepCompleted) and r.count == 1 for e in r.events):
            first_rep.hear(r.events, r.set_reps)
        if any(isinstance(e, RepCompleted) for e in r.events):
            # The file is read far faster than real time; reps of a real set come seconds
            # apart, time enough to say each number. Give the voice that time.
            wait_for(lambda: len(all_reps.spoken) == r.count, timeout=30)

    workout.sinks.append(Spoken(all_reps))  # as --voice hears every step, the last one too
    run_seeing(workout, on_frame)
    all_reps.close(timeout=60)
    first_rep.close(timeout=60)
    assert all_reps.spoken == ["1", "2", "3"] and first_rep.spoken == ["1"]
    seconds_all, loud_all = wav_seconds_and_loudness(tmp_path / "all.wav")
    seconds_one, loud_one = wav_seconds_and_loudness(tmp_path / "first.wav")
    assert loud_all > 300 and loud_one > 300  # int16 RMS: speech, not silence
    assert seconds_all > 2 * seconds_one > 0.4


# -- on the live screen ------------------------------------------------------------------------
def test_the_live_screen_says_what_the_headless_run_says_and_m_mutes(tmp_path):
    said = ["1", "2", "3", "set done", "rest over", "1", "2", "3", "workout complete"]
    sets = {"target_reps": 3, "planned_sets": 2, "rest": 1.0}
    engine = FakeEngine()
    app = ReptrackApp(
        Request("squat", target_reps=3, sets=2, rest=1.0),
        workout=fake_session(tmp_path / "s.db", 30 * 15, **sets),
        live=LiveOptions(voice=True, speech=lambda: engine),
    )

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await until(pilot, lambda: "finished" in text(app, "#camera"))
            await until(pilot, lambda: len(engine.said) == len(said))
            await pilot.press("m")
            assert app.screen.voice.muted
            await pilot.press("q")

    run(scenario())
    assert engine.said == said
    # --no-tui --voice: the same session heard the same way
    headless = FakeEngine()
    voice = Voice(lambda: headless)
    workout = fake_session(tmp_path / "t.db", 30 * 15, **sets)
    workout.sinks.append(Spoken(voice))
    workout.run()
    voice.close()
    assert headless.said == said


def test_a_plan_is_said_block_by_block_the_same_in_the_tui_and_headless(monkeypatch, capsys):
    from argparse import Namespace

    from fakes import BlankSource, Squatter
    from reptrack.commands import plans as narrating
    from reptrack.session import plans
    from reptrack.session.plan_run import PlanRun
    from tuikit import live_titles

    plan = plans.parse(
        'title = "Two"\n[[block]]\nexercise = "squat"\nsets = 1\nreps = 2\nrest_after = 2\n'
        '[[block]]\nexercise = "squat"\nsets = 1\nreps = 2\n'
    )
    # A file is read far faster than a set is done, and the voice lets a phrase it has not
    # said yet give way to a newer one: the stream waits for the voice, as a set's seconds
    # between reps would, so what is said does not depend on the machine's pace.
    queued: list[str] = []
    queue = Voice._queue

    def counted(self, phrase):
        accepted = queue(self, phrase)
        if accepted:
            queued.append(phrase.text)
        return accepted

    monkeypatch.setattr(Voice, "_queue", counted)

    class SpokenInTime(BlankSource):
        def __init__(self, engine: FakeEngine) -> None:
            super().__init__(30 * 12)
            self.engine = engine

        def read(self):
            wait_for(lambda: len(self.engine.said) >= len(queued), timeout=10)
            return super().read()

    def plan_run(engine: FakeEngine) -> PlanRun:
        queued.clear()
        return PlanRun(plan, SpokenInTime(engine), Squatter())

    engine = FakeEngine()
    app = ReptrackApp(
        Request("squat"),
        plan_run=plan_run(engine),
        live=LiveOptions(voice=True, speech=lambda: engine),
    )
    live_titles(app)
    block = ["Squat, 1 times 2 reps", "1", "2", "block done"]
    # After the first block only, its rest: the squatter squats on through it, and a rep
    # done in a rest counts to the set before it, as between sets.
    rest = ["rest 2 seconds, then the next exercise", "3"]
    wait_for(lambda: len(engine.said) == 2 * len(block) + len(rest))
    assert engine.said == block + rest + block
    heard = FakeEngine()  # `reptrack workout --no-tui --voice` on the same stream
    monkeypatch.setattr(narrating, "start_voice", lambda: Voice(lambda: heard))
    assert narrating._headless(Namespace(json=True, voice=True), plan_run(heard)) == 0
    assert heard.said == engine.said


def test_a_plan_block_ends_in_block_done_not_workout_complete():
    engine = FakeEngine()
    voice = Voice(lambda: engine)
    voice.hear([WorkoutDone(9.0, 3)], 0, in_block=True)
    voice.close()
    assert engine.said == ["block done"]


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(10, "10 seconds"), (59.6, "1 minute"), (90, "1 minute 30"), (120, "2 minutes")],
)
def test_a_hold_is_said_as_a_coach_says_it(seconds, said):
    assert spoken_time(seconds) == said


def test_a_hold_is_heard_as_it_starts_every_ten_seconds_and_in_its_faults():
    engine = FakeEngine()
    voice = Voice(lambda: engine)
    heard = [
        [HoldStarted(2.0, 1, 0.0)],
        [HoldTick(10.0, 10.0)],
        [FormWarning(12.0, "left", "hips_sagging", "hips up", "warning")],
        [HoldTick(20.0, 20.0)],
    ]
    for n, events in enumerate(heard, 1):  # seconds apart: each is said before the next
        voice.hear(events, 0)
        wait_for(lambda n=n: len(engine.said) == n)
    voice.hear([HoldTick(30.0, 30.0)], 0)  # a time not yet said gives way to a newer one
    voice.hear([HoldTick(40.0, 40.0)], 0)
    voice.close()
    assert engine.said[:4] == ["hold", "10 seconds", "hips up", "20 seconds"]
    assert engine.said[-1] == "40 seconds"


def test_a_plank_video_heard_headless_logs_each_hold_to_csv(shared, tmp_path):
    log = tmp_path / "holds.csv"
    workout = recorded_session(shared, "plank_warteg_b", "plank", sinks=[CsvRepLog(log)])
    summary = workout.run()
    rows = log.read_text().splitlines()
    assert rows[0].startswith("t,event") and len(rows) == 2
    _, event, set_number, n, _, seconds, *_ = rows[1].split(",")
    assert (event, set_number, n) == ("hold", "1", "1")
    assert float(seconds) == pytest.approx(summary.held_seconds, abs=0.01)


# -- the bell ----------------------------------------------------------------------------------
def test_bell_rings_on_each_rep_and_after_a_rest_in_the_tui_and_headless(tmp_path, monkeypatch):
    import io
    from argparse import Namespace

    from rich.console import Console

    from reptrack.commands import session

    sets = {"target_reps": 3, "planned_sets": 2, "rest": 1.0}
    rings = 6 + 1  # six reps, one rest over
    app = ReptrackApp(
        Request("squat", target_reps=3, sets=2, rest=1.0),
        workout=fake_session(tmp_path / "s.db", 30 * 15, **sets),
        live=LiveOptions(bell=True),
    )
    rung: list[int] = []
    monkeypatch.setattr(app, "bell", lambda: rung.append(1))

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await until(pilot, lambda: "finished" in text(app, "#camera"))
            await until(pilot, lambda: len(rung) == rings)
            await pilot.press("q")

    run(scenario())
    terminal = io.StringIO()  # --no-tui --bell, on a terminal
    monkeypatch.setattr(session, "err", Console(file=terminal, force_terminal=True))
    args = Namespace(json=True, voice=False, bell=True, record=None, preview=False)
    assert session._headless(args, fake_session(tmp_path / "t.db", 30 * 15, **sets)) == 0
    assert terminal.getvalue().count("\a") == rings == len(rung)
