-- modelmine database, schema version 3 (version 2 lacked the hub label
-- store's tables, links and recommendations; version 1 also lacked
-- artifacts, dependencies, the ML-enabled verdict and usage notes/confidence).
-- One row per repository in `repos`; every other table hangs off it and is
-- replaced as a whole when the repository is mined again.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
    id               INTEGER PRIMARY KEY,
    started_at       TEXT NOT NULL,
    finished_at      TEXT,
    tool_version     TEXT NOT NULL,
    catalog_version  TEXT NOT NULL,
    args             TEXT NOT NULL,        -- JSON array of the command line
    repos_ok         INTEGER NOT NULL DEFAULT 0,
    repos_failed     INTEGER NOT NULL DEFAULT 0,
    repos_skipped    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS repos (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL,         -- owner/name for forge remotes, else the folder name
    location         TEXT NOT NULL UNIQUE,  -- canonical local path or URL given
    url              TEXT,                  -- remote URL when known
    commit_id        TEXT,                  -- HEAD commit, or content hash of a plain folder
    commit_kind      TEXT,                  -- 'git' | 'content-hash'
    dirty            INTEGER,               -- work tree differs from HEAD (local git checkouts)
    shallow          INTEGER,               -- cloned with depth 1
    status           TEXT NOT NULL,         -- 'ok' | 'failed' | 'skipped'
    reason           TEXT,                  -- why failed / skipped
    tool_version     TEXT,
    catalog_version  TEXT,
    run_id           INTEGER REFERENCES runs(id),
    mined_at         TEXT,
    py_files         INTEGER NOT NULL DEFAULT 0,
    ipynb_files      INTEGER NOT NULL DEFAULT 0,
    manifest_files   INTEGER NOT NULL DEFAULT 0,
    skipped_files    INTEGER NOT NULL DEFAULT 0,
    error_files      INTEGER NOT NULL DEFAULT 0,
    usages           INTEGER NOT NULL DEFAULT 0,
    bytes            INTEGER NOT NULL DEFAULT 0,
    elapsed_ms       INTEGER,
    ml_enabled       INTEGER,               -- depends on an ML library (manifests or imports)
    ml_core          INTEGER,               -- depends on TensorFlow, PyTorch or scikit-learn (the study's criterion)
    ml_libraries     TEXT,                  -- JSON array of the ML libraries found
    ml_evidence      TEXT,                  -- JSON object: library -> where it was found
    transformers_version TEXT,              -- the version pinned (==) in a manifest, if any
    artifacts        INTEGER NOT NULL DEFAULT 0,
    topology         TEXT,                  -- none|single|multi-independent|pipeline|ensemble|alternative|mixed
    models           INTEGER,               -- model load sites (aux excluded)
    distinct_models  INTEGER,
    -- What the GitHub API said of the repository (NULL for other sources).
    html_url         TEXT,
    stars            INTEGER,
    forks            INTEGER,
    language         TEXT,
    license          TEXT,
    topics           TEXT,                  -- JSON array
    default_branch   TEXT,
    pushed_at        TEXT,
    created_at       TEXT,
    size_kb          INTEGER,
    archived         INTEGER,
    fork             INTEGER
);
CREATE INDEX IF NOT EXISTS repos_name ON repos(name);

CREATE TABLE IF NOT EXISTS files (
    repo_id        INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    path           TEXT NOT NULL,
    kind           TEXT NOT NULL,           -- 'python' | 'notebook' | 'manifest'
    bytes          INTEGER NOT NULL,
    syntax_errors  INTEGER NOT NULL DEFAULT 0,
    error          TEXT,
    usages         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (repo_id, path)
);

CREATE TABLE IF NOT EXISTS skipped (
    repo_id  INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    path     TEXT NOT NULL,
    reason   TEXT NOT NULL,
    bytes    INTEGER,
    detail   TEXT,
    PRIMARY KEY (repo_id, path)
);

CREATE TABLE IF NOT EXISTS usages (
    id                 INTEGER PRIMARY KEY,
    repo_id            INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    path               TEXT NOT NULL,
    line               INTEGER NOT NULL,    -- 1-based line (in the cell for notebooks)
    cell               INTEGER,             -- 0-based notebook cell, NULL for .py
    col                INTEGER NOT NULL,
    source             TEXT NOT NULL,
    ecosystem          TEXT NOT NULL,
    api                TEXT NOT NULL,
    rule               TEXT NOT NULL,
    model              TEXT,
    model_id           TEXT,
    model_resolvable   TEXT NOT NULL,
    revision           TEXT,
    trust_remote_code  INTEGER,
    weights_only       INTEGER,
    download_only      INTEGER NOT NULL DEFAULT 0,
    snippet            TEXT NOT NULL,
    confidence         TEXT NOT NULL DEFAULT 'high',
    task               TEXT,                -- the task the call names (pipeline("ner"))
    revision_pinned    INTEGER,             -- revision is a commit hash (1), a branch/tag or absent on a hub model (0)
    risks              TEXT NOT NULL DEFAULT '[]', -- JSON array of risk names
    notes              TEXT,
    artifact           TEXT                 -- path of the committed weights file it reads
);
CREATE INDEX IF NOT EXISTS usages_repo ON usages(repo_id);
CREATE INDEX IF NOT EXISTS usages_model ON usages(model_id);

CREATE TABLE IF NOT EXISTS artifacts (
    repo_id   INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    path      TEXT NOT NULL,
    ext       TEXT NOT NULL,
    bytes     INTEGER NOT NULL,
    lfs       INTEGER NOT NULL DEFAULT 0,
    lfs_size  INTEGER,
    present   INTEGER NOT NULL,
    PRIMARY KEY (repo_id, path)
);

CREATE TABLE IF NOT EXISTS dependencies (
    repo_id   INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    manifest  TEXT NOT NULL,                -- path of the manifest (or setup.py)
    name      TEXT NOT NULL,                -- normalised distribution name
    spec      TEXT,                         -- version specifier as written
    PRIMARY KEY (repo_id, manifest, name)
);

CREATE TABLE IF NOT EXISTS edges (
    repo_id    INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,                -- pipeline | ensemble | alternative
    from_path  TEXT NOT NULL,
    from_loc   TEXT NOT NULL,                -- line, or cell:I:L
    from_model TEXT,
    to_path    TEXT NOT NULL,
    to_loc     TEXT NOT NULL,
    to_model   TEXT,
    evidence   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS edges_repo ON edges(repo_id);

-- The hub label store: models a user imported (`mine labels import`) or
-- synced (`mine labels sync`) into this database. The seed store lives in
-- the binary and is not copied here; a row here overrides a seed row of the
-- same id.
CREATE TABLE IF NOT EXISTS hub_models (
    id                TEXT PRIMARY KEY,      -- ecosystem:canonical-id
    ecosystem         TEXT NOT NULL,
    aliases           TEXT NOT NULL DEFAULT '[]', -- JSON array of other ids
    task              TEXT,
    library           TEXT,
    license           TEXT,
    license_family    TEXT NOT NULL,         -- permissive | copyleft | restricted | unknown
    params            INTEGER,
    downloads         INTEGER,
    likes             INTEGER,
    gated             INTEGER,
    safetensors       INTEGER,
    custom_code       INTEGER,               -- needs trust_remote_code
    base_model        TEXT,
    deprecation_date  TEXT,
    successor         TEXT,
    origin            TEXT NOT NULL,         -- file:line or API URL it came from
    imported_at       TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS hub_model_labels (
    model_id  TEXT NOT NULL REFERENCES hub_models(id) ON DELETE CASCADE,
    label     TEXT NOT NULL,                 -- kind:value (task:..., dataset:..., language:...)
    weight    REAL,                          -- 0..1, e.g. a benchmark score
    PRIMARY KEY (model_id, label)
);

-- Each usage linked to the store (rewritten by every link pass).
CREATE TABLE IF NOT EXISTS links (
    usage_id   INTEGER PRIMARY KEY REFERENCES usages(id) ON DELETE CASCADE,
    repo_id    INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    hub_model  TEXT,                         -- the store model's id, NULL when not linked
    how        TEXT NOT NULL,                -- exact | alias | case | legacy | revision | path | hub-mirror | family | none
    labels     TEXT NOT NULL DEFAULT '[]'    -- JSON array of the labels the usage inherits
);
CREATE INDEX IF NOT EXISTS links_repo ON links(repo_id);
CREATE INDEX IF NOT EXISTS links_model ON links(hub_model);

-- `mine recommend`: for each usage, findings and alternatives with reasons.
CREATE TABLE IF NOT EXISTS recommendations (
    usage_id      INTEGER PRIMARY KEY REFERENCES usages(id) ON DELETE CASCADE,
    repo_id       INTEGER NOT NULL REFERENCES repos(id) ON DELETE CASCADE,
    findings      TEXT NOT NULL,             -- JSON array of strings
    alternatives  TEXT NOT NULL,             -- JSON array of {model, reasons[], ...}
    created_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS recommendations_repo ON recommendations(repo_id);
