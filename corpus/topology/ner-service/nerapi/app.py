"""FastAPI wrapper: POST /entities with {"text": ...}."""
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from nerapi.model import NER_MODEL, extract_entities, get_tagger

app = FastAPI(title="ner-service")
MAX_CHARS = 20_000


class Request(BaseModel):
    text: str = Field(..., min_length=1)
    min_score: float = Field(0.7, ge=0.0, le=1.0)


@app.on_event("startup")
def warm_up() -> None:
    get_tagger()


@app.get("/health")
def health() -> dict:
    return {"status": "ok", "model": NER_MODEL}


@app.post("/entities")
def entities(req: Request) -> dict:
    if len(req.text) > MAX_CHARS:
        raise HTTPException(status_code=413, detail=f"text longer than {MAX_CHARS} characters")
    found = extract_entities(req.text, min_score=req.min_score)
    by_type: dict[str, int] = {}
    for ent in found:
        by_type[ent["type"]] = by_type.get(ent["type"], 0) + 1
    return {"entities": found, "counts": by_type}
