"""Feature definitions shared by training and serving."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_tickets"]
CATEGORICAL = ["plan", "payment_method", "region"]
FEATURES = NUMERIC + CATEGORICAL
SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "schema.json")


def build_preprocessor() -> ColumnTransformer:
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore"),
    )
    return ColumnTransformer(
        [("num", numeric, NUMERIC), ("cat", categorical, CATEGORICAL)]
    )


def load_schema() -> Dict[str, Any]:
    if not os.path.exists(SCHEMA_PATH):
        return {"required": FEATURES}
    with open(SCHEMA_PATH) as fh:
        return json.load(fh)


def validate(record: Dict[str, Any]) -> List[str]:
    schema = load_schema()
    return [f"missing field: {name}" for name in schema["required"] if name not in record]


def to_frame(rows: Any) -> pd.DataFrame:
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    for col in NUMERIC:
        df[col] = pd.to_numeric(df[col], errors="coerce")
    for col in CATEGORICAL:
        df[col] = df[col].astype(str)
    return df[FEATURES]
