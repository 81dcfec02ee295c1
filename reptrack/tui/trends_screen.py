"""The trends screen: an exercise's progress per week or day as plots in the terminal (reps,
clean share, range of motion, rep time; a hold's time held and longest hold) and its
personal bests. It only draws what `reptrack.store.trends` computes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual_plotext import PlotextPlot

from reptrack.errors import ReptrackError
from reptrack.store import Store
from reptrack.store.trends import BEST_NAMES, Trend, trends

# (plot id, title, the period's figure, unit)
PLOTS = (
    ("plot-reps", "reps", lambda p: p.reps, ""),
    ("plot-clean", "clean share", lambda p: None if p.clean_share is None else 100 * p.clean_share,
     "%"),
    ("plot-range", "range of motion (median)", lambda p: p.range_of_motion, "°"),
    ("plot-tempo", "rep time (median)", lambda p: p.rep_seconds, "s"),
)  # fmt: skip
# A timed hold's, in the same four places.
HOLD_PLOTS = (
    ("plot-reps", "time held", lambda p: p.held_seconds, "s"),
    ("plot-clean", "longest hold", lambda p: p.best_hold or None, "s"),
    ("plot-range", "sessions", lambda p: p.sessions, ""),
    ("plot-tempo", "time held per session", lambda p: p.held_seconds / max(1, p.sessions), "s"),
)  # fmt: skip


class TrendsScreen(Screen[None]):
    """Per exercise: four plots over the weeks (or days, `b`) and the personal bests."""

    BINDINGS = [
        Binding("b", "toggle_period", "By day / week"),
        Binding("escape,q", "app.pop_screen", "Back"),
    ]

    def __init__(self, store: Store, period: str = "week") -> None:
        super().__init__()
        self.store, self.period = store, period
        self.found: dict[str, Trend] = {}

    def compose(self) -> ComposeResult:
        yield Static("reptrack — progress", id="title")
        with Horizontal(id="trends"):
            with Vertical(id="trend-exercises"):
                yield Label("Exercise")
                yield OptionList(id="trend-list")
            with Vertical(id="trend-body"):
                with Grid(id="trend-plots"):
                    for plot_id, *_ in PLOTS:
                        yield PlotextPlot(id=plot_id)
                yield Static("", id="bests")
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    def _load(self) -> None:
        try:
            found = trends(self.store, self.period)
        except ReptrackError as exc:
            self.notify(str(exc), title="Trends", severity="error", timeout=20, markup=False)
            found = []
        self.found = {t.exercise: t for t in found}
        options = self.query_one("#trend-list", OptionList)
        chosen = options.highlighted
        options.clear_options()
        options.add_options([Option(Text(name), id=name) for name in self.found])
        if self.found:
            options.highlighted = chosen if chosen is not None and chosen < len(found) else 0
            options.focus()
        else:
            self.query_one("#bests", Static).update("no sessions yet")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        trend = self.found.get(event.option.id or "")
        if trend is not None:
            self._draw(trend)

    def _draw(self, trend: Trend) -> None:
        labels = [p.start[5:] for p in trend.periods]  # MM-DD: short under a bar
        for plot_id, title, figure, unit in HOLD_PLOTS if trend.is_hold else PLOTS:
            plot = self.query_one(f"#{plot_id}", PlotextPlot)
            plt = plot.plt
            plt.clear_data()
            plt.clear_figure()
            points = [(i, figure(p)) for i, p in enumerate(trend.periods)]
            points = [(i, v) for i, v in points if v is not None]
            plt.title(f"{title}{f' ({unit})' if unit else ''} by {self.period}")
            if plot_id == "plot-reps":  # the first figure, as bars
                plt.bar(labels, [figure(p) or 0 for p in trend.periods], color="green")
            elif points:
                xs, ys = zip(*points, strict=True)
                plt.plot(list(xs), list(ys), marker="braille", color="cyan")
                plt.scatter(list(xs), list(ys), marker="●", color="cyan")
                plt.xticks(list(range(len(labels))), labels)
                if plot_id == "plot-clean":
                    plt.ylim(0, 100)
            plot.refresh()
        bests = Text(f"{trend.exercise} — personal bests\n", style="bold")
        for name, best in trend.bests.items():
            bests.append(f"  {BEST_NAMES.get(name, name)}: ")
            bests.append(f"{best.value:g}", style="bold")
            bests.append(f"  (session {best.session_id}, {best.day})\n", style="dim")
        self.query_one("#bests", Static).update(bests)

    def action_toggle_period(self) -> None:
        self.period = "day" if self.period == "week" else "week"
        self._load()
        options = self.query_one("#trend-list", OptionList)
        if options.highlighted is not None:
            name = options.get_option_at_index(options.highlighted).id or ""
            if name in self.found:
                self._draw(self.found[name])
