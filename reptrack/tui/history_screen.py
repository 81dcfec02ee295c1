"""Looking back: the table of sessions, one session's reps and angle trace, re-scoring with an
edited definition, export and delete. All reads and writes go through the Store."""

from __future__ import annotations

import math
from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Input, Label, Static
from textual_plotext import PlotextPlot

from reptrack.clock import held_text, hold_cells
from reptrack.errors import ReptrackError
from reptrack.exercise import spec as specs
from reptrack.exercise.measure import value_of
from reptrack.files import check_output, write_text
from reptrack.session.rescore import Rescored, rescore
from reptrack.store import Store
from reptrack.store.export import export, number


def duration_text(row: dict) -> str:
    """How long a session lasted: in the stream's time, or for a session stored before
    reptrack kept that, by the wall clock."""
    if row.get("seconds") is not None:
        seconds = round(row["seconds"])
        return f"{seconds // 60}:{seconds % 60:02d}"
    try:
        start = datetime.fromisoformat(row["started_at"])
        end = datetime.fromisoformat(row["ended_at"])
    except (TypeError, ValueError):
        return "—"
    seconds = int((end - start).total_seconds())
    return f"{seconds // 60}:{seconds % 60:02d}"


def clean_percent(row: dict) -> str:
    return f"{100 * row['good_reps'] / row['reps']:.0f} %" if row["reps"] else "—"


