"""The learned classifier: TF-IDF over character 1–3-grams of the normalised text plus jieba words, and a
logistic regression per target (category, department kind). Pure: lists in, a fitted object out; the
services store it (models.TriageModel) and read it back.

Why this model: complaints are short Chinese texts where character n-grams carry the topic without a
tokeniser's mistakes, and a linear model on them is fast to fit (seconds for tens of thousands of rows),
fast to apply (well under a millisecond per text) and gives calibrated-enough probabilities for a top-3.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from typing import Any

import joblib

from .text import _jieba, normalise


def _word_tokens(text: str) -> list[str]:
    return [w for w in _jieba().lcut(text) if w.strip()]


@dataclass
class Classifier:
    """A fitted pipeline per target and the label lists; `predict` returns (label, probability) best first."""

    features: Any  # the fitted FeatureUnion (text → sparse vector), shared by both models
    category: Any  # LogisticRegression over category labels
    department: Any  # LogisticRegression over department kinds, when the data has them
    labels: list[str] = field(default_factory=list)
    dept_labels: list[str] = field(default_factory=list)

    def predict(self, text: str, *, k: int = 3) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        x = self.features.transform([normalise(text)])
        cats = _top(self.category, x, k)
        depts = _top(self.department, x, 1) if self.department is not None else []
        return cats, depts


def _top(model, x, k: int) -> list[tuple[str, float]]:
    proba = model.predict_proba(x)[0]
    classes = model.classes_
    order = proba.argsort()[::-1][:k]
    return [(str(classes[i]), float(proba[i])) for i in order]


def _features():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1, max_features=60000
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    tokenizer=_word_tokens, token_pattern=None, lowercase=False, sublinear_tf=True, min_df=1
                ),
            ),
        ]
    )


def _model():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=20.0, max_iter=2000)


def fit(texts: list[str], categories: list[str], departments: list[str] | None = None) -> Classifier:
    """Fit on raw texts (normalised here) with category labels and, optionally, department kinds (""
    where none was recorded: those rows train the category only)."""
    features = _features()
    x = features.fit_transform([normalise(t) for t in texts])
    cat = _model().fit(x, categories)
    dept = None
    known = [i for i, d in enumerate(departments or []) if d]  # "" = no department recorded
    if departments is not None and len({departments[i] for i in known}) > 1:
        dept = _model().fit(x[known], [departments[i] for i in known])
    return Classifier(
        features=features,
        category=cat,
        department=dept,
        labels=sorted(set(categories)),
        dept_labels=sorted({d for d in departments or [] if d}),
    )


def dumps(clf: Classifier) -> bytes:
    """The fitted classifier as compressed joblib bytes (stored in TriageModel.blob)."""
    buf = io.BytesIO()
    joblib.dump(clf, buf)
    return zlib.compress(buf.getvalue(), 6)


def loads(blob: bytes) -> Classifier:
    return joblib.load(io.BytesIO(zlib.decompress(bytes(blob))))
