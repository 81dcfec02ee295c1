"""Take the outputs reptrack never reads out of a LiteRT model, with the operators only they need.

The BlazePose landmark models also draw a 256×256 segmentation mask. LiteRT runs every
operator in a model whether or not anyone reads its result, and that mask's decoder is
about a third of the work: without it the lite model runs in half the time and the full
model in two thirds, with bit-identical landmarks. The pruned model is built in memory
from the verified file and cached beside it, so it costs nothing after the first run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from reptrack.files import written_whole

Shape = tuple[int, ...]


def without_outputs(model: bytes, unwanted: Callable[[Shape], bool]) -> bytes:
    """The model with the outputs whose shape is `unwanted` removed, and their dead operators.

    Raises ValueError if no output matches, or if every output would go.
    """
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    tree = schema.ModelT.InitFromPackedBuf(bytearray(model), 0)
    graph = tree.subgraphs[0]
    outputs = [int(t) for t in graph.outputs]
    keep = [t for t in outputs if not unwanted(tuple(int(s) for s in graph.tensors[t].shape))]
    if len(keep) == len(outputs):
        raise ValueError("no output of the model has an unwanted shape")
    if not keep:
        raise ValueError("every output of the model would be removed")
    producer = {int(t): i for i, op in enumerate(graph.operators) for t in op.outputs}
    needed: set[int] = set()
    pending = list(keep)
    while pending:
        op_index = producer.get(pending.pop())
        if op_index is None or op_index in needed:
            continue
        needed.add(op_index)
        pending.extend(int(t) for t in graph.operators[op_index].inputs if t >= 0)
    graph.operators = [op for i, op in enumerate(graph.operators) if i in needed]
    graph.outputs = keep
    builder = flatbuffers.Builder(len(model) + 4096)
    builder.Finish(tree.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _verified(cached: Path) -> bytes | None:
    """The cached model if its bytes match the checksum stored beside it when it was built."""
    try:
        data = cached.read_bytes()
        expected = cached.with_name(cached.name + ".sha256").read_text().strip()
    except OSError:
        return None
    return data if _digest(data) == expected else None


def cached_without_outputs(
    path: Path, sha256: str, unwanted: Callable[[Shape], bool], tag: str, cache_dir: Path
) -> bytes:
    """`without_outputs` of the verified file at `path`, kept in `cache_dir` under a name
    that ties it to the source's checksum and to `tag` (what was removed). The copy is checked
    against the checksum written beside it; a damaged or unchecked copy is built again."""
    cached = cache_dir / f"{path.stem}.{sha256[:16]}.{tag}.tflite"
    if (data := _verified(cached)) is not None:
        return data
    pruned = without_outputs(path.read_bytes(), unwanted)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with written_whole(cached) as tmp:
            tmp.write_bytes(pruned)
        with written_whole(cached.with_name(cached.name + ".sha256")) as tmp:
            tmp.write_text(_digest(pruned))
    except OSError:
        pass  # a read-only or full cache only costs the pruning again next time
    return pruned


def cache_state(cache_dir: Path) -> list[tuple[Path, str]]:
    """Each derived model in `cache_dir`: 'ok', 'damaged' or 'unverified' (no checksum beside
    it); the last two are built again when next used."""
    out = []
    for f in sorted(cache_dir.glob("[!.]*.tflite")):  # not a partial write's temporary
        if _verified(f) is not None:
            state = "ok"
        elif f.with_name(f.name + ".sha256").is_file():
            state = "damaged (rebuilt when next used)"
        else:
            state = "unverified (rebuilt when next used)"
        out.append((f, state))
    return out
