#!/usr/bin/env python3
"""Derive corpus/hub-labels/hf_model_extra_labels.csv from the raw Hub table.

Input : ../shared/anchors/hub-labels/hf/hf_models_top9715_raw.csv (verbatim Hub
        API metadata; its `tags` column is a Python list literal).
Output: model_id, languages (ISO 639-1 codes and `multilingual`, ;-separated),
        domains (tags from a fixed domain vocabulary, ;-separated),
        subtasks (tags that are a sub-task id of corpus/hub-labels/hf_tasks_catalog.json,
        with `sentiment` read as `sentiment-analysis`, ;-separated).
Only reads tags; nothing is guessed. Run from the repository root.
"""
import ast, csv, json, sys

ISO_639_1 = set("""aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split())
DOMAINS = {"medical", "biology", "chemistry", "finance", "legal", "code", "art", "anime", "math", "climate", "music", "science"}

CATALOG = json.load(open("corpus/hub-labels/hf_tasks_catalog.json"))
SUBTASKS = {s for p in CATALOG["pipelines"] for s in p.get("subtasks", [])}
SUBTASK_SYNONYMS = {"sentiment": "sentiment-analysis", "ner": "named-entity-recognition"}

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/anchors/hub-labels/hf/hf_models_top9715_raw.csv"
out = sys.argv[2] if len(sys.argv) > 2 else "corpus/hub-labels/hf_model_extra_labels.csv"
with open(src, newline="") as f, open(out, "w", newline="") as g:
    w = csv.writer(g, lineterminator="\n")
    w.writerow(["model_id", "languages", "domains", "subtasks"])
    for r in csv.DictReader(f):
        tags = ast.literal_eval(r["tags"]) if r["tags"] else []
        langs = sorted({t for t in tags if t in ISO_639_1 or t == "multilingual"})
        doms = sorted({t.lower() for t in tags if t.lower() in DOMAINS})
        subs = sorted({SUBTASK_SYNONYMS.get(t.lower(), t.lower()) for t in tags} & SUBTASKS)
        if langs or doms or subs:
            w.writerow([r["modelId"], ";".join(langs), ";".join(doms), ";".join(subs)])
