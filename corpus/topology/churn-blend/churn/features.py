"""Feature engineering shared by training and scoring."""
import numpy as np
import pandas as pd

FEATURE_COLUMNS = [
    "tenure_months",
    "monthly_charges",
    "total_charges",
    "support_tickets_90d",
    "late_payments_12m",
    "is_month_to_month",
    "uses_autopay",
    "charges_per_month_of_tenure",
]


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["total_charges"] = pd.to_numeric(out["total_charges"], errors="coerce").fillna(0.0)
    out["is_month_to_month"] = (out["contract"] == "month-to-month").astype(int)
    out["uses_autopay"] = out["payment_method"].str.contains("automatic", case=False).astype(int)
    tenure = out["tenure_months"].clip(lower=1)
    out["charges_per_month_of_tenure"] = out["total_charges"] / tenure
    for column in ("support_tickets_90d", "late_payments_12m"):
        out[column] = out[column].fillna(0).astype(int)
    out.replace([np.inf, -np.inf], 0.0, inplace=True)
    return out
