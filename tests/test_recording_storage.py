"""SampleBlock (recording.py): samples stored in chunks read back as numpy's vstack would give them."""
import numpy as np

from pynnlite.recording import SampleBlock


def test_samples_across_chunks_read_back_exactly():
    rng = np.random.default_rng(1)
    rows = [rng.normal(size=7) for _ in range(SampleBlock.FIRST_ROWS * 3 + 5)]   # three chunks and a part
    block = SampleBlock(0, np.arange(7))
    for step, row in enumerate(rows):
        block.append(2 * step, row)
    keep = np.array([1, 0, 1, 1, 0, 0, 1], bool)
    expected = np.vstack(rows)[:, keep]
    got = block.matrix(keep)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert got.tobytes(order="A") == expected.tobytes(order="A") and got.flags["F_CONTIGUOUS"]
    assert np.array_equal(block.matrix(), np.vstack(rows)) and block.steps == list(range(0, 2 * len(rows), 2))
    assert len(block) == len(rows)


def test_block_from_a_matrix_and_an_empty_block():
    matrix = np.arange(12.0).reshape(3, 4)
    block = SampleBlock.from_matrix(2, np.arange(4), [0, 1, 2], matrix.T.copy().T)
    assert block.epoch == 2 and np.array_equal(block.matrix(), matrix)
    assert SampleBlock(0, np.arange(3)).matrix().shape == (0, 0)


def test_a_wider_dtype_later_keeps_every_value():
    block = SampleBlock(0, np.arange(2))
    block.append(0, np.array([1, 2]))
    block.append(1, np.array([0.5, 1.5]))
    assert np.array_equal(block.matrix(), np.vstack([np.array([1, 2]), np.array([0.5, 1.5])]))
