"""janus_mlir.nn inside `jm.compile`: a small CNN (conv2d -> relu -> max_pool2d -> reshape ->
matmul -> log_softmax / cross_entropy), an attention block with softmax and layer_norm, the
activations, grouped convolutions with average pooling, embeddings. Each is compared with the
plain function by the oracle, must run as one graph from its second call (one compilation), and
conv2d and pooling must be their janus ops. Arguments nn rejects raise nn's error; dropout
runs as plain Python with a reason."""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm
from janus_mlir import nn

from .equivalence import check, converted

RNG = np.random.default_rng(21)
F32 = np.float32


def arr(*shape, dtype=F32, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(dtype)


def cnn(x, w1, b1, w2, b2, labels):
    h = nn.relu(nn.conv2d(x, w1, b1, stride=1, padding=1))
    h = nn.max_pool2d(h, 2)
    logits = h.reshape(h.shape[0], -1) @ w2 + b2
    return nn.log_softmax(logits), nn.cross_entropy(logits, labels)


def attention(x, wq, wk, wv, gamma, beta):
    q, k, v = x @ wq, x @ wk, x @ wv
    scores = nn.softmax(q @ k.T / np.sqrt(q.shape[-1]), axis=-1)
    return nn.layer_norm(scores @ v + x, gamma, beta)


def activations(x):
    return nn.relu(x), nn.sigmoid(x), nn.gelu(x), nn.gelu(x, approximate="none")


def grouped(x, w, b, wd):
    h = nn.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)
    h = nn.conv2d(nn.relu(h), wd, padding=1, groups=h.shape[1])  # depthwise
    return nn.avg_pool2d(h, 3, stride=2, padding=1), nn.max_pool2d(h, (2, 3), 1, (1, 1))


def lookup(table, ids, gamma, beta):
    e = nn.embedding(table, ids)
    return nn.log_softmax(nn.layer_norm(e, gamma, beta), axis=1)


def bad_channels(x, w):
    return nn.conv2d(x, w)


def bad_pool_padding(x):
    return nn.max_pool2d(x, 2, padding=2)


def with_dropout(x, rng):
    return nn.dropout(nn.relu(x), 0.25, rng)


def eval_dropout(x, rng):
    return nn.dropout(nn.relu(x), 0.25, rng, training=False) * 2


def janus_ops(f: jm.JanusFunction) -> str:
    return f.graphs[0].ir("janus")


def test_small_cnn_forward_and_loss() -> None:
    args = (arr(4, 3, 8, 8), arr(6, 3, 3, 3, scale=0.3), arr(6), arr(96, 10, scale=0.1),
            arr(10), RNG.integers(0, 10, 4))
    f = converted(cnn, *args)
    assert f.stats.compilations == 1 and f.stats.recompilations == 0
    ir = janus_ops(f)
    assert "janus.conv2d" in ir and "janus.max_pool2d" in ir
    logp, loss = check(f, *args)
    assert isinstance(loss, np.float32) and logp.shape == (4, 10)


def test_small_cnn_float64_large_logits() -> None:
    args = (arr(2, 1, 6, 6, dtype=np.float64), arr(4, 1, 3, 3, dtype=np.float64, scale=50),
            arr(4, dtype=np.float64), arr(36, 5, dtype=np.float64, scale=30),
            arr(5, dtype=np.float64), np.array([0, 4]))
    f = converted(cnn, *args)
    assert np.isfinite(f(*args)[1])


def test_attention_block() -> None:
    args = (arr(5, 8), arr(8, 8), arr(8, 8), arr(8, 8), arr(8), arr(8))
    f = converted(attention, *args)
    assert f.stats.compilations == 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations(dtype) -> None:
    x = arr(3, 7, dtype=dtype, scale=6)
    x[0, :3] = [-1e4, 1e4, 0]
    f = converted(activations, x)
    assert f.stats.compilations == 1


def test_grouped_dilated_convolution_and_average_pooling() -> None:
    args = (arr(2, 4, 9, 8), arr(6, 2, 3, 2), arr(6), arr(6, 1, 3, 3))
    f = converted(grouped, *args)
    ir = janus_ops(f)
    assert ir.count("janus.conv2d") == 2 and "janus.avg_pool2d" in ir


def test_embedding_and_layer_norm() -> None:
    args = (arr(10, 6), RNG.integers(0, 10, (3, 4)), arr(6), arr(6))
    converted(lookup, *args)


def test_rejected_arguments_raise_like_plain_python() -> None:
    for fn, args in ((bad_channels, (arr(1, 3, 4, 4), arr(2, 2, 1, 1))),
                     (bad_pool_padding, (arr(1, 1, 4, 4),))):
        f = jm.compile(fn)
        for _ in range(3):
            check(f, *args)  # the same ValueError as the plain call
        assert f.stats.graph_calls == 0
        assert any("ValueError" in str(r) for r in f.reasons), f.reasons


def test_dropout_draws_its_mask_on_the_host_in_training() -> None:
    x = arr(4, 5)
    f = jm.compile(with_dropout)
    for seed in range(3):
        mine, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        got = f(x, mine)
        np.testing.assert_array_equal(got, with_dropout(x, theirs))
        assert mine.bit_generator.state == theirs.bit_generator.state
    assert f.stats.graph_calls == 2, f.reasons
    g = converted(eval_dropout, x, None)  # not training: no draw, it converts
    assert g.stats.compilations == 1
