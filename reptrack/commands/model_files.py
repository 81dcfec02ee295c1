"""`reptrack models`: list, fetch, import or locate the pose model files."""

from __future__ import annotations

import argparse
from pathlib import Path

from reptrack.commands.common import err, esc, out
from reptrack.errors import ReptrackError


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        choices=("list", "fetch", "import", "path"),
        help="list: what is installed; fetch [NAME…]: download, verify and cache; "
        "import PATH…: take .tflite or .task files, or OpenPose .prototxt/.caffemodel files, "
        "you have; path [NAME]: where they are",
    )
    p.add_argument("names", nargs="*", metavar="NAME|PATH")
    p.add_argument("--force", action="store_true", help="fetch again even if present")


def run(args: argparse.Namespace) -> int:
    from reptrack.pose import models

    manifest = models.load_manifest()
    if args.action == "list":
        return _list(manifest)
    if args.action == "path":
        if args.names:
            for name in args.names:
                out.print(str(models.resolve(name)), markup=False)
        else:
            out.print(str(models.models_dir()), markup=False)
        return 0
    if args.action == "import":
        return _import(args.names)
    return _fetch(manifest, args.names, args.force)


def _list(manifest: list) -> int:
    from rich.table import Table

    from reptrack.pose import models, openpose

    table = Table("name", "file", "status", "description")
    for m in manifest:
        state = models.status(m)
        colour = {"ok": "green", "missing": "yellow"}.get(state, "red")
        table.add_row(m.name, m.file, f"[{colour}]{esc(state)}[/]", esc(m.description))
    for fmt in openpose.FORMATS.values():
        found = openpose.find_files(fmt)
        if found:
            state = f"[green]ok[/] ({esc(found[0].parent)})"
        elif openpose.unusable_files(fmt):
            state = "[red]damaged[/] (`reptrack --backend openpose` says which file)"
        else:
            state = "[yellow]not installed[/]"
        files = f"{fmt.prototxts[0]} + {fmt.caffemodel}"
        table.add_row(f"openpose-{fmt.name}", files, state, f"{fmt.title} (you supply it)")
    from reptrack.pose import prune

    for path, state in prune.cache_state(models.models_dir() / "derived"):
        colour = "green" if state == "ok" else "yellow"
        table.add_row("derived", esc(path.name), f"[{colour}]{esc(state)}[/]",
                      "a landmark model without its unused mask (built by reptrack)")  # fmt: skip
    out.print(table)
    out.print(f"cache: {models.models_dir()}", markup=False)
    return 0


def _import(names: list[str]) -> int:
    from reptrack.pose import models, openpose

    if not names:
        raise ReptrackError("`reptrack models import` needs a PATH to a .tflite or .task file")
    for name in names:
        path = Path(name)
        if path.suffix in (".prototxt", ".caffemodel") and path.is_file():
            out.print(f"imported {openpose.import_file(path)}", markup=False)
            continue
        imported = models.import_path(path)
        out.print(f"imported {', '.join(imported)} from {name}", markup=False)
    return 0


def _fetch(manifest: list, names: list[str], force: bool) -> int:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from reptrack.pose import models

    wanted = [models.get(n, manifest) for n in names] if names else manifest
    columns = (SpinnerColumn(), TextColumn("{task.fields[name]:9s} {task.description}"),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err, transient=True) as progress:
        tasks = {m.name: progress.add_task("waiting", total=1, name=m.name) for m in wanted}

        def report(name: str, state: str) -> None:
            done = not state.startswith("downloading")
            progress.update(tasks[name], description=esc(state), completed=int(done))

        outcome = models.fetch(wanted, report=report, force=force)
    failed = False
    for name, result in outcome.items():
        failed |= result.startswith("FAILED")
        colour = "red" if result.startswith("FAILED") else "green"
        out.print(f"{name}: [{colour}]{esc(result)}[/]")
    required = {"detector", "full"}
    if any(outcome.get(n, "").startswith("FAILED") for n in required):
        err.print(
            "[red]the default models could not be fetched[/]: reptrack cannot run without "
            "them. Fix the cause above, or `reptrack models import PATH`."
        )
        return 1
    if failed:
        err.print("[yellow]some optional models are missing[/]; the default (full) works.")
    return 0
