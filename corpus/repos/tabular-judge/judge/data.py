"""Input data for the churn judge.

The account snapshot is a pickled pandas frame written by the nightly export
job; ticket texts come as JSON lines.
"""
from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd

ACCOUNT_COLUMNS = [
    "tenure_months",
    "seats",
    "monthly_spend",
    "tickets_90d",
    "escalations_90d",
    "logins_30d",
    "nps_last",
]
SNAPSHOT = Path("data/frame.pkl")


def account_snapshot() -> pd.DataFrame:
    df = pickle.load(open("data/frame.pkl", "rb"))
    df = df.set_index("account_id")
    missing = [c for c in ACCOUNT_COLUMNS if c not in df.columns]
    if missing:
        raise KeyError(f"snapshot lacks columns: {missing}")
    return df


def tickets(path: str | Path) -> list[dict]:
    rows = []
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def join(tickets_rows: list[dict], accounts: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    texts, ids = [], []
    for row in tickets_rows:
        if row["account_id"] in accounts.index:
            texts.append(f"{row.get('subject', '')}\n{row.get('body', '')}")
            ids.append(row["account_id"])
    return texts, accounts.loc[ids, ACCOUNT_COLUMNS].fillna(0.0)


def labels(accounts: pd.DataFrame) -> np.ndarray:
    return accounts["churned_within_90d"].astype(int).to_numpy()


def snapshot_age_days(now: pd.Timestamp | None = None) -> float:
    now = now or pd.Timestamp.utcnow()
    mtime = pd.Timestamp(SNAPSHOT.stat().st_mtime, unit="s", tz="UTC")
    return (now - mtime).total_seconds() / 86400
