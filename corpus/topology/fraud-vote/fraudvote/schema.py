"""The feature layout the three models were trained with."""
import math

import numpy as np

FIELDS = (
    "amount",
    "hour",
    "merchant_risk",
    "distance_km",
    "txn_last_24h",
    "card_present",
    "foreign",
)


def _row(tx: dict) -> list[float]:
    row = []
    for field in FIELDS:
        value = tx.get(field, 0)
        if field == "amount":
            value = math.log1p(max(float(value), 0.0))
        elif field in ("card_present", "foreign"):
            value = 1.0 if value in (True, "1", 1, "yes") else 0.0
        row.append(float(value))
    return row


def to_matrix(transactions: list[dict]) -> np.ndarray:
    if not transactions:
        return np.empty((0, len(FIELDS)))
    return np.asarray([_row(tx) for tx in transactions], dtype=np.float64)
