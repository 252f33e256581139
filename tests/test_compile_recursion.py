"""Recursion over Python trees: one graph for every tree, as a loop over a host-built schedule
(frontend/recursion.py). Every call is compared with the plain function."""

from __future__ import annotations

import numpy as np

import janus_mlir as jm

from .equivalence import check

RNG = np.random.default_rng(11)
DIM = 6
WL = (RNG.standard_normal((DIM, DIM)) * 0.4).astype(np.float32)
WR = (RNG.standard_normal((DIM, DIM)) * 0.4).astype(np.float32)


class Node:
    def __init__(self, word=None, left=None, right=None, label=0):
        self.word = word
        self.left = left
        self.right = right
        self.label = label


def tree(leaves, unary=0.0):
    nodes = [Node(word=RNG.standard_normal(DIM).astype(np.float32)) for _ in range(leaves)]
    while len(nodes) > 1:
        i = int(RNG.integers(0, len(nodes) - 1))
        nodes[i:i + 2] = [Node(left=nodes[i], right=nodes[i + 1])]
        if RNG.random() < unary:
            nodes[i] = Node(left=nodes[i])
    return nodes[0]


def encode(node, wl, wr):
    if node.word is not None:
        return np.tanh(node.word)
    if node.right is None:
        return encode(node.left, wl, wr) * 0.5
    return np.tanh(encode(node.left, wl, wr) @ wl + encode(node.right, wl, wr) @ wr)


def tree_rnn(t, wl, wr):
    h = encode(t, wl, wr)
    return h, h.sum()


def test_one_graph_for_every_tree():
    f = jm.compile(tree_rnn)
    for n in (3, 5, 1, 8, 2, 6, 4, 7, 3, 9):
        check(f, tree(n), WL, WR)
    assert f.stats.compilations <= 2, f.reasons  # a single leaf first: then the inner case
    assert f.stats.graph_calls >= 8
    assert "scf.for" in f.graphs[-1].ir("janus")


def test_a_kind_of_node_not_seen_before_adds_a_case():
    f = jm.compile(tree_rnn)
    for _ in range(3):
        check(f, tree(5), WL, WR)
    for _ in range(4):
        check(f, tree(6, unary=0.5), WL, WR)  # nodes with one child: a new case
    assert f.stats.compilations == 2, f.reasons
    assert f.stats.graph_calls >= 5


def test_a_node_reached_twice_runs_as_plain_python():
    leaf = Node(word=RNG.standard_normal(DIM).astype(np.float32))
    shared = Node(left=leaf, right=leaf)
    f = jm.compile(tree_rnn)
    for _ in range(3):
        check(f, shared, WL, WR)
    assert f.stats.graph_calls == 0


def depth_sum(node, d):
    if node.word is not None:
        return node.word * d
    return depth_sum(node.left, d + 1) + depth_sum(node.right, d + 1)


def test_a_recursion_that_changes_other_arguments_is_refused():
    f = jm.compile(lambda t: depth_sum(t, 1.0))
    for n in (3, 4, 5):
        check(f, tree(n))
    assert any("other arguments" in r for r in f.reasons), f.reasons


def by_label(node, wl):
    if node.word is not None:
        return node.word + node.label
    return by_label(node.left, wl) @ wl - by_label(node.right, wl)


def test_number_attributes_are_run_time_data_of_the_node():
    f = jm.compile(lambda t, w: by_label(t, w))
    for n in (4, 3, 5, 6):
        t = tree(n)
        stack = [t]
        while stack:
            x = stack.pop()
            x.label = int(RNG.integers(0, 2))
            stack += [c for c in (x.left, x.right) if c is not None]
        check(f, t, WL)
    assert f.stats.graph_calls >= 2, f.reasons
