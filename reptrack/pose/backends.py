"""The pose backends reptrack can run: each declares its own options (the CLI shows them,
a Request carries their values), how it is built, and what the session log records as its model.

A new backend is its module and one entry in BACKENDS. Building one imports its module only
then, so `reptrack --help` never loads a model runtime.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reptrack.errors import ModelError

if TYPE_CHECKING:
    from reptrack.pose.types import PoseEstimator


def size(text: str) -> tuple[int, int]:
    """`368x368` (or `368`) as (width, height), 16 to 4096 each; ValueError otherwise."""
    try:
        w, _, h = text.lower().partition("x")
        width, height = int(w), int(h or w)
    except ValueError:
        raise ValueError(f"{text!r} is not a size like 368x368") from None
    if not (16 <= width <= 4096 and 16 <= height <= 4096):
        raise ValueError(f"{text!r}: width and height must be 16 to 4096")
    return width, height


@dataclass(frozen=True)
class Option:
    """One setting of a backend, as `--flag VALUE` on the command line."""

    name: str  # the Request's and the argparse destination's name: "openpose_size"
    default: Any
    help: str
    choices: tuple[str, ...] | None = None
    parse: Callable[[str], Any] | None = None  # text → value; ValueError says what is wrong
    metavar: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class Backend:
    name: str
    title: str
    options: tuple[Option, ...]
    build: Callable[[Mapping[str, Any]], PoseEstimator]
    logged_model: str  # the option whose value the session log records as the model


def _blazepose(options: Mapping[str, Any]) -> PoseEstimator:
    from reptrack.pose.blazepose import BlazePose

    return BlazePose(options["model"])


def _openpose(options: Mapping[str, Any]) -> PoseEstimator:
    from reptrack.pose.openpose import OpenPose, OpenPoseSettings

    width, height = options["openpose_size"]
    settings = OpenPoseSettings(input_width=width, input_height=height)
    return OpenPose(options["openpose_model"], settings=settings)


def _replay(options: Mapping[str, Any]) -> PoseEstimator:
    from reptrack.pose.replayed import ReplayedPose

    if not options.get("landmarks"):
        raise ModelError(
            "--backend replay needs the landmarks to replay",
            hint="give --landmarks FILE.npz, made by `reptrack pose VIDEO --out FILE.npz`",
        )
    return ReplayedPose(options["landmarks"])


BACKENDS: dict[str, Backend] = {
    b.name: b
    for b in (
        Backend(
            "blazepose",
            "BlazePose",
            (
                Option(
                    "model",
                    "full",
                    "BlazePose landmark model: lite is fastest, heavy most "
                    "accurate (default: full)",
                    choices=("lite", "full", "heavy"),
                ),
            ),
            _blazepose,
            logged_model="model",
        ),
        Backend(
            "openpose",
            "OpenPose",
            (
                Option(
                    "openpose_model",
                    "coco",
                    "with --backend openpose: COCO-18 or MPI-15 Caffe model (default: coco)",
                    choices=("coco", "mpi"),
                ),
                Option(
                    "openpose_size",
                    (368, 368),
                    "with --backend openpose: input blob size (default 368x368; smaller is faster)",
                    parse=size,
                    metavar="WxH",
                ),
            ),
            _openpose,
            logged_model="openpose_model",
        ),
        Backend(
            "replay",
            "recorded landmarks",
            (
                Option(
                    "landmarks",
                    None,
                    "with --backend replay: the landmarks of this video, recorded by "
                    "`reptrack pose VIDEO --out FILE.npz`, given back instead of running a model",
                    metavar="FILE.npz",
                ),
            ),
            _replay,
            logged_model="landmarks",
        ),
    )
}


@dataclass(frozen=True)
class PoseChoice:
    """A backend with one value of its choice option, as a menu offers it: "BlazePose lite"."""

    label: str
    backend: str
    options: tuple[tuple[str, Any], ...]  # the option set by this choice; the rest: defaults

    @property
    def key(self) -> str:
        return self.backend + "".join(f":{k}={v}" for k, v in self.options)


def pose_choices() -> list[PoseChoice]:
    """Every backend with each value of its choice option (the model), in the registry's
    order; a backend that needs a file to work (replay) is given on the command line only.
    The first is the command line's default."""
    out = []
    for b in BACKENDS.values():
        picked = next((o for o in b.options if o.choices), None)
        if picked is None:
            continue
        first = [c for c in picked.choices or () if c == picked.default]
        for value in first + [c for c in picked.choices or () if c != picked.default]:
            out.append(PoseChoice(f"{b.title} {value}", b.name, ((picked.name, value),)))
    return out


def choice_of(backend: str, options: Mapping[str, Any]) -> PoseChoice | None:
    """The menu's choice that `backend` with `options` is (defaults for what is not given)."""
    for choice in pose_choices():
        if choice.backend == backend and all(
            options.get(k, _default(backend, k)) == v for k, v in choice.options
        ):
            return choice
    return None


def _default(backend: str, name: str) -> Any:
    return next((o.default for o in BACKENDS[backend].options if o.name == name), None)


def all_options() -> list[Option]:
    return [o for b in BACKENDS.values() for o in b.options]


def defaults() -> dict[str, Any]:
    """Every backend option at its default."""
    return {o.name: o.default for o in all_options()}


def backend(name: str) -> Backend:
    if name not in BACKENDS:
        raise ModelError(f"unknown backend {name!r}", hint=f"choose one of {', '.join(BACKENDS)}")
    return BACKENDS[name]


def make_estimator(name: str, options: Mapping[str, Any] | None = None) -> PoseEstimator:
    """Build backend `name` with `options` (the defaults for what they leave out)."""
    return backend(name).build({**defaults(), **(options or {})})


def logged_model(name: str, options: Mapping[str, Any] | None = None) -> str:
    """What the session log records as the model of backend `name` with `options`."""
    chosen = backend(name).logged_model
    return str({**defaults(), **(options or {})}[chosen])
