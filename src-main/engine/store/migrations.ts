/**
 * Schema migrations, applied in order. The database's user_version is the number of
 * migrations applied. Never edit a migration that has shipped; append a new one.
 */
export const migrations: string[] = [
  // 1: settings and recently opened datasets
  `CREATE TABLE settings (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL
   );
   CREATE TABLE recent_datasets (
     path TEXT PRIMARY KEY,
     format TEXT NOT NULL,
     name TEXT NOT NULL,
     opened_at TEXT NOT NULL
   );`,
  // 2: training runs, their epochs and every epoch's tensors (weights, optimizer state)
  `CREATE TABLE runs (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     pair_id TEXT,
     status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'cancelled', 'interrupted', 'failed')),
     status_reason TEXT,
     config TEXT NOT NULL,
     model_topology TEXT,
     pid INTEGER,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX runs_pair ON runs (pair_id);
   CREATE TABLE epochs (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     epoch INTEGER NOT NULL,
     metrics TEXT NOT NULL,
     batch_losses BLOB,
     complete INTEGER NOT NULL DEFAULT 0,
     committed_at TEXT NOT NULL,
     PRIMARY KEY (run_id, epoch)
   );
   CREATE TABLE epoch_tensors (
     run_id TEXT NOT NULL,
     epoch INTEGER NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('weight', 'optimizer')),
     position INTEGER NOT NULL,
     name TEXT NOT NULL,
     dtype TEXT NOT NULL,
     shape TEXT NOT NULL,
     byte_length INTEGER NOT NULL,
     chunk_count INTEGER NOT NULL,
     PRIMARY KEY (run_id, epoch, kind, position),
     FOREIGN KEY (run_id, epoch) REFERENCES epochs (run_id, epoch) ON DELETE CASCADE
   );
   CREATE TABLE tensor_chunks (
     run_id TEXT NOT NULL,
     epoch INTEGER NOT NULL,
     kind TEXT NOT NULL,
     position INTEGER NOT NULL,
     chunk INTEGER NOT NULL,
     data BLOB NOT NULL,
     sha256 TEXT NOT NULL,
     PRIMARY KEY (run_id, epoch, kind, position, chunk),
     FOREIGN KEY (run_id, epoch, kind, position) REFERENCES epoch_tensors (run_id, epoch, kind, position) ON DELETE CASCADE
   );`,
  // 3: results of analyses worth keeping (CKA matrices, weight statistics, channel activity),
  // keyed by what they were computed from; dropped with their run
  `CREATE TABLE analysis_cache (
     key TEXT PRIMARY KEY,
     run_id TEXT REFERENCES runs (id) ON DELETE CASCADE,
     other_run_id TEXT REFERENCES runs (id) ON DELETE CASCADE,
     kind TEXT NOT NULL,
     value BLOB NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE INDEX analysis_cache_run ON analysis_cache (run_id);`,
  // 4: what the run's latest training session computed on, e.g.
  // "webgpu on nvidia ampere (NVIDIA GeForce RTX 3080)" or "wasm"; null before it starts
  `ALTER TABLE runs ADD COLUMN compute TEXT;`,
  // 5: figures saved with their specs (the figure set) and poster compositions of them;
  // run_ids is a JSON list, not a foreign key: a figure outlives its run and says so
  `CREATE TABLE figures (
     id TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     kind TEXT NOT NULL,
     source TEXT NOT NULL,
     run_ids TEXT NOT NULL,
     spec BLOB NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE compositions (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     layout TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );`,
  // 6: feature-map descriptors V = (μ_0, σ_0, …) per run, epoch, conv layer and
  // training image, with the image's label; dropped with their run
  `CREATE TABLE descriptors (
     run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
     epoch INTEGER NOT NULL,
     layer TEXT NOT NULL,
     image INTEGER NOT NULL,
     label INTEGER NOT NULL,
     vector BLOB NOT NULL,
     PRIMARY KEY (run_id, epoch, layer, image)
   );`,
  // 7: the words a user set on a saved figure (title, axis names, legend entries, colour-bar
  // label), as JSON over the generated ones; '{}' keeps the figure as it was made
  `ALTER TABLE figures ADD COLUMN text TEXT NOT NULL DEFAULT '{}';`
]
