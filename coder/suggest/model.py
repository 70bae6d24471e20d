"""A fitted suggestion model as plain arrays: scoring, decisions, and safe storage (no pickle)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from coder.errors import CoderError
from coder.limits import MODEL_BYTES
from coder.suggest.features import Features

FORMAT = 1
# The floor offers a comment's likeliest code only this far towards the code's threshold:
# on the demo, a quarter still offered codes at 10% to answers such as "GP. Rarely see it.";
# the held-out figures of the benchmark moved by 0.001 at most.
FLOOR_SHARE = 0.5
_DAMAGED = "the stored model cannot be read (it is damaged or not from coder); run coder train"


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # no overflow warnings for large |x|


@dataclass
class Model:
    """One linear scorer per code, Platt-calibrated, with a threshold per code."""

    features: Features
    code_ids: np.ndarray  # (codes,)
    coef: np.ndarray  # (codes, features) float32
    intercept: np.ndarray  # (codes,)
    platt: np.ndarray  # (codes, 2): probability = sigmoid(a * score + b)
    threshold: np.ndarray  # (codes,) on the probability
    max_per_comment: int = 0  # 0: as many as pass their thresholds
    min_per_comment: int = 0  # 1: a comment with none past its threshold gets its likeliest
    relative: float = 0.0  # a code is suggested only within this share of the comment's likeliest

    def scores(self, matrix: sp.csr_matrix) -> np.ndarray:
        return np.asarray(matrix @ self.coef.T, dtype=np.float64) + self.intercept

    def probabilities(self, matrix: sp.csr_matrix) -> np.ndarray:
        return sigmoid(self.scores(matrix) * self.platt[:, 0] + self.platt[:, 1])

    def decide(self, probabilities: np.ndarray) -> np.ndarray:
        return decide(
            probabilities,
            self.threshold,
            self.max_per_comment,
            self.min_per_comment,
            self.relative,
        )

    # -- storage ---------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            format=np.array([FORMAT], dtype=np.int64),
            code_ids=self.code_ids.astype(np.int64),
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float64),
            platt=self.platt.astype(np.float64),
            threshold=self.threshold.astype(np.float64),
            max_per_comment=np.array([self.max_per_comment], dtype=np.int64),
            min_per_comment=np.array([self.min_per_comment], dtype=np.int64),
            relative=np.array([self.relative], dtype=np.float64),
            **self.features.to_arrays(),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes | None) -> Model:
        """Read a stored model. Only numeric and text arrays are accepted: a project file
        from someone else cannot make this run code (numpy refuses pickled objects)."""
        if not blob:
            raise CoderError("this model version has no stored model; run coder train")
        try:
            arrays = _load_arrays(blob)
            if int(arrays["format"][0]) != FORMAT:
                raise CoderError("the stored model is from another version of coder; retrain it")
            model = cls(
                features=Features.from_arrays(arrays),
                code_ids=_numeric(arrays["code_ids"], 1).astype(np.int64),
                coef=_numeric(arrays["coef"], 2).astype(np.float32),
                intercept=_numeric(arrays["intercept"], 1),
                platt=_numeric(arrays["platt"], 2),
                threshold=_numeric(arrays["threshold"], 1),
                max_per_comment=int(_numeric(arrays["max_per_comment"], 1)[0]),
                # Models stored before the floor and the relative share had neither.
                min_per_comment=int(_optional(arrays, "min_per_comment", 0)),
                relative=float(_optional(arrays, "relative", 0.0)),
            )
        except CoderError:
            raise
        except (ValueError, KeyError, IndexError, OSError, EOFError, zipfile.BadZipFile) as exc:
            raise CoderError(_DAMAGED) from exc
        k = len(model.code_ids)
        if (
            model.coef.shape != (k, model.features.n_features)
            or model.intercept.shape != (k,)
            or model.platt.shape != (k, 2)
            or model.threshold.shape != (k,)
        ):
            raise CoderError(_DAMAGED)
        return model


def _load_arrays(blob: bytes) -> dict[str, np.ndarray]:
    """The arrays of a stored model, each checked before it is unpacked: plain numbers or
    text only (never pickled objects), and no more in all than MODEL_BYTES allows, whatever
    sizes the file claims."""
    budget = MODEL_BYTES.value
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        members = archive.infolist()
        MODEL_BYTES.check(sum(m.file_size for m in members), "the stored model")
        for member in members:
            with archive.open(member) as handle:
                version = np.lib.format.read_magic(handle)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
                else:
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
                if dtype.hasobject:
                    raise ValueError("a stored array holds objects")
                size = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
                budget -= size
                if budget < 0:
                    MODEL_BYTES.check(MODEL_BYTES.value - budget, "the stored model")
                data = handle.read(size + 1)
                if len(data) != size:
                    raise ValueError("a stored array is not the size it claims")
                array = np.frombuffer(data, dtype=dtype)
                array = array.reshape(shape, order="F" if fortran else "C")
                arrays[member.filename.removesuffix(".npy")] = array
    return arrays


def _optional(arrays: dict[str, np.ndarray], name: str, default: float) -> float:
    return float(_numeric(arrays[name], 1)[0]) if name in arrays else default


def _numeric(array: np.ndarray, ndim: int) -> np.ndarray:
    if array.dtype.kind not in "iuf" or array.ndim != ndim:
        raise ValueError("not a numeric array of the expected shape")
    return array


def decide(
    probabilities: np.ndarray,
    threshold: np.ndarray,
    max_per_comment: int,
    min_per_comment: int = 0,
    relative: float = 0.0,
) -> np.ndarray:
    """Which codes to suggest: those past their threshold and, when a relative share was
    learnt, at least that share as likely as the comment's likeliest; at most
    max_per_comment of them (the most probable) when a cap was learnt; and, when a floor
    was learnt, for a comment with none past its threshold, the likeliest of its codes at
    least half way to their own thresholds (never one offered at 0: deleted, or rejected for
    that comment)."""
    chosen = probabilities >= threshold
    if relative:
        chosen &= probabilities >= relative * probabilities.max(axis=1, keepdims=True)
    if max_per_comment and max_per_comment < probabilities.shape[1]:
        beyond = np.argsort(-probabilities, axis=1, kind="stable")[:, max_per_comment:]
        np.put_along_axis(chosen, beyond, False, axis=1)
    if min_per_comment and probabilities.shape[1]:
        # "n/a" or "nothing to add" is not offered a code at a few per cent.
        eligible = np.where(probabilities >= FLOOR_SHARE * threshold, probabilities, 0.0)
        bare = np.flatnonzero(~chosen.any(axis=1) & (eligible.max(axis=1) > 0))
        chosen[bare, np.argmax(eligible[bare], axis=1)] = True
    return chosen