class Confirm(ModalScreen[bool]):
    """A yes/no question; dismissed with True only for yes."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question)
            with Horizontal():
                yield Button("Delete", variant="error", id="yes")
                yield Button("Keep", variant="primary", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class Ask(ModalScreen[str | None]):
    """One line of text (a file path); None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question, self.value, self.placeholder = question, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question)
            yield Input(self.value, placeholder=self.placeholder, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


def _export_to(store: Store, path: str) -> str:
    fmt = "csv" if path.endswith(".csv") else "json"
    target = check_output(path, what="export to", inputs=[store.path])
    write_text(target, export(store, fmt))
    return f"exported every session to {target} ({fmt})"


class HistoryScreen(Screen[None]):
    """Every session, newest first."""

    BINDINGS = [
        Binding("enter", "open", "Open"),
        Binding("d", "delete", "Delete"),
        Binding("e", "export", "Export"),
        Binding("t", "trends", "Trends"),
        Binding("escape,q", "app.pop_screen", "Back"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield Static("History", id="title")
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static("", id="empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(
            "id", "date", "exercise", "reps", "clean", "duration", "status", "workout"
        )
        self.refresh_rows()

    def on_screen_resume(self) -> None:
        self.refresh_rows()

    def refresh_rows(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        try:
            rows = self.store.sessions()
        except ReptrackError as exc:
            self.notify(str(exc), title="History", severity="error", timeout=30, markup=False)
            return
        for r in rows:
            hold = r.get("kind") == "hold"
            table.add_row(
                str(r["id"]),
                Text(str(r["started_at"])[:16].replace("T", " ")),
                Text(str(r["exercise"])),
                held_text(r.get("held_seconds")) if hold else str(r["reps"]),
                "—" if hold else clean_percent(r),
                duration_text(r),
                Text(str(r["status"])),
                f"{r['workout_id']}/{r.get('block')}" if r.get("workout_id") else "",
                key=str(r["id"]),
            )
        self.query_one("#empty", Static).update(
            "" if rows else "No sessions yet: start one from the home screen or `reptrack squat`."
        )

    def _selected(self) -> int | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        sid = self._selected()
        if sid is not None:
            self.app.push_screen(SessionScreen(self.store, sid))

    def action_delete(self) -> None:
        sid = self._selected()
        if sid is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.store.delete_session(sid)
                self.notify(f"session {sid} deleted")
                self.refresh_rows()

        self.app.push_screen(Confirm(f"Delete session {sid} and all its reps?"), done)

    def action_trends(self) -> None:
        from reptrack.tui.trends_screen import TrendsScreen

        self.app.push_screen(TrendsScreen(self.store))

    def action_export(self) -> None:
        def done(path: str | None) -> None:
            if path:
                try:
                    self.notify(_export_to(self.store, path), markup=False)
                except ReptrackError as exc:
                    self.notify(exc.message, severity="error", markup=False)

        self.app.push_screen(
            Ask("Export every session to (.csv or .json):", "reptrack-sessions.csv"), done
        )


class SessionScreen(Screen[None]):
    """One session: its reps, the driving angle over time with rep boundaries, re-scoring."""

    BINDINGS = [
        Binding("r", "rescore", "Re-score"),
        Binding("s", "save_rescore", "Save re-score"),
        Binding("d", "delete", "Delete"),
        Binding("escape,q", "app.pop_screen", "Back"),
    ]

    def __init__(self, store: Store, session_id: int) -> None:
        super().__init__()
        self.store, self.session_id = store, session_id
        self.rescored: Rescored | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        yield PlotextPlot(id="chart")
        yield DataTable(id="reps", cursor_type="row", zebra_stripes=True)
        yield Static("", id="rescore")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        try:
            row = self.store.session(self.session_id)
            hold = row.get("kind") == "hold"
            reps = [] if hold else self.store.reps(self.session_id)
            holds = self.store.holds(self.session_id) if hold else []
        except ReptrackError as exc:
            self.app.notify(str(exc), title="Session", severity="error", timeout=30, markup=False)
            self.dismiss()
            return
        started = str(row["started_at"])[:16].replace("T", " ")
        done = (
            f"held {held_text(row.get('held_seconds'))} in {len(holds)} hold(s)"
            if hold
            else f"{row['reps']} reps ({clean_percent(row)} clean)"
        )
        self.query_one("#title", Static).update(
            Text(
                f"Session {row['id']} · {row['exercise']} · {started} · {done} · "
                f"{duration_text(row)} · {row['status']} · {row['source']}"
            )
        )
        table = self.query_one("#reps", DataTable)
        table.clear(columns=True)
        if hold:
            table.add_columns("hold", "set", "from s", "to s", "held", "faults")
            for h in holds:
                table.add_row(*map(Text, hold_cells(h)))
        else:
            table.add_columns(
                "rep", "set", "side", "time s", "down s", "up s", "range °", "counted", "flags"
            )
        for r in reps:
            table.add_row(
                str(r["n"]),
                str(r.get("set_number") or 1),
                Text(str(r["side"])),
                number(r["duration"], 1),
                number(r["time_down"], 1),
                number(r["time_up"], 1),
                number(r["range_of_motion"], 0),
                Text(str(r.get("counted_by") or "shipped")),
                Text(", ".join(r["flags"]) or "clean"),
            )
        for problem in self.store.damage:
            self.notify(problem, title="Damaged row", severity="warning", markup=False)
        self.store.damage.clear()
        marks = [(h["start"], "green") for h in holds] + [(h["end"], "red") for h in holds]
        marks += [(r["end"], "red" if r["flags"] else "green") for r in reps]
        what = "holds begin green, end red" if hold else "green: clean rep ends, red: flagged"
        self._chart(row, marks, what)

    def _chart(self, row: dict, marks: list[tuple[float, str]], what: str) -> None:
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        samples = self.store.samples(self.session_id)
        angle = _counted_angle(row["definition"])
        for side, colour in (("left", "cyan"), ("right", "magenta")):
            points = [(t, v) for t, s in samples if not math.isnan(v := value_of(s, angle, side))]
            if points:
                xs, ys = zip(*points, strict=True)
                plt.plot(xs, ys, color=colour, label=f"{angle} {side}", marker="braille")
        for t, colour in marks:
            if isinstance(t, int | float):
                plt.vertical_line(t, color=colour)
        plt.title(f"{angle} angle (°) — {what}")
        plt.xlabel("seconds")
        plot.refresh()

    def action_rescore(self) -> None:
        def done(path: str | None) -> None:
            if path is not None:
                self.query_one("#rescore", Static).update("re-scoring…")
                self.rescore_in_background(path or None)

        self.app.push_screen(
            Ask(
                "Re-score with which exercise file? (empty: the definition it was recorded with)",
                placeholder="path/to/edited.toml",
            ),
            done,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="rescore",
          description="re-score a session")  # fmt: skip
    def rescore_in_background(self, path: str | None) -> None:
        """Replay the session's angles through a definition off the UI thread: a long session
        takes a while, and the screen stays responsive."""
        try:
            result = rescore(self.store, self.session_id, path)
        except ReptrackError as exc:
            self.app.call_from_thread(self._rescore_failed, exc)
            return
        self.app.call_from_thread(self._show_rescored, result)

    def _rescore_failed(self, exc: ReptrackError) -> None:
        self.query_one("#rescore", Static).update("")
        self.notify(str(exc), severity="error", timeout=15, markup=False)

    def _show_rescored(self, r: Rescored) -> None:
        self.rescored = r
        keep = " — press s to keep the new result"
        if r.new_holds is not None:
            lines = [
                f"re-timed with {r.spec.source}: {held_text(r.old_held)} held → "
                f"{held_text(r.new_held)} in {len(r.new_holds)} hold(s){keep}"
            ]
        else:
            lines = [
                f"re-scored with {r.spec.source}: {len(r.old)} reps ({r.old_clean} clean) → "
                f"{len(r.new)} reps ({r.new_clean} clean){keep}"
            ]
        lines += [f"  rep {x.number}: {', '.join(x.flags) or 'clean'}" for x in r.new]
        self.query_one("#rescore", Static).update(Text("\n".join(lines)))

    def action_save_rescore(self) -> None:
        if self.rescored is None:
            self.notify("re-score first (r)", severity="warning")
            return
        if self.rescored.new_holds is not None:
            self.store.replace_holds(self.session_id, self.rescored.new_holds)
        else:
            self.store.replace_reps(self.session_id, self.rescored.new)
        self.rescored = None
        self.query_one("#rescore", Static).update("re-scored result saved")
        self.load()

    def action_delete(self) -> None:
        def done(yes: bool | None) -> None:
            if yes:
                self.store.delete_session(self.session_id)
                self.notify(f"session {self.session_id} deleted")
                self.app.pop_screen()

        self.app.push_screen(Confirm(f"Delete session {self.session_id}?"), done)


def _counted_angle(definition: str | None) -> str:
    """The angle the session counted, from the definition stored with it."""
    try:
        return specs.parse(definition or "", "stored definition").shown_angle
    except ReptrackError:
        return "angle"
