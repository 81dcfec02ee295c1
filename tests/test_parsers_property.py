"""The three parsers of user files — exercise TOML, label files, database rows read back —
give a valid result or a ReptrackError for any input, never another exception (#13)."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reptrack.errors import ReptrackError
from reptrack.evaluation.labels import load_labels
from reptrack.exercise import spec as specs
from reptrack.store import Store
from reptrack.store.export import export

SHIPPED = (specs.paths.shipped("exercises") / "squat.toml").read_text()

# TOML values of every type, nested a little, including the odd numbers.
scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _toml(value: object) -> str:
    """A TOML literal for a value (tomllib reads; writing by hand keeps to the stdlib)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(value), repr(value))
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{_toml(str(k))} = {_toml(v)}" for k, v in value.items()) + "}"


def _parses_or_refuses(parse, text: str) -> None:
    with contextlib.suppress(ReptrackError):
        parse(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_as_an_exercise_file(text):
    _parses_or_refuses(lambda t: specs.parse(t, "any.toml"), text)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["counter", "angles.knee", "rules[0]", "", "requires[0]", "phase_labels"]),
    st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12),
    values,
)
def test_any_value_for_any_key_of_a_real_exercise(table, key, value):
    # The shipped squat with one key set to an arbitrary value, in an arbitrary place.
    line = f"{key} = {_toml(value)}"
    if table == "":
        text = line + "\n" + SHIPPED
    elif table.endswith("[0]"):
        text = SHIPPED + f"\n[[{table[:-3]}]]\n{line}\n"
    else:
        text = SHIPPED + f"\n[{table}]\n{line}\n"
    _parses_or_refuses(lambda t: specs.parse(t, "squat.toml"), text)


LABEL_KEYS = st.sampled_from(["file", "exercise", "reps", "also", "form", "notes"])


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.dictionaries(LABEL_KEYS, values, max_size=6), max_size=4))
def test_any_label_file(tmp_path, videos):
    path = tmp_path / "labels.toml"
    text = "".join(
        "[[video]]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in video.items()) for video in videos
    )
    path.write_text(text)
    _parses_or_refuses(lambda _: load_labels(path), text)


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A database with one session, one rep and one sample, to damage row by row."""
    db = tmp_path_factory.mktemp("db") / "p.db"
    store = Store(db)
    sid = store.start_session("squat", SHIPPED, "test", "fake", "none")
    store.db.execute(
        "INSERT INTO reps (session_id, n, side, start, end, duration, time_down, time_up, "
        "extreme, start_angle, range_of_motion, flags, measures, set_number) "
        "VALUES (?, 1, 'left', 0, 1, 1, 0.5, 0.5, 90, 170, 80, '[]', '{}', 1)",
        [sid],
    )
    store.add_samples(sid, [(0.0, {"knee.left": 90.0})])
    store.close()
    return db, sid


REP_COLUMNS = ["side", "start", "end", "duration", "time_down", "time_up", "extreme",
               "start_angle", "range_of_motion", "flags", "measures", "set_number"]  # fmt: skip
sql_values = st.one_of(
    st.none(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False), st.text(max_size=20),
    st.binary(max_size=8),
)  # fmt: skip


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(REP_COLUMNS), sql_values, st.sampled_from(["data", "t"]), sql_values)
def test_any_value_edited_into_a_row_is_read_back_or_refused(stored, column, value, scol, svalue):
    db, sid = stored
    conn = sqlite3.connect(db)
    try:
        conn.execute(f"UPDATE reps SET {column} = ?", [value])
        conn.execute(f"UPDATE samples SET {scol} = ?", [svalue])
        conn.commit()
    except sqlite3.IntegrityError:
        assume(False)  # SQLite itself refuses this edit (a NOT NULL column)
    finally:
        conn.close()
    store = Store(db)
    try:
        for read in (lambda: store.reps(sid), lambda: store.samples(sid), lambda: store.sessions(),
                     lambda: export(store, "json"), lambda: export(store, "csv")):  # fmt: skip
            with contextlib.suppress(ReptrackError):
                read()
    finally:
        store.close()
