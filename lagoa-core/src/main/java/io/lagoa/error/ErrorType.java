package io.lagoa.error;

/** Who has to act on an error: the user, an external system's operator, or us. */
public enum ErrorType {
  /** Bad input: arguments, configuration, SQL, files. The message says what to fix. */
  USER_ERROR,
  /** Something outside Lagoa failed: a database, a broker, a file system. */
  EXTERNAL,
  /** A bug in Lagoa. */
  INTERNAL
}
