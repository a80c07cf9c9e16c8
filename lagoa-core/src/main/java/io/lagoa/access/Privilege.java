package io.lagoa.access;

/** What a grant allows on a securable. */
public enum Privilege {
  READ,
  WRITE,
  CREATE,
  DROP,
  MANAGE_GRANTS
}
