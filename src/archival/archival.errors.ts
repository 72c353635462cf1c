/**
 * Every error class an operator meets, one per kind: invalid input, not found,
 * conflict, a corrupt archive, a storage failure (by kind), a stopped run.
 * The admin API maps them to HTTP once (admin/archival-exception.filter.ts),
 * the CLI to exit codes once (cli/exit-codes.ts); nothing sorts errors by
 * their message text.
 */
export class ArchivalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One or more options are invalid; `problems` names each variable and value. */
export class ConfigurationError extends ArchivalError {
  constructor(readonly problems: string[]) {
    super(`Invalid archival configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Operator input (a CLI flag or argument, a request field) is malformed; the message names the value. */
export class InvalidInputError extends ArchivalError {}

/** What was asked for does not exist (an archive id, a run, a table's archives). */
export class NotFoundError extends ArchivalError {}

/**
 * The request conflicts with what is there now: an archive that is not in the
 * state the request needs (only purged archives restore), a row already in the
 * table (conflict=fail).
 */
export class ConflictError extends ArchivalError {}

/** A restore the target table refused (a key already there, a constraint, a value); nothing was restored. */
export class RestoreError extends ConflictError {}

/** Storage did not do what was asked (unreachable, refused, failed midway); `key` is the object. */
export class StorageError extends ArchivalError {
  constructor(message: string, readonly key?: string) {
    super(message);
  }
}

/** The object under a key is not in storage (deleted, or never written). */
export class MissingObjectError extends StorageError {
  constructor(key: string, location: string) {
    super(`archive ${key} is missing from ${location}`, key);
  }
}

/** The archive read back from storage does not match what was written. */
export class VerificationError extends ArchivalError {
  constructor(message: string, readonly table: string, readonly archivePath: string, readonly runId?: string) {
    super(message);
  }
}

/**
 * The purge transaction would not delete exactly the archived rows; it was rolled back.
 * `archivePath` is the archive whose rows did not match; absent when the mismatch is a
 * child row no archive holds (one added for an archived parent since it was read).
 */
export class PurgeMismatchError extends ArchivalError {
  constructor(message: string, readonly table: string, readonly archivePath?: string) {
    super(message);
  }
}

/**
 * An archive or its manifest does not match the catalog, or its bytes do not
 * decode: altered, truncated or missing. Nothing is restored from it.
 * `archivePath` is absent where a decoder meets bad bytes without knowing the file.
 */
export class CorruptArchiveError extends ArchivalError {
  constructor(message: string, readonly archivePath?: string) {
    super(message);
  }
}

/** Eligible rows that no archive window can hold (a time of -infinity, or before 1 AD): refused at plan time. */
export class UnarchivableRowsError extends ArchivalError {
  constructor(message: string, readonly table: string) {
    super(message);
  }
}

/** A job name that is not one of the module's jobs: not found over REST; bad usage (exit 2) on the command line. */
export class UnknownJobError extends NotFoundError {
  constructor(readonly job: string, known: string[]) {
    super(`Unknown archival job "${job}". Known jobs: ${known.join(', ')}`);
  }
}

/** An encrypted archive cannot be decrypted: no key, the wrong key, or altered bytes. */
export class EncryptionError extends ArchivalError {}

/** A status move that did not happen: the row was not in a status it may come from (or is gone). */
export class StatusMoveError extends ArchivalError {
  constructor(readonly entity: 'archive' | 'run', readonly id: string | number, from: readonly string[], to: string) {
    super(`${entity} ${id} was not ${from.join(' or ')}, so it was not moved to ${to}`);
  }
}

/** A run told to stop before it finished: it lost its job's lock, or the application is shutting down. Nothing unverified was purged. */
export class RunStoppedError extends ArchivalError {}
