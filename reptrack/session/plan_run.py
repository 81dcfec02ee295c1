"""Running a workout plan: its blocks one after another over one source and one pose model,
each block a session of its exercise on the session engine (`Session`), all saved as one
workout. A block ends when its planned sets are done and the rest after it is over (or the
person moves on: `n`, or the next exercise recognised); the next starts at the next frame.
The TUI and the headless mode both drive it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reptrack.exercise import spec as specs
from reptrack.exercise.measure import support_notes
from reptrack.exercise.recognition import Recognizer
from reptrack.pose.types import PoseEstimator
from reptrack.session.auto_run import follow
from reptrack.session.engine import Session, SessionSettings
from reptrack.session.plans import Block, WorkoutPlan
from reptrack.session.request import Request
from reptrack.session.results import FrameResult, Summary
from reptrack.session.runs import SeveralSessions, open_run
from reptrack.sinks import Calls
from reptrack.video.sources import FrameSource


@dataclass(frozen=True)
class BlockShown:
    """What a person is told of a block: "block 2/4 · push-up 3 × 10 reps", and what follows."""

    number: int
    of: int
    block: Block
    title: str
    next: str | None  # "next: Lunge 3 × 10 reps", None for the last block

    def __str__(self) -> str:
        line = f"block {self.number}/{self.of} · {self.title} {self.block.target}"
        return f"{line} · {self.next}" if self.next else f"{line} · last block"

    @property
    def spoken(self) -> str:
        """What the voice says as the block begins: "Push-up, 3 times 10 reps"."""
        return f"{self.title}, {self.block.target.replace('×', 'times')}"


class PlanRun(SeveralSessions):
    """One run of `plan` from `source` through `estimator`; `store` gets a workout and a
    session per block."""

    def __init__(
        self,
        plan: WorkoutPlan,
        source: FrameSource,
        estimator: PoseEstimator,
        *,
        recognize: bool = False,
        **shared: Any,
    ) -> None:
        """`recognize`: watch each block for the next block's exercise; the person who
        starts it early moves the plan on, and the reps seen while it was being recognised
        are the new block's. `shared`: the store, backend, model, side and sinks
        (`SeveralSessions`)."""
        super().__init__(source, estimator, (plan.name, plan.title), **shared)
        self.plan = plan
        self.recognize = recognize
        self.recognizer: Recognizer | None = None  # watching for the next block's exercise
        self.early = False  # the next block's exercise was recognised: it has begun
        self.specs = [specs.load(b.exercise) for b in plan.blocks]
        self.index = 0  # blocks begun
        self.current: Session | None = None
        self.notes = sorted(
            {n for s in self.specs for n in support_notes(s, estimator.keypoints, estimator.title)}
        )

    def shown(self, number: int) -> BlockShown:
        """Block `number` (from 1) as the person is told of it."""
        blocks = self.plan.blocks
        later = number < len(blocks)
        following = f"next: {self.specs[number].title} {blocks[number].target}" if later else None
        return BlockShown(number, len(blocks), blocks[number - 1], self.specs[number - 1].title,
                          following)  # fmt: skip

    def next_block(self) -> Session | None:
        """The session of the next block, or None when the plan is done, the source has
        ended, or the person stopped it."""
        if self.index >= len(self.plan.blocks) or (self.current and self.current.source_ended):
            return None
        block, spec = self.plan.blocks[self.index], self.specs[self.index]
        self.index += 1
        last = self.index >= len(self.plan.blocks)
        settings = SessionSettings(self.side, block.reps, block.sets, block.rest, block.seconds,
                                   block=(self.workout_id or 0, self.index),
                                   rest_after=0.0 if last else block.rest_after)  # fmt: skip
        self.current = self.open(spec, settings)
        if self.recognizer is not None and self.early:  # what was watched while it was
            self.current.catch_up(self.recognizer.poses)  # recognised is the block's
        self.early, self.recognizer = False, None
        if self.recognize and self.index < len(self.specs):
            # The plan says what comes next: the question is only whether it has begun, so
            # the next exercise's own counter is asked (as a session of it would count).
            self.recognizer = Recognizer([self.specs[self.index]], strict=False)
            workout = self.current
            watch = Calls(lambda result: self._follow(workout, result), frames_only=True)
            workout.sinks.append(watch)
        return self.current

    def _follow(self, workout: Session, result: FrameResult) -> None:
        """Watch a frame of a block for the next block's exercise."""
        assert self.recognizer is not None
        if self.early:  # recognised: the frames until this block closes are the next's
            self.recognizer.poses.append((result.t, result.pose))
            return
        named = follow(self.recognizer, workout, result)
        if named is not None and named.exercise is not None:  # (not just a hold broken)
            self.early = True
            workout.request("next_block")

    def run(
        self,
        stop: threading.Event | None = None,
        on_block: Callable[[BlockShown, Session], None] = lambda shown, w: None,
    ) -> list[Summary]:
        """Every block in turn until the plan is done, the source ends or `stop` is set;
        `on_block` hears of each as it begins. Each block's session tells `sinks`."""
        try:
            while not (stop is not None and stop.is_set()):
                workout = self.next_block()
                if workout is None:
                    break
                on_block(self.shown(self.index), workout)
                self.summaries.append(workout.run(stop))
        finally:
            self.close()
        return self.summaries

    def to_json(self) -> dict:
        return {
            "plan": self.plan.name,
            "title": self.plan.title,
            "workout_id": self.workout_id,
            "blocks_planned": len(self.plan.blocks),
            "blocks": self.sessions_json("block"),
        }


def open_plan_run(plan: WorkoutPlan, asked: Request, *, recognize: bool = False) -> PlanRun:
    """The run of `plan` from the source and pose model `asked` names (its exercise and
    targets are the blocks'); one clear error, and nothing left open, when one of them is
    not right."""
    return open_run(asked, lambda source, estimator, **shared: PlanRun(
        plan, source, estimator, recognize=recognize, **shared))  # fmt: skip
