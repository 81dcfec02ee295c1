"""What a session reports: a `FrameResult` for each frame the session engine (`engine`)
processes, and a `Summary` when it ends, with its JSON form (`--json`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from reptrack.exercise.events import Event, FormWarning, Hold, Rep, held_seconds, longest_hold
from reptrack.exercise.measure import Sample
from reptrack.pose.types import Pose
from reptrack.video.sources import Frame


@dataclass
class FrameResult:
    """What one step of a session produced, as every sink receives it. `frame` is None for
    what is counted without a frame of its own: the poses watched before the session began
    (`reptrack auto`), and what a request or the end of the stream caused; `sample` is then
    None too, but for the poses watched."""

    t: float  # stream time
    frame: Frame | None
    pose: Pose | None
    sample: Sample | None
    events: list[Event]
    count: int
    phase: str | None
    angle: float  # the driving angle on the counted side
    fps: float
    pose_ms: float
    latency_ms: float  # from the frame's capture to this result
    set_number: int
    set_reps: int  # reps counted in the current set
    rest_left: float | None = None  # seconds of rest left (stream time); None: not resting
    held: float | None = None  # a hold's seconds in position in this set; None: reps


@dataclass
class Summary:
    exercise: str
    reps: list[Rep]
    frames: int
    seconds: float  # the stream's time from the first pose to the last (not the wall clock)
    status: str
    session_id: int | None = None
    end_reason: str | None = None
    warnings: list[FormWarning] = field(default_factory=list)
    sets: int = 1
    loop_fps: float = 0.0  # frames per second from the first frame to the last
    person_seen: bool = True  # was anybody found on any frame?
    set_details: list[dict] = field(default_factory=list)  # per set: reps, clean, seconds
    told: list[str] = field(default_factory=list)  # what the outputs said at the end
    holds: list[Hold] | None = None  # a timed hold's stretches in position; None: reps

    @property
    def held_seconds(self) -> float | None:
        return None if self.holds is None else held_seconds(self.holds)

    @property
    def notes(self) -> list[str]:
        """What the person should know about how the session went."""
        out = [self.end_reason] if self.end_reason else []
        out += self.told
        if self.frames and not self.person_seen:
            out.append(
                f"nobody was seen in the {self.frames} frames: is the whole body in view, "
                "and the room lit?"
            )
        return out

    def to_json(self) -> dict:
        out = self._json()
        if self.holds is not None:
            out["held_seconds"] = round(self.held_seconds or 0.0, 2)
            out["best_hold_seconds"] = round(longest_hold(self.holds), 2)
            out["hold_details"] = [
                {
                    "n": h.number,
                    "start": round(h.start, 2),
                    "end": round(h.end, 2),
                    "seconds": round(h.seconds, 2),
                    "faults": {rule: round(s, 2) for rule, s in h.faults.items()},
                }
                for h in self.holds
            ]
        return out

    def _json(self) -> dict:
        return {
            "exercise": self.exercise,
            "session_id": self.session_id,
            "status": self.status,
            "end_reason": self.end_reason,
            "person_seen": self.person_seen,
            "reps": len(self.reps),
            "sets": self.sets,
            "good_reps": sum(r.clean for r in self.reps),
            "frames": self.frames,
            "seconds": round(self.seconds, 2),
            "frames_per_second": round(self.loop_fps, 1),
            "set_details": self.set_details,
            "rep_details": [
                {
                    "n": r.number,
                    "side": r.side,
                    "duration": round(r.duration, 2),
                    "range_of_motion": round(r.range_of_motion, 1),
                    "flags": list(r.flags),
                    "counted_by": r.counted_by,
                }
                for r in self.reps
            ],
        }
