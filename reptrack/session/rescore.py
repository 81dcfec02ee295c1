"""Re-scoring: replay a stored session's angle stream through the definition it was recorded
with, or an edited one, and compare the outcome with what was recorded live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reptrack.errors import ReptrackError
from reptrack.exercise import spec as specs
from reptrack.exercise.counters import replay
from reptrack.exercise.events import Hold, Rep, held_seconds
from reptrack.exercise.spec import ExerciseSpec
from reptrack.store import Store


@dataclass(frozen=True)
class Rescored:
    session_id: int
    spec: ExerciseSpec
    old: list[dict]  # the stored reps, as the store returns them
    new: list[Rep]
    recorded_exercise: str  # what the session was recorded as
    old_holds: list[dict] | None = None  # a timed hold's stored stretches, as the store has them
    new_holds: list[Hold] | None = None  # …and as timed again (None: a rep exercise)

    @property
    def old_held(self) -> float:
        return sum(h["seconds"] for h in self.old_holds or [])

    @property
    def new_held(self) -> float:
        return held_seconds(self.new_holds or [])

    @property
    def old_clean(self) -> int:
        return sum(not r["flags"] for r in self.old)

    @property
    def new_clean(self) -> int:
        return sum(r.clean for r in self.new)


def rescore(store: Store, session_id: int, exercise_file: str | Path | None = None) -> Rescored:
    """Replay session `session_id` through `exercise_file`, or the definition it was recorded
    with; sets restart where they did live and the side is the one the session counted."""
    row = store.session(session_id)
    spec = (
        specs.load_file(exercise_file)
        if exercise_file
        else specs.parse(row["definition"], f"session {session_id}", row["exercise"])
    )
    if spec.is_hold != (row.get("kind") == "hold"):
        kinds = {True: "a timed hold", False: "an exercise of reps"}
        raise ReptrackError(
            f"session {session_id} is {kinds[row.get('kind') == 'hold']} and "
            f"{spec.name} is {kinds[spec.is_hold]}: one cannot be re-scored as the other",
            hint="re-score it with a definition of the same kind",
        )
    counter = replay(
        spec,
        store.samples(session_id),
        side=row.get("side"),
        set_starts=[t for _, t in store.set_starts(session_id)],
    )
    holds = counter.timed_holds()
    return Rescored(
        session_id,
        spec,
        store.reps(session_id),
        list(counter.reps),
        str(row["exercise"]),
        store.holds(session_id) if row.get("kind") == "hold" else None,
        holds,
    )
