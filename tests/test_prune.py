"""Removing unread outputs from a LiteRT model: on a model built here, and on the real one."""

from __future__ import annotations

import flatbuffers
import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as schema
from ai_edge_litert.interpreter import Interpreter

from reptrack.pose.prune import cache_state, cached_without_outputs, without_outputs


def _tensor(name: str, shape: list[int]) -> schema.TensorT:
    t = schema.TensorT()
    t.name, t.shape, t.type, t.buffer = name.encode(), shape, schema.TensorType.FLOAT32, 0
    return t


def _two_output_model() -> bytes:
    """x (1,4,4,1) → mask = x + x (1,4,4,1), and both = concat(x, x) (1,4,4,2)."""
    model = schema.ModelT()
    model.version = 3
    model.buffers = [schema.BufferT()]
    add, concat = schema.OperatorCodeT(), schema.OperatorCodeT()
    add.builtinCode = add.deprecatedBuiltinCode = schema.BuiltinOperator.ADD
    concat.builtinCode = schema.BuiltinOperator.CONCATENATION
    concat.deprecatedBuiltinCode = schema.BuiltinOperator.CONCATENATION
    model.operatorCodes = [add, concat]
    graph = schema.SubGraphT()
    graph.tensors = [
        _tensor("x", [1, 4, 4, 1]),
        _tensor("mask", [1, 4, 4, 1]),
        _tensor("both", [1, 4, 4, 2]),
    ]
    graph.inputs, graph.outputs = [0], [1, 2]
    op_add, op_concat = schema.OperatorT(), schema.OperatorT()
    op_add.opcodeIndex, op_add.inputs, op_add.outputs = 0, [0, 0], [1]
    op_add.builtinOptionsType = schema.BuiltinOptions.AddOptions
    op_add.builtinOptions = schema.AddOptionsT()
    op_concat.opcodeIndex, op_concat.inputs, op_concat.outputs = 1, [0, 0], [2]
    op_concat.builtinOptionsType = schema.BuiltinOptions.ConcatenationOptions
    op_concat.builtinOptions = schema.ConcatenationOptionsT()
    op_concat.builtinOptions.axis = 3
    graph.operators = [op_add, op_concat]
    model.subgraphs = [graph]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _is_mask(shape: tuple[int, ...]) -> bool:
    return shape[-1] == 1


def _run(content: bytes, x: np.ndarray) -> dict[tuple[int, ...], np.ndarray]:
    it = Interpreter(model_content=content, num_threads=1)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    return {tuple(d["shape"]): it.get_tensor(d["index"]) for d in it.get_output_details()}


def _operators(content: bytes) -> int:
    return len(schema.ModelT.InitFromPackedBuf(bytearray(content), 0).subgraphs[0].operators)


def test_the_unwanted_output_and_its_operator_go_and_the_rest_computes_the_same():
    model = _two_output_model()
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    before = _run(model, x)
    assert set(before) == {(1, 4, 4, 1), (1, 4, 4, 2)}  # the hand-built model is sound

    pruned = without_outputs(model, _is_mask)
    after = _run(pruned, x)
    assert set(after) == {(1, 4, 4, 2)}
    assert np.array_equal(after[(1, 4, 4, 2)], before[(1, 4, 4, 2)])
    assert _operators(model) == 2 and _operators(pruned) == 1


def test_pruning_refuses_to_remove_nothing_or_everything():
    model = _two_output_model()
    with pytest.raises(ValueError, match="no output"):
        without_outputs(model, lambda shape: False)
    with pytest.raises(ValueError, match="every output"):
        without_outputs(model, lambda shape: True)


def test_the_pruned_model_is_cached_and_a_read_only_cache_still_works(tmp_path):
    source = tmp_path / "two.tflite"
    source.write_bytes(_two_output_model())
    cache = tmp_path / "derived"
    first = cached_without_outputs(source, "ab" * 32, _is_mask, "nomask", cache)
    cached, checksum = sorted(cache.iterdir())
    assert cached.name == "two.abababababababab.nomask.tflite"
    assert checksum.name == cached.name + ".sha256"
    source.unlink()
    assert cached_without_outputs(source, "ab" * 32, _is_mask, "nomask", cache) == first

    source.write_bytes(_two_output_model())
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache folder should be")
    assert cached_without_outputs(source, "cd" * 32, _is_mask, "nomask", blocked) == first


def test_the_real_landmark_model_gives_the_same_landmarks_without_its_mask(blazepose_models):
    from reptrack.pose import models

    path = models.resolve("lite" if models.status(models.get("lite")) == "ok" else "full")
    whole = path.read_bytes()
    pruned = without_outputs(whole, lambda s: len(s) == 4 and s[3] == 1)
    x = np.random.default_rng(0).random((1, 256, 256, 3), dtype=np.float32)
    before, after = _run(whole, x), _run(pruned, x)
    assert (1, 256, 256, 1) in before and (1, 256, 256, 1) not in after
    assert set(after) == set(before) - {(1, 256, 256, 1)}
    for shape, value in after.items():
        assert np.array_equal(value, before[shape]), shape
    assert _operators(pruned) < 0.9 * _operators(whole)


def test_a_cache_write_that_fails_leaves_no_partial_file(tmp_path, monkeypatch):
    source = tmp_path / "two.tflite"
    source.write_bytes(_two_output_model())
    cache = tmp_path / "derived"

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("reptrack.files.os.replace", disk_full)
    pruned = cached_without_outputs(source, "ef" * 32, _is_mask, "nomask", cache)
    assert _operators(pruned) == 1
    assert list(cache.iterdir()) == []


@pytest.mark.parametrize("damage", ["flip", "truncate", "no checksum"])
def test_a_damaged_cached_model_is_noticed_and_built_again(tmp_path, damage):
    source = tmp_path / "two.tflite"
    source.write_bytes(_two_output_model())
    cache = tmp_path / "derived"
    good = cached_without_outputs(source, "ab" * 32, _is_mask, "nomask", cache)
    cached = cache / "two.abababababababab.nomask.tflite"
    if damage == "flip":
        data = bytearray(good)
        data[len(data) // 2] ^= 0xFF
        cached.write_bytes(bytes(data))
    elif damage == "truncate":
        cached.write_bytes(good[:100])
    else:
        cached.with_name(cached.name + ".sha256").unlink()
    [(path, state)] = cache_state(cache)
    assert path == cached and state != "ok"
    assert cached_without_outputs(source, "ab" * 32, _is_mask, "nomask", cache) == good
    assert cached.read_bytes() == good and cache_state(cache) == [(cached, "ok")]
