"""Ranking metrics on graded relevance (0..4), per query."""

from __future__ import annotations

import numpy as np

RELEVANT_GRADE = 3  # "a good fit" for Recall: grades 3 and 4


def ndcg_at(grades_in_order: np.ndarray, all_grades: np.ndarray, k: int) -> float | None:
    """NDCG@k with gain 2^grade − 1; None when the query has nothing relevant to find."""
    ideal = np.sort(all_grades)[::-1][:k]
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    idcg = float(((2.0**ideal - 1) * discount[: ideal.size]).sum())
    if idcg == 0:
        return None
    got = grades_in_order[:k]
    return float(((2.0**got - 1) * discount[: got.size]).sum()) / idcg


def recall_at(grades_in_order: np.ndarray, all_grades: np.ndarray, k: int) -> float | None:
    """Share of the query's good fits (grade ≥ 3) found in the top k; None when there are none."""
    total = int((all_grades >= RELEVANT_GRADE).sum())
    if total == 0:
        return None
    return int((grades_in_order[:k] >= RELEVANT_GRADE).sum()) / total
