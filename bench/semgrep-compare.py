#!/usr/bin/env python3
"""Where semgrep and mine disagree on the same rules, for bench/run.sh.

  semgrep-compare.py SEMGREP_JSON MINE_DB IDS_FILE CORPUS_DIR

Sites are (file, line) pairs, the file relative to the corpus folder (mine
records paths relative to the folder given to `mine --path`). Prints how
many sites both report, and the sites only one reports, by rule, with a few
examples, so that a difference in counts can be read rather than guessed.
"""
import collections, json, os, sqlite3, sys

if len(sys.argv) != 5:
    sys.exit("usage: semgrep-compare.py SEMGREP_JSON MINE_DB IDS_FILE CORPUS_DIR")
semgrep_json, db, ids_file, corpus = sys.argv[1:5]
root = os.path.realpath(corpus)
try:
    ids = open(ids_file).read().split()
    semgrep = {}
    for r in json.load(open(semgrep_json))["results"]:
        key = (os.path.relpath(os.path.realpath(r["path"]), root), r["start"]["line"])
        semgrep.setdefault(key, set()).add(r["check_id"].split(".")[-1])
    if not os.path.isfile(db):
        raise FileNotFoundError(f"no database at {db}")
    mine = {}
    query = "select path, line, rule from usages where rule in (%s)" % ",".join("?" * len(ids))
    for path, line, rule in sqlite3.connect(db).execute(query, ids):
        mine.setdefault((path, line), set()).add(rule)
except (OSError, ValueError, KeyError, sqlite3.Error) as e:
    sys.exit(f"semgrep-compare: {e}")


def by_rule(sites, of):
    count = collections.Counter(rule for s in sites for rule in of[s])
    return ", ".join(f"{rule} {n}" for rule, n in count.most_common())


only_semgrep = sorted(set(semgrep) - set(mine))
only_mine = sorted(set(mine) - set(semgrep))
print(f"sites (file, line), same rules: both {len(set(semgrep) & set(mine))}, "
      f"semgrep only {len(only_semgrep)}, mine only {len(only_mine)}")
for label, sites, of in (("semgrep only", only_semgrep, semgrep), ("mine only", only_mine, mine)):
    if sites:
        print(f"  {label}, by rule: {by_rule(sites, of)}")
        for path, line in sites[:3]:
            print(f"    {path}:{line} {','.join(sorted(of[(path, line)]))}")
