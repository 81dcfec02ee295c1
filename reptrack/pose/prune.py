"""Take the outputs reptrack never reads out of a LiteRT model, with the operators only they need.

The BlazePose landmark models also draw a 256×256 segmentation mask. LiteRT runs every
operator in a model whether or not anyone reads its result, and that mask's decoder is
about a third of the work: without it the lite model runs in half the time and the full
model in two thirds, with bit-identical landmarks. The pruned model is built in memory
from the verified file and cached beside it, so it costs nothing after the first run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

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


def cached_without_outputs(
    path: Path, sha256: str, unwanted: Callable[[Shape], bool], tag: str, cache_dir: Path
) -> bytes:
    """`without_outputs` of the verified file at `path`, kept in `cache_dir` under a name
    that ties it to the source's checksum and to `tag` (what was removed)."""
    cached = cache_dir / f"{path.stem}.{sha256[:16]}.{tag}.tflite"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    pruned = without_outputs(path.read_bytes(), unwanted)
    tmp = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            fh.write(pruned)
        os.replace(tmp, cached)
    except OSError:
        # A read-only or full cache only costs the pruning again next time.
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return pruned
