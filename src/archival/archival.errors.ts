/** Typed errors: each carries what an operator needs to find the problem. */
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

/** The purge transaction would not delete exactly the archived rows; it was rolled back. */
export class PurgeMismatchError extends ArchivalError {
  constructor(message: string, readonly table: string, readonly archivePath: string) {
    super(message);
  }
}

/** An archive or its manifest does not match the catalog: altered, truncated or missing. Nothing is restored from it. */
export class CorruptArchiveError extends ArchivalError {
  constructor(message: string, readonly archivePath: string) {
    super(message);
  }
}

/** Eligible rows that no archive window can hold (a time of -infinity, or before 1 AD): refused at plan time. */
export class UnarchivableRowsError extends ArchivalError {
  constructor(message: string, readonly table: string) {
    super(message);
  }
}

export class UnknownJobError extends ArchivalError {
  constructor(readonly job: string, known: string[]) {
    super(`Unknown archival job "${job}". Known jobs: ${known.join(', ')}`);
  }
}

/** An encrypted archive cannot be decrypted: no key, the wrong key, or altered bytes. */
export class EncryptionError extends ArchivalError {}
