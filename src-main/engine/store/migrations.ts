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
   );`
]
